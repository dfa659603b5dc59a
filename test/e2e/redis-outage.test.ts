/**
 * A Redis outage as an operator would see it: the built server
 * (dist/controller/main.js) with WFC_REDIS_URL pointing at a redis-server
 * of this test's own, which the test kills (SIGKILL) and starts again on
 * the same port. Checked from outside: /readyz, /metrics, radclient
 * (FreeRADIUS' utilities) for authentication and accounting, and what Redis
 * holds afterwards. See docs/adr/0009-redis-outage.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN_JS, WFC_JS, childEnv, ensureBuilt, freePorts, runNode, spawnNode, waitForHttp, type Spawned } from '../helpers/process.js';
import { hasBinary, q, radclient } from '../helpers/radclient.js';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server.js';

interface Demo {
  radius: { secret: string };
  users: Array<{ username: string; password: string }>;
}

interface Readiness {
  status: string;
  checks: Array<{ name: string; ok: boolean; error?: string }>;
}

const haveRadclient = hasBinary('radclient');
const redis = haveRadclient ? await startOwnRedis() : null;

describe.skipIf(!haveRadclient || !redis)('a Redis outage under the running server', { timeout: 60_000 }, () => {
  const own = redis as OwnRedis;
  let root: string;
  let server: Spawned;
  let demo: Demo;
  let api: string;
  let auth: string;
  let acct: string;
  let prefix: string;
  let observer: Redis;

  beforeAll(async () => {
    await ensureBuilt();
    root = mkdtempSync(join(tmpdir(), 'wfc-redis-outage-'));
    const dataDir = join(root, 'data');
    prefix = `wfc-outage-${randomBytes(4).toString('hex')}:`;
    const [[authPort, acctPort], [apiPort, portalPort]] = await Promise.all([freePorts(2, 'udp'), freePorts(2, 'tcp')]);
    const env = childEnv({
      WFC_DATA_DIR: dataDir,
      WFC_RADIUS_AUTH_PORT: String(authPort),
      WFC_RADIUS_ACCT_PORT: String(acctPort),
      WFC_RADIUS_HOST: '::',
      WFC_API_PORT: String(apiPort),
      WFC_API_HOST: '127.0.0.1',
      WFC_PORTAL_PORT: String(portalPort),
      WFC_PORTAL_HOST: '127.0.0.1',
      WFC_REDIS_URL: own.url,
      WFC_REDIS_PREFIX: prefix,
      WFC_LOG_LEVEL: 'info',
    });
    const seeded = await runNode(WFC_JS, ['demo', '--data-dir', dataDir, '--json'], { env, timeoutMs: 30_000 });
    expect(seeded.code, seeded.stderr).toBe(0);
    demo = JSON.parse(seeded.stdout) as Demo;
    auth = `127.0.0.1:${authPort}`;
    acct = `127.0.0.1:${acctPort}`;
    api = `http://127.0.0.1:${apiPort}`;

    observer = new Redis(own.url, { retryStrategy: () => 100, maxRetriesPerRequest: 1 });
    observer.on('error', () => {}); // it reconnects by itself after the restart

    server = spawnNode(MAIN_JS, [], { env });
    await waitForHttp(`${api}/readyz`, {
      timeoutMs: 20_000,
      check: () => {
        const exit = server.exitStatus();
        if (exit) throw new Error(`the server exited (code ${exit.code}, signal ${exit.signal}) before it was ready:\n${server.stdout()}\n${server.stderr()}`);
      },
    });
  }, 90_000);

  afterAll(async () => {
    if (server && !server.exitStatus()) await server.stop('SIGKILL', 5_000).catch(() => {});
    observer?.disconnect();
    await own.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const password = (name: string) => demo.users.find((u) => u.username === name)!.password;
  const MAC = '02-00-00-00-0a-01';

  /** One PAP Access-Request from Valence's gateway; how long radclient took, end to end. */
  async function login(): Promise<{ code: string | null; ms: number }> {
    const started = performance.now();
    const r = await radclient({
      server: auth,
      kind: 'auth',
      secret: demo.radius.secret,
      retries: 1,
      timeoutSec: 3,
      attributes: ['User-Name = "alice"', `User-Password = ${q(password('alice'))}`, `Calling-Station-Id = ${q(MAC)}`, 'Called-Station-Id = "00-11-22-33-44-01:Wifi-Valence"', 'Message-Authenticator = 0x00'],
    });
    return { code: r.code, ms: performance.now() - started };
  }

  function accounting(status: 'Start' | 'Interim-Update', sessionId: string, sessionTime = 0): Promise<{ code: string | null }> {
    return radclient({
      server: acct,
      kind: 'acct',
      secret: demo.radius.secret,
      retries: 1,
      timeoutSec: 3,
      attributes: [
        `Acct-Status-Type = ${status}`,
        'User-Name = "alice"',
        `Acct-Session-Id = ${q(sessionId)}`,
        'NAS-IP-Address = 127.0.0.1',
        `Calling-Station-Id = ${q(MAC)}`,
        'Called-Station-Id = "00-11-22-33-44-01:Wifi-Valence"',
        `Acct-Session-Time = ${sessionTime}`,
      ],
    });
  }

  async function readiness(): Promise<{ status: number; body: Readiness; ms: number }> {
    const started = performance.now();
    const res = await fetch(`${api}/readyz`, { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, body: (await res.json()) as Readiness, ms: performance.now() - started };
  }

  async function metric(name: string): Promise<number | null> {
    const text = await (await fetch(`${api}/metrics`)).text();
    const values = text
      .split('\n')
      .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
      .map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
    return values.length ? values.reduce((a, b) => a + b, 0) : null;
  }

  /** Whether Redis holds the live session with this Acct-Session-Id (its key ends with it). */
  async function liveInRedis(sessionId: string): Promise<boolean> {
    const members = await observer.zrange(`${prefix}ls:upd`, 0, -1);
    return members.some((m) => m.endsWith(`|127.0.0.1|${sessionId}`));
  }

  async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string): Promise<{ value: T; ms: number }> {
    const started = Date.now();
    for (;;) {
      const value = await probe();
      if (ok(value)) return { value, ms: Date.now() - started };
      if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(value)})\n${server.stdout().slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('with Redis up: ready, wfc_redis_up 1, logins accepted, live sessions in Redis', async () => {
    const ready = await readiness();
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'redis', ok: true })]));
    expect(await metric('wfc_redis_up')).toBe(1);
    expect((await login()).code).toBe('Access-Accept');
    expect((await accounting('Start', 'OUT-before')).code).toBe('Accounting-Response');
    expect(await liveInRedis('OUT-before')).toBe(true);
  });

  it('Redis killed: /readyz 503 naming redis within seconds, wfc_redis_up 0', async () => {
    await own.kill('SIGKILL');
    const { value, ms } = await until(readiness, (r) => r.status === 503, 5_000, '/readyz turns 503');
    expect(ms).toBeLessThan(5_000);
    expect(value.ms).toBeLessThan(2_000); // the probe fails fast, not at the 2 s readiness timeout
    expect(value.body.status).toBe('not-ready');
    expect(value.body.checks).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'redis', ok: false, error: expect.stringMatching(/Redis/) })]));
    expect(value.body.checks).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'sqlite', ok: true })]));
    expect(await metric('wfc_redis_up')).toBe(0);
    expect(await metric('wfc_redis_reconnects_total')).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${api}/healthz`)).status).toBe(200);
  });

  it('while Redis is down: Access-Requests are accepted, each in under a second, and accounting is acknowledged', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await login();
      expect(r.code, `login ${i + 1}`).toBe('Access-Accept');
      expect(r.ms, `login ${i + 1}`).toBeLessThan(1_000);
    }
    // The durable accounting log is SQLite: Start and Interim are stored and answered.
    expect((await accounting('Start', 'OUT-during')).code).toBe('Accounting-Response');
    expect((await accounting('Interim-Update', 'OUT-during', 30)).code).toBe('Accounting-Response');
    expect(await metric('wfc_shared_state_degraded_total')).toBeGreaterThan(0);
  });

  it('Redis back on the same port: ready again within 10 s, wfc_redis_up 1, the outage session in Redis, logins accepted', async () => {
    await own.restart();
    const { ms } = await until(readiness, (r) => r.status === 200, 10_000, '/readyz turns 200 again');
    expect(ms).toBeLessThan(10_000);
    expect(await metric('wfc_redis_up')).toBe(1);
    expect(await metric('wfc_redis_reconnects_total')).toBeGreaterThanOrEqual(1);
    await until(async () => observer.status, (s) => s === 'ready', 5_000, 'the observer reconnects');
    // Redis restarted empty; the session started during the outage was handed back before /readyz said ready.
    expect(await liveInRedis('OUT-during')).toBe(true);
    // The one started before the outage was lost with Redis's memory: its next Interim-Update re-creates it.
    expect(await liveInRedis('OUT-before')).toBe(false);
    expect((await accounting('Interim-Update', 'OUT-before', 120)).code).toBe('Accounting-Response');
    expect(await liveInRedis('OUT-before')).toBe(true);

    const r = await login();
    expect(r.code).toBe('Access-Accept');
    expect(r.ms).toBeLessThan(1_000);
    const lines = server.lines('stdout').map((l) => JSON.parse(l) as { msg: string });
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining([expect.stringMatching(/^Redis unreachable/), expect.stringMatching(/^Redis available/)]));
  });

  it('stops cleanly on SIGTERM after the outage', async () => {
    const exited = await server.stop('SIGTERM', 5_000);
    expect(exited).toMatchObject({ code: 0, signal: null });
  });
});
