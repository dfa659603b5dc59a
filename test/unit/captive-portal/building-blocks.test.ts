/** The portal's small parts: escaping, language negotiation, signing, colours, WiFi4EU, masking. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../controller/domain/policy.js';
import type { Tenant } from '../../../controller/domain/entities.js';
import { maskEmail } from '../../../captive-portal/accounts.js';
import { startOfLocalDay } from '../../../controller/domain/day.js';
import { deviceLabel } from '../../../captive-portal/handoff.js';
import { en } from '../../../captive-portal/i18n/en.js';
import { fr } from '../../../captive-portal/i18n/fr.js';
import { fromAcceptLanguage, negotiateLocale } from '../../../captive-portal/i18n/index.js';
import { createSigner, newCode } from '../../../captive-portal/signing.js';
import { escapeHtml, href, html, raw } from '../../../captive-portal/views/html.js';
import { contrast, palette } from '../../../captive-portal/views/style.js';
import { walledGarden, wifi4euAcceptsUrl, wifi4euInitScript } from '../../../captive-portal/wifi4eu.js';

const tenant = (over: Partial<Tenant> = {}): Tenant => ({
  id: 't1',
  slug: 'valence',
  name: 'Ville de Valence',
  inseeCode: '26362',
  branding: { displayName: 'Valence', primaryColor: '#b3262b', logoUrl: null },
  policy: DEFAULT_POLICY,
  wifi4eu: null,
  portal: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...over,
});

describe('html', () => {
  it('escapes every interpolated value, not trusted markup', () => {
    const evil = '"><script>alert(1)</script>&\'';
    expect(html`<p title="${evil}">${evil}</p>`.value).toBe('<p title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#39;">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#39;</p>');
    expect(html`${raw('<b>')}${['a', html`<i>${'<'}</i>`]}${null}${false}`.value).toBe('<b>a<i>&lt;</i>');
    expect(escapeHtml('a&b')).toBe('a&amp;b');
    expect(href('/x', { a: '1 2', b: null, c: '' })).toBe('/x?a=1+2');
  });
});

describe('language', () => {
  it('Accept-Language: highest q among ours; none → null', () => {
    expect(fromAcceptLanguage('en-US,en;q=0.9,fr;q=0.8')).toBe('en');
    expect(fromAcceptLanguage('de;q=1, fr-CA;q=0.5, en;q=0.4')).toBe('fr');
    expect(fromAcceptLanguage('en;q=0, fr;q=0.1')).toBe('fr');
    expect(fromAcceptLanguage('de, es')).toBeNull();
    expect(fromAcceptLanguage(undefined)).toBeNull();
  });

  it('query, then cookie, then header, then French', () => {
    expect(negotiateLocale('en', 'fr', 'fr')).toBe('en');
    expect(negotiateLocale('xx', 'en', 'fr')).toBe('en');
    expect(negotiateLocale(undefined, undefined, 'en')).toBe('en');
    expect(negotiateLocale(undefined, undefined, 'de')).toBe('fr');
  });

  it('French and English have the same keys, and every list the same length', () => {
    const shape = (o: unknown): unknown =>
      typeof o === 'object' && o !== null ? (Array.isArray(o) ? o.length : Object.fromEntries(Object.entries(o).map(([k, v]) => [k, shape(v)]))) : typeof o;
    expect(shape(en)).toEqual(shape(fr));
    expect(fr.formats.duration(2, 5)).toBe('2 h 05 min');
    expect(fr.formats.bytes(1_500_000_000)).toBe('1,5 Go');
    expect(en.formats.bytes(1_500_000_000)).toBe('1.5 GB');
  });
});

describe('signing', () => {
  const s = createSigner('x'.repeat(40));
  it('opens what it sealed, until it expires; refuses tampering and other purposes', () => {
    const sealed = s.seal('cookie', { i: 'alice' }, 2000);
    expect(s.open('cookie', sealed, 1000)).toEqual({ i: 'alice' });
    expect(s.open('cookie', sealed, 2000)).toBeNull();
    expect(s.open('gateway', sealed, 1000)).toBeNull();
    const [body, mac] = sealed.split('.');
    const forged = Buffer.from(JSON.stringify({ p: { i: 'mallory' }, x: 2000 })).toString('base64url');
    expect(s.open('cookie', `${forged}.${mac}`, 1000)).toBeNull();
    expect(s.open('cookie', `${body}.`, 1000)).toBeNull();
    expect(s.open('cookie', 'garbage', 1000)).toBeNull();
    expect(createSigner('y'.repeat(40)).open('cookie', sealed, 1000)).toBeNull();
  });

  it('CSRF tokens bind to the browser cookie; code digests to purpose and subject', () => {
    expect(s.checkCsrf('cookie-a', s.csrfToken('cookie-a'))).toBe(true);
    expect(s.checkCsrf('cookie-b', s.csrfToken('cookie-a'))).toBe(false);
    expect(s.checkCsrf(undefined, s.csrfToken('cookie-a'))).toBe(false);
    expect(s.checkCsrf('cookie-a', ['x'])).toBe(false);
    expect(s.codeDigest('verify-email', 'id1', '123456')).not.toBe(s.codeDigest('reset-password', 'id1', '123456'));
    expect(s.codeDigest('verify-email', 'id1', '123456')).not.toBe(s.codeDigest('verify-email', 'id2', '123456'));
    expect(s.decoy('a')).toBe(s.decoy('a'));
    expect(s.decoy('a')).toMatch(/^decoy-/);
    expect(() => createSigner('short')).toThrow(RangeError);
  });

  it('codes are six digits', () => {
    for (let i = 0; i < 200; i++) expect(newCode()).toMatch(/^\d{6}$/);
  });
});

describe('branding contrast (WCAG 2.1 AA)', () => {
  it.each(['#b3262b', '#2d6a4f', '#ffd700', '#ffffff', '#000000', '#0b5394', '#7fdbff'])('%s: text on the brand colour and links reach 4.5:1', (c) => {
    const p = palette(c);
    expect(contrast(p.brand, p.onBrand)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(p.link, '#ffffff')).toBeGreaterThanOrEqual(4.5);
  });
  it('a bad colour falls back', () => expect(palette('red').brand).toBe('#0b5394'));
});

describe('WiFi4EU and walled garden', () => {
  it('the init script sets the snippet variables, self-test when switched on', () => {
    const t = tenant({ wifi4eu: { networkId: 'abc-123', language: 'en', selfTest: false } });
    expect(wifi4euInitScript(t)).toBe('var wifi4euTimerStart = Date.now();\nvar wifi4euNetworkIdentifier = "abc-123";\nvar wifi4euLanguage = "en";\n');
    expect(wifi4euInitScript(tenant({ wifi4eu: { networkId: 'abc-123', language: 'fr', selfTest: true } }))).toContain('var selftestModus = true;');
  });

  it('portal URLs stay within what WiFi4EU accepts', () => {
    expect(wifi4euAcceptsUrl('https://portail.example-region.fr/t/saint-paul-3-chateaux/')).toBe(true);
    expect(wifi4euAcceptsUrl('https://portail.example.fr/t/valence/?a=b')).toBe(false);
    expect(wifi4euAcceptsUrl('https://portail.example.fr/t/val%C3%A9nce/')).toBe(false);
  });

  it('portal host, WiFi4EU collector when enrolled, municipal extras; sorted, unique', () => {
    const t = tenant({ wifi4eu: { networkId: 'abc', language: 'fr', selfTest: false }, portal: { gateway: 'coovachilli', uamSecret: null, uamAuth: 'pap', fasKey: null, walledGarden: ['B.example', 'portal.example'] } });
    expect(walledGarden(t, 'portal.example')).toEqual(['b.example', 'collection.wifi4eu.ec.europa.eu', 'portal.example']);
    expect(walledGarden(tenant(), null)).toEqual([]);
  });
});

describe('small helpers', () => {
  it('masks e-mail addresses', () => {
    expect(maskEmail('alice@example.org')).toBe('a…e@example.org');
    expect(maskEmail('al@example.org')).toBe('a…@example.org');
    expect(maskEmail('nope')).toBe('…');
  });
  it('names devices from the User-Agent', () => {
    expect(deviceLabel('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)')).toBe('iPhone');
    expect(deviceLabel('Mozilla/5.0 (Linux; Android 14; Pixel 8)')).toBe('Android');
    expect(deviceLabel(undefined)).toBeNull();
  });
  it('daily quotas reset at midnight in Paris', () => {
    expect(startOfLocalDay(new Date('2030-07-01T10:30:15.250Z')).toISOString()).toBe('2030-06-30T22:00:00.000Z');
    expect(startOfLocalDay(new Date('2030-01-15T23:30:00Z')).toISOString()).toBe('2030-01-15T23:00:00.000Z');
  });
});
