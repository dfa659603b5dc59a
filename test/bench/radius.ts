/**
 * `npm run bench:radius`: closed-loop RADIUS load on loopback against our
 * server (a child `node dist/controller/main.js` over a data dir seeded by
 * `wfc demo`), against a bare Node UDP responder (the floor, for
 * calibration) and, when installed, against FreeRADIUS 3.2 with the same
 * load; then a CPU profile of our server under the PAP-cached load.
 * docs/benchmarks.md explains the scenarios and records a run.
 *
 * Every packet goes to 127.0.0.1. Each scenario gets a fresh server process,
 * so its peak RSS and CPU time are its own.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Redis } from 'ioredis';
import { createRedisLoginTokens } from '../../controller/adapters/redis/login-tokens.js';
import type { Mac } from '../../controller/domain/mac.js';
import { atCleanup, cleanup, freeUdpPorts, installCleanupHandlers, keepTempDirs, makeTempDir, removeTempDir } from './lib/children.js';
import { profileMarkdown, summariseProfile, type CpuProfile, type ProfileSummary } from './lib/cpuprofile.js';
import { writeRaddb, type PasswordForm } from './lib/freeradius.js';
import { runLoad, type Exchange, type Target } from './lib/load.js';
import { machineFacts, machineMarkdown } from './lib/machine.js';
import { loadOptions, UsageError, type BenchOptions, type OurScenario } from './lib/options.js';
import { cpuMicros, peakRssKiB } from './lib/proc.js';
import { connectRedis, deletePrefix, redisCpuMicros } from './lib/redis.js';
import { comparisonTable, resultsTable, summarise, type ScenarioResult } from './lib/report.js';
import { accountingRequests, benchIp, benchMac, papRequests, papWithPassword } from './lib/requests.js';
import { findCpuProfile, freeradiusVersion, seedDataDir, startBare, startFreeradius, startWfc, type DemoFacts, type RunningServer } from './lib/servers.js';

/** Distinct sessions cycled through by the Interim-Update load. */
const INTERIM_SESSIONS = 10_000;
/** The PAP user's one device: the same Calling-Station-Id refreshes its Simultaneous-Use reservation. */
const PAP_DEVICE = '02-00-00-00-0A-01';
const TOKEN_USER_PREFIX = 'benchtok';

interface Context {
  readonly opts: Readonly<BenchOptions>;
  readonly facts: DemoFacts;
  readonly dataDir: string;
  readonly redis: Redis | null;
  /** Tags session ids so that runs never collide. */
  readonly runTag: string;
}

type Load = (worker: number, identifier: number) => Exchange | Promise<Exchange>;

const log = (s: string): void => console.error(s);

function user(facts: DemoFacts, name: string): { username: string; password: string; identityId: string } {
  const u = facts.users.find((x) => x.username === name);
  const identityId = facts.identityIds.get(name);
  if (!u || !identityId) throw new Error(`demo user ${name} missing`);
  return { ...u, identityId };
}

/* ------------------------------------------------------------- loads */

function papLoad(ctx: Context, target: Target): Load {
  const alice = user(ctx.facts, 'alice');
  const next = papRequests({ secret: target.secret, userName: alice.username, password: alice.password, callingStationId: PAP_DEVICE });
  return (_w, id) => next(id);
}

function macLoad(ctx: Context, target: Target): Load {
  const device = ctx.facts.devices.find((d) => d.username === 'chloe');
  if (!device) throw new Error('demo device of chloe missing');
  const mac = device.mac.toUpperCase().replace(/:/g, '-');
  // Gateways doing MAC authentication send the MAC as User-Name and as password.
  const next = papRequests({ secret: target.secret, userName: mac, password: mac, callingStationId: mac });
  return (_w, id) => next(id);
}

function interimLoad(ctx: Context, target: Target): Load {
  const bob = user(ctx.facts, 'bob');
  const next = accountingRequests({ secret: target.secret, userName: bob.username, class: `wfc:${bob.identityId}` });
  let i = 0;
  return (_w, id) => {
    const n = i++;
    const k = n % INTERIM_SESSIONS;
    const round = Math.floor(n / INTERIM_SESSIONS) + 1;
    const session = { acctSessionId: `bench-${ctx.runTag}-i${k}`, callingStationId: benchMac(0x7a, k), framedIp: benchIp(k) };
    return next(id, 'Interim-Update', session, { sessionTime: 60 * round, inputOctets: 1000 * round + k, outputOctets: 50_000 * round + k });
  };
}

