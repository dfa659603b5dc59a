import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../controller/domain/policy.js';
import { E } from '../../controller/errors.js';
import { expectAppError, MINUTE, newTenant, T0, useStores, type MakeStores } from './harness.js';

/** Ordering: list() by slug. */
export function describeTenantStore(name: string, make: MakeStores): void {
  describe(`TenantStore contract: ${name}`, () => {
    const ctx = useStores(make);

    it('creates a tenant with an id and the clock time, and reads it back by id and slug', async () => {
      const { tenants } = ctx.stores;
      const input = newTenant('rennes', {
        branding: { displayName: 'Wi-Fi Rennes', primaryColor: '#123456', logoUrl: 'https://rennes.example/logo.svg' },
        policy: { ...DEFAULT_POLICY, dailyTimeQuota: 7200, dailyDataQuota: null, unregisteredAp: 'reject' },
        wifi4eu: { networkId: 'b5b7b3f0-0000-4000-8000-000000000001', language: 'fr', selfTest: true },
      });
      const t = await tenants.create(input);
      expect(t.id).toEqual(expect.any(String));
      expect(t).toMatchObject({ ...input, createdAt: T0, updatedAt: T0 });
      expect(await tenants.get(t.id)).toEqual(t);
      expect(await tenants.getBySlug('rennes')).toEqual(t);
    });

    it('keeps a null wifi4eu as null', async () => {
      const t = await ctx.stores.tenants.create(newTenant('brest'));
      expect((await ctx.stores.tenants.get(t.id))?.wifi4eu).toBeNull();
    });

    it('gives null for an unknown id or slug', async () => {
      expect(await ctx.stores.tenants.get('00000000-0000-4000-8000-000000000000')).toBeNull();
      expect(await ctx.stores.tenants.getBySlug('nowhere')).toBeNull();
    });

    it('refuses a second tenant with the same slug: TENANT_EXISTS', async () => {
      await ctx.stores.tenants.create(newTenant('rennes'));
      await expectAppError(ctx.stores.tenants.create(newTenant('rennes', { name: 'Other' })), E.TENANT_EXISTS, { slug: 'rennes' });
      expect(await ctx.stores.tenants.list()).toHaveLength(1);
    });

    it('lists tenants ordered by slug', async () => {
      expect(await ctx.stores.tenants.list()).toEqual([]);
      for (const slug of ['vannes', 'brest', 'rennes', 'lorient']) await ctx.stores.tenants.create(newTenant(slug));
      expect((await ctx.stores.tenants.list()).map((t) => t.slug)).toEqual(['brest', 'lorient', 'rennes', 'vannes']);
    });

    it('updates the given fields only, moves updatedAt, keeps slug and createdAt', async () => {
      const { tenants } = ctx.stores;
      const t = await tenants.create(newTenant('rennes'));
      const later = ctx.clock.advance(5 * MINUTE);
      const policy = { ...DEFAULT_POLICY, simultaneousUse: 3 };
      const u = await tenants.update(t.id, { name: 'Ville de Rennes', policy });
      expect(u).toEqual({ ...t, name: 'Ville de Rennes', policy, updatedAt: later });
      expect(await tenants.get(t.id)).toEqual(u);
    });

    it('sets and clears wifi4eu', async () => {
      const { tenants } = ctx.stores;
      const t = await tenants.create(newTenant('rennes'));
      const wifi4eu = { networkId: 'net-1', language: 'en' as const, selfTest: false };
      expect((await tenants.update(t.id, { wifi4eu })).wifi4eu).toEqual(wifi4eu);
      expect((await tenants.get(t.id))?.wifi4eu).toEqual(wifi4eu);
      expect((await tenants.update(t.id, { wifi4eu: null })).wifi4eu).toBeNull();
      expect((await tenants.get(t.id))?.wifi4eu).toBeNull();
    });

    it('keeps portal settings: null by default, set at creation, updated and cleared', async () => {
      const { tenants } = ctx.stores;
      const portal = { gateway: 'coovachilli' as const, uamSecret: 'uam-secret-1234', uamAuth: 'chap' as const, fasKey: null, walledGarden: ['cdn.example.fr'] };
      const plain = await tenants.create(newTenant('brest'));
      expect(plain.portal).toBeNull();
      expect((await tenants.get(plain.id))?.portal).toBeNull();
      const t = await tenants.create(newTenant('rennes', { portal }));
      expect((await tenants.get(t.id))?.portal).toEqual(portal);
      const other = { ...portal, gateway: 'opennds' as const, uamSecret: null, fasKey: 'fas-key-1234', walledGarden: [] };
      expect((await tenants.update(t.id, { portal: other })).portal).toEqual(other);
      expect((await tenants.get(t.id))?.portal).toEqual(other);
      // A patch without the field leaves it alone.
      expect((await tenants.update(t.id, { name: 'Rennes' })).portal).toEqual(other);
      expect((await tenants.update(t.id, { portal: null })).portal).toBeNull();
      expect((await tenants.getBySlug('rennes'))?.portal).toBeNull();
    });

    it('updates branding and inseeCode', async () => {
      const { tenants } = ctx.stores;
      const t = await tenants.create(newTenant('ajaccio'));
      const branding = { displayName: 'Aiacciu', primaryColor: '#ffffff', logoUrl: null };
      const u = await tenants.update(t.id, { branding, inseeCode: '2A004' });
      expect(await tenants.get(t.id)).toEqual(u);
      expect(u).toMatchObject({ branding, inseeCode: '2A004', slug: 'ajaccio' });
    });

    it('refuses to update an unknown tenant: TENANT_NOT_FOUND', async () => {
      await expectAppError(ctx.stores.tenants.update('no-such-id', { name: 'x' }), E.TENANT_NOT_FOUND, { tenant: 'no-such-id' });
    });
  });
}
