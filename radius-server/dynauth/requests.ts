/**
 * Disconnect-Request and CoA-Request contents (RFC 5176 §2, §3): which
 * attributes name the NAS and the session, which carry the change, and how
 * the packet is signed. Pure: no sockets, no clock (the Event-Timestamp is
 * an input, so a retransmission can reuse the same bytes).
 *
 * Attribute order on the wire:
 *   Message-Authenticator (first, added by the codec),
 *   NAS identification, session identification, [CoA: the change], Event-Timestamp.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { formatMac } from '../../controller/domain/mac.js';
import type { CoaChange, DynAuthKind, DynAuthTarget } from '../../controller/ports/dynamic-authorization.js';
import { buildAttributes, getInteger, type AttributeValue } from '../codec/attributes.js';
import { Code } from '../codec/codes.js';
import { valueName, type AttributeName } from '../codec/dictionary.js';
import type { Attribute, Packet } from '../codec/packet.js';
import { encodeCoaRequest, encodeDisconnectRequest } from '../codec/reply.js';

/** RFC 5176 §3: the UDP port a NAS listens on for Disconnect/CoA by default. */
export const DEFAULT_DYNAUTH_PORT = 3799;

const UINT32_MAX = 0xffffffff;

/** One attribute by name, before encoding. */
export type AttributePair = readonly [AttributeName, AttributeValue];

/** `::ffff:a.b.c.d` (how a dual-stack socket reports an IPv4 peer) → `a.b.c.d`; anything else unchanged. */
export function unmapIpv4(address: string): string {
  const lower = address.toLowerCase();
  if (lower.startsWith('::ffff:') && isIPv4(address.slice(7))) return address.slice(7);
  return address;
}

/**
 * NAS identification attributes (RFC 5176 §3): NAS-IP-Address or
 * NAS-IPv6-Address, and NAS-Identifier, each only when known. They must be
 * the values the NAS itself sent in Access-Request/Accounting-Request: a NAS
 * answers a mismatch with Error-Cause 403 NAS-Identification-Mismatch.
 */
export function nasIdentification(t: DynAuthTarget): AttributePair[] {
  const out: AttributePair[] = [];
  if (t.nasIp !== null && t.nasIp !== '') {
    const ip = unmapIpv4(t.nasIp);
    if (isIPv4(ip)) out.push(['NAS-IP-Address', ip]);
    else if (isIPv6(ip)) out.push(['NAS-IPv6-Address', ip]);
    else throw new RangeError(`NAS IP ${t.nasIp} is neither IPv4 nor IPv6`);
  }
  if (t.nasIdentifier !== null && t.nasIdentifier !== '') out.push(['NAS-Identifier', t.nasIdentifier]);
  return out;
}

/**
 * Session identification attributes (RFC 5176 §3): Acct-Session-Id always,
 * then User-Name ("either User-Name or Chargeable-User-Identity SHOULD be
 * present", §3, for the reasons of §5.1), Calling-Station-Id and
 * Framed-IP-Address when known.
 *
 * Calling-Station-Id goes out as `AA-BB-CC-DD-EE-FF` (RFC 3580 §3.21), the
 * form CoovaChilli, hostapd and MikroTik put in their own requests. An IPv6
 * framed address is not sent: Framed-IP-Address is IPv4 only (RFC 2865 §5.8).
 */
export function sessionIdentification(t: DynAuthTarget): AttributePair[] {
  if (t.acctSessionId === '') throw new RangeError('Acct-Session-Id is empty: the NAS could not find the session');
  const out: AttributePair[] = [['Acct-Session-Id', t.acctSessionId]];
  if (t.username !== null && t.username !== '') out.push(['User-Name', t.username]);
  if (t.callingStationId !== null) out.push(['Calling-Station-Id', formatMac(t.callingStationId, 'ietf')]);
  if (t.framedIp !== null && t.framedIp !== '') {
    const ip = unmapIpv4(t.framedIp);
    if (isIPv4(ip)) out.push(['Framed-IP-Address', ip]);
  }
  return out;
}

function checkUint(name: string, n: number | undefined, min: number): void {
  if (n === undefined) return;
  if (!Number.isInteger(n) || n < min || n > UINT32_MAX) throw new RangeError(`${name} ${n} is not an integer in ${min}..${UINT32_MAX}`);
}

/**
 * Bandwidth in the same vendor attributes, units and rounding as the
 * Access-Accept (radius-server/process/access.ts), each direction on its own:
 *   WISPr-Bandwidth-Max-Up/Down     bit/s (WISPr 1.0, Appendix D)
 *   ChilliSpot-Bandwidth-Max-Up/Down kbit/s, at least 1
 *   Mikrotik-Rate-Limit             "rx/tx" = "upload/download" from the router's side,
 *                                   in k, at least 1k (RouterOS reads 0 as "no limit");
 *                                   only when both directions are known, as the string sets both.
 */
