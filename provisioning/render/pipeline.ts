/**
 * The render pipeline (OpenWISP netjsonconfig's shape):
 *   variables: built-in → federation → municipality → AP, merged and validated
 *   → neutral model, validated by modelSchema
 *   → one renderer per target (targets/)
 *   → syntax check of every file (UCI, hostapd.conf)
 *   → deterministic bundle and its sha256.
 * Pure: the same input always gives the same bytes.
 */
import type { PortalSettings } from '../../controller/domain/entities.js';
import type { Policy } from '../../controller/domain/policy.js';
import type { FieldIssue } from '../../controller/domain/validation.js';
import type { ApProfile, Firmware, Variables } from '../../controller/ports/provisioning.js';
import { encodeBundle, sha256, type BundleFile } from './bundle.js';
import { parseHostapd } from './hostapd-syntax.js';
import { parseIpv4Interface } from './ipv4.js';
import { modelSchema, type ModelSubnet, type NeutralModel } from './model.js';
import { renderGenericJson } from './targets/generic-json.js';
import { renderHostapd } from './targets/hostapd.js';
import { renderOpenWrt } from './targets/openwrt-uci.js';
import { parseUci } from './uci.js';
import { BUILTIN_VARIABLES, mergeVariables, variablesSchema, type MergedVariables } from './variables.js';
import { issuesOf } from './issues.js';

export interface RadiusServer {
  readonly host: string;
  readonly authPort: number;
  readonly acctPort: number;
}

export interface RenderInput {
  readonly federation: { readonly name: string; readonly realm: string };
  readonly tenant: {
    readonly slug: string;
    readonly name: string;
    readonly inseeCode: string;
    readonly displayName: string;
    readonly policy: Policy;
    readonly portal: PortalSettings | null;
    readonly wifi4eu: boolean;
  };
  readonly ap: {
    readonly mac: string;
    readonly name: string;
    readonly site: string | null;
    readonly placement: 'indoor' | 'outdoor';
    readonly latitude: number | null;
    readonly longitude: number | null;
    readonly nasIdentifier: string | null;
  };
  readonly profile: ApProfile;
  /** The federation's RADIUS nodes and the secret of the AP's RADIUS client (null: the municipality has none). */
  readonly radius: { readonly servers: readonly RadiusServer[]; readonly secret: string | null };
  readonly variables: { readonly federation: Variables; readonly municipality: Variables };
  /** WFC_PORTAL_PUBLIC_URL: the default of the portalUrl variable. */
  readonly portalBaseUrl: string | null;
}

export type ModelResult = { readonly ok: true; readonly model: NeutralModel } | { readonly ok: false; readonly issues: FieldIssue[] };

export type RenderResult =
  | {
      readonly ok: true;
      readonly model: NeutralModel;
      readonly files: BundleFile[];
      readonly bundle: string;
      readonly checksum: string;
      /** sha256 of the RADIUS secret when the files carry it; null when they do not (openNDS, open SSIDs on hostapd). */
      readonly secretDigest: string | null;
    }
  | { readonly ok: false; readonly issues: FieldIssue[] };

/** The WiFi4EU portal snippet loads from the Commission's server: it must be reachable before login. */
export const WIFI4EU_HOST = 'collection.wifi4eu.ec.europa.eu';

const RENDERERS: Record<Firmware, (m: NeutralModel) => BundleFile[]> = {
  openwrt: renderOpenWrt,
  hostapd: renderHostapd,
  generic: renderGenericJson,
};

export const FIRMWARES = Object.keys(RENDERERS) as Firmware[];

function subnet(cidr: string): ModelSubnet {
  const i = parseIpv4Interface(cidr)!;
  // Leave the first ten addresses to fixed equipment.
  const start = 10;
  return { address: i.address, prefix: i.prefix, netmask: i.netmask, network: i.network, dhcpStart: start, dhcpLimit: Math.max(1, Math.min(i.hosts - start, 65000)) };
}

const bare = (mac: string): string => mac.replace(/:/g, '');

