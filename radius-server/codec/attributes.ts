/**
 * Typed attribute values (RFC 2865 §5 data types, RFC 3162 §2, RFC 8044),
 * lookups by name over a decoded packet, a builder from `{ name: value }`
 * pairs, and EAP-Message fragmentation (RFC 3579 §3.1).
 *
 * Value decoders return undefined for malformed values (hostile input);
 * encoders throw RangeError/TypeError for caller bugs. No regex anywhere.
 */
import { attributeDef, type AttributeDef, type AttributeName } from './dictionary.js';
import { MAX_ATTRIBUTE_VALUE_LENGTH, VENDOR_SPECIFIC, vendorSpecific, type Attribute } from './packet.js';

/* ------------------------------------------------------------------ values */

export function encodeString(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

export function decodeString(b: Buffer): string {
  return b.toString('utf8');
}

/** RFC 2865 §5 "string" (binary data, FreeRADIUS "octets"): copied so later changes to the input do not leak in. */
export function encodeOctets(b: Uint8Array): Buffer {
  return Buffer.from(b);
}

export function decodeOctets(b: Buffer): Buffer {
  return b;
}

/** RFC 2865 §5 "integer": 32-bit unsigned, network byte order. */
export function encodeInteger(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`${n} is not a uint32`);
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n, 0);
  return b;
}

export function decodeInteger(b: Buffer): number | undefined {
  return b.length === 4 ? b.readUInt32BE(0) : undefined;
}

/** RFC 2865 §5 "time": seconds since 1970-01-01 00:00:00 UTC, uint32. */
export function encodeDate(d: Date | number): Buffer {
  const secs = typeof d === 'number' ? d : Math.floor(d.getTime() / 1000);
  return encodeInteger(secs);
}

export function decodeDate(b: Buffer): Date | undefined {
  return b.length === 4 ? new Date(b.readUInt32BE(0) * 1000) : undefined;
}

function parseDecimalOctet(s: string): number {
  if (s.length === 0 || s.length > 3) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n > 255 ? -1 : n;
}

function parseIpv4Into(s: string, out: Buffer, off: number): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const n = parseDecimalOctet(parts[i]!);
    if (n < 0) return false;
    out[off + i] = n;
  }
  return true;
}

/** RFC 2865 §5 "address": 4 octets. */
export function encodeIpaddr(s: string): Buffer {
  const b = Buffer.allocUnsafe(4);
  if (!parseIpv4Into(s, b, 0)) throw new RangeError(`not an IPv4 address: ${s}`);
  return b;
}

export function decodeIpaddr(b: Buffer): string | undefined {
  return b.length === 4 ? `${b[0]}.${b[1]}.${b[2]}.${b[3]}` : undefined;
}

function parseHexWord(s: string): number {
  if (s.length === 0 || s.length > 4) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else if (c >= 65 && c <= 70) d = c - 55;
    else return -1;
    n = (n << 4) | d;
  }
  return n;
}

/** Parses IPv6 text (RFC 4291 §2.2, including "::" and a trailing dotted quad). */
function parseIpv6(s: string): Buffer | undefined {
  const out = Buffer.alloc(16);
  const dbl = s.indexOf('::');
  if (dbl !== -1 && s.indexOf('::', dbl + 1) !== -1) return undefined;
  const headText = dbl === -1 ? s : s.slice(0, dbl);
  const tailText = dbl === -1 ? '' : s.slice(dbl + 2);
  const head = headText === '' ? [] : headText.split(':');
  const tail = tailText === '' ? [] : tailText.split(':');
  const toWords = (groups: string[], last: boolean): number[] | undefined => {
    const words: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (last && i === groups.length - 1 && g.indexOf('.') !== -1) {
        const v4 = Buffer.allocUnsafe(4);
        if (!parseIpv4Into(g, v4, 0)) return undefined;
        words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        const w = parseHexWord(g);
        if (w < 0) return undefined;
        words.push(w);
      }
    }
    return words;
  };
  const hw = toWords(head, dbl === -1);
  const tw = toWords(tail, true);
  if (!hw || !tw) return undefined;
  if (dbl === -1 ? hw.length !== 8 : hw.length + tw.length > 7) return undefined;
  hw.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  tw.forEach((w, i) => out.writeUInt16BE(w, 16 - (tw.length - i) * 2));
  return out;
}

