import { describe, expect, it } from 'vitest';
import { E } from '../../controller/errors.js';
import type { NewApiToken } from '../../controller/ports/stores.js';
import { expectAppError, MINUTE, newTenant, T0, useStores, type MakeStores } from './harness.js';

const token = (name: string, tenantId: string | null, over: Partial<NewApiToken> = {}): NewApiToken => ({
  tenantId,
  name,
  role: tenantId === null ? 'admin' : 'municipal-rw',
  tokenHash: `sha256-of-${name}`,
  ...over,
});

/**
 * list(tenantId) gives exactly that scope (null: federation-wide tokens),
 * oldest first. findByHash returns revoked tokens too: the caller checks
 * revokedAt. Revoking twice keeps the first time.
 */
export function describeApiTokenStore(name: string, make: MakeStores): void {
  describe(`ApiTokenStore contract: ${name}`, () => {
    const ctx = useStores(make);

    it('creates a token and finds it by hash', async () => {
      const a = await ctx.stores.tenants.create(newTenant('rennes'));
      const t = await ctx.stores.tokens.create(token('ci', a.id, { role: 'municipal-ro' }));
      expect(t).toEqual({
        id: expect.any(String),
        tenantId: a.id,
        name: 'ci',
        role: 'municipal-ro',
        tokenHash: 'sha256-of-ci',
        createdAt: T0,
        revokedAt: null,
      });
      expect(await ctx.stores.tokens.findByHash('sha256-of-ci')).toEqual(t);
      expect(await ctx.stores.tokens.findByHash('sha256-of-nothing')).toBeNull();
    });

    it('lists the tokens of one scope, oldest first', async () => {
      const a = await ctx.stores.tenants.create(newTenant('rennes'));
      const b = await ctx.stores.tenants.create(newTenant('brest'));
      await ctx.stores.tokens.create(token('a-2', a.id));
      ctx.clock.advance(MINUTE);
      await ctx.stores.tokens.create(token('root', null));
      await ctx.stores.tokens.create(token('a-1', a.id));
      await ctx.stores.tokens.create(token('b-1', b.id));
      const names = async (tenantId: string | null) => (await ctx.stores.tokens.list(tenantId)).map((t) => t.name);
      expect(await names(a.id)).toEqual(['a-2', 'a-1']);
      expect(await names(b.id)).toEqual(['b-1']);
      expect(await names(null)).toEqual(['root']);
    });

    it('revokes a token, which stays findable with its revocation time', async () => {
      const t = await ctx.stores.tokens.create(token('root', null));
      const when = ctx.clock.advance(MINUTE);
      await ctx.stores.tokens.revoke(t.id, when);
      expect(await ctx.stores.tokens.findByHash(t.tokenHash)).toEqual({ ...t, revokedAt: when });
      await ctx.stores.tokens.revoke(t.id, ctx.clock.advance(MINUTE));
      expect((await ctx.stores.tokens.findByHash(t.tokenHash))?.revokedAt).toEqual(when);
      expect(await ctx.stores.tokens.list(null)).toEqual([{ ...t, revokedAt: when }]);
    });

    it('refuses to revoke an unknown token: TOKEN_NOT_FOUND', async () => {
      await expectAppError(ctx.stores.tokens.revoke('no-such-token', T0), E.TOKEN_NOT_FOUND, { token: 'no-such-token' });
    });

    it('refuses a token for an unknown tenant: TENANT_NOT_FOUND', async () => {
      await expectAppError(ctx.stores.tokens.create(token('x', 'no-such-tenant')), E.TENANT_NOT_FOUND, { tenant: 'no-such-tenant' });
    });
  });
}
