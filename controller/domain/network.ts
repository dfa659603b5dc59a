import { isIP } from 'node:net';

/** A source network in CIDR notation, IPv4 or IPv6, normalised. */
export interface Cidr {
  readonly address: string;
  readonly prefix: number;
  readonly family: 4 | 6;
}

/**
 * Parses `192.0.2.0/24`, `2001:db8::/32` or a bare address (a host route).
 * IPv4-mapped IPv6 addresses are folded to IPv4, as sockets report them that way.
 */
export function parseCidr(input: string): Cidr | null {
  const [addrRaw, prefixRaw, ...rest] = input.trim().split('/');
  if (rest.length > 0 || !addrRaw) return null;
  const address = unmapIpv4(addrRaw);
  const family = isIP(address);
  if (family !== 4 && family !== 6) return null;
  const max = family === 4 ? 32 : 128;
  let prefix = max;
  if (prefixRaw !== undefined) {
    if (!/^\d{1,3}$/.test(prefixRaw)) return null;
    prefix = Number(prefixRaw);
    if (prefix > max) return null;
  }
  return { address, prefix, family };
}

export function formatCidr(c: Cidr): string {
  return `${c.address}/${c.prefix}`;
}

export function unmapIpv4(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}
