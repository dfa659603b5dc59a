export { loadConfig, ConfigError } from './load.js';
export { configSchema, ENV_VARS, type Config } from './schema.js';
