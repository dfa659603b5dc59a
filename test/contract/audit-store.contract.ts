import { describe, expect, it } from 'vitest';
import type { NewAuditEvent } from '../../controller/ports/stores.js';
import { at, MINUTE, T0, useStores, type MakeStores } from './harness.js';

const event = (action: string, tenantId: string | null, over: Partial<NewAuditEvent> = {}): NewAuditEvent => ({
  actor: 'cli:root',
  tenantId,
  action,
  target: `target-of-${action}`,
  before: null,
  after: null,
  ...over,
});

/**
 * Ordering: newest first; events of the same instant, the last appended
 * first. list({ tenantId }): undefined gives every event, null the
 * federation-wide ones, a string that tenant's. before/after round-trip as JSON.
 */
export function describeAuditStore(name: string, make: MakeStores): void {
  describe(`AuditStore contract: ${name}`, () => {
    const ctx = useStores(make);

    it('appends an event at the clock time unless given one, keeping before/after as JSON', async () => {
      const before = { name: 'Rennes', policy: { simultaneousUse: 2, dailyTimeQuota: null }, tags: ['a', 'b'] };
      const after = { name: 'Ville de Rennes', policy: { simultaneousUse: 3, dailyTimeQuota: 3600 }, tags: [] };
      const e = await ctx.stores.audit.append(event('tenant.update', 't-1', { before, after }));
      expect(e).toEqual({
        id: expect.any(String),
        at: T0,
        actor: 'cli:root',
        tenantId: 't-1',
        action: 'tenant.update',
        target: 'target-of-tenant.update',
        before,
        after,
      });
      const explicit = await ctx.stores.audit.append(event('ap.delete', 't-1', { at: at(-MINUTE) }));
      expect(explicit.at).toEqual(at(-MINUTE));
      expect(await ctx.stores.audit.list({})).toEqual([e, explicit]);
    });

    it('reads an absent before/after back as null', async () => {
      await ctx.stores.audit.append(event('tenant.create', null, { before: undefined, after: { slug: 'x' } }));
      const [e] = await ctx.stores.audit.list({});
      expect(e).toMatchObject({ before: null, after: { slug: 'x' } });
    });

    it('lists newest first, the last appended first within one instant', async () => {
      await ctx.stores.audit.append(event('first', null));
      await ctx.stores.audit.append(event('second', null));
      ctx.clock.advance(MINUTE);
      await ctx.stores.audit.append(event('third', null));
      await ctx.stores.audit.append(event('back-dated', null, { at: at(-MINUTE) }));
      expect((await ctx.stores.audit.list({})).map((e) => e.action)).toEqual(['third', 'second', 'first', 'back-dated']);
    });

    it('filters by tenant scope and limits', async () => {
      await ctx.stores.audit.append(event('fed', null));
      ctx.clock.advance(MINUTE);
      await ctx.stores.audit.append(event('a-1', 't-a'));
      ctx.clock.advance(MINUTE);
      await ctx.stores.audit.append(event('b-1', 't-b'));
      ctx.clock.advance(MINUTE);
      await ctx.stores.audit.append(event('a-2', 't-a'));
      const actions = async (q: { tenantId?: string | null; limit?: number }) => (await ctx.stores.audit.list(q)).map((e) => e.action);
      expect(await actions({})).toEqual(['a-2', 'b-1', 'a-1', 'fed']);
      expect(await actions({ tenantId: 't-a' })).toEqual(['a-2', 'a-1']);
      expect(await actions({ tenantId: null })).toEqual(['fed']);
      expect(await actions({ limit: 2 })).toEqual(['a-2', 'b-1']);
      expect(await actions({ tenantId: 't-a', limit: 1 })).toEqual(['a-2']);
      expect(await actions({ tenantId: 't-none' })).toEqual([]);
    });

    it('filters by action: exact, or by prefix when it ends with a dot (LIKE wildcards are literal)', async () => {
      for (const [action, tenantId] of [
        ['legal.export', 't-a'],
        ['legal.hold.create', null],
        ['legalese', 't-a'],
        ['legal%', 't-a'],
        ['tenant.update', 't-a'],
        ['legal.export', 't-b'],
      ] as const) {
        await ctx.stores.audit.append(event(action, tenantId));
        ctx.clock.advance(MINUTE);
      }
      const seen = async (q: { tenantId?: string | null; action?: string; limit?: number }) =>
        (await ctx.stores.audit.list(q)).map((e) => `${e.action}@${e.tenantId ?? '-'}`);
      expect(await seen({ action: 'legal.' })).toEqual(['legal.export@t-b', 'legal.hold.create@-', 'legal.export@t-a']);
      expect(await seen({ action: 'legal.export' })).toEqual(['legal.export@t-b', 'legal.export@t-a']);
      expect(await seen({ action: 'legal.', tenantId: 't-a' })).toEqual(['legal.export@t-a']);
      expect(await seen({ action: 'legal.', tenantId: null })).toEqual(['legal.hold.create@-']);
      expect(await seen({ action: 'legal.', limit: 1 })).toEqual(['legal.export@t-b']);
      expect(await seen({ action: 'legal_' })).toEqual([]);
      expect(await seen({ action: 'legal%' })).toEqual(['legal%@t-a']);
      expect(await seen({ action: 'legal' })).toEqual([]);
    });
  });
}
