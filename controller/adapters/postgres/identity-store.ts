import type { Identity } from '../../domain/entities.js';
import { AppError, E } from '../../errors.js';
import type { IdentityStore } from '../../ports/stores.js';
import { erasedUsername, type IdentityRow as Row } from '../rows.js';
import { limitOf, storable, toIdentity, type PgColumns } from './columns.js';
import { uniqueViolation } from './constraints.js';
import type { PgDatabase } from './database.js';
import type { PgDeps } from './deps.js';
import { applyIdentityPatch, newIdentity } from '../entity-rules.js';

type IdentityRow = Row<PgColumns>;

const COLUMNS =
  'id, username, email, password_hash, verified, verified_at, locale, disabled, password_changed_at, created_at, updated_at, last_seen_at, inactivity_notice_at';

function uniqueError(e: unknown, username: string): unknown {
  const constraint = uniqueViolation(e);
  if (constraint === 'identities_username_key') return new AppError(E.USERNAME_TAKEN, { username });
  // No address in the error: it would reach logs and tell who is registered.
  if (constraint === 'identities_email_key') return new AppError(E.EMAIL_TAKEN);
  return e;
}

/**
 * Usernames and e-mail addresses compare case-insensitively: unique by
 * lower(), looked up by lower(), which under COLLATE "C" folds ASCII only,
 * as SQLite's NOCASE (the domain schemas already store them lower-case).
 * list() is ordered by username, case-insensitively. erase() is one
 * transaction that locks the identity row first.
 */
export function createPgIdentityStore(db: PgDatabase, deps: PgDeps): IdentityStore {
  const identities = db.table('identities');
  const archive = db.table('identity_archive');
  const devices = db.table('devices');
  const sessions = db.table('sessions');
  const records = db.table('accounting_records');

  const one = async (where: string, value: string): Promise<Identity | null> => {
    if (!storable(value)) return null;
    const { rows } = await db.query<IdentityRow>(`SELECT ${COLUMNS} FROM ${identities} WHERE ${where}`, [value]);
    return rows[0] ? toIdentity(rows[0]) : null;
  };

  return {
    async create(i) {
      const now = deps.clock.now();
      const identity = newIdentity(deps.newId(), i, now);
      try {
        await db.query(`INSERT INTO ${identities} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, [
          identity.id,
          identity.username,
          identity.email,
          identity.passwordHash,
          identity.verified,
          identity.verifiedAt,
          identity.locale,
          identity.disabled,
          identity.passwordChangedAt,
          identity.createdAt,
          identity.updatedAt,
          identity.lastSeenAt,
          identity.inactivityNoticeAt,
        ]);
      } catch (e) {
        throw uniqueError(e, i.username);
      }
      return identity;
    },
    get: (id) => one('id = $1', id),
    getByUsername: (username) => one('lower(username) = lower($1)', username),
    getByEmail: (email) => one('lower(email) = lower($1)', email),
    async list(opts = {}) {
      const { rows } = await db.query<IdentityRow>(`SELECT ${COLUMNS} FROM ${identities} ORDER BY lower(username) LIMIT $1 OFFSET $2`, [
        limitOf(opts.limit),
        Math.max(0, Math.floor(opts.offset ?? 0)),
      ]);
      return rows.map(toIdentity);
    },
    async update(id, patch) {
      if (!storable(id)) throw new AppError(E.IDENTITY_NOT_FOUND, { user: id });
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<IdentityRow>(`SELECT ${COLUMNS} FROM ${identities} WHERE id = $1 FOR UPDATE`, [id]);
        if (!rows[0]) throw new AppError(E.IDENTITY_NOT_FOUND, { user: id });
        const cur = toIdentity(rows[0]);
        const next = applyIdentityPatch(cur, patch, deps.clock.now());
        if (!next) return cur;
        try {
          await tx.query(
            `UPDATE ${identities} SET email = $2, password_hash = $3, verified = $4, verified_at = $5, locale = $6, disabled = $7,
               password_changed_at = $8, updated_at = $9
             WHERE id = $1`,
            [next.id, next.email, next.passwordHash, next.verified, next.verifiedAt, next.locale, next.disabled, next.passwordChangedAt, next.updatedAt],
          );
        } catch (e) {
          throw uniqueError(e, cur.username);
        }
        return next;
      });
    },
    /** Does not move updatedAt (caches key on it); an unknown id is ignored. */
    async touch(id, at) {
      if (!storable(id)) return;
      // A login is also the citizen's answer to an inactivity notice.
      await db.query(`UPDATE ${identities} SET last_seen_at = $2, inactivity_notice_at = NULL WHERE id = $1`, [id, at]);
    },
    // Both listings spell the partial indexes' expressions and conditions literally, so the planner can use them.
    async listInactive(before, limit) {
      const { rows } = await db.query<IdentityRow>(
        `SELECT ${COLUMNS} FROM ${identities}
         WHERE inactivity_notice_at IS NULL AND coalesce(last_seen_at, created_at) < $1
         ORDER BY coalesce(last_seen_at, created_at), id LIMIT $2`,
        [before, limitOf(limit)],
      );
      return rows.map(toIdentity);
    },
    /** Does not move updatedAt; an unknown id is ignored. */
    async markInactivityNotice(id, at) {
      if (!storable(id)) return;
      await db.query(`UPDATE ${identities} SET inactivity_notice_at = $2 WHERE id = $1`, [id, at]);
    },
    async listNoticeExpired(before, limit) {
      const { rows } = await db.query<IdentityRow>(
        `SELECT ${COLUMNS} FROM ${identities}
         WHERE inactivity_notice_at IS NOT NULL AND inactivity_notice_at < $1
         ORDER BY inactivity_notice_at, id LIMIT $2`,
        [before, limitOf(limit)],
      );
      return rows.map(toIdentity);
    },
    async erase(id, at, reason) {
      if (!storable(id)) throw new AppError(E.IDENTITY_NOT_FOUND, { user: id });
      await db.transaction(async (tx) => {
        // The row lock orders this erasure after a concurrent update or touch of the same identity.
        const { rows } = await tx.query<IdentityRow>(`SELECT ${COLUMNS} FROM ${identities} WHERE id = $1 FOR UPDATE`, [id]);
        const row = rows[0];
        if (!row) throw new AppError(E.IDENTITY_NOT_FOUND, { user: id });
        await tx.query(
          `INSERT INTO ${archive} (identity_id, username, email, created_at, erased_at, reason) VALUES ($1, $2, $3, $4, $5, $6)`,
          [id, row.username, row.email, row.created_at, at, reason],
        );
        await tx.query(`DELETE FROM ${devices} WHERE identity_id = $1`, [id]);
        const pseudonym = erasedUsername(id);
        await tx.query(`UPDATE ${sessions} SET username = $2 WHERE identity_id = $1`, [id, pseudonym]);
        await tx.query(`UPDATE ${records} SET username = $2 WHERE identity_id = $1`, [id, pseudonym]);
        await tx.query(`DELETE FROM ${identities} WHERE id = $1`, [id]);
      });
    },
  };
}
