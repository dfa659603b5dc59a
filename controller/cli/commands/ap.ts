import type { Command } from 'commander';
import type { AccessPoint } from '../../domain/entities.js';
import { createAccessPoint } from '../../services/access-points.js';
import { requireTenant } from '../../services/tenants.js';
import { printJson, printTable } from '../output.js';
import { action, num } from './shared.js';

const row = (a: AccessPoint) => ({ mac: a.mac, name: a.name, model: a.model, site: a.site, placement: a.placement, lat: a.latitude, lon: a.longitude });

export function registerAp(program: Command): void {
  const ap = program.command('ap').description("a municipality's access points");

  const add = ap
    .command('add <tenant>')
    .description('register an access point')
    .requiredOption('--mac <mac>', 'radio MAC (any common notation)')
    .requiredOption('--name <name>')
    .option('--model <model>')
    .option('--serial <serial>')
    .option('--site <site>')
    .option('--lat <latitude>', 'WGS84 latitude', num('--lat'))
    .option('--lon <longitude>', 'WGS84 longitude', num('--lon'))
    .option('--outdoor', 'installed outdoors (default indoor)')
    .option('--nas-id <id>', 'NAS-Identifier the AP or its gateway sends')
    .option('--json');
  add.action(
    action(add, async ({ stores }, slug: string, o: { mac: string; name: string; model?: string; serial?: string; site?: string; lat?: number; lon?: number; outdoor?: boolean; nasId?: string; json?: boolean }) => {
      const tenant = await requireTenant(stores, slug);
      const a = await createAccessPoint(
        stores,
        tenant,
        {
          mac: o.mac,
          name: o.name,
          model: o.model ?? null,
          serial: o.serial ?? null,
          site: o.site ?? null,
          latitude: o.lat ?? null,
          longitude: o.lon ?? null,
          placement: o.outdoor ? 'outdoor' : 'indoor',
          nasIdentifier: o.nasId ?? null,
        },
        'cli',
      );
      if (o.json) printJson(a);
      else process.stdout.write(`registered ${a.mac} (${a.name}) for ${tenant.slug}\n`);
    }),
  );

  const list = ap.command('list <tenant>').description("list a municipality's access points").option('--json');
  list.action(
    action(list, async ({ stores }, slug: string, o: { json?: boolean }) => {
      const tenant = await requireTenant(stores, slug);
      const all = await stores.accessPoints.list(tenant.id);
      if (o.json) printJson(all);
      else printTable(all.map(row), ['mac', 'name', 'model', 'site', 'placement', 'lat', 'lon']);
    }),
  );
}
