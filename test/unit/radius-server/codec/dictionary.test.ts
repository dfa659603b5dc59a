import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ATTR,
  VENDOR,
  allAttributes,
  attributeByType,
  attributeDef,
  buildAttributes,
  decodeDate,
  decodeInteger,
  decodeIpaddr,
  decodeIpv6addr,
  decodeIpv6prefix,
  decodeOctets,
  decodePacket,
  encodeAttribute,
  encodeDate,
  encodeInteger,
  encodeIpaddr,
  encodeIpv6addr,
  encodeIpv6prefix,
  encodeOctets,
  encodePacket,
  encryptTunnelPasswordRfc2868,
  findAttribute,
  getAll,
  getAttribute,
  getInteger,
  getString,
  getValue,
  hideUserPasswordRfc2865,
  splitVendorSpecific,
  valueName,
  valueNumber,
  Code,
  type AttributeName,
  type Packet,
} from '../../../../radius-server/codec/index.js';

/* The `radius` npm package's dictionaries are the independent source we cross-check numbers against. */
const radiusDir = join(dirname(createRequire(import.meta.url).resolve('radius/package.json')), 'dictionaries');

interface NpmAttr {
  type: number;
  dataType: string;
  values: Map<string, number>;
}

function loadNpmDictionaries(): Map<string, NpmAttr> {
  const attrs = new Map<string, NpmAttr>();
  const values: [string, string, number][] = [];
  for (const f of readdirSync(radiusDir)) {
    let vendor = false;
    for (const line of readFileSync(join(radiusDir, f), 'ascii').split('\n')) {
      const w = line.replace(/#.*/, '').trim().split(/\s+/);
      if (w[0] === 'BEGIN-VENDOR') vendor = true;
      if (w[0] === 'END-VENDOR') vendor = false;
      if (vendor) continue;
      if (w[0] === 'ATTRIBUTE') attrs.set(w[1]!, { type: Number(w[2]), dataType: w[3]!, values: new Map() });
      if (w[0] === 'VALUE') values.push([w[1]!, w[2]!, Number(w[3])]);
    }
  }
  for (const [a, name, n] of values) attrs.get(a)?.values.set(name, n);
  return attrs;
}

// Where our data type differs on purpose.
const TYPE_EXCEPTIONS: Record<string, string> = {
  'User-Password': 'we carry the hidden value as octets; it is text only after RFC 2865 §5.2 unhiding',
  'Tunnel-Password': 'salt-encrypted value (RFC 2868 §3.5), octets until decrypted',
  'Vendor-Specific': 'the radius package says octets; RFC 2865 §5.26 structure is "vsa"',
};

describe('dictionary cross-check against node_modules/radius/dictionaries', () => {
  const npm = loadNpmDictionaries();

  it('agrees on every IETF attribute number and data type we share', () => {
    let shared = 0;
    for (const def of allAttributes()) {
      if (def.vendorId !== 0) continue;
      const theirs = npm.get(def.name);
      expect(theirs, `${def.name} missing from the radius package`).toBeDefined();
      if (!theirs) continue;
      shared++;
      expect(def.type, def.name).toBe(theirs.type);
      if (!(def.name in TYPE_EXCEPTIONS)) expect(def.dataType, def.name).toBe(theirs.dataType);
    }
    expect(shared).toBeGreaterThan(100);
  });

  it('agrees on every named value we share', () => {
    let shared = 0;
    for (const def of allAttributes()) {
      const theirs = npm.get(def.name);
      if (!def.values || !theirs) continue;
      for (const [name, n] of def.values) {
        const t = theirs.values.get(name);
        if (t === undefined) continue;
        shared++;
        expect(n, `${def.name} ${name}`).toBe(t);
      }
    }
    expect(shared).toBeGreaterThan(100);
  });
});

describe('dictionary lookups', () => {
  it('maps names ↔ numbers, including vendor attributes', () => {
    expect(attributeDef('User-Name')).toMatchObject({ type: 1, vendorId: 0, dataType: 'string' });
    expect(attributeDef('WISPr-Bandwidth-Max-Down')).toMatchObject({ vendorId: 14122, type: 8, dataType: 'integer' });
    expect(attributeDef('ChilliSpot-Max-Input-Gigawords')).toMatchObject({ vendorId: 14559, type: 21 });
    expect(attributeDef('ChilliSpot-Bandwidth-Max-Down')).toMatchObject({ vendorId: 14559, type: 5 });
    expect(attributeDef('MS-MPPE-Recv-Key')).toMatchObject({ vendorId: 311, type: 17, flag: 'encrypt-salt' });
    expect(attributeDef('MS-CHAP2-Success')).toMatchObject({ vendorId: 311, type: 26 });
    expect(attributeDef('Mikrotik-Rate-Limit')).toMatchObject({ vendorId: 14988, type: 8, dataType: 'string' });
    expect(attributeDef('Mikrotik-Total-Limit')).toMatchObject({ vendorId: 14988, type: 17 });
    expect(attributeByType(80)?.name).toBe('Message-Authenticator');
    expect(attributeByType(4, VENDOR.WISPr)?.name).toBe('WISPr-Redirection-URL');
    expect(attributeByType(17)).toBeUndefined();
    expect(attributeByType(1, 9)).toBeUndefined();
    expect(findAttribute('No-Such-Attribute')).toBeUndefined();
    expect(() => attributeDef('No-Such' as AttributeName)).toThrow(RangeError);
  });

  it('maps named values both ways', () => {
    expect(valueNumber('Service-Type', 'Framed-User')).toBe(2);
    expect(valueNumber('Acct-Status-Type', 'Interim-Update')).toBe(3);
    expect(valueNumber('Acct-Terminate-Cause', 'Idle-Timeout')).toBe(4);
    expect(valueNumber('NAS-Port-Type', 'Wireless-802.11')).toBe(19);
    expect(valueNumber('Framed-Protocol', 'PPP')).toBe(1);
    expect(valueNumber('Error-Cause', 'Session-Context-Not-Found')).toBe(503);
    expect(valueNumber('MS-MPPE-Encryption-Types', 'RC4-40or128-bit-Allowed')).toBe(6);
    expect(valueName('Acct-Terminate-Cause', 22)).toBe('Port-Disabled');
    expect(valueName('Service-Type', 99)).toBeUndefined();
  });

  it('ATTR constants agree with the tables', () => {
    const names: Record<keyof typeof ATTR, AttributeName> = {
      UserName: 'User-Name',
      UserPassword: 'User-Password',
      ChapPassword: 'CHAP-Password',
      NasIpAddress: 'NAS-IP-Address',
      NasPort: 'NAS-Port',
      ServiceType: 'Service-Type',
      State: 'State',
      Class: 'Class',
      VendorSpecific: 'Vendor-Specific',
      SessionTimeout: 'Session-Timeout',
      NasIdentifier: 'NAS-Identifier',
      ProxyState: 'Proxy-State',
      ChapChallenge: 'CHAP-Challenge',
      TunnelPassword: 'Tunnel-Password',
      EapMessage: 'EAP-Message',
      MessageAuthenticator: 'Message-Authenticator',
      ErrorCause: 'Error-Cause',
    };
    for (const [k, name] of Object.entries(names)) expect(ATTR[k as keyof typeof ATTR], name).toBe(attributeDef(name).type);
  });
});

describe('value codecs', () => {
  it('octets are copied on encode', () => {
    const src = Buffer.from([1, 2, 3]);
    const enc = encodeOctets(src);
    src[0] = 9;
    expect(decodeOctets(enc).toString('hex')).toBe('010203');
  });

  it('integer and date (RFC 2865 §5)', () => {
    expect(encodeInteger(0xffffffff).toString('hex')).toBe('ffffffff');
    expect(() => encodeInteger(2 ** 32)).toThrow(RangeError);
    expect(() => encodeInteger(-1)).toThrow(RangeError);
    expect(() => encodeInteger(1.5)).toThrow(RangeError);
    expect(decodeInteger(Buffer.from('00000e10', 'hex'))).toBe(3600);
    expect(decodeInteger(Buffer.alloc(3))).toBeUndefined();
    const d = new Date('2026-01-02T03:04:05Z');
    expect(decodeDate(encodeDate(d))!.toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(decodeDate(Buffer.alloc(5))).toBeUndefined();
  });

  it('ipaddr', () => {
    expect(encodeIpaddr('192.168.1.16').toString('hex')).toBe('c0a80110');
    for (const bad of ['192.168.1', '1.2.3.256', '1.2.3.-4', 'a.b.c.d', '1..2.3', '']) expect(() => encodeIpaddr(bad), bad).toThrow(RangeError);
    expect(decodeIpaddr(Buffer.from('0a000001', 'hex'))).toBe('10.0.0.1');
    expect(decodeIpaddr(Buffer.alloc(5))).toBeUndefined();
  });

  it('ipv6addr (RFC 3162 §2.1) with RFC 5952 text', () => {
    const cases: [string, string, string][] = [
      ['2001:db8::1', '20010db8000000000000000000000001', '2001:db8::1'],
      ['::', '00000000000000000000000000000000', '::'],
      ['::1', '00000000000000000000000000000001', '::1'],
      ['fe80::', 'fe800000000000000000000000000000', 'fe80::'],
      ['2001:DB8:0:0:1:0:0:1', '20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
      ['2001:db8:0:1:1:1:1:1', '20010db8000000010001000100010001', '2001:db8:0:1:1:1:1:1'],
      ['::ffff:192.0.2.128', '00000000000000000000ffffc0000280', '::ffff:192.0.2.128'],
    ];
    for (const [text, wire, canonical] of cases) {
      expect(encodeIpv6addr(text).toString('hex'), text).toBe(wire);
      expect(decodeIpv6addr(Buffer.from(wire, 'hex'))).toBe(canonical);
    }
    for (const bad of ['1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '12345::', 'g::', ':::', '1:2:3:4:5:6:7::8']) {
      expect(() => encodeIpv6addr(bad), bad).toThrow(RangeError);
    }
    expect(decodeIpv6addr(Buffer.alloc(4))).toBeUndefined();
  });

  it('ipv6prefix (RFC 3162 §2.3)', () => {
    expect(encodeIpv6prefix('2001:db8::/32').toString('hex')).toBe('002020010db8');
    expect(encodeIpv6prefix('2001:db8:ffff::/36').toString('hex')).toBe('002420010db8f0');
    expect(encodeIpv6prefix('::/0').toString('hex')).toBe('0000');
    expect(decodeIpv6prefix(Buffer.from('002020010db8', 'hex'))).toBe('2001:db8::/32');
    expect(decodeIpv6prefix(Buffer.from('0040200100000000000000000000000000000000', 'hex'))).toBeUndefined(); // 20 octets
    expect(decodeIpv6prefix(Buffer.from('01202001', 'hex'))).toBeUndefined(); // reserved octet set
    expect(decodeIpv6prefix(Buffer.from('00812001', 'hex'))).toBeUndefined(); // 129 bits
    for (const bad of ['2001:db8::', '2001:db8::/129', '2001:db8::/', 'x/3']) expect(() => encodeIpv6prefix(bad), bad).toThrow(RangeError);
  });
});

describe('builder and getters', () => {
  const ra = Buffer.alloc(16, 9);
  const attrs = buildAttributes({
    'User-Name': 'anna@stadt.example',
    'Service-Type': 'Framed-User',
    'NAS-IP-Address': '10.1.2.3',
    'NAS-IPv6-Address': '2001:db8::7',
    'Framed-IPv6-Prefix': '2001:db8:1::/48',
    'Event-Timestamp': new Date('2026-03-04T05:06:07Z'),
    'Reply-Message': ['one', 'two'],
    'Session-Timeout': 3600,
    'WISPr-Bandwidth-Max-Down': 10_000_000,
    'WISPr-Location-Name': 'Rathaus',
    'ChilliSpot-Bandwidth-Max-Up': 2048,
    'ChilliSpot-Max-Total-Octets': 0xffffffff,
    'ChilliSpot-Max-Total-Gigawords': 2,
    'Mikrotik-Rate-Limit': '2M/10M',
    'MS-MPPE-Encryption-Policy': 'Encryption-Required',
    'Tunnel-Type': { tag: 1, value: 'VLAN' },
    'Tunnel-Medium-Type': { tag: 1, value: 'IEEE-802' },
    'Tunnel-Private-Group-Id': { tag: 1, value: '120' },
    'Tunnel-Password': encryptTunnelPasswordRfc2868('psk', 'secret', ra, { tag: 1, salt: Buffer.from('8001', 'hex') }),
  });
  const p: Packet = (() => {
    const r = decodePacket(encodePacket({ code: Code.AccessAccept, identifier: 1, authenticator: ra, attributes: attrs }));
    if (!r.ok) throw new Error(r.reason);
    return r.packet;
  })();

  it('encodes in the order given, one Vendor-Specific per vendor attribute', () => {
    expect(p.attributes.map((a) => a.type)).toEqual([1, 6, 4, 95, 97, 55, 18, 18, 27, 26, 26, 26, 26, 26, 26, 26, 64, 65, 81, 69]);
    const vsa = splitVendorSpecific(p.attributes[9]!.value);
    expect(vsa).toEqual({ ok: true, vendorId: 14122, subAttributes: [{ type: 8, value: Buffer.from('00989680', 'hex') }] });
  });

  it('reads IETF and vendor values back by name', () => {
    expect(getString(p, 'User-Name')).toBe('anna@stadt.example');
    expect(getInteger(p, 'Service-Type')).toBe(2);
    expect(getValue(p, 'NAS-IP-Address')).toBe('10.1.2.3');
    expect(getValue(p, 'NAS-IPv6-Address')).toBe('2001:db8::7');
    expect(getValue(p, 'Framed-IPv6-Prefix')).toBe('2001:db8:1::/48');
    expect((getValue(p, 'Event-Timestamp') as Date).toISOString()).toBe('2026-03-04T05:06:07.000Z');
    expect(getAll(p, 'Reply-Message').map(String)).toEqual(['one', 'two']);
    expect(getInteger(p, 'WISPr-Bandwidth-Max-Down')).toBe(10_000_000);
    expect(getString(p, 'WISPr-Location-Name')).toBe('Rathaus');
    expect(getInteger(p, 'ChilliSpot-Bandwidth-Max-Up')).toBe(2048);
    expect(getInteger(p, 'ChilliSpot-Max-Total-Octets')).toBe(0xffffffff);
    expect(getInteger(p, 'ChilliSpot-Max-Total-Gigawords')).toBe(2);
    expect(getString(p, 'Mikrotik-Rate-Limit')).toBe('2M/10M');
    expect(getInteger(p, 'MS-MPPE-Encryption-Policy')).toBe(2);
    expect(getAttribute(p, 'Mikrotik-Group')).toBeUndefined();
    expect(getString(p, 'Filter-Id')).toBeUndefined();
  });

  it('handles RFC 2868 tags', () => {
    expect(getAttribute(p, 'Tunnel-Type')!.toString('hex')).toBe('0100000d');
    expect(getInteger(p, 'Tunnel-Type')).toBe(13);
    expect(getInteger(p, 'Tunnel-Medium-Type')).toBe(6);
    expect(getAttribute(p, 'Tunnel-Private-Group-Id')!.toString('hex')).toBe('01313230');
    expect(getString(p, 'Tunnel-Private-Group-Id')).toBe('120');
    // An untagged value that would read as a Tag gets a zero Tag.
    expect(encodeAttribute('Tunnel-Private-Group-Id', '\u0005x')[0]!.value.toString('hex')).toBe('000578');
    expect(encodeAttribute('Tunnel-Private-Group-Id', '120')[0]!.value.toString()).toBe('120');
    expect(() => encodeAttribute('Tunnel-Type', { tag: 32, value: 13 })).toThrow(RangeError);
    expect(() => encodeAttribute('Tunnel-Type', { tag: 1, value: 0x1000000 })).toThrow(RangeError);
    expect(() => encodeAttribute('User-Name', { tag: 1, value: 'x' })).toThrow(TypeError);
  });

  it('refuses cleartext for encrypted attributes and wrong value kinds', () => {
    expect(() => buildAttributes({ 'User-Password': 'arctangent' })).toThrow(/encrypted/);
    expect(() => buildAttributes({ 'Tunnel-Password': 'psk' })).toThrow(/encrypted/);
    expect(() => buildAttributes({ 'MS-MPPE-Send-Key': 'k' })).toThrow(/encrypted/);
    expect(buildAttributes({ 'User-Password': hideUserPasswordRfc2865('pw', 's', ra) })[0]!.value.length).toBe(16);
    expect(() => buildAttributes({ 'Service-Type': 'No-Such-Value' })).toThrow(RangeError);
    expect(() => buildAttributes({ 'Session-Timeout': 'soon' })).toThrow(RangeError);
    expect(() => buildAttributes({ 'User-Name': 5 })).toThrow(TypeError);
    expect(() => buildAttributes({ 'NAS-IP-Address': 5 })).toThrow(TypeError);
    expect(() => buildAttributes({ 'Reply-Message': 'x'.repeat(254) })).toThrow(RangeError);
    expect(() => buildAttributes({ 'WISPr-Location-Name': 'x'.repeat(248) })).toThrow(RangeError);
    expect(() => getString(p, 'Session-Timeout')).toThrow(TypeError);
    expect(() => getInteger(p, 'User-Name')).toThrow(TypeError);
  });

  it('accepts an ordered list of pairs', () => {
    const list = buildAttributes([
      ['Reply-Message', 'b'],
      ['Class', Buffer.from([1, 2])],
      ['Reply-Message', 'a'],
    ]);
    expect(list.map((a) => [a.type, a.value.toString('hex')])).toEqual([
      [18, '62'],
      [25, '0102'],
      [18, '61'],
    ]);
  });

  it('skips malformed vendor data while reading', () => {
    const bad = { attributes: [{ type: 26, value: Buffer.from('0000372a0809', 'hex') }, ...buildAttributes({ 'WISPr-Location-ID': 'ok' })] };
    expect(getString(bad, 'WISPr-Location-ID')).toBe('ok');
    expect(getInteger({ attributes: [{ type: 27, value: Buffer.alloc(2) }] }, 'Session-Timeout')).toBeUndefined();
  });
});
