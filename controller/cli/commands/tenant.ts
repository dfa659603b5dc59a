import type { Command } from 'commander';
import type { Tenant } from '../../domain/entities.js';
import { createTenant, requireTenant } from '../../services/tenants.js';
import { printFields, printJson, printTable } from '../output.js';
import { action } from './shared.js';

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
