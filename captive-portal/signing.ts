/**
 * Everything the portal signs, from one secret: its cookies (session, flow),
 * CSRF tokens, the sealed gateway parameters carried between pages, the
 * digests of verification codes and the decoy subjects that stand in for
 * unknown accounts. Each use has its own sub-key (HMAC-SHA256 of a label),
 * so a value signed for one purpose never verifies for another.
 * Stateless: any node with the same secret verifies what another signed.
 */
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { safeEqual } from '../controller/security/tokens.js';

type Purpose = 'cookie' | 'csrf' | 'gateway' | 'code' | 'decoy';

export interface Signer {
  /** `<base64url JSON>.<base64url MAC>`, valid until `expiresAt` (ms). */
  seal(purpose: 'cookie' | 'gateway', payload: unknown, expiresAt: number): string;
  /** The payload, or null when forged, altered, expired or malformed. */
  open<T>(purpose: 'cookie' | 'gateway', sealed: string | undefined | null, now: number): T | null;
  /** The CSRF token for a browser's CSRF cookie (signed double submit). */
  csrfToken(cookie: string): string;
  checkCsrf(cookie: string | undefined, token: unknown): boolean;
  /** Keyed digest of a verification code, bound to its purpose and subject. */
  codeDigest(purpose: string, subject: string, code: string): string;
  /** A stable stand-in subject for an account that does not exist. */
  decoy(value: string): string;
}

export function createSigner(secret: string): Signer {
  if (secret.length < 32) throw new RangeError('the portal secret needs at least 32 characters');
  const keys = new Map<Purpose, Buffer>(
    (['cookie', 'csrf', 'gateway', 'code', 'decoy'] as const).map((p) => [p, createHmac('sha256', secret).update(`wfc-portal|${p}`).digest()]),
  );
  const mac = (p: Purpose, data: string) => createHmac('sha256', keys.get(p)!).update(data).digest('base64url');

  return {
    seal(purpose, payload, expiresAt) {
      const body = Buffer.from(JSON.stringify({ p: payload, x: Math.floor(expiresAt) })).toString('base64url');
      return `${body}.${mac(purpose, body)}`;
    },
    open<T>(purpose: 'cookie' | 'gateway', sealed: string | undefined | null, now: number): T | null {
      if (typeof sealed !== 'string' || sealed.length > 8192) return null;
      const dot = sealed.indexOf('.');
      if (dot <= 0) return null;
      const body = sealed.slice(0, dot);
      if (!safeEqual(sealed.slice(dot + 1), mac(purpose, body))) return null;
      try {
        const v = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { p: T; x: number };
        return typeof v.x === 'number' && v.x > now ? v.p : null;
      } catch {
        return null;
      }
    },
    csrfToken: (cookie) => mac('csrf', cookie),
    checkCsrf(cookie, token) {
      if (!cookie || typeof token !== 'string' || token.length > 128) return false;
      return safeEqual(token, mac('csrf', cookie));
    },
    codeDigest: (purpose, subject, code) => createHmac('sha256', keys.get('code')!).update(`${purpose}|${subject}|${code}`).digest('hex'),
    decoy: (value) => `decoy-${mac('decoy', value).slice(0, 32)}`,
  };
}

export function randomId(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}

/** Six decimal digits, uniform (crypto.randomInt has no modulo bias). */
export function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}
