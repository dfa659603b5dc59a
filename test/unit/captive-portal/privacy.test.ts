/**
 * A citizen's GDPR rights through the portal: the personal-data download,
 * erasure behind the current password, and what a failed password leaves
 * behind (nothing: not in the database file, not in the logs).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mac } from '../../../controller/domain/mac.js';
import { codeFor, hidden, startPortal, type Client, type Fixture } from './fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await startPortal({ limits: { loginPerAccount: { limit: 3, windowMs: 600_000 } } });
});
afterAll(async () => {
  await f?.close();
});

/** A new verified citizen, signed in on a fresh browser, on the status page. */
async function citizen(fx: Fixture, username: string, password = 'correct horse battery'): Promise<Client> {
  const c = fx.client();
  await c.get('/t/valence/register');
  await c.post('/t/valence/register', { email: `${username}@example.org`, username, password, terms: '1' });
  await c.post('/t/valence/verify', { code: codeFor(fx.mails, `${username}@example.org`) }, await c.get('/t/valence/verify'));
  await c.get('/t/valence/login');
  expect((await c.post('/t/valence/login', { login: username, password })).location).toBe('/t/valence/status');
  return c;
}

async function counter(fx: Fixture, name: string): Promise<string> {
  return fx.metrics.registry.getSingleMetricAsString(name);
}

describe('the status page', () => {
  it('offers the download (a GET form carrying the CSRF token) and the erasure, in French first', async () => {
    const c = await citizen(f, 'paul');
    const s = await c.get('/t/valence/status');
    expect(s.body).toContain('<h2>Mes données</h2>');
    expect(s.body).toMatch(/<form method="get" action="\/t\/valence\/account\/data">\s*<input type="hidden" name="_csrf" value="[^"]+">/);
    expect(s.body).toContain('Télécharger mes données');
    expect(s.body).toContain('<a href="/t/valence/account/delete">Supprimer mon compte</a>');
    expect(s.body).not.toMatch(/<script/);
    const en = await c.get('/t/valence/status?lang=en');
    expect(en.body).toContain('Download my data');
    expect(en.body).toContain('Delete my account');
  });

  it('the privacy notice states the rights, how to use them, and the inactivity rule', async () => {
    const p = await f.client().get('/t/valence/privacy');
    expect(p.body).toContain('articles 15 à 21');
    expect(p.body).toContain('télécharger toutes vos données');
    expect(p.body).toContain('supprimer votre compte');
    expect(p.body).toContain('Un compte inutilisé pendant 730 jours reçoit un e-mail d’avertissement ; sans connexion dans les 30 jours qui suivent');
    expect(p.body.length).toBeLessThan(8_000);
    const en = await f.client({ 'accept-language': 'en' }).get('/t/valence/privacy');
    expect(en.body).toContain('An account unused for 730 days');
  });
});

