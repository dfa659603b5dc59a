/**
 * Verifies an incoming request with the client's shared secret. Returns a
 * closed set of reasons (labels for radius_dropped_requests_total{reason}).
 * Every digest comparison is constant time (crypto.ts digestEquals).
 */
import { Code } from './codes.js';
import { ATTR } from './dictionary.js';
import {
  ZERO_AUTHENTICATOR,
  checkMessageAuthenticatorRfc2869,
  verifyRequestAuthenticatorRfc2866,
  type MessageAuthenticatorCheck,
  type Secret,
} from './crypto.js';
import type { Packet } from './packet.js';

export type VerifyFailure = 'ma-missing' | 'ma-invalid' | 'ma-length' | 'bad-authenticator' | 'unsupported-code';

export const VERIFY_FAILURES: Readonly<Record<VerifyFailure, string>> = {
  'ma-missing': 'Message-Authenticator required but absent (BlastRADIUS CVE-2024-3596; RFC 3579 §3.3; RFC 5997 §3)',
  'ma-invalid': 'Message-Authenticator does not verify, or appears more than once (RFC 2869 §5.14)',
  'ma-length': 'Message-Authenticator is not 16 octets (RFC 2869 §5.14: Length = 18)',
  'bad-authenticator': 'Request Authenticator does not verify (RFC 2866 §3, RFC 5176 §2.3)',
  'unsupported-code': 'not a request this server verifies (Access-, Accounting-, Status-Server, CoA-, Disconnect-Request)',
};

export type VerifyResult = { ok: true } | { ok: false; reason: VerifyFailure };

export interface VerifyOptions {
  /**
   * BlastRADIUS (CVE-2024-3596) mitigation: an Access-Request without a
   * Message-Authenticator is refused. Applies to Access-Request only;
   * Status-Server always requires one, and Accounting-/CoA-/Disconnect-Request
   * are protected by their keyed Request Authenticator.
   */
  readonly requireMessageAuthenticator: boolean;
}

const OK: VerifyResult = Object.freeze({ ok: true });
const failures = Object.fromEntries(
  (Object.keys(VERIFY_FAILURES) as VerifyFailure[]).map((r) => [r, Object.freeze({ ok: false as const, reason: r })]),
) as Record<VerifyFailure, VerifyResult>;

function maFailure(check: MessageAuthenticatorCheck): VerifyResult {
  switch (check) {
    case 'valid':
      return OK;
    case 'absent':
      return failures['ma-missing'];
    case 'bad-length':
      return failures['ma-length'];
    case 'duplicate':
    case 'mismatch':
      return failures['ma-invalid'];
  }
}

function hasEapMessage(p: Packet): boolean {
  for (const a of p.attributes) if (a.type === ATTR.EapMessage) return true;
  return false;
}

export function verifyRequest(packet: Packet, secret: Secret, opts: VerifyOptions): VerifyResult {
  const raw = packet.raw;
  switch (packet.code) {
    case Code.AccessRequest: {
      // RFC 2869 §5.14: the Request Authenticator stands in the Authenticator field as received.
      const check = checkMessageAuthenticatorRfc2869(raw, packet.authenticator, secret);
      if (check === 'absent') {
        // RFC 3579 §3.3: an Access-Request with EAP-Message but no Message-Authenticator MUST be discarded.
        return opts.requireMessageAuthenticator || hasEapMessage(packet) ? failures['ma-missing'] : OK;
      }
      return maFailure(check);
    }
    case Code.StatusServer:
      // RFC 5997 §3: Status-Server packets MUST contain a Message-Authenticator.
      return maFailure(checkMessageAuthenticatorRfc2869(raw, packet.authenticator, secret));
    case Code.AccountingRequest:
    case Code.CoaRequest:
    case Code.DisconnectRequest: {
      // RFC 2866 §3, RFC 5176 §2.3: the Request Authenticator is a keyed MD5 over the packet.
      // Message-Authenticator, when present, is computed with a zeroed Authenticator (RFC 5176 §3.4).
      const check = checkMessageAuthenticatorRfc2869(raw, ZERO_AUTHENTICATOR, secret);
      if (check === 'bad-length' || check === 'duplicate') return maFailure(check);
      if (!verifyRequestAuthenticatorRfc2866(raw, secret)) return failures['bad-authenticator'];
      return check === 'absent' ? OK : maFailure(check);
    }
    default:
      return failures['unsupported-code'];
  }
}
