import type { Command } from 'commander';
import type { Tenant } from '../../domain/entities.js';
import { createTenant, requireTenant, updateTenantPolicy } from '../../services/tenants.js';
import { printFields, printJson, printTable } from '../output.js';
import { action, int } from './shared.js';

const row = (t: Tenant) => ({ slug: t.slug, name: t.name, insee: t.inseeCode, created: t.createdAt });

export function registerTenant(program: Command): void {
  const tenant = program.command('tenant').description('municipalities (tenants)');

  const add = tenant
    .command('add <slug>')
    .description('add a municipality')
    .requiredOption('--name <name>', 'official name, e.g. "Ville de Valence"')
    .requiredOption('--insee <code>', 'INSEE commune code')
    .option('--display-name <name>', 'name shown on the portal')
    .option('--color <hex>', 'portal colour, #rrggbb')
    .option('--json');
  add.action(
    action(add, async ({ stores }, slug: string, o: { name: string; insee: string; displayName?: string; color?: string; json?: boolean }) => {
      const t = await createTenant(stores, { slug, name: o.name, inseeCode: o.insee, displayName: o.displayName, primaryColor: o.color }, 'cli');
      if (o.json) printJson(t);
      else process.stdout.write(`added municipality ${t.slug} (${t.name})\n`);
    }),
  );

  const list = tenant.command('list').description('list municipalities').option('--json');
  list.action(
    action(list, async ({ stores }, o: { json?: boolean }) => {
      const all = await stores.tenants.list();
      if (o.json) printJson(all);
      else printTable(all.map(row), ['slug', 'name', 'insee', 'created']);
    }),
  );

  registerTenantPolicy(tenant);

  const show = tenant.command('show <slug>').description('show a municipality with its RADIUS clients and access points').option('--json');
  show.action(
    action(show, async ({ stores }, slug: string, o: { json?: boolean }) => {
      const t = await requireTenant(stores, slug);
      const clients = (await stores.clients.list(t.id)).map(({ secret: _s, ...c }) => c);
      const aps = await stores.accessPoints.list(t.id);
      if (o.json) {
        printJson({ ...t, radiusClients: clients, accessPoints: aps.length });
        return;
      }
      printFields({ slug: t.slug, name: t.name, insee: t.inseeCode, display: t.branding.displayName, policy: t.policy, accessPoints: aps.length });
      process.stdout.write('\nRADIUS clients:\n');
      printTable(clients, ['name', 'network', 'requireMessageAuthenticator', 'coaPort']);
    }),
  );
}

/** `--x none` clears a limit (commander turns a null into '', so 'none' is kept until the patch is built). */
const limitOrNone = (name: string) => (v: string): number | 'none' => (v === 'none' ? 'none' : int(name)(v));

export function registerTenantPolicy(tenant: Command): void {
  const policy = tenant
    .command('policy <slug>')
    .description("show or change a municipality's access policy (durations in seconds, rates in bit/s, volumes in bytes; `none` removes a limit)")
    .option('--session-timeout <s>', 'Session-Timeout', int('--session-timeout'))
    .option('--idle-timeout <s>', 'Idle-Timeout', int('--idle-timeout'))
    .option('--daily-time <s|none>', 'daily connection time per citizen', limitOrNone('--daily-time'))
    .option('--daily-data <bytes|none>', 'daily data volume per citizen', limitOrNone('--daily-data'))
    .option('--bandwidth-up <bps|none>', 'upload rate', limitOrNone('--bandwidth-up'))
    .option('--bandwidth-down <bps|none>', 'download rate', limitOrNone('--bandwidth-down'))
    .option('--simultaneous-use <n>', 'sessions a citizen may have at once', int('--simultaneous-use'))
    .option('--interim-interval <s>', 'Acct-Interim-Interval', int('--interim-interval'))
    .option('--unregistered-ap <accept|reject>', 'requests from access points nobody registered')
    .option('--json');
  policy.action(
    action(policy, async ({ stores }, slug: string, o: Record<string, unknown>) => {
      const names: Record<string, string> = { sessionTimeout: 'sessionTimeout', idleTimeout: 'idleTimeout', dailyTime: 'dailyTimeQuota', dailyData: 'dailyDataQuota', bandwidthUp: 'bandwidthUp', bandwidthDown: 'bandwidthDown', simultaneousUse: 'simultaneousUse', interimInterval: 'interimInterval', unregisteredAp: 'unregisteredAp' };
      const patch = Object.fromEntries(Object.entries(names).filter(([k]) => o[k] !== undefined).map(([k, field]) => [field, o[k] === 'none' ? null : o[k]]));
      let t = await requireTenant(stores, slug);
      if (Object.keys(patch).length > 0) t = await updateTenantPolicy(stores, t, patch, 'cli');
      if (o.json) printJson(t.policy);
      else printFields({ ...t.policy });
    }),
  );
}
