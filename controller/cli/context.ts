/**
 * What a CLI command works on: the configured stores (PostgreSQL when
 * WFC_DATABASE_URL is set, else the data dir's SQLite file) and a password
 * hasher. The CLI is a composition root of its own (it runs beside a live
 * server, which sees its changes through the same database).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type Config } from '../config/index.js';
import { openPostgresStores } from '../adapters/postgres/index.js';
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

/** The durable stores the configuration names: the shared PostgreSQL, or this node's SQLite file. */
export async function openStores(config: Readonly<Config>): Promise<Stores> {
  if (config.databaseUrl) return openPostgresStores({ url: config.databaseUrl });
  return openSqliteStores({ file: databaseFile(config.dataDir) });
}

export async function withContext<T>(dataDir: string | undefined, fn: (ctx: CliContext) => Promise<T>): Promise<T> {
  const config = loadConfig(dataDir ? { ...process.env, WFC_DATA_DIR: dataDir } : process.env);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o750 });
  const stores = await openStores(config);
  try {
    return await fn({ config, stores, hasher: createPasswordHasher() });
  } finally {
    await stores.close();
  }
}
