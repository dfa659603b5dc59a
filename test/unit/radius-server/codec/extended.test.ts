/**
 * RFC 6929 extended attributes and RFC 8045 IP-Port-Range, from bytes
 * written by hand from the RFCs' field layouts (each vector says which
 * figure it follows), plus one malformed attribute per failure reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  EXTENDED_FAILURES,
  IP_PORT_FAILURES,
  IP_PORT_TLV,
  TLV_FAILURES,
  allExtendedAttributes,
  decodeIpPortRange,
  decodePacket,
  decodeTlvs,
  extendedAttributeByType,
  extendedAttributeDef,
  extendedValues,
  ipPortRanges,
  type Attribute,
  type IpPortFailure,
} from '../../../../radius-server/codec/index.js';
import { hex } from './vectors.js';

/** Attributes from hex, each `Type Length Value…` as on the wire (RFC 2865 §5). */
function attrs(...wire: string[]): Attribute[] {
  return wire.map((w) => {
    const b = hex(w);
    expect(b[1], `Length octet of ${w}`).toBe(b.length);
    return { type: b[0]!, value: b.subarray(2) };
  });
}

/*
 * An Accounting-Request Start from a gateway whose NAT gave 10.0.0.5 the
 * ports 40000–40999 of 198.51.100.7 (RFC 5737 documentation address).
 *
 * RFC 2865 §3 header: Code 4, Identifier 0x22, Length 0x003b (59), a zero
 *   Request Authenticator (not checked by the codec).
 * RFC 2866 §5.1 Acct-Status-Type: 28 06 00000001 (Start).
 * RFC 6929 §2.1 Extended-Type attribute: Type 241 (f1), Length 33 (0x21),
 *   Extended-Type 6 (RFC 8045 §3.1.2 IP-Port-Range), then the Value, five
 *   RFC 6929 §2.3 TLVs of TLV-Type, TLV-Length (6: RFC 8045 §3.2 figures),
 *   4 value octets:
 *     08 06 00000001  IP-Port-Alloc = 1 (Allocation), §3.2.8
 *     03 06 c6336407  IP-Port-Ext-IPv4-Addr = 198.51.100.7, §3.2.3
 *     09 06 00009c40  IP-Port-Range-Start = 40000, §3.2.9
 *     0a 06 0000a027  IP-Port-Range-End = 40999, §3.2.10
 *     04 06 0a000005  IP-Port-Int-IPv4-Addr = 10.0.0.5, §3.2.4
 * This is also, octet for octet, what Debian's radclient 3.2 sends for the
 * IP-Port-Range-* lines of test/e2e/radius-nat-accounting.test.ts.
 */
const START_WITH_RANGE = [
  '04 22 003b 00000000000000000000000000000000',
  '28 06 00000001',
  'f1 21 06' + ' 08 06 00000001' + ' 03 06 c6336407' + ' 09 06 00009c40' + ' 0a 06 0000a027' + ' 04 06 0a000005',
].join(' ');

describe('RFC 6929 §2.1 Extended-Type attributes', () => {
  it('finds IP-Port-Range (241.6) in a whole packet and returns its value after the Extended-Type octet', () => {
    const d = decodePacket(hex(START_WITH_RANGE));
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    const values = extendedValues(d.packet.attributes, 241, 6);
    expect(values).toHaveLength(1);
    expect(values[0]).toEqual({ ok: true, value: hex('08 06 00000001 03 06 c6336407 09 06 00009c40 0a 06 0000a027 04 06 0a000005') });
    // Another Extended-Type under the same Type is not it.
    expect(extendedValues(d.packet.attributes, 241, 5)).toHaveLength(0);
  });

  it('returns every instance, in wire order', () => {
    const a = attrs('f1 04 06 aa', 'f1 05 07 bb bb', 'f1 04 06 cc');
    expect(extendedValues(a, 241, 6)).toEqual([
      { ok: true, value: hex('aa') },
      { ok: true, value: hex('cc') },
    ]);
  });

  it('allocates nothing when the attribute is absent: one shared empty result', () => {
    const a = attrs('28 06 00000001', '2c 04 6869');
    expect(extendedValues(a, 241, 6)).toBe(extendedValues([], 241, 6));
    expect(Object.isFrozen(extendedValues(a, 241, 6))).toBe(true);
  });

  it('Length 3 (no Value octet) is an invalid attribute: extended-too-short', () => {
    expect(extendedValues(attrs('f1 03 06'), 241, 6)).toEqual([{ ok: false, reason: 'extended-too-short' }]);
  });

  it('refuses a Type that is not extended (a caller bug)', () => {
    expect(() => extendedValues([], 26, 1)).toThrow(RangeError);
  });
});

