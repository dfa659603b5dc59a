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
import { formatMac, type Mac } from '../../controller/domain/mac.js';
import type { ApProfile, Firmware, Variables } from '../../controller/ports/provisioning.js';
import { decodeBundle, encodeBundle, sha256, type BundleFile } from './bundle.js';
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

export type ModelResult = { readonly ok: true; readonly model: NeutralModel; readonly shapeKey: string } | { readonly ok: false; readonly issues: FieldIssue[] };

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

/**
 * A bounded memo: publishing to every AP merges and validates the same
 * variable levels thousands of times, and renders many identical files.
 * Keys hold every input of the memoised function, so a hit is exact.
 */
class Memo<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string, make: () => V): V {
    const hit = this.map.get(key);
    if (hit !== undefined) return hit;
    const v = make();
    if (this.map.size >= this.max) this.map.clear();
    this.map.set(key, v);
    return v;
  }
}

type MergeResult = { ok: true; v: MergedVariables } | { ok: false; issues: FieldIssue[] };
const merges = new Memo<MergeResult>(1024);
const checkedFiles = new Memo<true>(4096);
const shapes = new Memo<{ ok: true } | { ok: false; issues: FieldIssue[] }>(1024);
const shapeBundles = new Memo<string>(1024);
const secretDigests = new Memo<string>(1024);

/**
 * A device no AP can have, rendered in place of each real one: its values
 * are then substituted in the shape's files. They are chosen so they appear
 * nowhere else in a rendered file.
 */
const PLACEHOLDER_DEVICE = Object.freeze({
  mac: 'fe:ed:0f:ee:d0:0f',
  name: 'wfc-placeholder-name',
  hostname: 'wfc-placeholder-host',
  nasIdentifier: 'wfc-placeholder-nasid',
  site: null,
  placement: 'indoor' as const,
  latitude: null,
  longitude: null,
});
const PLACEHOLDER_IETF = 'FE-ED-0F-EE-D0-0F';
const PLACEHOLDERS = /wfc-placeholder-nasid|fe:ed:0f:ee:d0:0f|FE-ED-0F-EE-D0-0F/g;
/** Values the substitution handles without any quoting: anything else takes the full render. */
const PLAIN = /^[A-Za-z0-9._:@+-]{1,253}$/;
const deviceSchema = modelSchema.shape.device;

function mergedVariables(input: RenderInput): MergeResult {
  const levels = [input.variables.federation, input.variables.municipality, input.profile.variables];
  return merges.get(JSON.stringify([input.portalBaseUrl, input.tenant.wifi4eu, levels]), () => {
    const builtin: Record<string, unknown> = { ...BUILTIN_VARIABLES, portalUrl: input.portalBaseUrl };
    // WiFi4EU grant conditions: the network's SSID is "WiFi4EU".
    if (input.tenant.wifi4eu) builtin.ssid = 'WiFi4EU';
    const merged = variablesSchema.safeParse(mergeVariables([builtin, ...levels]));
    return merged.success ? { ok: true, v: Object.freeze(merged.data) as MergedVariables } : { ok: false, issues: issuesOf(merged.error, 'variables') };
  });
}

/** Everything of the model but the device, validated; `issues` empty when it is valid. */
function computeShape(input: RenderInput): ShapeResult {
  const merged = mergedVariables(input);
  if (!merged.ok) return { ok: false, issues: merged.issues, early: true };
  const v: MergedVariables = merged.v;
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
    device: PLACEHOLDER_DEVICE,
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
  const { device: _placeholder, ...shape } = candidate;
  const shapeKey = JSON.stringify(shape);
  const check = shapes.get(shapeKey, () => {
    const r = modelSchema.safeParse(candidate);
    return r.success ? { ok: true as const } : { ok: false as const, issues: issuesOf(r.error, 'model') };
  });
  if (!check.ok) issues.push(...check.issues.filter((i) => !(input.radius.secret === null && i.field === 'model.radius.secret')));
  return issues.length ? { ok: false, issues, early: false } : { ok: true, shape, shapeKey };
}

type ShapeResult =
  | { readonly ok: true; readonly shape: Omit<NeutralModel, 'device'>; readonly shapeKey: string }
  | { readonly ok: false; readonly issues: FieldIssue[]; readonly early: boolean };

