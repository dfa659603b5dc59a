import { describe, expect, it } from 'vitest';
import {
  CODE_NAMES,
  Code,
  DECODE_FAILURES,
  VSA_FAILURES,
  decodePacket,
  encodePacket,
  isCode,
  splitVendorSpecific,
  vendorSpecific,
  type DecodeFailure,
} from '../../../../radius-server/codec/index.js';
import { hex, loadVectors, type MalformedCase } from './vectors.js';

const { cases } = loadVectors<{ cases: MalformedCase[] }>('malformed.json');

function datagram(c: MalformedCase): Buffer {
  const b = hex(c.hex);
  return c.padTo ? Buffer.concat([b, Buffer.alloc(c.padTo - b.length)]) : b;
}

describe('malformed packets (test/vectors/radius/malformed.json)', () => {
  it.each(cases)('$name → $reason', (c) => {
    expect(decodePacket(datagram(c))).toEqual({ ok: false, reason: c.reason });
  });

  it('covers every DecodeFailure, each of which has a text', () => {
    const covered = new Set(cases.map((c) => c.reason));
    for (const reason of Object.keys(DECODE_FAILURES) as DecodeFailure[]) {
      expect(covered.has(reason), reason).toBe(true);
      expect(DECODE_FAILURES[reason].length).toBeGreaterThan(10);
    }
    for (const c of cases) expect(Object.keys(DECODE_FAILURES)).toContain(c.reason);
  });
});

describe('decodePacket', () => {
  const nemo = hex('01 07 00 1a 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 01 06 6e 65 6d 6f');

  it('ignores octets beyond the Length field as padding (RFC 2865 §3)', () => {
    const r = decodePacket(Buffer.concat([nemo, hex('de ad be ef')]));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.packet.raw.length).toBe(26);
    expect(r.packet.attributes).toHaveLength(1);
  });

  it('accepts the 20-octet minimum and a 4096-octet maximum packet', () => {
    expect(decodePacket(hex('05 00 00 14 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00')).ok).toBe(true);
    const big = Buffer.alloc(4096);
    big[0] = Code.AccountingRequest;
    big.writeUInt16BE(4096, 2);
    // 16 Class attributes of 255 octets, then one of 6 fill 4076 octets after the header.
    let off = 20;
    while (off < 4096) {
      const len = Math.min(255, 4096 - off);
      big[off] = 25;
      big[off + 1] = len;
      off += len;
    }
    const r = decodePacket(big);
    expect(r.ok && r.packet.attributes.length).toBe(16);
  });

  it('keeps zero-length-value attributes and every code we handle', () => {
    const r = decodePacket(hex('2b 09 00 16 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 12 02'));
    expect(r.ok && r.packet.attributes.map((a) => [a.type, a.value.length])).toEqual([[18, 0]]);
    for (const c of Object.values(Code)) expect(isCode(c)).toBe(true);
    expect(Object.keys(CODE_NAMES)).toHaveLength(Object.values(Code).length);
    for (const n of [0, 6, 7, 14, 39, 46, 255, 256, -1]) expect(isCode(n)).toBe(false);
  });

  it('returns attribute values as views into the datagram (zero copy), made once', () => {
    const r = decodePacket(nemo);
    if (!r.ok) throw new Error(r.reason);
    const a = r.packet.attributes[0]!;
    expect(a.value.buffer).toBe(nemo.buffer);
    expect(a.value).toBe(a.value);
    expect(JSON.parse(JSON.stringify(a))).toEqual({ type: 1, value: '6e656d6f' });
  });
});

describe('encodePacket', () => {
  const base = { code: Code.AccessAccept, identifier: 7, authenticator: Buffer.alloc(16, 0xab) };

  it('writes Length and attributes exactly', () => {
    const out = encodePacket({ ...base, attributes: [{ type: 18, value: Buffer.from('hi') }] });
    expect(out.toString('hex')).toBe(`02070018${'ab'.repeat(16)}12046869`);
  });

  it('refuses a value longer than 253 octets, a bad header field, or a packet over 4096 octets', () => {
    expect(() => encodePacket({ ...base, attributes: [{ type: 25, value: Buffer.alloc(254) }] })).toThrow(RangeError);
    expect(encodePacket({ ...base, attributes: [{ type: 25, value: Buffer.alloc(253) }] }).length).toBe(275);
    expect(() => encodePacket({ ...base, identifier: 256, attributes: [] })).toThrow(RangeError);
    expect(() => encodePacket({ ...base, authenticator: Buffer.alloc(15), attributes: [] })).toThrow(RangeError);
    expect(() => encodePacket({ ...base, code: 6 as Code, attributes: [] })).toThrow(RangeError);
    expect(() => encodePacket({ ...base, attributes: [{ type: 0, value: Buffer.alloc(1) }] })).toThrow(RangeError);
    const many = Array.from({ length: 17 }, () => ({ type: 25, value: Buffer.alloc(253) }));
    expect(() => encodePacket({ ...base, attributes: many })).toThrow(/4096/);
  });
});

describe('Vendor-Specific (RFC 2865 §5.26)', () => {
  it('splits vendor sub-attributes and builds them back', () => {
    const vsa = vendorSpecific(14122, [
      { type: 7, value: Buffer.from('000f4240', 'hex') },
      { type: 1, value: Buffer.from('isocc=de,cc=49,ac=30,network=Stadt') },
    ]);
    expect(vsa.type).toBe(26);
    const r = splitVendorSpecific(vsa.value);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.vendorId).toBe(14122);
    expect(r.subAttributes.map((s) => s.type)).toEqual([7, 1]);
    expect(r.subAttributes[0]!.value.readUInt32BE(0)).toBe(1_000_000);
  });

  it('reports malformed vendor data without throwing', () => {
    expect(splitVendorSpecific(Buffer.from('0000'))).toEqual({ ok: false, reason: 'vsa-too-short' });
    expect(splitVendorSpecific(hex('00 00 37 2a 01 09 41'))).toEqual({ ok: false, reason: 'vsa-sub-attribute-invalid' });
    expect(splitVendorSpecific(hex('00 00 37 2a 01 01 41'))).toEqual({ ok: false, reason: 'vsa-sub-attribute-invalid' });
    expect(splitVendorSpecific(hex('00 00 37 2a 01 02 41'))).toEqual({ ok: false, reason: 'vsa-sub-attribute-invalid' });
    expect(Object.keys(VSA_FAILURES)).toEqual(['vsa-too-short', 'vsa-sub-attribute-invalid']);
  });

  it('refuses a Vendor-Specific value over 253 octets', () => {
    expect(() => vendorSpecific(311, [{ type: 1, value: Buffer.alloc(248) }])).toThrow(RangeError);
    expect(vendorSpecific(311, [{ type: 1, value: Buffer.alloc(247) }]).value.length).toBe(253);
  });
});
