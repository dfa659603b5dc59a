import { userInfo } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import type { Config } from '../../config/index.js';
import type { Session, Tenant } from '../../domain/entities.js';
import { AppError, E } from '../../errors.js';
import type { DynAuthResult, DynamicAuthorization } from '../../ports/dynamic-authorization.js';
import type { Stores } from '../../ports/stores.js';
import { requireTenant } from '../../services/tenants.js';
import { requireIdentity } from '../../services/identities.js';
import { changeSession, disconnectSession, targetOf, type SessionAction } from '../../services/sessions.js';
import { hashMac } from '../../log.js';
import { createDynamicAuthorizationClient } from '../../../radius-server/dynauth/client.js';
import { printJson, printTable } from '../output.js';
import { action, int } from './shared.js';

const row = (s: Session, slugs: Map<string, string>) => ({
  tenant: slugs.get(s.tenantId) ?? s.tenantId,
  user: s.username,
  status: s.status,
  started: s.startedAt,
  stopped: s.stoppedAt,
  time: s.sessionTime,
  in: s.inputOctets,
  out: s.outputOctets,
  nas: s.nasIdentifier ?? s.nasIp,
  device: hashMac(s.callingStationId),
  id: s.id,
});

/**
 * The audit log's actor for what an operator does at this machine:
 * `cli:<OS user>`, so a legal export or a disconnect says who ran it.
 */
export function operatorActor(): string {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry for the uid (containers): fall back to the environment.
    name = process.env.USER ?? process.env.LOGNAME;
  }
  return `cli:${name && name.trim() !== '' ? name : 'unknown'}`;
}

/** Runs `fn` with an RFC 5176 client set from WFC_COA_TIMEOUT_MS and WFC_COA_RETRIES, closed afterwards. */
export async function withDynauth<T>(config: Readonly<Config>, fn: (dynauth: DynamicAuthorization) => Promise<T>): Promise<T> {
  const dynauth = createDynamicAuthorizationClient({ timeoutMs: config.coa.timeoutMs, retries: config.coa.retries });
  try {
    return await fn(dynauth);
  } finally {
    await dynauth.close();
  }
}

/** A session by id, in the named municipality or, without one, wherever it is (ids are unique in the federation). */
async function locate(stores: Stores, id: string, slug: string | undefined): Promise<{ session: Session; tenant: Tenant }> {
  const tenants = slug ? [await requireTenant(stores, slug)] : await stores.tenants.list();
  for (const tenant of tenants) {
    const session = await stores.sessions.get(tenant.id, id);
    if (session) return { session, tenant };
  }
  throw new AppError(E.SESSION_NOT_FOUND, { session: id });
}

const REQUEST = { disconnect: 'Disconnect-Request', coa: 'CoA-Request' } as const;
const ACK = { disconnect: 'Disconnect-ACK', coa: 'CoA-ACK' } as const;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line on what the NAS did; for a NAK or a timeout, the error the command exits with. */
export function describeResult(r: DynAuthResult): string {
  const timing = `after ${plural(r.attempts, 'attempt')} (${Math.round(r.durationMs)} ms)`;
  if (r.outcome === 'ack') return `${ACK[r.kind]} ${timing}`;
  if (r.outcome === 'nak') return `the NAS refused the ${REQUEST[r.kind]}: ${r.errorCause === null ? 'no Error-Cause' : `Error-Cause ${r.errorCause} ${r.errorCauseName ?? ''}`.trimEnd()}`;
  const invalid = r.invalidReplies > 0 ? `; ${plural(r.invalidReplies, 'reply')} failed verification (is the RADIUS client's secret the NAS's?)` : '';
  return `no answer to the ${REQUEST[r.kind]} ${timing}${invalid}`;
}

async function report(stores: Stores, { session, result }: SessionAction, tenant: Tenant, json: boolean | undefined): Promise<void> {
  if (json) printJson({ session, result });
  if (result.outcome === 'ack') {
    if (!json) process.stdout.write(`session ${session.id} (${session.username} at ${tenant.slug}): ${describeResult(result)}\n`);
    return;
  }
  const nas = await targetOf(stores, session);
  // A NAK or a timeout fails the command (exit 1), on one stderr line.
  throw new Error(`session ${session.id}: NAS ${nas.address} port ${nas.port}: ${describeResult(result)}`);
}

