export * from './raw-peer.js';
export * from './history.js';
