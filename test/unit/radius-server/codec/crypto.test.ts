import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ZERO_AUTHENTICATOR,
  buildAttributes,
  chapPasswordRfc2865,
  checkMessageAuthenticatorRfc2869,
  decodePacket,
  decryptMppeKeyRfc2548,
  decryptTunnelPasswordRfc2868,
  digestEquals,
  encodeAccessRequest,
  encodePacket,
  encryptMppeKeyPairRfc2548,
  encryptMppeKeyRfc2548,
  encryptTunnelPasswordRfc2868,
  findMessageAuthenticator,
  hideUserPasswordRfc2865,
  joinEapMessage,
  messageAuthenticatorRfc2869,
  requestAuthenticatorRfc2866,
  splitEapMessage,
  unhideUserPasswordRfc2865,
  verifyChapPasswordRfc2865,
  verifyRequestAuthenticatorRfc2866,
  Code,
  type Packet,
} from '../../../../radius-server/codec/index.js';
import { hex, loadVectors, type CryptoVectors } from './vectors.js';

const cv = loadVectors<CryptoVectors>('crypto.json');
const secret = cv.secret;
const ra = Buffer.from(cv.requestAuthenticator, 'hex');

function packet(buf: Buffer): Packet {
  const r = decodePacket(buf);
  if (!r.ok) throw new Error(r.reason);
  return r.packet;
}

describe('User-Password hiding (RFC 2865 §5.2)', () => {
  it.each(cv.userPassword)('$name password hides to the independent value and back', ({ password, hidden }) => {
    const h = hideUserPasswordRfc2865(password, secret, ra);
    expect(h.toString('hex')).toBe(hidden);
    expect(h.length % 16).toBe(0);
    const r = unhideUserPasswordRfc2865(h, secret, ra);
    expect(r.ok && r.password.toString()).toBe(password);
  });

  it('pads an empty password to 16 octets and refuses more than 128', () => {
    expect(hideUserPasswordRfc2865('', secret, ra).length).toBe(16);
    const r = unhideUserPasswordRfc2865(hideUserPasswordRfc2865('', secret, ra), secret, ra);
    expect(r.ok && r.password.length).toBe(0);
    expect(() => hideUserPasswordRfc2865('x'.repeat(129), secret, ra)).toThrow(RangeError);
  });

  it('rejects hidden values that are not 16..128 octets in multiples of 16', () => {
    for (const n of [0, 15, 17, 31, 144]) {
      expect(unhideUserPasswordRfc2865(Buffer.alloc(n), secret, ra)).toEqual({ ok: false, reason: 'password-length' });
    }
  });
});

describe('CHAP (RFC 1994 §4.1, RFC 2865 §5.3)', () => {
  it.each(cv.chap)('$name', ({ ident, password, challenge, chapPassword, viaAttribute }) => {
    const ch = Buffer.from(challenge, 'hex');
    expect(chapPasswordRfc2865(ident, password, ch).toString('hex')).toBe(chapPassword);
    const attrs = [
      { type: 1, value: Buffer.from('flopsy') },
      { type: 3, value: Buffer.from(chapPassword, 'hex') },
      ...(viaAttribute ? [{ type: 60, value: ch }] : []),
    ];
    const auth = viaAttribute ? Buffer.alloc(16, 0x42) : ch;
    const p = packet(encodePacket({ code: Code.AccessRequest, identifier: 1, authenticator: auth, attributes: attrs }));
    expect(verifyChapPasswordRfc2865(p, password)).toEqual({ ok: true });
    expect(verifyChapPasswordRfc2865(p, `${password}x`)).toEqual({ ok: false, reason: 'chap-mismatch' });
  });

  it('rejects the RFC 2865 §7.2 request with a wrong password, and malformed CHAP-Password', () => {
    const p = packet(
      hex('01 01 00 47 2a ee 86 f0 8d 0d 55 96 9c a5 97 8e 0d 33 67 a2 01 08 66 6c 6f 70 73 79 03 13 16 e9 75 57 c3 16 18 58 95 f2 93 ff 63 44 07 72 75 04 06 c0 a8 01 10 05 06 00 00 00 14 06 06 00 00 00 02 07 06 00 00 00 01'),
    );
    expect(verifyChapPasswordRfc2865(p, 'not-flopsys-password')).toEqual({ ok: false, reason: 'chap-mismatch' });
    const noChap = packet(encodePacket({ code: 1, identifier: 1, authenticator: ra, attributes: [] }));
    expect(verifyChapPasswordRfc2865(noChap, 'x')).toEqual({ ok: false, reason: 'chap-missing' });
    const short = packet(encodePacket({ code: 1, identifier: 1, authenticator: ra, attributes: [{ type: 3, value: Buffer.alloc(16) }] }));
    expect(verifyChapPasswordRfc2865(short, 'x')).toEqual({ ok: false, reason: 'chap-length' });
  });
});

