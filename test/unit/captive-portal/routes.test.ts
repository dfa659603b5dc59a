/**
 * The portal's routes in process, over HTTP on an ephemeral loopback port:
 * every page and every error path a citizen or a hostile peer can reach.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Mac } from '../../../controller/domain/mac.js';
import { uamChallenge, uamPapDecode } from '../../../captive-portal/nas/coovachilli.js';
import { openNdsRhid } from '../../../captive-portal/nas/opennds.js';
import { CHALLENGE, FAS_KEY, UAM_SECRET, chilliParams, chilliRedirect, codeFor, hidden, startPortal, type Client, type Fixture, type Page } from './fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await startPortal();
});
afterAll(async () => {
  await f?.close();
});

/** No inline script or style anywhere: the CSP forbids them, so pages must not need them. */
function expectNoInline(p: Page): void {
  expect(p.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  expect(p.body).not.toMatch(/\sstyle=/);
  expect(p.body).not.toMatch(/<style/);
  expect(p.body).not.toMatch(/\son[a-z]+=/i);
}

async function atGateway(c: Client, path = '/t/valence/', params: Record<string, string> = chilliParams(), secret: string | null = UAM_SECRET): Promise<Page> {
  return c.get(chilliRedirect(f.url, path, params, secret));
}

async function register(c: Client, tenant: string, username: string, email: string, password = 'correct horse battery'): Promise<Page> {
  await c.get(`/t/${tenant}/register`);
  return c.post(`/t/${tenant}/register`, { email, username, password, terms: '1' });
}

describe('municipality resolution and language', () => {
  it('an unknown municipality gets one clear 404 page, in French by default', async () => {
    const p = await f.client().get('/t/atlantis/');
    expect(p.status).toBe(404);
    expect(p.headers.get('x-wfc-error')).toBe('WFC_TENANT_NOT_FOUND');
    expect(p.body).toContain('<html lang="fr">');
    expect(p.body).toContain('Page introuvable');
    const weird = await f.client().get('/t/NOT..A..SLUG/login');
    expect(weird.status).toBe(404);
  });

  it('the 404 page follows Accept-Language', async () => {
    const p = await f.client({ 'accept-language': 'en-GB,en;q=0.9,fr;q=0.5' }).get('/t/atlantis/login');
    expect(p.status).toBe(404);
    expect(p.body).toContain('<html lang="en">');
    expect(p.body).toContain('Page not found');
  });

  it('an unknown page of a known municipality is a branded 404', async () => {
    const p = await f.client().get('/t/valence/nope');
    expect(p.status).toBe(404);
    expect(p.body).toContain('Ville de valence');
  });

  it('French by default, English by Accept-Language, and the switch link sets a cookie', async () => {
    const c = f.client({ 'accept-language': 'de-DE,de;q=0.9' });
    expect((await c.get('/t/valence/')).body).toContain('<html lang="fr">');
    const en = f.client({ 'accept-language': 'en-US,en;q=0.8' });
    const p = await en.get('/t/valence/');
    expect(p.body).toContain('<html lang="en">');
    expect(p.body).toContain('Sign in');
    const link = /<a href="([^"]+)" lang="fr" hreflang="fr">Français<\/a>/.exec(p.body)![1]!.replace(/&amp;/g, '&');
    expect((await en.get(link)).body).toContain('<html lang="fr">');
    // The cookie now wins over Accept-Language.
    expect((await en.get('/t/valence/register')).body).toContain('<html lang="fr">');
    expect(en.cookies.get('wfc_lang')).toBe('fr');
  });

  it('every page is small, accessible and free of inline script and style', async () => {
    const c = f.client();
    for (const path of ['/', '/login', '/register', '/forgot', '/terms', '/privacy']) {
      const p = await c.get(`/t/valence${path}`);
      expect(p.status, path).toBe(200);
      expectNoInline(p);
      expect(p.body.length, path).toBeLessThan(8_000);
      expect(p.body).toMatch(/<html lang="(fr|en)">/);
      expect(p.body).toContain('<a class="skip" href="#main">');
      // Every visible input has a label.
      for (const [, id] of p.body.matchAll(/<input type="(?:text|email|password|checkbox)" id="([^"]+)"/g)) expect(p.body, `${path} #${id}`).toContain(`for="${id}"`);
    }
  });

  it('terms and privacy say what is kept and for how long (CPCE L34-1, one year)', async () => {
    const p = await f.client().get('/t/valence/privacy');
    expect(p.body).toContain('L34-1');
    expect(p.body).toContain('2021-1362');
    expect(p.body).toContain('un an');
    const en = await f.client({ 'accept-language': 'en' }).get('/t/valence/privacy');
    expect(en.body).toContain('one year');
    expect((await f.client().get('/t/valence/terms')).body).toContain('Conditions d’utilisation');
  });

  it('security headers: strict CSP, no referrer, nosniff, frames denied; cookies HttpOnly and SameSite=Lax', async () => {
    const res = await fetch(`${f.url}/t/valence/`);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('script-src');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-powered-by')).toBeNull();
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('wfc_csrf='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
  });

  it('the stylesheet carries the municipality colour with readable text on it', async () => {
    const res = await fetch(`${f.url}/t/valence/style.css`);
    expect(res.headers.get('content-type')).toMatch(/text\/css/);
    const css = await res.text();
    expect(css).toContain('--brand:#b3262b');
    expect(css).toContain('--on-brand:#ffffff');
    expect((await fetch(`${f.url}/style.css`)).status).toBe(200);
    expect(await (await fetch(`${f.url}/handoff.js`)).text()).toContain("getElementById('handoff')");
  });
});

