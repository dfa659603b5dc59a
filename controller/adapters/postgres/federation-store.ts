import type { Federation } from '../../domain/entities.js';
import type { FederationStore } from '../../ports/stores.js';
import type { PgDatabase } from './database.js';

/** The federation is one row (id = 1). */
export function createPgFederationStore(db: PgDatabase): FederationStore {
  const federation = db.table('federation');
  return {
    async get(): Promise<Federation | null> {
      const { rows } = await db.query<Federation>(`SELECT name, realm FROM ${federation} WHERE id = 1`);
      const row = rows[0];
      return row ? { name: row.name, realm: row.realm } : null;
    },
    async set(f) {
      await db.query(
        `INSERT INTO ${federation} (id, name, realm) VALUES (1, $1, $2)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, realm = excluded.realm`,
        [f.name, f.realm],
      );
    },
  };
}