function startStopLoad(ctx: Context, target: Target): Load {
  const bob = user(ctx.facts, 'bob');
  const next = accountingRequests({ secret: target.secret, userName: bob.username, class: `wfc:${bob.identityId}` });
  // Each worker: Start of a new session, then its Stop, then the next session.
  const state: number[] = [];
  return (w, id) => {
    const step = (state[w] = (state[w] ?? -1) + 1);
    const k = Math.floor(step / 2);
    const n = w * 1_000_000 + k;
    const session = { acctSessionId: `bench-${ctx.runTag}-s${w}-${k}`, callingStationId: benchMac(0x7b, n), framedIp: benchIp(n) };
    return next(id, step % 2 === 0 ? 'Start' : 'Stop', session, { sessionTime: 300, inputOctets: 10_000 + k, outputOctets: 900_000 + k });
  };
}

/**
 * One-time tokens, each used once. A device holds at most one pending
 * token per citizen (LoginTokenStore.issue replaces the previous one) and
 * a citizen at most two devices (Simultaneous-Use = 2, reservations held
 * 60 s), so tokens cannot all be issued up front: each worker owns one
 * (citizen, device) pair and issues its next token, bound to that device,
 * after the previous one was used. Issuing happens before the request is
 * sent, outside its measured latency.
 */
function tokenLoad(ctx: Context, target: Target, prefix: string): { load: Load; workers: number } {
  if (!ctx.redis) throw new Error('token scenario needs Redis');
  const tokens = createRedisLoginTokens(ctx.redis, prefix);
  const pairs = tokenUsers(ctx.opts.concurrency).flatMap((username, u) =>
    [0, 1].map((d) => {
      const identityId = ctx.facts.identityIds.get(username);
      if (!identityId) throw new Error(`bench user ${username} missing`);
      const calling = benchMac(0x7c, u * 2 + d);
      return { identityId, mac: calling.toLowerCase().replace(/-/g, ':') as Mac, build: papWithPassword({ secret: target.secret, userName: username, callingStationId: calling }) };
    }),
  );
  const workers = Math.min(ctx.opts.concurrency, pairs.length);
  const tenantId = ctx.facts.valenceTenantId;
  return {
    workers,
    load: async (w, id) => {
      const p = pairs[w]!;
      const secret = `wfct_${randomBytes(16).toString('base64url')}`;
      await tokens.issue({ secret, identityId: p.identityId, tenantId, mac: p.mac, expiresAt: new Date(Date.now() + 60_000) });
      return p.build(id, secret);
    },
  };
}

function tokenUsers(concurrency: number): string[] {
  return Array.from({ length: Math.ceil(concurrency / 2) }, (_, i) => `${TOKEN_USER_PREFIX}${String(i + 1).padStart(3, '0')}`);
}

/* ------------------------------------------------------------- measuring */

async function measure(
  ctx: Context,
  server: RunningServer,
  head: { scenario: string; variant: string },
  target: Target,
  load: Load,
  opts: { workers?: number; redisCpu?: boolean } = {},
): Promise<ScenarioResult> {
  const pid = server.child.pid;
  let cpu0 = 0;
  let cpu1 = 0;
  let redis0 = 0;
  let redis1 = 0;
  const redis = opts.redisCpu ? ctx.redis : null;
  const result = await runLoad({
    target,
    concurrency: opts.workers ?? ctx.opts.concurrency,
    warmupMs: ctx.opts.warmupMs,
    durationMs: ctx.opts.durationMs,
    timeoutMs: ctx.opts.timeoutMs,
    next: load,
    window: {
      async open() {
        if (redis) redis0 = await redisCpuMicros(redis);
        cpu0 = cpuMicros(pid);
      },
      async close() {
        cpu1 = cpuMicros(pid);
        if (redis) redis1 = await redisCpuMicros(redis);
      },
    },
  });
  const r = summarise({ ...head, server: server.label }, result, {
    serverCpuMicros: cpu1 - cpu0,
    peakRssKiB: peakRssKiB(pid),
    ...(redis ? { redisCpuMicros: redis1 - redis0 } : {}),
  });
  log(
    `  ${server.label} ${head.scenario}${head.variant ? ` (${head.variant})` : ''}: ${r.requestsPerSecond.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ` +
      `${r.serverCpuMicrosPerRequest.toFixed(1)} µs CPU/req, ${r.timeouts} timeouts${Object.keys(r.unexpected).length ? `, unexpected ${JSON.stringify(r.unexpected)}` : ''}${Object.keys(r.invalid).length ? `, invalid ${JSON.stringify(r.invalid)}` : ''}`,
  );
  return r;
}

/** Stops a server and reports anything it logged at warn level or above. */
async function stopServer(server: RunningServer): Promise<void> {
  const code = await server.child.stop();
  const out = server.child.output().trim();
  if (server.label === 'wfc' && out) log(`  (${server.label} logged:)\n${out.split('\n').slice(-10).map((l) => `    ${l}`).join('\n')}`);
  if (code !== 0) log(`  ${server.label} exited with ${code}`);
}

