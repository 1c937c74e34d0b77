export * from './history.js';
export * from './raw-peer.js';
export * from './writer.js';
export * from './temp-dir.js';
export * from './data-cluster.js';
