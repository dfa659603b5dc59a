import { AppError, E } from '../../errors.js';
import type { LegalLogStore, NewNatMapping, PurgeBatchResult } from '../../ports/legal-log.js';
import {
  IDENTITY_ARCHIVE_COLUMNS,
  identityIdsOf,
  LEGAL_HOLD_COLUMNS,
  LEGAL_HOLD_ORDER,
  legalEntries,
  legalRowMappers,
  NAT_MAPPING_COLUMNS,
  normaliseSessionIds,
  type IdentityArchiveRow as ArchiveRowOf,
  type LegalHoldRow as HoldRowOf,
  type LiveSubscriber,
  type NatMappingRow as NatRowOf,
} from '../legal-rules.js';
import { num, PG_DECODERS, storable, text, type PgColumns } from './columns.js';
import type { PgDatabase, Sql } from './database.js';
import type { PgDeps } from './deps.js';
import { SESSION_COLUMNS, toSession, type SessionRow } from './session-rows.js';
import { unnest, type Column } from './unnest.js';

type NatRow = NatRowOf<PgColumns>;
type HoldRow = HoldRowOf<PgColumns>;
type ArchiveRow = ArchiveRowOf<PgColumns>;

const { toNatMapping, toLegalHold, toArchivedIdentity } = legalRowMappers<PgColumns>(PG_DECODERS);

/** Lines per INSERT of an import: a NAT log may hold millions; each statement stays bounded. */
const IMPORT_CHUNK = 5000;

const IMPORT_COLUMNS: readonly Column<NewNatMapping & { id: string }>[] = [
  { name: 'id', type: 'text', get: (m) => m.id },
  { name: 'internal_ip', type: 'text', get: (m) => m.internalIp },
  { name: 'public_ip', type: 'text', get: (m) => m.publicIp },
  { name: 'port_start', type: 'bigint', get: (m) => m.portStart },
  { name: 'port_end', type: 'bigint', get: (m) => m.portEnd },
  { name: 'started_at', type: 'timestamptz', get: (m) => m.startedAt },
  { name: 'ended_at', type: 'timestamptz', get: (m) => m.endedAt },
  { name: 'source', type: 'text', get: (m) => m.source },
];

interface Expired {
  id: string;
  tenant_id: string;
  nas_ip: string;
  acct_session_id: string;
  stopped_at: Date;
}

/**
 * The legal connection log on PostgreSQL, which several controller nodes
 * share. Two nodes may purge at once: each locks the sessions it takes with
 * FOR UPDATE SKIP LOCKED, so they share the work instead of waiting on (or
 * deadlocking over) each other's rows. A legal hold locks the sessions it
 * names (FOR KEY SHARE): a purge skips them, and a hold on a session a purge
 * is deleting waits, then finds it gone. A search reads one snapshot
 * (REPEATABLE READ, READ ONLY).
 */
