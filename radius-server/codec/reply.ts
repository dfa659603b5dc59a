/**
 * Signed packets: responses to requests, and the requests this server
 * originates (CoA-/Disconnect-Request to gateways; Access-, Accounting-,
 * Status-Server for test clients). Output is deterministic given the inputs.
 *
 * Order of signing matters and is the point of this file:
 *  - responses: Message-Authenticator first (computed with the REQUEST
 *    authenticator in the header), then the Response Authenticator over the
 *    finished packet (RFC 3579 §3.2, RFC 2865 §3);
 *  - Accounting/CoA/Disconnect requests: Message-Authenticator over the packet
 *    with a zero Authenticator, then the Request Authenticator over the packet
 *    that now carries it (RFC 5176 §3.4, RFC 2866 §3).
 */
import { CODE_NAMES, Code, RESPONSE_CODES } from './codes.js';
import { ATTR } from './dictionary.js';
import {
  ZERO_AUTHENTICATOR,
  checkMessageAuthenticatorRfc2869,
  messageAuthenticatorRfc2869,
  requestAuthenticatorRfc2866,
  responseAuthenticatorRfc2865,
  verifyResponseAuthenticatorRfc2865,
  type Secret,
} from './crypto.js';
import {
  HEADER_LENGTH,
  attributesLength,
  checkHeaderFields,
  checkPacketLength,
  writeAttributes,
  writeHeader,
  type Attribute,
  type Packet,
} from './packet.js';

const MA_ATTRIBUTE_LENGTH = 18;
const MA_VALUE_OFFSET = HEADER_LENGTH + 2; // Message-Authenticator is always the first attribute we write

function refuseCodecOwned(attributes: readonly Attribute[], response: boolean): void {
  for (const a of attributes) {
    if (a.type === ATTR.MessageAuthenticator) throw new RangeError('Message-Authenticator is added by the codec; do not pass one');
    // In a request Proxy-State is the proxy's own; in a response the codec echoes the request's.
    if (response && a.type === ATTR.ProxyState) throw new RangeError('Proxy-State is echoed from the request by the codec; do not pass one');
  }
}

/** Lays out header + [Message-Authenticator zeroed] + attributes + trailing; returns the buffer. */
function layout(
  code: Code,
  identifier: number,
  authenticator: Buffer,
  withMa: boolean,
  attributes: readonly Attribute[],
  trailing: readonly Attribute[],
): Buffer {
  checkHeaderFields(code, identifier, authenticator);
  const length = HEADER_LENGTH + (withMa ? MA_ATTRIBUTE_LENGTH : 0) + attributesLength(attributes) + attributesLength(trailing);
  checkPacketLength(length);
  const out = Buffer.allocUnsafe(length); // every octet is written below
  writeHeader(out, code, identifier, length, authenticator);
  let off = HEADER_LENGTH;
  if (withMa) {
    out[off] = ATTR.MessageAuthenticator;
    out[off + 1] = MA_ATTRIBUTE_LENGTH;
    ZERO_AUTHENTICATOR.copy(out, off + 2);
    off += MA_ATTRIBUTE_LENGTH;
  }
  off = writeAttributes(out, off, attributes);
  writeAttributes(out, off, trailing);
  return out;
}

/* ------------------------------------------------------------------ responses */

export interface ResponseInput {
  readonly request: Packet;
  readonly code: Code;
  readonly attributes: readonly Attribute[];
  readonly secret: Secret;
  /**
   * Add a Message-Authenticator to a response where it is optional
   * (Accounting-Response, CoA/Disconnect ACK/NAK). Access-Accept/Reject/Challenge
   * and replies to Status-Server always carry one.
   */
  readonly messageAuthenticator?: boolean;
}

function mustCarryMa(request: Packet, code: Code): boolean {
  // BlastRADIUS (CVE-2024-3596): Message-Authenticator FIRST in every Access-Accept/Reject/Challenge,
  // as FreeRADIUS 3.2.5 and hostapd do; RFC 5997 §3: replies to Status-Server carry one.
  return code === Code.AccessAccept || code === Code.AccessReject || code === Code.AccessChallenge || request.code === Code.StatusServer;
}

/**
 * Encodes a response to `request`: Message-Authenticator first (where
 * required), the given attributes, then every Proxy-State of the request in
 * order (RFC 2865 §5.33), then the Response Authenticator (RFC 2865 §3).
 */
export function encodeResponse(input: ResponseInput): Buffer {
  const { request, code, attributes, secret } = input;
  const allowed = RESPONSE_CODES[request.code];
  if (!allowed || !allowed.includes(code)) {
    throw new RangeError(`${CODE_NAMES[code] ?? code} is not a response to ${CODE_NAMES[request.code]}`);
  }
  refuseCodecOwned(attributes, true);
  const proxyStates: Attribute[] = [];
  for (const a of request.attributes) if (a.type === ATTR.ProxyState) proxyStates.push(a);
  const withMa = mustCarryMa(request, code) || input.messageAuthenticator === true;

  // The header holds the request authenticator while both digests are computed.
  const out = layout(code, request.identifier, request.authenticator, withMa, attributes, proxyStates);
  if (withMa) {
    // RFC 3579 §3.2: computed with the Request Authenticator of the request, before the Response Authenticator.
    messageAuthenticatorRfc2869(out, MA_VALUE_OFFSET, request.authenticator, secret).copy(out, MA_VALUE_OFFSET);
  }
  responseAuthenticatorRfc2865(out, request.authenticator, secret).copy(out, 4);
  return out;
}

/* ------------------------------------------------------------------ requests */

export interface SignedRequestInput {
  readonly identifier: number;
  readonly attributes: readonly Attribute[];
  readonly secret: Secret;
  /** Default true. Some gateways NAK an unknown attribute; set false for those. */
  readonly messageAuthenticator?: boolean;
}

