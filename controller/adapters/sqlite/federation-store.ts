import type { Federation } from '../../domain/entities.js';
import type { FederationStore } from '../../ports/stores.js';
import type { SqliteDatabase } from './database.js';

interface FederationRow {
  name: string;
  realm: string;
}

/** The federation is one row (id = 1). */
export function createSqliteFederationStore(db: SqliteDatabase): FederationStore {
  const selectOne = db.prepare<[], FederationRow>('SELECT name, realm FROM federation WHERE id = 1');
  const upsert = db.prepare<[FederationRow]>(
    `INSERT INTO federation (id, name, realm) VALUES (1, @name, @realm)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, realm = excluded.realm`,
  );
  return {
    async get(): Promise<Federation | null> {
      const row = selectOne.get();
      return row ? { name: row.name, realm: row.realm } : null;
    },
    async set(federation) {
      upsert.run({ name: federation.name, realm: federation.realm });
    },
  };
}
