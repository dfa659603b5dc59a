/**
 * What a CLI command works on: the data dir's SQLite stores and a password
 * hasher. The CLI is a composition root of its own (it runs beside a live
 * server, which sees its changes through the same SQLite file).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type Config } from '../config/index.js';
import { openSqliteStores } from '../adapters/sqlite/index.js';
import type { Stores } from '../ports/stores.js';
import { createPasswordHasher, type PasswordHasher } from '../security/passwords.js';

export interface CliContext {
  readonly config: Readonly<Config>;
  readonly stores: Stores;
  readonly hasher: PasswordHasher;
}

export function databaseFile(dataDir: string): string {
  return join(dataDir, 'wfc.sqlite');
}

export async function withContext<T>(dataDir: string | undefined, fn: (ctx: CliContext) => Promise<T>): Promise<T> {
  const config = loadConfig(dataDir ? { ...process.env, WFC_DATA_DIR: dataDir } : process.env);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o750 });
  const stores = openSqliteStores({ file: databaseFile(config.dataDir) });
  try {
    return await fn({ config, stores, hasher: createPasswordHasher() });
  } finally {
    await stores.close();
  }
}
