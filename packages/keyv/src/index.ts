export * from './escape-glob.js';
export * from './keyv-brainer.js';
export { KeyvBrainer as default } from './keyv-brainer.js';