describe('salt encryption', () => {
  it.each(cv.tunnelPassword)('Tunnel-Password $name (RFC 2868 §3.5) with a fixed salt', ({ password, tag, salt, value }) => {
    const v = encryptTunnelPasswordRfc2868(password, secret, ra, { tag, salt: Buffer.from(salt, 'hex') });
    expect(v.toString('hex')).toBe(value);
    const r = decryptTunnelPasswordRfc2868(v, secret, ra);
    expect(r).toEqual({ ok: true, tag, password: Buffer.from(password) });
  });

  it.each(cv.mppeKey)('$name (RFC 2548 §2.4.2/§2.4.3) with a fixed salt', ({ key, salt, value }) => {
    const k = Buffer.from(key, 'hex');
    const v = encryptMppeKeyRfc2548(k, secret, ra, { salt: Buffer.from(salt, 'hex') });
    expect(v.toString('hex')).toBe(value);
    expect(decryptMppeKeyRfc2548(v, secret, ra)).toEqual({ ok: true, key: k });
  });

  it('random salts have the MSB set; a key pair gets distinct salts', () => {
    for (let i = 0; i < 50; i++) {
      const v = encryptTunnelPasswordRfc2868('pw', secret, ra);
      expect(v[1]! & 0x80).toBe(0x80);
    }
    const fixed = () => Buffer.from([0x7f, 0xff]);
    const pair = encryptMppeKeyPairRfc2548({ send: Buffer.alloc(32, 1), recv: Buffer.alloc(32, 2) }, secret, ra, fixed);
    expect(pair.send.subarray(0, 2).toString('hex')).toBe('ffff');
    expect(pair.recv.subarray(0, 2).toString('hex')).toBe('8000');
    expect(decryptMppeKeyRfc2548(pair.recv, secret, ra)).toEqual({ ok: true, key: Buffer.alloc(32, 2) });
  });

  it('decryption reports malformed values instead of throwing', () => {
    expect(decryptMppeKeyRfc2548(Buffer.alloc(17), secret, ra)).toEqual({ ok: false, reason: 'salt-length' });
    expect(decryptMppeKeyRfc2548(Buffer.alloc(18), secret, ra)).toEqual({ ok: false, reason: 'salt-invalid' });
    expect(decryptTunnelPasswordRfc2868(Buffer.alloc(0), secret, ra)).toEqual({ ok: false, reason: 'salt-length' });
    // A ciphertext whose first plaintext octet claims more data than there is.
    let bad: Buffer | undefined;
    for (let i = 0; !bad; i++) {
      const v = Buffer.concat([Buffer.from([0x80, i & 0xff]), Buffer.alloc(16, i)]);
      const r = decryptMppeKeyRfc2548(v, secret, ra);
      if (!r.ok && r.reason === 'salt-data-length') bad = v;
    }
    expect(bad.length).toBe(18);
    expect(() => encryptMppeKeyRfc2548(Buffer.alloc(16), secret, ra, { salt: Buffer.from('0001', 'hex') })).toThrow(/MSB/);
  });
});

describe('Accounting / CoA / Disconnect Request Authenticator (RFC 2866 §3, RFC 5176 §2.3)', () => {
  it('is MD5 over the packet with a zero authenticator, and verifies', () => {
    const attrs = buildAttributes({ 'Acct-Status-Type': 'Start', 'Acct-Session-Id': 'abc', 'User-Name': 'nemo' });
    const raw = encodePacket({ code: Code.AccountingRequest, identifier: 3, authenticator: ZERO_AUTHENTICATOR, attributes: attrs });
    const independent = createHash('md5').update(raw).update(secret).digest();
    expect(requestAuthenticatorRfc2866(raw, secret).equals(independent)).toBe(true);
    independent.copy(raw, 4);
    expect(verifyRequestAuthenticatorRfc2866(raw, secret)).toBe(true);
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 1;
    expect(verifyRequestAuthenticatorRfc2866(raw, secret)).toBe(false);
    expect(verifyRequestAuthenticatorRfc2866(raw.subarray(0, 19), secret)).toBe(false);
    expect(() => requestAuthenticatorRfc2866(raw.subarray(0, 19), secret)).toThrow(RangeError);
  });
});

