/**
 * Plain hostapd (any Linux AP without OpenWrt): one hostapd.conf per radio,
 * the first SSID as the radio's interface and each further one as a `bss=`
 * section (hostapd/hostapd.conf documents every key used here).
 *
 * Enterprise SSIDs authenticate and account against the federation's nodes,
 * primary first (hostapd fails over in the order of the `*_server_addr`
 * lines). Open SSIDs leave RADIUS to the captive-portal gateway: hostapd
 * accounting there would log each visit twice. hostapd builds
 * Called-Station-Id as `AA-BB-CC-DD-EE-FF:SSID` (RFC 3580 §3.20) itself.
 */
import type { ModelRadio, ModelSsid, NeutralModel } from '../model.js';
import type { BundleFile } from '../bundle.js';

function bridgeOf(s: ModelSsid): string {
  return s.network === 'wfc_guest' ? 'br-wfc-guest' : s.network === 'wfc_secure' ? 'br-wfc-secure' : 'br-lan';
}

function bss(m: NeutralModel, s: ModelSsid, first: boolean): string[] {
  const lines: string[] = [`# SSID ${JSON.stringify(s.ssid)}: ${s.security}${s.captivePortal ? ', behind the captive portal' : ''}`];
  lines.push(first ? `interface=${s.ifname}` : `bss=${s.ifname}`);
  if (first) lines.push('driver=nl80211', 'ctrl_interface=/var/run/hostapd');
  lines.push(`ssid=${s.ssid}`, 'utf8_ssid=1', `bridge=${bridgeOf(s)}`, `ignore_broadcast_ssid=${s.hidden ? 1 : 0}`, 'ap_isolate=1', `max_num_sta=${s.maxClients}`);
  lines.push(`nas_identifier=${m.device.nasIdentifier}`);
  if (s.security === 'wpa2-enterprise') {
    lines.push('auth_algs=1', 'wpa=2', 'wpa_key_mgmt=WPA-EAP WPA-EAP-SHA256', 'rsn_pairwise=CCMP', 'ieee80211w=1', 'ieee8021x=1', 'eapol_version=2');
    for (const x of m.radius.servers) lines.push(`auth_server_addr=${x.host}`, `auth_server_port=${x.authPort}`, `auth_server_shared_secret=${m.radius.secret}`);
    for (const x of m.radius.servers) lines.push(`acct_server_addr=${x.host}`, `acct_server_port=${x.acctPort}`, `acct_server_shared_secret=${m.radius.secret}`);
    lines.push(`radius_acct_interim_interval=${m.radius.interimInterval}`, 'radius_request_cui=1');
  } else {
    lines.push('auth_algs=1', 'wpa=0', 'macaddr_acl=0');
  }
  return lines;
}

function radioFile(m: NeutralModel, radio: ModelRadio, ssids: readonly ModelSsid[]): string {
  const out: string[] = [
    `# hostapd.conf for ${radio.name} (${radio.band === '2g' ? '2.4' : '5'} GHz): rendered by the ${m.federation.name} controller for ${m.device.mac} (${m.municipality.slug}).`,
    '# Replaced at every update: change it through the controller.',
  ];
  ssids.forEach((s, i) => {
    const b = bss(m, s, i === 0);
    if (i === 0) {
      // Radio-wide settings belong to the first BSS block.
      b.push(`country_code=${m.system.countryCode}`, 'ieee80211d=1');
      if (radio.band === '2g') b.push('hw_mode=g', 'ieee80211n=1');
      else b.push('hw_mode=a', 'ieee80211h=1', 'ieee80211n=1', 'ieee80211ac=1');
      b.push(`channel=${radio.channel === 'auto' ? 0 : radio.channel}`, 'wmm_enabled=1');
    }
    out.push('', ...b);
  });
  return out.join('\n') + '\n';
}

export function renderHostapd(m: NeutralModel): BundleFile[] {
  return m.radios.map((radio) => ({
    path: `etc/hostapd/hostapd-${radio.name}.conf`,
    content: radioFile(
      m,
      radio,
      m.ssids.filter((s) => s.radio === radio.name),
    ),
  }));
}
