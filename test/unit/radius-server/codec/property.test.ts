/**
 * Hostile input: random datagrams and mutations of valid packets never make
 * the decoder (or the verifiers behind it) throw, and whatever decodes
 * re-encodes to the same bytes.
 */
import { describe, expect, it } from 'vitest';
import {
  DECODE_FAILURES,
  buildAttributes,
  decodePacket,
  encodeAccessRequest,
  encodeAccountingRequest,
  encodeDisconnectRequest,
  encodePacket,
  encodeStatusServer,
  getAll,
  getString,
  joinEapMessage,
  splitVendorSpecific,
  unhideUserPasswordRfc2865,
  verifyChapPasswordRfc2865,
  verifyRequest,
  hideUserPasswordRfc2865,
} from '../../../../radius-server/codec/index.js';
import { prng } from './vectors.js';

const secret = 'property-secret';
const auth = Buffer.alloc(16, 0x5a);

const seeds: Buffer[] = [
  encodeAccessRequest({
    identifier: 1,
    authenticator: auth,
    secret,
    attributes: buildAttributes({
      'User-Name': 'nemo',
      'User-Password': hideUserPasswordRfc2865('arctangent', secret, auth),
      'Calling-Station-Id': 'AA-BB-CC-DD-EE-FF',
      'WISPr-Location-Name': 'Rathaus',
      'EAP-Message': Buffer.alloc(300, 2),
    }),
  }),
  encodeAccountingRequest({ identifier: 2, secret, attributes: buildAttributes({ 'Acct-Status-Type': 'Interim-Update', 'Acct-Session-Id': 's', 'Acct-Input-Octets': 7 }) }),
  encodeDisconnectRequest({ identifier: 3, secret, attributes: buildAttributes({ 'User-Name': 'x', 'Mikrotik-Rate-Limit': '1M/1M' }) }),
  encodeStatusServer({ identifier: 4, authenticator: auth, secret, attributes: [] }),
];

function exercise(buf: Buffer): void {
  const r = decodePacket(buf);
  if (!r.ok) {
    expect(DECODE_FAILURES[r.reason]).toBeDefined();
    return;
  }
  const p = r.packet;
  expect(encodePacket(p).equals(p.raw)).toBe(true);
  verifyRequest(p, secret, { requireMessageAuthenticator: true });
  verifyChapPasswordRfc2865(p, 'pw');
  getString(p, 'User-Name');
  getString(p, 'WISPr-Location-Name');
  getAll(p, 'Mikrotik-Rate-Limit');
  joinEapMessage(p);
  for (const a of p.attributes) {
    if (a.type === 26) splitVendorSpecific(a.value);
    if (a.type === 2) unhideUserPasswordRfc2865(a.value, secret, p.authenticator);
  }
}

describe('decodePacket on hostile input', () => {
  it('never throws on 10,000 random datagrams', () => {
    const rnd = prng(2865);
    for (let i = 0; i < 10_000; i++) {
      const len = Math.floor(rnd() * (i % 10 === 0 ? 4200 : 120));
      const b = Buffer.allocUnsafe(len);
      for (let j = 0; j < len; j++) b[j] = Math.floor(rnd() * 256);
      // Half the time make the header plausible so the attribute walk is reached.
      if (len >= 20 && rnd() < 0.5) {
        b[0] = [1, 4, 12, 40, 43][Math.floor(rnd() * 5)]!;
        b.writeUInt16BE(Math.min(len, 4096), 2);
      }
      expect(() => exercise(b)).not.toThrow();
    }
  });

  it('never throws on 10,000 mutations of valid packets', () => {
    const rnd = prng(5176);
    for (let i = 0; i < 10_000; i++) {
      const seed = seeds[i % seeds.length]!;
      let b = Buffer.from(seed);
      const kind = Math.floor(rnd() * 4);
      const n = 1 + Math.floor(rnd() * 4);
      for (let k = 0; k < n; k++) {
        const pos = Math.floor(rnd() * b.length);
        if (kind === 0) b[pos] = Math.floor(rnd() * 256); // overwrite an octet
        else if (kind === 1) b[pos] = b[pos]! ^ (1 << Math.floor(rnd() * 8)); // flip a bit
        else if (kind === 2) b = b.subarray(0, pos); // truncate
        else b = Buffer.concat([b, Buffer.alloc(Math.floor(rnd() * 40), Math.floor(rnd() * 256))]); // extend
      }
      expect(() => exercise(b)).not.toThrow();
    }
  });
});
