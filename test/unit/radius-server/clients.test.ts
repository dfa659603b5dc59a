import { describe, expect, it } from 'vitest';
import type { RadiusClient } from '../../../controller/domain/entities.js';
import { createClientTable, parseIpv4, parseIpv6 } from '../../../radius-server/clients.js';

function client(id: string, network: string, tenantId = `t-${id}`): RadiusClient {
  return {
    id,
    tenantId,
    name: id,
    network,
    secret: 'a-shared-secret-of-24-ch',
    requireMessageAuthenticator: true,
    coaPort: 3799,
    createdAt: new Date(0),
  };
}

describe('createClientTable', () => {
  const table = createClientTable([
    client('region', '10.0.0.0/8'),
    client('town', '10.20.0.0/16'),
    client('gateway', '10.20.30.40/32'),
    client('bare-host', '192.0.2.7'),
    client('v6-site', '2001:db8::/32'),
    client('v6-town', '2001:db8:abcd::/48'),
    client('v6-odd', '2001:db8:abcd:12::/63'),
    client('v6-host', '2001:db8:abcd:ff::1/128'),
  ]);

  it('picks the longest matching IPv4 prefix', () => {
    expect(table.lookup('10.20.30.40')?.id).toBe('gateway');
    expect(table.lookup('10.20.30.41')?.id).toBe('town');
    expect(table.lookup('10.21.0.1')?.id).toBe('region');
    expect(table.lookup('192.0.2.7')?.id).toBe('bare-host');
  });

  it('answers null for an unknown source (RFC 2865 §3: the caller discards)', () => {
    expect(table.lookup('11.0.0.1')).toBeNull();
    expect(table.lookup('192.0.2.8')).toBeNull();
    expect(table.lookup('2001:db9::1')).toBeNull();
  });

  it('folds IPv4-mapped IPv6 peers to IPv4', () => {
    expect(table.lookup('::ffff:10.20.30.40')?.id).toBe('gateway');
    expect(table.lookup('::FFFF:10.99.0.1')?.id).toBe('region');
    expect(table.lookup('::ffff:11.0.0.1')).toBeNull();
  });

  it('picks the longest matching IPv6 prefix, on and off 16-bit boundaries', () => {
    expect(table.lookup('2001:db8:abcd:ff::1')?.id).toBe('v6-host');
    expect(table.lookup('2001:db8:abcd:ff::2')?.id).toBe('v6-town');
    expect(table.lookup('2001:db8:abcd:13:1:2:3:4')?.id).toBe('v6-odd'); // /63 covers :12 and :13
    expect(table.lookup('2001:db8:abcd:14::1')?.id).toBe('v6-town');
    expect(table.lookup('2001:db8:1::1')?.id).toBe('v6-site');
    expect(table.lookup('2001:0DB8:ABCD:00FF:0000:0000:0000:0001')?.id).toBe('v6-host');
    expect(table.lookup('fe80::1%eth0')).toBeNull();
  });

  it('answers null for garbage rather than throwing', () => {
    for (const bad of ['', 'localhost', '10.0.0', '10.0.0.256', '10.0.0.1.2', ':::', '2001:db8::g', '1..2.3']) {
      expect(table.lookup(bad)).toBeNull();
    }
  });

  it('honours catch-all networks as the last resort', () => {
    const t = createClientTable([client('any4', '0.0.0.0/0'), client('any6', '::/0'), client('lab', '198.51.100.0/24')]);
    expect(t.lookup('198.51.100.9')?.id).toBe('lab');
    expect(t.lookup('203.0.113.1')?.id).toBe('any4');
    expect(t.lookup('2001:db8::1')?.id).toBe('any6');
  });

  it('masks host bits of a network written loosely', () => {
    const t = createClientTable([client('loose', '192.0.2.77/24')]);
    expect(t.lookup('192.0.2.1')?.id).toBe('loose');
  });

  it('refuses an invalid network or two clients on one network', () => {
    expect(() => createClientTable([client('x', '300.0.0.0/8')])).toThrow(RangeError);
    expect(() => createClientTable([client('a', '10.0.0.0/8'), client('b', '10.1.0.0/8')])).toThrow(/share the network/);
  });

  it('is empty-safe', () => {
    const t = createClientTable([]);
    expect(t.size).toBe(0);
    expect(t.lookup('10.0.0.1')).toBeNull();
  });
});

describe('address parsing', () => {
  it('parses dotted quads to unsigned integers', () => {
    expect(parseIpv4('0.0.0.0')).toBe(0);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIpv4('192.0.2.1')).toBe(0xc0000201);
    expect(parseIpv4('1.2.3')).toBeNull();
    expect(parseIpv4('1.2.3.4.')).toBeNull();
    expect(parseIpv4('1.2.3.1000')).toBeNull();
  });

  it('parses IPv6 forms to eight words', () => {
    expect(parseIpv6('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIpv6('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6('2001:db8::')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]);
    expect(parseIpv6('64:ff9b::192.0.2.1')).toEqual([0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x201]);
    expect(parseIpv6('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIpv6('1::')).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIpv6('1:0:0:0:0:0:0::')).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIpv6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    expect(parseIpv6('fe80::1%eth0')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('agrees with node:net on what is IPv6', async () => {
    const { isIPv6 } = await import('node:net');
    const samples = [
      '::', '::1', '1::', '1::2', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1:2:3:4:5:6::8',
      '::ffff:1.2.3.4', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', '::1.2.3.4', 'a:b:c:d:e:f:0:1',
      '1::2::3', ':::', ':1', '1:', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '12345::', 'g::', '1:2:3:4:5:6:7:8::',
      '::1.2.3', '::1.2.3.256', '1.2.3.4', '', ':', '::ffff:1.2.3.4:5', 'ABCD:EF01::', '0:0:0:0:0:0:0:0',
    ];
    for (const s of samples) expect([s, parseIpv6(s) !== null]).toEqual([s, isIPv6(s)]);
  });

  it('rejects malformed IPv6', () => {
    expect(parseIpv6('1::2::3')).toBeNull();
    expect(parseIpv6('1:2:3:4:5:6:7:8:9')).toBeNull();
    expect(parseIpv6('1:2:3:4:5:6:7:8::')).toBeNull();
  });
});
