export * from './history.js';
export * from './raw-peer.js';
export * from './writer.js';
export * from './node-memory.js';
