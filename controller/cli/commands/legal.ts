/**
 * `wfc legal`: the legal connection log (CPCE L34-1, décret 2021-1362) from
 * the operator's shell: audited exports, legal holds, NAT log imports, the
 * one-year purge and the trail of past exports. Every action is audited by
 * controller/services/legal.ts under `cli:<OS user>`.
 */
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { AuditEvent, LegalHold } from '../../domain/entities.js';
import { systemClock } from '../../ports/clock.js';
import type { Stores } from '../../ports/stores.js';
import { exportLegalLog, importNatLog, placeHold, purgeLegalLog, releaseHold } from '../../services/legal.js';
import { requireTenant } from '../../services/tenants.js';
import { printJson, printTable } from '../output.js';
import { operatorActor } from './sessions.js';
import { action, int } from './shared.js';

function format(v: string): 'csv' | 'json' {
  if (v !== 'csv' && v !== 'json') throw new InvalidArgumentError('Expected csv or json.');
  return v;
}

async function slugger(stores: Stores): Promise<(id: string | null) => string | null> {
  const slugs = new Map((await stores.tenants.list()).map((t) => [t.id, t.slug]));
  return (id) => (id === null ? null : (slugs.get(id) ?? id));
}

const holdJson = (h: LegalHold, municipality: string | null) => ({ ...h, municipality });

function exportRecord(e: AuditEvent, municipality: string | null) {
  const a = (e.after ?? {}) as Record<string, unknown>;
  return { auditId: e.id, at: e.at, actor: e.actor, municipality, reference: a.reference, reason: a.reason, format: a.format, via: a.via, sessions: a.sessions, sha256: a.sha256, filter: a.filter };
}

