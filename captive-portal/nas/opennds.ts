/**
 * openNDS Forwarding Authentication Service (FAS), the levels that fit a
 * remote portal:
 * - level 1 (`fas_secure_enabled 1`, recommended): `?fas=<base64>` where the
 *   decoded text is `key=value` pairs separated by ", " (clientip, clientmac,
 *   gatewayname, hid, gatewayaddress, authdir, originurl, …). After login the
 *   portal sends the browser to `http://<gatewayaddress>/<authdir>/?tok=<rhid>
 *   &redir=<originurl>` with rhid = hex SHA-256(hid || faskey): only a portal
 *   knowing the faskey can authorise a client, and it reveals rhid only after
 *   the password was checked.
 * - level 0 (`fas_secure_enabled 0`): the gateway sends `tok` and `authaction`
 *   in clear; the browser could authorise itself, so level 0 suits only
 *   trials. Accepted only when the municipality has no faskey.
 * openNDS authorises clients itself and sends no RADIUS: its time and volume
 * limits come from its own configuration, and it keeps no RADIUS accounting
 * (see docs/portal.md).
 */
import { createHash } from 'node:crypto';
import { parseMac } from '../../controller/domain/mac.js';
import { isLocalHost, label, localHttpUrl, originalUrl, parseHostPort } from './address.js';
import type { GatewayAdapter, OpenNdsContext } from './types.js';

/** Decodes the level-1 `fas` parameter; null when it is not base64 of key=value pairs. */
export function decodeFas(fas: string): Record<string, string> | null {
  if (fas.length > 4096 || !/^[A-Za-z0-9+/=_-]+$/.test(fas)) return null;
  const text = Buffer.from(fas, 'base64').toString('utf8');
  const out: Record<string, string> = {};
  for (const pair of text.split(/,\s*/)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const key = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // openNDS leaves some values unencoded: keep them as they are
    }
    if (!(key in out)) out[key] = value;
  }
  return 'hid' in out || 'clientmac' in out ? out : null;
}

/** openNDS level 1: rhid = hex SHA-256(hid || faskey). */
export function openNdsRhid(hid: string, fasKey: string): string {
  return createHash('sha256').update(hid + fasKey).digest('hex');
}

export const openNds: GatewayAdapter<OpenNdsContext> = {
  type: 'opennds',
  usesRadius: false,
  recognises: (q) => 'fas' in q || ('tok' in q && 'authaction' in q),
  parse(req, settings) {
    if (settings.gateway !== 'opennds') return { ok: false, reason: 'wrong-protocol' };
    const q = req.query;
    if (q.fas !== undefined) {
      if (!settings.fasKey) return { ok: false, reason: 'not-configured' };
      const f = decodeFas(q.fas);
      if (!f) return { ok: false, reason: 'fas-invalid' };
      if (!f.hid || !f.clientmac || !f.gatewayaddress) return { ok: false, reason: 'missing-param' };
      if (!/^[0-9a-fA-F]{16,128}$/.test(f.hid)) return { ok: false, reason: 'fas-invalid' };
      const mac = parseMac(f.clientmac);
      if (!mac) return { ok: false, reason: 'bad-mac' };
      const gw = parseHostPort(f.gatewayaddress);
      if (!gw || !isLocalHost(gw.host)) return { ok: false, reason: 'bad-address' };
      const authdir = f.authdir && /^[A-Za-z0-9_-]{1,64}$/.test(f.authdir) ? f.authdir : 'opennds_auth';
      return {
        ok: true,
        event: 'login',
        reply: null,
        ctx: {
          type: 'opennds',
          mac,
          clientIp: f.clientip && /^[0-9a-fA-F.:]{2,45}$/.test(f.clientip) ? f.clientip : null,
          userUrl: originalUrl(f.originurl),
          nasId: label(f.gatewayname, 128),
          called: label(f.gatewaymac),
          authenticated: false,
          authUrl: `http://${f.gatewayaddress}/${authdir}/`,
          hid: f.hid.toLowerCase(),
          tok: null,
        },
      };
    }
    if (settings.fasKey) return { ok: false, reason: 'fas-invalid' };
    const macParam = q.clientmac ?? q.mac;
    if (!q.tok || !q.authaction || !macParam) return { ok: false, reason: 'missing-param' };
    if (!/^[A-Za-z0-9]{4,128}$/.test(q.tok)) return { ok: false, reason: 'fas-invalid' };
    const mac = parseMac(macParam);
    if (!mac) return { ok: false, reason: 'bad-mac' };
    const action = localHttpUrl(q.authaction);
    if (!action) return { ok: false, reason: 'bad-address' };
    action.search = '';
    return {
      ok: true,
      event: 'login',
      reply: null,
      ctx: {
        type: 'opennds',
        mac,
        clientIp: q.clientip && /^[0-9a-fA-F.:]{2,45}$/.test(q.clientip) ? q.clientip : null,
        userUrl: originalUrl(q.redir ?? q.originurl),
        nasId: label(q.gatewayname, 128),
        called: null,
        authenticated: false,
        authUrl: action.toString(),
        hid: null,
        tok: q.tok,
      },
    };
  },
  handoff(c, settings) {
    const tok = c.hid !== null && settings.fasKey ? openNdsRhid(c.hid, settings.fasKey) : (c.tok ?? '');
    const params = new URLSearchParams({ tok });
    if (c.userUrl) params.set('redir', c.userUrl);
    return { kind: 'redirect', url: `${c.authUrl}?${params.toString()}` };
  },
  logoutUrl: () => null,
};
