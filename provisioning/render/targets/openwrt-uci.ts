/**
 * OpenWrt (21.02 or later): UCI packages `wireless`, `network`, `dhcp`,
 * `firewall` and the gateway's own (`opennds` or `chilli`).
 *
 * The files are merged into the device's configuration, not swapped for it
 * (the agent replaces sections by name and drops `wfc_*` sections no longer
 * rendered), so they carry only what the federation decides: the radios'
 * regulatory and channel settings, the factory SSID switched off, our SSIDs,
 * the guest network and the gateway. The LAN/WAN set-up stays the device's.
 */
import { formatMac, type Mac } from '../../../controller/domain/mac.js';
import type { ModelSubnet, NeutralModel } from '../model.js';
import type { BundleFile } from '../bundle.js';
import { writeUci, type UciSection } from '../uci.js';

const header = (m: NeutralModel, what: string): string[] => [
  `${what}: rendered by the ${m.federation.name} controller for ${m.device.mac} (${m.municipality.slug}).`,
  'Merged into the device configuration at every update: options here win, sections named wfc_* are replaced.',
];

function wireless(m: NeutralModel): string {
  const sections: UciSection[] = [];
  const r = m.radius;
  for (const radio of m.radios) {
    sections.push({
      type: 'wifi-device',
      name: radio.name,
      options: [
        ['country', m.system.countryCode],
        ['channel', radio.channel],
        ['htmode', radio.htmode],
        ['txpower', radio.txPower],
        ['disabled', false],
      ],
    });
    // OpenWrt's factory open SSID ("OpenWrt") must not stay on the air.
    sections.push({ type: 'wifi-iface', name: `default_${radio.name}`, options: [['disabled', true]] });
  }
  for (const s of m.ssids) {
    const enterprise = s.security === 'wpa2-enterprise';
    sections.push({
      type: 'wifi-iface',
      name: s.section,
      options: [
        ['device', s.radio],
        ['mode', 'ap'],
        ['network', s.network],
        ['ifname', s.ifname],
        ['ssid', s.ssid],
        ['encryption', enterprise ? 'wpa2+ccmp' : 'none'],
        ['hidden', s.hidden],
        // Clients of a public hotspot never see each other.
        ['isolate', true],
        ['maxassoc', s.maxClients],
        ['nasid', m.device.nasIdentifier],
        ...(enterprise
          ? ([
              ['auth_server', r.servers.map((x) => x.host)],
              ['auth_port', r.servers[0]!.authPort],
              ['auth_secret', r.secret],
              ['acct_server', r.servers.map((x) => x.host)],
              ['acct_port', r.servers[0]!.acctPort],
              ['acct_secret', r.secret],
              ['acct_interval', r.interimInterval],
              ['ieee80211w', 1],
            ] as const)
          : []),
      ],
    });
  }
  return writeUci(header(m, 'wireless'), sections);
}

const subnetInterface = (name: string, bridge: string, sn: ModelSubnet, proto: 'static' | 'none'): UciSection[] => [
  { type: 'device', name: `${name}_dev`, options: [['type', 'bridge'], ['name', bridge], ['bridge_empty', true]] },
  {
    type: 'interface',
    name,
    options: proto === 'static' ? [['proto', 'static'], ['device', bridge], ['ipaddr', sn.address], ['netmask', sn.netmask]] : [['proto', 'none'], ['device', bridge]],
  },
];

/** CoovaChilli serves DHCP and routes the guest subnet itself from its tun device; the bridge carries no address. */
function network(m: NeutralModel): string | null {
  const sections: UciSection[] = [];
  if (m.guest) sections.push(...subnetInterface('wfc_guest', 'br-wfc-guest', m.guest, m.gateway?.type === 'coovachilli' ? 'none' : 'static'));
  if (m.secure) sections.push(...subnetInterface('wfc_secure', 'br-wfc-secure', m.secure, 'static'));
  return sections.length ? writeUci(header(m, 'network'), sections) : null;
}

function dhcp(m: NeutralModel): string | null {
  const sections: UciSection[] = [];
  const leasetime = `${m.leaseTime}s`;
  if (m.guest) {
    sections.push({
      type: 'dhcp',
      name: 'wfc_guest',
      options:
        m.gateway?.type === 'coovachilli'
          ? [['interface', 'wfc_guest'], ['ignore', true]]
          : [['interface', 'wfc_guest'], ['start', m.guest.dhcpStart], ['limit', m.guest.dhcpLimit], ['leasetime', leasetime], ['dhcp_option', [`6,${m.dnsServers.filter(isIpv4).join(',')}`]]],
    });
  }
  if (m.secure) {
    sections.push({
      type: 'dhcp',
      name: 'wfc_secure',
      options: [['interface', 'wfc_secure'], ['start', m.secure.dhcpStart], ['limit', m.secure.dhcpLimit], ['leasetime', leasetime], ['dhcp_option', [`6,${m.dnsServers.filter(isIpv4).join(',')}`]]],
    });
  }
  return sections.length ? writeUci(header(m, 'dhcp'), sections) : null;
}

const isIpv4 = (a: string): boolean => !a.includes(':');

/**
 * Guest zones reach the WAN only; the device itself answers DHCP and DNS,
 * nothing else. fw3/fw4 cap zone names at 11 characters: `wfcguest`.
 */
