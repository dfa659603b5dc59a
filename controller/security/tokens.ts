/** Random secrets and their at-rest digests. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A 256-bit random token, URL-safe, with a prefix that says what it is. */
export function newToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** High-entropy tokens need no slow hash: sha256 at rest is enough. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const x = typeof a === 'string' ? Buffer.from(a) : a;
  const y = typeof b === 'string' ? Buffer.from(b) : b;
  if (x.length !== y.length) return false;
  return timingSafeEqual(x, y);
}

/** A RADIUS shared secret: 24 printable characters, easy to paste into a gateway's form. */
export function newRadiusSecret(): string {
  return randomBytes(18).toString('base64url');
}