export function createPgLegalLogStore(db: PgDatabase, deps: PgDeps): LegalLogStore {
  const sessions = db.table('sessions');
  const records = db.table('accounting_records');
  const natMappings = db.table('nat_mappings');
  const holds = db.table('legal_holds');
  const holdSessions = db.table('legal_hold_sessions');
  const identities = db.table('identities');
  const archive = db.table('identity_archive');

  /** An active hold names the session `s`. */
  const held = `EXISTS (SELECT 1 FROM ${holdSessions} hs JOIN ${holds} h ON h.id = hs.hold_id
    WHERE hs.session_id = s.id AND h.released_at IS NULL)`;

  const withSessions = async (sql: Sql, rows: readonly HoldRow[]) => {
    const byHold = new Map<string, string[]>();
    if (rows.length > 0) {
      const { rows: links } = await sql.query<{ hold_id: string; session_id: string }>(
        `SELECT hold_id, session_id FROM ${holdSessions} WHERE hold_id = ANY($1::text[])`,
        [rows.map((h) => h.id)],
      );
      for (const r of links) {
        let list = byHold.get(r.hold_id);
        if (!list) byHold.set(r.hold_id, (list = []));
        list.push(r.session_id);
      }
    }
    return rows.map((r) => toLegalHold(r, byHold.get(r.id) ?? []));
  };

  const importChunk = async (tx: Sql, tenantId: string, chunk: readonly NewNatMapping[]) => {
    const u = unnest(
      IMPORT_COLUMNS,
      chunk.map((m) => ({ ...m, id: deps.newId(), internalIp: text(m.internalIp), publicIp: text(m.publicIp) })),
      2,
    );
    // The session: the tenant's that had the private address when the block started, the latest if several.
    // FOR KEY SHARE, as a hold: a purge passes it by; one deleting it makes the block unmatched, not orphaned.
    const { rows } = await tx.query<{ session_id: string | null }>(
      `INSERT INTO ${natMappings} (${NAT_MAPPING_COLUMNS})
       SELECT v.id, $1, (
           SELECT s.id FROM ${sessions} s
           WHERE s.tenant_id = $1 AND s.framed_ip = v.internal_ip AND s.started_at <= v.started_at
             AND (s.stopped_at IS NULL OR s.stopped_at >= v.started_at)
           ORDER BY s.started_at DESC, s.seq DESC LIMIT 1
           FOR KEY SHARE),
         v.internal_ip, v.public_ip, v.port_start, v.port_end, v.started_at, v.ended_at, v.source
       FROM ${u.from} ORDER BY v.ord
       ON CONFLICT ON CONSTRAINT nat_mappings_block_key DO NOTHING
       RETURNING session_id`,
      [tenantId, ...u.binds],
    );
    return { imported: rows.length, matched: rows.filter((r) => r.session_id !== null).length };
  };

  const purge = async (tx: Sql, cutoff: Date, limit: number): Promise<PurgeBatchResult> => {
    // 1. Take expired sessions no active hold names, skipping those another purger (or a new hold) locked.
    const { rows: taken } = await tx.query<{ id: string }>(
      `SELECT s.id FROM ${sessions} s
       WHERE s.status = 'stopped' AND s.stopped_at < $1 AND NOT ${held}
       ORDER BY s.stopped_at LIMIT $2
       FOR UPDATE OF s SKIP LOCKED`,
      [cutoff, limit],
    );
    // 2. Delete them, checking holds again in this statement's newer snapshot: a
    //    hold committed after step 1 read its snapshot but before its lock is seen here.
    const { rows: expired } = taken.length
      ? await tx.query<Expired>(
          `DELETE FROM ${sessions} s WHERE s.id = ANY($1::text[]) AND NOT ${held}
           RETURNING s.id, s.tenant_id, s.nas_ip, s.acct_session_id, s.stopped_at`,
          [taken.map((r) => r.id)],
        )
      : { rows: [] as Expired[] };
    let accountingRecords = 0;
    let mappings = 0;
    if (expired.length) {
      // Which raw records go with them. A record carries its session's key,
      // not its id, and a key may have had several sessions (a NAS that reused
      // its Acct-Session-Id after a reboot, RFC 2866 §5.5): a record older than
      // the cutoff goes unless a session of its key still in the log (held,
      // unexpired or active) may own it. A session owns the records dated from
      // its start to its updated_at (the latest record it applied). Records
      // dated after a purged session's stop and before a later session's start
      // may be either's (a late record of the old connection, an early one of
      // the new): the later session keeps them, and they go with it. Records no
      // remaining session may own (the purged sessions' own, stragglers between
      // sessions) go now, so a key reused for ever still sheds its old records.
      // Step 2 deleted the purged sessions, so they no longer keep their own.
      const deleted = await tx.query(
        `DELETE FROM ${records} a
         USING unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) AS k(tenant_id, nas_ip, acct_session_id, stopped_at)
         WHERE a.tenant_id = k.tenant_id AND a.nas_ip = k.nas_ip AND a.acct_session_id = k.acct_session_id AND a.event_at < $5
           AND NOT EXISTS (SELECT 1 FROM ${sessions} s
             WHERE s.tenant_id = a.tenant_id AND s.nas_ip = a.nas_ip AND s.acct_session_id = a.acct_session_id
               AND a.event_at <= s.updated_at AND (a.event_at >= s.started_at OR a.event_at > k.stopped_at))`,
        [
          expired.map((s) => s.tenant_id),
          expired.map((s) => s.nas_ip),
          expired.map((s) => s.acct_session_id),
          expired.map((s) => s.stopped_at),
          cutoff,
        ],
      );
      accountingRecords += deleted.rowCount ?? 0;
      const unmapped = await tx.query(`DELETE FROM ${natMappings} WHERE session_id = ANY($1::text[])`, [expired.map((s) => s.id)]);
      mappings += unmapped.rowCount ?? 0;
    }
    // 3. A block matched to no session is kept a year from its end (its start, when its end is unknown).
    const unmatched = await tx.query(
      `DELETE FROM ${natMappings} WHERE seq IN (
         SELECT seq FROM ${natMappings} WHERE session_id IS NULL AND started_at < $1 AND coalesce(ended_at, started_at) < $1
         LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [cutoff, limit],
    );
    mappings += unmatched.rowCount ?? 0;
    // 4. Records no session stands for: Accounting-On/Off (RFC 2866 §5.1), and
    //    any a purged session left behind. A held or unexpired session's records stay.
    const sessionless = await tx.query(
      `DELETE FROM ${records} WHERE seq IN (
         SELECT a.seq FROM ${records} a WHERE a.event_at < $1 AND NOT EXISTS (
           SELECT 1 FROM ${sessions} s WHERE s.tenant_id = a.tenant_id AND s.nas_ip = a.nas_ip AND s.acct_session_id = a.acct_session_id)
         LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [cutoff, limit],
    );
    accountingRecords += sessionless.rowCount ?? 0;
    // 5. The archive goes once no session in the log refers to it any more: a
    //    held session, or one still within its year, still needs its subscriber.
    const archives = await tx.query(
      `DELETE FROM ${archive} WHERE identity_id IN (
         SELECT a.identity_id FROM ${archive} a WHERE a.erased_at < $1
           AND NOT EXISTS (SELECT 1 FROM ${sessions} s WHERE s.identity_id = a.identity_id)
         LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [cutoff, limit],
    );
    return { sessions: expired.length, accountingRecords, natMappings: mappings, identityArchives: archives.rowCount ?? 0 };
  };

  return {
    async importNatMappings(tenantId, mappings) {
      if (mappings.length === 0) return { imported: 0, matched: 0, duplicates: 0 };
      return db.transaction(
        async (tx) => {
          let imported = 0;
          let matched = 0;
          for (let i = 0; i < mappings.length; i += IMPORT_CHUNK) {
            const r = await importChunk(tx, tenantId, mappings.slice(i, i + IMPORT_CHUNK));
            imported += r.imported;
            matched += r.matched;
          }
          return { imported, matched, duplicates: mappings.length - imported };
        },
        // Another node importing the same log at once: the blocks it inserted first wait, or deadlock and start over.
        { attempts: 3 },
      );
    },

    async natMappingsOf(tenantId, sessionId) {
      if (!storable(tenantId) || !storable(sessionId)) return [];
      const { rows } = await db.query<NatRow>(
        `SELECT ${NAT_MAPPING_COLUMNS} FROM ${natMappings} WHERE tenant_id = $1 AND session_id = $2 ORDER BY started_at, seq`,
        [tenantId, sessionId],
      );
      return rows.map(toNatMapping);
    },

    async search(q) {
      if ((q.tenantId !== null && !storable(q.tenantId)) || (q.identityId !== undefined && !storable(q.identityId)) || (q.ip !== undefined && !storable(q.ip))) {
        return [];
      }
      const binds: unknown[] = [q.from, q.to, Math.max(0, Math.floor(q.limit))];
      const bind = (v: unknown): string => `$${binds.push(v)}`;
      const where = ['s.started_at <= $2', 'coalesce(s.stopped_at, s.updated_at) >= $1'];
      if (q.tenantId !== null) where.push(`s.tenant_id = ${bind(q.tenantId)}`);
      if (q.identityId !== undefined) where.push(`s.identity_id = ${bind(q.identityId)}`);
      if (q.ip !== undefined) {
        const ip = bind(q.ip);
        const port = q.port !== undefined ? `AND port_start <= ${bind(q.port)} AND port_end >= $${binds.length}` : '';
        // Each branch on its own index: sessions by Framed-IP-Address, mappings by public address.
        where.push(`s.id IN (
          SELECT id FROM ${sessions} WHERE framed_ip = ${ip} AND started_at <= $2
          UNION ALL
          SELECT session_id FROM ${natMappings} WHERE public_ip = ${ip} AND session_id IS NOT NULL
            AND started_at <= $2 AND (ended_at IS NULL OR ended_at >= $1) ${port})`);
      }
      return db.transaction(async (tx) => {
        await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        const { rows } = await tx.query<SessionRow>(
          `SELECT ${SESSION_COLUMNS} FROM ${sessions} s WHERE ${where.join(' AND ')} ORDER BY s.started_at, s.seq LIMIT $3`,
          binds,
        );
        const found = rows.map(toSession);
        if (found.length === 0) return [];
        const sessionIds = found.map((s) => s.id);
        const identityIds = identityIdsOf(found);
        const [mappings, live, archived, heldIds] = [
          await tx.query<NatRow>(`SELECT ${NAT_MAPPING_COLUMNS} FROM ${natMappings} WHERE session_id = ANY($1::text[]) ORDER BY started_at, seq`, [sessionIds]),
          await tx.query<LiveSubscriber>(`SELECT id, username, email FROM ${identities} WHERE id = ANY($1::text[])`, [identityIds]),
          await tx.query<ArchiveRow>(`SELECT ${IDENTITY_ARCHIVE_COLUMNS} FROM ${archive} WHERE identity_id = ANY($1::text[])`, [identityIds]),
          await tx.query<{ session_id: string }>(
            `SELECT DISTINCT hs.session_id FROM ${holdSessions} hs JOIN ${holds} h ON h.id = hs.hold_id
             WHERE h.released_at IS NULL AND hs.session_id = ANY($1::text[])`,
            [sessionIds],
          ),
        ];
        return legalEntries(
          found,
          {
            mappings: mappings.rows.map(toNatMapping),
            live: live.rows,
            archived: new Map(archived.rows.map((r) => [r.identity_id, toArchivedIdentity(r)])),
            held: new Set(heldIds.rows.map((r) => r.session_id)),
          },
          q,
        );
      });
    },

    async createHold(h) {
      const wanted = normaliseSessionIds(h.sessionIds);
      const unstorable = wanted.find((id) => !storable(id));
      if (unstorable !== undefined) throw new AppError(E.SESSION_NOT_FOUND, { session: unstorable });
      return db.transaction(async (tx) => {
        // FOR KEY SHARE: a purge (FOR UPDATE SKIP LOCKED) now passes these sessions
        // by; one already deleting them makes us wait, then find them gone.
        const { rows } = await tx.query<{ id: string }>(
          `SELECT id FROM ${sessions} WHERE id = ANY($1::text[]) AND ($2::text IS NULL OR tenant_id = $2) ORDER BY id FOR KEY SHARE`,
          [wanted, h.tenantId],
        );
        const found = new Set(rows.map((r) => r.id));
        const missing = wanted.find((id) => !found.has(id));
        if (missing !== undefined) throw new AppError(E.SESSION_NOT_FOUND, { session: missing });
        const { rows: created } = await tx.query<HoldRow>(
          `INSERT INTO ${holds} (${LEGAL_HOLD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL) RETURNING ${LEGAL_HOLD_COLUMNS}`,
          [deps.newId(), h.tenantId, text(h.reference), text(h.reason), text(h.createdBy), deps.clock.now()],
        );
        const row = created[0]!;
        if (wanted.length) {
          await tx.query(`INSERT INTO ${holdSessions} (hold_id, session_id) SELECT $1, unnest($2::text[])`, [row.id, wanted]);
        }
        return toLegalHold(row, wanted);
      });
    },

    async releaseHold(tenantId, id, by, at) {
      if (!storable(id) || (tenantId !== null && !storable(tenantId))) throw new AppError(E.LEGAL_HOLD_NOT_FOUND, { hold: id });
      return db.transaction(async (tx) => {
        const scope = `id = $1 AND ($2::text IS NULL OR tenant_id = $2)`;
        const { rows } = await tx.query<HoldRow>(`SELECT ${LEGAL_HOLD_COLUMNS} FROM ${holds} WHERE ${scope} FOR UPDATE`, [id, tenantId]);
        if (!rows[0]) throw new AppError(E.LEGAL_HOLD_NOT_FOUND, { hold: id });
        // Releasing a released hold changes nothing: the first release is the one on record.
        if (rows[0].released_at !== null) return (await withSessions(tx, rows))[0]!;
        const { rows: released } = await tx.query<HoldRow>(
          `UPDATE ${holds} SET released_at = $3, released_by = $4 WHERE ${scope} RETURNING ${LEGAL_HOLD_COLUMNS}`,
          [id, tenantId, at, text(by)],
        );
        return (await withSessions(tx, released))[0]!;
      });
    },

    async listHolds(tenantId, opts) {
      const where: string[] = [];
      const binds: unknown[] = [];
      if (tenantId !== null) {
        if (!storable(tenantId)) return [];
        binds.push(tenantId);
        where.push('tenant_id = $1');
      }
      if (!opts?.includeReleased) where.push('released_at IS NULL');
      const { rows } = await db.query<HoldRow>(
        `SELECT ${LEGAL_HOLD_COLUMNS} FROM ${holds} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${LEGAL_HOLD_ORDER}`,
        binds,
      );
      return withSessions(db, rows);
    },

    async heldSessionCount() {
      const { rows } = await db.query<{ n: string }>(
        `SELECT count(DISTINCT hs.session_id) AS n FROM ${holdSessions} hs JOIN ${holds} h ON h.id = hs.hold_id WHERE h.released_at IS NULL`,
      );
      return num(rows[0]?.n ?? 0);
    },

    async purgeBatch(cutoff, limit) {
      return db.transaction((tx) => purge(tx, cutoff, Math.max(0, Math.floor(limit))), { attempts: 3 });
    },

    async archivedIdentity(identityId) {
      if (!storable(identityId)) return null;
      const { rows } = await db.query<ArchiveRow>(`SELECT ${IDENTITY_ARCHIVE_COLUMNS} FROM ${archive} WHERE identity_id = $1`, [identityId]);
      return rows[0] ? toArchivedIdentity(rows[0]) : null;
    },
  };
}
