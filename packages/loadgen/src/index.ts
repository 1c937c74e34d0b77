export * from './for-each-index.js';
export * from './latency.js';
export * from './random.js';
export * from './run-loop.js';
export * from './text-table.js';
export * from './zipfian.js';
