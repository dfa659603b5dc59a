import type { Command } from 'commander';
import type { Session } from '../../domain/entities.js';
import { requireTenant } from '../../services/tenants.js';
import { requireIdentity } from '../../services/identities.js';
import { hashMac } from '../../log.js';
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
});

export function registerSessions(program: Command): void {
  const sessions = program.command('sessions').description('sessions as accounting reports them');
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
      printTable(all.map((s) => row(s, slugs)), ['tenant', 'user', 'status', 'started', 'stopped', 'time', 'in', 'out', 'nas', 'device']);
    }),
  );
}
