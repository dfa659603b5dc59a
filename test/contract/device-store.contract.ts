import { describe, expect, it } from 'vitest';
import { E } from '../../controller/errors.js';
import { DAY, expectAppError, HOUR, mac, newIdentity, T0, at, useStores, type MakeStores } from './harness.js';

/**
 * Ordering: listByIdentity() most recently remembered first (expired devices
 * included). A device expires at expiresAt. Remembering a MAC for another
 * identity moves it; remembering it again for the same one refreshes it and
 * keeps its id.
 */
export function describeDeviceStore(name: string, make: MakeStores): void {
  describe(`DeviceStore contract: ${name}`, () => {
    const ctx = useStores(make);
    const M1 = mac('3c:22:fb:00:00:01');
    const M2 = mac('3c:22:fb:00:00:02');

    it('remembers a MAC for an identity until it expires', async () => {
      const alice = await ctx.stores.identities.create(newIdentity('alice'));
      const expires = at(30 * DAY);
      const d = await ctx.stores.devices.remember(alice.id, M1, expires, 'phone');
      expect(d).toEqual({ id: expect.any(String), identityId: alice.id, mac: M1, label: 'phone', rememberedAt: T0, expiresAt: expires });
      expect(await ctx.stores.devices.findActiveByMac(M1, at(29 * DAY))).toEqual(d);
      expect(await ctx.stores.devices.findActiveByMac(M1, expires)).toBeNull();
      expect(await ctx.stores.devices.findActiveByMac(M1, at(31 * DAY))).toBeNull();
      expect(await ctx.stores.devices.findActiveByMac(M2, T0)).toBeNull();
    });

    it('refreshes a MAC remembered again by the same identity, keeping its id', async () => {
      const alice = await ctx.stores.identities.create(newIdentity('alice'));
      const d1 = await ctx.stores.devices.remember(alice.id, M1, at(DAY), 'phone');
      const now = ctx.clock.advance(HOUR);
      const d2 = await ctx.stores.devices.remember(alice.id, M1, at(30 * DAY), 'new phone');
      expect(d2).toEqual({ ...d1, label: 'new phone', rememberedAt: now, expiresAt: at(30 * DAY) });
      expect(await ctx.stores.devices.listByIdentity(alice.id)).toEqual([d2]);
    });

    it('moves a MAC remembered by another identity', async () => {
      const alice = await ctx.stores.identities.create(newIdentity('alice'));
      const bob = await ctx.stores.identities.create(newIdentity('bob'));
      const da = await ctx.stores.devices.remember(alice.id, M1, at(DAY), 'shared tablet');
      const db = await ctx.stores.devices.remember(bob.id, M1, at(2 * DAY), null);
      expect(db).toMatchObject({ identityId: bob.id, mac: M1, label: null, expiresAt: at(2 * DAY) });
      expect(await ctx.stores.devices.listByIdentity(alice.id)).toEqual([]);
      expect(await ctx.stores.devices.listByIdentity(bob.id)).toEqual([db]);
      expect(await ctx.stores.devices.findActiveByMac(M1, T0)).toEqual(db);
      // Alice's handle on it is gone with it.
      await expectAppError(ctx.stores.devices.forget(alice.id, da.id), E.DEVICE_NOT_FOUND);
      expect(await ctx.stores.devices.listByIdentity(bob.id)).toEqual([db]);
    });

    it('lists an identity’s devices, most recently remembered first, expired ones included', async () => {
      const alice = await ctx.stores.identities.create(newIdentity('alice'));
      const bob = await ctx.stores.identities.create(newIdentity('bob'));
      await ctx.stores.devices.remember(alice.id, M1, at(HOUR), 'old');
      ctx.clock.advance(2 * HOUR);
      await ctx.stores.devices.remember(alice.id, M2, at(DAY), 'new');
      await ctx.stores.devices.remember(bob.id, mac('3c:22:fb:00:00:03'), at(DAY), 'bob’s');
      expect((await ctx.stores.devices.listByIdentity(alice.id)).map((d) => d.label)).toEqual(['new', 'old']);
      expect(await ctx.stores.devices.listByIdentity('nobody')).toEqual([]);
    });

    it('forgets a device of its identity only: DEVICE_NOT_FOUND otherwise', async () => {
      const alice = await ctx.stores.identities.create(newIdentity('alice'));
      const bob = await ctx.stores.identities.create(newIdentity('bob'));
      const d = await ctx.stores.devices.remember(alice.id, M1, at(DAY), null);
      await expectAppError(ctx.stores.devices.forget(bob.id, d.id), E.DEVICE_NOT_FOUND, { device: d.id });
      expect(await ctx.stores.devices.findActiveByMac(M1, T0)).toEqual(d);
      await ctx.stores.devices.forget(alice.id, d.id);
      expect(await ctx.stores.devices.findActiveByMac(M1, T0)).toBeNull();
      expect(await ctx.stores.devices.listByIdentity(alice.id)).toEqual([]);
      await expectAppError(ctx.stores.devices.forget(alice.id, d.id), E.DEVICE_NOT_FOUND, { device: d.id });
    });

    it('refuses to remember a MAC for an unknown identity: IDENTITY_NOT_FOUND', async () => {
      await expectAppError(ctx.stores.devices.remember('no-such-identity', M1, at(DAY), null), E.IDENTITY_NOT_FOUND, {
        user: 'no-such-identity',
      });
      expect(await ctx.stores.devices.findActiveByMac(M1, T0)).toBeNull();
    });
  });
}
