/**
 * Evidence for docs/adr/0003-radius-packet-layer.md: the defects of the
 * `radius` npm package (1.1.4, lib/radius.js) that made us own the packet
 * layer, each shown against the package itself and contrasted with our codec.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { decodePacket, verifyRequest, verifyRequestAuthenticatorRfc2866, type Packet } from '../../../../radius-server/codec/index.js';

interface RadiusPackage {
  encode(args: Record<string, unknown>): Buffer;
  encode_response(args: Record<string, unknown>): Buffer;
  decode(args: Record<string, unknown>): { attributes: Record<string, unknown>; raw_attributes: [number, Buffer][] };
}

const radius = createRequire(import.meta.url)('radius') as RadiusPackage;
const secret = 'xyzzy5461';

function ours(buf: Buffer): Packet {
  const r = decodePacket(buf);
  if (!r.ok) throw new Error(r.reason);
  return r.packet;
}

describe('the radius package (lib/radius.js)', () => {
  it('compares digests as UTF-8 strings (lines 339, 379, 405, 437): lossy and not constant time', () => {
    // Two different digests that compare equal the way radius.js compares them.
    expect(Buffer.alloc(16, 0x80).toString() === Buffer.alloc(16, 0x81).toString()).toBe(true);

    // A forged Accounting-Request authenticator it accepts and we refuse.
    for (let n = 0; ; n++) {
      const pkt = radius.encode({ code: 'Accounting-Request', identifier: 1, secret, attributes: [['Acct-Session-Id', `s${n}`]] });
      const good = pkt.subarray(4, 20);
      const i = good.findIndex((b, k) => b >= 0x80 && b <= 0xbf && (k === 0 || good[k - 1]! < 0x80));
      if (i < 0) continue;
      const forged = Buffer.from(pkt);
      forged[4 + i] = good[i] === 0x80 ? 0x81 : 0x80;
      if (forged.subarray(4, 20).toString() !== good.toString()) continue;
      expect(() => radius.decode({ packet: Buffer.from(forged), secret })).not.toThrow();
      expect(verifyRequestAuthenticatorRfc2866(forged, secret)).toBe(false);
      expect(verifyRequest(ours(forged), secret, { requireMessageAuthenticator: false })).toEqual({ ok: false, reason: 'bad-authenticator' });
      break;
    }
  });

  it('adds Message-Authenticator to a response only if the request had one, and then last (lines 629, 717)', () => {
    const request = radius.encode({ code: 'Access-Request', identifier: 1, secret, attributes: [['User-Name', 'nemo']], add_message_authenticator: false });
    const noMa = radius.encode_response({ packet: radius.decode({ packet: request, secret }), code: 'Access-Accept', secret, attributes: [['Session-Timeout', 60]] });
    expect(ours(noMa).attributes.map((a) => a.type)).toEqual([27]);

    const withMa = radius.encode({ code: 'Access-Request', identifier: 2, secret, attributes: [['User-Name', 'nemo']], add_message_authenticator: true });
    const last = radius.encode_response({ packet: radius.decode({ packet: withMa, secret }), code: 'Access-Accept', secret, attributes: [['Session-Timeout', 60]] });
    expect(ours(last).attributes.map((a) => a.type)).toEqual([27, 80]);
  });

  it('verifies Message-Authenticator only when present: never required (line 345)', () => {
    const bare = radius.encode({ code: 'Access-Request', identifier: 1, secret, attributes: [['User-Name', 'nemo']], add_message_authenticator: false });
    expect(() => radius.decode({ packet: bare, secret })).not.toThrow();
    expect(verifyRequest(ours(bare), secret, { requireMessageAuthenticator: true })).toEqual({ ok: false, reason: 'ma-missing' });
  });

  it('signs CoA/Disconnect-Request in the wrong order (lines 739, 742): its Request Authenticator does not cover the final Message-Authenticator', () => {
    const pkt = radius.encode({
      code: 'Disconnect-Request',
      identifier: 42,
      secret,
      attributes: [['User-Name', 'nemo'], ['Acct-Session-Id', '0123456789ABCDEF']],
      add_message_authenticator: true,
    });
    const p = ours(pkt);
    expect(p.attributes.at(-1)!.type).toBe(80);
    // RFC 5176 §2.3: MD5 over the packet as sent, with a zero Authenticator.
    const work = Buffer.from(pkt);
    work.fill(0, 4, 20);
    const expected = createHash('md5').update(work).update(secret).digest();
    expect(expected.equals(p.authenticator)).toBe(false);
    expect(verifyRequest(p, secret, { requireMessageAuthenticator: false })).toEqual({ ok: false, reason: 'bad-authenticator' });
  });

  it('has no salt encryption: Tunnel-Password (encrypt=2) goes out in cleartext (lines 475, 803)', () => {
    const pkt = radius.encode({ code: 'Access-Accept', identifier: 1, secret, authenticator: Buffer.alloc(16), attributes: [['Tunnel-Password', 1, 'wlan-psk-123']] });
    expect(pkt.includes(Buffer.from('wlan-psk-123'))).toBe(true);
  });

  it('accepts an attribute that runs past the end of the packet (lines 450-453)', () => {
    const truncated = Buffer.from('0c010018000000000000000000000000000000000120ab', 'hex');
    const fixed = Buffer.from(truncated);
    fixed.writeUInt16BE(fixed.length, 2);
    expect(() => radius.decode({ packet: fixed, secret, no_secret: true })).not.toThrow();
    expect(decodePacket(fixed)).toEqual({ ok: false, reason: 'attribute-truncated' });
  });
});
