/** Gateway settings: validation, the audited update, and the configure command over a real data dir. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStores } from '../../../controller/adapters/sqlite/index.js';
import { databaseFile } from '../../../controller/cli/context.js';
import { createTenant } from '../../../controller/services/tenants.js';
import { configure } from '../../../captive-portal/configure.js';
import { portalSettingsSchema } from '../../../captive-portal/settings.js';

describe('portal settings schema', () => {
  it('defaults CHAP, no secrets, no extra hosts', () => {
    expect(portalSettingsSchema.parse({ gateway: 'coovachilli' })).toEqual({ gateway: 'coovachilli', uamSecret: null, uamAuth: 'chap', fasKey: null, walledGarden: [] });
  });
  it('refuses secrets of the wrong protocol, short or spaced secrets, bad hosts, unknown keys', () => {
    const issues = (v: unknown) => portalSettingsSchema.safeParse(v).error?.issues.map((i) => i.path.join('.'));
    expect(issues({ gateway: 'opennds', uamSecret: 'long-enough-secret' })).toEqual(['uamSecret']);
    expect(issues({ gateway: 'coovachilli', fasKey: 'long-enough-secret' })).toEqual(['fasKey']);
    expect(issues({ gateway: 'coovachilli', uamSecret: 'short' })).toEqual(['uamSecret']);
    expect(issues({ gateway: 'coovachilli', uamSecret: 'has a space in it' })).toEqual(['uamSecret']);
    expect(issues({ gateway: 'generic', walledGarden: ['ok.example', 'not a host'] })).toEqual(['walledGarden.1']);
    expect(issues({ gateway: 'mikrotik' })).toEqual(['gateway']);
    expect(issues({ gateway: 'generic', extra: 1 })).toEqual(['']);
    expect(portalSettingsSchema.parse({ gateway: 'generic', walledGarden: ['*.Example.ORG'] }).walledGarden).toEqual(['*.example.org']);
  });
});

describe('configure command', () => {
  let dir: string;
  const run = async (...argv: string[]) => {
    let out = '';
    let err = '';
    const code = await configure(['--data-dir', dir, ...argv], { out: (s) => void (out += s), err: (s) => void (err += s) });
    return { code, out, err };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wfc-configure-'));
    const stores = openSqliteStores({ file: databaseFile(dir) });
    await createTenant(stores, { slug: 'valence', name: 'Ville de Valence', inseeCode: '26362' }, 'test');
    await stores.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sets, shows and clears, never printing or auditing the secret', async () => {
    const set = await run('valence', 'set', JSON.stringify({ gateway: 'coovachilli', uamSecret: 'very-secret-uam', uamAuth: 'pap', walledGarden: ['cdn.valence.example'] }));
    expect(set.code).toBe(0);
    const shown = JSON.parse(set.out) as Record<string, unknown>;
    expect(shown).toMatchObject({ tenant: 'valence', settings: { gateway: 'coovachilli', uamSecret: '[set]', uamAuth: 'pap' }, portalUrl: 'http://localhost:8080/t/valence/', walledGarden: ['cdn.valence.example', 'localhost'] });
    expect(set.out).not.toContain('very-secret-uam');
    expect((await run('valence', 'show')).out).toBe(set.out);
    const stores = openSqliteStores({ file: databaseFile(dir) });
    try {
      expect((await stores.tenants.getBySlug('valence'))!.portal!.uamSecret).toBe('very-secret-uam');
      const audit = await stores.audit.list({ limit: 10 });
      expect(audit.find((e) => e.action === 'tenant.portal')).toBeDefined();
      expect(JSON.stringify(audit)).not.toContain('very-secret-uam');
    } finally {
      await stores.close();
    }
    const cleared = await run('valence', 'clear');
    expect(JSON.parse(cleared.out)).toMatchObject({ settings: null });
  });

  it('enrols in WiFi4EU (self-test by default) and withdraws', async () => {
    const on = await run('valence', 'wifi4eu', '{"networkId":"123e4567-e89b-12d3-a456-426655440000"}');
    expect(on.code).toBe(0);
    expect(JSON.parse(on.out)).toMatchObject({ wifi4eu: { networkId: '123e4567-e89b-12d3-a456-426655440000', language: 'fr', selfTest: true } });
    expect(JSON.parse(on.out).walledGarden).toContain('collection.wifi4eu.ec.europa.eu');
    expect((await run('valence', 'wifi4eu', '{"networkId":"<script>"}')).code).toBe(1);
    expect(JSON.parse((await run('valence', 'wifi4eu-clear')).out)).toMatchObject({ wifi4eu: null });
  });

  it('says what is wrong: usage, JSON, validation, unknown municipality', async () => {
    expect((await run('valence')).code).toBe(2);
    expect((await run('valence', 'set', '{nope')).err).toContain('not valid JSON');
    const bad = await run('valence', 'set', '{"gateway":"coovachilli","uamSecret":"x"}');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('uamSecret: at least 8 characters');
    expect(bad.err).not.toContain('"x"');
    const unknown = await run('atlantis', 'show');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('Unknown municipality: atlantis');
  });
});
