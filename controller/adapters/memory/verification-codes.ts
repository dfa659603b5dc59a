/**
 * One node's verification codes (rules in controller/ports/verification-codes.ts).
 * Two Maps; expired entries are dropped when touched and by a small sweep on
 * every issue, so memory stays bounded by the codes of the last day.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../ports/clock.js';
import { systemClock } from '../../ports/clock.js';
import {
  DAY_MS,
  type CheckCodeRequest,
  type CheckCodeResult,
  type CodePurpose,
  type IssueCodeRequest,
  type IssueCodeResult,
  type VerificationCodeStore,
} from '../../ports/verification-codes.js';

interface Pending {
  digest: string;
  expiresAt: number;
  attempts: number;
  burnt: boolean;
}

interface Sent {
  /** When the last code was issued. */
  last: number;
  cooldownUntil: number;
  /** The 24-hour window: opened by its first code. */
  windowEnd: number;
  count: number;
}

export class MemoryVerificationCodeStore implements VerificationCodeStore {
  private readonly clock: Clock;
  private readonly pending = new Map<string, Pending>();
  private readonly sent = new Map<string, Sent>();

  constructor(opts: { clock?: Clock } = {}) {
    this.clock = opts.clock ?? systemClock;
  }

  get size(): number {
    return this.pending.size + this.sent.size;
  }

  async issue(r: IssueCodeRequest): Promise<IssueCodeResult> {
    const now = this.clock.now().getTime();
    this.sweep(now);
    const key = `${r.purpose}|${r.subject}`;
    let s = this.sent.get(key);
    if (s && s.windowEnd <= now) s = undefined;
    if (s && s.cooldownUntil > now) return { ok: false, reason: 'cooldown', retryAfterMs: s.cooldownUntil - now };
    if (s && s.count >= r.dailyCap) return { ok: false, reason: 'daily-cap', retryAfterMs: s.windowEnd - now };
    s ??= { last: now, cooldownUntil: now, windowEnd: now + DAY_MS, count: 0 };
    s.last = now;
    s.cooldownUntil = now + r.cooldownMs;
    s.count++;
    this.sent.set(key, s);
    this.pending.set(key, { digest: r.digest, expiresAt: now + r.ttlMs, attempts: 0, burnt: false });
    return { ok: true };
  }

  async check(r: CheckCodeRequest): Promise<CheckCodeResult> {
    const now = this.clock.now().getTime();
    const key = `${r.purpose}|${r.subject}`;
    const p = this.pending.get(key);
    if (!p || p.expiresAt <= now) {
      if (p) this.pending.delete(key);
      return 'expired';
    }
    if (p.burnt) return 'too-many-attempts';
    if (sameDigest(p.digest, r.digest)) {
      this.pending.delete(key);
      return 'ok';
    }
    p.attempts++;
    if (p.attempts >= r.maxAttempts) p.burnt = true;
    return 'wrong';
  }

  async revoke(purpose: CodePurpose, subject: string): Promise<void> {
    this.pending.delete(`${purpose}|${subject}`);
  }

  /** A few expired entries per call: enough to keep up with the rate codes are issued. */
  private sweep(now: number): void {
    let n = 0;
    for (const [k, p] of this.pending) {
      if (n++ >= 4) break;
      if (p.expiresAt <= now) this.pending.delete(k);
    }
    n = 0;
    for (const [k, s] of this.sent) {
      if (n++ >= 4) break;
      if (s.windowEnd <= now) this.sent.delete(k);
    }
  }
}

function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
