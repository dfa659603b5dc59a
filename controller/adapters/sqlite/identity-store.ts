import type { ErasureReason, Identity } from '../../domain/entities.js';
import { AppError, E } from '../../errors.js';
import type { IdentityPatch, IdentityStore } from '../../ports/stores.js';
import { erasedUsername, type IdentityRow as Row } from '../rows.js';
import { bit, limitOf, ms, msOrNull, toIdentity, type SqliteColumns } from './columns.js';
import { uniqueViolation } from './constraints.js';
import type { SqliteDatabase } from './database.js';
import type { SqliteDeps } from './deps.js';
import { applyIdentityPatch, newIdentity } from '../entity-rules.js';

type IdentityRow = Row<SqliteColumns>;

const COLUMNS =
  'id, username, email, password_hash, verified, verified_at, locale, disabled, password_changed_at, created_at, updated_at, last_seen_at, inactivity_notice_at';

function toRow(i: Identity): IdentityRow {
  return {
    id: i.id,
    username: i.username,
    email: i.email,
    password_hash: i.passwordHash,
    verified: bit(i.verified),
    verified_at: msOrNull(i.verifiedAt),
    locale: i.locale,
    disabled: bit(i.disabled),
    password_changed_at: ms(i.passwordChangedAt),
    created_at: ms(i.createdAt),
    updated_at: ms(i.updatedAt),
    last_seen_at: msOrNull(i.lastSeenAt),
    inactivity_notice_at: msOrNull(i.inactivityNoticeAt),
  };
}

function uniqueError(e: unknown, username: string): unknown {
  const column = uniqueViolation(e);
  if (column === 'identities.username') return new AppError(E.USERNAME_TAKEN, { username });
  // No address in the error: it would reach logs and tell who is registered.
  if (column === 'identities.email') return new AppError(E.EMAIL_TAKEN);
  return e;
}

/**
 * Usernames and e-mail addresses compare case-insensitively (COLLATE NOCASE,
 * ASCII folding; the domain schemas already store them lower-case).
 * list() is ordered by username. erase() is one IMMEDIATE transaction: the
 * archive row, the devices, the pseudonymised sessions and accounting
 * records and the identity row go together or not at all.
 */
