/** `wfc tenant policy`: a municipality's access policy, shown and changed through the built CLI. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WFC_JS, childEnv, ensureBuilt, runNode } from '../helpers/process.js';

let dir: string;
const wfc = (...args: string[]) => runNode(WFC_JS, ['--data-dir', dir, ...args], { env: childEnv() });

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'wfc-cli-policy-'));
  expect((await wfc('tenant', 'add', 'crest', '--name', 'Ville de Crest', '--insee', '26108')).code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('wfc tenant policy', () => {
  it('shows the default policy and changes only what is given', async () => {
    const shown = JSON.parse((await wfc('tenant', 'policy', 'crest', '--json')).stdout);
    expect(shown).toMatchObject({ simultaneousUse: 2, unregisteredAp: 'accept', dailyTimeQuota: null });
    const r = await wfc('tenant', 'policy', 'crest', '--simultaneous-use', '1', '--daily-time', '7200', '--unregistered-ap', 'reject', '--bandwidth-up', 'none', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ...shown, simultaneousUse: 1, dailyTimeQuota: 7200, unregisteredAp: 'reject', bandwidthUp: null });
    expect(JSON.parse((await wfc('tenant', 'policy', 'crest', '--json')).stdout)).toMatchObject({ simultaneousUse: 1 });
  });

  it('refuses an invalid value in one line naming the field', async () => {
    const r = await wfc('tenant', 'policy', 'crest', '--simultaneous-use', '0');
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^wfc: .*simultaneousUse/);
    const bad = await wfc('tenant', 'policy', 'crest', '--unregistered-ap', 'maybe');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unregisteredAp/);
  });
});
