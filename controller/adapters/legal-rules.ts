/**
 * The legal connection log's rules, whatever the database: row shapes and
 * mappers of its tables, which NAT mappings an accounting record gives, what
 * a search shows of each session. The SQLite and PostgreSQL adapters share
 * them so that both answer an authority's request identically (CPCE L34-1,
 * décret 2021-1362).
 */
import type { AccountingRecord, ErasureReason, LegalHold, NatMapping, NatMappingReport, NatMappingSource, Session } from '../domain/entities.js';
import type { LegalLogEntry, LegalSearch, NewNatMapping } from '../ports/legal-log.js';
import type { ColumnKinds, Decoders } from './rows.js';

export interface NatMappingRow<C extends ColumnKinds> {
  id: string;
  tenant_id: string;
  session_id: string | null;
  internal_ip: string;
  public_ip: string;
  port_start: number;
  port_end: number;
  started_at: C['date'];
  ended_at: C['date'] | null;
  source: string;
}

export interface LegalHoldRow<C extends ColumnKinds> {
  id: string;
  tenant_id: string | null;
  reference: string;
  reason: string;
  created_by: string;
  created_at: C['date'];
  released_at: C['date'] | null;
  released_by: string | null;
}

export interface IdentityArchiveRow<C extends ColumnKinds> {
  identity_id: string;
  username: string;
  email: string | null;
  erased_at: C['date'];
  reason: string;
}

/** The same columns in both dialects. */
export const NAT_MAPPING_COLUMNS = 'id, tenant_id, session_id, internal_ip, public_ip, port_start, port_end, started_at, ended_at, source';
export const LEGAL_HOLD_COLUMNS = 'id, tenant_id, reference, reason, created_by, created_at, released_at, released_by';
export const IDENTITY_ARCHIVE_COLUMNS = 'identity_id, username, email, erased_at, reason';
/** Newest first; the id breaks ties between holds of the same instant. */
export const LEGAL_HOLD_ORDER = 'ORDER BY created_at DESC, id DESC';

export interface ArchivedIdentity {
  readonly username: string;
  readonly email: string | null;
  readonly erasedAt: Date;
  readonly reason: ErasureReason;
}

export interface LegalRowMappers<C extends ColumnKinds> {
  toNatMapping(r: NatMappingRow<C>): NatMapping;
  /** `sessionIds` come from legal_hold_sessions: sorted, once each. */
  toLegalHold(r: LegalHoldRow<C>, sessionIds: readonly string[]): LegalHold;
  toArchivedIdentity(r: IdentityArchiveRow<C>): ArchivedIdentity;
}

export function legalRowMappers<C extends ColumnKinds>(decoders: Decoders<C>): LegalRowMappers<C> {
  const { date, dateOrNull } = decoders;
  return {
    toNatMapping: (r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      sessionId: r.session_id,
      internalIp: r.internal_ip,
      publicIp: r.public_ip,
      portStart: r.port_start,
      portEnd: r.port_end,
      startedAt: date(r.started_at),
      endedAt: dateOrNull(r.ended_at),
      source: r.source as NatMappingSource,
    }),
    toLegalHold: (r, sessionIds) => ({
      id: r.id,
      tenantId: r.tenant_id,
      reference: r.reference,
      reason: r.reason,
      createdBy: r.created_by,
      createdAt: date(r.created_at),
      releasedAt: dateOrNull(r.released_at),
      releasedBy: r.released_by,
      sessionIds: normaliseSessionIds(sessionIds),
    }),
    toArchivedIdentity: (r) => ({
      username: r.username,
      email: r.email,
      erasedAt: date(r.erased_at),
      reason: r.reason as ErasureReason,
    }),
  };
}

/** A hold names each session once; listed sorted so create and list agree. */
export function normaliseSessionIds(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort();
}

/** The highest port number (RFC 8045 §3.1 IP-Port-Range: 16-bit ports). */
export const MAX_PORT = 65535;

/**
 * A port block the table can hold. A NAS's malformed report is left out of
 * the log rather than allowed to fail (and so block) its accounting batch:
 * the NAS would retransmit it for ever (RFC 2866 §4.1).
 */
