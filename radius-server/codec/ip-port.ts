/**
 * RFC 8045 IP-Port-Range (241.6), decode only: the port block a NAT
 * (carrier-grade or the gateway's own) allocated or released for a
 * subscriber, as its Accounting-Requests report it (RFC 8045 §3.1.2).
 *
 * Returns typed results, never throws on hostile input. What a caller does
 * with an allocation without an external address or port range is its
 * business: the decoder reports what the attribute says.
 */
import { IP_PORT_TLV, extendedAttributeDef } from './dictionary.js';
import { EXTENDED_FAILURES, TLV_FAILURES, decodeTlvs, extendedValues, type ExtendedFailure, type TlvFailure } from './extended.js';
import { decodeIpaddr, decodeIpv6addr } from './attributes.js';
import type { Attribute } from './packet.js';

export type PortAllocation = 'allocation' | 'deallocation';

export interface IpPortRange {
  /** IP-Port-Alloc (RFC 8045 §3.2.8, IPFIX natEvent): 1 allocation, 2 deallocation. */
  readonly alloc: PortAllocation;
  /** IP-Port-Type (§3.2.1): the IANA protocol number the block is for; null means every protocol. */
  readonly protocol: number | null;
  /** IP-Port-Ext-IPv4-Addr (§3.2.3): the public address. */
  readonly externalIpv4: string | null;
  /** IP-Port-Int-IPv4-Addr (§3.2.4): the private address; accounting reads its absence as the session's Framed-IP-Address. */
  readonly internalIpv4: string | null;
  /** IP-Port-Int-IPv6-Addr (§3.2.5): the subscriber's IPv6 address behind a NAT64 or DS-Lite AFTR. */
  readonly internalIpv6: string | null;
  /** IP-Port-Range-Start and -End (§3.2.9, §3.2.10): both or neither. */
  readonly portStart: number | null;
  readonly portEnd: number | null;
  /** IP-Port-Local-Id (§3.2.11): the NAT's own name for the subscriber. */
  readonly localId: string | null;
}

export type IpPortFailure = ExtendedFailure | TlvFailure | 'tlv-value-length-invalid' | 'tlv-duplicate' | 'port-alloc-missing' | 'port-alloc-invalid' | 'port-range-incomplete' | 'port-range-invalid';

export const IP_PORT_FAILURES: Readonly<Record<IpPortFailure, string>> = {
  ...EXTENDED_FAILURES,
  ...TLV_FAILURES,
  'tlv-value-length-invalid': 'a TLV value has the wrong length for its type: 4 octets for an integer or IPv4 address, 16 for IPv6, 1 or more for a string (RFC 8045 §3.2)',
  'tlv-duplicate': 'a TLV appears twice in one IP-Port-Range: which value holds would be a guess',
  'port-alloc-missing': 'IP-Port-Range without IP-Port-Alloc, which it MUST carry (RFC 8045 §3.2.8)',
  'port-alloc-invalid': 'IP-Port-Alloc is neither 1 (allocation) nor 2 (deallocation) (RFC 8045 §3.2.8)',
  'port-range-incomplete': 'IP-Port-Range-Start without IP-Port-Range-End, or the reverse: no range can be read (RFC 8045 §3.2.9, §3.2.10)',
  'port-range-invalid': 'a port above 65535 (an unsigned16 right-justified in 4 octets) or a range that ends before it starts (RFC 8045 §3.2.9, §3.2.10)',
};

export type IpPortRangeResult = { readonly ok: true; readonly range: IpPortRange } | { readonly ok: false; readonly reason: IpPortFailure };

const IP_PORT_RANGE = extendedAttributeDef('IP-Port-Range');
const T = IP_PORT_TLV;
const NONE: readonly IpPortRangeResult[] = Object.freeze([]);

const failed = (reason: IpPortFailure): IpPortRangeResult => ({ ok: false, reason });

/** Decodes the value of one IP-Port-Range attribute (after its Extended-Type octet). */
export function decodeIpPortRange(value: Buffer): IpPortRangeResult {
  const decoded = decodeTlvs(value);
  if (!decoded.ok) return decoded;
  let seen = 0;
  let alloc: number | undefined;
  let protocol: number | null = null;
  let externalIpv4: string | null = null;
  let internalIpv4: string | null = null;
  let internalIpv6: string | null = null;
  let portStart: number | null = null;
  let portEnd: number | null = null;
  let localId: string | null = null;
  for (const tlv of decoded.tlvs) {
    const def = IP_PORT_RANGE.tlvs.get(tlv.type);
    // Unknown TLV-Types are skipped: a newer NAT may say more than we read.
    if (!def) continue;
    const bit = 1 << tlv.type;
    if (seen & bit) return failed('tlv-duplicate');
    seen |= bit;
    const v = tlv.value;
    switch (def.dataType) {
      case 'integer':
        if (v.length !== 4) return failed('tlv-value-length-invalid');
        break;
      case 'ipaddr':
        if (v.length !== 4) return failed('tlv-value-length-invalid');
        break;
      case 'ipv6addr':
        if (v.length !== 16) return failed('tlv-value-length-invalid');
        break;
      default:
        break; // string: RFC 6929 §2.3 already guarantees one octet or more
    }
    switch (tlv.type) {
      case T['IP-Port-Alloc']:
        alloc = v.readUInt32BE(0);
        break;
      case T['IP-Port-Type']:
        protocol = v.readUInt32BE(0);
        break;
      case T['IP-Port-Ext-IPv4-Addr']:
        externalIpv4 = decodeIpaddr(v)!;
        break;
      case T['IP-Port-Int-IPv4-Addr']:
        internalIpv4 = decodeIpaddr(v)!;
        break;
      case T['IP-Port-Int-IPv6-Addr']:
        internalIpv6 = decodeIpv6addr(v)!;
        break;
      case T['IP-Port-Range-Start']:
        portStart = v.readUInt32BE(0);
        break;
      case T['IP-Port-Range-End']:
        portEnd = v.readUInt32BE(0);
        break;
      case T['IP-Port-Local-Id']:
        localId = v.toString('utf8');
        break;
      default:
        break; // IP-Port-Limit, -Int-Port, -Ext-Port belong to the other two attributes
    }
  }
  if (alloc === undefined) return failed('port-alloc-missing');
  if (alloc !== 1 && alloc !== 2) return failed('port-alloc-invalid');
  if ((portStart === null) !== (portEnd === null)) return failed('port-range-incomplete');
  if (portStart !== null && portEnd !== null && (portStart > 0xffff || portEnd > 0xffff || portStart > portEnd)) return failed('port-range-invalid');
  return {
    ok: true,
    range: { alloc: alloc === 1 ? 'allocation' : 'deallocation', protocol, externalIpv4, internalIpv4, internalIpv6, portStart, portEnd, localId },
  };
}

/**
 * Every IP-Port-Range of a packet, decoded, in wire order. A shared empty
 * array, with nothing allocated, when the packet has none: the accounting
 * hot path calls this for every request.
 */
export function ipPortRanges(attributes: readonly Attribute[]): readonly IpPortRangeResult[] {
  const values = extendedValues(attributes, IP_PORT_RANGE.type, IP_PORT_RANGE.extendedType);
  if (values.length === 0) return NONE;
  return values.map((v) => (v.ok ? decodeIpPortRange(v.value) : v));
}
