// src/server: layer 5, the composition root. The package's public entry point.
export { startNode, type StartNodeOptions, type RunningNode } from './node.js';
export { loadConfig, defaultConfig, type Config } from './config.js';
