import { describe, expect, it } from 'vitest';
import { formatCidr, parseCidr, unmapIpv4 } from '../../../../controller/domain/network.js';

describe('parseCidr', () => {
  it.each([
    ['an IPv4 network', '192.0.2.0/24', { address: '192.0.2.0', prefix: 24, family: 4 }],
    ['a bare IPv4 address as a host route', '192.0.2.1', { address: '192.0.2.1', prefix: 32, family: 4 }],
    ['the IPv4 default route', '0.0.0.0/0', { address: '0.0.0.0', prefix: 0, family: 4 }],
    ['an IPv6 network', '2001:db8::/32', { address: '2001:db8::', prefix: 32, family: 6 }],
    ['a bare IPv6 address as a host route', '2001:db8::1', { address: '2001:db8::1', prefix: 128, family: 6 }],
    ['an IPv6 /128', '2001:db8::1/128', { address: '2001:db8::1', prefix: 128, family: 6 }],
    ['IPv6 loopback', '::1', { address: '::1', prefix: 128, family: 6 }],
    ['an IPv4-mapped IPv6 address, folded to IPv4', '::ffff:192.0.2.1', { address: '192.0.2.1', prefix: 32, family: 4 }],
    ['an IPv4-mapped address in upper case', '::FFFF:192.0.2.1', { address: '192.0.2.1', prefix: 32, family: 4 }],
    ['surrounding whitespace', ' 10.0.0.0/8 ', { address: '10.0.0.0', prefix: 8, family: 4 }],
  ])('reads %s', (_label, input, expected) => {
    expect(parseCidr(input)).toEqual(expected);
  });

  it.each([
    ['empty', ''],
    ['a prefix alone', '/24'],
    ['an empty prefix', '192.0.2.0/'],
    ['an IPv4 prefix over 32', '192.0.2.0/33'],
    ['an IPv6 prefix over 128', '2001:db8::/129'],
    ['a negative prefix', '192.0.2.0/-1'],
    ['a non-numeric prefix', '192.0.2.0/ab'],
    ['two prefixes', '192.0.2.0/24/8'],
    ['an octet over 255', '256.0.0.1'],
    ['a host name', 'gateway.example'],
  ])('refuses %s (%j)', (_label, input) => {
    expect(parseCidr(input)).toBeNull();
  });

  // Reported to the domain's owner: RadiusClient.network is documented as
  // normalised, and the client stores rely on one spelling per network.
  it.todo('clears host bits: 192.0.2.5/24 -> 192.0.2.0/24');
  it.todo('canonicalises IPv6 spelling: 2001:DB8:0::/32 -> 2001:db8::/32');
  it.todo('folds an IPv4-mapped network with its prefix: ::ffff:192.0.2.0/120 -> 192.0.2.0/24');
});

describe('formatCidr', () => {
  it('writes address/prefix, and round-trips through parseCidr', () => {
    for (const text of ['192.0.2.0/24', '2001:db8::/32', '10.0.0.1/32']) {
      const c = parseCidr(text)!;
      expect(formatCidr(c)).toBe(text);
      expect(parseCidr(formatCidr(c))).toEqual(c);
    }
    expect(formatCidr(parseCidr('::ffff:10.0.0.1')!)).toBe('10.0.0.1/32');
  });
});

describe('unmapIpv4', () => {
  it('folds ::ffff:a.b.c.d, as dual-stack sockets report IPv4 peers', () => {
    expect(unmapIpv4('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(unmapIpv4('198.51.100.7')).toBe('198.51.100.7');
    expect(unmapIpv4('2001:db8::1')).toBe('2001:db8::1');
    expect(unmapIpv4('::198.51.100.7')).toBe('::198.51.100.7');
  });
});
