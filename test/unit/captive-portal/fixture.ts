/**
 * A portal over in-memory stores and state, on a manual clock, listening on
 * an ephemeral loopback port for the duration of a test file, and a small
 * cookie-keeping client to drive it like a browser without JavaScript.
 */
import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import { createMemoryLoginTokens } from '../../../controller/adapters/memory/login-tokens.js';
import { createMemorySharedState } from '../../../controller/adapters/memory/shared-state.js';
import { MemoryVerificationCodeStore } from '../../../controller/adapters/memory/verification-codes.js';
import { openSqliteStores } from '../../../controller/adapters/sqlite/index.js';
import type { PortalSettings, Tenant } from '../../../controller/domain/entities.js';
import { createLogger } from '../../../controller/log.js';
import { createMetrics } from '../../../controller/metrics.js';
import type { Mailer, MailMessage } from '../../../controller/ports/mailer.js';
import type { SharedState } from '../../../controller/ports/shared-state.js';
import type { Stores } from '../../../controller/ports/stores.js';
import { createPasswordHasher } from '../../../controller/security/passwords.js';
import { createIdentity } from '../../../controller/services/identities.js';
import { createTenant } from '../../../controller/services/tenants.js';
import { createPortalApp } from '../../../captive-portal/app.js';
import type { PortalLimits } from '../../../captive-portal/deps.js';
import type { LoginTokenStore } from '../../../controller/ports/login-tokens.js';

export const UAM_SECRET = 'uam-test-secret';
export const FAS_KEY = 'fas-test-key-0123456789';
export const SECRET = 'portal-test-secret-portal-test-secret';

export interface Fixture {
  readonly url: string;
  readonly stores: Stores;
  readonly shared: SharedState;
  readonly tokens: LoginTokenStore;
  readonly mails: MailMessage[];
  readonly metrics: ReturnType<typeof createMetrics>;
  /** argon2id verifications the portal ran. */
  verifies(): number;
  readonly tenants: Record<'chilli' | 'chap' | 'generic' | 'opennds' | 'legacy' | 'plain' | 'eu', Tenant>;
  advance(ms: number): void;
  now(): Date;
  client(headers?: Record<string, string>): Client;
  close(): Promise<void>;
}

export interface PortalFixtureOptions {
  readonly limits?: Partial<PortalLimits>;
  readonly publicUrl?: string | null;
  /** A database file instead of :memory:, for tests that read its bytes. */
  readonly sqliteFile?: string;
  /** Every log line the portal writes (all levels) is pushed here; silent otherwise. */
  readonly logLines?: string[];
}

