import { describe, expect, it } from 'vitest';
import { decodeBundle, encodeBundle, sha256 } from '../../../../provisioning/render/bundle.js';
import { unifiedDiff } from '../../../../provisioning/render/diff.js';
import { REDACTED, redactText } from '../../../../provisioning/render/redact.js';

describe('bundle', () => {
  it('sorts files by path, counts lines and hashes the whole text', () => {
    const { text, checksum } = encodeBundle([
      { path: 'etc/config/wireless', content: 'w1\nw2\n' },
      { path: 'etc/config/dhcp', content: 'd1\n' },
    ]);
    expect(text).toBe('wfc-bundle 1\nfile etc/config/dhcp 1\nd1\nfile etc/config/wireless 2\nw1\nw2\n');
    expect(checksum).toBe(sha256(text));
    expect(decodeBundle(text)).toEqual([
      { path: 'etc/config/dhcp', content: 'd1\n' },
      { path: 'etc/config/wireless', content: 'w1\nw2\n' },
    ]);
  });

  it('keeps blank lines and lines that look like headers inside a file', () => {
    const files = [{ path: 'a', content: '\nfile b 1\n\n' }];
    expect(decodeBundle(encodeBundle(files).text)).toEqual(files);
  });

  it.each([
    [{ path: '../etc/passwd', content: 'x\n' }, /bad path/],
    [{ path: '/etc/passwd', content: 'x\n' }, /bad path/],
    [{ path: 'etc/./x', content: 'x\n' }, /bad path/],
    [{ path: 'etc/x', content: 'no newline' }, /newline/],
    [{ path: 'etc/x', content: 'crlf\r\n' }, /no CR/],
  ])('refuses %j', (file, error) => {
    expect(() => encodeBundle([file])).toThrow(error);
  });

  it('refuses a truncated or foreign text', () => {
    expect(() => decodeBundle('hello\n')).toThrow(/not a wfc bundle/);
    expect(() => decodeBundle('wfc-bundle 1\nfile a 3\nx\n')).toThrow(/cut short/);
  });
});

/** Applies a unified diff to `a`: the test oracle for the diff. */
function patch(a: string, diff: string): string {
  if (diff === '') return a;
  const src = a === '' ? [] : a.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  let pos = 0;
  const lines = diff.replace(/\n$/, '').split('\n').slice(2);
  for (let i = 0; i < lines.length; i++) {
    const h = /^@@ -(\d+),(\d+) \+\d+,\d+ @@$/.exec(lines[i]!);
    if (!h) throw new Error(`bad hunk header ${lines[i]}`);
    const start = Number(h[2]) === 0 ? Number(h[1]) : Number(h[1]) - 1;
    while (pos < start) out.push(src[pos++]!);
    while (i + 1 < lines.length && !lines[i + 1]!.startsWith('@@')) {
      const l = lines[++i]!;
      if (l[0] === ' ') {
        expect(src[pos]).toBe(l.slice(1));
        out.push(src[pos++]!);
      } else if (l[0] === '-') {
        expect(src[pos]).toBe(l.slice(1));
        pos++;
      } else out.push(l.slice(1));
    }
  }
  while (pos < src.length) out.push(src[pos++]!);
  return out.length ? out.join('\n') + '\n' : '';
}

describe('unified diff', () => {
  it('is empty for equal texts and labels the sides', () => {
    expect(unifiedDiff('a\n', 'a\n', { from: 'v1', to: 'v2' })).toBe('');
    expect(unifiedDiff('a\nb\nc\n', 'a\nB\nc\n', { from: 'v1', to: 'v2' })).toBe('--- v1\n+++ v2\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n');
  });

  it('turns the old text into the new one, for random edits', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const a = Array.from({ length: rnd(30) }, () => `l${rnd(8)}`);
      const b = a.filter(() => rnd(4) !== 0).flatMap((l) => (rnd(5) === 0 ? [l, `n${rnd(8)}`] : [l]));
      if (rnd(3) === 0) b.unshift('first');
      const at = a.length ? a.join('\n') + '\n' : '';
      const bt = b.length ? b.join('\n') + '\n' : '';
      expect(patch(at, unifiedDiff(at, bt, { from: 'a', to: 'b' }))).toBe(bt);
    }
  });
});

describe('redaction', () => {
  it('masks secrets in UCI, hostapd.conf and JSON by key name', () => {
    const text = [
      "\toption auth_secret 'radius'",
      "\toption radiussecret 'radius'",
      "\toption uamsecret 'u'",
      "\toption faskey 'f'",
      "\toption ssid 'visible'",
      'auth_server_shared_secret=radius',
      'acct_server_shared_secret=radius',
      'ssid=visible',
      '    "secret": "radius",',
      '    "uamSecret": "u\\"q"',
      '    "ssid": "visible",',
    ].join('\n');
    const out = redactText(text);
    expect(out).not.toMatch(/'radius'|=radius|"radius"|'u'|'f'|u\\"q/);
    expect(out.match(/visible/g)).toHaveLength(3);
    expect(out).toContain(`auth_server_shared_secret=${REDACTED}`);
    expect(out).toContain(`"uamSecret": "${REDACTED}"`);
  });
});
