// src/util: layer 0. Bytes, checksums, hashing, assertions, limits. Imports nothing.
export * from './assert.js';
export * from './bytes.js';
export * from './errors.js';
export * from './murmur3.js';
export * from './crc.js';