describe('RFC 6929 §2.2 Long Extended-Type attributes', () => {
  // Type 245, Length, Extended-Type 1, then M (0x80) + 7 reserved bits, then Value.
  const full = (ext: string, flags: string, fill: string) => `f5 ff ${ext} ${flags} ${fill.repeat(251)}`;

  it('an unfragmented value (M clear) is the octets after the flags', () => {
    expect(extendedValues(attrs('f5 07 01 00 01 02 03'), 245, 1)).toEqual([{ ok: true, value: hex('01 02 03') }]);
  });

  it('ignores the 7 reserved bits on receipt', () => {
    expect(extendedValues(attrs('f5 05 01 7f 09'), 245, 1)).toEqual([{ ok: true, value: hex('09') }]);
  });

  it('joins consecutive fragments while M is set: 251 + 3 octets', () => {
    const a = attrs(full('01', '80', 'aa'), 'f5 07 01 00 bb bb bb');
    const [v] = extendedValues(a, 245, 1);
    expect(v).toEqual({ ok: true, value: Buffer.concat([Buffer.alloc(251, 0xaa), hex('bb bb bb')]) });
  });

  it('joins three fragments', () => {
    const a = attrs(full('01', '80', '11'), full('01', '80', '22'), 'f5 05 01 00 33');
    const [v] = extendedValues(a, 245, 1);
    expect(v?.ok && v.value.length).toBe(251 * 2 + 1);
  });

  it.each([
    ['Length 4 (no Value octet)', 'extended-too-short', ['f5 04 01 00']],
    ['M set with a Length below 255', 'long-extended-more-not-full', ['f5 05 01 80 aa', 'f5 05 01 00 bb']],
    ['M set on the last attribute of the packet', 'long-extended-fragment-missing', [full('01', '80', 'aa')]],
    ['M set, then another attribute in between', 'long-extended-fragment-missing', [full('01', '80', 'aa'), '28 06 00000001', 'f5 05 01 00 bb']],
    ['M set, then a fragment of another Extended-Type', 'long-extended-fragment-missing', [full('01', '80', 'aa'), 'f5 05 02 00 bb']],
  ])('%s: %s', (_name, reason, wire) => {
    expect(extendedValues(attrs(...wire), 245, 1)[0]).toEqual({ ok: false, reason });
  });

  it('the rest of a broken chain is not read as an attribute of its own', () => {
    // The first fragment is short though M is set; its continuation must go with it.
    const a = attrs('f5 05 01 80 aa', full('01', '80', 'bb'), 'f5 05 01 00 cc', 'f5 05 01 00 dd');
    expect(extendedValues(a, 245, 1)).toEqual([
      { ok: false, reason: 'long-extended-more-not-full' },
      { ok: true, value: hex('dd') },
    ]);
  });
});

describe('RFC 6929 §2.3 TLVs', () => {
  it('splits a value into TLV-Type and TLV-Value views', () => {
    expect(decodeTlvs(hex('08 06 00000001 0b 05 6e 61 74'))).toEqual({
      ok: true,
      tlvs: [
        { type: 8, value: hex('00000001') },
        { type: 11, value: hex('6e 61 74') },
      ],
    });
  });

  it.each([
    ['TLV-Length runs past the attribute (length overflow)', '08 06 000000', 'tlv-truncated'],
    ['a lone TLV-Type octet at the end', '08 06 00000001 09', 'tlv-truncated'],
    ['TLV-Length 2 (no value)', '08 02 08 06 00000001', 'tlv-length-invalid'],
    ['TLV-Length 0', '08 00', 'tlv-length-invalid'],
  ])('%s: %s', (_name, value, reason) => {
    expect(decodeTlvs(hex(value))).toEqual({ ok: false, reason });
  });

  it('documents every failure reason', () => {
    for (const text of [...Object.values(EXTENDED_FAILURES), ...Object.values(TLV_FAILURES)]) expect(text).toMatch(/RFC 6929 §2\.\d/);
  });
});

