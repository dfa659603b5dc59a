/**
 * RFC 6929 extended attributes we read, as data. Only RFC 8045's three
 * attributes (IANA "RADIUS Attribute Types", Extended-Type under 241) so
 * far; numbers and data types match FreeRADIUS share/dictionary.rfc8045,
 * which test/unit/radius-server/codec/extended.test.ts cross-checks when it
 * is installed.
 *
 * Tuple: [name, type, Extended-Type, data type]. 'tlv' values are a list of
 * RFC 6929 §2.3 TLVs.
 */
import type { DataType } from './standard.js';

export type ExtendedTuple = readonly [name: string, type: number, extendedType: number, dataType: 'tlv'];

export const EXTENDED_ATTRIBUTES = [
  // RFC 8045 §3.1.1, §3.1.2, §3.1.3
  ['IP-Port-Limit-Info', 241, 5, 'tlv'],
  ['IP-Port-Range', 241, 6, 'tlv'],
  ['IP-Port-Forwarding-Map', 241, 7, 'tlv'],
] as const satisfies readonly ExtendedTuple[];

export type TlvTuple = readonly [name: string, tlvType: number, dataType: DataType];

/**
 * RFC 8045 §3.2: the TLVs the three attributes share (one numbering; each
 * attribute says which of them it may carry). TLV-Length is 6 for the
 * integer and IPv4 ones, 18 for the IPv6 one (RFC 8045 §3.2.1–§3.2.11).
 */
export const IP_PORT_TLVS = [
  ['IP-Port-Type', 1, 'integer'], // IPFIX protocolIdentifier (4)
  ['IP-Port-Limit', 2, 'integer'],
  ['IP-Port-Ext-IPv4-Addr', 3, 'ipaddr'], // IPFIX postNATSourceIPv4Address (225)
  ['IP-Port-Int-IPv4-Addr', 4, 'ipaddr'], // IPFIX sourceIPv4Address (8)
  ['IP-Port-Int-IPv6-Addr', 5, 'ipv6addr'], // IPFIX sourceIPv6Address (27)
  ['IP-Port-Int-Port', 6, 'integer'],
  ['IP-Port-Ext-Port', 7, 'integer'],
  ['IP-Port-Alloc', 8, 'integer'], // IPFIX natEvent (230)
  ['IP-Port-Range-Start', 9, 'integer'], // IPFIX portRangeStart (361)
  ['IP-Port-Range-End', 10, 'integer'], // IPFIX portRangeEnd (362)
  ['IP-Port-Local-Id', 11, 'string'],
] as const satisfies readonly TlvTuple[];

export const IP_PORT_VALUES = {
  // RFC 8045 §3.2.8
  'IP-Port-Alloc': { Reserved: 0, Allocation: 1, Deallocation: 2 },
} as const;
