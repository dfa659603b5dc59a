/**
 * A checker for hostapd.conf as hostapd's own parser reads it
 * (hostapd/config_file.c hostapd_config_read): one `name=value` per line,
 * no spaces around `=`, `#` comments, `interface=` first and `bss=` starting
 * each further BSS. On top of the syntax it checks what would make hostapd
 * refuse the file or run without RADIUS: SSID length (IEEE 802.11 §9.4.2.2,
 * 1 to 32 octets), ports, a shared secret after every RADIUS server, the
 * server/secret pairs in order.
 */

export interface HostapdBss {
  readonly iface: string;
  readonly lines: ReadonlyArray<readonly [string, string]>;
}

export type HostapdParse = { readonly ok: true; readonly bsses: HostapdBss[] } | { readonly ok: false; readonly errors: string[] };

/** Keys that may appear more than once in a BSS: RADIUS servers are listed primary first. */
const REPEATABLE = new Set(['auth_server_addr', 'auth_server_port', 'auth_server_shared_secret', 'acct_server_addr', 'acct_server_port', 'acct_server_shared_secret']);

/** What the renderers write; anything else is a typo hostapd would reject ("unknown configuration item"). */
const KNOWN = new Set([
  'interface', 'bss', 'driver', 'ctrl_interface', 'ctrl_interface_group', 'logger_syslog', 'logger_syslog_level', 'country_code', 'ieee80211d', 'ieee80211h',
  'hw_mode', 'channel', 'ieee80211n', 'ieee80211ac', 'ieee80211ax', 'vht_oper_chwidth', 'ht_capab', 'wmm_enabled', 'beacon_int', 'max_num_sta', 'ssid', 'utf8_ssid',
  'bridge', 'ignore_broadcast_ssid', 'ap_isolate', 'auth_algs', 'wpa', 'wpa_key_mgmt', 'rsn_pairwise', 'ieee80211w', 'ieee8021x', 'eapol_version',
  'eap_reauth_period', 'macaddr_acl', 'own_ip_addr', 'nas_identifier', 'radius_acct_interim_interval', 'radius_request_cui', 'radius_das_port',
  'radius_das_client', 'dynamic_vlan', 'disassoc_low_ack', 'preamble', 'uapsd_advertisement_enabled', 'okc', 'disable_pmksa_caching',
  'tx_queue_data2_burst', 'acs_num_scans', 'local_pwr_constraint', 'spectrum_mgmt_required',
  ...REPEATABLE,
]);

const PORT = /^(?:[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])$/;

export function parseHostapd(text: string): HostapdParse {
  const errors: string[] = [];
  const bsses: Array<{ iface: string; lines: Array<[string, string]> }> = [];
  if (!text.endsWith('\n')) errors.push('the file does not end with a newline');
  text.split('\n').forEach((raw, idx) => {
    const n = idx + 1;
    if (raw === '' || raw.startsWith('#')) return;
    const eq = raw.indexOf('=');
    if (eq <= 0) {
      errors.push(`line ${n}: expected name=value`);
      return;
    }
    const key = raw.slice(0, eq);
    const value = raw.slice(eq + 1);
    if (/\s/.test(key) || /^\s|\s$/.test(value)) errors.push(`line ${n}: spaces around "=" or at the end of the line`);
    if (!KNOWN.has(key)) errors.push(`line ${n}: unknown configuration item "${key}"`);
    if (key === 'interface') {
      if (bsses.length) errors.push(`line ${n}: interface= must come first, once`);
      bsses.push({ iface: value, lines: [] });
      return;
    }
    if (key === 'bss') {
      if (!bsses.length) errors.push(`line ${n}: bss= before interface=`);
      bsses.push({ iface: value, lines: [] });
      return;
    }
    const cur = bsses[bsses.length - 1];
    if (!cur) {
      errors.push(`line ${n}: ${key}= before interface=`);
      return;
    }
    if (!REPEATABLE.has(key) && cur.lines.some(([k]) => k === key)) errors.push(`line ${n}: ${key} set twice in BSS ${cur.iface}`);
    cur.lines.push([key, value]);
  });
  if (!bsses.length) errors.push('no interface= line');
  for (const b of bsses) checkBss(b, errors);
  return errors.length ? { ok: false, errors } : { ok: true, bsses };
}

function checkBss(b: { iface: string; lines: Array<[string, string]> }, errors: string[]): void {
  const get = (k: string) => b.lines.filter(([key]) => key === k).map(([, v]) => v);
  const ssid = get('ssid')[0];
  if (ssid === undefined) errors.push(`BSS ${b.iface}: no ssid`);
  else if (Buffer.byteLength(ssid, 'utf8') < 1 || Buffer.byteLength(ssid, 'utf8') > 32) errors.push(`BSS ${b.iface}: the SSID must be 1 to 32 octets`);
  for (const kind of ['auth', 'acct'] as const) {
    // hostapd attaches each port and secret to the server line before it.
    let server = false;
    for (const [k, v] of b.lines) {
      if (k === `${kind}_server_addr`) {
        if (server) errors.push(`BSS ${b.iface}: ${kind} server without a shared secret`);
        server = true;
      } else if (k === `${kind}_server_port`) {
        if (!server) errors.push(`BSS ${b.iface}: ${k} before ${kind}_server_addr`);
        if (!PORT.test(v)) errors.push(`BSS ${b.iface}: ${k} is not a port: ${v}`);
      } else if (k === `${kind}_server_shared_secret`) {
        if (!server) errors.push(`BSS ${b.iface}: ${k} before ${kind}_server_addr`);
        if (v.length === 0) errors.push(`BSS ${b.iface}: empty ${k}`);
        server = false;
      }
    }
    if (server) errors.push(`BSS ${b.iface}: ${kind} server without a shared secret`);
  }
  const wpa = get('wpa')[0];
  if (wpa !== undefined && !/^[0-3]$/.test(wpa)) errors.push(`BSS ${b.iface}: wpa must be 0 to 3`);
  if (get('ieee8021x')[0] === '1' && get('auth_server_addr').length === 0) errors.push(`BSS ${b.iface}: IEEE 802.1X without an authentication server`);
  const channel = get('channel')[0];
  if (channel !== undefined && !/^\d{1,3}$/.test(channel)) errors.push(`BSS ${b.iface}: channel must be a number (0: automatic)`);
  const cc = get('country_code')[0];
  if (cc !== undefined && !/^[A-Z]{2}$/.test(cc)) errors.push(`BSS ${b.iface}: country_code must be two capital letters`);
}
