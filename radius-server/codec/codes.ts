/**
 * RADIUS packet codes this server speaks. Anything else is a decode failure
 * ('unknown-code'): RFC 2865 §3 "Packets with an invalid Code field MUST be
 * silently discarded".
 */
export const Code = {
  AccessRequest: 1, // RFC 2865 §4.1
  AccessAccept: 2, // RFC 2865 §4.2
  AccessReject: 3, // RFC 2865 §4.3
  AccountingRequest: 4, // RFC 2866 §4.1
  AccountingResponse: 5, // RFC 2866 §4.2
  AccessChallenge: 11, // RFC 2865 §4.4
  StatusServer: 12, // RFC 5997 §3
  StatusClient: 13, // RFC 5997 §3 (reserved; never answered)
  DisconnectRequest: 40, // RFC 5176 §2.1
  DisconnectAck: 41,
  DisconnectNak: 42,
  CoaRequest: 43, // RFC 5176 §2.2
  CoaAck: 44,
  CoaNak: 45,
} as const;

export type Code = (typeof Code)[keyof typeof Code];

export const CODE_NAMES: Readonly<Record<Code, string>> = {
  1: 'Access-Request',
  2: 'Access-Accept',
  3: 'Access-Reject',
  4: 'Accounting-Request',
  5: 'Accounting-Response',
  11: 'Access-Challenge',
  12: 'Status-Server',
  13: 'Status-Client',
  40: 'Disconnect-Request',
  41: 'Disconnect-ACK',
  42: 'Disconnect-NAK',
  43: 'CoA-Request',
  44: 'CoA-ACK',
  45: 'CoA-NAK',
};

// Indexed by code octet: a typed-array lookup keeps the decoder free of hashing.
const KNOWN = new Uint8Array(256);
for (const c of Object.values(Code)) KNOWN[c] = 1;

export function isCode(n: number): n is Code {
  return KNOWN[n & 0xff] === 1 && n >= 0 && n <= 255;
}

/** The response codes a request may be answered with. */
export const RESPONSE_CODES: Readonly<Partial<Record<Code, readonly Code[]>>> = {
  [Code.AccessRequest]: [Code.AccessAccept, Code.AccessReject, Code.AccessChallenge],
  [Code.AccountingRequest]: [Code.AccountingResponse],
  // RFC 5997 §3: Access-Accept on an authentication port, Accounting-Response on an accounting port.
  [Code.StatusServer]: [Code.AccessAccept, Code.AccountingResponse],
  [Code.DisconnectRequest]: [Code.DisconnectAck, Code.DisconnectNak],
  [Code.CoaRequest]: [Code.CoaAck, Code.CoaNak],
};
