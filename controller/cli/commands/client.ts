import type { Command } from 'commander';
import { newRadiusSecret } from '../../security/tokens.js';
import { addRadiusClient, requireTenant } from '../../services/tenants.js';
import { printJson, printTable } from '../output.js';
import { action, int } from './shared.js';

export function registerClient(program: Command): void {
  const client = program.command('client').description("a municipality's RADIUS clients: gateway source networks and their shared secret");

  const add = client
    .command('add <tenant>')
    .description('add a source network (CIDR) allowed to send RADIUS for a municipality')
    .requiredOption('--network <cidr>', 'source address or network, e.g. 203.0.113.0/28 or 2001:db8::/48')
    .option('--name <name>', 'label', 'gateways')
    .option('--secret <secret>', 'shared secret (16+ characters); generated when omitted')
    .option('--allow-missing-message-authenticator', 'accept Access-Requests without Message-Authenticator (legacy gateways only: exposes them to BlastRADIUS, CVE-2024-3596)')
    .option('--coa-port <port>', 'the NAS dynamic-authorization port (RFC 5176)', int('--coa-port'), 3799)
    .option('--json');
  add.action(
    action(add, async ({ stores }, slug: string, o: { network: string; name: string; secret?: string; allowMissingMessageAuthenticator?: boolean; coaPort: number; json?: boolean }) => {
      const tenant = await requireTenant(stores, slug);
      const generated = o.secret === undefined;
      const c = await addRadiusClient(
        stores,
        tenant,
        { name: o.name, network: o.network, secret: o.secret ?? newRadiusSecret(), requireMessageAuthenticator: !o.allowMissingMessageAuthenticator, coaPort: o.coaPort },
        'cli',
      );
      if (o.json) printJson(c);
      else {
        process.stdout.write(`added RADIUS client ${c.network} to ${tenant.slug}\n`);
        if (generated) process.stdout.write(`shared secret (shown once, store it in the gateway): ${c.secret}\n`);
      }
    }),
  );

  const list = client.command('list <tenant>').description("list a municipality's RADIUS clients (secrets are not shown)").option('--json');
  list.action(
    action(list, async ({ stores }, slug: string, o: { json?: boolean }) => {
      const tenant = await requireTenant(stores, slug);
      const clients = (await stores.clients.list(tenant.id)).map(({ secret: _s, ...c }) => c);
      if (o.json) printJson(clients);
      else printTable(clients, ['id', 'name', 'network', 'requireMessageAuthenticator', 'coaPort']);
    }),
  );
}
