/**
 * The RADIUS packet: header and attribute framing (RFC 2865 §3, §5).
 *
 * No sockets, no logging. decodePacket never throws on hostile input: it returns
 * a closed set of failure reasons (labels for radius_dropped_requests_total and
 * the debug log). encodePacket throws RangeError only for caller bugs.
 *
 * Decoded attribute values are zero-copy views into the datagram, made lazily:
 * do not reuse the buffer while the packet is alive.
 */
import { isCode, type Code } from './codes.js';

export const HEADER_LENGTH = 20;
export const AUTHENTICATOR_LENGTH = 16;
export const MIN_PACKET_LENGTH = 20; // RFC 2865 §3
export const MAX_PACKET_LENGTH = 4096; // RFC 2865 §3
export const MAX_ATTRIBUTE_VALUE_LENGTH = 253; // RFC 2865 §5: Length is one octet and covers Type and Length

export const VENDOR_SPECIFIC = 26;

export interface Attribute {
  readonly type: number;
  readonly value: Buffer;
}

export interface Packet {
  readonly code: Code;
  readonly identifier: number;
  /** 16 octets: a view into raw. */
  readonly authenticator: Buffer;
  /** In wire order. Vendor-Specific (26) is kept raw; see splitVendorSpecific. */
  readonly attributes: Attribute[];
  /** The packet as received, cut to its Length field (trailing octets dropped). */
  readonly raw: Buffer;
}

export type DecodeFailure =
  | 'too-short'
  | 'too-long'
  | 'length-invalid'
  | 'length-mismatch'
  | 'unknown-code'
  | 'attribute-truncated'
  | 'attribute-length-invalid'
  | 'attribute-type-invalid';

export const DECODE_FAILURES: Readonly<Record<DecodeFailure, string>> = {
  'too-short': 'datagram shorter than the 20-octet RADIUS header (RFC 2865 §3)',
  'too-long': 'datagram or Length field larger than 4096 octets (RFC 2865 §3)',
  'length-invalid': 'Length field smaller than the 20-octet header (RFC 2865 §3)',
  'length-mismatch': 'datagram shorter than its Length field (RFC 2865 §3: silently discarded)',
  'unknown-code': 'packet Code is not one this server handles (RFC 2865 §3: silently discarded)',
  'attribute-truncated': 'an attribute runs past the end of the packet (RFC 2865 §5)',
  'attribute-length-invalid': 'an attribute Length is below 2 (RFC 2865 §5)',
  'attribute-type-invalid': 'an attribute has Type 0, which is reserved (RFC 2865 §5, IANA RADIUS Types)',
};

/**
 * An attribute as decoded. Its value is a view into the datagram made on first
 * read: verifying a request touches no attribute value, so the hot path
 * creates no per-attribute buffers.
 */
class WireAttribute implements Attribute {
  readonly type: number;
  readonly #raw: Buffer;
  readonly #start: number;
  readonly #end: number;
  #value: Buffer | undefined;

  constructor(type: number, raw: Buffer, start: number, end: number) {
    this.type = type;
    this.#raw = raw;
    this.#start = start;
    this.#end = end;
    this.#value = undefined;
  }

