import { describe, expect, it } from 'vitest';
import { E } from '../../controller/errors.js';
import type { NewRadiusClient } from '../../controller/ports/stores.js';
import { expectAppError, newTenant, T0, useStores, type MakeStores } from './harness.js';

const client = (network: string, over: Partial<NewRadiusClient> = {}): NewRadiusClient => ({
  name: `gw ${network}`,
  network,
  secret: 'a-long-shared-secret-0123456789',
  requireMessageAuthenticator: true,
  coaPort: 3799,
  ...over,
});

/** Ordering: list() and listAll() by name, then network. */
export function describeRadiusClientStore(name: string, make: MakeStores): void {
  describe(`RadiusClientStore contract: ${name}`, () => {
    const ctx = useStores(make);
    const twoTenants = async () => ({
      a: await ctx.stores.tenants.create(newTenant('rennes')),
      b: await ctx.stores.tenants.create(newTenant('brest')),
    });

    it('adds a client to a tenant and lists it', async () => {
      const { a } = await twoTenants();
      const c = await ctx.stores.clients.add(a.id, client('192.0.2.0/24', { requireMessageAuthenticator: false, coaPort: 1700 }));
      expect(c).toEqual({
        id: expect.any(String),
        tenantId: a.id,
        name: 'gw 192.0.2.0/24',
        network: '192.0.2.0/24',
        secret: 'a-long-shared-secret-0123456789',
        requireMessageAuthenticator: false,
        coaPort: 1700,
        createdAt: T0,
      });
      expect(await ctx.stores.clients.list(a.id)).toEqual([c]);
      expect(await ctx.stores.clients.listAll()).toEqual([c]);
    });

    it("keeps each tenant's list to its own clients; listAll gives every tenant's", async () => {
      const { a, b } = await twoTenants();
      const ca = await ctx.stores.clients.add(a.id, client('192.0.2.0/24'));
      const cb = await ctx.stores.clients.add(b.id, client('2001:db8::/32'));
      expect(await ctx.stores.clients.list(a.id)).toEqual([ca]);
      expect(await ctx.stores.clients.list(b.id)).toEqual([cb]);
      expect(await ctx.stores.clients.listAll()).toHaveLength(2);
    });

    it('orders lists by name, then network', async () => {
      const { a, b } = await twoTenants();
      await ctx.stores.clients.add(a.id, client('198.51.100.0/24', { name: 'mairie' }));
      await ctx.stores.clients.add(a.id, client('192.0.2.0/24', { name: 'mairie' }));
      await ctx.stores.clients.add(a.id, client('203.0.113.0/24', { name: 'gare' }));
      await ctx.stores.clients.add(b.id, client('203.0.113.9/32', { name: 'port' }));
      expect((await ctx.stores.clients.list(a.id)).map((c) => c.network)).toEqual(['203.0.113.0/24', '192.0.2.0/24', '198.51.100.0/24']);
      expect((await ctx.stores.clients.listAll()).map((c) => c.name)).toEqual(['gare', 'mairie', 'mairie', 'port']);
    });

    it('refuses a network that is already a client, of any tenant: CLIENT_EXISTS names the owner', async () => {
      const { a, b } = await twoTenants();
      await ctx.stores.clients.add(a.id, client('192.0.2.0/24'));
      await expectAppError(ctx.stores.clients.add(b.id, client('192.0.2.0/24')), E.CLIENT_EXISTS, { network: '192.0.2.0/24', tenant: 'rennes' });
      await expectAppError(ctx.stores.clients.add(a.id, client('192.0.2.0/24', { name: 'again' })), E.CLIENT_EXISTS, {
        network: '192.0.2.0/24',
        tenant: 'rennes',
      });
      expect(await ctx.stores.clients.listAll()).toHaveLength(1);
    });

    it('refuses a client for an unknown tenant: TENANT_NOT_FOUND', async () => {
      await expectAppError(ctx.stores.clients.add('no-such-tenant', client('192.0.2.0/24')), E.TENANT_NOT_FOUND);
    });

    it('removes a client, freeing its network', async () => {
      const { a, b } = await twoTenants();
      const c = await ctx.stores.clients.add(a.id, client('192.0.2.0/24'));
      await ctx.stores.clients.remove(a.id, c.id);
      expect(await ctx.stores.clients.list(a.id)).toEqual([]);
      await ctx.stores.clients.add(b.id, client('192.0.2.0/24'));
    });

    it("does not remove another tenant's client: CLIENT_NOT_FOUND", async () => {
      const { a, b } = await twoTenants();
      const c = await ctx.stores.clients.add(a.id, client('192.0.2.0/24'));
      await expectAppError(ctx.stores.clients.remove(b.id, c.id), E.CLIENT_NOT_FOUND, { client: c.id });
      expect(await ctx.stores.clients.list(a.id)).toEqual([c]);
      await expectAppError(ctx.stores.clients.remove(a.id, 'no-such-client'), E.CLIENT_NOT_FOUND, { client: 'no-such-client' });
    });
  });
}
