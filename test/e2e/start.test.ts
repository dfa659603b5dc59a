/**
 * The server as an operator starts it: `wfc demo` seeds a data dir, then
 * `node dist/controller/main.js` runs with settings from the environment on
 * free ports. Checked from outside only: HTTP probes, a real RADIUS client
 * (Debian's radtest), its log lines, and how it stops.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN_JS, WFC_JS, childEnv, ensureBuilt, freePorts, runCommand, runNode, spawnNode, underCi, waitForHttp, which, type Spawned } from '../helpers/process.js';

interface Demo {
  radius: { secret: string; authPort: number; acctPort: number };
  tenants: Array<{ slug: string; apiToken: string; radiusClient: string }>;
  users: Array<{ username: string; password: string }>;
}

const radtest = which('radtest');
// Under CI a missing radtest fails the test; on a workstation it skips it.
const radtestTest = radtest || underCi() ? it : it.skip;

describe('wfc demo, then the server from dist/ (WFC_* settings, free ports)', { timeout: 30_000 }, () => {
  let root: string;
  let server: Spawned;
  let demo: Demo;
  let api: string;
  let ports: { auth: number; acct: number; api: number };

  beforeAll(async () => {
    await ensureBuilt();
    root = mkdtempSync(join(tmpdir(), 'wfc-start-e2e-'));
    const dataDir = join(root, 'data');
    const [[auth, acct], [apiPort, portalPort]] = await Promise.all([freePorts(2, 'udp'), freePorts(2, 'tcp')]);
    ports = { auth: auth!, acct: acct!, api: apiPort! };
    const env = childEnv({
      WFC_DATA_DIR: dataDir,
      WFC_RADIUS_AUTH_PORT: String(ports.auth),
      WFC_RADIUS_ACCT_PORT: String(ports.acct),
      WFC_API_PORT: String(ports.api),
      WFC_RADIUS_HOST: '::',
      WFC_API_HOST: '127.0.0.1',
      // Not under test here, but never the default 8080 of a developer's machine.
      WFC_PORTAL_PORT: String(portalPort),
      WFC_PORTAL_HOST: '127.0.0.1',
      WFC_LOG_LEVEL: 'info',
    });
    const seeded = await runNode(WFC_JS, ['demo', '--data-dir', dataDir, '--json'], { env, timeoutMs: 30_000 });
    expect(seeded.code, seeded.stderr).toBe(0);
    demo = JSON.parse(seeded.stdout) as Demo;

    server = spawnNode(MAIN_JS, [], { env });
    api = `http://127.0.0.1:${ports.api}`;
    await waitForHttp(`${api}/readyz`, {
      timeoutMs: 20_000,
      check: () => {
        const exit = server.exitStatus();
        if (exit) throw new Error(`the server exited (code ${exit.code}, signal ${exit.signal}) before it was ready:\n${server.stdout()}\n${server.stderr()}`);
      },
    });
  }, 60_000);

  afterAll(async () => {
    if (server && !server.exitStatus()) await server.stop('SIGKILL', 5_000).catch(() => {});
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('the demo seed names the ports it was configured with', () => {
    expect(demo.radius).toMatchObject({ authPort: ports.auth, acctPort: ports.acct });
  });

  it('logs where it listens: the configured ports', async () => {
    const radius = JSON.parse(await server.waitForLine(/RADIUS listening/, 5_000, 'stdout')) as Record<string, unknown>;
    expect(radius).toMatchObject({ level: 'info', host: '::', auth: ports.auth, acct: ports.acct });
    const http = JSON.parse(await server.waitForLine(/"msg":"API\b.*listening/, 5_000, 'stdout')) as Record<string, unknown>;
    expect(http).toMatchObject({ port: ports.api, host: '127.0.0.1' });
  });

  it('answers /readyz, /healthz and /metrics', async () => {
    const [ready, health, metrics] = await Promise.all([fetch(`${api}/readyz`), fetch(`${api}/healthz`), fetch(`${api}/metrics`)]);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: expect.arrayContaining([expect.objectContaining({ name: 'sqlite', ok: true })]) });
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });

    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await metrics.text();
    expect(text).toMatch(/^wfc_build_info\{[^}]*version="\d+\.\d+\.\d+[^"]*"[^}]*\} 1$/m);
    expect(text).toMatch(/^wfc_process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^wfc_process_resident_memory_bytes \d/m);
    expect(text).toMatch(/^wfc_nodejs_heap_size_used_bytes \d/m);
    // Every series carries the prefix: nothing else shares the scrape's namespace.
    const names = text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => /^[a-zA-Z_:][\w:]*/.exec(l)![0]);
    expect(names.filter((n) => !n.startsWith('wfc_'))).toEqual([]);
  });

  radtestTest("authenticates the demo's citizens with radtest (PAP), over IPv4 and IPv6", async () => {
    if (!radtest) throw new Error("radtest is missing: CI must install Debian's freeradius-utils");
    const [alice, bob] = [user('alice'), user('bob')];
    const run = (name: string, password: string, server: string) =>
      runCommand(radtest, ['-t', 'pap', name, password, server, '0', demo.radius.secret], { env: childEnv(), timeoutMs: 25_000 });
    const [v4, v6, wrong] = await Promise.all([
      run(alice.username, alice.password, `127.0.0.1:${ports.auth}`), // Valence's client: 127.0.0.0/8
      run(bob.username, bob.password, `[::1]:${ports.auth}`), // Crest's client: ::1/128
      run(alice.username, 'not-her-password', `127.0.0.1:${ports.auth}`),
    ]);
    expect(v4.stdout, v4.stdout + v4.stderr).toMatch(/^Received Access-Accept /m);
    expect(v4.code).toBe(0);
    expect(v6.stdout, v6.stdout + v6.stderr).toMatch(/^Received Access-Accept /m);
    expect(wrong.stdout, wrong.stdout + wrong.stderr).toMatch(/^Received Access-Reject /m);
    expect(wrong.code).not.toBe(0);

    const metrics = await (await fetch(`${api}/metrics`)).text();
    expect(metrics).toMatch(/^wfc_radius_access_accepts_total\{[^}]*tenant="valence"[^}]*\} 1$/m);
    expect(metrics).toMatch(/^wfc_radius_access_accepts_total\{[^}]*tenant="crest"[^}]*\} 1$/m);
  });

  it('logs JSON lines that carry no secret: RADIUS secret, passwords, API tokens, hashes', () => {
    const lines = server.lines('stdout');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(entry, line).toMatchObject({ level: expect.any(String), time: expect.any(String), msg: expect.any(String) });
    }
    expect(server.stderr()).toBe('');
    const output = server.stdout();
    const secrets = [demo.radius.secret, ...demo.users.map((u) => u.password), ...demo.tenants.map((t) => t.apiToken), 'not-her-password'];
    for (const s of secrets) expect(output).not.toContain(s);
    expect(output).not.toMatch(/\$argon2/);
  });

  it('stops on SIGTERM: exit 0 within 5 s, logging the shutdown', async () => {
    const exited = await server.stop('SIGTERM', 5_000);
    expect(exited).toMatchObject({ code: 0, signal: null });
    expect(exited.ms).toBeLessThan(5_000);
    // Presence, not order: pino's asynchronous stdout can land a line written
    // just before process.exit() after the ones its exit hook flushes.
    const messages = server.lines('stdout').map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages).toEqual(expect.arrayContaining(['signal received', expect.stringMatching(/^shutting down/), 'stopped']));
  });

  function user(name: string): Demo['users'][number] {
    const u = demo.users.find((x) => x.username === name);
    if (!u) throw new Error(`the demo has no user ${name}: ${demo.users.map((x) => x.username).join(', ')}`);
    return u;
  }
});

describe('the server with an invalid setting', () => {
  it('exits non-zero at once, naming the variable on stderr', async () => {
    await ensureBuilt();
    const root = mkdtempSync(join(tmpdir(), 'wfc-start-e2e-'));
    try {
      const r = await runNode(MAIN_JS, [], { env: childEnv({ WFC_DATA_DIR: join(root, 'data'), WFC_RADIUS_AUTH_PORT: 'abc' }), timeoutMs: 15_000 });
      expect(r.code, r.stderr).not.toBe(0);
      expect(r.code).not.toBeNull(); // exited by itself, not killed
      expect(r.stderr).toMatch(/WFC_RADIUS_AUTH_PORT.*"abc"/);
      expect(r.stdout).not.toMatch(/listening/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