/** A positive whole number that fits a RADIUS integer (RFC 2865 §5: 32 bits). */
function uint32(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 0xffffffff) throw new InvalidArgumentError('Expected a whole number from 1 to 4294967295.');
  return Number(v);
}

export function registerSessions(program: Command): void {
  const sessions = program.command('sessions').description('sessions as accounting reports them; Disconnect and CoA (RFC 5176) of live ones');
  const list = sessions
    .command('list')
    .description('list sessions, newest first')
    .option('--active', 'only sessions still open')
    .option('--tenant <slug>')
    .option('--user <user>')
    .option('--limit <n>', 'at most n', int('--limit'), 100)
    .option('--json');
  list.action(
    action(list, async ({ stores }, o: { active?: boolean; tenant?: string; user?: string; limit: number; json?: boolean }) => {
      const tenant = o.tenant ? await requireTenant(stores, o.tenant) : null;
      const identity = o.user ? await requireIdentity(stores, await stores.federation.get(), o.user) : null;
      const all = await stores.sessions.list({
        ...(tenant ? { tenantId: tenant.id } : {}),
        ...(identity ? { identityId: identity.id } : {}),
        activeOnly: !!o.active,
        limit: o.limit,
      });
      if (o.json) {
        printJson(all);
        return;
      }
      const slugs = new Map((await stores.tenants.list()).map((t) => [t.id, t.slug]));
      printTable(all.map((s) => row(s, slugs)), ['tenant', 'user', 'status', 'started', 'stopped', 'time', 'in', 'out', 'nas', 'device', 'id']);
    }),
  );

  const disconnect = sessions
    .command('disconnect <id>')
    .description('end a live session: a Disconnect-Request to its NAS (exit 1 when the NAS refuses or does not answer)')
    .option('--tenant <slug>', 'the municipality (default: found from the id)')
    .option('--reason <text>', 'why, for the audit log')
    .option('--json');
  disconnect.action(
    action(disconnect, async ({ stores, config }, id: string, o: { tenant?: string; reason?: string; json?: boolean }) => {
      const { tenant } = await locate(stores, id, o.tenant);
      const done = await withDynauth(config, (dynauth) => disconnectSession({ stores, dynauth }, tenant.id, id, operatorActor(), o.reason ?? null));
      await report(stores, done, tenant, o.json);
    }),
  );

  const coa = sessions
    .command('coa <id>')
    .description("change a live session's timeout or bandwidth: a CoA-Request to its NAS (exit 1 when the NAS refuses or does not answer)")
    .option('--tenant <slug>', 'the municipality (default: found from the id)')
    .option('--session-timeout <s>', 'Session-Timeout, seconds from now', uint32)
    .option('--download-bps <n>', 'download limit, bits per second', uint32)
    .option('--upload-bps <n>', 'upload limit, bits per second', uint32)
    .option('--json');
  coa.action(
    action(coa, async ({ stores, config }, id: string, o: { tenant?: string; sessionTimeout?: number; downloadBps?: number; uploadBps?: number; json?: boolean }) => {
      const change = {
        ...(o.sessionTimeout !== undefined ? { sessionTimeoutSeconds: o.sessionTimeout } : {}),
        ...(o.downloadBps !== undefined ? { downloadBps: o.downloadBps } : {}),
        ...(o.uploadBps !== undefined ? { uploadBps: o.uploadBps } : {}),
      };
      // RFC 5176 §3.6 Note 3: what a CoA-Request leaves out stays as it is, so it must change something.
      if (Object.keys(change).length === 0) coa.error('give at least one of --session-timeout, --download-bps, --upload-bps');
      const { tenant } = await locate(stores, id, o.tenant);
      const done = await withDynauth(config, (dynauth) => changeSession({ stores, dynauth }, tenant.id, id, change, operatorActor()));
      await report(stores, done, tenant, o.json);
    }),
  );
}