function firewall(m: NeutralModel): string | null {
  const zones: Array<{ name: string; network: string; device: string | null }> = [];
  if (m.guest) zones.push({ name: 'wfc_guest', network: 'wfc_guest', device: m.gateway?.type === 'coovachilli' ? 'tun0' : null });
  if (m.secure) zones.push({ name: 'wfc_secure', network: 'wfc_secure', device: null });
  if (!zones.length) return null;
  const sections: UciSection[] = [];
  for (const z of zones) {
    sections.push({
      type: 'zone',
      name: z.name,
      options: [['name', z.name.replace('_', '')], ['network', [z.network]], ['device', z.device ? [z.device] : null], ['input', 'REJECT'], ['output', 'ACCEPT'], ['forward', 'REJECT']],
    });
    sections.push({ type: 'forwarding', name: `${z.name}_wan`, options: [['src', z.name.replace('_', '')], ['dest', 'wan']] });
    sections.push({ type: 'rule', name: `${z.name}_dhcp`, options: [['name', `${z.name}-dhcp`], ['src', z.name.replace('_', '')], ['proto', 'udp'], ['dest_port', '67-68'], ['target', 'ACCEPT']] });
    sections.push({ type: 'rule', name: `${z.name}_dns`, options: [['name', `${z.name}-dns`], ['src', z.name.replace('_', '')], ['proto', ['tcp', 'udp']], ['dest_port', '53'], ['target', 'ACCEPT']] });
  }
  return writeUci(header(m, 'firewall'), sections);
}

/**
 * openNDS with a forwarding authentication service (FAS) on the portal:
 * level 1 (`fas_secure_enabled 1`) when the municipality has a faskey, so
 * the portal can check the query it receives. Times are minutes, rates kb/s.
 */
function opennds(m: NeutralModel): string {
  const g = m.gateway!;
  const url = new URL(g.portalUrl);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const kbps = (bps: number | null) => (bps === null ? null : Math.max(1, Math.round(bps / 1000)));
  return writeUci(header(m, 'opennds'), [
    {
      type: 'opennds',
      name: 'setup',
      options: [
        ['enabled', true],
        ['gatewayinterface', 'br-wfc-guest'],
        ['gatewayname', m.municipality.displayName],
        ['fasremotefqdn', url.hostname],
        ['fasport', port],
        ['faspath', url.pathname + url.search],
        ['fas_secure_enabled', g.fasKey ? 1 : 0],
        ['faskey', g.fasKey],
        ['sessiontimeout', Math.ceil(g.sessionTimeout / 60)],
        ['preauthidletimeout', 30],
        ['authidletimeout', Math.ceil(g.idleTimeout / 60)],
        ['uploadrate', kbps(g.bandwidthUp)],
        ['downloadrate', kbps(g.bandwidthDown)],
        ['walledgarden_fqdn_list', g.walledGarden],
      ],
    },
  ]);
}

/**
 * CoovaChilli: RADIUS to the federation's nodes with the municipality's
 * secret, the portal as UAM server. Called-Station-Id carries the AP's MAC
 * (`nasmac`) in IETF form (RFC 3580 §3.20); CoA/Disconnect on 3799 (RFC 5176).
 */
function chilli(m: NeutralModel): string {
  const g = m.gateway!;
  const r = m.radius;
  const sn = m.guest!;
  return writeUci(header(m, 'chilli'), [
    {
      type: 'chilli',
      name: 'wfc_chilli',
      options: [
        ['disabled', false],
        ['dhcpif', 'br-wfc-guest'],
        ['net', `${sn.network}/${sn.prefix}`],
        ['uamlisten', sn.address],
        ['lease', m.leaseTime],
        ['dns1', m.dnsServers[0]],
        ['dns2', m.dnsServers[1] ?? m.dnsServers[0]],
        ['radiusserver1', r.servers[0]!.host],
        ['radiusserver2', (r.servers[1] ?? r.servers[0]!).host],
        ['radiusauthport', r.servers[0]!.authPort],
        ['radiusacctport', r.servers[0]!.acctPort],
        ['radiussecret', r.secret],
        ['radiusnasid', m.device.nasIdentifier],
        ['nasmac', formatMac(m.device.mac as Mac, 'ietf')],
        ['coaport', 3799],
        ['uamserver', g.portalUrl],
        ['uamsecret', g.uamSecret],
        ['uamport', 3990],
        ['uamallowed', g.walledGarden.join(',')],
        ['defsessiontimeout', g.sessionTimeout],
        ['defidletimeout', g.idleTimeout],
        ['definteriminterval', r.interimInterval],
        ['defbandwidthmaxup', g.bandwidthUp],
        ['defbandwidthmaxdown', g.bandwidthDown],
      ],
    },
  ]);
}

export function renderOpenWrt(m: NeutralModel): BundleFile[] {
  const files: BundleFile[] = [{ path: 'etc/config/wireless', content: wireless(m) }];
  const add = (path: string, content: string | null) => {
    if (content !== null) files.push({ path, content });
  };
  add('etc/config/network', network(m));
  add('etc/config/dhcp', dhcp(m));
  add('etc/config/firewall', firewall(m));
  if (m.gateway?.type === 'opennds') add('etc/config/opennds', opennds(m));
  if (m.gateway?.type === 'coovachilli') add('etc/config/chilli', chilli(m));
  return files;
}
