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

});

describe('parseCidr normalises, so each network has one spelling', () => {
  it.each([
    ['clears IPv4 host bits', '192.0.2.5/24', '192.0.2.0/24'],
    ['clears host bits inside an octet', '198.51.100.77/26', '198.51.100.64/26'],
    ['clears every bit under /0', '203.0.113.9/0', '0.0.0.0/0'],
    ['keeps a /32 whole', '203.0.113.9/32', '203.0.113.9/32'],
    ['clears IPv6 host bits', '2001:db8:1:2::1/32', '2001:db8::/32'],
    ['clears IPv6 host bits inside a group', '2001:db8:abcd::/36', '2001:db8:a000::/36'],
    ['clears every IPv6 bit under /0', '2001:db8::1/0', '::/0'],
    ['writes IPv6 in lower case', '2001:DB8::/32', '2001:db8::/32'],
    ['compresses explicit zero groups', '2001:DB8:0:0::/32', '2001:db8::/32'],
    ['expands nothing and drops leading zeros', '2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1/128'],
    ['compresses the longest zero run', '2001:0:0:1:0:0:0:1', '2001:0:0:1::1/128'],
    ['compresses the first of two equal zero runs', '2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1/128'],
    ['does not compress a single zero group (RFC 5952 §4.2.2)', '2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1/128'],
    ['compresses a run at the end', '2001:db8:1:0:0:0:0:0/48', '2001:db8:1::/48'],
    ['reads the all-zero address', '::', '::/128'],
    ['reads a trailing dotted quad as two groups', '64:ff9b::192.0.2.33/96', '64:ff9b::/96'],
    ['folds an IPv4-mapped network with its prefix', '::ffff:192.0.2.0/120', '192.0.2.0/24'],
    ['folds an IPv4-mapped network, clearing host bits', '::ffff:192.0.2.99/120', '192.0.2.0/24'],
    ['folds an IPv4-mapped network written in hex', '::FFFF:C000:0200/120', '192.0.2.0/24'],
    ['folds a fully expanded IPv4-mapped host', '0:0:0:0:0:ffff:192.0.2.1', '192.0.2.1/32'],
    ['folds the whole mapped space to the IPv4 default route', '::ffff:0:0/96', '0.0.0.0/0'],
    ['keeps a network wider than the mapped space as IPv6', '::ffff:192.0.2.0/80', '::/80'],
    ['keeps the deprecated IPv4-compatible form as IPv6', '::192.0.2.1', '::c000:201/128'],
  ])('%s: %s -> %s', (_label, input, expected) => {
    const c = parseCidr(input);
    expect(c && formatCidr(c)).toBe(expected);
  });

  it('is idempotent: a normalised network parses to itself', () => {
    for (const text of ['192.0.2.5/24', '2001:DB8:0:0::1/64', '::ffff:10.1.2.3/104', '::1', 'fe80::/10']) {
      const once = formatCidr(parseCidr(text)!);
      expect(formatCidr(parseCidr(once)!)).toBe(once);
    }
  });

  it('writes IPv6 as the WHATWG URL serialiser does (same RFC 5952 rules), over 2000 seeded random addresses', () => {
    let seed = 0x5eed;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let k = 0; k < 2000; k++) {
      // Mostly zero groups, so runs of every length and position occur.
      const words = Array.from({ length: 8 }, () => (rand(3) === 0 ? rand(0x10000) : 0));
      if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) continue; // mapped: folded to IPv4
      const spelled = words.map((w) => w.toString(16).toUpperCase().padStart(rand(2) ? 4 : 1, '0')).join(':');
      const expected = new URL(`http://[${spelled}]/`).hostname.slice(1, -1);
      expect(parseCidr(spelled)?.address, spelled).toBe(expected);
    }
  });

  it('gives the family of the normalised network', () => {
    expect(parseCidr('::ffff:192.0.2.0/120')).toEqual({ address: '192.0.2.0', prefix: 24, family: 4 });
    expect(parseCidr('2001:DB8::1/64')).toEqual({ address: '2001:db8::', prefix: 64, family: 6 });
  });

  it.each([
    ['a zone id', 'fe80::1%eth0'],
    ['a zone id with a prefix', 'fe80::%eth0/64'],
    ['a numeric zone id', 'fe80::1%2'],
    ['an IPv4 octet with a leading zero (octal to inet_aton)', '010.0.0.1'],
    ['a leading zero in the prefix', '192.0.2.0/024'],
    ['a signed prefix', '192.0.2.0/+24'],
    ['a prefix with spaces', '192.0.2.0/ 24'],
    ['a space inside', '192.0.2.0 /24'],
    ['three octets', '192.0.2/24'],
    ['five octets', '192.0.2.0.1'],
    ['an empty octet', '192..2.0'],
    ['hex octets', '0xc0.0.2.0'],
    ['two ::', '2001::db8::1'],
    ['nine groups', '1:2:3:4:5:6:7:8:9'],
    ['seven groups without ::', '1:2:3:4:5:6:7'],
    ['eight groups and ::', '1:2:3:4::5:6:7:8'],
    ['a five-digit group', '2001:db8::00001'],
    ['a leading single colon', ':1::'],
    ['a trailing single colon', '1::2:'],
    ['a triple colon', '1:::2'],
    ['a dotted quad not at the end', '::192.0.2.1:1'],
    ['a dotted quad with a leading zero', '::ffff:192.0.2.01'],
    ['brackets', '[2001:db8::1]'],
    ['a URL', 'http://192.0.2.1/'],
    ['non-ASCII digits', '١٩٢.0.2.0'],
  ])('refuses %s (%j)', (_label, input) => {
    expect(parseCidr(input)).toBeNull();
  });
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
