import { AppError, E } from '../../errors.js';
import type { ApiTokenStore } from '../../ports/stores.js';
import type { ApiTokenRow as Row } from '../rows.js';
import { ms, msOrNull, toApiToken, type SqliteColumns } from './columns.js';
import { foreignKeyViolation } from './constraints.js';
import type { SqliteDatabase } from './database.js';
import type { SqliteDeps } from './deps.js';
import { newApiToken } from '../entity-rules.js';

type TokenRow = Row<SqliteColumns>;

const COLUMNS = 'id, tenant_id, name, role, token_hash, created_at, revoked_at';

/**
 * findByHash also returns revoked tokens, so the caller can tell "revoked"
 * from "unknown"; it must check revokedAt. list(tenantId) gives the tokens of
 * exactly that scope (null: the federation-wide ones), oldest first.
 * Revoking twice keeps the first revocation time.
 */
export function createSqliteApiTokenStore(db: SqliteDatabase, deps: SqliteDeps): ApiTokenStore {
  const insert = db.prepare<[TokenRow]>(
    `INSERT INTO api_tokens (${COLUMNS}) VALUES (@id, @tenant_id, @name, @role, @token_hash, @created_at, @revoked_at)`,
  );
  const byHash = db.prepare<[string], TokenRow>(`SELECT ${COLUMNS} FROM api_tokens WHERE token_hash = ?`);
  // IS matches NULL as well as a value: one statement for both scopes.
  const byTenant = db.prepare<[string | null], TokenRow>(
    `SELECT ${COLUMNS} FROM api_tokens WHERE tenant_id IS ? ORDER BY created_at, name, id`,
  );
  const revoke = db.prepare<[number, string]>('UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?');

  return {
    async create(t) {
      const token = newApiToken(deps.newId(), t, deps.clock.now());
      try {
        insert.run({
          id: token.id,
          tenant_id: token.tenantId,
          name: token.name,
          role: token.role,
          token_hash: token.tokenHash,
          created_at: ms(token.createdAt),
          revoked_at: msOrNull(token.revokedAt),
        });
      } catch (e) {
        if (foreignKeyViolation(e) && t.tenantId !== null) throw new AppError(E.TENANT_NOT_FOUND, { tenant: t.tenantId });
        throw e;
      }
      return token;
    },
    async findByHash(tokenHash) {
      const row = byHash.get(tokenHash);
      return row ? toApiToken(row) : null;
    },
    async list(tenantId) {
      return byTenant.all(tenantId).map(toApiToken);
    },
    async revoke(id, at) {
      if (revoke.run(ms(at), id).changes === 0) throw new AppError(E.TOKEN_NOT_FOUND, { token: id });
    },
  };
}
