// Preloaded into a node under test (`node --import ./bench/_heapsample.mjs ...`, bench/write_cost.mjs
// --alloc-prof): the first SIGUSR2 starts V8's sampling heap profiler with objects collected by
// scavenges and mark-compacts kept (so it shows every allocation site, not only survivors); the
// second stops it and writes $HEAPSAMPLE_FILE (.heapprofile, readable by Chrome DevTools or
// bench/write_cost.mjs's summary). Not for CPU measurements.

import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const FILE = process.env.HEAPSAMPLE_FILE;
const SAMPLING_INTERVAL_BYTES = 256;

if (FILE) {
  const session = new Session();
  session.connect();
  let sampling = false;
  process.on('SIGUSR2', () => {
    if (!sampling) {
      sampling = true;
      session.post('HeapProfiler.startSampling', {
        samplingInterval: SAMPLING_INTERVAL_BYTES, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true,
      });
      return;
    }
    session.post('HeapProfiler.stopSampling', (err, r) => {
      writeFileSync(FILE, JSON.stringify(err ? { error: String(err) } : r.profile));
    });
  });
}
