import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  Code,
  ZERO_AUTHENTICATOR,
  buildAttributes,
  decodePacket,
  encodeAccessRequest,
  encodeAccountingRequest,
  encodeCoaRequest,
  encodeDisconnectRequest,
  encodePacket,
  encodeResponse,
  encodeStatusServer,
  getInteger,
  hideUserPasswordRfc2865,
  verifyDynamicAuthorizationResponse,
  verifyRequest,
  verifyResponse,
  type Packet,
} from '../../../../radius-server/codec/index.js';
import { loadVectors, type Rfc5176Vectors } from './vectors.js';

const secret = 'xyzzy5461';

function packet(buf: Buffer): Packet {
  const r = decodePacket(buf);
  if (!r.ok) throw new Error(r.reason);
  return r.packet;
}

const requestAuth = Buffer.from('0f403f9473978057bd83d5cb98f4227a', 'hex');

function accessRequest(extra: { type: number; value: Buffer }[] = []): Packet {
  const attrs = [
    ...buildAttributes({ 'User-Name': 'nemo', 'User-Password': hideUserPasswordRfc2865('arctangent', secret, requestAuth) }),
    ...extra,
  ];
  return packet(encodeAccessRequest({ identifier: 0x42, authenticator: requestAuth, attributes: attrs, secret }));
}

describe('encodeResponse', () => {
  it('puts Message-Authenticator first in Access-Accept/Reject/Challenge (BlastRADIUS)', () => {
    const request = accessRequest();
    for (const code of [Code.AccessAccept, Code.AccessReject, Code.AccessChallenge]) {
      const out = encodeResponse({ request, code, attributes: buildAttributes({ 'Reply-Message': 'hello', 'Session-Timeout': 3600 }), secret });
      const p = packet(out);
      expect(p.attributes.map((a) => a.type)).toEqual([80, 18, 27]);
      expect(out[20]).toBe(80);
      expect(out[21]).toBe(18);
      expect(p.identifier).toBe(0x42);
      expect(verifyResponse({ request, response: p, secret })).toEqual({ ok: true });
    }
  });

  it('computes Message-Authenticator with the REQUEST authenticator, then the Response Authenticator over the result', () => {
    const request = accessRequest();
    const out = encodeResponse({ request, code: Code.AccessAccept, attributes: buildAttributes({ 'Session-Timeout': 60 }), secret });
    // Independent computation (RFC 3579 §3.2 then RFC 2865 §3).
    const work = Buffer.from(out);
    requestAuth.copy(work, 4);
    work.fill(0, 22, 38);
    const ma = createHmac('md5', secret).update(work).digest();
    expect(out.subarray(22, 38).equals(ma)).toBe(true);
    ma.copy(work, 22);
    const resp = createHash('md5').update(work).update(secret).digest();
    expect(out.subarray(4, 20).equals(resp)).toBe(true);
  });

  it('is deterministic: the same inputs give the same bytes', () => {
    const request = accessRequest();
    const a = encodeResponse({ request, code: Code.AccessReject, attributes: [], secret });
    const b = encodeResponse({ request, code: Code.AccessReject, attributes: [], secret });
    expect(a.equals(b)).toBe(true);
    expect(a.length).toBe(38);
  });

  it('echoes every Proxy-State of the request, in order, at the end (RFC 2865 §5.33)', () => {
    const ps = [Buffer.from('proxy-one'), Buffer.from([0, 1, 2]), Buffer.from('proxy-three')];
    const request = accessRequest(ps.map((value) => ({ type: 33, value })));
    const p = packet(encodeResponse({ request, code: Code.AccessAccept, attributes: buildAttributes({ 'Class': 'c1' }), secret }));
    expect(p.attributes.map((a) => a.type)).toEqual([80, 25, 33, 33, 33]);
    expect(p.attributes.slice(2).map((a) => a.value.toString('hex'))).toEqual(ps.map((b) => b.toString('hex')));
    expect(verifyResponse({ request, response: p, secret })).toEqual({ ok: true });
  });

  it('answers Accounting-Request without Message-Authenticator unless asked, and Status-Server always with one', () => {
    const acct = packet(
      encodeAccountingRequest({ identifier: 5, attributes: buildAttributes({ 'Acct-Status-Type': 'Start', 'Acct-Session-Id': 's1' }), secret }),
    );
    const plain = packet(encodeResponse({ request: acct, code: Code.AccountingResponse, attributes: [], secret }));
    expect(plain.attributes).toEqual([]);
    expect(verifyResponse({ request: acct, response: plain, secret })).toEqual({ ok: true });
    const signed = packet(encodeResponse({ request: acct, code: Code.AccountingResponse, attributes: [], secret, messageAuthenticator: true }));
    expect(signed.attributes.map((a) => a.type)).toEqual([80]);
    expect(verifyResponse({ request: acct, response: signed, secret, requireMessageAuthenticator: true })).toEqual({ ok: true });

    const status = packet(encodeStatusServer({ identifier: 9, authenticator: Buffer.alloc(16, 7), attributes: [], secret }));
    const acctReply = packet(encodeResponse({ request: status, code: Code.AccountingResponse, attributes: [], secret }));
    expect(acctReply.attributes.map((a) => a.type)).toEqual([80]);
    expect(verifyResponse({ request: status, response: acctReply, secret })).toEqual({ ok: true });
  });

  it('refuses codec-owned attributes and codes that do not answer the request', () => {
    const request = accessRequest();
    expect(() => encodeResponse({ request, code: Code.AccessAccept, attributes: [{ type: 80, value: Buffer.alloc(16) }], secret })).toThrow(/Message-Authenticator/);
    expect(() => encodeResponse({ request, code: Code.AccessAccept, attributes: [{ type: 33, value: Buffer.alloc(1) }], secret })).toThrow(/Proxy-State/);
    expect(() => encodeResponse({ request, code: Code.AccountingResponse, attributes: [], secret })).toThrow(RangeError);
    expect(() => encodeResponse({ request, code: Code.CoaAck, attributes: [], secret })).toThrow(RangeError);
  });
});