describe('personal-data download', () => {
  it('gives a JSON attachment of the account, devices and connection log, never the password hash', async () => {
    const c = await citizen(f, 'quentin');
    const q = (await f.stores.identities.getByUsername('quentin'))!;
    await f.stores.devices.remember(q.id, '02:00:00:00:1a:01' as Mac, new Date(f.now().getTime() + 86400_000), 'Android');
    await f.stores.accounting.record([
      {
        tenantId: f.tenants.chilli.id, statusType: 'start', acctSessionId: 'Q-1', nasIp: '10.1.0.1', nasAddress: null, nasIdentifier: null, username: 'quentin', identityId: q.id,
        callingStationId: '02:00:00:00:1a:01' as Mac, calledStationId: null, apId: null, framedIp: '10.1.0.55', sessionTime: 0, inputOctets: 0, outputOctets: 0,
        terminateCause: null, eventAt: f.now(), receivedAt: f.now(), natMappings: [],
      },
    ]);
    const before = await counter(f, 'wfc_privacy_data_exports_total');
    const s = await c.get('/t/valence/status');
    const res = await c.get(`/t/valence/account/data?_csrf=${encodeURIComponent(hidden(s.body, '_csrf')!)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="mes-donnees-wifi.json"');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const doc = JSON.parse(res.body);
    expect(doc).toMatchObject({
      account: { username: 'quentin', email: 'quentin@example.org', emailVerified: true, locale: 'fr' },
      devices: [{ mac: '02:00:00:00:1a:01', label: 'Android' }],
      connections: [{ municipality: 'valence', mac: '02:00:00:00:1a:01', ip: '10.1.0.55', stoppedAt: null }],
    });
    expect(doc.legalBasis.connectionLog).toContain('L34-1');
    expect(res.body).not.toContain('argon2');
    expect(res.body).not.toContain('passwordHash');
    expect(before).toMatch(/wfc_privacy_data_exports_total 0/);
    expect(await counter(f, 'wfc_privacy_data_exports_total')).toMatch(/wfc_privacy_data_exports_total 1/);
  });

  it('needs the CSRF token of this browser, and a signed-in citizen', async () => {
    const c = await citizen(f, 'rose');
    const none = await c.get('/t/valence/account/data');
    expect(none.status).toBe(403);
    expect(none.headers.get('x-wfc-error')).toBe('WFC_PORTAL_BAD_CSRF');
    expect(none.body).not.toContain('rose@example.org');
    const other = await f.client().get('/t/valence/login');
    const cross = await c.get(`/t/valence/account/data?_csrf=${encodeURIComponent(hidden(other.body, '_csrf')!)}`);
    expect(cross.status).toBe(403);
    const stranger = f.client();
    const page = await stranger.get('/t/valence/login');
    const anon = await stranger.get(`/t/valence/account/data?_csrf=${encodeURIComponent(hidden(page.body, '_csrf')!)}`);
    expect(anon.status).toBe(303);
    expect(anon.headers.get('x-wfc-error')).toBe('WFC_PORTAL_NOT_SIGNED_IN');
  });
});

describe('account erasure', () => {
  it('asks for the current password; a wrong one changes nothing', async () => {
    const c = await citizen(f, 'simon');
    const page = await c.get('/t/valence/account/delete');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Vous allez supprimer le compte simon');
    expect(page.body).toContain('un an');
    expect(page.body).toContain('<input type="password" id="password" name="password" autocomplete="current-password" required>');
    const wrong = await c.post('/t/valence/account/delete', { password: 'not my password' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('x-wfc-error')).toBe('WFC_PORTAL_LOGIN_FAILED');
    expect(wrong.body).toContain('Mot de passe incorrect. Le compte n’a pas été supprimé.');
    expect(await f.stores.identities.getByUsername('simon')).not.toBeNull();
    expect(c.cookies.has('wfc_sess')).toBe(true);
  });

  it('requires the CSRF token: a forged form erases nothing', async () => {
    const c = await citizen(f, 'tania');
    await c.get('/t/valence/account/delete');
    const forged = await c.post('/t/valence/account/delete', { password: 'correct horse battery', _csrf: 'forged' });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('x-wfc-error')).toBe('WFC_PORTAL_BAD_CSRF');
    expect(await f.stores.identities.getByUsername('tania')).not.toBeNull();
  });

  it('locks after failed confirmations, like login, and shares its counter', async () => {
    const c = await citizen(f, 'ugo');
    await c.get('/t/valence/account/delete');
    for (let i = 0; i < 3; i++) expect((await c.post('/t/valence/account/delete', { password: `wrong-${i}-password` })).status).toBe(401);
    const locked = await c.post('/t/valence/account/delete', { password: 'correct horse battery' });
    expect(locked.status).toBe(429);
    expect(locked.body).toContain('Trop de tentatives');
    expect(await f.stores.identities.getByUsername('ugo')).not.toBeNull();
    // Login for this account is locked too.
    const other = f.client();
    await other.get('/t/valence/login');
    expect((await other.post('/t/valence/login', { login: 'ugo', password: 'correct horse battery' })).status).toBe(429);
    expect(await counter(f, 'wfc_portal_rate_limited_total')).toContain('action="erase"');
    f.advance(600_000);
  });

  it('erases with the right password: signed out, told what the law keeps; the log pseudonymised; the name free again', async () => {
    const c = await citizen(f, 'victor');
    const v = (await f.stores.identities.getByUsername('victor'))!;
    await f.stores.devices.remember(v.id, '02:00:00:00:1b:01' as Mac, new Date(f.now().getTime() + 86400_000), null);
    await f.stores.accounting.record([
      {
        tenantId: f.tenants.chilli.id, statusType: 'start', acctSessionId: 'V-1', nasIp: '10.1.0.1', nasAddress: null, nasIdentifier: null, username: 'victor', identityId: v.id,
        callingStationId: '02:00:00:00:1b:01' as Mac, calledStationId: null, apId: null, framedIp: '10.1.0.56', sessionTime: 0, inputOctets: 0, outputOctets: 0,
        terminateCause: null, eventAt: f.now(), receivedAt: f.now(), natMappings: [],
      },
    ]);
    await c.get('/t/valence/account/delete');
    const done = await c.post('/t/valence/account/delete', { password: 'correct horse battery' });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/t/valence/account/deleted');
    expect(c.cookies.has('wfc_sess')).toBe(false);
    const page = await c.get(done.location!);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Compte supprimé');
    expect(page.body).toContain('L34-1');
    expect(page.body).toContain('2021-1362');
    expect(page.body).toContain('un an');
    expect(page.body).toContain('pseudonyme');
    expect((await c.get('/t/valence/account/deleted?lang=en')).body).toContain('must keep connection data for one year');

    expect(await f.stores.identities.get(v.id)).toBeNull();
    expect(await f.stores.devices.findActiveByMac('02:00:00:00:1b:01' as Mac, f.now())).toBeNull();
    expect(await f.stores.sessions.list({ identityId: v.id })).toMatchObject([{ identityId: v.id, username: `erased:${v.id}`, framedIp: '10.1.0.56' }]);
    expect(await f.stores.legal.archivedIdentity(v.id)).toMatchObject({ username: 'victor', email: 'victor@example.org', reason: 'citizen' });
    const [audit] = await f.stores.audit.list({ action: 'identity.erase' });
    expect(audit).toMatchObject({ actor: 'portal:valence', target: `identity:${v.id}`, after: { reason: 'citizen' } });
    expect(JSON.stringify(audit)).not.toContain('victor@example.org');
    expect(await counter(f, 'wfc_privacy_erasures_total')).toContain('reason="citizen"} 1');

    // The old session cookie is worthless, the old credentials too.
    expect((await c.get('/t/valence/status')).status).toBe(303);
    await c.get('/t/valence/login');
    expect((await c.post('/t/valence/login', { login: 'victor', password: 'correct horse battery' })).status).toBe(401);
    // Username and address may be registered again, as a new account.
    f.advance(61_000);
    const again = await citizen(f, 'victor');
    expect((await again.get('/t/valence/status')).body).toContain('victor');
    expect((await f.stores.identities.getByUsername('victor'))!.id).not.toBe(v.id);
  });

  it('needs a signed-in citizen', async () => {
    const c = f.client();
    expect((await c.get('/t/valence/account/delete')).headers.get('x-wfc-error')).toBe('WFC_PORTAL_NOT_SIGNED_IN');
    await c.get('/t/valence/login');
    const p = await c.post('/t/valence/account/delete', { password: 'whatever-password' });
    expect(p.status).toBe(303);
    expect(p.headers.get('x-wfc-error')).toBe('WFC_PORTAL_NOT_SIGNED_IN');
  });
});

describe('a failed password is stored nowhere', () => {
  it('not in the database file, its journal or the logs, after failed logins, confirmations and registrations', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wfc-portal-'));
    const file = join(dir, 'wfc.sqlite');
    const logLines: string[] = [];
    const g = await startPortal({ sqliteFile: file, logLines });
    try {
      const secret = 'Zq7-distinctive-Failed-Passw0rd-4815';
      const c = g.client();
      await c.get('/t/valence/login');
      expect((await c.post('/t/valence/login', { login: 'alice', password: secret })).status).toBe(401);
      expect((await c.post('/t/valence/login', { login: 'alice@example.org', password: secret })).status).toBe(401);
      expect((await c.post('/t/valence/login', { login: 'nobody-at-all', password: secret })).status).toBe(401);
      expect((await c.post('/t/valence/login', { login: secret, password: secret })).status).toBe(401);
      // A refused registration (terms not accepted) with it as password.
      await c.get('/t/valence/register');
      expect((await c.post('/t/valence/register', { email: 'zoe@example.org', username: 'zoe', password: secret })).status).toBe(400);
      // A failed erasure confirmation.
      const s = await citizen(g, 'yann');
      await s.get('/t/valence/account/delete');
      expect((await s.post('/t/valence/account/delete', { password: secret })).status).toBe(401);
      // Something is logged and written, so the scans below look at real output.
      await s.post('/t/valence/account/delete', { password: 'correct horse battery' });
      expect(logLines.join('')).toContain('account erased by its holder');

      const needles = [Buffer.from(secret, 'utf8'), Buffer.from(secret, 'utf16le'), Buffer.from(secret.toLowerCase(), 'utf8')];
      const files = [file, `${file}-wal`, `${file}-shm`].filter(existsSync);
      const bytes = Buffer.concat(files.map((p) => readFileSync(p)));
      expect(bytes.includes(Buffer.from('yann@example.org'))).toBe(true);
      for (const n of needles) expect(bytes.includes(n), `${n.toString('hex')} in the database`).toBe(false);
      for (const line of logLines) expect(line).not.toContain(secret);
      expect(await g.metrics.registry.metrics()).not.toContain(secret);
    } finally {
      await g.close();
      await g.stores.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