/** RFC 5952 §4 text: lower case, no leading zeros, the longest run of ≥2 zero groups as "::". */
function formatIpv6(b: Buffer): string {
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
  if (b.readUInt32BE(0) === 0 && b.readUInt32BE(4) === 0 && b.readUInt32BE(8) === 0xffff) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const w: number[] = [];
  for (let i = 0; i < 16; i += 2) w.push(b.readUInt16BE(i));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(w);
  return `${hex(w.slice(0, bestStart))}::${hex(w.slice(bestStart + bestLen))}`;
}

/** RFC 3162 §2.1 "ipv6addr": 16 octets. */
export function encodeIpv6addr(s: string): Buffer {
  const b = parseIpv6(s);
  if (!b) throw new RangeError(`not an IPv6 address: ${s}`);
  return b;
}

export function decodeIpv6addr(b: Buffer): string | undefined {
  return b.length === 16 ? formatIpv6(b) : undefined;
}

/** RFC 3162 §2.3: Reserved (0), Prefix-Length, then the significant prefix octets. */
export function encodeIpv6prefix(s: string): Buffer {
  const slash = s.indexOf('/');
  const bits = slash === -1 ? -1 : Number(s.slice(slash + 1));
  const addr = slash === -1 ? undefined : parseIpv6(s.slice(0, slash));
  if (!addr || !Number.isInteger(bits) || bits < 0 || bits > 128 || s.slice(slash + 1).length === 0) {
    throw new RangeError(`not an IPv6 prefix: ${s}`);
  }
  const n = Math.ceil(bits / 8);
  const out = Buffer.alloc(2 + n);
  out[1] = bits;
  addr.copy(out, 2, 0, n);
  if (bits % 8 !== 0) out[1 + n] = out[1 + n]! & (0xff << (8 - (bits % 8))); // RFC 3162 §2.3: bits past the length are zero
  return out;
}

export function decodeIpv6prefix(b: Buffer): string | undefined {
  if (b.length < 2 || b.length > 18 || b[0] !== 0) return undefined;
  const bits = b[1]!;
  if (bits > 128 || b.length - 2 < Math.ceil(bits / 8)) return undefined;
  const addr = Buffer.alloc(16);
  b.copy(addr, 0, 2);
  return `${formatIpv6(addr)}/${bits}`;
}

/* ------------------------------------------------------------------ lookups */

interface HasAttributes {
  readonly attributes: readonly Attribute[];
}

/** Calls fn with each value of the named attribute, in wire order; stops when fn returns true. */
function eachValue(p: HasAttributes, def: AttributeDef, fn: (v: Buffer) => boolean | void): void {
  const attrs = p.attributes;
  if (def.vendorId === 0) {
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i]!;
      if (a.type === def.type && fn(a.value) === true) return;
    }
    return;
  }
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i]!;
    if (a.type !== VENDOR_SPECIFIC) continue;
    const v = a.value;
    if (v.length < 6 || v.readUInt32BE(0) !== def.vendorId) continue;
    // RFC 2865 §5.26 sub-attributes; a malformed tail just ends the scan.
    let off = 4;
    while (off + 2 <= v.length) {
      const len = v[off + 1]!;
      if (len < 2 || off + len > v.length) break;
      if (v[off] === def.type && fn(v.subarray(off + 2, off + len)) === true) return;
      off += len;
    }
  }
}

function firstValue(p: HasAttributes, def: AttributeDef): Buffer | undefined {
  if (def.vendorId === 0) {
    // The common case, without a closure.
    for (const a of p.attributes) if (a.type === def.type) return a.value;
    return undefined;
  }
  let found: Buffer | undefined;
  eachValue(p, def, (v) => {
    found = v;
    return true;
  });
  return found;
}

/** The first raw value of an attribute (IETF or vendor), or undefined. */
export function getAttribute(p: HasAttributes, name: AttributeName): Buffer | undefined {
  return firstValue(p, attributeDef(name));
}

/** Every raw value of an attribute, in wire order. */
export function getAll(p: HasAttributes, name: AttributeName): Buffer[] {
  const out: Buffer[] = [];
  eachValue(p, attributeDef(name), (v) => {
    out.push(v);
  });
  return out;
}

// RFC 2868 §3: a leading octet 0x00..0x1F of a tagged string is the Tag.
function untagString(def: AttributeDef, v: Buffer): Buffer {
  return def.flag === 'tagged' && v.length > 0 && v[0]! <= 0x1f ? v.subarray(1) : v;
}

/** The first value of a text attribute ("string" data type). */
export function getString(p: HasAttributes, name: AttributeName): string | undefined {
  const def = attributeDef(name);
  if (def.dataType !== 'string') throw new TypeError(`${name} is ${def.dataType}, not string`);
  const v = firstValue(p, def);
  return v === undefined ? undefined : decodeString(untagString(def, v));
}

