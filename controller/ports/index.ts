export * from './stores.js';
export * from './clock.js';
export * from './live-sessions.js';
export * from './rate-limit.js';
export * from './shared-state.js';
export * from './login-tokens.js';
export * from './legal-log.js';
export * from './dynamic-authorization.js';