describe('RFC 8045 §3.1.2 IP-Port-Range', () => {
  const TLV = {
    alloc: (n: number) => `08 06 ${n.toString(16).padStart(8, '0')}`,
    ext: '03 06 c6336407',
    start: (n: number) => `09 06 ${n.toString(16).padStart(8, '0')}`,
    end: (n: number) => `0a 06 ${n.toString(16).padStart(8, '0')}`,
    int4: '04 06 0a000005',
    // RFC 8045 §3.2.5: TLV-Length 18, 2001:db8::5 (RFC 3849).
    int6: '05 12 20010db8000000000000000000000005',
    // §3.2.1 IP-Port-Type = 6 (TCP).
    tcp: '01 06 00000006',
    // §3.2.11 IP-Port-Local-Id = "cpe-17".
    localId: '0b 08 6370652d3137',
  };

  it('decodes the allocation of the golden packet', () => {
    const d = decodePacket(hex(START_WITH_RANGE));
    if (!d.ok) throw new Error(d.reason);
    expect(ipPortRanges(d.packet.attributes)).toEqual([
      {
        ok: true,
        range: { alloc: 'allocation', protocol: null, externalIpv4: '198.51.100.7', internalIpv4: '10.0.0.5', internalIpv6: null, portStart: 40000, portEnd: 40999, localId: null },
      },
    ]);
  });

  it('reads IP-Port-Type, IP-Port-Int-IPv6-Addr and IP-Port-Local-Id; skips unknown TLV-Types', () => {
    const r = decodeIpPortRange(hex([TLV.tcp, TLV.alloc(2), TLV.ext, TLV.int6, TLV.localId, TLV.start(1024), TLV.end(1024), 'fe 03 00'].join(' ')));
    expect(r).toEqual({
      ok: true,
      range: { alloc: 'deallocation', protocol: 6, externalIpv4: '198.51.100.7', internalIpv4: null, internalIpv6: '2001:db8::5', portStart: 1024, portEnd: 1024, localId: 'cpe-17' },
    });
  });

  it('an allocation may leave out the addresses and the range: the caller decides what it can use', () => {
    expect(decodeIpPortRange(hex(TLV.alloc(1)))).toEqual({
      ok: true,
      range: { alloc: 'allocation', protocol: null, externalIpv4: null, internalIpv4: null, internalIpv6: null, portStart: null, portEnd: null, localId: null },
    });
  });

  const malformed: Array<[string, string, IpPortFailure]> = [
    ['IP-Port-Alloc missing', [TLV.ext, TLV.start(1), TLV.end(2)].join(' '), 'port-alloc-missing'],
    ['IP-Port-Alloc 0 (Reserved)', TLV.alloc(0), 'port-alloc-invalid'],
    ['IP-Port-Alloc 3', TLV.alloc(3), 'port-alloc-invalid'],
    ['IP-Port-Alloc of 3 octets (TLV-Length 5)', '08 05 000001', 'tlv-value-length-invalid'],
    ['IP-Port-Ext-IPv4-Addr of 16 octets', `${TLV.alloc(1)} 03 12 20010db8000000000000000000000005`, 'tlv-value-length-invalid'],
    ['IP-Port-Int-IPv6-Addr of 4 octets', `${TLV.alloc(1)} 05 06 0a000005`, 'tlv-value-length-invalid'],
    ['IP-Port-Range-Start of 2 octets', `${TLV.alloc(1)} 09 04 9c40 ${TLV.end(40999)}`, 'tlv-value-length-invalid'],
    ['IP-Port-Ext-IPv4-Addr twice', `${TLV.alloc(1)} ${TLV.ext} 03 06 c6336408 ${TLV.start(1)} ${TLV.end(2)}`, 'tlv-duplicate'],
    ['IP-Port-Range-Start without -End', `${TLV.alloc(1)} ${TLV.ext} ${TLV.start(40000)}`, 'port-range-incomplete'],
    ['IP-Port-Range-End without -Start', `${TLV.alloc(1)} ${TLV.ext} ${TLV.end(40000)}`, 'port-range-incomplete'],
    ['a range that ends before it starts', `${TLV.alloc(1)} ${TLV.ext} ${TLV.start(41000)} ${TLV.end(40999)}`, 'port-range-invalid'],
    ['a port above 65535 (unused high bits set)', `${TLV.alloc(1)} ${TLV.ext} ${TLV.start(1)} ${TLV.end(0x10000)}`, 'port-range-invalid'],
    ['a TLV cut short', `${TLV.alloc(1)} 03 06 c633`, 'tlv-truncated'],
    ['a TLV-Length of 1', `${TLV.alloc(1)} 03 01`, 'tlv-length-invalid'],
  ];
  it.each(malformed)('%s: %s', (_name, value, reason) => {
    expect(decodeIpPortRange(hex(value))).toEqual({ ok: false, reason });
    expect(IP_PORT_FAILURES[reason]).toBeTruthy();
  });

  it('reports a malformed attribute beside a good one, in wire order', () => {
    const a = attrs(`f1 09 06 ${TLV.alloc(0)}`, `f1 1b 06 ${TLV.alloc(1)} ${TLV.ext} ${TLV.start(2000)} ${TLV.end(2999)}`, 'f1 03 06');
    expect(ipPortRanges(a).map((r) => (r.ok ? `${r.range.externalIpv4}:${r.range.portStart}-${r.range.portEnd}` : r.reason))).toEqual([
      'port-alloc-invalid',
      '198.51.100.7:2000-2999',
      'extended-too-short',
    ]);
  });

  it('allocates nothing for a packet without IP-Port-Range', () => {
    expect(ipPortRanges(attrs('28 06 00000001'))).toBe(ipPortRanges([]));
  });
});

