/**
 * The legal connection log as operators use it (CPCE art. L34-1 II bis,
 * décret n° 2021-1362 art. 5): exports for a judicial request, legal holds,
 * gateways' NAT logs imported, and the one-year purge.
 *
 * Every export and hold is audited: who (the token or CLI user), what (the
 * filter and the number of sessions), why (the reason and the authority's
 * reference) and a SHA-256 of the file handed over, so the operator can later
 * prove what was disclosed.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import type { LegalHold, Tenant } from '../domain/entities.js';
import { AppError, E } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Clock } from '../ports/clock.js';
import type { LegalLogEntry, NewNatMapping } from '../ports/legal-log.js';
import type { Stores } from '../ports/stores.js';
import { findByLogin } from './identities.js';
import { validate } from './validate.js';

const DAY_MS = 86_400_000;
/** An export covers a year and a day at most: the log holds no more. */
export const MAX_EXPORT_WINDOW_DAYS = 366;
export const MAX_EXPORT_SESSIONS = 10_000;
/** Lines of one NAT log import. */
export const MAX_NAT_IMPORT_LINES = 200_000;

const instant = z
  .string({ error: 'expected an ISO 8601 date-time, e.g. 2026-03-01T14:00:00Z' })
  .refine((v) => /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(v) && !Number.isNaN(Date.parse(v)), 'expected an ISO 8601 date-time, e.g. 2026-03-01T14:00:00Z')
  .transform((v) => new Date(v));

const ipAddress = z
  .string()
  .trim()
  .refine((v) => isIP(v) !== 0, 'expected an IPv4 or IPv6 address');

/** A judicial request's filter, as the API body or CLI options give it. */
export const legalExportSchema = z
  .object({
    from: instant,
    to: instant,
    ip: ipAddress.optional(),
    port: z.coerce.number({ error: 'expected a port number' }).int('expected a whole number').min(0, 'expected 0..65535').max(65535, 'expected 0..65535').optional(),
    /** Username, e-mail, or the identity id (the pseudonym erased accounts leave). */
    identity: z.string().trim().min(1, 'expected a username, e-mail or identity id').max(254).optional(),
    format: z.enum(['csv', 'json'], { error: 'expected csv or json' }).default('csv'),
    reason: z.string().trim().min(10, 'say why, in at least 10 characters (it goes to the audit log)').max(500),
    /** The authority's reference: requisition number, case number. */
    reference: z.string().trim().min(3, 'expected the requisition or case reference').max(200),
    limit: z.coerce.number().int().min(1).max(MAX_EXPORT_SESSIONS, `at most ${MAX_EXPORT_SESSIONS}`).default(MAX_EXPORT_SESSIONS),
  })
  .strict()
  .superRefine((v, ctx) => {
    // Refinements run even when a field failed: compare only real dates.
    if (v.from instanceof Date && v.to instanceof Date) {
      if (v.to.getTime() <= v.from.getTime()) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
      else if (v.to.getTime() - v.from.getTime() > MAX_EXPORT_WINDOW_DAYS * DAY_MS) ctx.addIssue({ code: 'custom', path: ['to'], message: `the window is at most ${MAX_EXPORT_WINDOW_DAYS} days` });
    }
    if (v.ip === undefined && v.identity === undefined) ctx.addIssue({ code: 'custom', path: ['ip'], message: 'name an address (ip, optionally port) or an identity' });
    if (v.port !== undefined && v.ip === undefined) ctx.addIssue({ code: 'custom', path: ['port'], message: 'a port needs an ip' });
  });

export type LegalExportInput = z.input<typeof legalExportSchema>;

export interface LegalDeps {
  readonly stores: Stores;
  readonly clock: Clock;
  readonly metrics?: Metrics;
  readonly log?: Logger;
}

export interface LegalExport {
  readonly format: 'csv' | 'json';
  readonly contentType: string;
  readonly filename: string;
  readonly body: string;
  readonly sessions: number;
  /** SHA-256 of body, hex: recorded in the audit log. */
  readonly sha256: string;
  readonly auditId: string;
}

