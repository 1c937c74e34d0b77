export * from './history.js';
export * from './raw-peer.js';
export * from './writer.js';
export * from './python-node.js';
export * from './cluster-state.js';
export * from './basic-ops.js';
export * from './reads-served.js';
