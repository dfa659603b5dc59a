/**
 * IP networks as the RADIUS client table keys them: one spelling per
 * network, so two clients cannot hold the same network under two names and
 * a stored network reads back exactly as the lookup keys it.
 */

/** A source network in CIDR notation, IPv4 or IPv6, normalised. */
export interface Cidr {
  /** The network address: host bits cleared, IPv6 in RFC 5952 canonical text. */
  readonly address: string;
  readonly prefix: number;
  readonly family: 4 | 6;
}

/**
 * Parses `192.0.2.0/24`, `2001:db8::/32` or a bare address (a host route)
 * and normalises it:
 * - host bits are cleared (`192.0.2.5/24` → `192.0.2.0/24`);
 * - IPv6 is written as RFC 5952 §4 says (lower case, no leading zeros,
 *   the longest run of zero groups as `::`);
 * - an IPv4-mapped network (RFC 4291 §2.5.5.2) is folded to IPv4
 *   (`::ffff:192.0.2.0/120` → `192.0.2.0/24`), as dual-stack sockets
 *   report IPv4 peers that way and the lookup unmaps them.
 * Null for anything else: zone ids (`fe80::1%eth0`: a zone names a local
 * link, not a source network), octets with leading zeros (octal to
 * inet_aton), prefixes with signs or leading zeros, surrounding garbage.
 */
export function parseCidr(input: string): Cidr | null {
  const text = input.trim();
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const bytes = parseIpv4Bytes(addressText) ?? parseIpv6Bytes(addressText);
  if (!bytes) return null;

  const max = bytes.length * 8;
  let prefix = max;
  if (slash !== -1) {
    const prefixText = text.slice(slash + 1);
    if (!/^(?:0|[1-9]\d{0,2})$/.test(prefixText)) return null;
    prefix = Number(prefixText);
    if (prefix > max) return null;
  }
  clearHostBits(bytes, prefix);

  if (bytes.length === 16 && prefix >= 96 && isIpv4Mapped(bytes)) {
    return { address: formatIpv4(bytes.subarray(12)), prefix: prefix - 96, family: 4 };
  }
  return bytes.length === 4 ? { address: formatIpv4(bytes), prefix, family: 4 } : { address: formatIpv6(bytes), prefix, family: 6 };
}

export function formatCidr(c: Cidr): string {
  return `${c.address}/${c.prefix}`;
}

/** `::ffff:a.b.c.d` → `a.b.c.d`, as dual-stack sockets report IPv4 peers; anything else unchanged. */
export function unmapIpv4(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

/** Dotted quad, four decimal octets without leading zeros. */
function parseIpv4Bytes(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^(?:0|[1-9]\d{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    bytes[i] = n;
  }
  return bytes;
}

/** RFC 4291 §2.2 text forms: eight groups, one `::`, an optional trailing dotted quad. No zone. */
function parseIpv6Bytes(text: string): Uint8Array | null {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const compressed = halves.length === 2;
  const head = groups(halves[0]!, !compressed);
  const tail = compressed ? groups(halves[1]!, true) : [];
  if (!head || !tail) return null;
  // `::` stands for at least one zero group.
  if (compressed ? head.length + tail.length > 7 : head.length !== 8) return null;
  const words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return bytes;
}

/** The 16-bit groups of one side of `::`; a dotted quad counts as two and may only end the address. */
function groups(part: string, endsAddress: boolean): number[] | null {
  if (part === '') return [];
  const items = part.split(':');
  const out: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const g = items[i]!;
    if (/^[0-9A-Fa-f]{1,4}$/.test(g)) {
      out.push(parseInt(g, 16));
      continue;
    }
    const v4 = endsAddress && i === items.length - 1 ? parseIpv4Bytes(g) : null;
    if (!v4) return null;
    out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
  }
  return out;
}

function clearHostBits(bytes: Uint8Array, prefix: number): void {
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.min(8, Math.max(0, prefix - 8 * i));
    bytes[i]! &= (0xff << (8 - keep)) & 0xff;
  }
}

function isIpv4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

function formatIpv4(bytes: Uint8Array): string {
  return Array.from(bytes).join('.');
}

/** RFC 5952 §4: lower-case hex without leading zeros; the first longest run of two or more zero groups becomes `::`. */
function formatIpv6(bytes: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLength = 1; // §4.2.2: a single zero group is not shortened
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestStart === -1) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLength))}`;
}
