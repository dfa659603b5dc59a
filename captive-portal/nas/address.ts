/**
 * Gateways sit on the citizen's local network: the portal only ever sends a
 * browser (and a one-time token) to a private, loopback, link-local or
 * carrier-grade-NAT address, never to an address a crafted link chose on the
 * Internet. Host names are accepted only in local-only namespaces.
 */
import { BlockList, isIP } from 'node:net';

const LOCAL = new BlockList();
LOCAL.addSubnet('10.0.0.0', 8, 'ipv4'); // RFC 1918
LOCAL.addSubnet('172.16.0.0', 12, 'ipv4');
LOCAL.addSubnet('192.168.0.0', 16, 'ipv4');
LOCAL.addSubnet('100.64.0.0', 10, 'ipv4'); // RFC 6598 shared address space
LOCAL.addSubnet('127.0.0.0', 8, 'ipv4');
LOCAL.addSubnet('169.254.0.0', 16, 'ipv4'); // RFC 3927
LOCAL.addAddress('::1', 'ipv6');
LOCAL.addSubnet('fc00::', 7, 'ipv6'); // RFC 4193 unique local
LOCAL.addSubnet('fe80::', 10, 'ipv6');

/** RFC 6762 .local, RFC 8375 home.arpa, and the customary .lan/.internal. */
const LOCAL_NAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.(local|lan|internal|home\.arpa)$/i;

export function isLocalIp(ip: string): boolean {
  const v = isIP(ip);
  return v !== 0 && LOCAL.check(ip, v === 4 ? 'ipv4' : 'ipv6');
}

export function isLocalHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return isLocalIp(bare) || LOCAL_NAME.test(bare);
}

/** `host:port` / `[v6]:port` / `host` → parts, or null. */
export function parseHostPort(s: string): { host: string; port: number | null } | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(s);
  if (!m) return null;
  const port = m[2] === undefined ? null : Number(m[2]);
  if (port !== null && (port < 1 || port > 65535)) return null;
  return { host: m[1]!, port };
}

/** An http(s) URL whose host is local, normalised; null otherwise. */
export function localHttpUrl(s: string): URL | null {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return null;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password) return null;
  return isLocalHost(u.hostname) ? u : null;
}

/**
 * The citizen's original URL, kept only when it is a plain http(s) URL of
 * sane length: it is shown as a link and handed back to the gateway.
 */
export function originalUrl(s: string | undefined): string | null {
  if (!s || s.length > 1024) return null;
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/** Short printable identifiers the gateway reports (NAS-Identifier, AP id). */
export function label(s: string | undefined, max = 64): string | null {
  if (!s) return null;
  return s.length <= max && /^[\x21-\x7e]+$/.test(s) ? s : null;
}
