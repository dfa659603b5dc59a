/**
 * Golden files both ways (OpenWISP's habit): each input renders, for every
 * target, to the expected files byte for byte; and each expected file parses
 * back (UCI, hostapd.conf) to what the input asked for.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeBundle } from '../../../../provisioning/render/bundle.js';
import { parseHostapd } from '../../../../provisioning/render/hostapd-syntax.js';
import { FIRMWARES, render, type RenderInput } from '../../../../provisioning/render/pipeline.js';
import { parseUci, type ParsedSection } from '../../../../provisioning/render/uci.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../vectors/render');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const cases = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

const input = (name: string): RenderInput => JSON.parse(readFileSync(join(ROOT, name, 'input.json'), 'utf8')) as RenderInput;

function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

describe('render golden files', () => {
  it('has vectors', () => expect(cases.length).toBeGreaterThanOrEqual(3));

  describe.each(cases)('%s', (name) => {
    it.each(FIRMWARES)('renders %s byte for byte', (firmware) => {
      const r = render(input(name), firmware);
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      const dir = join(ROOT, name, 'expected', firmware);
      const sumFile = join(ROOT, name, 'expected', `${firmware}.sha256`);
      if (UPDATE) {
        rmSync(dir, { recursive: true, force: true });
        for (const f of r.files) {
          mkdirSync(dirname(join(dir, f.path)), { recursive: true });
          writeFileSync(join(dir, f.path), f.content);
        }
        writeFileSync(sumFile, `${r.checksum}\n`);
      }
      expect(r.files.map((f) => f.path).sort()).toEqual(listFiles(dir).sort());
      for (const f of r.files) expect(f.content, f.path).toBe(readFileSync(join(dir, f.path), 'utf8'));
      expect(`${r.checksum}\n`).toBe(readFileSync(sumFile, 'utf8'));
      expect(decodeBundle(r.bundle)).toEqual([...r.files].sort((a, b) => a.path.localeCompare(b.path)));
    });

    it('renders the same bytes twice, whatever the order of bands and lists', () => {
      const i = input(name);
      const shuffled: RenderInput = { ...i, profile: { ...i.profile, bands: [...i.profile.bands].reverse() } };
      const a = render(i);
      const b = render(shuffled);
      expect(a.ok && b.ok && a.checksum === b.checksum).toBe(true);
    });

    it('parses back: every UCI file is valid and carries the SSIDs, servers and secret asked for', () => {
      const i = input(name);
      const r = render(i, 'openwrt');
      if (!r.ok) throw new Error('render failed');
      const dir = join(ROOT, name, 'expected', 'openwrt');
      const sections = new Map<string, ParsedSection[]>();
      for (const path of listFiles(dir)) {
        const parsed = parseUci(readFileSync(join(dir, path), 'utf8'));
        if (!parsed.ok) throw new Error(`${path}: ${parsed.errors.join('; ')}`);
        sections.set(path.replace('etc/config/', ''), parsed.sections);
      }
      const ifaces = (sections.get('wireless') ?? []).filter((s) => s.type === 'wifi-iface' && s.name?.startsWith('wfc_'));
      expect(ifaces.map((s) => s.options.get('ssid')).sort()).toEqual(r.model.ssids.map((s) => s.ssid).sort());
      for (const s of ifaces) {
        if (s.options.get('encryption') === 'wpa2+ccmp') {
          expect(s.lists.get('auth_server')).toEqual(i.radius.servers.map((x) => x.host));
          expect(s.options.get('auth_secret')).toBe(i.radius.secret);
        }
      }
      const chilli = sections.get('chilli')?.[0];
      if (chilli) {
        expect(chilli.options.get('radiussecret')).toBe(i.radius.secret);
        expect(chilli.options.get('radiusserver1')).toBe(i.radius.servers[0]!.host);
        expect(chilli.options.get('uamsecret')).toBe(i.tenant.portal?.uamSecret);
      }
      const nds = sections.get('opennds')?.[0];
      if (nds) {
        expect(nds.options.get('faskey')).toBe(i.tenant.portal?.fasKey);
        expect(nds.lists.get('walledgarden_fqdn_list')).toEqual(expect.arrayContaining([...(i.tenant.portal?.walledGarden ?? [])]));
      }
    });

    it('parses back: every hostapd.conf is valid, one BSS per SSID, RADIUS on the enterprise ones', () => {
      const i = input(name);
      const r = render(i, 'hostapd');
      if (!r.ok) throw new Error('render failed');
      const dir = join(ROOT, name, 'expected', 'hostapd');
      const bsses = listFiles(dir).flatMap((path) => {
        const parsed = parseHostapd(readFileSync(join(dir, path), 'utf8'));
        if (!parsed.ok) throw new Error(`${path}: ${parsed.errors.join('; ')}`);
        return parsed.bsses;
      });
      expect(bsses.map((b) => b.lines.find(([k]) => k === 'ssid')?.[1]).sort()).toEqual(r.model.ssids.map((s) => s.ssid).sort());
      for (const b of bsses) {
        const servers = b.lines.filter(([k]) => k === 'auth_server_addr').map(([, v]) => v);
        const enterprise = b.lines.some(([k, v]) => k === 'ieee8021x' && v === '1');
        expect(servers).toEqual(enterprise ? i.radius.servers.map((x) => x.host) : []);
        if (enterprise) expect(b.lines.filter(([k]) => k === 'auth_server_shared_secret').map(([, v]) => v)).toEqual(i.radius.servers.map(() => i.radius.secret));
      }
    });
  });
});
