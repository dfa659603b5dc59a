import type Database from 'better-sqlite3';
import type { NatMapping } from '../../domain/entities.js';
import { AppError, E } from '../../errors.js';
import type { LegalLogStore, LegalSearch, NewLegalHold, NewNatMapping, PurgeBatchResult } from '../../ports/legal-log.js';
import {
  IDENTITY_ARCHIVE_COLUMNS,
  identityIdsOf,
  LEGAL_HOLD_COLUMNS,
  LEGAL_HOLD_ORDER,
  legalEntries,
  legalRowMappers,
  NAT_MAPPING_COLUMNS,
  normaliseSessionIds,
  type ArchivedIdentity,
  type IdentityArchiveRow as ArchiveRowOf,
  type LegalHoldRow as HoldRowOf,
  type LiveSubscriber,
  type NatMappingRow as NatRowOf,
} from '../legal-rules.js';
import { limitOf, ms, msOrNull, SQLITE_DECODERS, type SqliteColumns } from './columns.js';
import type { SqliteDatabase } from './database.js';
import type { SqliteDeps } from './deps.js';
import { SESSION_COLUMNS, toSession, type SessionRow } from './session-rows.js';

type NatRow = NatRowOf<SqliteColumns>;
type HoldRow = HoldRowOf<SqliteColumns>;
type ArchiveRow = ArchiveRowOf<SqliteColumns>;

const { toNatMapping, toLegalHold, toArchivedIdentity } = legalRowMappers<SqliteColumns>(SQLITE_DECODERS);

/** A set of ids bound as one JSON array: `IN (SELECT value FROM json_each(?))`. */
const ids = (list: readonly string[]): string => JSON.stringify(list);
const IN_IDS = 'IN (SELECT value FROM json_each(?))';

/** An active hold names the session `s`. */
const HELD = `EXISTS (SELECT 1 FROM legal_hold_sessions hs JOIN legal_holds h ON h.id = hs.hold_id
  WHERE hs.session_id = s.id AND h.released_at IS NULL)`;

type ExpiredRow = { id: string; tenant_id: string; nas_ip: string; acct_session_id: string; stopped_at: number };

type SearchParams = { from: number; to: number; tenantId?: string; identityId?: string; ip?: string; port?: number; limit: number };

/**
 * The legal connection log on SQLite. Writes run in IMMEDIATE transactions
 * (the file has one writer at a time); a search reads one snapshot.
 */
