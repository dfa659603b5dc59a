/**
 * MAC addresses as gateways send them: `AA-BB-CC-DD-EE-FF` (RFC 3580 §3.21
 * Calling-Station-Id), `aa:bb:cc:dd:ee:ff`, `aabb.ccdd.eeff` (Cisco) or bare hex.
 * The canonical form everywhere in the domain is lower case with colons.
 */
export type Mac = string & { readonly __mac: unique symbol };

const HEX12 = /^[0-9a-f]{12}$/;

export function parseMac(input: string): Mac | null {
  const trimmed = input.trim().toLowerCase();
  const shaped =
    /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/.test(trimmed) ||
    /^([0-9a-f]{4}\.){2}[0-9a-f]{4}$/.test(trimmed) ||
    HEX12.test(trimmed);
  if (!shaped) return null;
  const hex = trimmed.replace(/[:.-]/g, '');
  if (!HEX12.test(hex)) return null;
  return hex.match(/../g)!.join(':') as Mac;
}

/**
 * Called-Station-Id is often `MAC:SSID` (RFC 3580 §3.20); split it.
 */
export function parseCalledStationId(input: string): { mac: Mac | null; ssid: string | null } {
  const m = /^([0-9A-Fa-f]{2}(?:[:-]?[0-9A-Fa-f]{2}){5})(?::(.*))?$/.exec(input.trim());
  if (!m) return { mac: null, ssid: null };
  return { mac: parseMac(m[1]!), ssid: m[2] ?? null };
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