export async function startPortal(opts: PortalFixtureOptions = {}): Promise<Fixture> {
  let t = Date.parse('2030-03-01T09:00:00Z');
  const clock = { now: () => new Date(t) };
  const stores = openSqliteStores(opts.sqliteFile ? { file: opts.sqliteFile } : { memory: true }, { clock });
  // Cheap argon2id parameters: the tests check behaviour, not cost.
  const real = createPasswordHasher({ memoryCost: 1024, timeCost: 1 });
  let verifies = 0;
  const hasher = {
    hash: (pw: string) => real.hash(pw),
    verify: (h: string, pw: string) => {
      verifies++;
      return real.verify(h, pw);
    },
    get queued() {
      return real.queued;
    },
  };
  await stores.federation.set({ name: 'Test', realm: 'wifi.test.example' });
  const mk = async (slug: string, portal: PortalSettings | null, extra: Record<string, unknown> = {}) => {
    const tenant = await createTenant(stores, { slug, name: `Ville de ${slug}`, inseeCode: '26362', primaryColor: '#b3262b', ...extra }, 'test');
    return portal ? stores.tenants.update(tenant.id, { portal }) : tenant;
  };
  const chilli = (over: Partial<PortalSettings> = {}): PortalSettings => ({ gateway: 'coovachilli', uamSecret: UAM_SECRET, uamAuth: 'pap', fasKey: null, walledGarden: [], ...over });
  const tenants = {
    chilli: await mk('valence', chilli({ walledGarden: ['cdn.valence.example'] })),
    chap: await mk('crest', chilli({ uamAuth: 'chap' })),
    generic: await mk('die', chilli({ gateway: 'generic', uamSecret: null })),
    opennds: await mk('nyons', chilli({ gateway: 'opennds', uamSecret: null, fasKey: FAS_KEY })),
    legacy: await mk('dieulefit', chilli({ gateway: 'opennds', uamSecret: null })),
    plain: await mk('saou', null),
    eu: await mk('tain', chilli()),
  };
  tenants.eu = await stores.tenants.update(tenants.eu.id, { wifi4eu: { networkId: '123e4567-e89b-12d3-a456-426655440000', language: 'fr', selfTest: true } });
  await createIdentity(stores, hasher, { username: 'alice', email: 'alice@example.org', password: 'alice-password-1', verified: true }, 'test');
  await createIdentity(stores, hasher, { username: 'bob', email: 'bob@example.org', password: 'bob-password-12', verified: true, locale: 'en' }, 'test');

  const mails: MailMessage[] = [];
  const mailer: Mailer = { transport: 'outbox', send: async (m) => void mails.push(m), close: async () => {} };
  const shared = createMemorySharedState({ clock });
  const tokens = createMemoryLoginTokens({ now: () => t });
  const metrics = createMetrics({ defaultMetrics: false });
  const app = createPortalApp({
    stores,
    live: shared.liveSessions,
    limiter: shared.rateLimits,
    tokens,
    codes: new MemoryVerificationCodeStore({ clock }),
    mailer,
    hasher,
    metrics,
    log: opts.logLines ? createLogger({ level: 'trace' }, { write: (line: string) => void opts.logLines!.push(line) }) : createLogger({ level: 'silent' }),
    clock,
    secret: SECRET,
    publicUrl: opts.publicUrl ?? null,
    secureCookies: false,
    limits: opts.limits,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    stores,
    shared,
    tokens,
    mails,
    metrics,
    verifies: () => verifies,
    tenants,
    advance: (ms) => void (t += ms),
    now: () => new Date(t),
    client: (headers = {}) => new Client(url, headers),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface Page {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  readonly location: string | null;
}

/** Keeps cookies like a browser; never follows redirects, so tests see each step. */
export class Client {
  readonly cookies = new Map<string, string>();
  last: Page | null = null;

  constructor(
    readonly base: string,
    readonly headers: Record<string, string> = {},
  ) {}

  private async send(path: string, init: RequestInit): Promise<Page> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(path.startsWith('http') ? path : this.base + path, {
      ...init,
      redirect: 'manual',
      headers: { ...this.headers, ...(cookie ? { cookie } : {}), ...(init.headers as Record<string, string> | undefined) },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/Expires=Thu, 01 Jan 1970/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const page = { status: res.status, headers: res.headers, body: await res.text(), location: res.headers.get('location') };
    this.last = page;
    return page;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Page> {
    return this.send(path, { method: 'GET', headers });
  }

  /** Posts a form; `_csrf` comes from the last page unless given. */
  post(path: string, fields: Record<string, string>, from: Page | null = this.last): Promise<Page> {
    const body = new URLSearchParams();
    const csrf = from ? hidden(from.body, '_csrf') : null;
    if (csrf && !('_csrf' in fields)) body.set('_csrf', csrf);
    for (const [k, v] of Object.entries(fields)) body.set(k, v);
    return this.send(path, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }
}

export function hidden(body: string, name: string): string | null {
  const m = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(body);
  return m ? m[1]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>') : null;
}

/** The 6-digit code in the last mail to this address. */
export function codeFor(mails: readonly MailMessage[], to: string): string {
  const m = [...mails].reverse().find((x) => x.to === to);
  const code = m ? /\b(\d{6})\b/.exec(m.text)?.[1] : undefined;
  if (!code) throw new Error(`no code mailed to ${to}`);
  return code;
}

/** A CoovaChilli redirect, signed like redir.c does, to the portal page at `base + path`. */
export function chilliRedirect(base: string, path: string, params: Record<string, string>, secret: string | null = UAM_SECRET): string {
  const query = new URLSearchParams(params).toString();
  const url = `${base}${path}?${query}`;
  if (!secret) return url;
  const md = createHash('md5').update(url).update(secret).digest('hex').toUpperCase();
  return `${url}&md=${md}`;
}

export const CHALLENGE = '0123456789abcdef0123456789abcdef';
export const CLIENT_MAC = '02-00-00-00-0a-01';

export function chilliParams(over: Record<string, string> = {}): Record<string, string> {
  return {
    res: 'notyet',
    uamip: '10.1.0.1',
    uamport: '3990',
    challenge: CHALLENGE,
    called: '00-11-22-33-44-01',
    mac: CLIENT_MAC,
    ip: '10.1.0.23',
    nasid: 'chilli-valence-1',
    userurl: 'http://example.com/page?a=1&b=2',
    ...over,
  };
}