export function validNatReport(r: NatMappingReport): boolean {
  return (
    typeof r.publicIp === 'string' &&
    r.publicIp !== '' &&
    Number.isInteger(r.portStart) &&
    Number.isInteger(r.portEnd) &&
    r.portStart >= 0 &&
    r.portStart <= r.portEnd &&
    r.portEnd <= MAX_PORT
  );
}

/**
 * The NAT mappings an accounting record reports for its session (after the
 * record was applied): the private address is the report's, else the
 * session's Framed-IP-Address (none known: the report cannot be tied to an
 * address and is skipped); the block starts with the Start record's event,
 * else with the session. Interim-Updates repeat their session's blocks: the
 * same (public IP, first port, start) is stored once.
 */
export function natMappingsOfRecord(rec: AccountingRecord, session: Session): NewNatMapping[] {
  const out: NewNatMapping[] = [];
  for (const report of rec.natMappings) {
    if (!validNatReport(report)) continue;
    const internalIp = report.internalIp ?? session.framedIp;
    if (internalIp === null || internalIp === '') continue;
    out.push({
      internalIp,
      publicIp: report.publicIp,
      portStart: report.portStart,
      portEnd: report.portEnd,
      startedAt: rec.statusType === 'start' ? rec.eventAt : session.startedAt,
      endedAt: null,
      source: 'accounting',
    });
  }
  return out;
}

/** A mapping's time, [startedAt, endedAt or for ever], overlaps [from, to]. */
export function mappingOverlaps(m: Pick<NatMapping, 'startedAt' | 'endedAt'>, from: Date, to: Date): boolean {
  return m.startedAt.getTime() <= to.getTime() && (m.endedAt === null || m.endedAt.getTime() >= from.getTime());
}

/**
 * Which of a found session's mappings an export shows. Without an address
 * searched: all of them. With one: those overlapping the window whose public
 * address is it (and whose block holds the port, when one was given), or
 * whose private address is it. The SQL of each adapter finds sessions by the
 * same rule (public address, port within the block, overlapping window).
 */
export function mappingMatches(m: NatMapping, q: LegalSearch): boolean {
  if (q.ip === undefined) return true;
  if (!mappingOverlaps(m, q.from, q.to)) return false;
  if (m.publicIp === q.ip) return q.port === undefined || (m.portStart <= q.port && q.port <= m.portEnd);
  return m.internalIp === q.ip;
}

export interface LiveSubscriber {
  readonly id: string;
  readonly username: string;
  readonly email: string | null;
}

/** What a search read besides the sessions, to build its entries. */
export interface SearchFindings {
  /** The sessions' NAT mappings, all of them (filtered here), in start order. */
  readonly mappings: readonly NatMapping[];
  /** Live accounts among the sessions' identity ids. */
  readonly live: readonly LiveSubscriber[];
  /** Archives of erased accounts among them. */
  readonly archived: ReadonlyMap<string, ArchivedIdentity>;
  /** Session ids an active hold names. */
  readonly held: ReadonlySet<string>;
}

/**
 * The export's rows, in the sessions' order. The subscriber is the live
 * account, else the archive an erasure left for the legal year, else null.
 */
export function legalEntries(sessions: readonly Session[], found: SearchFindings, q: LegalSearch): LegalLogEntry[] {
  const bySession = new Map<string, NatMapping[]>();
  for (const m of found.mappings) {
    if (m.sessionId === null || !mappingMatches(m, q)) continue;
    let list = bySession.get(m.sessionId);
    if (!list) bySession.set(m.sessionId, (list = []));
    list.push(m);
  }
  const live = new Map(found.live.map((i) => [i.id, i]));
  return sessions.map((session) => {
    const id = session.identityId;
    const account = id === null ? undefined : live.get(id);
    const archive = id === null ? undefined : found.archived.get(id);
    return {
      session,
      natMappings: bySession.get(session.id) ?? [],
      subscriber: account
        ? { username: account.username, email: account.email, erasedAt: null }
        : archive
          ? { username: archive.username, email: archive.email, erasedAt: archive.erasedAt }
          : null,
      held: found.held.has(session.id),
    };
  });
}

/** Distinct non-null identity ids of the sessions. */
export function identityIdsOf(sessions: readonly Session[]): string[] {
  return [...new Set(sessions.flatMap((s) => (s.identityId === null ? [] : [s.identityId])))];
}
