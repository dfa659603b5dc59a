/**
 * The reference agent (provisioning/agent/wfc-agent.sh) against a live
 * controller, with a temporary directory standing in for the device's root:
 * enrolment, merging into factory OpenWrt files, 304 polls, a long-poll
 * woken by a publish, stale sections dropped, a failing apply rolled back
 * byte for byte and reported, a replayed token refused. awk runs as
 * `gawk --posix` so GNU extensions would fail here before a device does.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUci } from '../../provisioning/render/uci.js';
import { apBody, startNode, type Node } from './provisioning-harness.js';

const AGENT = resolve(dirname(fileURLToPath(import.meta.url)), '../../provisioning/agent/wfc-agent.sh');

const FACTORY: Record<string, string> = {
  'etc/config/wireless': `config wifi-device 'radio0'
	option type 'mac80211'
	option path 'platform/ahb/18100000.wmac'
	option channel '1'
	option band '2g'
	option htmode 'HT20'
	option disabled '1'

config wifi-iface 'default_radio0'
	option device 'radio0'
	option network 'lan'
	option mode 'ap'
	option ssid 'OpenWrt'
	option encryption 'none'

config wifi-device 'radio1'
	option type 'mac80211'
	option path 'pci0000:00/0000:00:00.0'
	option band '5g'
	option disabled '1'

config wifi-iface 'default_radio1'
	option device 'radio1'
	option network 'lan'
	option mode 'ap'
	option ssid 'OpenWrt'
	option encryption 'none'
`,
  'etc/config/network': `# the device's own LAN and WAN
config interface 'loopback'
	option device 'lo'
	option proto 'static'
	option ipaddr '127.0.0.1'
	option netmask '255.0.0.0'

config interface 'lan'
	option device 'br-lan'
	option proto 'static'
	option ipaddr '192.168.1.1'
	option netmask '255.255.255.0'

config interface 'wan'
	option device 'eth1'
	option proto 'dhcp'
`,
  'etc/config/opennds': `config opennds 'setup'
	option enabled '0'
	option debuglevel '1'
	option gatewayport '2050'
`,
  'etc/config/firewall': `config defaults
	option input 'REJECT'
	option output 'ACCEPT'
	option forward 'REJECT'

config zone
	option name 'lan'
	list network 'lan'
`,
  'etc/openwrt_release': "DISTRIB_DESCRIPTION='OpenWrt 23.05.3 r23809'\n",
};

let n: Node;
let work: string;
let root: string;
let shim: string;
let enrolment: string;
let apId: string;

interface Ran {
  code: number | null;
  stderr: string;
  ms: number;
}

function agent(args: string[], env: Record<string, string> = {}, stateDir = join(root, 'etc/wfc-agent')): Promise<Ran> {
  const t0 = Date.now();
  return new Promise((res, rej) => {
    const child = spawn('sh', [AGENT, ...args], {
      env: {
        PATH: `${shim}:${process.env.PATH ?? ''}`,
        HOME: work,
        TMPDIR: work,
        WFC_CONF: '/nonexistent',
        WFC_URL: n.url,
        WFC_ROOT: root,
        WFC_STATE_DIR: stateDir,
        WFC_ENROLMENT_TOKEN: enrolment,
        WFC_APPLY_HOOK: join(work, 'hook.sh'),
        WFC_WAIT: '0',
        WFC_INTERVAL: '1',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stderr, ms: Date.now() - t0 }));
  });
}

const read = (p: string) => readFileSync(join(root, p), 'utf8');
const status = async () => (await n.call<{ config: Record<string, unknown> }>('GET', `/v1/access-points/${apId}/status`, { token: n.tokens.aRo })).json.config;
const patch = (body: Record<string, unknown>) => n.call('PATCH', `/v1/access-points/${apId}`, { token: n.tokens.aRw, body });
const uciSections = (p: string) => {
  const r = parseUci(read(p));
  if (!r.ok) throw new Error(`${p}: ${r.errors.join('; ')}`);
  return r.sections;
};
const snapshot = () => Object.fromEntries(['etc/config/wireless', 'etc/config/network', 'etc/config/opennds', 'etc/config/dhcp', 'etc/config/firewall'].map((p) => [p, existsSync(join(root, p)) ? read(p) : null]));

beforeAll(async () => {
  n = await startNode();
  work = mkdtempSync(join(tmpdir(), 'wfc-agent-sh-'));
  root = join(work, 'root');
  shim = join(work, 'bin');
  mkdirSync(shim);
  writeFileSync(join(shim, 'awk'), '#!/bin/sh\nexec gawk --posix "$@"\n');
  chmodSync(join(shim, 'awk'), 0o755);
  for (const [p, text] of Object.entries(FACTORY)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  // The apply hook a device would run (reload_config); this one refuses an SSID named "Broken".
  writeFileSync(
    join(work, 'hook.sh'),
    '#!/bin/sh\nif grep -q "Broken" "$WFC_ROOT/etc/config/wireless"; then echo "wifi: radio0 refused the configuration (Broken)" >&2; exit 1; fi\necho "$WFC_VERSION $WFC_CHANGED" >> "$WFC_ROOT/applied.log"\n',
  );
  chmodSync(join(work, 'hook.sh'), 0o755);
  const r = await n.call<{ accessPoint: { id: string }; enrolment: { token: string } }>('POST', '/v1/access-points', { token: n.tokens.aRw, body: apBody('02:20:00:00:00:01') });
  apId = r.json.accessPoint.id;
  enrolment = r.json.enrolment.token;
});

afterAll(async () => {
  await n?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('reference agent (sh)', () => {
  it('enrols, verifies, merges into the factory files and reports applied', async () => {
    const r = await agent(['once']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/enrolled as 02:20:00:00:00:01/);
    expect(r.stderr).toMatch(/version 1 applied/);
    expect(await status()).toMatchObject({ version: 1, status: 'applied', appliedVersion: 1 });
    expect(statSync(join(root, 'etc/wfc-agent/api-key')).mode & 0o777).toBe(0o600);
    expect(read('applied.log')).toMatch(/^1 etc\/config\/dhcp etc\/config\/firewall etc\/config\/network etc\/config\/opennds etc\/config\/wireless\n$/);

    const wireless = uciSections('etc/config/wireless');
    const radio0 = wireless.find((s) => s.name === 'radio0')!;
    // The device's own options stay; the federation's win.
    expect(radio0.options.get('path')).toBe('platform/ahb/18100000.wmac');
    expect(radio0.options.get('type')).toBe('mac80211');
    expect(radio0.options.get('country')).toBe('FR');
    expect(radio0.options.get('channel')).toBe('auto');
    expect(radio0.options.get('disabled')).toBe('0');
    expect(wireless.find((s) => s.name === 'default_radio0')!.options).toEqual(
      new Map([
        ['device', 'radio0'],
        ['network', 'lan'],
        ['mode', 'ap'],
        ['ssid', 'OpenWrt'],
        ['encryption', 'none'],
        ['disabled', '1'],
      ]),
    );
    expect(wireless.filter((s) => s.name?.startsWith('wfc_')).map((s) => [s.name, s.options.get('ssid'), s.options.get('network')])).toEqual([
      ['wfc_radio0_0', 'Wi-Fi public', 'wfc_guest'],
      ['wfc_radio1_0', 'Wi-Fi public', 'wfc_guest'],
    ]);
    const network = uciSections('etc/config/network');
    expect(network.map((s) => s.name)).toEqual(['loopback', 'lan', 'wan', 'wfc_guest_dev', 'wfc_guest']);
    expect(read('etc/config/network')).toMatch(/^# the device's own LAN and WAN\n/);
    const nds = uciSections('etc/config/opennds')[0]!;
    expect(nds.options.get('enabled')).toBe('1');
    expect(nds.options.get('debuglevel')).toBe('1');
    expect(nds.options.get('faskey')).toBe('fas-key-rennes');
    const fw = uciSections('etc/config/firewall');
    expect(fw.filter((s) => s.name === null)).toHaveLength(2);
    expect(fw.map((s) => s.name).filter(Boolean)).toEqual(['wfc_guest', 'wfc_guest_wan', 'wfc_guest_dhcp', 'wfc_guest_dns']);
    expect(existsSync(join(root, 'etc/config/dhcp'))).toBe(true);
  });

  it('polls again without a change: 304, files untouched', async () => {
    const before = snapshot();
    const r = await agent(['once']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/applied/);
    expect(snapshot()).toEqual(before);
  });

  it('long-polls: a publish reaches the device and is applied and reported within about a second', async () => {
    const running = agent(['run'], { WFC_WAIT: '20', WFC_MAX_POLLS: '1' });
    const deadline = Date.now() + 5000;
    while (n.rt.hub.size === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(n.rt.hub.size).toBe(1);
    const published = Date.now();
    expect((await patch({ variables: { ssid: 'Deuxième' } })).status).toBe(200);
    const r = await running;
    expect(r.code, r.stderr).toBe(0);
    expect(Date.now() - published).toBeLessThan(1500);
    expect(await status()).toMatchObject({ version: 2, status: 'applied' });
    const ifaces = uciSections('etc/config/wireless').filter((s) => s.name?.startsWith('wfc_'));
    expect(ifaces.map((s) => s.options.get('ssid'))).toEqual(['Deuxième', 'Deuxième']);
  });

  it('drops the wfc_* sections no longer rendered, keeps the device sections', async () => {
    await patch({ bands: ['2g'] });
    const r = await agent(['once']);
    expect(r.code, r.stderr).toBe(0);
    const names = uciSections('etc/config/wireless').map((s) => s.name);
    expect(names).toEqual(['radio0', 'default_radio0', 'radio1', 'default_radio1', 'wfc_radio0_0']);
  });

  it('rolls a failing apply back byte for byte, reports the error, and does not retry the same version', async () => {
    const before = snapshot();
    await patch({ variables: { ssid: 'Broken' } });
    const r = await agent(['once']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/failed and was rolled back/);
    expect(snapshot()).toEqual(before);
    const st = await status();
    expect(st).toMatchObject({ status: 'error', error: { message: expect.stringContaining('radio0 refused the configuration (Broken)') } });
    expect(existsSync(join(root, 'etc/wfc-agent/failed'))).toBe(true);
    // If-None-Match now lists the running and the failed checksums: 304, the status stays "error".
    const again = await agent(['once']);
    expect(again.code, again.stderr).toBe(0);
    expect(snapshot()).toEqual(before);
    expect((await status()).status).toBe('error');
    // A fix is applied normally.
    await patch({ variables: { ssid: 'Fixed' } });
    expect((await agent(['once'])).code).toBe(0);
    expect(await status()).toMatchObject({ status: 'applied', error: null });
    expect(existsSync(join(root, 'etc/wfc-agent/failed'))).toBe(false);
  });

  it('refuses to start with a replayed enrolment token', async () => {
    const r = await agent(['once'], {}, join(work, 'other-state'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/enrolment refused \(401\): The enrolment token is already used/);
  });

  it('replaces non-UCI files whole (hostapd firmware)', async () => {
    const c = await n.call<{ accessPoint: { id: string }; enrolment: { token: string } }>('POST', '/v1/access-points', {
      token: n.tokens.aRw,
      body: apBody('02:20:00:00:00:02', { firmware: 'hostapd', bands: ['5g'] }),
    });
    const other = join(work, 'root2');
    mkdirSync(join(other, 'etc/hostapd'), { recursive: true });
    writeFileSync(join(other, 'etc/hostapd/hostapd-radio0.conf'), 'interface=wlan0\nssid=old\n');
    const r = await agent(['once'], { WFC_ROOT: other, WFC_ENROLMENT_TOKEN: c.json.enrolment.token, WFC_APPLY_HOOK: 'true' }, join(other, 'state'));
    expect(r.code, r.stderr).toBe(0);
    const conf = readFileSync(join(other, 'etc/hostapd/hostapd-radio0.conf'), 'utf8');
    const v = await n.provisioning.versions.current(n.tenants.a.id, c.json.accessPoint.id);
    expect(conf).toBe(v!.bundle.split('\n').slice(2, -1).join('\n') + '\n');
  });
});
