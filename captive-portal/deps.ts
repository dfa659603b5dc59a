/** What the portal needs from the rest of the controller: ports only, chosen by controller/main.ts. */
import type { Logger } from '../controller/log.js';
import type { Metrics } from '../controller/metrics.js';
import type { Clock } from '../controller/ports/clock.js';
import type { LiveSessionStore } from '../controller/ports/live-sessions.js';
import type { LoginTokenStore } from '../controller/ports/login-tokens.js';
import type { Mailer } from '../controller/ports/mailer.js';
import type { RateLimitOptions, RateLimiter } from '../controller/ports/rate-limit.js';
import type { Stores } from '../controller/ports/stores.js';
import type { RetentionSettings } from '../controller/services/privacy.js';
import type { VerificationCodeStore } from '../controller/ports/verification-codes.js';
import type { PasswordHasher } from '../controller/security/passwords.js';

export interface PortalLimits {
  /** Failed logins from one address (a whole hotspot may share one: generous). */
  readonly loginPerIp: RateLimitOptions;
  /** Failed logins on one account (or one unknown login name), then a lockout. */
  readonly loginPerAccount: RateLimitOptions;
  /** Registrations from one address. */
  readonly registerPerIp: RateLimitOptions;
  /** Codes entered from one address. */
  readonly codePerIp: RateLimitOptions;
  /** Codes requested (resend, forgotten password) from one address. */
  readonly sendPerIp: RateLimitOptions;
  /** Wrong guesses before a code is void. */
  readonly codeAttempts: number;
  readonly codeTtlMs: number;
  readonly resendCooldownMs: number;
  /** Codes per account and purpose in 24 hours. */
  readonly codesPerDay: number;
}

const MIN = 60_000;

export const DEFAULT_PORTAL_LIMITS: PortalLimits = {
  loginPerIp: { limit: 100, windowMs: 10 * MIN },
  loginPerAccount: { limit: 10, windowMs: 15 * MIN },
  registerPerIp: { limit: 30, windowMs: 60 * MIN },
  codePerIp: { limit: 60, windowMs: 10 * MIN },
  sendPerIp: { limit: 30, windowMs: 60 * MIN },
  codeAttempts: 5,
  codeTtlMs: 15 * MIN,
  resendCooldownMs: 60_000,
  codesPerDay: 5,
};

export interface PortalDeps {
  readonly stores: Stores;
  readonly live: LiveSessionStore;
  readonly limiter: RateLimiter;
  readonly tokens: LoginTokenStore;
  readonly codes: VerificationCodeStore;
  readonly mailer: Mailer;
  readonly hasher: PasswordHasher;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly clock?: Clock;
  /** Signs cookies, CSRF tokens and sealed gateway parameters (32+ characters). */
  readonly secret: string;
  /** Where browsers reach the portal (`https://portail.example.fr`); null: from the Host header. */
  readonly publicUrl: string | null;
  readonly secureCookies: boolean;
  /** Express `trust proxy` value, or null to trust no proxy. */
  readonly trustProxy?: string | null;
  readonly tokenTtlSeconds?: number;
  readonly rememberDays?: number;
  readonly limits?: Partial<PortalLimits>;
  /**
   * What the privacy notice and the personal-data download state about
   * retention (WFC_PRIVACY_INACTIVE_DAYS, WFC_PRIVACY_NOTICE_DAYS,
   * WFC_LEGAL_RETENTION_DAYS); the configuration's defaults when absent.
   */
  readonly retention?: RetentionSettings;
}
