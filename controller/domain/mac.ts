/**
 * MAC addresses as gateways send them: `AA-BB-CC-DD-EE-FF` (RFC 3580 §3.21
 * Calling-Station-Id), `aa:bb:cc:dd:ee:ff`, `aabb.ccdd.eeff` (Cisco) or bare hex.
 * The canonical form everywhere in the domain is lower case with colons.
 */
export type Mac = string & { readonly __mac: unique symbol };

/** Hex digit value of a char code, or -1. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  const l = c | 0x20; // fold A-F to a-f
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

const HEX = '0123456789abcdef';

/**
 * Reads a MAC at `start` in one of the notations above (one separator kind
 * throughout). Returns the canonical form and where it ended, or null. A
 * scanner rather than regular expressions: it runs on every RADIUS request.
 */
function scanMac(s: string, start: number): { mac: Mac; end: number } | null {
  let out = '';
  let i = start;
  const first = s.charCodeAt(start + 2);
  const sep = first === 58 || first === 45 ? first : s.charCodeAt(start + 4) === 46 ? 46 : 0; // ':' '-' '.' or none
  for (let n = 0; n < 12; n++) {
    if (n > 0 && sep !== 0 && (sep === 46 ? n % 4 === 0 : n % 2 === 0)) {
      if (s.charCodeAt(i) !== sep) return null;
      i++;
    }
    const v = hexValue(s.charCodeAt(i));
    if (v < 0) return null;
    out += HEX[v];
    if (n % 2 === 1 && n < 11) out += ':';
    i++;
  }
  return { mac: out as Mac, end: i };
}

export function parseMac(input: string): Mac | null {
  const s = input.trim();
  const r = scanMac(s, 0);
  return r && r.end === s.length ? r.mac : null;
}

/**
 * Called-Station-Id is often `MAC:SSID` (RFC 3580 §3.20); split it. An
 * empty SSID after the colon is no SSID.
 */
export function parseCalledStationId(input: string): { mac: Mac | null; ssid: string | null } {
  const s = input.trim();
  const r = scanMac(s, 0);
  if (!r) return { mac: null, ssid: null };
  if (r.end === s.length) return { mac: r.mac, ssid: null };
  if (s.charCodeAt(r.end) !== 58) return { mac: null, ssid: null };
  const ssid = s.slice(r.end + 1);
  return { mac: r.mac, ssid: ssid === '' ? null : ssid };
}

/** The locally administered bit: set on randomised ("private") MAC addresses. */
export function isLocallyAdministered(mac: Mac): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 0x02) !== 0;
}

export type MacStyle = 'colon' | 'ietf' | 'bare' | 'cisco';

/** Renders a MAC the way a given gateway expects (ietf = RFC 3580 `AA-BB-...`). */
export function formatMac(mac: Mac, style: MacStyle): string {
  const hex = mac.replace(/:/g, '');
  switch (style) {
    case 'colon':
      return mac;
    case 'ietf':
      return hex.toUpperCase().match(/../g)!.join('-');
    case 'bare':
      return hex;
    case 'cisco':
      return hex.match(/.{4}/g)!.join('.');
  }
}