describe('verifyResponse', () => {
  const request = accessRequest();
  const good = encodeResponse({ request, code: Code.AccessAccept, attributes: buildAttributes({ 'Session-Timeout': 60 }), secret });

  it('refuses a tampered, misaddressed or wrongly keyed response', () => {
    const t = Buffer.from(good);
    t[t.length - 1] = t[t.length - 1]! ^ 1;
    expect(verifyResponse({ request, response: packet(t), secret })).toEqual({ ok: false, reason: 'bad-authenticator' });
    expect(verifyResponse({ request, response: packet(good), secret: 'other' })).toEqual({ ok: false, reason: 'bad-authenticator' });
    const otherId = Buffer.from(good);
    otherId[1] = 0x43;
    expect(verifyResponse({ request, response: packet(otherId), secret })).toEqual({ ok: false, reason: 'identifier-mismatch' });
    const acctCode = Buffer.from(good);
    acctCode[0] = Code.AccountingResponse;
    expect(verifyResponse({ request, response: packet(acctCode), secret })).toEqual({ ok: false, reason: 'unexpected-code' });
  });

  it('refuses a response whose Message-Authenticator is wrong even when its authenticator is right', () => {
    // Forge: corrupt the MA, then re-sign the Response Authenticator (what a MITM without the secret cannot do, but a buggy peer might).
    const forged = Buffer.from(good);
    forged[30] = forged[30]! ^ 0xff;
    requestAuth.copy(forged, 4);
    createHash('md5').update(forged).update(secret).digest().copy(forged, 4);
    expect(verifyResponse({ request, response: packet(forged), secret })).toEqual({ ok: false, reason: 'ma-invalid' });
  });
});