  get value(): Buffer {
    return (this.#value ??= this.#raw.subarray(this.#start, this.#end));
  }

  toJSON(): { type: number; value: string } {
    return { type: this.type, value: this.value.toString('hex') };
  }
}

export type DecodeResult = { ok: true; packet: Packet } | { ok: false; reason: DecodeFailure };

// Failure results are constants: a flood of garbage allocates nothing.
const fail = Object.fromEntries(
  (Object.keys(DECODE_FAILURES) as DecodeFailure[]).map((r) => [r, Object.freeze({ ok: false as const, reason: r })]),
) as Record<DecodeFailure, { ok: false; reason: DecodeFailure }>;

export function decodePacket(buf: Buffer): DecodeResult {
  const received = buf.length;
  if (received < MIN_PACKET_LENGTH) return fail['too-short'];
  // A conforming peer never sends more than 4096 octets of UDP payload (RFC 2865 §3);
  // refusing early bounds the work a hostile datagram can cause.
  if (received > MAX_PACKET_LENGTH) return fail['too-long'];
  const length = (buf[2]! << 8) | buf[3]!;
  if (length < MIN_PACKET_LENGTH) return fail['length-invalid'];
  if (length > MAX_PACKET_LENGTH) return fail['too-long'];
  // RFC 2865 §3: shorter than Length → discard; longer → octets past Length are padding.
  if (received < length) return fail['length-mismatch'];
  const code = buf[0]!;
  if (!isCode(code)) return fail['unknown-code'];

  const raw = received === length ? buf : buf.subarray(0, length);
  const attributes: Attribute[] = [];
  let off = HEADER_LENGTH;
  while (off < length) {
    // RFC 2865 §5: Type (1), Length (1, covering Type and Length), Value.
    if (off + 2 > length) return fail['attribute-truncated'];
    const type = raw[off]!;
    const alen = raw[off + 1]!;
    if (alen < 2) return fail['attribute-length-invalid'];
    const end = off + alen;
    if (end > length) return fail['attribute-truncated'];
    if (type === 0) return fail['attribute-type-invalid'];
    attributes.push(new WireAttribute(type, raw, off + 2, end));
    off = end;
  }
  return {
    ok: true,
    packet: { code, identifier: raw[1]!, authenticator: raw.subarray(4, 20), attributes, raw },
  };
}

export interface PacketFields {
  readonly code: Code;
  readonly identifier: number;
  readonly authenticator: Buffer;
  readonly attributes: readonly Attribute[];
}

/** Total wire length of an attribute list; validates each value length (RFC 2865 §5). */
export function attributesLength(attributes: readonly Attribute[]): number {
  let n = 0;
  for (const a of attributes) {
    if (!Number.isInteger(a.type) || a.type < 1 || a.type > 255) throw new RangeError(`attribute type ${a.type} is not 1..255`);
    if (a.value.length > MAX_ATTRIBUTE_VALUE_LENGTH) {
      throw new RangeError(`attribute ${a.type}: value of ${a.value.length} octets exceeds 253 (RFC 2865 §5)`);
    }
    n += 2 + a.value.length;
  }
  return n;
}

/** Writes attributes at off; returns the offset after them. */
export function writeAttributes(out: Buffer, off: number, attributes: readonly Attribute[]): number {
  for (const a of attributes) {
    out[off] = a.type;
    out[off + 1] = a.value.length + 2;
    a.value.copy(out, off + 2);
    off += 2 + a.value.length;
  }
  return off;
}

/** Writes Code, Identifier, Length and Authenticator. */
export function writeHeader(out: Buffer, code: Code, identifier: number, length: number, authenticator: Buffer): void {
  out[0] = code;
  out[1] = identifier;
  out.writeUInt16BE(length, 2);
  authenticator.copy(out, 4, 0, AUTHENTICATOR_LENGTH);
}

export function checkHeaderFields(code: number, identifier: number, authenticator: Buffer): void {
  if (!isCode(code)) throw new RangeError(`unknown RADIUS code ${code}`);
  if (!Number.isInteger(identifier) || identifier < 0 || identifier > 255) throw new RangeError(`identifier ${identifier} is not 0..255`);
  if (authenticator.length !== AUTHENTICATOR_LENGTH) throw new RangeError('authenticator must be 16 octets');
}

export function checkPacketLength(length: number): void {
  if (length > MAX_PACKET_LENGTH) throw new RangeError(`packet of ${length} octets exceeds 4096 (RFC 2865 §3)`);
}

/**
 * Encodes a packet exactly as given: the authenticator is written verbatim, so
 * output is byte-exact for a fixed authenticator. Signing is crypto.ts/reply.ts.
 */
export function encodePacket(p: PacketFields): Buffer {
  checkHeaderFields(p.code, p.identifier, p.authenticator);
  const length = HEADER_LENGTH + attributesLength(p.attributes);
  checkPacketLength(length);
  const out = Buffer.allocUnsafe(length); // every octet is written below
  writeHeader(out, p.code, p.identifier, length, p.authenticator);
  writeAttributes(out, HEADER_LENGTH, p.attributes);
  return out;
}

/* ---------------------------------------------------------------- Vendor-Specific */

export interface VendorSubAttribute {
  readonly type: number;
  readonly value: Buffer;
}

export type VsaFailure = 'vsa-too-short' | 'vsa-sub-attribute-invalid';

export const VSA_FAILURES: Readonly<Record<VsaFailure, string>> = {
  'vsa-too-short': 'Vendor-Specific value shorter than its 4-octet Vendor-Id plus one sub-attribute header (RFC 2865 §5.26)',
  'vsa-sub-attribute-invalid': 'a vendor sub-attribute has a Length below 2 or runs past the Vendor-Specific value',
};

export type VsaResult =
  | { ok: true; vendorId: number; subAttributes: VendorSubAttribute[] }
  | { ok: false; reason: VsaFailure };

/**
 * Splits a Vendor-Specific value into Vendor-Id and sub-attributes in the
 * format RFC 2865 §5.26 recommends (Vendor-Type 1 octet, Vendor-Length 1 octet
 * covering both). All vendors in our dictionary use it.
 */
export function splitVendorSpecific(value: Buffer): VsaResult {
  if (value.length < 6) return { ok: false, reason: 'vsa-too-short' };
  const subAttributes = readTypeLengthValues(value, 4, 2);
  if (typeof subAttributes === 'string') return { ok: false, reason: 'vsa-sub-attribute-invalid' };
  return { ok: true, vendorId: value.readUInt32BE(0), subAttributes };
}

/**
 * The one-octet Type, one-octet Length (header included) layout of vendor
 * sub-attributes (RFC 2865 §5.26) and TLVs (RFC 6929 §2.3), from `from` to
 * the end of `value`. Values are views into `value`. `truncated`: a header or
 * value runs past the end; `too-short`: a Length below `minLength`.
 */
export function readTypeLengthValues(value: Buffer, from: number, minLength: number): VendorSubAttribute[] | 'truncated' | 'too-short' {
  const out: VendorSubAttribute[] = [];
  let off = from;
  while (off < value.length) {
    if (off + 2 > value.length) return 'truncated';
    const len = value[off + 1]!;
    if (len < minLength) return 'too-short';
    if (off + len > value.length) return 'truncated';
    out.push({ type: value[off]!, value: value.subarray(off + 2, off + len) });
    off += len;
  }
  return out;
}

/** Builds one Vendor-Specific attribute (type 26) carrying the given sub-attributes. */
export function vendorSpecific(vendorId: number, subAttributes: readonly VendorSubAttribute[]): Attribute {
  if (!Number.isInteger(vendorId) || vendorId < 0 || vendorId > 0xffffffff) throw new RangeError(`vendor id ${vendorId} is not a uint32`);
  let len = 4;
  for (const s of subAttributes) {
    if (!Number.isInteger(s.type) || s.type < 0 || s.type > 255) throw new RangeError(`vendor attribute type ${s.type} is not 0..255`);
    len += 2 + s.value.length;
  }
  if (len > MAX_ATTRIBUTE_VALUE_LENGTH) {
    throw new RangeError(`Vendor-Specific value of ${len} octets exceeds 253 (RFC 2865 §5.26)`);
  }
  const value = Buffer.allocUnsafe(len);
  value.writeUInt32BE(vendorId, 0);
  let off = 4;
  for (const s of subAttributes) {
    value[off] = s.type;
    value[off + 1] = s.value.length + 2;
    s.value.copy(value, off + 2);
    off += 2 + s.value.length;
  }
  return { type: VENDOR_SPECIFIC, value };
}
