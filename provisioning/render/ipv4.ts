/** IPv4 interface addresses (`10.64.0.1/22`): the gateway's address and its subnet. */

export interface Ipv4Interface {
  readonly address: string;
  readonly prefix: number;
  readonly netmask: string;
  readonly network: string;
  /** Addresses a DHCP server may hand out: after the gateway, up to the broadcast. */
  readonly hosts: number;
}

const toInt = (a: string): number | null => {
  const parts = a.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(p)) return null;
    n = n * 256 + Number(p);
  }
  return n;
};
const toDotted = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

/** Prefixes 16 to 29: a guest network from 8 to 65,534 hosts. The address must be a host of its subnet. */
export function parseIpv4Interface(v: string): Ipv4Interface | null {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(v);
  if (!m) return null;
  const addr = toInt(m[1]!);
  const prefix = Number(m[2]);
  if (addr === null || prefix < 16 || prefix > 29) return null;
  const mask = (0xffffffff << (32 - prefix)) >>> 0;
  const network = (addr & mask) >>> 0;
  const broadcast = (network | (~mask >>> 0)) >>> 0;
  if (addr === network || addr === broadcast) return null;
  return { address: toDotted(addr), prefix, netmask: toDotted(mask), network: toDotted(network), hosts: broadcast - network - 1 };
}
