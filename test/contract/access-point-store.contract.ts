import { describe, expect, it } from 'vitest';
import { E } from '../../controller/errors.js';
import { expectAppError, mac, MINUTE, newAp, newTenant, T0, useStores, type MakeStores } from './harness.js';

/**
 * Ordering: list() by name, then MAC. Every call but findByMac takes the
 * tenant; another tenant's AP behaves as if it did not exist.
 */
export function describeAccessPointStore(name: string, make: MakeStores): void {
  describe(`AccessPointStore contract: ${name}`, () => {
    const ctx = useStores(make);
    const twoTenants = async () => ({
      a: await ctx.stores.tenants.create(newTenant('rennes')),
      b: await ctx.stores.tenants.create(newTenant('brest')),
    });

    it('creates an AP and finds it by id, MAC and NAS-Identifier', async () => {
      const { a } = await twoTenants();
      const input = newAp('aa:bb:cc:00:00:01', {
        name: 'Mairie hall',
        model: 'U6-Lite',
        serial: 'SN-1',
        site: 'Mairie',
        latitude: 48.1113,
        longitude: -1.68,
        placement: 'outdoor',
        nasIdentifier: 'rennes-mairie-1',
      });
      const ap = await ctx.stores.accessPoints.create(a.id, input);
      expect(ap).toEqual({ ...input, id: expect.any(String), tenantId: a.id, createdAt: T0, updatedAt: T0 });
      expect(await ctx.stores.accessPoints.get(a.id, ap.id)).toEqual(ap);
      expect(await ctx.stores.accessPoints.findByMac(mac('AA-BB-CC-00-00-01'))).toEqual(ap);
      expect(await ctx.stores.accessPoints.findByNasIdentifier(a.id, 'rennes-mairie-1')).toEqual(ap);
      expect(await ctx.stores.accessPoints.list(a.id)).toEqual([ap]);
    });

    it('gives null for unknown ids, MACs and NAS-Identifiers', async () => {
      const { a } = await twoTenants();
      expect(await ctx.stores.accessPoints.get(a.id, 'no-such-ap')).toBeNull();
      expect(await ctx.stores.accessPoints.findByMac(mac('aa:bb:cc:00:00:09'))).toBeNull();
      expect(await ctx.stores.accessPoints.findByNasIdentifier(a.id, 'nope')).toBeNull();
    });

    it('refuses a MAC registered anywhere in the federation: AP_EXISTS', async () => {
      const { a, b } = await twoTenants();
      await ctx.stores.accessPoints.create(a.id, newAp('aa:bb:cc:00:00:01'));
      await expectAppError(ctx.stores.accessPoints.create(b.id, newAp('aa:bb:cc:00:00:01')), E.AP_EXISTS, { mac: 'aa:bb:cc:00:00:01' });
      await expectAppError(ctx.stores.accessPoints.create(a.id, newAp('aa:bb:cc:00:00:01', { name: 'again' })), E.AP_EXISTS);
      expect(await ctx.stores.accessPoints.list(b.id)).toEqual([]);
    });

    it('refuses an AP for an unknown tenant: TENANT_NOT_FOUND', async () => {
      await expectAppError(ctx.stores.accessPoints.create('no-such-tenant', newAp('aa:bb:cc:00:00:01')), E.TENANT_NOT_FOUND, {
        tenant: 'no-such-tenant',
      });
    });

    it("isolates tenants: another tenant's AP is not found, not updated, not deleted", async () => {
      const { a, b } = await twoTenants();
      const ap = await ctx.stores.accessPoints.create(a.id, newAp('aa:bb:cc:00:00:01', { nasIdentifier: 'gw-1' }));
      expect(await ctx.stores.accessPoints.get(b.id, ap.id)).toBeNull();
      expect(await ctx.stores.accessPoints.list(b.id)).toEqual([]);
      expect(await ctx.stores.accessPoints.findByNasIdentifier(b.id, 'gw-1')).toBeNull();
      await expectAppError(ctx.stores.accessPoints.update(b.id, ap.id, { name: 'hijacked' }), E.AP_NOT_FOUND, { ap: ap.id });
      await expectAppError(ctx.stores.accessPoints.delete(b.id, ap.id), E.AP_NOT_FOUND, { ap: ap.id });
      expect(await ctx.stores.accessPoints.get(a.id, ap.id)).toEqual(ap);
      // findByMac is federation-wide by design: the caller checks the tenant.
      expect(await ctx.stores.accessPoints.findByMac(ap.mac)).toEqual(ap);
    });

    it('lists by name, then MAC', async () => {
      const { a, b } = await twoTenants();
      await ctx.stores.accessPoints.create(a.id, newAp('aa:bb:cc:00:00:03', { name: 'Gare' }));
      await ctx.stores.accessPoints.create(a.id, newAp('aa:bb:cc:00:00:02', { name: 'Mairie' }));
      await ctx.stores.accessPoints.create(a.id, newAp('aa:bb:cc:00:00:01', { name: 'Mairie' }));
      await ctx.stores.accessPoints.create(b.id, newAp('aa:bb:cc:00:00:04', { name: 'Bibliothèque' }));
      expect((await ctx.stores.accessPoints.list(a.id)).map((ap) => `${ap.name} ${ap.mac}`)).toEqual([
        'Gare aa:bb:cc:00:00:03',
        'Mairie aa:bb:cc:00:00:01',
        'Mairie aa:bb:cc:00:00:02',
      ]);
    });

    it('updates given fields (null clears), moves updatedAt, keeps the rest', async () => {
      const { a } = await twoTenants();
      const ap = await ctx.stores.accessPoints.create(a.id, newAp('aa:bb:cc:00:00:01', { site: 'Mairie', model: 'U6-Lite' }));
      const later = ctx.clock.advance(MINUTE);
      const u = await ctx.stores.accessPoints.update(a.id, ap.id, {
        name: 'Renamed',
        site: null,
        latitude: 48.1,
        longitude: -1.6,
        nasIdentifier: 'gw-9',
      });
      expect(u).toEqual({ ...ap, name: 'Renamed', site: null, latitude: 48.1, longitude: -1.6, nasIdentifier: 'gw-9', updatedAt: later });
      expect(await ctx.stores.accessPoints.get(a.id, ap.id)).toEqual(u);
      expect(await ctx.stores.accessPoints.findByNasIdentifier(a.id, 'gw-9')).toEqual(u);
    });

    it('changes the MAC unless another AP has it: AP_EXISTS', async () => {
      const { a, b } = await twoTenants();
      const ap = await ctx.stores.accessPoints.create(a.id, newAp('aa:bb:cc:00:00:01'));
      await ctx.stores.accessPoints.create(b.id, newAp('aa:bb:cc:00:00:02'));
      const moved = await ctx.stores.accessPoints.update(a.id, ap.id, { mac: mac('aa:bb:cc:00:00:03') });
      expect(await ctx.stores.accessPoints.findByMac(mac('aa:bb:cc:00:00:03'))).toEqual(moved);
      expect(await ctx.stores.accessPoints.findByMac(mac('aa:bb:cc:00:00:01'))).toBeNull();
      await expectAppError(ctx.stores.accessPoints.update(a.id, ap.id, { mac: mac('aa:bb:cc:00:00:02') }), E.AP_EXISTS, {
        mac: 'aa:bb:cc:00:00:02',
      });
      expect(await ctx.stores.accessPoints.get(a.id, ap.id)).toEqual(moved);
    });

    it('refuses to update or delete an unknown AP: AP_NOT_FOUND', async () => {
      const { a } = await twoTenants();
      await expectAppError(ctx.stores.accessPoints.update(a.id, 'no-such-ap', { name: 'x' }), E.AP_NOT_FOUND, { ap: 'no-such-ap' });
      await expectAppError(ctx.stores.accessPoints.delete(a.id, 'no-such-ap'), E.AP_NOT_FOUND, { ap: 'no-such-ap' });
    });

    it('deletes an AP, freeing its MAC', async () => {
      const { a, b } = await twoTenants();
      const ap = await ctx.stores.accessPoints.create(a.id, newAp('aa:bb:cc:00:00:01'));
      await ctx.stores.accessPoints.delete(a.id, ap.id);
      expect(await ctx.stores.accessPoints.get(a.id, ap.id)).toBeNull();
      expect(await ctx.stores.accessPoints.findByMac(ap.mac)).toBeNull();
      expect(await ctx.stores.accessPoints.list(a.id)).toEqual([]);
      await ctx.stores.accessPoints.create(b.id, newAp('aa:bb:cc:00:00:01'));
    });
  });
}