describe('RFC 8045 dictionary', () => {
  it('names the three attributes and the eleven TLVs', () => {
    expect(allExtendedAttributes().map((d) => `${d.name}=${d.type}.${d.extendedType}`)).toEqual(['IP-Port-Limit-Info=241.5', 'IP-Port-Range=241.6', 'IP-Port-Forwarding-Map=241.7']);
    expect(extendedAttributeByType(241, 6)).toBe(extendedAttributeDef('IP-Port-Range'));
    expect(extendedAttributeByType(241, 26)).toBeUndefined();
    expect(IP_PORT_TLV).toMatchObject({ 'IP-Port-Type': 1, 'IP-Port-Ext-IPv4-Addr': 3, 'IP-Port-Int-IPv4-Addr': 4, 'IP-Port-Alloc': 8, 'IP-Port-Range-Start': 9, 'IP-Port-Range-End': 10, 'IP-Port-Local-Id': 11 });
    expect(extendedAttributeDef('IP-Port-Range').tlvs.get(8)?.values?.get('Deallocation')).toBe(2);
  });

  // FreeRADIUS (an independent source) names the shared TLVs under 241.5.
  const freeradius = '/usr/share/freeradius/dictionary.rfc8045';
  it.skipIf(!existsSync(freeradius) && process.env.CI !== 'true')(`agrees with ${freeradius}`, () => {
    const lines = readFileSync(freeradius, 'ascii')
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim().split(/\s+/))
      .filter((w) => w[0] === 'ATTRIBUTE');
    const theirs = new Map(lines.map((w) => [w[1]!, { oid: w[2]!, type: w[3]! }]));
    for (const d of allExtendedAttributes()) {
      expect(theirs.get(d.name), d.name).toEqual({ oid: `${d.type}.${d.extendedType}`, type: 'tlv' });
    }
    const fr: Record<string, string> = { integer: 'integer', ipaddr: 'ipaddr', ipv6addr: 'ipv6addr', string: 'string' };
    for (const t of extendedAttributeDef('IP-Port-Limit-Info').tlvs.values()) {
      expect(theirs.get(t.name), t.name).toEqual({ oid: `241.5.${t.tlvType}`, type: fr[t.dataType] });
    }
  });
});
