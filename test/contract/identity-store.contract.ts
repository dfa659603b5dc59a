import { describe, expect, it } from 'vitest';
import { E } from '../../controller/errors.js';
import { expectAppError, MINUTE, newIdentity, T0, useStores, type MakeStores } from './harness.js';

/** Ordering: list() by username. Usernames and e-mails compare case-insensitively. */
export function describeIdentityStore(name: string, make: MakeStores): void {
  describe(`IdentityStore contract: ${name}`, () => {
    const ctx = useStores(make);

    it('creates an identity: enabled, never seen, password changed at creation', async () => {
      const i = await ctx.stores.identities.create(newIdentity('alice', { locale: 'en' }));
      expect(i).toEqual({
        id: expect.any(String),
        username: 'alice',
        email: 'alice@example.org',
        passwordHash: newIdentity('alice').passwordHash,
        verified: false,
        verifiedAt: null,
        locale: 'en',
        disabled: false,
        passwordChangedAt: T0,
        createdAt: T0,
        updatedAt: T0,
        lastSeenAt: null,
      });
      expect(await ctx.stores.identities.get(i.id)).toEqual(i);
    });

    it('marks an identity created verified as verified now', async () => {
      const i = await ctx.stores.identities.create(newIdentity('alice', { verified: true }));
      expect(i).toMatchObject({ verified: true, verifiedAt: T0 });
      expect(await ctx.stores.identities.get(i.id)).toEqual(i);
    });

    it('finds by username and by e-mail, whatever the case', async () => {
      const i = await ctx.stores.identities.create(newIdentity('alice'));
      expect(await ctx.stores.identities.getByUsername('alice')).toEqual(i);
      expect(await ctx.stores.identities.getByUsername('ALICE')).toEqual(i);
      expect(await ctx.stores.identities.getByEmail('alice@example.org')).toEqual(i);
      expect(await ctx.stores.identities.getByEmail('Alice@Example.ORG')).toEqual(i);
    });

    it('gives null for unknown id, username or e-mail', async () => {
      await ctx.stores.identities.create(newIdentity('alice'));
      expect(await ctx.stores.identities.get('no-such-id')).toBeNull();
      expect(await ctx.stores.identities.getByUsername('bob')).toBeNull();
      expect(await ctx.stores.identities.getByEmail('bob@example.org')).toBeNull();
    });

    it('refuses a taken username, whatever the case: USERNAME_TAKEN', async () => {
      await ctx.stores.identities.create(newIdentity('alice'));
      await expectAppError(ctx.stores.identities.create(newIdentity('alice', { email: 'other@example.org' })), E.USERNAME_TAKEN, {
        username: 'alice',
      });
      await expectAppError(ctx.stores.identities.create(newIdentity('ALICE', { email: 'other@example.org' })), E.USERNAME_TAKEN, {
        username: 'ALICE',
      });
    });

    it('refuses a taken e-mail, whatever the case, without naming it: EMAIL_TAKEN', async () => {
      await ctx.stores.identities.create(newIdentity('alice'));
      const err = await expectAppError(ctx.stores.identities.create(newIdentity('bob', { email: 'ALICE@example.org' })), E.EMAIL_TAKEN);
      expect(err.message).not.toContain('alice');
      expect(await ctx.stores.identities.getByUsername('bob')).toBeNull();
    });

    it('allows many identities without an e-mail', async () => {
      await ctx.stores.identities.create(newIdentity('alice', { email: null }));
      await ctx.stores.identities.create(newIdentity('bob', { email: null }));
      expect(await ctx.stores.identities.list()).toHaveLength(2);
    });

    it('lists by username, with limit and offset', async () => {
      for (const u of ['dave', 'alice', 'carol', 'bob']) await ctx.stores.identities.create(newIdentity(u));
      const names = async (opts?: { limit?: number; offset?: number }) =>
        (await ctx.stores.identities.list(opts)).map((i) => i.username);
      expect(await names()).toEqual(['alice', 'bob', 'carol', 'dave']);
      expect(await names({ limit: 2 })).toEqual(['alice', 'bob']);
      expect(await names({ limit: 2, offset: 2 })).toEqual(['carol', 'dave']);
      expect(await names({ offset: 3 })).toEqual(['dave']);
      expect(await names({ offset: 10 })).toEqual([]);
    });

    it('moves updatedAt on a change, and passwordChangedAt only with a new password hash', async () => {
      const { identities } = ctx.stores;
      const i = await identities.create(newIdentity('alice'));
      const t1 = ctx.clock.advance(MINUTE);
      const u1 = await identities.update(i.id, { locale: 'en' });
      expect(u1).toEqual({ ...i, locale: 'en', updatedAt: t1 });
      const t2 = ctx.clock.advance(MINUTE);
      const u2 = await identities.update(i.id, { passwordHash: '$argon2id$new' });
      expect(u2).toEqual({ ...u1, passwordHash: '$argon2id$new', passwordChangedAt: t2, updatedAt: t2 });
      expect(await identities.get(i.id)).toEqual(u2);
    });

    it('leaves an identity untouched by a patch that changes nothing', async () => {
      const { identities } = ctx.stores;
      const i = await identities.create(newIdentity('alice'));
      ctx.clock.advance(MINUTE);
      expect(await identities.update(i.id, {})).toEqual(i);
      expect(await identities.update(i.id, { locale: 'fr', passwordHash: i.passwordHash })).toEqual(i);
      expect(await identities.get(i.id)).toEqual(i);
    });

    it('sets verifiedAt when verified, keeps it when verified again, clears it when unverified', async () => {
      const { identities } = ctx.stores;
      const i = await identities.create(newIdentity('alice'));
      const t1 = ctx.clock.advance(MINUTE);
      expect(await identities.update(i.id, { verified: true })).toMatchObject({ verified: true, verifiedAt: t1 });
      ctx.clock.advance(MINUTE);
      expect(await identities.update(i.id, { verified: true })).toMatchObject({ verified: true, verifiedAt: t1, updatedAt: t1 });
      expect(await identities.update(i.id, { verified: false })).toMatchObject({ verified: false, verifiedAt: null });
      expect(await identities.get(i.id)).toMatchObject({ verified: false, verifiedAt: null });
    });

    it('disables, changes and removes the e-mail', async () => {
      const { identities } = ctx.stores;
      const i = await identities.create(newIdentity('alice'));
      expect(await identities.update(i.id, { disabled: true, email: 'new@example.org' })).toMatchObject({
        disabled: true,
        email: 'new@example.org',
      });
      expect(await identities.getByEmail('new@example.org')).toMatchObject({ id: i.id, disabled: true });
      expect(await identities.getByEmail('alice@example.org')).toBeNull();
      expect(await identities.update(i.id, { email: null })).toMatchObject({ email: null });
      expect(await identities.get(i.id)).toMatchObject({ email: null });
    });

    it("refuses to take another identity's e-mail: EMAIL_TAKEN, nothing changed", async () => {
      const { identities } = ctx.stores;
      await identities.create(newIdentity('alice'));
      const bob = await identities.create(newIdentity('bob'));
      ctx.clock.advance(MINUTE);
      await expectAppError(identities.update(bob.id, { email: 'alice@example.org', locale: 'en' }), E.EMAIL_TAKEN);
      expect(await identities.get(bob.id)).toEqual(bob);
    });

    it('refuses to update an unknown identity: IDENTITY_NOT_FOUND', async () => {
      await expectAppError(ctx.stores.identities.update('no-such-id', { locale: 'en' }), E.IDENTITY_NOT_FOUND, { user: 'no-such-id' });
    });

    it('touch records lastSeenAt without moving updatedAt; unknown ids are ignored', async () => {
      const { identities } = ctx.stores;
      const i = await identities.create(newIdentity('alice'));
      const seen = ctx.clock.advance(MINUTE);
      await identities.touch(i.id, seen);
      expect(await identities.get(i.id)).toEqual({ ...i, lastSeenAt: seen });
      await identities.touch('no-such-id', seen);
    });
  });
}
