/**
 * Attribute dictionary: name ↔ (vendor, type, data type) and named integer
 * values. Built once at module load from the TypeScript tables in
 * dictionaries/ (no file I/O); lookups are Map or array hits.
 */
import { STANDARD_ATTRIBUTES, STANDARD_VALUES, type AttributeFlag, type AttributeTuple, type DataType } from './dictionaries/standard.js';
import { VENDOR, VENDOR_ATTRIBUTES, VENDOR_VALUES, type VendorName } from './dictionaries/vendors.js';
import type { CHILLISPOT_ATTRIBUTES, MICROSOFT_ATTRIBUTES, MIKROTIK_ATTRIBUTES, WISPR_ATTRIBUTES } from './dictionaries/vendors.js';
import { EXTENDED_ATTRIBUTES, IP_PORT_TLVS, IP_PORT_VALUES } from './dictionaries/extended.js';

export { VENDOR, type VendorName, type DataType, type AttributeFlag };

export type StandardAttributeName = (typeof STANDARD_ATTRIBUTES)[number][0];
export type VendorAttributeName =
  | (typeof WISPR_ATTRIBUTES)[number][0]
  | (typeof CHILLISPOT_ATTRIBUTES)[number][0]
  | (typeof MICROSOFT_ATTRIBUTES)[number][0]
  | (typeof MIKROTIK_ATTRIBUTES)[number][0];
export type AttributeName = StandardAttributeName | VendorAttributeName;

type AllValues = typeof STANDARD_VALUES & typeof VENDOR_VALUES;
/** Attributes that have named values, and their names. */
export type EnumeratedAttributeName = keyof AllValues;
export type ValueName<N extends EnumeratedAttributeName> = keyof AllValues[N] & string;

export interface AttributeDef {
  readonly name: AttributeName;
  /** 0 for IETF attributes. */
  readonly vendorId: number;
  readonly type: number;
  readonly dataType: DataType;
  readonly flag: AttributeFlag | undefined;
  /** Named values (integer attributes only). */
  readonly values: ReadonlyMap<string, number> | undefined;
  readonly valueNames: ReadonlyMap<number, string> | undefined;
}

const BY_NAME = new Map<string, AttributeDef>();
const STANDARD_BY_TYPE: (AttributeDef | undefined)[] = new Array<AttributeDef | undefined>(256).fill(undefined);
const VENDOR_BY_TYPE = new Map<number, (AttributeDef | undefined)[]>();

const ALL_VALUES: Readonly<Record<string, Readonly<Record<string, number>>>> = { ...STANDARD_VALUES, ...VENDOR_VALUES };

function define(vendorId: number, t: AttributeTuple, table: (AttributeDef | undefined)[]): void {
  const [name, type, dataType, flag] = t;
  if (BY_NAME.has(name)) throw new Error(`dictionary: duplicate attribute name ${name}`);
  if (table[type]) throw new Error(`dictionary: duplicate attribute ${vendorId}:${type}`);
  const named = ALL_VALUES[name];
  const values = named ? new Map(Object.entries(named)) : undefined;
  const valueNames = named ? new Map<number, string>() : undefined;
  if (named && valueNames) for (const [k, v] of Object.entries(named)) if (!valueNames.has(v)) valueNames.set(v, k);
  const def: AttributeDef = Object.freeze({ name: name as AttributeName, vendorId, type, dataType, flag, values, valueNames });
  BY_NAME.set(name, def);
  table[type] = def;
}

for (const t of STANDARD_ATTRIBUTES) define(0, t, STANDARD_BY_TYPE);
for (const [vendor, tuples] of Object.entries(VENDOR_ATTRIBUTES)) {
  const table = new Array<AttributeDef | undefined>(256).fill(undefined);
  VENDOR_BY_TYPE.set(Number(vendor), table);
  for (const t of tuples) define(Number(vendor), t, table);
}
for (const name of Object.keys(ALL_VALUES)) {
  if (!BY_NAME.has(name)) throw new Error(`dictionary: values for unknown attribute ${name}`);
}

/** The definition of a known attribute; throws for a name outside the dictionary (a caller bug). */
export function attributeDef(name: AttributeName): AttributeDef {
  const def = BY_NAME.get(name);
  if (!def) throw new RangeError(`unknown RADIUS attribute ${String(name)}`);
  return def;
}

/** Like attributeDef, for names that come from configuration: undefined when unknown. */
export function findAttribute(name: string): AttributeDef | undefined {
  return BY_NAME.get(name);
}

export function attributeByType(type: number, vendorId = 0): AttributeDef | undefined {
  if (vendorId === 0) return STANDARD_BY_TYPE[type];
  return VENDOR_BY_TYPE.get(vendorId)?.[type];
}

