import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, grantFor, type Policy } from '../../../../controller/domain/policy.js';

const policy = (over: Partial<Policy> = {}): Policy => ({ ...DEFAULT_POLICY, sessionTimeout: 4 * 3600, ...over });
const nothingUsed = { seconds: 0, bytes: 0 };

describe('grantFor', () => {
  it('grants the full session timeout and no data limit without quotas', () => {
    expect(grantFor(policy({ dailyTimeQuota: null, dailyDataQuota: null }), { seconds: 10_000, bytes: 1e12 })).toEqual({
      ok: true,
      sessionTimeout: 4 * 3600,
      dataLimit: null,
    });
  });

  it('keeps the session timeout when the time left is longer', () => {
    expect(grantFor(policy({ dailyTimeQuota: 8 * 3600 }), { seconds: 3600, bytes: 0 })).toEqual({
      ok: true,
      sessionTimeout: 4 * 3600,
      dataLimit: null,
    });
  });

  it('shortens the session timeout to the time left of the daily quota', () => {
    expect(grantFor(policy({ dailyTimeQuota: 2 * 3600 }), { seconds: 5400, bytes: 0 })).toEqual({ ok: true, sessionTimeout: 1800, dataLimit: null });
  });

  it('refuses once the time quota is used up, or overrun', () => {
    const p = policy({ dailyTimeQuota: 3600 });
    expect(grantFor(p, { seconds: 3600, bytes: 0 })).toEqual({ ok: false, reason: 'time-quota-exhausted' });
    expect(grantFor(p, { seconds: 4000, bytes: 0 })).toEqual({ ok: false, reason: 'time-quota-exhausted' });
    expect(grantFor(p, { seconds: 3599, bytes: 0 })).toEqual({ ok: true, sessionTimeout: 1, dataLimit: null });
  });

  it('limits data to what is left of the daily volume quota', () => {
    expect(grantFor(policy({ dailyDataQuota: 500_000_000 }), { seconds: 0, bytes: 200_000_000 })).toEqual({
      ok: true,
      sessionTimeout: 4 * 3600,
      dataLimit: 300_000_000,
    });
    expect(grantFor(policy({ dailyDataQuota: 500_000_000 }), nothingUsed)).toMatchObject({ dataLimit: 500_000_000 });
  });

  it('refuses once the data quota is used up', () => {
    expect(grantFor(policy({ dailyDataQuota: 1_000_000 }), { seconds: 0, bytes: 1_000_000 })).toEqual({ ok: false, reason: 'data-quota-exhausted' });
  });

  it('names the time quota first when both are used up', () => {
    expect(grantFor(policy({ dailyTimeQuota: 60, dailyDataQuota: 1_000_000 }), { seconds: 60, bytes: 1_000_000 })).toEqual({
      ok: false,
      reason: 'time-quota-exhausted',
    });
  });

  it('applies both quotas together', () => {
    expect(grantFor(policy({ dailyTimeQuota: 3600, dailyDataQuota: 1_000_000 }), { seconds: 600, bytes: 250_000 })).toEqual({
      ok: true,
      sessionTimeout: 3000,
      dataLimit: 750_000,
    });
  });
});