describe('CoovaChilli redirects', () => {
  it('a signed redirect shows the login page with the remember-this-device option', async () => {
    const c = f.client();
    const p = await atGateway(c);
    expect(p.status).toBe(200);
    expect(p.body).toContain('name="remember"');
    expect(c.cookies.has('wfc_gw')).toBe(true);
    expect(p.headers.get('content-security-policy')).toContain("form-action 'self' http://10.1.0.1:3990");
  });

  it.each([
    ['a wrong md', (u: string) => u.replace(/md=[0-9A-F]{2}/, 'md=00'), 'md-invalid'],
    ['no md although a uamsecret is set', (u: string) => u.replace(/&md=[0-9A-F]+$/, ''), 'md-missing'],
    ['a tampered MAC', (u: string) => u.replace('02-00-00-00-0a-01', '02-00-00-00-0a-99'), 'md-invalid'],
  ])('%s: 400 bad gateway parameters', async (_name, mangle, reason) => {
    const url = mangle(chilliRedirect(f.url, '/t/valence/', chilliParams()));
    const p = await f.client().get(url);
    expect(p.status).toBe(400);
    expect(p.headers.get('x-wfc-error')).toBe('WFC_PORTAL_BAD_GATEWAY');
    expect(p.body).toContain('Paramètres du point d’accès invalides');
    expect(await f.metrics.registry.getSingleMetricAsString('wfc_portal_bad_gateway_params_total')).toContain(`reason="${reason}"`);
  });

  it.each([
    ['a public uamip', { uamip: '8.8.8.8' }, 'bad-address'],
    ['a bad MAC', { mac: 'zz-zz' }, 'bad-mac'],
    ['a short challenge', { challenge: 'abcd' }, 'bad-challenge'],
    ['no challenge', { challenge: '' }, 'missing-param'],
    ['a bad port', { uamport: '99999' }, 'bad-address'],
  ])('%s, even signed: 400', async (_name, over, reason) => {
    const params = chilliParams(over);
    if (params.challenge === '') delete params.challenge;
    const p = await atGateway(f.client(), '/t/valence/', params);
    expect(p.status).toBe(400);
    expect(await f.metrics.registry.getSingleMetricAsString('wfc_portal_bad_gateway_params_total')).toContain(`reason="${reason}"`);
  });

  it('gateway parameters at a municipality without gateway settings, or of another protocol: 400', async () => {
    expect((await atGateway(f.client(), '/t/saou/')).status).toBe(400);
    expect((await atGateway(f.client(), '/t/die/')).status).toBe(400);
  });

  it('res=failed shows the gateway’s reason; res=success goes to the status page', async () => {
    const c = f.client();
    const failed = await atGateway(c, '/t/valence/', chilliParams({ res: 'failed', reply: 'Quota épuisé' }));
    expect(failed.status).toBe(200);
    expect(failed.body).toContain('Quota épuisé');
    const ok = await atGateway(c, '/t/valence/', chilliParams({ res: 'success' }));
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/t/valence/status');
  });

  it('a page opened without a gateway says how to get online and offers no device memory', async () => {
    const p = await f.client().get('/t/valence/');
    expect(p.body).toContain('Vous n’êtes pas passé par un point d’accès');
    expect(p.body).not.toContain('name="remember"');
  });
});

