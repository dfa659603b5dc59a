import type { Command } from 'commander';
import type { Role } from '../../domain/entities.js';
import { validationError } from '../../errors.js';
import { createApiToken } from '../../services/tokens.js';
import { requireTenant } from '../../services/tenants.js';
import { printJson, printTable } from '../output.js';
import { action } from './shared.js';

const ROLES: readonly Role[] = ['admin', 'municipal-rw', 'municipal-ro'];

export function registerToken(program: Command): void {
  const token = program.command('token').description('API tokens for municipal IT and operators');

  const create = token
    .command('create')
    .description('create an API token (shown once)')
    .option('--tenant <slug>', 'scope the token to one municipality')
    .option('--admin', 'federation-wide administrator token')
    .option('--role <role>', `one of ${ROLES.join(', ')}`, 'municipal-rw')
    .requiredOption('--name <name>', 'who or what uses it')
    .option('--json');
  create.action(
    action(create, async ({ stores }, o: { tenant?: string; admin?: boolean; role: string; name: string; json?: boolean }) => {
      if (!!o.admin === !!o.tenant) throw validationError([{ field: 'tenant', message: 'give exactly one of --tenant <slug> or --admin' }]);
      const role = (o.admin ? 'admin' : o.role) as Role;
      if (!ROLES.includes(role) || (o.tenant && role === 'admin')) throw validationError([{ field: 'role', message: `a municipality's token is municipal-rw or municipal-ro` }]);
      const tenant = o.tenant ? await requireTenant(stores, o.tenant) : null;
      const { token: t, secret } = await createApiToken(stores, { tenant, name: o.name, role }, 'cli');
      if (o.json) printJson({ id: t.id, tenant: tenant?.slug ?? null, role: t.role, name: t.name, token: secret });
      else process.stdout.write(`token ${t.id} (${t.role}${tenant ? ` for ${tenant.slug}` : ''}), shown once:\n${secret}\n`);
    }),
  );

  const list = token
    .command('list')
    .description("list tokens (never their secrets): the federation-wide ones and every municipality's, or one municipality's")
    .option('--tenant <slug>', "only this municipality's tokens")
    .option('--json');
  list.action(
    action(list, async ({ stores }, o: { tenant?: string; json?: boolean }) => {
      // The store lists one scope at a time (null: federation-wide).
      const tenants = o.tenant ? [await requireTenant(stores, o.tenant)] : [null, ...(await stores.tenants.list())];
      const all = (await Promise.all(tenants.map(async (t) => (await stores.tokens.list(t?.id ?? null)).map(({ tokenHash: _h, ...rest }) => ({ ...rest, tenant: t?.slug ?? null }))))).flat();
      if (o.json) printJson(all);
      else printTable(all, ['id', 'name', 'role', 'tenant', 'createdAt', 'revokedAt']);
    }),
  );

  const revoke = token.command('revoke <id>').description('revoke a token').option('--json');
  revoke.action(
    action(revoke, async ({ stores }, id: string, o: { json?: boolean }) => {
      await stores.tokens.revoke(id, new Date());
      await stores.audit.append({ actor: 'cli', tenantId: null, action: 'token.revoke', target: `token:${id}`, before: null, after: null });
      if (o.json) printJson({ id, revoked: true });
      else process.stdout.write(`revoked ${id}\n`);
    }),
  );
}
