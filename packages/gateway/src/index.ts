export * from './gateway-client.js';
export * from './http-gateway.js';
export * from './json-gateway.js';
export * from './json-ops.js';
export * from './json-request.js';
export * from './key-listing.js';
export * from './options.js';
