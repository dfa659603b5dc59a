/**
 * One vector, several tests: each RFC packet drives decode, byte-exact encode
 * with its fixed authenticator, round trip, and the authenticator checks.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  Code,
  decodePacket,
  encodePacket,
  encodeResponse,
  getValue,
  responseAuthenticatorRfc2865,
  unhideUserPasswordRfc2865,
  verifyRequest,
  verifyResponse,
  verifyResponseAuthenticatorRfc2865,
  type AttributeName,
  type Packet,
} from '../../../../radius-server/codec/index.js';
import { hex, loadVectors, type PacketVector, type PacketVectors } from './vectors.js';

const { secret, vectors } = loadVectors<PacketVectors>('rfc-packets.json');
const byId = new Map(vectors.map((v) => [v.id, v]));

function decoded(v: PacketVector): Packet {
  const r = decodePacket(hex(v.hex));
  if (!r.ok) throw new Error(`${v.id}: ${r.reason}`);
  return r.packet;
}

function normalise(x: unknown): unknown {
  return x instanceof Date ? x.toISOString() : x;
}

describe.each(vectors)('$id', (v) => {
  const wire = hex(v.hex);

  it('decodes header and attributes in wire order', () => {
    const p = decoded(v);
    expect(p.code).toBe(v.code);
    expect(p.identifier).toBe(v.identifier);
    expect(p.authenticator.toString('hex')).toBe(v.authenticator);
    expect(p.attributes.map((a) => [a.type, a.value.toString('hex')])).toEqual(v.attributes);
    expect(p.raw.equals(wire)).toBe(true);
  });

  it('decodes typed values by name', () => {
    const p = decoded(v);
    for (const [name, want] of Object.entries(v.values)) {
      expect(normalise(getValue(p, name as AttributeName)), name).toEqual(want);
    }
  });

  it('encodes byte-exact from its fields with the fixed authenticator', () => {
    const out = encodePacket({
      code: v.code as Code,
      identifier: v.identifier,
      authenticator: Buffer.from(v.authenticator, 'hex'),
      attributes: v.attributes.map(([type, h]) => ({ type, value: Buffer.from(h, 'hex') })),
    });
    expect(out.toString('hex')).toBe(wire.toString('hex'));
  });

  it('round-trips decode → encode', () => {
    const p = decoded(v);
    expect(encodePacket(p).equals(wire)).toBe(true);
  });

  if (v.userPassword !== undefined) {
    it('User-Password unhides to the RFC cleartext (RFC 2865 §5.2)', () => {
      const p = decoded(v);
      const hidden = p.attributes.find((a) => a.type === 2)!.value;
      const r = unhideUserPasswordRfc2865(hidden, secret, p.authenticator);
      expect(r.ok && r.password.toString()).toBe(v.userPassword);
      const wrong = unhideUserPasswordRfc2865(hidden, 'not-the-secret', p.authenticator);
      expect(wrong.ok && wrong.password.toString()).not.toBe(v.userPassword);
    });
  }

  if (v.request !== undefined) {
    const req = byId.get(v.request)!;
    it(`Response Authenticator verifies against ${v.request} (RFC 2865 §3)`, () => {
      const p = decoded(v);
      const request = decoded(req);
      // Independent computation, straight from the RFC formula.
      const independent = createHash('md5').update(wire.subarray(0, 4)).update(request.authenticator).update(wire.subarray(20)).update(secret).digest();
      expect(independent.toString('hex')).toBe(v.authenticator);
      expect(responseAuthenticatorRfc2865(p.raw, request.authenticator, secret).toString('hex')).toBe(v.authenticator);
      expect(verifyResponseAuthenticatorRfc2865(p.raw, request.authenticator, secret)).toBe(true);
      expect(verifyResponseAuthenticatorRfc2865(p.raw, request.authenticator, 'xyzzy5462')).toBe(false);
      // RFC-era responses carry no Message-Authenticator: accepted only when we do not require one.
      expect(verifyResponse({ request, response: p, secret, requireMessageAuthenticator: false })).toEqual({ ok: true });
      expect(verifyResponse({ request, response: p, secret })).toEqual({ ok: false, reason: 'ma-missing' });
    });

    it('encodeResponse reproduces the attributes behind a leading Message-Authenticator', () => {
      const request = decoded(req);
      const p = decoded(v);
      const out = encodeResponse({ request, code: p.code, attributes: p.attributes, secret });
      const again = decodePacket(out);
      if (!again.ok) throw new Error(again.reason);
      expect(again.packet.attributes[0]!.type).toBe(80);
      expect(again.packet.attributes.slice(1).map((a) => [a.type, a.value.toString('hex')])).toEqual(v.attributes);
      expect(verifyResponse({ request, response: again.packet, secret })).toEqual({ ok: true });
      // Without the Message-Authenticator the packet would be the RFC's, byte for byte.
      const stripped = encodePacket({ ...again.packet, attributes: again.packet.attributes.slice(1), authenticator: request.authenticator });
      expect(responseAuthenticatorRfc2865(stripped, request.authenticator, secret).toString('hex')).toBe(v.authenticator);
    });
  }

  if (v.code === Code.AccessRequest) {
    it('verifies as an Access-Request only while Message-Authenticator is not required', () => {
      const p = decoded(v);
      expect(verifyRequest(p, secret, { requireMessageAuthenticator: false })).toEqual({ ok: true });
      expect(verifyRequest(p, secret, { requireMessageAuthenticator: true })).toEqual({ ok: false, reason: 'ma-missing' });
    });
  }

  if (v.code === Code.StatusServer) {
    it('Message-Authenticator verifies (RFC 5997 §3, RFC 2869 §5.14) and tampering is caught', () => {
      const p = decoded(v);
      const zeroed = Buffer.from(wire);
      zeroed.fill(0, 22, 38);
      expect(createHmac('md5', secret).update(zeroed).digest().toString('hex')).toBe(v.attributes[0]![1]);
      expect(verifyRequest(p, secret, { requireMessageAuthenticator: true })).toEqual({ ok: true });
      expect(verifyRequest(p, 'wrong', { requireMessageAuthenticator: true })).toEqual({ ok: false, reason: 'ma-invalid' });
      const tampered = Buffer.from(wire);
      tampered[1] = tampered[1]! ^ 1;
      const t = decodePacket(tampered);
      expect(t.ok && verifyRequest(t.packet, secret, { requireMessageAuthenticator: true })).toEqual({ ok: false, reason: 'ma-invalid' });
    });
  }
});

describe('RFC 5997 §6.1 reply built by encodeResponse', () => {
  it('answers Status-Server with Access-Accept carrying Message-Authenticator and a valid authenticator', () => {
    const request = decoded(byId.get('rfc5997-6.1-status-server')!);
    const out = encodeResponse({ request, code: Code.AccessAccept, attributes: [], secret });
    const r = decodePacket(out);
    if (!r.ok) throw new Error(r.reason);
    expect(r.packet.attributes.map((a) => a.type)).toEqual([80]);
    expect(verifyResponse({ request, response: r.packet, secret })).toEqual({ ok: true });
  });
});