async function runOurs(ctx: Context, scenario: OurScenario): Promise<ScenarioResult | null> {
  const onRedis = scenario === 'token' || scenario === 'pap-redis';
  if (onRedis && !ctx.redis) {
    log(`  skipped ${scenario}: no Redis at ${ctx.opts.redisUrl}`);
    return null;
  }
  const prefix = `wfc-bench-${randomBytes(6).toString('hex')}:`;
  const redis = ctx.redis;
  const forgetKeys = onRedis && redis ? atCleanup(() => deletePrefix(redis, prefix)) : () => undefined;
  const server = await startWfc({ dataDir: ctx.dataDir, secret: ctx.facts.secret, ...(onRedis ? { redis: { url: ctx.opts.redisUrl, prefix } } : {}) });
  try {
    switch (scenario) {
      case 'pap': {
        const r = await measure(ctx, server, { scenario: 'pap', variant: '' }, server.auth, papLoad(ctx, server.auth));
        log(`  (the first login, alone and uncached (argon2id): ${r.firstLatencyMs.toFixed(1)} ms)`);
        return { ...r, notes: `first login, uncached (argon2id): ${r.firstLatencyMs.toFixed(1)} ms` };
      }
      case 'pap-redis':
        return await measure(ctx, server, { scenario: 'pap-redis', variant: 'shared state on Redis' }, server.auth, papLoad(ctx, server.auth), { redisCpu: true });
      case 'token': {
        const { load, workers } = tokenLoad(ctx, server.auth, prefix);
        const variant = `Redis; ${workers} workers; token issued per request by the generator`;
        return await measure(ctx, server, { scenario: 'token', variant }, server.auth, load, { workers, redisCpu: true });
      }
      case 'mac':
        return await measure(ctx, server, { scenario: 'mac', variant: '' }, server.auth, macLoad(ctx, server.auth));
      case 'acct-interim':
        return await measure(ctx, server, { scenario: 'acct-interim', variant: '' }, server.acct, interimLoad(ctx, server.acct));
      case 'acct-start-stop':
        return await measure(ctx, server, { scenario: 'acct-start-stop', variant: '' }, server.acct, startStopLoad(ctx, server.acct));
      default:
        throw new Error(`unknown scenario ${String(scenario satisfies never)}`);
    }
  } finally {
    await stopServer(server);
    if (onRedis && redis) {
      await deletePrefix(redis, prefix);
      forgetKeys();
    }
  }
}

async function runFreeradius(ctx: Context, scenario: 'pap' | 'acct-interim' | 'acct-start-stop', form: PasswordForm): Promise<ScenarioResult> {
  const raddb = makeTempDir('raddb');
  const ports = await freeUdpPorts();
  writeRaddb({ dir: raddb, secret: ctx.facts.secret, authPort: ports.auth, acctPort: ports.acct, threads: ctx.opts.freeradiusThreads, user: user(ctx.facts, 'alice'), passwordForm: form });
  const server = await startFreeradius(raddb, ports, ctx.facts.secret);
  const variant = [`${ctx.opts.freeradiusThreads} threads`, scenario === 'pap' ? (form === 'cleartext' ? 'Cleartext-Password' : 'SSHA2-256-Password') : 'detail file'].join('; ');
  try {
    switch (scenario) {
      case 'pap':
        return await measure(ctx, server, { scenario, variant }, server.auth, papLoad(ctx, server.auth));
      case 'acct-interim':
        return await measure(ctx, server, { scenario, variant }, server.acct, interimLoad(ctx, server.acct));
      case 'acct-start-stop':
        return await measure(ctx, server, { scenario, variant }, server.acct, startStopLoad(ctx, server.acct));
      default:
        throw new Error(`unknown scenario ${String(scenario satisfies never)}`);
    }
  } finally {
    await stopServer(server);
    removeTempDir(raddb);
  }
}

/** The floor: a bare Node UDP responder under the same PAP load (bare-responder.ts). */
async function runBare(ctx: Context): Promise<ScenarioResult> {
  const server = await startBare(ctx.facts.secret);
  try {
    return await measure(ctx, server, { scenario: 'pap', variant: 'calibration: no decoding, MD5 Response Authenticator only' }, server.auth, papLoad(ctx, server.auth));
  } finally {
    await stopServer(server);
  }
}

