/**
 * WiFi4EU: a municipality enrolled in the EU programme must show the
 * WiFi4EU banner and run the Commission's measurement script on its portal.
 * The snippet the Commission gives is an inline <script> setting
 * wifi4euTimerStart, wifi4euNetworkIdentifier, wifi4euLanguage (and
 * selftestModus while testing), then wifi4eu.min.js and an
 * <img id="wifi4eubanner">. Our CSP forbids inline scripts, so the variables
 * come from a tiny same-origin script instead (`/t/<slug>/wifi4eu.js`), and
 * only enrolled municipalities' pages allow the collector's host.
 */
import type { Tenant } from '../controller/domain/entities.js';

export const WIFI4EU_HOST = 'collection.wifi4eu.ec.europa.eu';
export const WIFI4EU_SCRIPT = `https://${WIFI4EU_HOST}/wifi4eu.min.js`;

/** Network identifiers are UUID-like: anything else is not embedded. */
const NETWORK_ID = /^[A-Za-z0-9-]{1,64}$/;

export function wifi4euEnabled(t: Tenant): boolean {
  return t.wifi4eu !== null && NETWORK_ID.test(t.wifi4eu.networkId);
}

/** The variables script, served as application/javascript from our own origin. */
export function wifi4euInitScript(t: Tenant): string {
  const w = t.wifi4eu!;
  const lines = [
    'var wifi4euTimerStart = Date.now();',
    `var wifi4euNetworkIdentifier = ${JSON.stringify(w.networkId)};`,
    `var wifi4euLanguage = ${JSON.stringify(w.language)};`,
  ];
  if (w.selfTest) lines.push('var selftestModus = true;');
  return lines.join('\n') + '\n';
}

/**
 * WiFi4EU registers the portal's address; it accepts plain URLs only. Our
 * portal URLs are `<public URL>/t/<slug>/` with slugs of [a-z0-9-], which
 * stay within this set.
 */
export function wifi4euAcceptsUrl(url: string): boolean {
  return /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~/-]*)?$/.test(url);
}

/**
 * The hosts a municipality's gateways must let through before login: the
 * portal itself, WiFi4EU's collector when enrolled, and the municipality's
 * own additions. Sorted, without duplicates, for stable gateway configs.
 */
export function walledGarden(t: Tenant, portalHost: string | null): string[] {
  const hosts = new Set<string>();
  if (portalHost) hosts.add(portalHost);
  if (wifi4euEnabled(t)) hosts.add(WIFI4EU_HOST);
  for (const h of t.portal?.walledGarden ?? []) hosts.add(h.toLowerCase());
  return [...hosts].sort();
}
