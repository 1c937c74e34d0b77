export * from './cache-node.js';
export * from './events.js';
export * from './memory-engine.js';
export * from './options.js';
export * from './replica.js';
export * from './storage-engine.js';
export * from './standalone-node.js';
export * from './log-engine.js';