describe('RFC 5176 Dynamic Authorization (test/vectors/radius/rfc5176.json)', () => {
  const v = loadVectors<Rfc5176Vectors>('rfc5176.json');
  const attrs = buildAttributes({ 'User-Name': 'nemo', 'Acct-Session-Id': '0123456789ABCDEF', 'NAS-IP-Address': '192.168.1.16' });

  it('encodes a Disconnect-Request byte-exact: MA over a zero authenticator, then the Request Authenticator (§3.4, §2.3)', () => {
    const out = encodeDisconnectRequest({ identifier: v.disconnect.identifier, attributes: attrs, secret });
    expect(out.toString('hex')).toBe(v.disconnect.hex);
    expect(out.subarray(22, 38).toString('hex')).toBe(v.disconnect.messageAuthenticator);
    expect(out.subarray(4, 20).toString('hex')).toBe(v.disconnect.requestAuthenticator);
  });

  it('checks the ordering independently: the Request Authenticator covers the final Message-Authenticator', () => {
    const out = encodeDisconnectRequest({ identifier: v.disconnect.identifier, attributes: attrs, secret });
    const work = Buffer.from(out);
    ZERO_AUTHENTICATOR.copy(work, 4);
    const auth = createHash('md5').update(work).update(secret).digest();
    expect(out.subarray(4, 20).equals(auth)).toBe(true);
    work.fill(0, 22, 38);
    expect(createHmac('md5', secret).update(work).digest().equals(out.subarray(22, 38))).toBe(true);
    // The inverted order (Request Authenticator first, then MA over it) does not verify.
    const inverted = Buffer.from(work);
    createHash('md5').update(inverted).update(secret).digest().copy(inverted, 4);
    createHmac('md5', secret).update(inverted).digest().copy(inverted, 22);
    expect(verifyRequest(packet(inverted), secret, { requireMessageAuthenticator: true }).ok).toBe(false);
    expect(verifyRequest(packet(out), secret, { requireMessageAuthenticator: true })).toEqual({ ok: true });
  });

  it('verifies the Disconnect-ACK and refuses it for another request or secret', () => {
    const request = packet(Buffer.from(v.disconnect.hex, 'hex'));
    const ack = packet(Buffer.from(v.disconnect.ackHex, 'hex'));
    expect(ack.attributes.map((a) => a.type)).toEqual([80]);
    expect(verifyDynamicAuthorizationResponse({ request, response: ack, secret, requireMessageAuthenticator: true })).toEqual({ ok: true });
    expect(verifyDynamicAuthorizationResponse({ request, response: ack, secret: 'x' })).toEqual({ ok: false, reason: 'bad-authenticator' });
    // Our own ACK encoder (as a NAS would) produces the same bytes.
    const ours = encodeResponse({ request, code: Code.DisconnectAck, attributes: [], secret, messageAuthenticator: true });
    expect(ours.toString('hex')).toBe(v.disconnect.ackHex);
  });

  it('encodes a CoA-Request without Message-Authenticator byte-exact and verifies its CoA-NAK', () => {
    const coa = encodeCoaRequest({
      identifier: v.coa.identifier,
      attributes: buildAttributes({ 'User-Name': 'nemo', 'Acct-Session-Id': '0123456789ABCDEF', 'Session-Timeout': 3600 }),
      secret,
      messageAuthenticator: false,
    });
    expect(coa.toString('hex')).toBe(v.coa.hex);
    const request = packet(coa);
    const nak = packet(Buffer.from(v.coa.nakHex, 'hex'));
    expect(getInteger(nak, 'Error-Cause')).toBe(503);
    expect(verifyDynamicAuthorizationResponse({ request, response: nak, secret })).toEqual({ ok: true });
    expect(verifyDynamicAuthorizationResponse({ request, response: nak, secret, requireMessageAuthenticator: true })).toEqual({
      ok: false,
      reason: 'ma-missing',
    });
    const ack = encodeResponse({ request, code: Code.CoaAck, attributes: [], secret });
    expect(verifyDynamicAuthorizationResponse({ request, response: packet(ack), secret })).toEqual({ ok: true });
    expect(() => verifyDynamicAuthorizationResponse({ request: accessRequest(), response: nak, secret })).toThrow(RangeError);
  });

  it('a Disconnect-ACK does not answer a CoA-Request', () => {
    const request = packet(encodeCoaRequest({ identifier: 42, attributes: attrs, secret }));
    const ack = packet(Buffer.from(v.disconnect.ackHex, 'hex'));
    expect(verifyDynamicAuthorizationResponse({ request, response: ack, secret })).toEqual({ ok: false, reason: 'unexpected-code' });
  });
});

describe('encoders for the requests we originate', () => {
  it('Access-Request and Status-Server carry Message-Authenticator first, computed with their own authenticator', () => {
    const req = accessRequest();
    expect(req.attributes[0]!.type).toBe(80);
    expect(verifyRequest(req, secret, { requireMessageAuthenticator: true })).toEqual({ ok: true });
    const status = packet(encodeStatusServer({ identifier: 1, authenticator: Buffer.alloc(16, 3), attributes: buildAttributes({ 'NAS-Identifier': 'probe' }), secret }));
    expect(status.attributes.map((a) => a.type)).toEqual([80, 32]);
    expect(verifyRequest(status, secret, { requireMessageAuthenticator: false })).toEqual({ ok: true });
  });

  it('Accounting-Request verifies with or without Message-Authenticator', () => {
    for (const messageAuthenticator of [true, false]) {
      const p = packet(encodeAccountingRequest({ identifier: 1, attributes: buildAttributes({ 'Acct-Status-Type': 'Stop' }), secret, messageAuthenticator }));
      expect(p.attributes[0]!.type).toBe(messageAuthenticator ? 80 : 40);
      expect(verifyRequest(p, secret, { requireMessageAuthenticator: true })).toEqual({ ok: true });
    }
  });

  it('refuses a packet that would exceed 4096 octets', () => {
    const many = Array.from({ length: 17 }, () => ({ type: 25, value: Buffer.alloc(240) }));
    expect(() => encodeCoaRequest({ identifier: 1, attributes: many, secret })).toThrow(/4096/);
    expect(encodePacket({ code: 4, identifier: 1, authenticator: ZERO_AUTHENTICATOR, attributes: many.slice(0, 16) }).length).toBe(20 + 16 * 242);
  });
});
