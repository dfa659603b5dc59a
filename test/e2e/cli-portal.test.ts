/**
 * `wfc portal`: a municipality's gateway settings and WiFi4EU enrolment,
 * through the built CLI over a real data dir. Secrets are never printed
 * nor audited.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStores } from '../../controller/adapters/sqlite/index.js';
import { databaseFile } from '../../controller/cli/context.js';
import { WFC_JS, childEnv, ensureBuilt, runNode } from '../helpers/process.js';

let dir: string;
const wfc = (...args: string[]) => runNode(WFC_JS, ['--data-dir', dir, ...args], { env: childEnv() });

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'wfc-cli-portal-'));
  expect((await wfc('tenant', 'add', 'valence', '--name', 'Ville de Valence', '--insee', '26362')).code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('wfc portal', () => {
  it('sets, shows and clears the gateway settings, never printing or auditing the secret', async () => {
    const set = await wfc('portal', 'set', 'valence', '--gateway', 'coovachilli', '--uam-secret', 'very-secret-uam', '--uam-auth', 'pap', '--walled-garden', 'cdn.valence.example');
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({
      tenant: 'valence',
      settings: { gateway: 'coovachilli', uamSecret: '[set]', uamAuth: 'pap' },
      portalUrl: 'http://localhost:8080/t/valence/',
      captiveApiUrl: 'http://localhost:8080/t/valence/api/captive',
      walledGarden: ['cdn.valence.example', 'localhost'],
    });
    expect(set.stdout).not.toContain('very-secret-uam');
    expect((await wfc('portal', 'show', 'valence')).stdout).toBe(set.stdout);
    const stores = openSqliteStores({ file: databaseFile(dir) });
    try {
      expect((await stores.tenants.getBySlug('valence'))!.portal!.uamSecret).toBe('very-secret-uam');
      const audit = await stores.audit.list({ limit: 10 });
      expect(audit.find((e) => e.action === 'tenant.portal')).toBeDefined();
      expect(JSON.stringify(audit)).not.toContain('very-secret-uam');
    } finally {
      await stores.close();
    }
    expect(JSON.parse((await wfc('portal', 'clear', 'valence')).stdout)).toMatchObject({ settings: null });
  });

  it('enrols in WiFi4EU (self-test by default) and withdraws', async () => {
    const on = await wfc('portal', 'wifi4eu', 'valence', '--network-id', '123e4567-e89b-12d3-a456-426655440000');
    expect(on.code, on.stderr).toBe(0);
    expect(JSON.parse(on.stdout)).toMatchObject({ wifi4eu: { networkId: '123e4567-e89b-12d3-a456-426655440000', language: 'fr', selfTest: true } });
    expect(JSON.parse(on.stdout).walledGarden).toContain('collection.wifi4eu.ec.europa.eu');
    const off = await wfc('portal', 'wifi4eu', 'valence', '--clear');
    expect(JSON.parse(off.stdout)).toMatchObject({ wifi4eu: null });
  });

  it('says what is wrong in one line: validation (without echoing the secret), unknown municipality, usage', async () => {
    const bad = await wfc('portal', 'set', 'valence', '--gateway', 'coovachilli', '--uam-secret', 'x');
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toMatch(/^wfc: .*uamSecret: at least 8 characters/);
    expect(bad.stderr).not.toContain('"x"');
    const script = await wfc('portal', 'wifi4eu', 'valence', '--network-id', '<script>');
    expect(script.code).toBe(1);
    const unknown = await wfc('portal', 'show', 'atlantis');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Unknown municipality: atlantis');
    expect((await wfc('portal', 'set', 'valence')).code).toBe(2);
  });
});