export function bandwidthAttributes(uploadBps: number | undefined, downloadBps: number | undefined): AttributePair[] {
  checkUint('upload rate', uploadBps, 1);
  checkUint('download rate', downloadBps, 1);
  const kbit = (bps: number) => Math.max(1, Math.floor(bps / 1000));
  const out: AttributePair[] = [];
  if (uploadBps !== undefined) out.push(['WISPr-Bandwidth-Max-Up', uploadBps]);
  if (downloadBps !== undefined) out.push(['WISPr-Bandwidth-Max-Down', downloadBps]);
  if (uploadBps !== undefined) out.push(['ChilliSpot-Bandwidth-Max-Up', kbit(uploadBps)]);
  if (downloadBps !== undefined) out.push(['ChilliSpot-Bandwidth-Max-Down', kbit(downloadBps)]);
  if (uploadBps !== undefined && downloadBps !== undefined) out.push(['Mikrotik-Rate-Limit', `${kbit(uploadBps)}k/${kbit(downloadBps)}k`]);
  return out;
}

/**
 * The authorization change a CoA-Request carries. RFC 5176 §3.6 Note 3: an
 * attribute left out means "unchanged", so a CoA-Request with no change
 * would ask for nothing: refused here as a caller bug.
 */
export function changeAttributes(change: CoaChange): AttributePair[] {
  checkUint('Session-Timeout', change.sessionTimeoutSeconds, 1);
  const out: AttributePair[] = [];
  if (change.sessionTimeoutSeconds !== undefined) out.push(['Session-Timeout', change.sessionTimeoutSeconds]);
  out.push(...bandwidthAttributes(change.uploadBps, change.downloadBps));
  if (out.length === 0) throw new RangeError('a CoA-Request must change something (RFC 5176 §3.6 Note 3: omitted attributes stay unchanged)');
  return out;
}

export interface DynAuthRequestInput {
  readonly kind: DynAuthKind;
  readonly target: DynAuthTarget;
  /** Required for 'coa', ignored for 'disconnect'. */
  readonly change?: CoaChange;
  readonly identifier: number;
  /** Event-Timestamp, Unix seconds: fixed at the first transmission so retransmissions are identical. */
  readonly eventTimestamp: number;
}

/**
 * The attributes of a request, Message-Authenticator excluded (the codec adds it).
 *
 * - RFC 5176 §3: identification attributes are used "for identification
 *   purposes only" and a CoA-Request MUST NOT use them to request changes;
 *   the change is a disjoint set of attributes (Session-Timeout, bandwidth).
 * - RFC 5176 §3.6 table: a Disconnect-Request carries no authorization
 *   attribute (Session-Timeout, vendor limits: 0), so it has identification only.
 * - RFC 5176 §3.5, §3.6: Error-Cause is never sent in a request (0 in the Request column).
 * - RFC 5176 §3.4: Event-Timestamp SHOULD be included for replay protection;
 *   the NAS may discard requests outside its time window (300 s by default, §3.4).
 */
export function requestAttributes(input: DynAuthRequestInput): Attribute[] {
  checkUint('Event-Timestamp', input.eventTimestamp, 0);
  const list: AttributePair[] = [];
  list.push(...nasIdentification(input.target));
  list.push(...sessionIdentification(input.target));
  if (input.kind === 'coa') {
    if (!input.change) throw new RangeError('a CoA-Request needs a change');
    list.push(...changeAttributes(input.change));
  }
  list.push(['Event-Timestamp', input.eventTimestamp]);
  return buildAttributes(list);
}

/**
 * The signed request as sent (RFC 5176 §2.3, §3.4): Message-Authenticator
 * first, computed over the packet with a zero Authenticator field, then the
 * Request Authenticator = MD5(packet with zero Authenticator + secret), which
 * therefore covers the Message-Authenticator (radius-server/codec/reply.ts).
 * RFC 5176 §3.4 makes Message-Authenticator optional in these requests; it is
 * always sent so a NAS that requires it (BlastRADIUS hardening) accepts them.
 */
export function encodeDynAuthRequest(input: DynAuthRequestInput): Buffer {
  const attributes = requestAttributes(input);
  const signed = { identifier: input.identifier, attributes, secret: input.target.secret };
  return input.kind === 'disconnect' ? encodeDisconnectRequest(signed) : encodeCoaRequest(signed);
}

/** The request code of a kind, and the ACK and NAK codes that answer it (RFC 5176 §2.1, §2.2). */
export const DYNAUTH_CODES: Readonly<Record<DynAuthKind, { readonly request: Code; readonly ack: Code; readonly nak: Code }>> = {
  disconnect: { request: Code.DisconnectRequest, ack: Code.DisconnectAck, nak: Code.DisconnectNak },
  coa: { request: Code.CoaRequest, ack: Code.CoaAck, nak: Code.CoaNak },
};

export interface ErrorCause {
  readonly errorCause: number | null;
  readonly errorCauseName: string | null;
}

/**
 * RFC 5176 §3.5 Error-Cause of an ACK or NAK: the first one, with its
 * registered name (`503` → `Session-Context-Not-Found`), or nulls.
 * A number outside the registry keeps a null name.
 */
export function errorCauseOf(p: Packet): ErrorCause {
  const n = getInteger(p, 'Error-Cause');
  if (n === undefined) return { errorCause: null, errorCauseName: null };
  return { errorCause: n, errorCauseName: valueName('Error-Cause', n) ?? null };
}