export function createSqliteIdentityStore(db: SqliteDatabase, deps: SqliteDeps): IdentityStore {
  const insert = db.prepare<[IdentityRow]>(
    `INSERT INTO identities (${COLUMNS}) VALUES (@id, @username, @email, @password_hash, @verified, @verified_at,
       @locale, @disabled, @password_changed_at, @created_at, @updated_at, @last_seen_at, @inactivity_notice_at)`,
  );
  const byId = db.prepare<[string], IdentityRow>(`SELECT ${COLUMNS} FROM identities WHERE id = ?`);
  const byUsername = db.prepare<[string], IdentityRow>(`SELECT ${COLUMNS} FROM identities WHERE username = ?`);
  const byEmail = db.prepare<[string], IdentityRow>(`SELECT ${COLUMNS} FROM identities WHERE email = ?`);
  const page = db.prepare<[number, number], IdentityRow>(`SELECT ${COLUMNS} FROM identities ORDER BY username LIMIT ? OFFSET ?`);
  const replace = db.prepare<[IdentityRow]>(
    `UPDATE identities SET email = @email, password_hash = @password_hash, verified = @verified, verified_at = @verified_at,
       locale = @locale, disabled = @disabled, password_changed_at = @password_changed_at, updated_at = @updated_at
     WHERE id = @id`,
  );
  // A login is also the citizen's answer to an inactivity notice.
  const touch = db.prepare<[number, string]>('UPDATE identities SET last_seen_at = ?, inactivity_notice_at = NULL WHERE id = ?');
  // Both listings spell the partial indexes' expressions and conditions literally, so SQLite uses them.
  const inactive = db.prepare<[number, number], IdentityRow>(
    `SELECT ${COLUMNS} FROM identities
     WHERE inactivity_notice_at IS NULL AND coalesce(last_seen_at, created_at) < ?
     ORDER BY coalesce(last_seen_at, created_at), id LIMIT ?`,
  );
  const notice = db.prepare<[number, string]>('UPDATE identities SET inactivity_notice_at = ? WHERE id = ?');
  const noticeExpired = db.prepare<[number, number], IdentityRow>(
    `SELECT ${COLUMNS} FROM identities
     WHERE inactivity_notice_at IS NOT NULL AND inactivity_notice_at < ?
     ORDER BY inactivity_notice_at, id LIMIT ?`,
  );
  const archive = db.prepare<[{ id: string; username: string; email: string | null; created_at: number; erased_at: number; reason: ErasureReason }]>(
    `INSERT INTO identity_archive (identity_id, username, email, created_at, erased_at, reason)
     VALUES (@id, @username, @email, @created_at, @erased_at, @reason)`,
  );
  const dropDevices = db.prepare<[string]>('DELETE FROM devices WHERE identity_id = ?');
  const pseudonymiseSessions = db.prepare<[string, string]>('UPDATE sessions SET username = ? WHERE identity_id = ?');
  const pseudonymiseRecords = db.prepare<[string, string]>('UPDATE accounting_records SET username = ? WHERE identity_id = ?');
  const drop = db.prepare<[string]>('DELETE FROM identities WHERE id = ?');

  const update = db.transaction((id: string, patch: IdentityPatch): Identity => {
    const row = byId.get(id);
    if (!row) throw new AppError(E.IDENTITY_NOT_FOUND, { user: id });
    const cur = toIdentity(row);
    const next = applyIdentityPatch(cur, patch, deps.clock.now());
    if (!next) return cur;
    try {
      replace.run(toRow(next));
    } catch (e) {
      throw uniqueError(e, cur.username);
    }
    return next;
  });

  const erase = db.transaction((id: string, at: Date, reason: ErasureReason): void => {
    const row = byId.get(id);
    if (!row) throw new AppError(E.IDENTITY_NOT_FOUND, { user: id });
    archive.run({ id, username: row.username, email: row.email, created_at: row.created_at, erased_at: ms(at), reason });
    dropDevices.run(id);
    const pseudonym = erasedUsername(id);
    pseudonymiseSessions.run(pseudonym, id);
    pseudonymiseRecords.run(pseudonym, id);
    drop.run(id);
  });

  return {
    async create(i) {
      const now = deps.clock.now();
      const identity = newIdentity(deps.newId(), i, now);
      try {
        insert.run(toRow(identity));
      } catch (e) {
        throw uniqueError(e, i.username);
      }
      return identity;
    },
    async get(id) {
      const row = byId.get(id);
      return row ? toIdentity(row) : null;
    },
    async getByUsername(username) {
      const row = byUsername.get(username);
      return row ? toIdentity(row) : null;
    },
    async getByEmail(email) {
      const row = byEmail.get(email);
      return row ? toIdentity(row) : null;
    },
    async list(opts = {}) {
      return page.all(limitOf(opts.limit), Math.max(0, Math.floor(opts.offset ?? 0))).map(toIdentity);
    },
    async update(id, patch) {
      return update.immediate(id, patch);
    },
    /** Does not move updatedAt (caches key on it); an unknown id is ignored. */
    async touch(id, at) {
      touch.run(ms(at), id);
    },
    async listInactive(before, limit) {
      return inactive.all(ms(before), limitOf(limit)).map(toIdentity);
    },
    /** Does not move updatedAt; an unknown id is ignored. */
    async markInactivityNotice(id, at) {
      notice.run(ms(at), id);
    },
    async listNoticeExpired(before, limit) {
      return noticeExpired.all(ms(before), limitOf(limit)).map(toIdentity);
    },
    async erase(id, at, reason) {
      erase.immediate(id, at, reason);
    },
  };
}