export function registerLegal(program: Command): void {
  const legal = program.command('legal').description('the legal connection log: exports for judicial requests, holds, NAT logs, the one-year purge');

  const exp = legal
    .command('export')
    .description('export the sessions matching a judicial request (audited: who, why, the reference and the SHA-256 of the file)')
    .requiredOption('--from <date>', 'ISO 8601 start of the window, e.g. 2026-03-01T14:00:00Z')
    .requiredOption('--to <date>', 'ISO 8601 end of the window (at most 366 days after --from)')
    .option('--ip <address>', 'assigned address, or a NAT public address')
    .option('--port <port>', 'with --ip: the NAT port')
    .option('--user <user>', "username, e-mail, identity id, or an erased account's identity id")
    .option('--tenant <slug>', "only this municipality's sessions (default: the whole federation)")
    .requiredOption('--reason <text>', 'why (goes to the audit log)')
    .requiredOption('--reference <ref>', "the authority's requisition or case reference")
    .option('--format <csv|json>', 'file format', format, 'csv')
    .option('--output <file>', 'write the file there (never over an existing one) instead of standard output');
  exp.action(
    action(exp, async ({ stores }, o: { from: string; to: string; ip?: string; port?: string; user?: string; tenant?: string; reason: string; reference: string; format: 'csv' | 'json'; output?: string }) => {
      const tenant = o.tenant ? await requireTenant(stores, o.tenant) : null;
      const input = {
        from: o.from,
        to: o.to,
        ...(o.ip !== undefined ? { ip: o.ip } : {}),
        ...(o.port !== undefined ? { port: o.port } : {}),
        ...(o.user !== undefined ? { identity: o.user } : {}),
        format: o.format,
        reason: o.reason,
        reference: o.reference,
      };
      // The file is created first: an export is audited only when it can be written.
      const fd = o.output ? openSync(o.output, 'wx', 0o600) : null;
      try {
        const x = await exportLegalLog({ stores, clock: systemClock }, tenant, input, operatorActor(), 'cli');
        if (fd !== null) writeFileSync(fd, x.body);
        else process.stdout.write(x.body);
        // Standard error, so standard output stays the file itself.
        process.stderr.write(`exported ${x.sessions} session(s)${o.output ? ` to ${o.output}` : ''}; audit ${x.auditId}; sha256 ${x.sha256}\n`);
      } catch (err) {
        if (o.output) rmSync(o.output, { force: true });
        throw err;
      } finally {
        if (fd !== null) closeSync(fd);
      }
    }),
  );

  const exportsCmd = legal
    .command('exports')
    .description('the audit trail of exports, newest first: who exported what, and why')
    .option('--tenant <slug>', "only this municipality's exports")
    .option('--limit <n>', 'at most n', int('--limit'), 100)
    .option('--json');
  exportsCmd.action(
    action(exportsCmd, async ({ stores }, o: { tenant?: string; limit: number; json?: boolean }) => {
      const tenant = o.tenant ? await requireTenant(stores, o.tenant) : null;
      const events = await stores.audit.list({ ...(tenant ? { tenantId: tenant.id } : {}), action: 'legal.export', limit: o.limit });
      const slug = await slugger(stores);
      const records = events.map((e) => exportRecord(e, slug(e.tenantId)));
      if (o.json) printJson(records);
      else printTable(records.map((r) => ({ ...r, municipality: r.municipality ?? '(federation)' })), ['at', 'actor', 'municipality', 'reference', 'sessions', 'format', 'via', 'sha256', 'reason']);
    }),
  );

  const holds = legal.command('holds').description('legal holds: sessions kept past the one-year purge until released');

  const holdList = holds
    .command('list')
    .description('active holds (every municipality, or one)')
    .option('--tenant <slug>')
    .option('--released', 'include released holds')
    .option('--json');
  holdList.action(
    action(holdList, async ({ stores }, o: { tenant?: string; released?: boolean; json?: boolean }) => {
      const tenant = o.tenant ? await requireTenant(stores, o.tenant) : null;
      const list = await stores.legal.listHolds(tenant?.id ?? null, { includeReleased: !!o.released });
      const slug = await slugger(stores);
      if (o.json) printJson(list.map((h) => holdJson(h, slug(h.tenantId))));
      else
        printTable(
          list.map((h) => ({ id: h.id, municipality: slug(h.tenantId) ?? '(federation)', reference: h.reference, sessions: h.sessionIds.length, created: h.createdAt, by: h.createdBy, released: h.releasedAt })),
          ['id', 'municipality', 'reference', 'sessions', 'created', 'by', 'released'],
        );
    }),
  );

  const holdAdd = holds
    .command('add <session-ids...>')
    .description('place a hold on sessions (ids from `wfc sessions list`)')
    .requiredOption('--reference <ref>', "the authority's requisition or case reference")
    .requiredOption('--reason <text>', 'why (goes to the audit log)')
    .option('--tenant <slug>', "the sessions' municipality (default: a federation-wide hold)")
    .option('--json');
  holdAdd.action(
    action(holdAdd, async ({ stores }, sessionIds: string[], o: { reference: string; reason: string; tenant?: string; json?: boolean }) => {
      const tenant = o.tenant ? await requireTenant(stores, o.tenant) : null;
      const h = await placeHold({ stores, clock: systemClock }, tenant, { reference: o.reference, reason: o.reason, sessionIds }, operatorActor());
      if (o.json) printJson(holdJson(h, tenant?.slug ?? null));
      else process.stdout.write(`hold ${h.id} placed on ${h.sessionIds.length} session(s) (${h.reference})\n`);
    }),
  );

  const holdRelease = holds
    .command('release <id>')
    .description('release a hold: its sessions go at the next purge once past the retention')
    .option('--tenant <slug>', "the hold's municipality (default: any)")
    .option('--json');
  holdRelease.action(
    action(holdRelease, async ({ stores }, id: string, o: { tenant?: string; json?: boolean }) => {
      const tenant = o.tenant ? await requireTenant(stores, o.tenant) : null;
      const h = await releaseHold({ stores, clock: systemClock }, tenant, id, operatorActor());
      if (o.json) printJson(holdJson(h, (await slugger(stores))(h.tenantId)));
      else process.stdout.write(`hold ${h.id} released (${h.reference})\n`);
    }),
  );

  const nat = legal
    .command('import-nat <slug> <file>')
    .description("import a gateway's NAT log: CSV with a header start,end,internal_ip,public_ip,port_start,port_end, or a JSON array (one bad line rejects the file)")
    .option('--format <csv|json>', 'default: from the file name (.json), else csv', format)
    .option('--json');
  nat.action(
    action(nat, async ({ stores }, slug: string, file: string, o: { format?: 'csv' | 'json'; json?: boolean }) => {
      const tenant = await requireTenant(stores, slug);
      const text = readFileSync(file, 'utf8');
      const fmt = o.format ?? (extname(file).toLowerCase() === '.json' ? 'json' : 'csv');
      const r = await importNatLog({ stores, clock: systemClock }, tenant, text, fmt, operatorActor());
      if (o.json) printJson(r);
      else process.stdout.write(`imported ${r.imported} NAT mapping(s) into ${tenant.slug}, ${r.matched} matched to sessions; ${r.duplicates} already imported\n`);
    }),
  );

  const purge = legal
    .command('purge')
    .description('delete what ended more than WFC_LEGAL_RETENTION_DAYS ago and no hold keeps (the server also runs this periodically)')
    .option('--json');
  purge.action(
    action(purge, async ({ stores, config }, o: { json?: boolean }) => {
      const t = await purgeLegalLog({ stores, clock: systemClock }, { retentionDays: config.legal.retentionDays });
      if (o.json) printJson(t);
      else
        process.stdout.write(
          `purged what ended before ${t.cutoff.toISOString()} (${config.legal.retentionDays} days): ${t.sessions} session(s), ${t.accountingRecords} accounting record(s), ${t.natMappings} NAT mapping(s), ${t.identityArchives} identity archive(s)\n`,
        );
    }),
  );
}
