export * from './stores.js';
export * from './clock.js';
