/**
 * RFC 6929 extended attributes, decode only: Extended-Type attributes
 * (Types 241–244, §2.1), Long Extended-Type attributes (245–246, §2.2,
 * fragments joined by the More flag) and TLV values (§2.3).
 *
 * decodePacket keeps these attributes raw like any other; they are read on
 * demand here. Nothing throws on hostile input: each failure is one of a
 * closed set of reasons. RFC 6929 §2.8 makes such an attribute an "invalid
 * attribute": the packet stays valid and the caller ignores the attribute.
 */
import { readTypeLengthValues, type Attribute } from './packet.js';

export const SHORT_EXTENDED_TYPES = [241, 242, 243, 244] as const;
export const LONG_EXTENDED_TYPES = [245, 246] as const;

/** RFC 6929 §2.1: Types 241–244 carry an Extended-Type octet before the value. */
export function isShortExtended(type: number): boolean {
  return type >= 241 && type <= 244;
}

/** RFC 6929 §2.2: Types 245–246 add a flags octet (M, then 7 reserved bits) after the Extended-Type. */
export function isLongExtended(type: number): boolean {
  return type === 245 || type === 246;
}

const MORE = 0x80; // RFC 6929 §2.2: the M bit; the other 7 bits are reserved, ignored on receipt
const FULL_VALUE = 253; // an attribute Length of 255 less Type and Length

export type ExtendedFailure = 'extended-too-short' | 'long-extended-more-not-full' | 'long-extended-fragment-missing';

export const EXTENDED_FAILURES: Readonly<Record<ExtendedFailure, string>> = {
  'extended-too-short': 'an Extended-Type attribute with Length below 4, or a Long Extended-Type one below 5 (RFC 6929 §2.1, §2.2)',
  'long-extended-more-not-full': 'a Long Extended-Type fragment has the More flag set but a Length other than 255 (RFC 6929 §2.2)',
  'long-extended-fragment-missing': 'a Long Extended-Type fragment with the More flag set is not followed by a fragment of the same Type and Extended-Type (RFC 6929 §2.2)',
};

export type ExtendedValue = { readonly ok: true; readonly value: Buffer } | { readonly ok: false; readonly reason: ExtendedFailure };

const fail = Object.fromEntries(
  (Object.keys(EXTENDED_FAILURES) as ExtendedFailure[]).map((r) => [r, Object.freeze({ ok: false as const, reason: r })]),
) as Record<ExtendedFailure, { readonly ok: false; readonly reason: ExtendedFailure }>;

const NONE: readonly ExtendedValue[] = Object.freeze([]);

/**
 * Every value of the extended attribute `type`.`extendedType` in a packet,
 * in wire order; Long Extended-Type fragments come back joined. Returns a
 * shared empty array, allocating nothing, when there is none.
 *
 * An attribute too short to hold an Extended-Type octet (Length 2) cannot
 * be told apart from other extended attributes of its Type: it is skipped.
 */
export function extendedValues(attributes: readonly Attribute[], type: number, extendedType: number): readonly ExtendedValue[] {
  let out: ExtendedValue[] | undefined;
  const long = isLongExtended(type);
  if (!long && !isShortExtended(type)) throw new RangeError(`attribute type ${type} is not an RFC 6929 extended type (241..246)`);
  for (let i = 0; i < attributes.length; i++) {
    const a = attributes[i]!;
    if (a.type !== type) continue;
    const v = a.value;
    if (v.length === 0 || v[0] !== extendedType) continue;
    out ??= [];
    if (!long) {
      // RFC 6929 §2.1: Type, Length (4..255), Extended-Type, Value of one octet or more.
      out.push(v.length < 2 ? fail['extended-too-short'] : { ok: true, value: v.subarray(1) });
      continue;
    }
    // RFC 6929 §2.2: Type, Length (5..255), Extended-Type, M + Reserved, Value.
    if (v.length < 3) {
      out.push(fail['extended-too-short']);
      continue;
    }
    if ((v[1]! & MORE) === 0) {
      out.push({ ok: true, value: v.subarray(2) });
      continue;
    }
    const joined = joinFragments(attributes, i, type, extendedType);
    out.push(joined.result);
    i = joined.last;
  }
  return out ?? NONE;
}

/**
 * RFC 6929 §2.2: a fragment with M set has Length 255 and is followed at
 * once by the next fragment (same Type and Extended-Type); the last one has
 * M clear. On failure, `last` skips the fragments read so far.
 */
function joinFragments(attributes: readonly Attribute[], first: number, type: number, extendedType: number): { result: ExtendedValue; last: number } {
  const parts: Buffer[] = [];
  let i = first;
  for (;;) {
    const v = attributes[i]!.value;
    parts.push(v.subarray(2));
    if ((v[1]! & MORE) === 0) return { result: { ok: true, value: Buffer.concat(parts) }, last: i };
    const more = isFragment(attributes[i + 1], type, extendedType);
    if (v.length !== FULL_VALUE) return { result: fail['long-extended-more-not-full'], last: more ? skipChain(attributes, i + 1, type, extendedType) : i };
    if (!more) return { result: fail['long-extended-fragment-missing'], last: i };
    i++;
  }
}

function isFragment(a: Attribute | undefined, type: number, extendedType: number): boolean {
  return a !== undefined && a.type === type && a.value.length >= 3 && a.value[0] === extendedType;
}

/** The rest of a broken chain goes with it: its fragments must not read as attributes of their own. */
function skipChain(attributes: readonly Attribute[], from: number, type: number, extendedType: number): number {
  let i = from;
  while ((attributes[i]!.value[1]! & MORE) !== 0 && isFragment(attributes[i + 1], type, extendedType)) i++;
  return i;
}

/* ------------------------------------------------------------------- TLVs */

export interface Tlv {
  readonly type: number;
  /** A view into the attribute value. */
  readonly value: Buffer;
}

export type TlvFailure = 'tlv-truncated' | 'tlv-length-invalid';

export const TLV_FAILURES: Readonly<Record<TlvFailure, string>> = {
  'tlv-truncated': 'a TLV header or value runs past the end of its attribute (RFC 6929 §2.3)',
  'tlv-length-invalid': 'a TLV-Length below 3: every TLV carries at least one octet of value (RFC 6929 §2.3)',
};

export type TlvResult = { readonly ok: true; readonly tlvs: readonly Tlv[] } | { readonly ok: false; readonly reason: TlvFailure };

/**
 * RFC 6929 §2.3: a "tlv" value is a sequence of TLV-Type (1 octet),
 * TLV-Length (1 octet, covering the header, 3..255), TLV-Value. One bad
 * TLV makes the whole attribute invalid (§2.8): nothing partial is returned.
 */
export function decodeTlvs(value: Buffer): TlvResult {
  const tlvs = readTypeLengthValues(value, 0, 3);
  if (tlvs === 'truncated') return { ok: false, reason: 'tlv-truncated' };
  if (tlvs === 'too-short') return { ok: false, reason: 'tlv-length-invalid' };
  return { ok: true, tlvs };
}