/** The first value of an integer attribute; undefined when absent or not 4 octets. */
export function getInteger(p: HasAttributes, name: AttributeName): number | undefined {
  const def = attributeDef(name);
  if (def.dataType !== 'integer') throw new TypeError(`${name} is ${def.dataType}, not integer`);
  const v = firstValue(p, def);
  if (v === undefined) return undefined;
  const n = decodeInteger(v);
  // RFC 2868 §3.1: a tagged integer carries its Tag in the high octet.
  return n !== undefined && def.flag === 'tagged' ? n & 0xffffff : n;
}

export type DecodedValue = string | number | Date | Buffer;

/** Decodes a raw value by the attribute's data type; undefined when malformed. */
export function decodeValue(def: AttributeDef, v: Buffer): DecodedValue | undefined {
  switch (def.dataType) {
    case 'string':
      return decodeString(untagString(def, v));
    case 'integer': {
      const n = decodeInteger(v);
      return n !== undefined && def.flag === 'tagged' ? n & 0xffffff : n;
    }
    case 'ipaddr':
      return decodeIpaddr(v);
    case 'ipv6addr':
      return decodeIpv6addr(v);
    case 'ipv6prefix':
      return decodeIpv6prefix(v);
    case 'date':
      return decodeDate(v);
    case 'ifid':
      return v.length === 8 ? v : undefined;
    case 'octets':
    case 'vsa':
      return v;
  }
}

/** The first value of any attribute, decoded by its data type. */
export function getValue(p: HasAttributes, name: AttributeName): DecodedValue | undefined {
  const def = attributeDef(name);
  const v = firstValue(p, def);
  return v === undefined ? undefined : decodeValue(def, v);
}

/* ------------------------------------------------------------------ builder */

export interface TaggedValue {
  /** RFC 2868 §3.1: 0 (no tag) or 1..0x1F. */
  readonly tag: number;
  readonly value: string | number | Buffer;
}

export type AttributeValue = string | number | Buffer | Date | TaggedValue;

export type AttributePairs = { readonly [N in AttributeName]?: AttributeValue | readonly AttributeValue[] };
export type AttributeList = ReadonlyArray<readonly [AttributeName, AttributeValue]>;

function isTagged(v: AttributeValue): v is TaggedValue {
  return typeof v === 'object' && !Buffer.isBuffer(v) && !(v instanceof Date);
}

function checkTag(name: string, tag: number): void {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0x1f) throw new RangeError(`${name}: tag ${tag} is not 0..31 (RFC 2868 §3.1)`);
}

function encodeInput(def: AttributeDef, input: AttributeValue): Buffer {
  const name = def.name;
  if (def.flag === 'encrypt-user-password' || def.flag === 'encrypt-tunnel-password' || def.flag === 'encrypt-salt') {
    // Refuse cleartext: these must go through crypto.ts with the request authenticator.
    if (!Buffer.isBuffer(input)) throw new TypeError(`${name} must be given already encrypted (see crypto.ts)`);
    return input;
  }
  if (isTagged(input)) {
    if (def.flag !== 'tagged') throw new TypeError(`${name} is not a tagged attribute`);
    checkTag(name, input.tag);
    if (def.dataType === 'integer') {
      const b = encodeIntegerInput(def, input.value);
      if (b[0] !== 0) throw new RangeError(`${name}: tagged integers are 24-bit (RFC 2868 §3.1)`);
      b[0] = input.tag;
      return b;
    }
    const body = Buffer.isBuffer(input.value) ? input.value : encodeString(String(input.value));
    return input.tag === 0 && (body.length === 0 || body[0]! > 0x1f) ? body : Buffer.concat([Buffer.of(input.tag), body]);
  }
  switch (def.dataType) {
    case 'string': {
      if (typeof input !== 'string' && !Buffer.isBuffer(input)) throw new TypeError(`${name} takes a string`);
      const b = typeof input === 'string' ? encodeString(input) : input;
      // An untagged value that would read as a Tag gets an explicit zero Tag (RFC 2868 §3).
      return def.flag === 'tagged' && b.length > 0 && b[0]! <= 0x1f ? Buffer.concat([Buffer.of(0), b]) : b;
    }
    case 'octets':
    case 'vsa':
      if (typeof input === 'string') return encodeString(input);
      if (!Buffer.isBuffer(input)) throw new TypeError(`${name} takes a Buffer or string`);
      return input;
    case 'integer':
      return encodeIntegerInput(def, input);
    case 'date':
      if (input instanceof Date || typeof input === 'number') return encodeDate(input);
      throw new TypeError(`${name} takes a Date or seconds`);
    case 'ipaddr':
      if (Buffer.isBuffer(input) && input.length === 4) return input;
      if (typeof input === 'string') return encodeIpaddr(input);
      throw new TypeError(`${name} takes an IPv4 address`);
    case 'ipv6addr':
      if (Buffer.isBuffer(input) && input.length === 16) return input;
      if (typeof input === 'string') return encodeIpv6addr(input);
      throw new TypeError(`${name} takes an IPv6 address`);
    case 'ipv6prefix':
      if (Buffer.isBuffer(input)) return input;
      if (typeof input === 'string') return encodeIpv6prefix(input);
      throw new TypeError(`${name} takes an IPv6 prefix`);
    case 'ifid':
      if (Buffer.isBuffer(input) && input.length === 8) return input;
      throw new TypeError(`${name} takes an 8-octet Buffer`);
  }
}

