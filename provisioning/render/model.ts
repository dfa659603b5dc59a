/**
 * The neutral per-AP model every renderer reads (OpenWISP's NetJSON role):
 * firmware-independent, fully resolved (variables merged, defaults filled,
 * lists sorted), and validated by `modelSchema` before any renderer runs.
 */
import { z } from 'zod';
import { ssidSchema } from './variables.js';

const server = z.object({ host: z.string().min(1), authPort: z.number().int().min(1).max(65535), acctPort: z.number().int().min(1).max(65535) }).strict();

const subnet = z
  .object({
    address: z.string(),
    prefix: z.number().int().min(16).max(29),
    netmask: z.string(),
    network: z.string(),
    dhcpStart: z.number().int().min(1),
    dhcpLimit: z.number().int().min(1),
  })
  .strict();

export const modelSchema = z
  .object({
    schema: z.literal(1),
    federation: z.object({ name: z.string().min(1), realm: z.string().min(1) }).strict(),
    municipality: z.object({ slug: z.string().min(1), name: z.string().min(1), inseeCode: z.string(), displayName: z.string().min(1) }).strict(),
    device: z
      .object({
        mac: z.string().regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/),
        name: z.string().min(1),
        hostname: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/),
        nasIdentifier: z.string().min(1).max(253),
        site: z.string().nullable(),
        placement: z.enum(['indoor', 'outdoor']),
        latitude: z.number().min(-90).max(90).nullable(),
        longitude: z.number().min(-180).max(180).nullable(),
      })
      .strict(),
    system: z.object({ countryCode: z.string().length(2), timezone: z.string(), zonename: z.string() }).strict(),
    radius: z
      .object({
        /** Primary first: the federation's nodes, as configured. */
        servers: z.array(server).min(1, 'the federation lists no RADIUS server').max(4),
        /** RFC 2865 §3: at least 16 octets. */
        secret: z.string().min(16, 'the RADIUS client secret is shorter than 16 characters'),
        /** RFC 3580 §3.20: Called-Station-Id is the AP's MAC in IETF form, a colon, the SSID. */
        calledStationIdFormat: z.literal('ietf-mac:ssid'),
        interimInterval: z.number().int().min(60),
      })
      .strict(),
    radios: z
      .array(
        z
          .object({
            name: z.string().regex(/^radio\d$/),
            band: z.enum(['2g', '5g']),
            channel: z.union([z.literal('auto'), z.number().int()]),
            htmode: z.string(),
            txPower: z.number().int().nullable(),
          })
          .strict(),
      )
      .min(1),
    ssids: z
      .array(
        z
          .object({
            section: z.string().regex(/^wfc_[a-z0-9_]+$/),
            ifname: z.string().regex(/^wlan\d(?:-\d)?$/),
            radio: z.string(),
            ssid: ssidSchema,
            security: z.enum(['open', 'wpa2-enterprise']),
            hidden: z.boolean(),
            captivePortal: z.boolean(),
            network: z.enum(['wfc_guest', 'wfc_secure', 'lan']),
            maxClients: z.number().int().min(1),
          })
          .strict(),
      )
      .min(1)
      .max(16),
    guest: subnet.nullable(),
    secure: subnet.nullable(),
    dnsServers: z.array(z.string()).min(1),
    leaseTime: z.number().int(),
    gateway: z
      .object({
        type: z.enum(['opennds', 'coovachilli']),
        portalUrl: z.string().url('the captive portal has no public URL: set WFC_PORTAL_PUBLIC_URL or the portalUrl variable'),
        walledGarden: z.array(z.string()),
        uamSecret: z.string().nullable(),
        fasKey: z.string().nullable(),
        sessionTimeout: z.number().int().min(60),
        idleTimeout: z.number().int().min(60),
        bandwidthUp: z.number().int().nullable(),
        bandwidthDown: z.number().int().nullable(),
      })
      .strict()
      .nullable(),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.ssids.some((s) => s.network === 'wfc_guest') && m.guest === null) ctx.addIssue({ code: 'custom', path: ['guest'], message: 'SSIDs on the guest network need a guest subnet' });
    if (m.ssids.some((s) => s.captivePortal) && m.gateway === null) ctx.addIssue({ code: 'custom', path: ['gateway'], message: 'a captive-portal SSID needs a gateway' });
  });

export type NeutralModel = z.output<typeof modelSchema>;
export type ModelSsid = NeutralModel['ssids'][number];
export type ModelRadio = NeutralModel['radios'][number];
export type ModelSubnet = NonNullable<NeutralModel['guest']>;