describe('login and hand-off', () => {
  it('PAP: a right password sends the browser to the gateway logon URL with the encoded one-time token', async () => {
    const c = f.client();
    await atGateway(c);
    const p = await c.post('/t/valence/login', { login: 'alice', password: 'alice-password-1' });
    expect(p.status).toBe(303);
    const to = new URL(p.location!);
    expect(`${to.origin}${to.pathname}`).toBe('http://10.1.0.1:3990/logon');
    expect(to.searchParams.get('username')).toBe('alice');
    expect(to.searchParams.get('userurl')).toBe('http://example.com/page?a=1&b=2');
    const token = uamPapDecode(to.searchParams.get('password')!, CHALLENGE, UAM_SECRET);
    expect(token).toMatch(/^wfct_[A-Za-z0-9_-]{22}$/);
    const stored = await f.tokens.peek(token);
    const alice = await f.stores.identities.getByUsername('alice');
    expect(stored).toMatchObject({ identityId: alice!.id, tenantId: f.tenants.chilli.id, mac: '02:00:00:00:0a:01' });
    expect(stored!.expiresAt.getTime() - f.now().getTime()).toBe(120_000);
    expect(c.cookies.has('wfc_sess')).toBe(true);
  });

  it('CHAP: the response is MD5(0 || token || MD5(challenge || uamsecret)) of the pending token', async () => {
    const c = f.client();
    await atGateway(c, '/t/crest/');
    const p = await c.post('/t/crest/login', { login: 'alice@example.org', password: 'alice-password-1' });
    const to = new URL(p.location!);
    expect(to.searchParams.get('password')).toBeNull();
    const alice = await f.stores.identities.getByUsername('alice');
    const token = await f.tokens.pending(alice!.id, '02:00:00:00:0a:01' as Mac);
    expect(token!.tenantId).toBe(f.tenants.chap.id);
    const expected = createHash('md5').update(Buffer.from([0])).update(token!.secret).update(uamChallenge(CHALLENGE, UAM_SECRET)).digest('hex');
    expect(to.searchParams.get('response')).toBe(expected);
  });

  it('gateway settings changed since the redirect: no hand-off with stale parameters', async () => {
    const c = f.client();
    await atGateway(c);
    const before = f.tenants.chilli.portal!;
    await f.stores.tenants.update(f.tenants.chilli.id, { portal: { ...before, gateway: 'generic' } });
    try {
      const p = await c.post('/t/valence/login', { login: 'alice', password: 'alice-password-1' });
      expect(p.status).toBe(303);
      expect(p.location).toBe('/t/valence/status');
    } finally {
      await f.stores.tenants.update(f.tenants.chilli.id, { portal: before });
    }
  });

  it('user@realm logs in too', async () => {
    const c = f.client();
    await atGateway(c);
    expect((await c.post('/t/valence/login', { login: 'alice@wifi.test.example', password: 'alice-password-1' })).status).toBe(303);
  });

  it('without a gateway, a login lands on the status page', async () => {
    const c = f.client();
    await c.get('/t/valence/login');
    const p = await c.post('/t/valence/login', { login: 'bob', password: 'bob-password-12' });
    expect(p.status).toBe(303);
    expect(p.location).toBe('/t/valence/status');
    const s = await c.get('/t/valence/status');
    expect(s.status).toBe(200);
    expect(s.body).toContain('bob');
  });

  it('a wrong password and an unknown account get the same answer', async () => {
    const c = f.client();
    await c.get('/t/valence/login');
    const wrong = await c.post('/t/valence/login', { login: 'alice', password: 'not-her-password' });
    const unknown = await c.post('/t/valence/login', { login: 'nobody-here', password: 'not-her-password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.headers.get('x-wfc-error')).toBe('WFC_PORTAL_LOGIN_FAILED');
    expect(unknown.headers.get('x-wfc-error')).toBe('WFC_PORTAL_LOGIN_FAILED');
    const strip = (b: string) => b.replace(/value="[^"]*"/g, '');
    expect(strip(wrong.body)).toBe(strip(unknown.body));
    expect(wrong.body).toContain('Identifiant ou mot de passe incorrect.');
    // The unknown account cost an argon2id verification too (a dummy hash): no timing difference.
    const before = f.verifies();
    await c.post('/t/valence/login', { login: 'still-nobody', password: 'whatever-password' });
    expect(f.verifies()).toBe(before + 1);
    expect(c.cookies.has('wfc_sess')).toBe(false);
  });

  it('a bad CSRF token, or none, is refused with 403 and nothing happens', async () => {
    const c = f.client();
    await c.get('/t/valence/login');
    const bad = await c.post('/t/valence/login', { login: 'alice', password: 'alice-password-1', _csrf: 'forged' });
    expect(bad.status).toBe(403);
    expect(bad.headers.get('x-wfc-error')).toBe('WFC_PORTAL_BAD_CSRF');
    expect(bad.body).toContain('Formulaire expiré');
    const stranger = f.client();
    const none = await stranger.post('/t/valence/login', { login: 'alice', password: 'alice-password-1' }, null);
    expect(none.status).toBe(403);
    // Another browser's valid token does not fit this browser's cookie.
    const other = await f.client().get('/t/valence/login');
    const cross = await c.post('/t/valence/login', { login: 'alice', password: 'alice-password-1', _csrf: hidden(other.body, '_csrf')! });
    expect(cross.status).toBe(403);
    expect(c.cookies.has('wfc_sess')).toBe(false);
    expect(await f.metrics.registry.getSingleMetricAsString('wfc_portal_csrf_failures_total')).toMatch(/tenant="valence"} [3-9]/);
  });

  it('a disabled account is refused after the right password only', async () => {
    const c = f.client();
    await register(c, 'valence', 'dora', 'dora@example.org');
    await c.post('/t/valence/verify', { code: codeFor(f.mails, 'dora@example.org') });
    const dora = (await f.stores.identities.getByUsername('dora'))!;
    await f.stores.identities.update(dora.id, { disabled: true });
    await c.get('/t/valence/login');
    expect((await c.post('/t/valence/login', { login: 'dora', password: 'wrong-password-x' })).status).toBe(401);
    const p = await c.post('/t/valence/login', { login: 'dora', password: 'correct horse battery' });
    expect(p.status).toBe(403);
    expect(p.headers.get('x-wfc-error')).toBe('WFC_PORTAL_ACCOUNT_DISABLED');
    expect(p.body).toContain('Ce compte est désactivé');
  });
});

describe('rate limits and lockout', () => {
  let g: Fixture;
  beforeEach(async () => {
    g?.close();
    g = await startPortal({ limits: { loginPerAccount: { limit: 3, windowMs: 600_000 }, loginPerIp: { limit: 8, windowMs: 600_000 }, registerPerIp: { limit: 2, windowMs: 600_000 } } });
  });
  afterAll(async () => {
    await g?.close();
  });

  it('an account locks after failed logins, known or not alike, and unlocks after the window', async () => {
    const c = g.client();
    await c.get('/t/valence/login');
    for (let i = 0; i < 3; i++) expect((await c.post('/t/valence/login', { login: 'alice', password: `wrong-${i}-xxxxx` })).status).toBe(401);
    const locked = await c.post('/t/valence/login', { login: 'alice', password: 'alice-password-1' });
    expect(locked.status).toBe(429);
    expect(locked.headers.get('x-wfc-error')).toBe('WFC_RATE_LIMITED');
    expect(locked.body).toContain('Trop de tentatives. Réessayez dans 10 min.');
    for (let i = 0; i < 3; i++) await c.post('/t/valence/login', { login: 'ghost', password: `wrong-${i}-xxxxx` });
    const ghost = await c.post('/t/valence/login', { login: 'ghost', password: 'whatever-password' });
    expect(ghost.status).toBe(429);
    expect(ghost.body.replace(/value="[^"]*"/g, '')).toBe(locked.body.replace(/value="[^"]*"/g, ''));
    g.advance(600_000);
    expect((await c.post('/t/valence/login', { login: 'alice', password: 'alice-password-1' })).status).toBe(303);
  });

  it('one address is limited across accounts', async () => {
    const c = g.client();
    await c.get('/t/valence/login');
    for (let i = 0; i < 8; i++) await c.post('/t/valence/login', { login: `user${i}`, password: 'wrong-password-x' });
    const p = await c.post('/t/valence/login', { login: 'bob', password: 'bob-password-12' });
    expect(p.status).toBe(429);
    expect(p.body).toContain('depuis cette connexion');
    expect(await g.metrics.registry.getSingleMetricAsString('wfc_portal_rate_limited_total')).toContain('scope="ip"');
  });

  it('registrations from one address are limited', async () => {
    const c = g.client();
    await register(c, 'valence', 'reg1', 'reg1@example.org');
    await register(c, 'valence', 'reg2', 'reg2@example.org');
    const third = await register(c, 'valence', 'reg3', 'reg3@example.org');
    expect(third.status).toBe(429);
    expect(await g.stores.identities.getByUsername('reg3')).toBeNull();
  });
});

describe('registration and verification', () => {
  it('shows each invalid field with its own message, and creates nothing', async () => {
    const c = f.client();
    await c.get('/t/valence/register');
    const p = await c.post('/t/valence/register', { email: 'not-an-email', username: 'A', password: 'short' });
    expect(p.status).toBe(400);
    expect(p.headers.get('x-wfc-error')).toBe('WFC_VALIDATION');
    const terms = await c.post('/t/valence/register', { email: 'ok@example.org', username: 'okname', password: 'long enough pass' }, p);
    expect(terms.headers.get('x-wfc-error')).toBe('WFC_PORTAL_TERMS_REQUIRED');
    expect(p.body).toContain('Saisissez une adresse e-mail valide.');
    expect(p.body).toContain('Identifiant invalide');
    expect(p.body).toContain('au moins 10 caractères');
    expect(p.body).toContain('Vous devez accepter les conditions d’utilisation.');
    expect(p.body).toContain('aria-invalid="true"');
    expect(p.body).toContain('role="alert"');
    // The typed values come back; the password never does.
    expect(p.body).toContain('value="not-an-email"');
    expect(p.body).not.toContain('short');
  });

  it('a password equal to the username is refused; a taken username is said so', async () => {
    const c = f.client();
    await c.get('/t/valence/register');
    const same = await c.post('/t/valence/register', { email: 'x1@example.org', username: 'samename12', password: 'SameName12', terms: '1' });
    expect(same.body).toContain('ne doit pas être l’identifiant');
    const taken = await c.post('/t/valence/register', { email: 'x2@example.org', username: 'alice', password: 'long-enough-pass', terms: '1' });
    expect(taken.status).toBe(409);
    expect(taken.headers.get('x-wfc-error')).toBe('WFC_USERNAME_TAKEN');
    expect(taken.body).toContain('Cet identifiant est déjà pris');
  });

  it('register → 6-digit code by e-mail → wrong code → right code → verified → log in', async () => {
    const c = f.client();
    await atGateway(c);
    const p = await register(c, 'valence', 'emile', 'emile@example.org');
    expect(p.status).toBe(303);
    expect(p.location).toBe('/t/valence/verify');
    const v = await c.get('/t/valence/verify');
    expect(v.body).toContain('e\u2060…\u2060e@example.org');
    const mail = f.mails.findLast((m) => m.to === 'emile@example.org')!;
    expect(mail.kind).toBe('verify-email');
    expect(mail.locale).toBe('fr');
    expect(mail.text).toMatch(/\b\d{6}\b/);
    const code = codeFor(f.mails, 'emile@example.org');
    const wrong = await c.post('/t/valence/verify', { code: code === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.headers.get('x-wfc-error')).toBe('WFC_PORTAL_CODE_INVALID');
    expect(wrong.body).toContain('Ce code est incorrect ou a expiré.');
    expect((await f.stores.identities.getByUsername('emile'))!.verified).toBe(false);
    const ok = await c.post('/t/valence/verify', { code });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/t/valence/login?done=verified&login=emile');
    expect((await f.stores.identities.getByUsername('emile'))!.verified).toBe(true);
    const login = await c.get(ok.location!);
    expect(login.body).toContain('Votre adresse est confirmée');
    expect(login.body).toContain('value="emile"');
    const done = await c.post('/t/valence/login', { login: 'emile', password: 'correct horse battery' });
    expect(done.location).toMatch(/^http:\/\/10\.1\.0\.1:3990\/logon\?username=emile&password=[0-9a-f]+/);
    // The code works once: the step is over.
    const again = await c.post('/t/valence/verify', { code }, await c.get('/t/valence/login'));
    expect(again.status).toBe(400);
    expect((await f.stores.identities.getByUsername('emile'))!.verified).toBe(true);
  });

  it('an expired code is refused', async () => {
    const c = f.client();
    await register(c, 'valence', 'fanny', 'fanny@example.org');
    const code = codeFor(f.mails, 'fanny@example.org');
    await c.get('/t/valence/verify');
    f.advance(15 * 60_000);
    const p = await c.post('/t/valence/verify', { code });
    expect(p.status).toBe(400);
    expect(p.body).toContain('incorrect ou a expiré');
  });

  it('five wrong codes void the code, even for the right one next', async () => {
    const c = f.client();
    await register(c, 'valence', 'gaston', 'gaston@example.org');
    const code = codeFor(f.mails, 'gaston@example.org');
    await c.get('/t/valence/verify');
    const wrongCode = code === '123456' ? '654321' : '123456';
    for (let i = 0; i < 5; i++) await c.post('/t/valence/verify', { code: wrongCode });
    const p = await c.post('/t/valence/verify', { code });
    expect(p.status).toBe(429);
    expect(p.headers.get('x-wfc-error')).toBe('WFC_PORTAL_CODE_BURNT');
    expect(p.body).toContain('Trop de codes incorrects');
  });

  it('resend: a cooldown between codes, then a new code replaces the old one; a daily cap', async () => {
    const c = f.client();
    await register(c, 'valence', 'hugo', 'hugo@example.org');
    const first = codeFor(f.mails, 'hugo@example.org');
    await c.get('/t/valence/verify');
    const soon = await c.post('/t/valence/resend', {});
    expect(soon.status).toBe(429);
    expect(soon.headers.get('x-wfc-error')).toBe('WFC_PORTAL_CODE_COOLDOWN');
    expect(soon.body).toMatch(/dans \d+ s/);
    let last = first;
    for (let i = 0; i < 4; i++) {
      f.advance(61_000);
      const again = await c.post('/t/valence/resend', {});
      expect(again.status).toBe(200);
      expect(again.body).toContain('Un nouveau code a été envoyé.');
      last = codeFor(f.mails, 'hugo@example.org');
    }
    f.advance(61_000);
    const capped = await c.post('/t/valence/resend', {});
    expect(capped.status).toBe(429);
    expect(capped.headers.get('x-wfc-error')).toBe('WFC_PORTAL_CODE_DAILY_CAP');
    expect(capped.body).toContain('Trop de codes envoyés aujourd’hui');
    expect((await c.post('/t/valence/verify', { code: last })).status).toBe(303);
  });

  it('an e-mail that already has an account: same page as a new one, a notice to its owner, no code', async () => {
    const c = f.client();
    const before = f.mails.length;
    const p = await register(c, 'valence', 'intruder', 'alice@example.org');
    expect(p.status).toBe(303);
    expect(p.location).toBe('/t/valence/verify');
    const v = await c.get('/t/valence/verify');
    expect(v.body).toContain('a\u2060…\u2060e@example.org');
    expect(await f.stores.identities.getByUsername('intruder')).toBeNull();
    await new Promise((r) => setTimeout(r, 20));
    const sent = f.mails.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to: 'alice@example.org', kind: 'account-exists' });
    expect(sent[0]!.text).not.toMatch(/\b\d{6}\b/);
    // Wrong codes behave as for a real account.
    expect((await c.post('/t/valence/verify', { code: '123456' })).status).toBe(400);
  });

  it('an unverified account that logs in is sent to the code page', async () => {
    const c = f.client();
    await register(c, 'valence', 'ines', 'ines@example.org');
    const other = f.client();
    await other.get('/t/valence/login');
    f.advance(61_000);
    const p = await other.post('/t/valence/login', { login: 'ines', password: 'correct horse battery' });
    expect(p.status).toBe(303);
    expect(p.location).toBe('/t/valence/verify');
    expect((await other.post('/t/valence/verify', { code: codeFor(f.mails, 'ines@example.org') }, await other.get('/t/valence/verify'))).status).toBe(303);
  });

  it('the verify page without a flow in progress says to start again', async () => {
    const p = await f.client().get('/t/valence/verify');
    expect(p.status).toBe(400);
    expect(p.body).toContain('Cette étape a expiré');
  });

  it('registers in English with English mail', async () => {
    const c = f.client({ 'accept-language': 'en' });
    await register(c, 'valence', 'jack', 'jack@example.org');
    const mail = f.mails.findLast((m) => m.to === 'jack@example.org')!;
    expect(mail.locale).toBe('en');
    expect(mail.subject).toContain('confirmation code');
    expect((await f.stores.identities.getByUsername('jack'))!.locale).toBe('en');
  });
});

