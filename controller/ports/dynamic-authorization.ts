/**
 * Dynamic authorization (RFC 5176): Disconnect-Request and CoA-Request sent
 * to a NAS. radius-server/dynauth/ implements it over UDP; the services in
 * controller/services/sessions.ts decide whom to send what.
 */
import type { Mac } from '../domain/mac.js';

/** Where the request goes and how it names the session (RFC 5176 §3). */
export interface DynAuthTarget {
  readonly tenantId: string;
  /** Destination address: the NAS's source address (Session.nasAddress, else nasIp). */
  readonly address: string;
  /** RadiusClient.coaPort, 3799 by default (RFC 5176 §3). */
  readonly port: number;
  readonly secret: string;
  /** NAS identification attributes (RFC 5176 §3): sent when known. */
  readonly nasIp: string | null;
  readonly nasIdentifier: string | null;
  /** Session identification attributes. */
  readonly acctSessionId: string;
  readonly username: string | null;
  readonly callingStationId: Mac | null;
  readonly framedIp: string | null;
}

/**
 * What a CoA-Request changes on a live session. Bandwidth goes out in the
 * attributes the municipality's gateways understand (WISPr, ChilliSpot,
 * MikroTik), as in Access-Accept.
 */
export interface CoaChange {
  readonly sessionTimeoutSeconds?: number;
  readonly downloadBps?: number;
  readonly uploadBps?: number;
}

export type DynAuthKind = 'disconnect' | 'coa';

/** ack: the NAS did it; nak: it refused (see errorCause); timeout: no valid answer after every retry. */
export type DynAuthOutcome = 'ack' | 'nak' | 'timeout';

export interface DynAuthResult {
  readonly kind: DynAuthKind;
  readonly outcome: DynAuthOutcome;
  /** RFC 5176 §3.5 Error-Cause when the NAS sent one (e.g. 503 Session-Context-Not-Found). */
  readonly errorCause: number | null;
  /** Its name (`Session-Context-Not-Found`), or null. */
  readonly errorCauseName: string | null;
  /** Requests sent, the first one included. */
  readonly attempts: number;
  readonly durationMs: number;
  /** Replies that were dropped (wrong authenticator, wrong identifier), for the operator's eyes. */
  readonly invalidReplies: number;
}

export interface DynamicAuthorization {
  disconnect(t: DynAuthTarget): Promise<DynAuthResult>;
  coa(t: DynAuthTarget, change: CoaChange): Promise<DynAuthResult>;
  close(): Promise<void>;
}
