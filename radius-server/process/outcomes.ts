/**
 * Protocol policy as data: what each request's outcome becomes on the wire.
 * 'drop' sends nothing. A failed Accounting-Request gets no reply at all so
 * the NAS retries (RFC 2866 §4.1: "If the RADIUS accounting server is
 * unable to successfully record the accounting packet it MUST NOT send an
 * Accounting-Response").
 */
export type Outcome = 'accept' | 'reject' | 'challenge' | 'recorded' | 'not-recorded' | 'alive';
export type Request = 'access' | 'accounting' | 'status-auth' | 'status-acct';

export const REPLY: Readonly<Record<Request, Partial<Record<Outcome, number | 'drop'>>>> = {
  access: { accept: 2, reject: 3, challenge: 11 },
  accounting: { recorded: 5, 'not-recorded': 'drop' },
  // RFC 5997 §3: Status-Server to the authentication port is answered with
  // an Access-Accept, to the accounting port with an Accounting-Response.
  'status-auth': { alive: 2 },
  'status-acct': { alive: 5 },
};

/** Why an Access-Request was rejected: the `reason` label and the Reply-Message key. */
export type RejectReason =
  | 'invalid-credentials'
  | 'no-credentials'
  | 'disabled'
  | 'unverified'
  | 'locked-out'
  | 'simultaneous-use'
  | 'time-quota-exhausted'
  | 'data-quota-exhausted'
  | 'foreign-realm'
  | 'chap-needs-token'
  | 'unknown-device'
  | 'unregistered-ap'
  | 'wrong-municipality-token';
