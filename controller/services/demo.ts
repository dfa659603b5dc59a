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
import type { Locale, Tenant } from '../domain/entities.js';
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
}

const FEDERATION = { name: 'Wi-Fi public Drôme (démo)', realm: 'wifi.demo-drome.fr' };

const TENANTS = [
  {
    input: { slug: 'valence', name: 'Ville de Valence', inseeCode: '26362', primaryColor: '#b3262b' },
    client: { name: 'Passerelles de Valence (démo, loopback IPv4)', network: '127.0.0.0/8' },
    aps: [
      { mac: '00:11:22:33:44:01', name: 'Parc Jouvet', site: 'Parc Jouvet', latitude: 44.9281, longitude: 4.8893, placement: 'outdoor', model: 'Ubiquiti U6 Mesh' },
      { mac: '00:11:22:33:44:02', name: 'Médiathèque Latour-Maubourg', site: 'Médiathèque', latitude: 44.9334, longitude: 4.8924, placement: 'indoor', model: 'TP-Link EAP245' },
    ],
  },
  {
    input: { slug: 'crest', name: 'Ville de Crest', inseeCode: '26108', primaryColor: '#2d6a4f' },
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
  for (const t of TENANTS) {
    const tenant: Tenant = (await stores.tenants.getBySlug(t.input.slug)) ?? (await createTenant(stores, t.input, ACTOR));
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
  };
}

function loadOrCreateCredentials(dataDir: string): DemoCredentials {
  const file = join(dataDir, 'demo-credentials.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials;
  const word = () => randomBytes(6).toString('base64url');
  const creds: DemoCredentials = {
    radiusSecret: `demo-${randomBytes(12).toString('base64url')}`,
    apiTokens: Object.fromEntries(TENANTS.map((t) => [t.input.slug, newToken('wfc')])),
    passwords: Object.fromEntries(USERS.map((u) => [u.username, `${u.username}-${word()}`])),
  };
  writeFileSync(file, JSON.stringify(creds, null, 2) + '\n', { mode: 0o600 });
  return creds;
}