/** An identity named by login, e-mail, live id or erased id (pseudonym). Null: no such identity ever. */
async function identityIdOf(stores: Stores, name: string): Promise<string | null> {
  const live = (await findByLogin(stores, await stores.federation.get(), name)) ?? (await stores.identities.get(name));
  if (live) return live.id;
  return (await stores.legal.archivedIdentity(name)) ? name : null;
}

const CSV_COLUMNS = [
  'session_id',
  'municipality',
  'identity_id',
  'username',
  'email',
  'account_erased_at',
  'device_mac',
  'access_point',
  'nas_ip',
  'nas_identifier',
  'assigned_ip',
  'nat_public_ip',
  'nat_ports',
  'nat_from',
  'nat_to',
  'started_at',
  'stopped_at',
  'input_octets',
  'output_octets',
  'held',
] as const;

function csvField(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  // RFC 4180 quoting; a leading = + - @ would be a formula to a spreadsheet: quote and prefix it.
  const guarded = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n']/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

/** One CSV line per (session, NAT mapping); a session without mapping has one line with empty NAT columns. */
export function legalCsv(entries: readonly LegalLogEntry[], slugs: ReadonlyMap<string, string>, apNames: ReadonlyMap<string, string>): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const e of entries) {
    const s = e.session;
    const base = [
      s.id,
      slugs.get(s.tenantId) ?? s.tenantId,
      s.identityId,
      e.subscriber?.username ?? null,
      e.subscriber?.email ?? null,
      iso(e.subscriber?.erasedAt ?? null),
      s.callingStationId,
      s.apId ? (apNames.get(s.apId) ?? s.apId) : null,
      s.nasIp,
      s.nasIdentifier,
      s.framedIp,
    ];
    const tail = [iso(s.startedAt), iso(s.stoppedAt), s.inputOctets, s.outputOctets, e.held];
    const nats = e.natMappings.length > 0 ? e.natMappings : [null];
    for (const n of nats) {
      const nat = n ? [n.publicIp, `${n.portStart}-${n.portEnd}`, iso(n.startedAt), iso(n.endedAt)] : [null, null, null, null];
      lines.push([...base, ...nat, ...tail].map(csvField).join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

function jsonDocument(entries: readonly LegalLogEntry[], slugs: ReadonlyMap<string, string>, apNames: ReadonlyMap<string, string>, meta: Record<string, unknown>): string {
  return `${JSON.stringify(
    {
      ...meta,
      sessions: entries.map((e) => ({
        id: e.session.id,
        municipality: slugs.get(e.session.tenantId) ?? e.session.tenantId,
        identityId: e.session.identityId,
        subscriber: e.subscriber,
        deviceMac: e.session.callingStationId,
        accessPoint: e.session.apId ? (apNames.get(e.session.apId) ?? e.session.apId) : null,
        nasIp: e.session.nasIp,
        nasIdentifier: e.session.nasIdentifier,
        assignedIp: e.session.framedIp,
        natMappings: e.natMappings.map((n) => ({ publicIp: n.publicIp, portStart: n.portStart, portEnd: n.portEnd, from: n.startedAt, to: n.endedAt, source: n.source })),
        startedAt: e.session.startedAt,
        stoppedAt: e.session.stoppedAt,
        inputOctets: e.session.inputOctets,
        outputOctets: e.session.outputOctets,
        held: e.held,
      })),
    },
    null,
    2,
  )}\n`;
}

/**
 * Answers a judicial request: the sessions matching the filter, as CSV or
 * JSON, and an audit event saying who exported what and why.
 * `tenant` null exports across the federation (an admin).
 * @throws AppError VALIDATION with field-level issues
 */
export async function exportLegalLog(deps: LegalDeps, tenant: Tenant | null, input: unknown, actor: string, via: 'api' | 'cli'): Promise<LegalExport> {
  const v = validate(legalExportSchema, input);
  let identityId: string | undefined;
  if (v.identity !== undefined) {
    const id = await identityIdOf(deps.stores, v.identity);
    // An unknown identity exports nothing rather than everything.
    identityId = id ?? `unknown:${v.identity}`;
  }
  const entries = await deps.stores.legal.search({
    tenantId: tenant?.id ?? null,
    from: v.from,
    to: v.to,
    ...(v.ip !== undefined ? { ip: v.ip } : {}),
    ...(v.port !== undefined ? { port: v.port } : {}),
    ...(identityId !== undefined ? { identityId } : {}),
    limit: v.limit,
  });
  const tenants = await deps.stores.tenants.list();
  const slugs = new Map(tenants.map((t) => [t.id, t.slug]));
  const apNames = new Map<string, string>();
  for (const t of new Set(entries.map((e) => e.session.tenantId))) {
    for (const ap of await deps.stores.accessPoints.list(t)) apNames.set(ap.id, ap.name);
  }
  const filter = {
    municipality: tenant?.slug ?? null,
    from: v.from.toISOString(),
    to: v.to.toISOString(),
    ip: v.ip ?? null,
    port: v.port ?? null,
    identity: v.identity ?? null,
  };
  const exportedAt = deps.clock.now();
  const body =
    v.format === 'csv'
      ? legalCsv(entries, slugs, apNames)
      : jsonDocument(entries, slugs, apNames, { exportedAt: exportedAt.toISOString(), exportedBy: actor, reference: v.reference, filter, truncated: entries.length >= v.limit });
  const sha256 = createHash('sha256').update(body).digest('hex');
  const audit = await deps.stores.audit.append({
    actor,
    tenantId: tenant?.id ?? null,
    action: 'legal.export',
    target: `legal:${v.reference}`,
    before: null,
    after: { filter, reason: v.reason, reference: v.reference, format: v.format, sessions: entries.length, sha256, via },
    at: exportedAt,
  });
  deps.metrics?.legal.exports.inc({ format: v.format, via });
  deps.metrics?.legal.exportedRecords.inc(entries.length);
  deps.log?.info({ actor, municipality: filter.municipality, sessions: entries.length, audit: audit.id }, 'legal log exported');
  const stamp = exportedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return {
    format: v.format,
    contentType: v.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
    filename: `legal-log-${filter.municipality ?? 'federation'}-${stamp}.${v.format}`,
    body,
    sessions: entries.length,
    sha256,
    auditId: audit.id,
  };
}

export const legalHoldSchema = z
  .object({
    reference: z.string().trim().min(3, 'expected the requisition or case reference').max(200),
    reason: z.string().trim().min(10, 'say why, in at least 10 characters').max(500),
    sessionIds: z.array(z.string().trim().min(1).max(100), { error: 'expected a list of session ids' }).min(1, 'name at least one session').max(MAX_EXPORT_SESSIONS),
  })
  .strict();

/** @throws AppError VALIDATION | SESSION_NOT_FOUND */
export async function placeHold(deps: LegalDeps, tenant: Tenant | null, input: unknown, actor: string): Promise<LegalHold> {
  const v = validate(legalHoldSchema, input);
  const hold = await deps.stores.legal.createHold({ tenantId: tenant?.id ?? null, reference: v.reference, reason: v.reason, createdBy: actor, sessionIds: [...new Set(v.sessionIds)] });
  await deps.stores.audit.append({ actor, tenantId: tenant?.id ?? null, action: 'legal.hold', target: `legal-hold:${hold.id}`, before: null, after: { reference: hold.reference, reason: hold.reason, sessions: hold.sessionIds.length } });
  deps.metrics?.legal.held.set(await deps.stores.legal.heldSessionCount());
  return hold;
}

/** @throws AppError LEGAL_HOLD_NOT_FOUND */
export async function releaseHold(deps: LegalDeps, tenant: Tenant | null, holdId: string, actor: string): Promise<LegalHold> {
  const hold = await deps.stores.legal.releaseHold(tenant?.id ?? null, holdId, actor, deps.clock.now());
  await deps.stores.audit.append({ actor, tenantId: tenant?.id ?? null, action: 'legal.release', target: `legal-hold:${hold.id}`, before: null, after: { reference: hold.reference } });
  deps.metrics?.legal.held.set(await deps.stores.legal.heldSessionCount());
  return hold;
}

/**
 * A gateway's NAT log, for gateways that log port blocks elsewhere than in
 * RADIUS accounting (docs/operations.md "NAT logs"). CSV with a header:
 *   start,end,internal_ip,public_ip,port_start,port_end
 * start/end as ISO 8601 or Unix seconds; end may be empty. Or JSON: an
 * array of objects with those keys (camelCase accepted). Every line is
 * checked before anything is stored: one bad line rejects the file, naming
 * the line and the field.
 * @throws AppError NAT_IMPORT_INVALID
 */
export function parseNatLog(text: string, format: 'csv' | 'json'): NewNatMapping[] {
  const rows: Array<{ line: number; get(k: string): string | number | null | undefined }> = [];
  if (format === 'json') {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new AppError(E.NAT_IMPORT_INVALID, { line: 1, reason: 'not valid JSON' });
    }
    if (!Array.isArray(doc)) throw new AppError(E.NAT_IMPORT_INVALID, { line: 1, reason: 'expected a JSON array of mappings' });
    doc.forEach((o: unknown, i) => {
      if (typeof o !== 'object' || o === null) throw new AppError(E.NAT_IMPORT_INVALID, { line: i + 1, reason: 'expected an object' });
      const rec = o as Record<string, unknown>;
      const camel = (k: string): string => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
      rows.push({ line: i + 1, get: (k) => (rec[k] ?? rec[camel(k)]) as string | number | null | undefined });
    });
  } else {
    const lines = text.split(/\r?\n/);
    const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
    for (const need of ['start', 'internal_ip', 'public_ip', 'port_start', 'port_end']) {
      if (!header.includes(need)) throw new AppError(E.NAT_IMPORT_INVALID, { line: 1, reason: `the header must name ${need} (start,end,internal_ip,public_ip,port_start,port_end)` });
    }
    for (let i = 1; i < lines.length; i++) {
      const raw = lines[i]!;
      if (raw.trim() === '' || raw.startsWith('#')) continue;
      const cells = raw.split(',').map((c) => c.trim());
      if (cells.length !== header.length) throw new AppError(E.NAT_IMPORT_INVALID, { line: i + 1, reason: `expected ${header.length} fields, found ${cells.length}` });
      rows.push({ line: i + 1, get: (k) => cells[header.indexOf(k)] });
    }
  }
  if (rows.length > MAX_NAT_IMPORT_LINES) throw new AppError(E.NAT_IMPORT_INVALID, { line: MAX_NAT_IMPORT_LINES + 1, reason: `at most ${MAX_NAT_IMPORT_LINES} mappings per import` });
  return rows.map(({ line, get }) => {
    const fail = (field: string, why: string): never => {
      throw new AppError(E.NAT_IMPORT_INVALID, { line, reason: `${field}: ${why}` });
    };
    const time = (field: string, optional: boolean): Date | null => {
      const v = get(field);
      if (v === undefined || v === null || v === '') return optional ? null : fail(field, 'missing');
      if (typeof v === 'number' || /^\d{9,11}$/.test(String(v))) return new Date(Number(v) * 1000);
      const d = Date.parse(String(v));
      if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(String(v)) || Number.isNaN(d)) return fail(field, 'expected an ISO 8601 date-time or Unix seconds');
      return new Date(d);
    };
    const ip = (field: string): string => {
      const v = String(get(field) ?? '').trim();
      return isIP(v) ? v : fail(field, 'expected an IPv4 or IPv6 address');
    };
    const portOf = (field: string): number => {
      const v = String(get(field) ?? '').trim();
      const n = /^\d{1,5}$/.test(v) ? Number(v) : NaN;
      return n >= 0 && n <= 65535 ? n : fail(field, 'expected a port 0..65535');
    };
    const startedAt = time('start', false)!;
    const endedAt = time('end', true);
    if (endedAt && endedAt < startedAt) fail('end', 'is before start');
    const portStart = portOf('port_start');
    const portEnd = portOf('port_end');
    if (portEnd < portStart) fail('port_end', 'is below port_start');
    return { internalIp: ip('internal_ip'), publicIp: ip('public_ip'), portStart, portEnd, startedAt, endedAt, source: 'import' as const };
  });
}

export async function importNatLog(deps: LegalDeps, tenant: Tenant, text: string, format: 'csv' | 'json', actor: string): Promise<{ imported: number; matched: number; duplicates: number }> {
  const mappings = parseNatLog(text, format);
  const r = await deps.stores.legal.importNatMappings(tenant.id, mappings);
  await deps.stores.audit.append({ actor, tenantId: tenant.id, action: 'legal.nat-import', target: `tenant:${tenant.slug}`, before: null, after: { lines: mappings.length, ...r } });
  deps.metrics?.legal.natImported.inc({ source: 'import' }, r.imported);
  return r;
}

export interface PurgeTotals {
  readonly sessions: number;
  readonly accountingRecords: number;
  readonly natMappings: number;
  readonly identityArchives: number;
  readonly batches: number;
  readonly cutoff: Date;
}

/**
 * The one-year purge: everything that ended before now − retentionDays and
 * no legal hold names, in batches of its own transactions (a crash between
 * two loses nothing to keep: the next run picks up where it stopped).
 */
export async function purgeLegalLog(deps: LegalDeps, opts: { retentionDays: number; batchSize?: number; maxBatches?: number }): Promise<PurgeTotals> {
  const cutoff = new Date(deps.clock.now().getTime() - opts.retentionDays * DAY_MS);
  const batchSize = opts.batchSize ?? 500;
  const totals = { sessions: 0, accountingRecords: 0, natMappings: 0, identityArchives: 0, batches: 0 };
  try {
    for (let i = 0; i < (opts.maxBatches ?? Number.POSITIVE_INFINITY); i++) {
      const r = await deps.stores.legal.purgeBatch(cutoff, batchSize);
      totals.batches++;
      totals.sessions += r.sessions;
      totals.accountingRecords += r.accountingRecords;
      totals.natMappings += r.natMappings;
      totals.identityArchives += r.identityArchives;
      const m = deps.metrics?.legal.purged;
      m?.inc({ kind: 'sessions' }, r.sessions);
      m?.inc({ kind: 'accounting_records' }, r.accountingRecords);
      m?.inc({ kind: 'nat_mappings' }, r.natMappings);
      m?.inc({ kind: 'identity_archives' }, r.identityArchives);
      if (r.sessions + r.accountingRecords + r.natMappings + r.identityArchives === 0) break;
    }
    deps.metrics?.legal.purgeRuns.inc({ result: 'ok' });
    deps.metrics?.legal.lastPurge.set(deps.clock.now().getTime() / 1000);
    deps.metrics?.legal.held.set(await deps.stores.legal.heldSessionCount());
  } catch (err) {
    deps.metrics?.legal.purgeRuns.inc({ result: 'error' });
    throw err;
  }
  if (totals.sessions + totals.accountingRecords + totals.natMappings + totals.identityArchives > 0) {
    deps.log?.info({ cutoff, ...totals }, 'legal log purged');
    await deps.stores.audit.append({ actor: 'system', tenantId: null, action: 'legal.purge', target: 'legal-log', before: null, after: { cutoff: cutoff.toISOString(), ...totals } });
  }
  return { ...totals, cutoff };
}

/** A periodic task that never overlaps itself and never keeps the process alive. */
export interface PeriodicJob {
  start(): void;
  /** Runs now unless a run is in progress (then waits for it). */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

export function periodicJob(name: string, intervalMs: number, run: () => Promise<unknown>, log?: Logger): PeriodicJob {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  const once = (): Promise<void> => {
    running ??= run()
      .then(
        () => undefined,
        (err: unknown) => log?.error({ err, job: name }, 'scheduled job failed; it runs again at the next interval'),
      )
      .finally(() => {
        running = null;
      });
    return running;
  };
  return {
    start() {
      if (timer) return;
      void once();
      timer = setInterval(() => void once(), intervalMs);
      timer.unref();
    },
    runNow: once,
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