describe('forgotten password', () => {
  it('known and unknown logins get the same page; the code resets the password and signs out', async () => {
    const c = f.client();
    await register(c, 'valence', 'karim', 'karim@example.org', 'old password 123');
    await c.post('/t/valence/verify', { code: codeFor(f.mails, 'karim@example.org') }, await c.get('/t/valence/verify'));
    f.advance(61_000);
    await c.get('/t/valence/forgot');
    const known = await c.post('/t/valence/forgot', { login: 'karim' });
    const u = f.client();
    await u.get('/t/valence/forgot');
    const unknown = await u.post('/t/valence/forgot', { login: 'nobody-at-all' });
    expect(known.status).toBe(303);
    expect(unknown.status).toBe(303);
    expect(known.location).toBe(unknown.location);
    const strip = (b: string) => b.replace(/value="[^"]*"/g, '');
    expect(strip((await c.get('/t/valence/reset')).body)).toBe(strip((await u.get('/t/valence/reset')).body));
    const code = codeFor(f.mails, 'karim@example.org');
    const short = await c.post('/t/valence/reset', { code, password: 'short' });
    expect(short.status).toBe(400);
    const ok = await c.post('/t/valence/reset', { code, password: 'a brand new password' });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/t/valence/login?done=reset&login=karim');
    await c.get('/t/valence/login');
    expect((await c.post('/t/valence/login', { login: 'karim', password: 'old password 123' })).status).toBe(401);
    expect((await c.post('/t/valence/login', { login: 'karim', password: 'a brand new password' })).status).toBe(303);
    expect((await u.post('/t/valence/reset', { code: '123456', password: 'a brand new password' }, await u.get('/t/valence/reset'))).status).toBe(400);
  });

  it('a typed e-mail is shown masked; a typed username shows no address', async () => {
    const c = f.client();
    f.advance(61_000);
    await c.get('/t/valence/forgot');
    await c.post('/t/valence/forgot', { login: 'bob@example.org' });
    expect((await c.get('/t/valence/reset')).body).toContain('b\u2060…\u2060b@example.org');
    f.advance(61_000);
    await c.get('/t/valence/forgot');
    await c.post('/t/valence/forgot', { login: 'bob' });
    const p = await c.get('/t/valence/reset');
    expect(p.body).not.toContain('@example.org');
    expect(p.body).toContain('Si un compte correspond');
  });
});

