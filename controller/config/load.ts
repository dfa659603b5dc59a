/**
 * Loads the configuration once: file (WFC_CONFIG), then environment, then
 * defaults; validates; freezes. An invalid value stops start-up with a
 * message naming the variable (or file key) and what is wrong.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { configSchema, ENV_VARS, type Config } from './schema.js';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const raw: Record<string, unknown> = {};
  const origin = new Map<string, string>();
  const file = env.WFC_CONFIG;
  if (file) {
    const fromFile = readConfigFile(file);
    Object.assign(raw, fromFile);
    for (const path of leafPaths(fromFile)) origin.set(path, `${path} (in ${file})`);
  }
  for (const [name, path] of Object.entries(ENV_VARS)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(raw, path, value);
    origin.set(path.join('.'), name);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const key = i.path.join('.');
        const where = origin.get(key) ?? (i.code === 'unrecognized_keys' ? `${key || 'config'} (in ${file})` : key);
        const got = valueAt(raw, i.path);
        const shown = got === undefined || isSecretish(key) ? '' : `, got ${JSON.stringify(got)}`;
        const unknown = i.code === 'unrecognized_keys' ? `: unknown setting(s) ${i.keys.join(', ')}` : `: ${i.message}${shown}`;
        return `${where}${unknown}`;
      }),
    );
  }
  const config = parsed.data;
  config.dataDir = resolve(config.dataDir);
  return deepFreeze(config);
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError([`WFC_CONFIG: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`]);
  }
  let value: unknown;
  try {
    value = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ConfigError([`WFC_CONFIG: ${file} is not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`]);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError([`WFC_CONFIG: ${file} must hold an object of settings`]);
  return value as Record<string, unknown>;
}

function setPath(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = obj;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    if (typeof next !== 'object' || next === null) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}

function valueAt(obj: unknown, path: readonly PropertyKey[]): unknown {
  let cur = obj;
  for (const k of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

function leafPaths(obj: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? leafPaths(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

function isSecretish(key: string): boolean {
  return /secret|password|token|url/i.test(key);
}

function deepFreeze<T>(o: T): Readonly<T> {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
