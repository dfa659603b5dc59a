import { AppError, E } from '../../errors.js';
import type { ApiTokenStore } from '../../ports/stores.js';
import type { ApiTokenRow as Row } from '../rows.js';
import { storable, toApiToken, type PgColumns } from './columns.js';
import { foreignKeyViolation } from './constraints.js';
import type { PgDatabase } from './database.js';
import type { PgDeps } from './deps.js';
import { newApiToken } from '../entity-rules.js';

type TokenRow = Row<PgColumns>;

const COLUMNS = 'id, tenant_id, name, role, token_hash, created_at, revoked_at';
const ORDER = 'ORDER BY created_at, name, id';

/**
 * findByHash also returns revoked tokens, so the caller can tell "revoked"
 * from "unknown"; it must check revokedAt. list(tenantId) gives the tokens of
 * exactly that scope (null: the federation-wide ones), oldest first.
 * Revoking twice keeps the first revocation time.
 */
export function createPgApiTokenStore(db: PgDatabase, deps: PgDeps): ApiTokenStore {
  const tokens = db.table('api_tokens');
  return {
    async create(t) {
      const token = newApiToken(deps.newId(), t, deps.clock.now());
      try {
        await db.query(`INSERT INTO ${tokens} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
          token.id,
          token.tenantId,
          token.name,
          token.role,
          token.tokenHash,
          token.createdAt,
          token.revokedAt,
        ]);
      } catch (e) {
        if (foreignKeyViolation(e) === 'api_tokens_tenant_fkey' && t.tenantId !== null) {
          throw new AppError(E.TENANT_NOT_FOUND, { tenant: t.tenantId });
        }
        throw e;
      }
      return token;
    },
    async findByHash(tokenHash) {
      if (!storable(tokenHash)) return null;
      const { rows } = await db.query<TokenRow>(`SELECT ${COLUMNS} FROM ${tokens} WHERE token_hash = $1`, [tokenHash]);
      return rows[0] ? toApiToken(rows[0]) : null;
    },
    async list(tenantId) {
      if (tenantId !== null && !storable(tenantId)) return [];
      // Two statements rather than IS NOT DISTINCT FROM, which no index serves.
      const { rows } =
        tenantId === null
          ? await db.query<TokenRow>(`SELECT ${COLUMNS} FROM ${tokens} WHERE tenant_id IS NULL ${ORDER}`)
          : await db.query<TokenRow>(`SELECT ${COLUMNS} FROM ${tokens} WHERE tenant_id = $1 ${ORDER}`, [tenantId]);
      return rows.map(toApiToken);
    },
    async revoke(id, at) {
      const { rowCount } = storable(id)
        ? await db.query(`UPDATE ${tokens} SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1`, [id, at])
        : { rowCount: 0 };
      if (!rowCount) throw new AppError(E.TOKEN_NOT_FOUND, { token: id });
    },
  };
}
