/**
 * The portal's cookies. All HttpOnly and SameSite=Lax (the gateway's
 * redirect is a top-level navigation, so Lax cookies arrive with it), and
 * Secure unless the deployment turned it off for plain-HTTP tests.
 */
import type { Request, Response } from 'express';

export const COOKIE = {
  /** Random value whose HMAC is the CSRF token of this browser. */
  csrf: 'wfc_csrf',
  /** Signed: the signed-in identity. */
  session: 'wfc_sess',
  /** Signed: the verification or password-reset step in progress. */
  flow: 'wfc_flow',
  /** Signed: the gateway's parameters of this visit (kept out of URLs to keep pages small). */
  gateway: 'wfc_gw',
  lang: 'wfc_lang',
} as const;

export function readCookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  const header = req.headers.cookie;
  if (!header || header.length > 8192) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in out) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}

export interface CookieJar {
  set(res: Response, name: string, value: string, maxAgeMs: number | null): void;
  clear(res: Response, name: string): void;
}

export function cookieJar(secure: boolean): CookieJar {
  const base = { httpOnly: true, sameSite: 'lax' as const, secure, path: '/' };
  return {
    set(res, name, value, maxAgeMs) {
      res.cookie(name, value, maxAgeMs === null ? base : { ...base, maxAge: maxAgeMs });
    },
    clear(res, name) {
      res.clearCookie(name, base);
    },
  };
}