/** Every attribute we know, IETF first, in table order. */
export function allAttributes(): AttributeDef[] {
  return [...BY_NAME.values()];
}

/** 'Framed-User' → 2 for Service-Type. */
export function valueNumber<N extends EnumeratedAttributeName>(attribute: N, name: ValueName<N>): number {
  const n = BY_NAME.get(attribute)?.values?.get(name);
  if (n === undefined) throw new RangeError(`${attribute} has no value named ${name}`);
  return n;
}

/** 2 → 'Framed-User' for Service-Type; undefined when the number has no name. */
export function valueName(attribute: AttributeName, n: number): string | undefined {
  return BY_NAME.get(attribute)?.valueNames?.get(n);
}

/* ------------------------------------------------ RFC 6929 extended attributes */

export type ExtendedAttributeName = (typeof EXTENDED_ATTRIBUTES)[number][0];
export type IpPortTlvName = (typeof IP_PORT_TLVS)[number][0];

export interface TlvDef {
  readonly name: string;
  readonly tlvType: number;
  readonly dataType: DataType;
  readonly values: ReadonlyMap<string, number> | undefined;
}

/** An extended attribute (RFC 6929 §2.1, §2.2), named "type.extendedType" in FreeRADIUS dictionaries. */
export interface ExtendedAttributeDef {
  readonly name: ExtendedAttributeName;
  /** 241..246. */
  readonly type: number;
  readonly extendedType: number;
  readonly dataType: 'tlv';
  /** The TLVs its value may carry, by TLV-Type. */
  readonly tlvs: ReadonlyMap<number, TlvDef>;
}

const IP_PORT_TLV_DEFS: ReadonlyMap<number, TlvDef> = new Map(
  IP_PORT_TLVS.map(([name, tlvType, dataType]): [number, TlvDef] => {
    const named = (IP_PORT_VALUES as Readonly<Record<string, Readonly<Record<string, number>>>>)[name];
    return [tlvType, Object.freeze({ name, tlvType, dataType, values: named ? new Map(Object.entries(named)) : undefined })];
  }),
);
const EXTENDED_BY_NAME = new Map<string, ExtendedAttributeDef>();
const EXTENDED_BY_TYPE = new Map<number, ExtendedAttributeDef>();
for (const [name, type, extendedType, dataType] of EXTENDED_ATTRIBUTES) {
  const def: ExtendedAttributeDef = Object.freeze({ name, type, extendedType, dataType, tlvs: IP_PORT_TLV_DEFS });
  if (EXTENDED_BY_TYPE.has(type * 256 + extendedType)) throw new Error(`dictionary: duplicate attribute ${type}.${extendedType}`);
  EXTENDED_BY_NAME.set(name, def);
  EXTENDED_BY_TYPE.set(type * 256 + extendedType, def);
}

/** The definition of a known extended attribute; throws for a name outside the dictionary (a caller bug). */
export function extendedAttributeDef(name: ExtendedAttributeName): ExtendedAttributeDef {
  const def = EXTENDED_BY_NAME.get(name);
  if (!def) throw new RangeError(`unknown RADIUS extended attribute ${String(name)}`);
  return def;
}

/** 241, 6 → IP-Port-Range. */
export function extendedAttributeByType(type: number, extendedType: number): ExtendedAttributeDef | undefined {
  return EXTENDED_BY_TYPE.get(type * 256 + extendedType);
}

/** Every extended attribute we know, in table order. */
export function allExtendedAttributes(): ExtendedAttributeDef[] {
  return [...EXTENDED_BY_NAME.values()];
}

/** RFC 8045 §3.2 TLV numbers: IP_PORT_TLV['IP-Port-Alloc'] === 8. */
export const IP_PORT_TLV = Object.freeze(Object.fromEntries(IP_PORT_TLVS.map(([name, n]) => [name, n]))) as Readonly<Record<IpPortTlvName, number>>;

/** Core IETF attribute numbers the codec itself relies on. */
export const ATTR = {
  UserName: 1,
  UserPassword: 2,
  ChapPassword: 3,
  NasIpAddress: 4,
  NasPort: 5,
  ServiceType: 6,
  State: 24,
  Class: 25,
  VendorSpecific: 26,
  SessionTimeout: 27,
  NasIdentifier: 32,
  ProxyState: 33,
  ChapChallenge: 60,
  TunnelPassword: 69,
  EapMessage: 79,
  MessageAuthenticator: 80,
  ErrorCause: 101,
} as const satisfies Record<string, number>;

export { VENDOR_ATTRIBUTES };
