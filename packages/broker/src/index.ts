export * from './broker.js';
export * from './events.js';
export * from './node-record.js';
export * from './options.js';
export * from './broker-metrics.js';
export * from './broker-health.js';
