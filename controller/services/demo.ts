/**
 * A demo federation a newcomer can try at once: two municipalities of the
 * Drôme with RADIUS clients on loopback (IPv4 for Valence, IPv6 for Crest,
 * so a test on one machine can act as either), two access points each,
 * three citizens and one remembered device. Seeding is idempotent: the
 * clear credentials are generated once and kept in the data dir
 * (demo-credentials.json, mode 0600), since the stores keep only digests.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Locale, PortalSettings, Tenant } from '../domain/entities.js';
import type { Mac } from '../domain/mac.js';
import type { Stores } from '../ports/stores.js';
import type { PasswordHasher } from '../security/passwords.js';
import { newToken, tokenDigest } from '../security/tokens.js';
import { createAccessPoint } from './access-points.js';
import { setFederation } from './federation.js';
import { createIdentity } from './identities.js';
import { addRadiusClient, createTenant } from './tenants.js';

const ACTOR = 'cli:demo';

interface DemoCredentials {
  readonly radiusSecret: string;
  /** CoovaChilli uamsecret of the demo gateways (added later: older files lack it). */
  readonly uamSecret?: string;
  readonly apiTokens: Record<string, string>;
  readonly passwords: Record<string, string>;
}

export interface DemoSummary {
  readonly federation: { name: string; realm: string };
  readonly radius: { secret: string; authPort: number; acctPort: number };
  readonly tenants: Array<{ slug: string; name: string; apiToken: string; radiusClient: string }>;
  readonly accessPoints: Array<{ tenant: string; mac: string; name: string }>;
  readonly users: Array<{ username: string; password: string; email: string; locale: Locale }>;
  readonly devices: Array<{ username: string; mac: string }>;
  /** Captive portal: each municipality's gateway settings (CoovaChilli UAM). */
  readonly portal: Array<{ slug: string; path: string; gateway: string; uamAuth: string; uamSecret: string | null }>;
}

/** A small shield with the town's initial: an inline logo, so the portal loads nothing from elsewhere. */
function demoLogo(initial: string, color: string): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 48"><path d="M2 2h36v22c0 12-9 19-18 22C11 43 2 36 2 24z" fill="#fff" stroke="${color}" stroke-width="3"/><text x="20" y="31" font-family="Arial,sans-serif" font-size="22" font-weight="700" text-anchor="middle" fill="${color}">${initial}</text></svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

const FEDERATION = { name: 'Wi-Fi public Drôme (démo)', realm: 'wifi.demo-drome.fr' };

const TENANTS = [
  {
    input: { slug: 'valence', name: 'Ville de Valence', inseeCode: '26362', primaryColor: '#b3262b', logoUrl: demoLogo('V', '#b3262b') },
    portal: { uamAuth: 'pap' as const },
    client: { name: 'Passerelles de Valence (démo, loopback IPv4)', network: '127.0.0.0/8' },
    aps: [
      { mac: '00:11:22:33:44:01', name: 'Parc Jouvet', site: 'Parc Jouvet', latitude: 44.9281, longitude: 4.8893, placement: 'outdoor', model: 'Ubiquiti U6 Mesh' },
      { mac: '00:11:22:33:44:02', name: 'Médiathèque Latour-Maubourg', site: 'Médiathèque', latitude: 44.9334, longitude: 4.8924, placement: 'indoor', model: 'TP-Link EAP245' },
    ],
  },
  {
    input: { slug: 'crest', name: 'Ville de Crest', inseeCode: '26108', primaryColor: '#2d6a4f', logoUrl: demoLogo('C', '#2d6a4f') },
    portal: { uamAuth: 'chap' as const },
    client: { name: 'Passerelles de Crest (démo, loopback IPv6)', network: '::1/128' },
    aps: [
      { mac: '00:11:22:33:45:01', name: 'Tour de Crest', site: 'Tour de Crest', latitude: 44.7286, longitude: 5.0222, placement: 'outdoor', model: 'OpenWrt GL-AR300M' },
      { mac: '00:11:22:33:45:02', name: 'Place du Docteur Rozier', site: 'Centre-ville', latitude: 44.7281, longitude: 5.0247, placement: 'outdoor', model: 'OpenWrt GL-AR300M' },
    ],
  },
] as const;

const USERS = [
  { username: 'alice', email: 'alice@example.org', locale: 'fr' as const },
  { username: 'bob', email: 'bob@example.org', locale: 'en' as const },
  { username: 'chloe', email: 'chloe@example.org', locale: 'fr' as const },
];

/** Chloé's phone is remembered: it passes MAC authentication at every hotspot. */
const DEVICES = [{ username: 'chloe', mac: '02:5e:10:00:00:01' as Mac }];