async function runProfile(ctx: Context): Promise<{ result: ScenarioResult; summary: ProfileSummary; windowed: boolean } | null> {
  const dir = makeTempDir('cpuprof');
  const server = await startWfc({ dataDir: ctx.dataDir, secret: ctx.facts.secret, cpuProfileDir: dir });
  let result: ScenarioResult;
  try {
    result = await measure(ctx, server, { scenario: 'pap', variant: 'under node --cpu-prof (not comparable)' }, server.auth, papLoad(ctx, server.auth));
  } finally {
    // The profile is written when the process exits (SIGTERM → clean shutdown → exit).
    await stopServer(server);
  }
  const file = findCpuProfile(dir);
  if (!file) {
    log('  no .cpuprofile written (did the server exit cleanly?)');
    return null;
  }
  if (ctx.opts.profileOut) {
    copyFileSync(file, ctx.opts.profileOut);
    log(`  profile kept at ${ctx.opts.profileOut}`);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  // V8 stamps samples with CLOCK_MONOTONIC µs, as our window is: keep only the measured window
  // (start-up, module loading and the warm-up's first argon2id verification are left out).
  const w = result.windowMonotonicMicros;
  const windowed = w.open >= profile.startTime && w.close <= profile.endTime;
  const summary = summariseProfile(profile, windowed ? { window: { from: w.open, to: w.close } } : {});
  if (!windowed) log('  profile clock does not match ours: summarising the whole profile, start-up included');
  removeTempDir(dir);
  return { result, summary, windowed };
}

/* ------------------------------------------------------------- main */

async function main(): Promise<void> {
  let opts: Readonly<BenchOptions>;
  try {
    opts = loadOptions(process.argv.slice(2), process.env);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error((e as Error).message);
      process.exit(64); // EX_USAGE
    }
    throw e;
  }
  installCleanupHandlers();
  keepTempDirs(opts.keep);

  const frVersion = await freeradiusVersion();
  const machine = machineFacts(frVersion);
  log(machineMarkdown(machine));
  log(`- load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  log(`warm-up ${opts.warmupMs / 1000} s, measured ${opts.durationMs / 1000} s per scenario, concurrency ${opts.concurrency}, timeout ${opts.timeoutMs} ms\n`);

  const redis = opts.scenarios.some((s) => s === 'token' || s === 'pap-redis') ? await connectRedis(opts.redisUrl) : null;
  const results: ScenarioResult[] = [];
  let profile: { result: ScenarioResult; summary: ProfileSummary; windowed: boolean } | null = null;
  try {
    const dataDir = makeTempDir('data');
    log('seeding the demo federation (wfc demo) …');
    const facts = await seedDataDir(dataDir, opts.scenarios.includes('token') && redis ? tokenUsers(opts.concurrency) : []);
    const ctx: Context = { opts, facts, dataDir, redis, runTag: randomBytes(4).toString('hex') };

    log('our server:');
    for (const s of opts.scenarios) {
      const r = await runOurs(ctx, s);
      if (r) results.push(r);
    }
    if (opts.scenarios.includes('pap')) {
      log('bare Node UDP responder (calibration):');
      results.push(await runBare(ctx));
    }
    if (opts.freeradius && frVersion) {
      log(`FreeRADIUS ${frVersion}:`);
      if (opts.scenarios.includes('pap')) {
        results.push(await runFreeradius(ctx, 'pap', 'cleartext'));
        results.push(await runFreeradius(ctx, 'pap', 'ssha2-256'));
      }
      for (const s of ['acct-interim', 'acct-start-stop'] as const) if (opts.scenarios.includes(s)) results.push(await runFreeradius(ctx, s, 'cleartext'));
    } else if (opts.freeradius) {
      log('FreeRADIUS not installed (/usr/sbin/freeradius): no comparison');
    }
    if (opts.profile) {
      log('CPU profile of our server under the PAP-cached load:');
      profile = await runProfile(ctx);
    }
  } finally {
    await cleanup();
    redis?.disconnect();
  }

  log(`- load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const out: string[] = [];
  const floor = results.find((r) => r.server === 'bare-node');
  out.push('## Results', '', resultsTable(results, floor));
  if (results.some((r) => r.server === 'freeradius')) out.push('', '## Ours vs FreeRADIUS', '', comparisonTable(results));
  if (profile) {
    const scope = profile.windowed ? 'the measured window only' : 'the whole run, start-up included';
    out.push('', `## CPU profile (pap, our server; ${scope})`, '', resultsTable([profile.result], floor), '', profileMarkdown(profile.summary));
  }
  console.log(out.join('\n'));
  if (opts.json) {
    writeFileSync(opts.json, JSON.stringify({ machine, options: opts, results, profile: profile?.summary ?? null }, null, 2) + '\n');
    log(`results written to ${opts.json}`);
  }
}

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  await cleanup();
  process.exit(1);
});
