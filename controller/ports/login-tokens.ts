/**
 * One-time login tokens: after the captive portal has checked a citizen's
 * password (once, with argon2id), it issues a short-lived random token bound
 * to that citizen, that device (MAC) and that municipality, and hands it to
 * the gateway as the "password" of the gateway's own login. The RADIUS
 * server accepts it once, by PAP or by CHAP (RFC 1994: CHAP needs the clear
 * secret on the server, which a token can be and a long-term password must
 * not be).
 */
import type { Mac } from '../domain/mac.js';

export interface LoginToken {
  /** The secret itself: `wfct_` and 128 random bits, URL-safe. */
  readonly secret: string;
  readonly identityId: string;
  /** The municipality whose portal issued it: only its gateways may use it. */
  readonly tenantId: string;
  readonly mac: Mac;
  readonly expiresAt: Date;
}

export interface LoginTokenStore {
  /** Stores a token; a device has at most one pending token per identity (a new one replaces it). */
  issue(t: LoginToken): Promise<void>;
  /** The pending token of this identity on this device (CHAP finds its secret this way). */
  pending(identityId: string, mac: Mac): Promise<LoginToken | null>;
  /** The token with this secret, without using it up. */
  peek(secret: string): Promise<LoginToken | null>;
  /** Atomically takes the token: exactly one caller gets it, at most once. */
  consume(secret: string): Promise<LoginToken | null>;
}

export const LOGIN_TOKEN_PREFIX = 'wfct_';