describe('Message-Authenticator (RFC 2869 §5.14, RFC 3579 §3.2)', () => {
  const auth = Buffer.alloc(16, 0x11);
  const req = encodeAccessRequest({ identifier: 9, authenticator: auth, attributes: buildAttributes({ 'User-Name': 'nemo' }), secret });

  it('handles secrets longer than the 64-octet HMAC block and Buffer secrets (RFC 2104 §2)', () => {
    const long = 'L'.repeat(100);
    for (const s of [long, Buffer.from(long), Buffer.from(secret)]) {
      const zeroed = Buffer.from(req);
      zeroed.fill(0, 22, 38);
      expect(messageAuthenticatorRfc2869(req, 22, auth, s).equals(createHmac('md5', s).update(zeroed).digest())).toBe(true);
    }
    expect(() => messageAuthenticatorRfc2869(req, req.length - 16, auth, secret)).not.toThrow();
    expect(() => messageAuthenticatorRfc2869(req, req.length - 8, auth, secret)).toThrow(RangeError);
  });

  it('is HMAC-MD5 over the packet with the value zeroed', () => {
    const zeroed = Buffer.from(req);
    zeroed.fill(0, 22, 38);
    const independent = createHmac('md5', secret).update(zeroed).digest();
    expect(req.subarray(22, 38).equals(independent)).toBe(true);
    expect(messageAuthenticatorRfc2869(req, 22, auth, secret).equals(independent)).toBe(true);
    expect(checkMessageAuthenticatorRfc2869(req, auth, secret)).toBe('valid');
  });

  it('fails cleanly, without throwing, on tampering and wrong lengths', () => {
    for (let i = 0; i < req.length; i++) {
      const t = Buffer.from(req);
      t[i] = t[i]! ^ 0x01;
      const check = checkMessageAuthenticatorRfc2869(t, t.subarray(4, 20), secret);
      expect(check, `octet ${i}`).not.toBe('valid');
      // Flipping the attribute's own Type or Length octet un-frames it instead.
      if (i !== 20 && i !== 21) expect(check, `octet ${i}`).toBe('mismatch');
    }
    for (const len of [0, 1, 15, 17, 32]) {
      const raw = encodePacket({ code: 1, identifier: 1, authenticator: auth, attributes: [{ type: 80, value: Buffer.alloc(len) }] });
      expect(() => checkMessageAuthenticatorRfc2869(raw, auth, secret)).not.toThrow();
      expect(checkMessageAuthenticatorRfc2869(raw, auth, secret)).toBe('bad-length');
    }
    const two = encodePacket({ code: 1, identifier: 1, authenticator: auth, attributes: [{ type: 80, value: Buffer.alloc(16) }, { type: 80, value: Buffer.alloc(16) }] });
    expect(checkMessageAuthenticatorRfc2869(two, auth, secret)).toBe('duplicate');
    expect(findMessageAuthenticator(two)).toEqual({ count: 2, offset: 22, length: 16 });
  });

  it('digestEquals is length-safe', () => {
    expect(digestEquals(Buffer.alloc(16), Buffer.alloc(15))).toBe(false);
    expect(digestEquals(Buffer.alloc(16, 1), Buffer.alloc(16, 1))).toBe(true);
    expect(digestEquals(Buffer.alloc(16, 1), Buffer.alloc(16, 2))).toBe(false);
  });
});

describe('EAP-Message (RFC 3579 §3.1)', () => {
  it('splits at 253 octets and joins in order', () => {
    const eap = Buffer.from(Array.from({ length: 1020 }, (_, i) => i & 0xff));
    const parts = splitEapMessage(eap);
    expect(parts.map((a) => a.value.length)).toEqual([253, 253, 253, 253, 8]);
    expect(parts.every((a) => a.type === 79)).toBe(true);
    const p = packet(encodePacket({ code: 1, identifier: 1, authenticator: ra, attributes: [{ type: 1, value: Buffer.from('x') }, ...parts] }));
    expect(joinEapMessage(p)!.equals(eap)).toBe(true);
    expect(splitEapMessage(Buffer.alloc(253))).toHaveLength(1);
    expect(joinEapMessage({ attributes: [] })).toBeUndefined();
  });

  it('the builder splits a long EAP-Message by itself', () => {
    expect(buildAttributes({ 'EAP-Message': Buffer.alloc(600) }).map((a) => a.value.length)).toEqual([253, 253, 94]);
  });
});
