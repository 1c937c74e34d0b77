export * from './server-router.js';
export * from './ipc-safety.js';
export * from './receive-loop.js';
export * from './socket-sender.js';