/**
 * Shapes by the identity of the municipality-level inputs (the publisher
 * passes the same objects for every AP of a batch; inputs are never
 * mutated), then by the AP's profile and RADIUS settings.
 */
const shapeByInputs = new WeakMap<object, WeakMap<object, Memo<ShapeResult>>>();

function shapeOf(input: RenderInput): ShapeResult {
  let byVars = shapeByInputs.get(input.tenant);
  if (!byVars) shapeByInputs.set(input.tenant, (byVars = new WeakMap()));
  let memo = byVars.get(input.variables);
  if (!memo) byVars.set(input.variables, (memo = new Memo<ShapeResult>(256)));
  return memo.get(JSON.stringify([input.federation, input.profile, input.radius, input.portalBaseUrl]), () => computeShape(input));
}

export function buildModel(input: RenderInput): ModelResult {
  const sh = shapeOf(input);
  if (!sh.ok && sh.early) return { ok: false, issues: sh.issues };
  const device = {
    mac: input.ap.mac,
    name: input.ap.name,
    hostname: `${input.tenant.slug}-${bare(input.ap.mac)}`.slice(0, 63).replace(/-+$/, ''),
    nasIdentifier: input.ap.nasIdentifier ?? `${input.tenant.slug}-${bare(input.ap.mac)}`,
    site: input.ap.site,
    placement: input.ap.placement,
    latitude: input.ap.latitude,
    longitude: input.ap.longitude,
  };
  const deviceCheck = deviceSchema.safeParse(device);
  const issues = [...(sh.ok ? [] : sh.issues), ...(deviceCheck.success ? [] : issuesOf(deviceCheck.error, 'model.device'))];
  if (!sh.ok || issues.length) return { ok: false, issues };
  return { ok: true, model: { ...sh.shape, device } as NeutralModel, shapeKey: sh.shapeKey };
}

/** Renders one target and checks each file's syntax: a renderer bug must never reach a device. */
export function renderFiles(model: NeutralModel, firmware: Firmware): BundleFile[] {
  const files = RENDERERS[firmware](model);
  for (const f of files) {
    checkedFiles.get(`${f.path}\n${f.content}`, () => {
      const check = f.path.startsWith('etc/config/') ? parseUci(f.content) : f.path.startsWith('etc/hostapd/') ? parseHostapd(f.content) : { ok: true as const };
      if (!check.ok) throw new Error(`renderer ${firmware} wrote an invalid ${f.path}: ${check.errors.join('; ')}`);
      return true;
    });
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

/**
 * One AP's bundle. OpenWrt and hostapd files depend on the device only
 * through its MAC and NAS-Identifier: the bundle is rendered, checked and
 * encoded once per shape for a placeholder device, then the AP's values
 * are substituted in the text (plain values never change a line count).
 * test/unit/provisioning/render/pipeline.test.ts checks that this equals
 * rendering each AP in full; unusual values take the full render.
 */
function bundleFor(model: NeutralModel, shapeKey: string, firmware: Firmware): string {
  const d = model.device;
  if (firmware === 'generic' || !PLAIN.test(d.nasIdentifier)) return encodeBundle(renderFiles(model, firmware)).text;
  const template = shapeBundles.get(`${firmware}\n${shapeKey}`, () => encodeBundle(renderFiles({ ...model, device: PLACEHOLDER_DEVICE }, firmware)).text);
  const values: Record<string, string> = {
    [PLACEHOLDER_DEVICE.nasIdentifier]: d.nasIdentifier,
    [PLACEHOLDER_DEVICE.mac]: d.mac,
    [PLACEHOLDER_IETF]: formatMac(d.mac as Mac, 'ietf'),
  };
  return template.replace(PLACEHOLDERS, (m) => values[m]!);
}

export function render(input: RenderInput, firmware: Firmware = input.profile.firmware): RenderResult {
  const built = buildModel(input);
  if (!built.ok) return built;
  const bundle = bundleFor(built.model, built.shapeKey, firmware);
  const secretDigest = carriesSecret(built.model, firmware) ? secretDigests.get(built.model.radius.secret, () => sha256(built.model.radius.secret)) : null;
  let files: BundleFile[] | null = null;
  return {
    ok: true,
    model: built.model,
    // Decoded on demand: a bulk publish needs the text and its checksum only.
    get files() {
      return (files ??= decodeBundle(bundle));
    },
    bundle,
    checksum: sha256(bundle),
    secretDigest,
  };
}
