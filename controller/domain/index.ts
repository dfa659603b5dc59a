export * from './entities.js';
export * from './mac.js';
export * from './network.js';
export * from './policy.js';
export * from './validation.js';
export * from './session.js';
export * from './day.js';
