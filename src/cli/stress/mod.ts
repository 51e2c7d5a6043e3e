// src/cli/stress: the `cassia stress` load and latency tool (see README.md and docs/stress.md).

/** Runs `cassia stress ARGV...` (argv excludes "stress"); resolves with the process exit code. */
export { runStress, type StressIo } from './run.js';
/** Parses the command line (pure). */
export { parseStressArgs, type StressOptions, type ParseResult } from './options.js';
/** Loads and validates a user-mode YAML profile (pure). */
export { loadProfile, type UserProfile } from './profile.js';
/** Distributions in cassandra-stress notation and the seeded generator. */
export { parseDistribution, sample, Rng, type Distribution } from './distribution.js';
/** The bounded load loop with the fixed-rate scheduler (coordinated-omission corrected). */
export { runLoad, type LoadClock, type LoadPlan, type LoadTarget, type LoadOutcome } from './load.js';
export { Recorder, percentilesMs, type PercentilesMs, type IntervalSample } from './stats.js';
export { renderPlot, type PlotInput } from './svg.js';
export { fetchCpu, readProcCpu, parseProcStat, type CpuReading } from './cpu.js';
export type { StressResult } from './report.js';
