export * from './server-router.js';