describe('status page, remembered devices, logout', () => {
  it('needs a signed-in citizen', async () => {
    const p = await f.client().get('/t/valence/status');
    expect(p.status).toBe(303);
    expect(p.headers.get('x-wfc-error')).toBe('WFC_PORTAL_NOT_SIGNED_IN');
    expect(p.location).toBe('/t/valence/login');
  });

  it('remembers the device when asked, lists it with time and data left, forgets it, logs out at the gateway', async () => {
    const c = f.client();
    await atGateway(c, '/t/valence/', chilliParams({ mac: '02-00-00-00-0c-01' }));
    c.headers['user-agent'] = 'Mozilla/5.0 (Linux; Android 14)';
    await c.post('/t/valence/login', { login: 'bob', password: 'bob-password-12', remember: '1' });
    const bob = (await f.stores.identities.getByUsername('bob'))!;
    const device = await f.stores.devices.findActiveByMac('02:00:00:00:0c:01' as Mac, f.now());
    expect(device).toMatchObject({ identityId: bob.id, label: 'Android' });
    expect(device!.expiresAt.getTime() - f.now().getTime()).toBe(180 * 86400_000);
    await f.shared.liveSessions.start({
      tenantId: f.tenants.chilli.id,
      nasIp: '10.1.0.1',
      acctSessionId: 'S-bob-1',
      identityId: bob.id,
      username: 'bob',
      callingStationId: '02:00:00:00:0c:01' as Mac,
      apId: null,
      framedIp: '10.1.0.40',
      startedAt: new Date(f.now().getTime() - 600_000),
      updatedAt: f.now(),
      sessionTime: 600,
      inputOctets: 1000,
      outputOctets: 2000,
      interimInterval: 600,
    });
    const s = await c.get('/t/valence/status');
    expect(s.status).toBe(200);
    expect(s.body).toContain('<dd id="time-left">3 h 50 min</dd>');
    expect(s.body).toContain('<dd id="data-left">illimité</dd>');
    expect(s.body).toContain('Android (…0c:01)');
    expect(s.body).toContain('<a class="button" href="http://example.com/page?a=1&amp;b=2">');
    expectNoInline(s);
    const forget = await c.post('/t/valence/devices/forget', { device: device!.id });
    expect(forget.status).toBe(303);
    expect(await f.stores.devices.findActiveByMac('02:00:00:00:0c:01' as Mac, f.now())).toBeNull();
    expect((await c.get(forget.location!)).body).toContain('L’appareil est oublié');
    await f.shared.liveSessions.stop({ tenantId: f.tenants.chilli.id, nasIp: '10.1.0.1', acctSessionId: 'S-bob-1' });
    const out = await c.post('/t/valence/logout', {});
    expect(out.status).toBe(303);
    expect(out.location).toBe('http://10.1.0.1:3990/logoff');
    expect(c.cookies.has('wfc_sess')).toBe(false);
  });

  it('one citizen cannot forget another’s device', async () => {
    const alice = (await f.stores.identities.getByUsername('alice'))!;
    const d = await f.stores.devices.remember(alice.id, '02:00:00:00:0d:01' as Mac, new Date(f.now().getTime() + 86400_000), null);
    const c = f.client();
    await c.get('/t/valence/login');
    await c.post('/t/valence/login', { login: 'bob', password: 'bob-password-12' });
    await c.get('/t/valence/status');
    await c.post('/t/valence/devices/forget', { device: d.id });
    expect(await f.stores.devices.findActiveByMac('02:00:00:00:0d:01' as Mac, f.now())).not.toBeNull();
  });

  it('unsigned gateway parameters never remember a device', async () => {
    const c = f.client();
    await c.get('/t/die/?link-login-only=http%3A%2F%2F10.2.0.1%2Flogin&mac=02%3A00%3A00%3A00%3A0e%3A01');
    const p = await c.post('/t/die/login', { login: 'bob', password: 'bob-password-12', remember: '1' });
    expect(p.status).toBe(200);
    expect(await f.stores.devices.findActiveByMac('02:00:00:00:0e:01' as Mac, f.now())).toBeNull();
  });
});

