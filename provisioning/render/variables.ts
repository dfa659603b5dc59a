/**
 * Configuration variables: every level (federation, municipality, AP) may
 * set any of them; levels merge in that order over built-in defaults, a
 * later level replacing a value (lists included) rather than merging it.
 * The merged set must then pass the full schema.
 */
import { z } from 'zod';
import { parseIpv4Interface } from './ipv4.js';

const hostname = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a DNS host name, e.g. portail.example.fr');

/** IEEE 802.11 §9.4.2.2: an SSID is 1 to 32 octets. */
export const ssidSchema = z
  .string()
  .min(1, 'an SSID has 1 to 32 octets')
  .refine((s) => Buffer.byteLength(s, 'utf8') <= 32, 'an SSID has 1 to 32 octets (UTF-8)')
  .refine((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), 'no control characters');

const ipv4Interface = z.string().refine((v) => parseIpv4Interface(v) !== null, 'an IPv4 address with its prefix, e.g. 10.64.0.1/22 (prefix 16 to 29)');
const ipAddress = z.string().regex(/^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$|^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/, 'an IPv4 or IPv6 address');
const httpsUrl = z.string().refine((v) => {
  try {
    return /^https?:$/.test(new URL(v).protocol);
  } catch {
    return false;
  }
}, 'an http(s):// URL');
/** IEEE 802.11 channels allowed in France (ETSI): 1-13 at 2.4 GHz; UNII-1/2/2e at 5 GHz. */
const CHANNELS_5G = [36, 40, 44, 48, 52, 56, 60, 64, 100, 104, 108, 112, 116, 120, 124, 128, 132, 136, 140];

export const variableShape = {
  ssid: ssidSchema,
  countryCode: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code in capitals, e.g. FR'),
  /** POSIX TZ string as OpenWrt's system.timezone takes it. */
  timezone: z.string().min(1).max(64).regex(/^[A-Za-z0-9<>+\-,./:]+$/, 'a POSIX TZ string, e.g. CET-1CEST,M3.5.0,M10.5.0/3'),
  zonename: z.string().regex(/^[A-Za-z_]+(?:\/[A-Za-z_+-]+)*$/, 'a zone name, e.g. Europe/Paris'),
  /** The captive portal's address; `{municipality}` is replaced by the municipality's slug. */
  portalUrl: httpsUrl.nullable(),
  walledGarden: z.array(hostname).max(64),
  guestAddress: ipv4Interface,
  secureAddress: ipv4Interface,
  dnsServers: z.array(ipAddress).min(1).max(4),
  channel2g: z.union([z.literal('auto'), z.number().int().min(1).max(13)]),
  channel5g: z.union([z.literal('auto'), z.number().int().refine((c) => CHANNELS_5G.includes(c), `one of ${CHANNELS_5G.join(', ')}`)]),
  htmode2g: z.enum(['HT20', 'HT40']),
  htmode5g: z.enum(['VHT20', 'VHT40', 'VHT80', 'HE20', 'HE40', 'HE80']),
  /** dBm; null lets the driver choose the regulatory maximum. */
  txPower: z.number().int().min(1).max(30).nullable(),
  maxClients: z.number().int().min(1).max(512),
  /** DHCP lease on the guest network, seconds. */
  leaseTime: z.number().int().min(120).max(86400),
};

export const VARIABLE_NAMES = Object.keys(variableShape) as Array<keyof typeof variableShape>;

/** One level's variables: any subset, unknown names refused. */
export const partialVariablesSchema = z.object(variableShape).partial().strict();
export const variablesSchema = z.object(variableShape).strict();
export type MergedVariables = z.output<typeof variablesSchema>;

export const BUILTIN_VARIABLES: MergedVariables = Object.freeze({
  ssid: 'Wi-Fi public',
  countryCode: 'FR',
  timezone: 'CET-1CEST,M3.5.0,M10.5.0/3',
  zonename: 'Europe/Paris',
  portalUrl: null,
  walledGarden: [],
  guestAddress: '10.64.0.1/22',
  secureAddress: '10.68.0.1/22',
  dnsServers: ['9.9.9.9', '149.112.112.112'],
  channel2g: 'auto',
  channel5g: 'auto',
  htmode2g: 'HT20',
  htmode5g: 'VHT80',
  txPower: null,
  maxClients: 64,
  leaseTime: 3600,
}) as MergedVariables;

/** Shallow merge, later levels winning; a level's undefined leaves the value alone. */
export function mergeVariables(levels: ReadonlyArray<Readonly<Record<string, unknown>>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const level of levels) for (const [k, v] of Object.entries(level)) if (v !== undefined) out[k] = v;
  return out;
}
