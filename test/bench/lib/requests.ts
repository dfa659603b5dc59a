/**
 * The requests of each scenario, built with our codec exactly as a gateway
 * would send them: Message-Authenticator first, User-Password hidden with a
 * fresh Request Authenticator (RFC 2865 §5.2), accounting signed with the
 * keyed Request Authenticator (RFC 2866 §3). The attributes that do not
 * change are encoded once per scenario.
 */
import { randomFillSync } from 'node:crypto';
import {
  Code,
  buildAttributes,
  decodePacket,
  encodeAccessRequest,
  encodeAccountingRequest,
  encodeStatusServer,
  hideUserPasswordRfc2865,
  newRequestAuthenticator,
  type Attribute,
  type AttributePairs,
} from '../../../radius-server/codec/index.js';
import type { Exchange } from './load.js';

/** Random octets drawn from a refilled pool: one getrandom() per 256 authenticators. */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
function random(n: number): Buffer {
  if (poolOffset + n > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = Buffer.from(pool.subarray(poolOffset, poolOffset + n));
  poolOffset += n;
  return out;
}

function exchange(bytes: Buffer, expect: readonly Code[]): Exchange {
  const d = decodePacket(bytes);
  if (!d.ok) throw new Error(`bench: our own request does not decode: ${d.reason}`);
  return { bytes, packet: d.packet, expect };
}

const ACCEPT: readonly Code[] = [Code.AccessAccept];
const ACCT_RESPONSE: readonly Code[] = [Code.AccountingResponse];

/** What a captive-portal gateway at Valence's Parc Jouvet AP sends besides the credential. */
export const VALENCE_AP = {
  calledStationId: '00-11-22-33-44-01:Wifi-Valence',
  nasIdentifier: 'bench-chilli-valence-1',
  nasIp: '127.0.0.1',
} as const;

export interface AccessInput {
  readonly secret: string;
  readonly userName: string;
  /** RFC 3580 §3.21 style, e.g. 02-00-00-00-0A-01. */
  readonly callingStationId: string;
}

function accessStatic(input: AccessInput): Attribute[] {
  const pairs: AttributePairs = {
    'User-Name': input.userName,
    'Calling-Station-Id': input.callingStationId,
    'Called-Station-Id': VALENCE_AP.calledStationId,
    'NAS-Identifier': VALENCE_AP.nasIdentifier,
    'NAS-IP-Address': VALENCE_AP.nasIp,
    'NAS-Port-Type': 'Wireless-802.11',
    'Service-Type': 'Login-User',
  };
  return buildAttributes(pairs);
}

/** PAP: a fresh authenticator per request, so User-Password is re-hidden each time. */
export function papRequests(input: AccessInput & { readonly password: string }): (identifier: number) => Exchange {
  const fixed = accessStatic(input);
  return (identifier) => papExchange(fixed, input.secret, input.password, identifier);
}

/** PAP with a different password each time (one-time tokens). */
export function papWithPassword(input: AccessInput): (identifier: number, password: string) => Exchange {
  const fixed = accessStatic(input);
  return (identifier, password) => papExchange(fixed, input.secret, password, identifier);
}

function papExchange(fixed: readonly Attribute[], secret: string, password: string, identifier: number): Exchange {
  const authenticator = newRequestAuthenticator(random);
  const hidden = hideUserPasswordRfc2865(password, secret, authenticator);
  const bytes = encodeAccessRequest({ identifier, authenticator, secret, attributes: [...fixed, { type: 2, value: hidden }] });
  return exchange(bytes, ACCEPT);
}

export function statusServer(secret: string, identifier: number): Exchange {
  const bytes = encodeStatusServer({ identifier, authenticator: newRequestAuthenticator(random), secret, attributes: [] });
  return exchange(bytes, [Code.AccessAccept, Code.AccountingResponse]);
}

export interface AccountingInput {
  readonly secret: string;
  readonly userName: string;
  /** The Class of the Access-Accept, echoed as a NAS does (RFC 2865 §5.25): `wfc:<identity id>`. */
  readonly class: string;
}

export interface AccountingSession {
  readonly acctSessionId: string;
  /** RFC 3580 §3.21 style. */
  readonly callingStationId: string;
  readonly framedIp: string;
}

export type AcctStatus = 'Start' | 'Interim-Update' | 'Stop';

export interface AcctCounters {
  readonly sessionTime: number;
  readonly inputOctets: number;
  readonly outputOctets: number;
}

/** Accounting-Request for one session; counters and Event-Timestamp make every request distinct. */
export function accountingRequests(input: AccountingInput): (identifier: number, status: AcctStatus, session: AccountingSession, counters: AcctCounters) => Exchange {
  const fixed = buildAttributes({
    'User-Name': input.userName,
    Class: Buffer.from(input.class),
    'Called-Station-Id': VALENCE_AP.calledStationId,
    'NAS-Identifier': VALENCE_AP.nasIdentifier,
    'NAS-IP-Address': VALENCE_AP.nasIp,
    'NAS-Port-Type': 'Wireless-802.11',
    'Acct-Authentic': 'RADIUS',
    'Acct-Delay-Time': 0,
  });
  return (identifier, status, session, c) => {
    const pairs: AttributePairs = {
      'Acct-Status-Type': status,
      'Acct-Session-Id': session.acctSessionId,
      'Calling-Station-Id': session.callingStationId,
      'Framed-IP-Address': session.framedIp,
      'Event-Timestamp': Math.floor(Date.now() / 1000),
    };
    const moving: AttributePairs =
      status === 'Start'
        ? {}
        : {
            'Acct-Session-Time': c.sessionTime,
            'Acct-Input-Octets': c.inputOctets % 2 ** 32,
            'Acct-Output-Octets': c.outputOctets % 2 ** 32,
            ...(status === 'Stop' ? { 'Acct-Terminate-Cause': 'User-Request' } : {}),
          };
    const attributes = [...buildAttributes(pairs), ...fixed, ...buildAttributes(moving)];
    return exchange(encodeAccountingRequest({ identifier, secret: input.secret, attributes }), ACCT_RESPONSE);
  };
}

/** 02-7B-xx-xx-xx-xx: locally administered, distinct per n (n < 2^32). */
export function benchMac(prefix: number, n: number): string {
  const b = [0x02, prefix & 0xff, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  return b.map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join('-');
}

/** A distinct Framed-IP-Address in 10.0.0.0/8 per n. */
export function benchIp(n: number): string {
  return `10.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${(n & 0xff) || 1}`;
}