/**
 * Accounting-Request (RFC 2866 §3) and CoA-/Disconnect-Request (RFC 5176 §2.3, §3.4):
 * Message-Authenticator over the packet with Authenticator = 16 zero octets,
 * then Request Authenticator = MD5(packet with zero Authenticator + secret),
 * so the Request Authenticator covers the final Message-Authenticator.
 */
function encodeKeyedRequest(code: Code, input: SignedRequestInput): Buffer {
  refuseCodecOwned(input.attributes, false);
  const withMa = input.messageAuthenticator !== false;
  const out = layout(code, input.identifier, ZERO_AUTHENTICATOR, withMa, input.attributes, []);
  if (withMa) messageAuthenticatorRfc2869(out, MA_VALUE_OFFSET, ZERO_AUTHENTICATOR, input.secret).copy(out, MA_VALUE_OFFSET);
  requestAuthenticatorRfc2866(out, input.secret).copy(out, 4);
  return out;
}

export function encodeDisconnectRequest(input: SignedRequestInput): Buffer {
  return encodeKeyedRequest(Code.DisconnectRequest, input);
}

export function encodeCoaRequest(input: SignedRequestInput): Buffer {
  return encodeKeyedRequest(Code.CoaRequest, input);
}

export function encodeAccountingRequest(input: SignedRequestInput): Buffer {
  return encodeKeyedRequest(Code.AccountingRequest, input);
}

export interface AccessRequestInput {
  readonly identifier: number;
  /** The random Request Authenticator (crypto.newRequestAuthenticator); User-Password must be hidden with it. */
  readonly authenticator: Buffer;
  readonly attributes: readonly Attribute[];
  readonly secret: Secret;
}

/** Access-Request with Message-Authenticator first (RFC 2869 §5.14; BlastRADIUS). */
export function encodeAccessRequest(input: AccessRequestInput): Buffer {
  return encodeRandomAuthenticatorRequest(Code.AccessRequest, input);
}

/** Status-Server (RFC 5997 §3): Message-Authenticator is mandatory. */
export function encodeStatusServer(input: AccessRequestInput): Buffer {
  return encodeRandomAuthenticatorRequest(Code.StatusServer, input);
}

function encodeRandomAuthenticatorRequest(code: Code, input: AccessRequestInput): Buffer {
  refuseCodecOwned(input.attributes, false);
  const out = layout(code, input.identifier, input.authenticator, true, input.attributes, []);
  messageAuthenticatorRfc2869(out, MA_VALUE_OFFSET, input.authenticator, input.secret).copy(out, MA_VALUE_OFFSET);
  return out;
}

/* ------------------------------------------------------- response verification */

export type ResponseFailure = 'unexpected-code' | 'identifier-mismatch' | 'bad-authenticator' | 'ma-missing' | 'ma-invalid' | 'ma-length';

export const RESPONSE_FAILURES: Readonly<Record<ResponseFailure, string>> = {
  'unexpected-code': 'response code does not answer the request code',
  'identifier-mismatch': 'response Identifier differs from the request (RFC 2865 §3)',
  'bad-authenticator': 'Response Authenticator does not verify (RFC 2865 §3, RFC 5176 §2.3)',
  'ma-missing': 'Message-Authenticator required in the response but absent (BlastRADIUS CVE-2024-3596)',
  'ma-invalid': 'Message-Authenticator does not verify, or appears more than once (RFC 3579 §3.2)',
  'ma-length': 'Message-Authenticator is not 16 octets (RFC 2869 §5.14)',
};

export type ResponseResult = { ok: true } | { ok: false; reason: ResponseFailure };

export interface VerifyResponseInput {
  readonly request: Packet;
  readonly response: Packet;
  readonly secret: Secret;
  /**
   * Default: true for responses to Access-Request and Status-Server
   * (BlastRADIUS client-side mitigation), false otherwise.
   */
  readonly requireMessageAuthenticator?: boolean;
}

/** Verifies a response against the request it answers (any request code). */
export function verifyResponse(input: VerifyResponseInput): ResponseResult {
  const { request, response, secret } = input;
  const allowed = RESPONSE_CODES[request.code];
  if (!allowed || !allowed.includes(response.code)) return { ok: false, reason: 'unexpected-code' };
  if (response.identifier !== request.identifier) return { ok: false, reason: 'identifier-mismatch' };
  if (!verifyResponseAuthenticatorRfc2865(response.raw, request.authenticator, secret)) return { ok: false, reason: 'bad-authenticator' };
  const require = input.requireMessageAuthenticator ?? (request.code === Code.AccessRequest || request.code === Code.StatusServer);
  // RFC 3579 §3.2, RFC 5176 §3.4: responses are signed with the request's authenticator.
  switch (checkMessageAuthenticatorRfc2869(response.raw, request.authenticator, secret)) {
    case 'valid':
      return { ok: true };
    case 'absent':
      return require ? { ok: false, reason: 'ma-missing' } : { ok: true };
    case 'bad-length':
      return { ok: false, reason: 'ma-length' };
    case 'duplicate':
    case 'mismatch':
      return { ok: false, reason: 'ma-invalid' };
  }
}

/** Verifies a Disconnect-ACK/NAK or CoA-ACK/NAK against the request we sent (RFC 5176 §2.3, §3.4). */
export function verifyDynamicAuthorizationResponse(input: VerifyResponseInput): ResponseResult {
  if (input.request.code !== Code.DisconnectRequest && input.request.code !== Code.CoaRequest) {
    throw new RangeError('not a Disconnect-Request or CoA-Request');
  }
  return verifyResponse(input);
}
