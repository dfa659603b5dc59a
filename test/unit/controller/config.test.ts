import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../controller/config/index.js';

const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  return [];
};

describe('configuration', () => {
  it('defaults every setting', () => {
    const c = loadConfig({});
    expect(c.radius.authPort).toBe(1812);
    expect(c.radius.acctPort).toBe(1813);
    expect(c.portal.port).toBe(8080);
    expect(c.api.port).toBe(8081);
    expect(c.redisUrl).toBeNull();
    expect(c.logLevel).toBe('info');
    expect(c.dataDir).toMatch(/data$/);
  });

  it('reads the environment and freezes the result', () => {
    const c = loadConfig({ WFC_RADIUS_AUTH_PORT: '11812', WFC_REDIS_URL: 'redis://127.0.0.1:6379', WFC_PORTAL_SECURE_COOKIES: 'false' });
    expect(c.radius.authPort).toBe(11812);
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.portal.secureCookies).toBe(false);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.radius)).toBe(true);
  });

  it('names the variable and the problem for an invalid value', () => {
    expect(problems({ WFC_RADIUS_AUTH_PORT: 'abc' })).toEqual([expect.stringMatching(/^WFC_RADIUS_AUTH_PORT: .*port.*got "abc"/)]);
    expect(problems({ WFC_API_PORT: '70000' })[0]).toMatch(/^WFC_API_PORT: expected 1\.\.65535/);
    expect(problems({ WFC_LOG_LEVEL: 'loud' })[0]).toMatch(/^WFC_LOG_LEVEL: /);
    expect(problems({ WFC_REDIS_URL: 'http://x' })[0]).toMatch(/^WFC_REDIS_URL: expected a redis:\/\//);
  });

  it('never echoes a URL that may hold a password', () => {
    const p = problems({ WFC_REDIS_URL: 'memcached://user:hunter2@host' });
    expect(p[0]).not.toContain('hunter2');
  });

  it('reads a YAML file named by WFC_CONFIG, the environment winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wfc-config-'));
    const file = join(dir, 'wfc.yaml');
    writeFileSync(file, 'radius:\n  authPort: 21812\n  acctPort: 21813\napi:\n  port: 28081\n');
    const c = loadConfig({ WFC_CONFIG: file, WFC_API_PORT: '38081' });
    expect(c.radius.authPort).toBe(21812);
    expect(c.radius.acctPort).toBe(21813);
    expect(c.api.port).toBe(38081);
  });

  it('names file keys and unknown settings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wfc-config-'));
    const file = join(dir, 'wfc.json');
    writeFileSync(file, JSON.stringify({ radius: { authPort: 'x' }, colour: 'blue' }));
    const p = problems({ WFC_CONFIG: file });
    expect(p).toContainEqual(expect.stringMatching(/^radius\.authPort \(in .*wfc\.json\): /));
    expect(p).toContainEqual(expect.stringMatching(/unknown setting\(s\) colour/));
  });

  it('reports an unreadable or malformed file', () => {
    expect(problems({ WFC_CONFIG: '/nonexistent/wfc.yaml' })[0]).toMatch(/^WFC_CONFIG: cannot read/);
    const dir = mkdtempSync(join(tmpdir(), 'wfc-config-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{');
    expect(problems({ WFC_CONFIG: file })[0]).toMatch(/^WFC_CONFIG: .* is not valid JSON/);
  });
});

describe('configuration reference', () => {
  it('docs/deploy.md documents every environment variable the code reads', async () => {
    const { readFileSync } = await import('node:fs');
    const { ENV_VARS } = await import('../../../controller/config/index.js');
    const doc = readFileSync(new URL('../../../docs/deploy.md', import.meta.url), 'utf8');
    for (const name of [...Object.keys(ENV_VARS), 'WFC_CONFIG']) expect(doc, `${name} missing from docs/deploy.md`).toContain(`| \`${name}\` |`);
  });
});
