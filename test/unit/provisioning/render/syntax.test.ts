/**
 * The UCI and hostapd.conf checkers catch what the devices' own parsers
 * would reject, one malformed input per case.
 */
import { describe, expect, it } from 'vitest';
import { parseHostapd } from '../../../../provisioning/render/hostapd-syntax.js';
import { parseUci, quote, writeUci } from '../../../../provisioning/render/uci.js';

describe('UCI', () => {
  it('writes quoted values that parse back unchanged, quotes included', () => {
    const text = writeUci(['header'], [{ type: 'wifi-iface', name: 'wfc_x', options: [['ssid', "Café l'Été"], ['hidden', false], ['maxassoc', 64], ['skip', null], ['auth_server', ['a', 'b']]] }]);
    expect(quote("it's")).toBe("'it'\\''s'");
    const p = parseUci(text);
    if (!p.ok) throw new Error(p.errors.join('; '));
    expect(p.sections[0]!.options.get('ssid')).toBe("Café l'Été");
    expect(p.sections[0]!.options.get('hidden')).toBe('0');
    expect(p.sections[0]!.options.has('skip')).toBe(false);
    expect(p.sections[0]!.lists.get('auth_server')).toEqual(['a', 'b']);
  });

  it('refuses bad section and option names at write time', () => {
    expect(() => writeUci([], [{ type: 'x', name: 'bad-name', options: [] }])).toThrow(/bad section/);
    expect(() => writeUci([], [{ type: 'x', name: 'ok', options: [['bad-option', 'v']] }])).toThrow(/bad option/);
  });

  it.each([
    ["\toption ssid 'x'\n", /outside a config section/],
    ["config wifi-iface 'a'\n\toption ssid 'unterminated\n", /unterminated quote/],
    ["config wifi-iface 'a'\n\toption ssid two words\n", /unquoted value with spaces/],
    ["config wifi-iface 'a'\n\toption ssid 'x'\n\toption ssid 'y'\n", /set twice/],
    ["config wifi-iface 'a'\nconfig wifi-iface 'a'\n", /duplicate section name/],
    ["config wifi-iface 'a-b'\n", /invalid section name/],
    ["config\n", /config needs a type/],
    ["config x 'a'\n\toption\n", /invalid option name/],
    ["config x 'a'\n\toption k\n", /has no value/],
    ["config x 'a'\n\tlist k 'v'\n\toption k 'w'\n", /set twice/],
    ["config x 'a'\n\toption k 'v'\n\tlist k 'w'\n", /both an option and a list/],
    ["config x 'a'\n\tset k 'v'\n", /unknown keyword/],
    ["config x 'a'", /newline/],
    ["config x 'a'\r\n", /carriage return/],
  ])('rejects %j', (text, error) => {
    const p = parseUci(text);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.errors.join('\n')).toMatch(error);
  });

  it('accepts comments, blank lines, anonymous sections and double quotes', () => {
    const p = parseUci('# c\n\nconfig system\n\toption hostname "ap\\"1"\n\toption x bare # trailing\n');
    expect(p.ok).toBe(true);
    if (p.ok) {
      expect(p.sections[0]!.name).toBeNull();
      expect(p.sections[0]!.options.get('hostname')).toBe('ap"1');
      expect(p.sections[0]!.options.get('x')).toBe('bare');
    }
  });
});

describe('hostapd.conf', () => {
  const ok = 'interface=wlan0\nssid=Test\nauth_server_addr=192.0.2.1\nauth_server_port=1812\nauth_server_shared_secret=s3cret\nieee8021x=1\n';

  it('accepts a valid file with repeated RADIUS servers', () => {
    const p = parseHostapd(ok + 'auth_server_addr=192.0.2.2\nauth_server_port=1812\nauth_server_shared_secret=s3cret\n\nbss=wlan0-1\nssid=Second\n');
    expect(p.ok).toBe(true);
    if (p.ok) expect(p.bsses.map((b) => b.iface)).toEqual(['wlan0', 'wlan0-1']);
  });

  it.each([
    ['ssid=x\n', /before interface=/],
    ['interface=wlan0\nssid = x\n', /spaces around/],
    ['interface=wlan0\nssid=x\nnot a setting\n', /expected name=value/],
    ['interface=wlan0\nssid=x\nfoo_bar=1\n', /unknown configuration item "foo_bar"/],
    ['interface=wlan0\n', /no ssid/],
    ['interface=wlan0\nssid=' + 'x'.repeat(33) + '\n', /1 to 32 octets/],
    ['interface=wlan0\nssid=x\nssid=y\n', /set twice/],
    ['interface=wlan0\nssid=x\nauth_server_addr=a\nauth_server_port=1812\n', /without a shared secret/],
    ['interface=wlan0\nssid=x\nauth_server_addr=a\nauth_server_port=99999\nauth_server_shared_secret=s\n', /not a port/],
    ['interface=wlan0\nssid=x\nauth_server_shared_secret=s\n', /before auth_server_addr/],
    ['interface=wlan0\nssid=x\nieee8021x=1\n', /without an authentication server/],
    ['interface=wlan0\nssid=x\nwpa=4\n', /wpa must be/],
    ['interface=wlan0\nssid=x\nchannel=auto\n', /channel must be a number/],
    ['interface=wlan0\nssid=x\ncountry_code=fr\n', /two capital letters/],
    ['interface=wlan0\nssid=x\ninterface=wlan1\n', /must come first, once/],
    ['', /no interface/],
  ])('rejects %j', (text, error) => {
    const p = parseHostapd(text);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.errors.join('\n')).toMatch(error);
  });
});
