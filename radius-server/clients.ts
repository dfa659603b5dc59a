/**
 * The RADIUS client table: which municipality a datagram comes from.
 * Clients are source networks (gateways sit behind NAT), so the lookup is a
 * longest-prefix match over IPv4 and IPv6 CIDRs. It runs for every packet:
 * one Map per prefix length present, probed from the longest down, so a
 * lookup costs at most (distinct prefix lengths) Map probes.
 *
 * RFC 2865 §3: a request from an unknown source is silently discarded; this
 * table only answers null and the caller drops and counts it.
 */
import type { RadiusClient } from '../controller/domain/entities.js';
import { parseCidr, unmapIpv4 } from '../controller/domain/network.js';

export interface ClientTable {
  /** The client whose network most specifically contains `address`, or null. */
  lookup(address: string): RadiusClient | null;
  readonly size: number;
}

interface Level<K> {
  readonly prefix: number;
  readonly byNetwork: Map<K, RadiusClient>;
}

/**
 * @throws RangeError when a network does not parse or two clients share one
 * network (the store forbids both, so either is a bug worth stopping for).
 */
export function createClientTable(clients: readonly RadiusClient[]): ClientTable {
  const v4 = new Map<number, Map<number, RadiusClient>>();
  const v6 = new Map<number, Map<string, RadiusClient>>();
  for (const c of clients) {
    const cidr = parseCidr(c.network);
    if (!cidr) throw new RangeError(`RADIUS client ${c.id}: invalid network ${c.network}`);
    if (cidr.family === 4) {
      put(v4, cidr.prefix, (parseIpv4(cidr.address)! & maskV4(cidr.prefix)) >>> 0, c);
    } else {
      put(v6, cidr.prefix, v6Key(parseIpv6(cidr.address)!, cidr.prefix), c);
    }
  }
  const levels4 = levels(v4);
  const levels6 = levels(v6);

  return {
    size: clients.length,
    lookup(address: string): RadiusClient | null {
      let a = parseIpv4(address);
      if (a === null && address.includes(':')) {
        // Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d.
        const unmapped = unmapIpv4(address);
        if (unmapped !== address) a = parseIpv4(unmapped);
        else {
          const words = parseIpv6(address);
          if (!words) return null;
          for (const l of levels6) {
            const hit = l.byNetwork.get(v6Key(words, l.prefix));
            if (hit) return hit;
          }
          return null;
        }
      }
      if (a === null) return null;
      for (const l of levels4) {
        const hit = l.byNetwork.get((a & maskV4(l.prefix)) >>> 0);
        if (hit) return hit;
      }
      return null;
    },
  };
}

function put<K>(table: Map<number, Map<K, RadiusClient>>, prefix: number, key: K, c: RadiusClient): void {
  let m = table.get(prefix);
  if (!m) table.set(prefix, (m = new Map()));
  const other = m.get(key);
  if (other) throw new RangeError(`RADIUS clients ${other.id} and ${c.id} share the network ${c.network}`);
  m.set(key, c);
}

function levels<K>(table: Map<number, Map<K, RadiusClient>>): Level<K>[] {
  return [...table].map(([prefix, byNetwork]) => ({ prefix, byNetwork })).sort((x, y) => y.prefix - x.prefix);
}

function maskV4(prefix: number): number {
  // `<< 32` is `<< 0` in JavaScript: /0 needs its own case.
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Dotted quad → unsigned 32-bit, by hand: the hot path avoids split() and regexps. */
export function parseIpv4(s: string): number | null {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch >= 48 && ch <= 57) {
      octet = octet * 10 + (ch - 48);
      if (++digits > 3 || octet > 255) return null;
    } else if (ch === 46 && digits > 0 && dots < 3) {
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else return null;
  }
  if (dots !== 3 || digits === 0) return null;
  return value * 256 + octet;
}

/**
 * IPv6 text (RFC 4291 §2.2, including `::` and a dotted-quad tail) → eight
 * 16-bit words; a zone (`%eth0`) is ignored. Null when malformed. By hand,
 * in one pass: node:net's isIPv6 plus split() cost microseconds per packet.
 */
export function parseIpv6(input: string): number[] | null {
  const pct = input.indexOf('%');
  const n = pct === -1 ? input.length : pct;
  const words: number[] = [];
  let gap = -1; // where `::` stands, as an index into words
  let i = 0;
  if (n === 0) return null;
  if (input.charCodeAt(0) === 58) {
    if (n < 2 || input.charCodeAt(1) !== 58) return null;
    gap = 0;
    i = 2;
  }
  while (i < n) {
    let value = 0;
    let j = i;
    for (; j < n; j++) {
      const h = hexDigit(input.charCodeAt(j));
      if (h < 0) break;
      if (j - i === 4) return null;
      value = value * 16 + h;
    }
    if (j < n && input.charCodeAt(j) === 46) {
      // A dotted-quad tail such as ::ffff:192.0.2.1 or 64:ff9b::192.0.2.1.
      const v4 = words.length <= 6 ? parseIpv4(input.slice(i, n)) : null;
      if (v4 === null) return null;
      words.push(v4 >>> 16, v4 & 0xffff);
      break;
    }
    if (j === i || words.length === 8) return null;
    words.push(value);
    if (j === n) break;
    if (input.charCodeAt(j) !== 58) return null;
    if (input.charCodeAt(j + 1) === 58) {
      if (gap !== -1) return null;
      gap = words.length;
      i = j + 2;
    } else {
      i = j + 1;
      if (i === n) return null; // a trailing single colon
    }
  }
  if (gap === -1) return words.length === 8 ? words : null;
  if (words.length > 7) return null; // `::` stands for at least one group
  const out = words.slice(0, gap);
  for (let z = words.length; z < 8; z++) out.push(0);
  for (let k = gap; k < words.length; k++) out.push(words[k]!);
  return out;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** The network part of an address under a prefix, as a compact Map key. */
function v6Key(words: readonly number[], prefix: number): string {
  let key = '';
  for (let i = 0; i < 8; i++) {
    const bits = Math.min(16, Math.max(0, prefix - i * 16));
    if (bits === 0) break;
    const w = bits === 16 ? words[i]! : words[i]! & ((0xffff << (16 - bits)) & 0xffff);
    key += String.fromCharCode(w);
  }
  return key;
}
