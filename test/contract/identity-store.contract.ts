import { describe, expect, it } from 'vitest';
import { E } from '../../controller/errors.js';
import type { Identity } from '../../controller/domain/entities.js';
import type { Stores } from '../../controller/ports/stores.js';
import { acct, at, DAY, expectAppError, mac, MINUTE, newIdentity, newTenant, T0, useStores, type MakeStores } from './harness.js';

const names = (list: readonly Identity[]) => list.map((i) => i.username);

/**
 * The archive an erasure leaves, read through the legal-log port when the
 * backend has it wired (it is the port that owns the archive's reads).
 */
async function archiveOf(stores: Stores, identityId: string) {
  return (stores as Partial<Stores>).legal ? stores.legal.archivedIdentity(identityId) : undefined;
}

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
        inactivityNoticeAt: null,
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

  describe(`IdentityStore inactivity and erasure contract: ${name}`, () => {
    const ctx = useStores(make);

    it('touch clears an inactivity notice: the citizen came back', async () => {
      const { identities } = ctx.stores;
      const i = await identities.create(newIdentity('alice'));
      const noticed = ctx.clock.advance(DAY);
      await identities.markInactivityNotice(i.id, noticed);
      expect(await identities.get(i.id)).toEqual({ ...i, inactivityNoticeAt: noticed });
      const back = ctx.clock.advance(DAY);
      await identities.touch(i.id, back);
      expect(await identities.get(i.id)).toEqual({ ...i, lastSeenAt: back, inactivityNoticeAt: null });
    });

    it('lists identities inactive since a date, oldest first: last login, or creation when they never logged in', async () => {
      const { identities } = ctx.stores;
      const alice = await identities.create(newIdentity('alice')); // created T0, never logged in
      ctx.clock.advance(DAY);
      const bob = await identities.create(newIdentity('bob')); // created T0+1d
      ctx.clock.advance(DAY);
      await identities.create(newIdentity('carol')); // created T0+2d
      await identities.touch(alice.id, at(3 * DAY)); // alice came back at T0+3d
      await identities.touch(bob.id, at(DAY + MINUTE));

      expect(names(await identities.listInactive(at(2 * DAY + MINUTE), 10))).toEqual(['bob', 'carol']);
      expect(names(await identities.listInactive(at(2 * DAY + MINUTE), 1))).toEqual(['bob']);
      // Strictly before: activity at the cut-off itself is recent enough.
      expect(names(await identities.listInactive(at(2 * DAY), 10))).toEqual(['bob']);
      expect(names(await identities.listInactive(at(4 * DAY), 10))).toEqual(['bob', 'carol', 'alice']);
      expect(await identities.listInactive(T0, 10)).toEqual([]);
      // Whole identities, as get() reads them.
      expect((await identities.listInactive(at(4 * DAY), 1))[0]).toEqual(await identities.get(bob.id));
    });

    it('leaves noticed identities out of the inactive list, until a login clears the notice', async () => {
      const { identities } = ctx.stores;
      const alice = await identities.create(newIdentity('alice'));
      await identities.create(newIdentity('bob'));
      const noticed = ctx.clock.advance(10 * DAY);
      await identities.markInactivityNotice(alice.id, noticed);
      expect(names(await identities.listInactive(noticed, 10))).toEqual(['bob']);
      // The notice does not move updatedAt: caches of verified passwords key on it.
      expect(await identities.get(alice.id)).toMatchObject({ updatedAt: T0, inactivityNoticeAt: noticed });
      await identities.touch(alice.id, at(11 * DAY));
      expect(names(await identities.listInactive(at(11 * DAY), 10))).toEqual(['bob']);
      expect(names(await identities.listInactive(at(12 * DAY), 10))).toEqual(['bob', 'alice']);
      await identities.markInactivityNotice('no-such-id', noticed);
    });

    it('lists notices older than a date, oldest notice first; a login takes the identity off the list', async () => {
      const { identities } = ctx.stores;
      const [alice, bob, carol] = [await identities.create(newIdentity('alice')), await identities.create(newIdentity('bob')), await identities.create(newIdentity('carol'))];
      await identities.markInactivityNotice(bob.id, at(DAY));
      await identities.markInactivityNotice(alice.id, at(2 * DAY));
      await identities.markInactivityNotice(carol.id, at(3 * DAY));
      expect(await identities.listNoticeExpired(at(DAY), 10)).toEqual([]);
      expect(names(await identities.listNoticeExpired(at(DAY + 1), 10))).toEqual(['bob']);
      expect(names(await identities.listNoticeExpired(at(4 * DAY), 10))).toEqual(['bob', 'alice', 'carol']);
      expect(names(await identities.listNoticeExpired(at(4 * DAY), 2))).toEqual(['bob', 'alice']);
      await identities.touch(alice.id, at(4 * DAY));
      expect(names(await identities.listNoticeExpired(at(5 * DAY), 10))).toEqual(['bob', 'carol']);
      expect((await identities.listNoticeExpired(at(5 * DAY), 1))[0]).toEqual(await identities.get(bob.id));
    });

    it('erases an identity: account and devices gone, sessions kept under the pseudonym, username and e-mail archived', async () => {
      const { identities, devices, sessions, accounting } = ctx.stores;
      const tenant = await ctx.stores.tenants.create(newTenant('rennes'));
      const alice = await identities.create(newIdentity('alice'));
      const bob = await identities.create(newIdentity('bob'));
      const phone = mac('02-00-00-00-00-01');
      await devices.remember(alice.id, phone, at(180 * DAY), 'phone');
      await devices.remember(bob.id, mac('02-00-00-00-00-02'), at(180 * DAY), null);
      await accounting.record([
        acct({ tenantId: tenant.id, statusType: 'start', acctSessionId: 'a-1', identityId: alice.id, username: 'alice', callingStationId: phone }),
        acct({ tenantId: tenant.id, statusType: 'stop', acctSessionId: 'a-1', identityId: alice.id, username: 'alice', callingStationId: phone, eventAt: at(MINUTE), sessionTime: 60, inputOctets: 10, outputOctets: 20 }),
        acct({ tenantId: tenant.id, statusType: 'start', acctSessionId: 'a-2', identityId: alice.id, username: 'alice', callingStationId: phone, eventAt: at(2 * MINUTE) }),
        acct({ tenantId: tenant.id, statusType: 'start', acctSessionId: 'b-1', identityId: bob.id, username: 'bob', callingStationId: null }),
      ]);
      const before = await sessions.list({ identityId: alice.id });
      expect(before).toHaveLength(2);

      const erasedAt = ctx.clock.advance(DAY);
      await identities.erase(alice.id, erasedAt, 'citizen');

      expect(await identities.get(alice.id)).toBeNull();
      expect(await identities.getByUsername('alice')).toBeNull();
      expect(await identities.getByEmail('alice@example.org')).toBeNull();
      expect(names(await identities.list())).toEqual(['bob']);
      expect(await devices.listByIdentity(alice.id)).toEqual([]);
      expect(await devices.findActiveByMac(phone, erasedAt)).toBeNull();
      // The legal connection log keeps every session, identity id and all, under the pseudonym.
      const after = await sessions.list({ identityId: alice.id });
      expect(after).toEqual(before.map((s) => ({ ...s, username: `erased:${alice.id}` })));
      expect(await sessions.countActive(alice.id)).toBe(1);
      // Nobody else's.
      expect(await sessions.list({ identityId: bob.id })).toMatchObject([{ username: 'bob' }]);
      expect(await devices.listByIdentity(bob.id)).toHaveLength(1);
      expect(await identities.get(bob.id)).toEqual(bob);

      const archived = await archiveOf(ctx.stores, alice.id);
      if (archived !== undefined) expect(archived).toEqual({ username: 'alice', email: 'alice@example.org', erasedAt, reason: 'citizen' });
    });

    it('frees the username and e-mail of an erased identity for a new account, with a new id', async () => {
      const { identities } = ctx.stores;
      const old = await identities.create(newIdentity('alice'));
      await identities.markInactivityNotice(old.id, at(DAY));
      await identities.erase(old.id, at(40 * DAY), 'inactivity');
      expect(await identities.listNoticeExpired(at(400 * DAY), 10)).toEqual([]);
      const again = await identities.create(newIdentity('ALICE', { email: 'Alice@example.org' }));
      expect(again.id).not.toBe(old.id);
      expect(await identities.getByEmail('alice@example.org')).toEqual(again);
      const archived = await archiveOf(ctx.stores, old.id);
      if (archived !== undefined) expect(archived).toMatchObject({ username: 'alice', reason: 'inactivity' });
    });

    it('archives an identity without e-mail, erased by an operator', async () => {
      const { identities } = ctx.stores;
      const i = await identities.create(newIdentity('dave', { email: null }));
      await identities.erase(i.id, at(DAY), 'operator');
      expect(await identities.get(i.id)).toBeNull();
      const archived = await archiveOf(ctx.stores, i.id);
      if (archived !== undefined) expect(archived).toEqual({ username: 'dave', email: null, erasedAt: at(DAY), reason: 'operator' });
    });

    it('refuses to erase an unknown or already erased identity: IDENTITY_NOT_FOUND', async () => {
      const { identities } = ctx.stores;
      const i = await identities.create(newIdentity('alice'));
      await identities.erase(i.id, at(DAY), 'citizen');
      await expectAppError(identities.erase(i.id, at(2 * DAY), 'citizen'), E.IDENTITY_NOT_FOUND, { user: i.id });
      await expectAppError(identities.erase('no-such-id', at(2 * DAY), 'operator'), E.IDENTITY_NOT_FOUND, { user: 'no-such-id' });
      const archived = await archiveOf(ctx.stores, i.id);
      if (archived !== undefined) expect(archived).toMatchObject({ erasedAt: at(DAY) });
    });
  });
}