function encodeIntegerInput(def: AttributeDef, input: string | number | Buffer | Date): Buffer {
  if (typeof input === 'number') return encodeInteger(input);
  if (typeof input === 'string') {
    const n = def.values?.get(input);
    if (n === undefined) throw new RangeError(`${def.name} has no value named ${input}`);
    return encodeInteger(n);
  }
  if (Buffer.isBuffer(input) && input.length === 4) return Buffer.from(input);
  throw new TypeError(`${def.name} takes an integer or a value name`);
}

/** Encodes one attribute; vendor attributes become one Vendor-Specific (26) each. */
export function encodeAttribute(name: AttributeName, input: AttributeValue): Attribute[] {
  const def = attributeDef(name);
  const value = encodeInput(def, input);
  const out: Attribute[] = [];
  if (def.flag === 'concat') {
    // RFC 3579 §3.1: a long EAP packet spans several consecutive attributes.
    for (const a of splitEapMessage(value)) out.push(a);
    return out;
  }
  if (def.vendorId !== 0) {
    out.push(vendorSpecific(def.vendorId, [{ type: def.type, value }]));
    return out;
  }
  if (value.length > MAX_ATTRIBUTE_VALUE_LENGTH) throw new RangeError(`${name}: value of ${value.length} octets exceeds 253 (RFC 2865 §5)`);
  out.push({ type: def.type, value });
  return out;
}

/**
 * Builds an attribute list, in the order given:
 *   buildAttributes({ 'Session-Timeout': 3600, 'WISPr-Bandwidth-Max-Down': 2_000_000, 'Reply-Message': ['a', 'b'] })
 *   buildAttributes([['Reply-Message', 'a'], ['Class', buf]])
 */
export function buildAttributes(pairs: AttributePairs | AttributeList): Attribute[] {
  const out: Attribute[] = [];
  const add = (name: AttributeName, v: AttributeValue) => {
    for (const a of encodeAttribute(name, v)) out.push(a);
  };
  if (Array.isArray(pairs)) {
    for (const [name, v] of pairs as AttributeList) add(name, v);
    return out;
  }
  for (const [name, v] of Object.entries(pairs as AttributePairs) as [AttributeName, AttributeValue | readonly AttributeValue[] | undefined][]) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v as readonly AttributeValue[]) add(name, x);
    else add(name, v as AttributeValue);
  }
  return out;
}

/* ------------------------------------------------------------------ EAP-Message */

const EAP_MESSAGE = 79;

/** RFC 3579 §3.1: splits an EAP packet into EAP-Message attributes of at most 253 octets. */
export function splitEapMessage(eap: Buffer): Attribute[] {
  const out: Attribute[] = [];
  if (eap.length === 0) throw new RangeError('an EAP packet is at least 4 octets (RFC 3748 §4)');
  for (let off = 0; off < eap.length; off += MAX_ATTRIBUTE_VALUE_LENGTH) {
    out.push({ type: EAP_MESSAGE, value: eap.subarray(off, off + MAX_ATTRIBUTE_VALUE_LENGTH) });
  }
  return out;
}

/** RFC 3579 §3.1: the EAP packet carried by a packet's EAP-Message attributes, concatenated in order. */
export function joinEapMessage(p: HasAttributes): Buffer | undefined {
  const parts: Buffer[] = [];
  for (const a of p.attributes) if (a.type === EAP_MESSAGE) parts.push(a.value);
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}
