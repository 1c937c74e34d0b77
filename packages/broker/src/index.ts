export * from './broker.js';
export * from './events.js';
export * from './node-record.js';
export * from './options.js';
