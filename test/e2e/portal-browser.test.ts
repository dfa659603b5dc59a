/**
 * The captive portal end to end, in a real headless Chromium (Debian's, via
 * playwright-core), against the whole controller started in process over
 * the demo federation, and a fake CoovaChilli on loopback that does what
 * the real one does with the hand-off: decode the token from `password=`
 * (PAP) or take `response=` (CHAP), send the Access-Request to RADIUS with
 * Debian's radclient, and redirect back to the portal with res=success or
 * res=failed, signed with the uamsecret.
 *
 * Screenshots of the main pages (phone viewport, FR and EN) go to
 * test-results/portal/; the best are copied to docs/portal/ by hand.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uamChallenge, uamPapDecode, uamUrlChecksum } from '../../captive-portal/nas/coovachilli.js';
import { hasBinary, q, radclient, type RadclientReply } from '../helpers/radclient.js';
import { useRedis } from '../helpers/services.js';
import { startDemoController, type DemoController } from './fixtures/demo-controller.js';

const CHROMIUM = '/usr/bin/chromium';
function haveChromium(): boolean {
  const found = existsSync(CHROMIUM);
  if (!found && process.env.CI === 'true') throw new Error(`${CHROMIUM} is required under CI (Debian's chromium package; .ci/run installs it)`);
  return found;
}
const ready = haveChromium() && hasBinary('radclient');
const redis = ready ? await useRedis() : null;
const SHOTS = join(process.cwd(), 'test-results', 'portal');

interface Hotspot {
  readonly slug: string;
  readonly radius: string;
  readonly called: string;
  readonly mac: string;
  readonly challenge: string;
  readonly uamSecret: string;
}

/** What the fake gateway saw and what RADIUS answered. */
interface Logon {
  readonly query: URLSearchParams;
  readonly token: string | null;
  readonly reply: RadclientReply;
  readonly attributes: readonly string[];
}