export function buildModel(input: RenderInput): ModelResult {
  const builtin: Record<string, unknown> = { ...BUILTIN_VARIABLES, portalUrl: input.portalBaseUrl };
  // WiFi4EU grant conditions: the network's SSID is "WiFi4EU".
  if (input.tenant.wifi4eu) builtin.ssid = 'WiFi4EU';
  const merged = variablesSchema.safeParse(mergeVariables([builtin, input.variables.federation, input.variables.municipality, input.profile.variables]));
  if (!merged.success) return { ok: false, issues: issuesOf(merged.error, 'variables') };
  const v: MergedVariables = merged.data;
  const issues: FieldIssue[] = [];
  if (input.radius.secret === null) issues.push({ field: 'radiusClientId', message: 'the municipality has no RADIUS client: add one (wfc client add) before its APs can be configured' });

  const gatewayType =
    input.profile.gateway === 'municipality'
      ? input.tenant.portal?.gateway === 'coovachilli' || input.tenant.portal?.gateway === 'opennds'
        ? input.tenant.portal.gateway
        : null
      : input.profile.gateway === 'none'
        ? null
        : input.profile.gateway;

  const bands = (['2g', '5g'] as const).filter((b) => input.profile.bands.includes(b));
  const radios = bands.map((band, i) => ({
    name: `radio${i}`,
    band,
    channel: band === '2g' ? v.channel2g : v.channel5g,
    htmode: band === '2g' ? v.htmode2g : v.htmode5g,
    txPower: v.txPower,
  }));
  const specs = input.profile.ssids.length ? input.profile.ssids : [{ ssid: null, security: 'open' as const, hidden: false, captivePortal: true }];
  const ssids = radios.flatMap((radio, r) =>
    specs.map((s, i) => {
      const portal = s.security === 'open' && s.captivePortal && gatewayType !== null;
      return {
        section: `wfc_${radio.name}_${i}`,
        ifname: i === 0 ? `wlan${r}` : `wlan${r}-${i}`,
        radio: radio.name,
        ssid: s.ssid ?? v.ssid,
        security: s.security,
        hidden: s.hidden,
        captivePortal: portal,
        network: s.security === 'wpa2-enterprise' ? ('wfc_secure' as const) : portal ? ('wfc_guest' as const) : ('lan' as const),
        maxClients: v.maxClients,
      };
    }),
  );

  const portalUrl = v.portalUrl === null ? '' : v.portalUrl.replace(/\{municipality\}/g, input.tenant.slug);
  let portalHost: string | null = null;
  try {
    portalHost = portalUrl ? new URL(portalUrl).hostname : null;
  } catch {
    portalHost = null;
  }
  const garden = new Set<string>([...(input.tenant.portal?.walledGarden ?? []), ...v.walledGarden]);
  if (portalHost) garden.add(portalHost);
  if (input.tenant.wifi4eu) garden.add(WIFI4EU_HOST);
  const policy = input.tenant.policy;

  const candidate = {
    schema: 1 as const,
    federation: { name: input.federation.name, realm: input.federation.realm },
    municipality: { slug: input.tenant.slug, name: input.tenant.name, inseeCode: input.tenant.inseeCode, displayName: input.tenant.displayName },
    device: {
      mac: input.ap.mac,
      name: input.ap.name,
      hostname: `${input.tenant.slug}-${bare(input.ap.mac)}`.slice(0, 63).replace(/-+$/, ''),
      nasIdentifier: input.ap.nasIdentifier ?? `${input.tenant.slug}-${bare(input.ap.mac)}`,
      site: input.ap.site,
      placement: input.ap.placement,
      latitude: input.ap.latitude,
      longitude: input.ap.longitude,
    },
    system: { countryCode: v.countryCode, timezone: v.timezone, zonename: v.zonename },
    radius: {
      servers: input.radius.servers.map((s) => ({ host: s.host, authPort: s.authPort, acctPort: s.acctPort })),
      secret: input.radius.secret ?? '',
      calledStationIdFormat: 'ietf-mac:ssid' as const,
      interimInterval: policy.interimInterval,
    },
    radios,
    ssids,
    guest: ssids.some((s) => s.network === 'wfc_guest') ? subnet(v.guestAddress) : null,
    secure: ssids.some((s) => s.network === 'wfc_secure') ? subnet(v.secureAddress) : null,
    dnsServers: [...v.dnsServers],
    leaseTime: v.leaseTime,
    gateway:
      gatewayType === null
        ? null
        : {
            type: gatewayType,
            portalUrl,
            walledGarden: [...garden].sort(),
            uamSecret: input.tenant.portal?.uamSecret ?? null,
            fasKey: input.tenant.portal?.fasKey ?? null,
            sessionTimeout: policy.sessionTimeout,
            idleTimeout: policy.idleTimeout,
            bandwidthUp: policy.bandwidthUp,
            bandwidthDown: policy.bandwidthDown,
          },
  };
  const parsed = modelSchema.safeParse(candidate);
  if (!parsed.success) issues.push(...issuesOf(parsed.error, 'model').filter((i) => !(input.radius.secret === null && i.field === 'model.radius.secret')));
  if (issues.length || !parsed.success) return { ok: false, issues };
  return { ok: true, model: parsed.data };
}

/** Renders one target and checks each file's syntax: a renderer bug must never reach a device. */
export function renderFiles(model: NeutralModel, firmware: Firmware): BundleFile[] {
  const files = RENDERERS[firmware](model);
  for (const f of files) {
    const check = f.path.startsWith('etc/config/') ? parseUci(f.content) : f.path.startsWith('etc/hostapd/') ? parseHostapd(f.content) : { ok: true as const };
    if (!check.ok) throw new Error(`renderer ${firmware} wrote an invalid ${f.path}: ${check.errors.join('; ')}`);
  }
  return files;
}

/**
 * Whether a target's files hold the RADIUS secret: only then does the device
 * need a new version when the secret rotates, and only then must a rotation
 * wait for it.
 */
export function carriesSecret(model: NeutralModel, firmware: Firmware): boolean {
  if (firmware === 'generic') return true;
  const enterprise = model.ssids.some((s) => s.security === 'wpa2-enterprise');
  return enterprise || (firmware === 'openwrt' && model.gateway?.type === 'coovachilli');
}

export function render(input: RenderInput, firmware: Firmware = input.profile.firmware): RenderResult {
  const built = buildModel(input);
  if (!built.ok) return built;
  const files = renderFiles(built.model, firmware);
  const { text, checksum } = encodeBundle(files);
  const secretDigest = carriesSecret(built.model, firmware) ? sha256(built.model.radius.secret) : null;
  return { ok: true, model: built.model, files, bundle: text, checksum, secretDigest };
}