export async function seedDemo(
  stores: Stores,
  hasher: PasswordHasher,
  opts: { dataDir: string; authPort: number; acctPort: number; now?: Date },
): Promise<DemoSummary> {
  const creds = loadOrCreateCredentials(opts.dataDir);
  const now = opts.now ?? new Date();

  if (!(await stores.federation.get())) await setFederation(stores, FEDERATION, ACTOR);
  const federation = (await stores.federation.get())!;

  const tenants: DemoSummary['tenants'] = [];
  const accessPoints: DemoSummary['accessPoints'] = [];
  const portal: DemoSummary['portal'] = [];
  for (const t of TENANTS) {
    let tenant: Tenant = (await stores.tenants.getBySlug(t.input.slug)) ?? (await createTenant(stores, t.input, ACTOR));
    if (!tenant.portal) {
      // Demo gateways: CoovaChilli with a uamsecret; Valence hands the token over by PAP, Crest by CHAP.
      const settings: PortalSettings = { gateway: 'coovachilli', uamSecret: creds.uamSecret!, uamAuth: t.portal.uamAuth, fasKey: null, walledGarden: [] };
      tenant = await stores.tenants.update(tenant.id, { portal: settings });
      await stores.audit.append({ actor: ACTOR, tenantId: tenant.id, action: 'tenant.portal', target: `tenant:${tenant.slug}`, before: null, after: { ...settings, uamSecret: '[redacted]' } });
    }
    portal.push({ slug: tenant.slug, path: `/t/${tenant.slug}/`, gateway: tenant.portal!.gateway, uamAuth: tenant.portal!.uamAuth, uamSecret: tenant.portal!.uamSecret });
    const clients = await stores.clients.list(tenant.id);
    if (!clients.some((c) => c.network === t.client.network)) {
      await addRadiusClient(stores, tenant, { ...t.client, secret: creds.radiusSecret }, ACTOR);
    }
    const apiToken = creds.apiTokens[tenant.slug]!;
    if (!(await stores.tokens.findByHash(tokenDigest(apiToken)))) {
      await stores.tokens.create({ tenantId: tenant.id, name: 'demo', role: 'municipal-rw', tokenHash: tokenDigest(apiToken) });
    }
    for (const ap of t.aps) {
      if (!(await stores.accessPoints.findByMac(ap.mac as Mac))) await createAccessPoint(stores, tenant, ap, ACTOR);
      accessPoints.push({ tenant: tenant.slug, mac: ap.mac, name: ap.name });
    }
    tenants.push({ slug: tenant.slug, name: tenant.name, apiToken, radiusClient: t.client.network });
  }

  const users: DemoSummary['users'] = [];
  for (const u of USERS) {
    const password = creds.passwords[u.username]!;
    if (!(await stores.identities.getByUsername(u.username))) {
      await createIdentity(stores, hasher, { ...u, password, verified: true }, ACTOR);
    }
    users.push({ ...u, password });
  }

  for (const d of DEVICES) {
    const identity = (await stores.identities.getByUsername(d.username))!;
    if (!(await stores.devices.findActiveByMac(d.mac, now))) {
      await stores.devices.remember(identity.id, d.mac, new Date(now.getTime() + 365 * 86400_000), 'Téléphone de démo');
    }
  }

  return {
    federation: { name: federation.name, realm: federation.realm },
    radius: { secret: creds.radiusSecret, authPort: opts.authPort, acctPort: opts.acctPort },
    tenants,
    accessPoints,
    users,
    devices: DEVICES.map((d) => ({ username: d.username, mac: d.mac })),
    portal,
  };
}

function loadOrCreateCredentials(dataDir: string): DemoCredentials {
  const file = join(dataDir, 'demo-credentials.json');
  if (existsSync(file)) {
    const existing = JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials;
    if (existing.uamSecret) return existing;
    const upgraded = { ...existing, uamSecret: `uam-${randomBytes(12).toString('base64url')}` };
    writeFileSync(file, JSON.stringify(upgraded, null, 2) + '\n', { mode: 0o600 });
    return upgraded;
  }
  const word = () => randomBytes(6).toString('base64url');
  const creds: DemoCredentials = {
    radiusSecret: `demo-${randomBytes(12).toString('base64url')}`,
    uamSecret: `uam-${randomBytes(12).toString('base64url')}`,
    apiTokens: Object.fromEntries(TENANTS.map((t) => [t.input.slug, newToken('wfc')])),
    passwords: Object.fromEntries(USERS.map((u) => [u.username, `${u.username}-${word()}`])),
  };
  writeFileSync(file, JSON.stringify(creds, null, 2) + '\n', { mode: 0o600 });
  return creds;
}