describe.skipIf(!ready)('captive portal in Chromium, with a CoovaChilli stand-in and radclient', () => {
  let c: DemoController;
  let browser: Browser;
  let gateway: Server;
  let uamPort: number;
  let portal: string;
  let secret: string;
  let hotspot: Hotspot | null = null;
  const logons: Logon[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const env: Record<string, string> = { WFC_PORTAL_SECURE_COOKIES: 'false', WFC_PORTAL_HOST: '127.0.0.1' };
    if (redis) Object.assign(env, { WFC_REDIS_URL: redis.url, WFC_REDIS_PREFIX: `wfc-e2e-portal-${randomBytes(4).toString('hex')}:` });
    c = await startDemoController(env);
    portal = `http://127.0.0.1:${c.running.addresses.portal}`;
    secret = c.demo.radius.secret;
    gateway = createServer((req, res) => {
      void handleLogon(new URL(req.url ?? '/', 'http://gw'))
        .then((location) => {
          res.writeHead(302, { location });
          res.end();
        })
        .catch((err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    uamPort = (gateway.address() as { port: number }).port;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (gateway ? gateway.close(resolve) : resolve(undefined)));
    await c?.stop();
    await redis?.stop();
  });

  /** The fake CoovaChilli's /logon: RADIUS with the decoded token, then back to the portal. */
  async function handleLogon(url: URL): Promise<string> {
    const h = hotspot!;
    expect(url.pathname).toBe('/logon');
    const p = url.searchParams;
    const username = p.get('username')!;
    const base = [`User-Name = ${q(username)}`, `Calling-Station-Id = ${q(h.mac)}`, `Called-Station-Id = ${q(h.called)}`, `NAS-Identifier = "chilli-${h.slug}"`, 'Message-Authenticator = 0x00'];
    let token: string | null = null;
    let attributes: string[];
    if (p.get('password')) {
      // PAP: what redir.c does before building User-Password.
      token = uamPapDecode(p.get('password')!, h.challenge, h.uamSecret);
      attributes = [...base, `User-Password = ${q(token)}`];
    } else {
      // CHAP: ident 0 + response, with challenge' as CHAP-Challenge.
      attributes = [...base, `CHAP-Password = 0x00${p.get('response')!}`, `CHAP-Challenge = 0x${uamChallenge(h.challenge, h.uamSecret).toString('hex')}`];
    }
    const reply = await radclient({ server: h.radius, kind: 'auth', secret, attributes });
    logons.push({ query: p, token, reply, attributes });
    const ok = reply.code === 'Access-Accept';
    return chilliRedirect(h, ok ? { res: 'success', uamip: '127.0.0.1', uamport: String(uamPort), mac: h.mac, userurl: p.get('userurl') ?? '' } : { res: 'failed', uamip: '127.0.0.1', uamport: String(uamPort), mac: h.mac, challenge: h.challenge, reply: reply.attributes.get('Reply-Message')?.[0] ?? '' });
  }

  /** The redirect CoovaChilli sends a browser to, `md` and all. */
  function chilliRedirect(h: Hotspot, params: Record<string, string>): string {
    const url = `${portal}/t/${h.slug}/?${new URLSearchParams(params).toString()}`;
    return `${url}&md=${uamUrlChecksum(url, h.uamSecret)}`;
  }

  function arrive(h: Hotspot): string {
    hotspot = h;
    return chilliRedirect(h, { res: 'notyet', uamip: '127.0.0.1', uamport: String(uamPort), challenge: h.challenge, called: h.called.split(':')[0]!, mac: h.mac, ip: '10.1.0.77', nasid: `chilli-${h.slug}`, userurl: 'http://example.com/news?id=42' });
  }

  function hotspotAt(slug: 'valence' | 'crest', mac: string): Hotspot {
    const settings = c.demo.portal.find((t) => t.slug === slug)!;
    return {
      slug,
      radius: slug === 'valence' ? `127.0.0.1:${c.running.addresses.radiusAuth}` : `[::1]:${c.running.addresses.radiusAuth}`,
      called: slug === 'valence' ? '00-11-22-33-44-01:Wifi-Valence' : '00-11-22-33-45-01:Wifi-Crest',
      mac,
      challenge: randomBytes(16).toString('hex'),
      uamSecret: settings.uamSecret!,
    };
  }

  async function phone(locale: string, javaScriptEnabled: boolean): Promise<BrowserContext> {
    const userAgent = locale.startsWith('fr')
      ? 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36'
      : 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
    return browser.newContext({ locale, userAgent, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, javaScriptEnabled });
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  /** The code in the newest outbox message to this address. */
  async function codeFromOutbox(to: string): Promise<string> {
    const dir = join(c.dataDir, 'outbox');
    for (let i = 0; i < 100; i++) {
      const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
      for (const f of files.reverse()) {
        const m = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { to: string; text: string };
        const code = m.to === to ? /\b(\d{6})\b/.exec(m.text)?.[1] : undefined;
        if (code) return code;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no code for ${to} in the outbox`);
  }

  async function captiveApi(page: Page, slug: string): Promise<Record<string, unknown>> {
    const res = await page.request.get(`${portal}/t/${slug}/api/captive`);
    expect(res.headers()['content-type']).toBe('application/captive+json; charset=utf-8');
    return (await res.json()) as Record<string, unknown>;
  }

  async function accountingStart(username: string, mac: string, sessionId: string): Promise<void> {
    const r = await radclient({
      server: `127.0.0.1:${c.running.addresses.radiusAcct}`,
      kind: 'acct',
      secret,
      attributes: ['Acct-Status-Type = Start', `User-Name = ${q(username)}`, `Acct-Session-Id = ${q(sessionId)}`, 'NAS-IP-Address = 127.0.0.1', `Calling-Station-Id = ${q(mac)}`, 'Called-Station-Id = "00-11-22-33-44-01:Wifi-Valence"', 'Framed-IP-Address = 127.0.0.1'],
    });
    expect(r.code).toBe('Accounting-Response');
  }

  it('FR, without JavaScript: CoovaChilli redirect → register → code from the outbox → verify → log in → gateway logon → RADIUS accepts the PAP token; RFC 8908; the remembered device passes MAC authentication at Crest', async () => {
    const mac = '02-E2-E0-00-00-01';
    const ctx = await phone('fr-FR', false);
    const page = await ctx.newPage();
    try {
      await page.goto(arrive(hotspotAt('valence', mac)));
      expect(await page.locator('html').getAttribute('lang')).toBe('fr');
      expect(await page.locator('h1').textContent()).toBe('Bienvenue sur le Wi-Fi public');
      await shot(page, 'fr-1-accueil');

      await page.getByRole('link', { name: 'Créer un compte' }).click();
      await page.getByLabel('Adresse e-mail', { exact: true }).fill('lea@example.org');
      await page.getByLabel('Identifiant', { exact: false }).first().fill('lea');
      await page.getByLabel('Mot de passe').fill('court');
      await page.getByRole('button', { name: 'Créer mon compte' }).click();
      expect(await page.getByRole('alert').textContent()).toContain('au moins 10 caractères');
      await shot(page, 'fr-2-inscription-erreurs');
      await page.getByLabel('Mot de passe').fill('un vélo sous la pluie');
      await page.getByRole('checkbox', { name: /J’accepte les/ }).check();
      await page.getByRole('button', { name: 'Créer mon compte' }).click();

      await page.waitForURL(/\/t\/valence\/verify$/);
      expect(await page.locator('main').textContent()).toContain('l\u2060…\u2060a@example.org');
      await page.getByLabel('Code à 6 chiffres').fill(await codeFromOutbox('lea@example.org'));
      await shot(page, 'fr-3-code');
      await page.getByRole('button', { name: 'Valider' }).click();

      await page.waitForURL(/\/t\/valence\/login\?done=verified/);
      expect(await page.getByRole('status').textContent()).toContain('Votre adresse est confirmée');
      expect(await page.getByLabel('Identifiant ou adresse e-mail').inputValue()).toBe('lea');
      await page.getByLabel('Mot de passe').fill('un vélo sous la pluie');
      await page.getByRole('checkbox', { name: /Se souvenir de cet appareil/ }).check();
      await shot(page, 'fr-4-connexion');
      await page.getByRole('button', { name: 'Se connecter' }).click();

      // Portal → fake CoovaChilli /logon → RADIUS → back to the portal with res=success → status page.
      await page.waitForURL(/\/t\/valence\/status$/);
      const logon = logons.at(-1)!;
      expect(logon.query.get('username')).toBe('lea');
      expect(logon.query.get('userurl')).toBe('http://example.com/news?id=42');
      expect(logon.token).toMatch(/^wfct_/);
      expect(logon.reply.code, logon.reply.output).toBe('Access-Accept');
      expect(logon.reply.attributes.get('User-Name')).toEqual(['lea']);
      expect(logon.reply.attributes.get('Session-Timeout')).toEqual(['14400']);
      // One time only: the same token again is refused.
      const replay = await radclient({ server: hotspot!.radius, kind: 'auth', secret, attributes: logon.attributes });
      expect(replay.code).toBe('Access-Reject');

      // RFC 8908: captive until the gateway's accounting makes the session live.
      expect(await captiveApi(page, 'valence')).toMatchObject({ captive: true, 'user-portal-url': `${portal}/t/valence/` });
      await accountingStart('lea', mac, `e2e-lea-${randomBytes(3).toString('hex')}`);
      const api = await captiveApi(page, 'valence');
      expect(api).toMatchObject({ captive: false, 'can-extend-session': true });
      expect(api['seconds-remaining']).toBeGreaterThan(14_000);

      await page.reload();
      expect((await page.locator('h1').textContent())?.trim()).toBe('Connecté');
      expect(await page.locator('#time-left').textContent()).toMatch(/^3 h 59 min|^4 h 00 min/);
      expect(await page.locator('ul.devices').textContent()).toContain('e2:e0:00:00:01'.slice(-5));
      await shot(page, 'fr-5-connecte');

      // Remembered: the same phone at Crest's access point passes by MAC authentication (IPv6 client).
      const atCrest = await radclient({
        server: `[::1]:${c.running.addresses.radiusAuth}`,
        kind: 'auth',
        secret,
        attributes: [`User-Name = ${q(mac)}`, `User-Password = ${q(mac)}`, `Calling-Station-Id = ${q(mac)}`, 'Called-Station-Id = "00-11-22-33-45-02:Wifi-Crest"', 'Message-Authenticator = 0x00'],
      });
      expect(atCrest.code, atCrest.output).toBe('Access-Accept');
      expect(atCrest.attributes.get('User-Name')).toEqual(['lea']);

      // Forget it on the status page: MAC authentication stops.
      await page.getByRole('button', { name: /Oublier l’appareil/ }).click();
      expect(await page.getByRole('status').textContent()).toContain('L’appareil est oublié');
      const forgotten = await radclient({ server: `[::1]:${c.running.addresses.radiusAuth}`, kind: 'auth', secret, attributes: [`User-Name = ${q(mac)}`, `User-Password = ${q(mac)}`, `Calling-Station-Id = ${q(mac)}`, 'Message-Authenticator = 0x00'] });
      expect(forgotten.code).toBe('Access-Reject');
    } finally {
      await ctx.close();
    }
  }, 90_000);

  it('EN, with JavaScript: the same at Crest, where the gateway hands the token over by CHAP', async () => {
    const mac = '02-E2-E0-00-00-02';
    const ctx = await phone('en-GB', true);
    const page = await ctx.newPage();
    try {
      await page.goto(arrive(hotspotAt('crest', mac)));
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      expect(await page.locator('h1').textContent()).toBe('Welcome to the public Wi-Fi');
      await shot(page, 'en-1-welcome');
      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.getByLabel('E-mail address', { exact: true }).fill('sam@example.org');
      await page.getByLabel('Username', { exact: false }).first().fill('sam');
      await page.getByLabel('Password', { exact: false }).first().fill('a bicycle in the rain');
      await page.getByRole('checkbox', { name: /I accept the/ }).check();
      await shot(page, 'en-2-register');
      await page.getByRole('button', { name: 'Create my account' }).click();
      await page.waitForURL(/\/t\/crest\/verify$/);
      await page.getByLabel('6-digit code').fill(await codeFromOutbox('sam@example.org'));
      await shot(page, 'en-3-code');
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.waitForURL(/\/t\/crest\/login\?done=verified/);
      await page.getByLabel('Password', { exact: true }).fill('a bicycle in the rain');
      await shot(page, 'en-4-sign-in');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/t\/crest\/status$/);
      const logon = logons.at(-1)!;
      expect(logon.query.get('password')).toBeNull();
      expect(logon.query.get('response')).toMatch(/^[0-9a-f]{32}$/);
      expect(logon.reply.code, logon.reply.output).toBe('Access-Accept');
      expect(logon.reply.attributes.get('User-Name')).toEqual(['sam']);
      expect((await page.locator('h1').textContent())?.trim()).toBe('Connected');
      await shot(page, 'en-5-connected');
      // Not remembered: no MAC authentication.
      const mab = await radclient({ server: `127.0.0.1:${c.running.addresses.radiusAuth}`, kind: 'auth', secret, attributes: [`User-Name = ${q(mac)}`, `User-Password = ${q(mac)}`, `Calling-Station-Id = ${q(mac)}`, 'Message-Authenticator = 0x00'] });
      expect(mab.code).toBe('Access-Reject');
      // Sign out sends the browser to the gateway's logoff URL.
      const [req] = await Promise.all([page.waitForRequest((r) => r.url().includes('/logoff')), page.getByRole('button', { name: 'Sign out' }).click()]);
      expect(req.url()).toBe(`http://127.0.0.1:${uamPort}/logoff`);
    } finally {
      await ctx.close();
    }
  }, 90_000);

  it('a wrong password, then an unknown municipality, each in the visitor’s language', async () => {
    const ctx = await phone('en-GB', false);
    const page = await ctx.newPage();
    try {
      await page.goto(arrive(hotspotAt('valence', '02-E2-E0-00-00-03')));
      await page.getByLabel('Username or e-mail address').fill('alice');
      await page.getByLabel('Password').fill('certainly not hers');
      await page.getByRole('button', { name: 'Sign in' }).click();
      expect((await page.getByRole('alert').textContent())?.trim()).toBe('Wrong username or password.');
      await shot(page, 'en-6-wrong-password');
      const res = await page.goto(`${portal}/t/atlantis/`);
      expect(res!.status()).toBe(404);
      expect((await page.locator('h1').textContent())?.trim()).toBe('Page not found');
    } finally {
      await ctx.close();
    }
  }, 60_000);
});