describe('other gateways', () => {
  it('generic RADIUS login (MikroTik): a form posting username and token to the gateway, CHAP when offered', async () => {
    const c = f.client();
    const landing = await c.get('/t/die/?link-login-only=http%3A%2F%2F10.2.0.1%2Flogin&link-orig=http%3A%2F%2Fexample.org%2F&mac=02%3A00%3A00%3A00%3A0e%3A02');
    expect(landing.status).toBe(200);
    expect(landing.body).not.toContain('name="remember"');
    const p = await c.post('/t/die/login', { login: 'alice', password: 'alice-password-1' });
    expect(p.status).toBe(200);
    expect(p.body).toContain('<form method="post" action="http://10.2.0.1/login" id="handoff">');
    expect(hidden(p.body, 'username')).toBe('alice');
    expect(hidden(p.body, 'password')).toMatch(/^wfct_/);
    expect(hidden(p.body, 'dst')).toBe('http://example.org/');
    const csp = p.headers.get('content-security-policy')!;
    expect(csp).toContain('form-action');
    expect(csp).toContain('http://10.2.0.1');
    expect(csp).toContain("script-src 'self'");
    expect(p.body).toContain('<script defer src="/handoff.js"></script>');

    const chap = f.client();
    await chap.get('/t/die/?link-login-only=http%3A%2F%2F10.2.0.1%2Flogin&mac=02%3A00%3A00%3A00%3A0e%3A03&chap-id=%5C001&chap-challenge=%5C123%5C045%5C377abc');
    const q = await chap.post('/t/die/login', { login: 'alice', password: 'alice-password-1' });
    const alice = (await f.stores.identities.getByUsername('alice'))!;
    const token = await f.tokens.pending(alice.id, '02:00:00:00:0e:03' as Mac);
    const expected = createHash('md5').update(Buffer.from([1])).update(token!.secret).update(Buffer.from([0o123, 0o45, 0o377, 0x61, 0x62, 0x63])).digest('hex');
    expect(hidden(q.body, 'password')).toBe(expected);
  });

  it('openNDS level 1: after login, the browser goes to authaction with tok = sha256(hid || faskey)', async () => {
    const hid = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const fas = Buffer.from(`clientip=10.3.0.20, clientmac=02:00:00:00:0f:01, gatewayname=Nyons%20Mairie, hid=${hid}, gatewayaddress=10.3.0.1:2050, authdir=opennds_auth, originurl=http%3A%2F%2Fexample.net%2F`).toString('base64');
    const c = f.client();
    const landing = await c.get(`/t/nyons/?fas=${encodeURIComponent(fas)}`);
    expect(landing.status).toBe(200);
    const p = await c.post('/t/nyons/login', { login: 'alice', password: 'alice-password-1' });
    expect(p.status).toBe(303);
    const to = new URL(p.location!);
    expect(`${to.origin}${to.pathname}`).toBe('http://10.3.0.1:2050/opennds_auth/');
    expect(to.searchParams.get('tok')).toBe(openNdsRhid(hid, FAS_KEY));
    expect(to.searchParams.get('tok')).toBe(createHash('sha256').update(hid + FAS_KEY).digest('hex'));
    expect(to.searchParams.get('redir')).toBe('http://example.net/');
    // The landing page never reveals the authorisation token.
    expect(landing.body).not.toContain(openNdsRhid(hid, FAS_KEY));
    expect(decodeURIComponent(c.cookies.get('wfc_gw')!)).not.toContain(openNdsRhid(hid, FAS_KEY));
  });

  it('openNDS: level 0 only without a faskey; garbage fas refused', async () => {
    const c = f.client();
    const ok = await c.get('/t/dieulefit/?clientmac=02%3A00%3A00%3A00%3A0f%3A02&tok=abcdef12&authaction=http%3A%2F%2F10.4.0.1%3A2050%2Fopennds_auth%2F&redir=http%3A%2F%2Fexample.org%2F');
    expect(ok.status).toBe(200);
    const p = await c.post('/t/dieulefit/login', { login: 'alice', password: 'alice-password-1' });
    expect(p.location).toBe('http://10.4.0.1:2050/opennds_auth/?tok=abcdef12&redir=http%3A%2F%2Fexample.org%2F');
    expect((await f.client().get('/t/nyons/?clientmac=02%3A00%3A00%3A00%3A0f%3A02&tok=abcdef12&authaction=http%3A%2F%2F10.4.0.1%2F')).status).toBe(400);
    expect((await f.client().get('/t/nyons/?fas=%%%')).status).toBe(400);
    expect((await f.client().get('/t/dieulefit/?clientmac=02%3A00%3A00%3A00%3A0f%3A02&tok=abcdef12&authaction=http%3A%2F%2Fevil.example%2F')).status).toBe(400);
  });
});

