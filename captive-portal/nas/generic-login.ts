/**
 * Gateways with their own login form that authenticate with RADIUS
 * (MikroTik hotspot and the like): the portal posts the username and the
 * one-time token to the gateway's login URL, which then sends the
 * Access-Request. MikroTik's external login page receives `link-login-only`,
 * `link-orig`, `mac`, `ip` and, with CHAP, `chap-id` and `chap-challenge`
 * (octal-escaped bytes, `\\123\\045…`); with CHAP the posted password is
 * hex MD5(chap-id || token || chap-challenge), as MikroTik's md5.js computes.
 * These parameters are not signed: a device is never remembered from them.
 */
import { createHash } from 'node:crypto';
import { parseMac } from '../../controller/domain/mac.js';
import { label, localHttpUrl, originalUrl } from './address.js';
import type { GatewayAdapter, GenericContext } from './types.js';

/** MikroTik writes binary values as `\ooo` octal escapes; plain characters stand for themselves. */
export function decodeOctalEscapes(s: string): Buffer | null {
  if (s.length > 512) return null;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; ) {
    if (s[i] === '\\') {
      const m = /^[0-7]{3}/.exec(s.slice(i + 1));
      if (!m) return null;
      const b = parseInt(m[0], 8);
      if (b > 255) return null;
      bytes.push(b);
      i += 4;
    } else {
      const c = s.charCodeAt(i);
      if (c > 126 || c < 32) return null;
      bytes.push(c);
      i++;
    }
  }
  return Buffer.from(bytes);
}

export function mikrotikChapPassword(token: string, chapIdHex: string, chapChallengeHex: string): string {
  return createHash('md5').update(Buffer.from(chapIdHex, 'hex')).update(token, 'utf8').update(Buffer.from(chapChallengeHex, 'hex')).digest('hex');
}

export const genericLogin: GatewayAdapter<GenericContext> = {
  type: 'generic',
  usesRadius: true,
  recognises: (q) => 'link-login-only' in q || 'link-login' in q || 'login_url' in q,
  parse(req, settings) {
    if (settings.gateway !== 'generic') return { ok: false, reason: 'wrong-protocol' };
    const q = req.query;
    const login = q['link-login-only'] ?? q['link-login'] ?? q.login_url;
    if (!login || !q.mac) return { ok: false, reason: 'missing-param' };
    const url = localHttpUrl(login);
    if (!url) return { ok: false, reason: 'bad-address' };
    url.search = '';
    url.hash = '';
    const mac = parseMac(q.mac);
    if (!mac) return { ok: false, reason: 'bad-mac' };
    let chapId: string | null = null;
    let chapChallenge: string | null = null;
    if (q['chap-id'] || q['chap-challenge']) {
      const id = decodeOctalEscapes(q['chap-id'] ?? '');
      const ch = decodeOctalEscapes(q['chap-challenge'] ?? '');
      if (!id || id.length !== 1 || !ch || ch.length < 1 || ch.length > 64) return { ok: false, reason: 'bad-challenge' };
      chapId = id.toString('hex');
      chapChallenge = ch.toString('hex');
    }
    return {
      ok: true,
      event: q.error ? 'failed' : 'login',
      reply: q.error ? q.error.slice(0, 200) : null,
      ctx: {
        type: 'generic',
        mac,
        clientIp: q.ip && /^[0-9a-fA-F.:]{2,45}$/.test(q.ip) ? q.ip : null,
        userUrl: originalUrl(q['link-orig'] ?? q.dst),
        nasId: label(q['server-name'] ?? q.nasid),
        called: label(q.called),
        authenticated: false,
        loginUrl: url.toString(),
        chapId,
        chapChallenge,
      },
    };
  },
  handoff(c, _settings, cred) {
    const password = c.chapId && c.chapChallenge ? mikrotikChapPassword(cred.token, c.chapId, c.chapChallenge) : cred.token;
    const fields: Array<readonly [string, string]> = [
      ['username', cred.username],
      ['password', password],
    ];
    if (c.userUrl) fields.push(['dst', c.userUrl]);
    fields.push(['popup', 'false']);
    return { kind: 'form', action: c.loginUrl, fields };
  },
  logoutUrl: (c) => new URL('logout', c.loginUrl).toString(),
};
