/**
 * One-time verification codes (the 6 digits a citizen receives by e-mail to
 * prove an address or reset a password), shared by every node like the
 * other short-lived state.
 *
 * The store never sees a code: callers pass a keyed digest of it (an HMAC
 * with a server key over purpose, subject and code), so a leaked store
 * reveals nothing a guesser could use. A subject is whom the code is for:
 * an identity id, or a decoy for an address nobody registered (the portal
 * behaves the same for both, so it cannot be used to enumerate accounts).
 *
 * Rules, all enforced atomically by every adapter:
 * - one pending code per (purpose, subject): issuing a new one replaces it;
 * - a code expires `ttlMs` after it was issued;
 * - `cooldownMs` must pass between two codes for the same (purpose, subject),
 *   and at most `dailyCap` codes are issued in 24 hours (window opened by the
 *   first one);
 * - a code takes at most `maxAttempts` wrong guesses; the one that reaches
 *   the limit burns it (checks then answer 'too-many-attempts' until a new
 *   code is issued);
 * - a right code is consumed: it works once.
 */
export type CodePurpose = 'verify-email' | 'reset-password';

export interface IssueCodeRequest {
  readonly purpose: CodePurpose;
  readonly subject: string;
  /** Keyed digest of the code (hex); never the code itself. */
  readonly digest: string;
  readonly ttlMs: number;
  readonly cooldownMs: number;
  readonly dailyCap: number;
}

export type IssueCodeResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'cooldown' | 'daily-cap'; readonly retryAfterMs: number };

export interface CheckCodeRequest {
  readonly purpose: CodePurpose;
  readonly subject: string;
  readonly digest: string;
  readonly maxAttempts: number;
}

/** 'expired' also stands for "no code pending": the caller cannot tell, nor can a guesser. */
export type CheckCodeResult = 'ok' | 'wrong' | 'expired' | 'too-many-attempts';

export interface VerificationCodeStore {
  issue(r: IssueCodeRequest): Promise<IssueCodeResult>;
  check(r: CheckCodeRequest): Promise<CheckCodeResult>;
  /** Drops the pending code, if any (the cooldown and the daily count stay). */
  revoke(purpose: CodePurpose, subject: string): Promise<void>;
}

export const DAY_MS = 24 * 3600_000;