export function createSqliteLegalLogStore(db: SqliteDatabase, deps: SqliteDeps): LegalLogStore {
  // --- NAT mappings -------------------------------------------------------
  // The tenant's session that had the private address when the block started; the latest if several.
  const sessionAt = db
    .prepare<[{ tenantId: string; ip: string; at: number }], string>(
      `SELECT id FROM sessions WHERE tenant_id = @tenantId AND framed_ip = @ip AND started_at <= @at
         AND (stopped_at IS NULL OR stopped_at >= @at)
       ORDER BY started_at DESC, seq DESC LIMIT 1`,
    )
    .pluck();
  const insertMapping = db.prepare<[NatRow]>(
    `INSERT INTO nat_mappings (${NAT_MAPPING_COLUMNS})
     VALUES (@id, @tenant_id, @session_id, @internal_ip, @public_ip, @port_start, @port_end, @started_at, @ended_at, @source)
     ON CONFLICT (tenant_id, public_ip, port_start, started_at) DO NOTHING`,
  );
  const mappingsOfSession = db.prepare<[string, string], NatRow>(
    `SELECT ${NAT_MAPPING_COLUMNS} FROM nat_mappings WHERE tenant_id = ? AND session_id = ? ORDER BY started_at, seq`,
  );

  const importMappings = db.transaction((tenantId: string, mappings: readonly NewNatMapping[]) => {
    let imported = 0;
    let matched = 0;
    for (const m of mappings) {
      const sessionId = sessionAt.get({ tenantId, ip: m.internalIp, at: ms(m.startedAt) }) ?? null;
      const { changes } = insertMapping.run({
        id: deps.newId(),
        tenant_id: tenantId,
        session_id: sessionId,
        internal_ip: m.internalIp,
        public_ip: m.publicIp,
        port_start: m.portStart,
        port_end: m.portEnd,
        started_at: ms(m.startedAt),
        ended_at: msOrNull(m.endedAt),
        source: m.source,
      });
      if (changes === 0) continue;
      imported++;
      if (sessionId !== null) matched++;
    }
    return { imported, matched, duplicates: mappings.length - imported };
  });

  // --- Search ---------------------------------------------------------------
  const searches = new Map<string, Database.Statement<[SearchParams], SessionRow>>();
  const searchStatement = (q: LegalSearch) => {
    // An address search is driven by the address's few sessions (looked up by
    // id): `+` keeps the planner off the tenant's and identity's whole history.
    const c = q.ip !== undefined ? '+s.' : 's.';
    const where = [`${c}started_at <= @to`, 'coalesce(s.stopped_at, s.updated_at) >= @from'];
    if (q.tenantId !== null) where.push(`${c}tenant_id = @tenantId`);
    if (q.identityId !== undefined) where.push(`${c}identity_id = @identityId`);
    if (q.ip !== undefined) {
      // Each branch on its own index: sessions by Framed-IP-Address, mappings by public address.
      where.push(`s.id IN (
        SELECT id FROM sessions WHERE framed_ip = @ip AND started_at <= @to
        UNION ALL
        SELECT session_id FROM nat_mappings WHERE public_ip = @ip AND session_id IS NOT NULL
          AND started_at <= @to AND (ended_at IS NULL OR ended_at >= @from)
          ${q.port !== undefined ? 'AND port_start <= @port AND port_end >= @port' : ''})`);
    }
    const key = where.join(' AND ');
    let stmt = searches.get(key);
    if (!stmt) {
      stmt = db.prepare<[SearchParams], SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM sessions s WHERE ${key} ORDER BY s.started_at, s.seq LIMIT @limit`,
      );
      searches.set(key, stmt);
    }
    return stmt;
  };
  const mappingsOf = db.prepare<[string], NatRow>(
    `SELECT ${NAT_MAPPING_COLUMNS} FROM nat_mappings WHERE session_id ${IN_IDS} ORDER BY started_at, seq`,
  );
  const liveOf = db.prepare<[string], LiveSubscriber>(`SELECT id, username, email FROM identities WHERE id ${IN_IDS}`);
  const archivedOf = db.prepare<[string], ArchiveRow>(`SELECT ${IDENTITY_ARCHIVE_COLUMNS} FROM identity_archive WHERE identity_id ${IN_IDS}`);
  const heldOf = db
    .prepare<[string], string>(
      `SELECT DISTINCT hs.session_id FROM legal_hold_sessions hs JOIN legal_holds h ON h.id = hs.hold_id
       WHERE h.released_at IS NULL AND hs.session_id ${IN_IDS}`,
    )
    .pluck();

  // A deferred transaction: every read of one search sees the same snapshot.
  const search = db.transaction((q: LegalSearch) => {
    const params: SearchParams = { from: ms(q.from), to: ms(q.to), limit: limitOf(q.limit) };
    if (q.tenantId !== null) params.tenantId = q.tenantId;
    if (q.identityId !== undefined) params.identityId = q.identityId;
    if (q.ip !== undefined) params.ip = q.ip;
    if (q.port !== undefined) params.port = q.port;
    const sessions = searchStatement(q).all(params).map(toSession);
    if (sessions.length === 0) return [];
    const sessionIds = ids(sessions.map((s) => s.id));
    const identities = ids(identityIdsOf(sessions));
    const archived = new Map<string, ArchivedIdentity>(archivedOf.all(identities).map((r) => [r.identity_id, toArchivedIdentity(r)]));
    return legalEntries(
      sessions,
      {
        mappings: mappingsOf.all(sessionIds).map(toNatMapping),
        live: liveOf.all(identities),
        archived,
        held: new Set(heldOf.all(sessionIds)),
      },
      q,
    );
  });

  // --- Legal holds ------------------------------------------------------------
  const sessionsOfScope = db
    .prepare<[{ ids: string; tenantId: string | null }], string>(
      'SELECT id FROM sessions WHERE id IN (SELECT value FROM json_each(@ids)) AND (@tenantId IS NULL OR tenant_id = @tenantId)',
    )
    .pluck();
  const insertHold = db.prepare<[HoldRow]>(
    `INSERT INTO legal_holds (${LEGAL_HOLD_COLUMNS})
     VALUES (@id, @tenant_id, @reference, @reason, @created_by, @created_at, @released_at, @released_by)`,
  );
  const insertHoldSession = db.prepare<[string, string]>('INSERT INTO legal_hold_sessions (hold_id, session_id) VALUES (?, ?)');
  const holdById = db.prepare<[{ id: string; tenantId: string | null }], HoldRow>(
    `SELECT ${LEGAL_HOLD_COLUMNS} FROM legal_holds WHERE id = @id AND (@tenantId IS NULL OR tenant_id = @tenantId)`,
  );
  const release = db.prepare<[{ id: string; at: number; by: string }]>(
    'UPDATE legal_holds SET released_at = @at, released_by = @by WHERE id = @id AND released_at IS NULL',
  );
  const holdSessions = db.prepare<[string], { hold_id: string; session_id: string }>(
    `SELECT hold_id, session_id FROM legal_hold_sessions WHERE hold_id ${IN_IDS}`,
  );
  const holdLists = new Map<string, Database.Statement<[{ tenantId?: string }], HoldRow>>();
  const holdList = (byTenant: boolean, activeOnly: boolean) => {
    const key = `${byTenant}:${activeOnly}`;
    let stmt = holdLists.get(key);
    if (!stmt) {
      const where: string[] = [];
      if (byTenant) where.push('tenant_id = @tenantId');
      if (activeOnly) where.push('released_at IS NULL');
      stmt = db.prepare<[{ tenantId?: string }], HoldRow>(
        `SELECT ${LEGAL_HOLD_COLUMNS} FROM legal_holds ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${LEGAL_HOLD_ORDER}`,
      );
      holdLists.set(key, stmt);
    }
    return stmt;
  };
  const withSessions = (rows: readonly HoldRow[]) => {
    const byHold = new Map<string, string[]>();
    for (const r of holdSessions.all(ids(rows.map((h) => h.id)))) {
      let list = byHold.get(r.hold_id);
      if (!list) byHold.set(r.hold_id, (list = []));
      list.push(r.session_id);
    }
    return rows.map((r) => toLegalHold(r, byHold.get(r.id) ?? []));
  };
  const heldCount = db
    .prepare<[], number>(
      `SELECT COUNT(DISTINCT hs.session_id) FROM legal_hold_sessions hs JOIN legal_holds h ON h.id = hs.hold_id WHERE h.released_at IS NULL`,
    )
    .pluck();

  const createHold = db.transaction((h: NewLegalHold) => {
    const wanted = normaliseSessionIds(h.sessionIds);
    const found = new Set(sessionsOfScope.all({ ids: ids(wanted), tenantId: h.tenantId }));
    const missing = wanted.find((id) => !found.has(id));
    if (missing !== undefined) throw new AppError(E.SESSION_NOT_FOUND, { session: missing });
    const row: HoldRow = {
      id: deps.newId(),
      tenant_id: h.tenantId,
      reference: h.reference,
      reason: h.reason,
      created_by: h.createdBy,
      created_at: ms(deps.clock.now()),
      released_at: null,
      released_by: null,
    };
    insertHold.run(row);
    for (const sessionId of wanted) insertHoldSession.run(row.id, sessionId);
    return toLegalHold(row, wanted);
  });

  const releaseHold = db.transaction((tenantId: string | null, id: string, by: string, at: Date) => {
    if (!holdById.get({ id, tenantId })) throw new AppError(E.LEGAL_HOLD_NOT_FOUND, { hold: id });
    // Releasing a released hold changes nothing: the first release is the one on record.
    release.run({ id, at: ms(at), by });
    return withSessions([holdById.get({ id, tenantId })!])[0]!;
  });

  // --- Purge --------------------------------------------------------------------
  const expiredSessions = db.prepare<[{ cutoff: number; limit: number }], ExpiredRow>(
    `SELECT s.id, s.tenant_id, s.nas_ip, s.acct_session_id, s.stopped_at FROM sessions s INDEXED BY sessions_stopped_by_stop
     WHERE s.status = 'stopped' AND s.stopped_at < @cutoff AND NOT ${HELD}
     ORDER BY s.stopped_at LIMIT @limit`,
  );
  // Which raw records go with a purged session. A record carries its
  // session's key, not its id, and a key may have had several sessions (a NAS
  // that reused its Acct-Session-Id after a reboot, RFC 2866 §5.5): a record
  // older than the cutoff goes unless a session of its key still in the log
  // (held, unexpired or active) may own it. A session owns the records dated
  // from its start to its updated_at (the latest record it applied). Records
  // dated after the purged session's stop and before a later session's start
  // may be either's (a late record of the old connection, an early one of the
  // new): the later session keeps them, and they go with it. Records no
  // remaining session may own (the purged session's own, stragglers between
  // sessions) go now, so a key reused for ever still sheds its old records.
  // Run once the session is deleted, so that it no longer keeps its own.
  const deleteRecordsOf = db.prepare<[Omit<ExpiredRow, 'id'> & { cutoff: number }]>(
    `DELETE FROM accounting_records AS a
     WHERE a.tenant_id = @tenant_id AND a.nas_ip = @nas_ip AND a.acct_session_id = @acct_session_id AND a.event_at < @cutoff
       AND NOT EXISTS (SELECT 1 FROM sessions s INDEXED BY sessions_by_key
         WHERE s.tenant_id = a.tenant_id AND s.nas_ip = a.nas_ip AND s.acct_session_id = a.acct_session_id
           AND a.event_at <= s.updated_at AND (a.event_at >= s.started_at OR a.event_at > @stopped_at))`,
  );
  const deleteMappingsOf = db.prepare<[string]>('DELETE FROM nat_mappings WHERE session_id = ?');
  const deleteSession = db.prepare<[string]>('DELETE FROM sessions WHERE id = ?');
  // A block matched to no session is kept a year from its end (its start, when its end is unknown).
  const deleteUnmatched = db.prepare<[{ cutoff: number; limit: number }]>(
    `DELETE FROM nat_mappings WHERE seq IN (
       SELECT seq FROM nat_mappings WHERE session_id IS NULL AND started_at < @cutoff AND coalesce(ended_at, started_at) < @cutoff
       LIMIT @limit)`,
  );
  // Records no session stands for: Accounting-On/Off (RFC 2866 §5.1), and any
  // a purged session left behind. A held or unexpired session's records stay.
  const deleteSessionless = db.prepare<[{ cutoff: number; limit: number }]>(
    `DELETE FROM accounting_records WHERE seq IN (
       SELECT a.seq FROM accounting_records a WHERE a.event_at < @cutoff AND NOT EXISTS (
         SELECT 1 FROM sessions s WHERE s.tenant_id = a.tenant_id AND s.nas_ip = a.nas_ip AND s.acct_session_id = a.acct_session_id)
       LIMIT @limit)`,
  );
  // The archive goes once no session in the log refers to it any more: a
  // held session, or one still within its year, still needs its subscriber.
  const deleteArchives = db.prepare<[{ cutoff: number; limit: number }]>(
    `DELETE FROM identity_archive WHERE identity_id IN (
       SELECT a.identity_id FROM identity_archive a WHERE a.erased_at < @cutoff
         AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.identity_id = a.identity_id)
       LIMIT @limit)`,
  );

  const purge = db.transaction((cutoff: number, limit: number): PurgeBatchResult => {
    let accountingRecords = 0;
    let natMappings = 0;
    const expired = expiredSessions.all({ cutoff, limit });
    for (const { id, ...key } of expired) {
      deleteSession.run(id);
      accountingRecords += deleteRecordsOf.run({ ...key, cutoff }).changes;
      natMappings += deleteMappingsOf.run(id).changes;
    }
    natMappings += deleteUnmatched.run({ cutoff, limit }).changes;
    accountingRecords += deleteSessionless.run({ cutoff, limit }).changes;
    const identityArchives = deleteArchives.run({ cutoff, limit }).changes;
    return { sessions: expired.length, accountingRecords, natMappings, identityArchives };
  });

  const archivedIdentity = db.prepare<[string], ArchiveRow>(`SELECT ${IDENTITY_ARCHIVE_COLUMNS} FROM identity_archive WHERE identity_id = ?`);

  return {
    async importNatMappings(tenantId, mappings) {
      if (mappings.length === 0) return { imported: 0, matched: 0, duplicates: 0 };
      return importMappings.immediate(tenantId, mappings);
    },
    async natMappingsOf(tenantId, sessionId): Promise<NatMapping[]> {
      return mappingsOfSession.all(tenantId, sessionId).map(toNatMapping);
    },
    async search(q) {
      return search(q);
    },
    async createHold(h) {
      return createHold.immediate(h);
    },
    async releaseHold(tenantId, id, by, at) {
      return releaseHold.immediate(tenantId, id, by, at);
    },
    async listHolds(tenantId, opts) {
      const params = tenantId === null ? {} : { tenantId };
      return withSessions(holdList(tenantId !== null, !opts?.includeReleased).all(params));
    },
    async heldSessionCount() {
      return heldCount.get() ?? 0;
    },
    async purgeBatch(cutoff, limit) {
      return purge.immediate(ms(cutoff), Math.max(0, Math.floor(limit)));
    },
    async archivedIdentity(identityId) {
      const row = archivedIdentity.get(identityId);
      return row ? toArchivedIdentity(row) : null;
    },
  };
}
