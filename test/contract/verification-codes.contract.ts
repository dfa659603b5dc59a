/**
 * The one suite every VerificationCodeStore adapter passes (memory, Redis),
 * on a manual clock. `a` and `b` are two handles on the same state ("two nodes").
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IssueCodeRequest, VerificationCodeStore } from '../../controller/ports/verification-codes.js';
import { manualClock, type ManualClock } from './live-sessions.contract.js';

export interface VerificationCodeFixture {
  readonly a: VerificationCodeStore;
  readonly b: VerificationCodeStore;
  close(): Promise<void>;
}

const MIN = 60_000;
const HOUR = 60 * MIN;

export function describeVerificationCodeStore(
  name: string,
  make: (clock: ManualClock) => Promise<VerificationCodeFixture>,
  opts: { skip?: boolean } = {},
): void {
  describe.skipIf(opts.skip ?? false)(`VerificationCodeStore contract: ${name}`, () => {
    let fx: VerificationCodeFixture;
    let clock: ManualClock;
    const req = (over: Partial<IssueCodeRequest> = {}): IssueCodeRequest => ({
      purpose: 'verify-email',
      subject: 'identity-1',
      digest: 'd-123456',
      ttlMs: 15 * MIN,
      cooldownMs: MIN,
      dailyCap: 3,
      ...over,
    });
    const check = (digest: string, over: { purpose?: 'verify-email' | 'reset-password'; subject?: string; maxAttempts?: number } = {}, on: VerificationCodeStore = fx.b) =>
      on.check({ purpose: over.purpose ?? 'verify-email', subject: over.subject ?? 'identity-1', digest, maxAttempts: over.maxAttempts ?? 3 });

    beforeEach(async () => {
      clock = manualClock();
      fx = await make(clock);
    });
    afterEach(async () => {
      await fx.close();
    });

    it('a right code is accepted once, on any node', async () => {
      expect(await fx.a.issue(req())).toEqual({ ok: true });
      expect(await check('d-123456')).toBe('ok');
      expect(await check('d-123456', {}, fx.a)).toBe('expired');
    });

    it('no code pending reads as expired', async () => {
      expect(await check('d-123456', { subject: 'nobody' })).toBe('expired');
    });

    it('a code expires ttlMs after it was issued', async () => {
      await fx.a.issue(req());
      clock.advance(15 * MIN - 1);
      expect(await check('d-wrong')).toBe('wrong');
      clock.advance(1);
      expect(await check('d-123456')).toBe('expired');
    });

    it('wrong guesses burn the code at maxAttempts; even the right code is then refused', async () => {
      await fx.a.issue(req());
      expect(await check('d-000001')).toBe('wrong');
      expect(await check('d-000002', {}, fx.a)).toBe('wrong');
      expect(await check('d-000003')).toBe('wrong');
      expect(await check('d-123456')).toBe('too-many-attempts');
      expect(await check('d-123456', {}, fx.a)).toBe('too-many-attempts');
    });

    it('a new code replaces the pending one and resets its attempts', async () => {
      await fx.a.issue(req());
      await check('d-000001');
      await check('d-000002');
      clock.advance(MIN);
      expect(await fx.b.issue(req({ digest: 'd-654321' }))).toEqual({ ok: true });
      expect(await check('d-123456')).toBe('wrong');
      expect(await check('d-654321')).toBe('ok');
    });

    it('purposes and subjects are independent', async () => {
      await fx.a.issue(req());
      await fx.a.issue(req({ purpose: 'reset-password', digest: 'd-reset' }));
      await fx.a.issue(req({ subject: 'identity-2', digest: 'd-other' }));
      expect(await check('d-reset')).toBe('wrong');
      expect(await check('d-reset', { purpose: 'reset-password' })).toBe('ok');
      expect(await check('d-other', { subject: 'identity-2' })).toBe('ok');
      expect(await check('d-123456')).toBe('ok');
    });

    it('refuses a second code within the cooldown, with the time left', async () => {
      await fx.a.issue(req());
      clock.advance(20_000);
      expect(await fx.b.issue(req({ digest: 'd-2' }))).toEqual({ ok: false, reason: 'cooldown', retryAfterMs: 40_000 });
      // The refused code did not replace the pending one.
      expect(await check('d-123456')).toBe('ok');
      clock.advance(40_000);
      expect(await fx.b.issue(req({ digest: 'd-2' }))).toEqual({ ok: true });
    });

    it('caps codes per 24 hours; the window opens with the first code', async () => {
      for (let i = 0; i < 3; i++) {
        expect(await fx.a.issue(req({ digest: `d-${i}` }))).toEqual({ ok: true });
        clock.advance(HOUR);
      }
      expect(await fx.b.issue(req({ digest: 'd-3' }))).toEqual({ ok: false, reason: 'daily-cap', retryAfterMs: 21 * HOUR });
      // The last code issued is still pending.
      expect(await check('d-2', { maxAttempts: 5 })).toBe('expired'); // issued an hour ago, 15 min ttl
      clock.advance(21 * HOUR);
      expect(await fx.b.issue(req({ digest: 'd-4' }))).toEqual({ ok: true });
      expect(await check('d-4')).toBe('ok');
    });

    it('revoke drops the pending code but keeps the cooldown', async () => {
      await fx.a.issue(req());
      await fx.b.revoke('verify-email', 'identity-1');
      expect(await check('d-123456')).toBe('expired');
      expect((await fx.a.issue(req())).ok).toBe(false);
      await fx.b.revoke('verify-email', 'nobody');
    });

    it('concurrent checks of the right code: exactly one wins', async () => {
      await fx.a.issue(req());
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => check('d-123456', {}, i % 2 ? fx.a : fx.b)));
      expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    });

    it('concurrent wrong guesses never exceed maxAttempts', async () => {
      await fx.a.issue(req());
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => check(`d-x${i}`, {}, i % 2 ? fx.a : fx.b)));
      expect(results.filter((r) => r === 'wrong')).toHaveLength(3);
      expect(results.filter((r) => r === 'too-many-attempts')).toHaveLength(7);
    });

    it('concurrent issues within the cooldown: exactly one code is issued', async () => {
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? fx.a : fx.b).issue(req({ digest: `d-${i}` }))));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
    });
  });
}