describe('RFC 8908 Captive Portal API and WiFi4EU', () => {
  it('captive until the gateway reports a live session for this address, then time left', async () => {
    const res = await fetch(`${f.url}/t/valence/api/captive`);
    expect(res.headers.get('content-type')).toBe('application/captive+json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(await res.json()).toEqual({ captive: true, 'user-portal-url': `${f.url}/t/valence/`, 'venue-info-url': `${f.url}/t/valence/terms` });
    const alice = (await f.stores.identities.getByUsername('alice'))!;
    const key = { tenantId: f.tenants.chilli.id, nasIp: '10.1.0.1', acctSessionId: 'S-8908' };
    await f.shared.liveSessions.start({ ...key, identityId: alice.id, username: 'alice', callingStationId: null, apId: null, framedIp: '127.0.0.1', startedAt: new Date(f.now().getTime() - 3600_000), updatedAt: f.now(), sessionTime: 3600, inputOctets: 0, outputOctets: 0, interimInterval: 600 });
    try {
      const online = await (await fetch(`${f.url}/t/valence/api/captive`)).json();
      expect(online).toEqual({ captive: false, 'user-portal-url': `${f.url}/t/valence/`, 'venue-info-url': `${f.url}/t/valence/terms`, 'seconds-remaining': 3 * 3600, 'can-extend-session': true });
      // Without a municipality in the path, the session's own is found.
      const anywhere = await (await fetch(`${f.url}/api/captive`)).json();
      expect(anywhere).toMatchObject({ captive: false, 'user-portal-url': `${f.url}/t/valence/` });
      // Another municipality's API does not see it.
      expect(await (await fetch(`${f.url}/t/crest/api/captive`)).json()).toMatchObject({ captive: true });
    } finally {
      await f.shared.liveSessions.stop(key);
    }
  });

  it('a signed-in browser behind NAT is found by its citizen’s session at this municipality', async () => {
    const c = f.client();
    await c.get('/t/valence/login');
    await c.post('/t/valence/login', { login: 'bob', password: 'bob-password-12' });
    const bob = (await f.stores.identities.getByUsername('bob'))!;
    const key = { tenantId: f.tenants.chilli.id, nasIp: '10.1.0.1', acctSessionId: 'S-nat' };
    await f.shared.liveSessions.start({ ...key, identityId: bob.id, username: 'bob', callingStationId: null, apId: null, framedIp: '10.9.9.9', startedAt: f.now(), updatedAt: f.now(), sessionTime: 0, inputOctets: 0, outputOctets: 0, interimInterval: 600 });
    try {
      expect(JSON.parse((await c.get('/t/valence/api/captive')).body)).toMatchObject({ captive: false, 'seconds-remaining': 4 * 3600 });
      expect(JSON.parse((await c.get('/t/crest/api/captive')).body)).toMatchObject({ captive: true });
      expect(JSON.parse((await f.client().get('/t/valence/api/captive')).body)).toMatchObject({ captive: true });
    } finally {
      await f.shared.liveSessions.stop(key);
    }
  });

  it('bytes-remaining with a daily volume quota', async () => {
    const t = await f.stores.tenants.update(f.tenants.chap.id, { policy: { ...f.tenants.chap.policy, dailyDataQuota: 1_000_000_000 } });
    const alice = (await f.stores.identities.getByUsername('alice'))!;
    const key = { tenantId: t.id, nasIp: '10.1.0.2', acctSessionId: 'S-quota' };
    await f.shared.liveSessions.start({ ...key, identityId: alice.id, username: 'alice', callingStationId: null, apId: null, framedIp: '127.0.0.1', startedAt: f.now(), updatedAt: f.now(), sessionTime: 0, inputOctets: 100_000_000, outputOctets: 150_000_000, interimInterval: 600 });
    try {
      expect(await (await fetch(`${f.url}/t/crest/api/captive`)).json()).toMatchObject({ captive: false, 'bytes-remaining': 750_000_000 });
    } finally {
      await f.shared.liveSessions.stop(key);
      await f.stores.tenants.update(t.id, { policy: f.tenants.chap.policy });
    }
  });

  it('WiFi4EU: the snippet runs from our origin, the CSP admits the collector, only for enrolled municipalities', async () => {
    const p = await f.client().get('/t/tain/');
    expect(p.body).toContain('<script src="/t/tain/wifi4eu.js"></script>');
    expect(p.body).toContain('<script defer src="https://collection.wifi4eu.ec.europa.eu/wifi4eu.min.js"></script>');
    expect(p.body).toContain('<img id="wifi4eubanner" alt="WiFi4EU">');
    expectNoInline(p);
    const csp = p.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self' https://collection.wifi4eu.ec.europa.eu");
    const js = await (await fetch(`${f.url}/t/tain/wifi4eu.js`)).text();
    expect(js).toContain('var wifi4euNetworkIdentifier = "123e4567-e89b-12d3-a456-426655440000";');
    expect(js).toContain('var wifi4euLanguage = "fr";');
    expect(js).toContain('var selftestModus = true;');
    expect((await fetch(`${f.url}/t/valence/wifi4eu.js`)).status).toBe(404);
    expect((await f.client().get('/t/valence/')).body).not.toContain('wifi4eu');
  });

  it('the walled garden for gateway configuration', async () => {
    const eu = await (await fetch(`${f.url}/t/tain/api/walled-garden`)).json();
    expect(eu).toMatchObject({ tenant: 'tain', portalUrl: `${f.url}/t/tain/`, hosts: ['127.0.0.1', 'collection.wifi4eu.ec.europa.eu'], coovachilli: 'uamallowed=127.0.0.1,collection.wifi4eu.ec.europa.eu', wifi4euUrlAccepted: true });
    const v = (await (await fetch(`${f.url}/t/valence/api/walled-garden`)).json()) as { hosts: string[] };
    expect(v.hosts).toEqual(['127.0.0.1', 'cdn.valence.example']);
    expect((await fetch(`${f.url}/api/walled-garden`)).status).toBe(404);
  });
});
