/**
 * CoovaChilli UAM (Universal Access Method), as CoovaChilli's redir.c and
 * its reference doc/hotspotlogin.cgi implement it.
 *
 * Redirect to the portal: `<uamserver>?res=notyet&uamip=…&uamport=…&challenge=…&mac=…
 * &called=…&nasid=…&userurl=…&md=…`, where `md` is the upper-case hex
 * MD5(<the URL up to `&md=`> || uamsecret) when a uamsecret is set
 * (redir.c redir_md_param). `res` is notyet, failed, success, already or logoff.
 *
 * Hand-off: `http://uamip:uamport/logon?username=…&password=…` (PAP) or
 * `…&response=…` (CHAP), with the challenge turned into
 * challenge' = MD5(challenge || uamsecret) when a uamsecret is set:
 * - PAP: password = hex(token XOR challenge'), the 16 bytes of challenge'
 *   repeated over the token (redir.c decodes the same way);
 * - CHAP: response = hex(MD5(0x00 || token || challenge')) (RFC 1994 §4.1
 *   with CHAP ident 0); CoovaChilli then sends CHAP-Password and
 *   CHAP-Challenge = challenge' to RADIUS.
 */
import { createHash } from 'node:crypto';
import type { PortalSettings } from '../../controller/domain/entities.js';
import { parseMac } from '../../controller/domain/mac.js';
import { safeEqual } from '../../controller/security/tokens.js';
import { isLocalIp, label, originalUrl } from './address.js';
import type { CoovaChilliContext, GatewayAdapter, GatewayEvent, ParseResult } from './types.js';

const EVENTS: Record<string, GatewayEvent> = { notyet: 'login', failed: 'failed', success: 'success', already: 'already', logoff: 'logoff' };

const md5 = (...parts: Buffer[]): Buffer => {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** challenge' = MD5(challenge || uamsecret), or the challenge itself without a secret. */
export function uamChallenge(challengeHex: string, uamSecret: string | null): Buffer {
  const challenge = Buffer.from(challengeHex, 'hex');
  return uamSecret ? md5(challenge, Buffer.from(uamSecret, 'utf8')) : challenge;
}

/** PAP `password=`: the token XOR challenge' (repeated every 16 bytes), in hex. */
export function uamPapPassword(token: string, challengeHex: string, uamSecret: string | null): string {
  const key = uamChallenge(challengeHex, uamSecret);
  const t = Buffer.from(token, 'utf8');
  return Buffer.from(t.map((b, i) => b ^ key[i % key.length]!)).toString('hex');
}

/** The gateway's side of PAP: what it will put in User-Password. */
export function uamPapDecode(passwordHex: string, challengeHex: string, uamSecret: string | null): string {
  const key = uamChallenge(challengeHex, uamSecret);
  const p = Buffer.from(passwordHex, 'hex');
  return Buffer.from(p.map((b, i) => b ^ key[i % key.length]!)).toString('utf8');
}

/** CHAP `response=`: MD5(ident 0 || token || challenge'), in hex. */
export function uamChapResponse(token: string, challengeHex: string, uamSecret: string | null): string {
  return md5(Buffer.from([0]), Buffer.from(token, 'utf8'), uamChallenge(challengeHex, uamSecret)).toString('hex');
}

/** redir.c redir_md_param: upper-case hex MD5(url || uamsecret). */
export function uamUrlChecksum(url: string, uamSecret: string): string {
  return md5(Buffer.from(url, 'utf8'), Buffer.from(uamSecret, 'utf8')).toString('hex').toUpperCase();
}

function parse(req: { query: Readonly<Record<string, string>>; rawQuery: string; urlBases: readonly string[] }, settings: PortalSettings): ParseResult {
  const q = req.query;
  if (settings.gateway !== 'coovachilli') return { ok: false, reason: 'wrong-protocol' };
  const event = EVENTS[q.res ?? ''];
  if (!event) return { ok: false, reason: 'missing-param' };

  let authenticated = false;
  if (settings.uamSecret) {
    const m = /^(.*)&md=([0-9A-Fa-f]{32})$/s.exec(req.rawQuery);
    if (!m) return { ok: false, reason: 'md-missing' };
    const given = m[2]!.toUpperCase();
    if (!req.urlBases.some((base) => safeEqual(uamUrlChecksum(`${base}?${m[1]!}`, settings.uamSecret!), given))) return { ok: false, reason: 'md-invalid' };
    authenticated = true;
  }
  const reply = q.reply ? q.reply.slice(0, 200) : null;
  // success/already/logoff report a state; only notyet/failed need what a login needs.
  if (event !== 'login' && event !== 'failed') {
    const mac = q.mac ? parseMac(q.mac) : null;
    const uamport = Number(q.uamport);
    if (!mac || !q.uamip || !isLocalIp(q.uamip) || !Number.isInteger(uamport) || uamport < 1 || uamport > 65535) return { ok: true, ctx: null, event, reply };
    return { ok: true, event, reply, ctx: context(q, mac, q.uamip, uamport, q.challenge && /^[0-9a-fA-F]{32}$/.test(q.challenge) ? q.challenge.toLowerCase() : '00'.repeat(16), authenticated) };
  }

  if (!q.uamip || !q.uamport || !q.challenge || !q.mac) return { ok: false, reason: 'missing-param' };
  if (!isLocalIp(q.uamip)) return { ok: false, reason: 'bad-address' };
  const uamport = Number(q.uamport);
  if (!/^\d{1,5}$/.test(q.uamport) || uamport < 1 || uamport > 65535) return { ok: false, reason: 'bad-address' };
  if (!/^[0-9a-fA-F]{32}$/.test(q.challenge)) return { ok: false, reason: 'bad-challenge' };
  const mac = parseMac(q.mac);
  if (!mac) return { ok: false, reason: 'bad-mac' };
  return { ok: true, event, reply, ctx: context(q, mac, q.uamip, uamport, q.challenge.toLowerCase(), authenticated) };
}

function context(q: Readonly<Record<string, string>>, mac: NonNullable<ReturnType<typeof parseMac>>, uamip: string, uamport: number, challenge: string, authenticated: boolean): CoovaChilliContext {
  return {
    type: 'coovachilli',
    mac,
    clientIp: q.ip && /^[0-9a-fA-F.:]{2,45}$/.test(q.ip) ? q.ip : null,
    userUrl: originalUrl(q.userurl),
    nasId: label(q.nasid),
    called: label(q.called),
    authenticated,
    uamip,
    uamport,
    challenge,
  };
}

const gatewayBase = (c: CoovaChilliContext) => `http://${c.uamip.includes(':') ? `[${c.uamip}]` : c.uamip}:${c.uamport}`;

export const coovaChilli: GatewayAdapter<CoovaChilliContext> = {
  type: 'coovachilli',
  usesRadius: true,
  recognises: (q) => 'res' in q && 'uamip' in q,
  parse,
  handoff(c, settings, cred) {
    const params = new URLSearchParams({ username: cred.username });
    if (settings.uamAuth === 'chap') params.set('response', uamChapResponse(cred.token, c.challenge, settings.uamSecret));
    else params.set('password', uamPapPassword(cred.token, c.challenge, settings.uamSecret));
    if (c.userUrl) params.set('userurl', c.userUrl);
    return { kind: 'redirect', url: `${gatewayBase(c)}/logon?${params.toString()}` };
  },
  logoutUrl: (c) => `${gatewayBase(c)}/logoff`,
};
