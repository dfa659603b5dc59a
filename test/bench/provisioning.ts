/**
 * bench:provisioning: N simulated agents (10,000 by default) long-polling
 * one node, then one change published to all of them.
 *
 * The node runs in a child process (its own event loop, its own memory,
 * measured from /proc), with the real API app, /v1 router and SQLite store
 * on /dev/shm when there is one. The parent plays the agents over loopback
 * HTTP/1.1 keep-alive: one connection per agent, as behind NAT.
 *
 * Printed: seeding; 304 polls per second (plain polls carrying the current
 * ETag); the time from "publish" (a federation variable changed: every AP
 * re-rendered, versions written in one transaction, agents notified) until
 * the last agent has its new version, split into render+commit and fan-out;
 * the node's resident memory with every agent waiting and at its peak.
 * Aim (issue 5): all updated within 2 s, under 500 MB.
 *
 *   npm run bench:provisioning                    # 10,000 agents
 *   BENCH_AGENTS=2000 npm run bench:provisioning  # fewer
 *   BENCH_PROFILE=/tmp/prof npm run bench:provisioning  # and a CPU profile of the node
 *   BENCH_NODE_OPTIONS='--max-semi-space-size=32' npm run bench:provisioning  # node flags for the node
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMemoryConfigNotifier } from '../../controller/adapters/memory/config-notifications.js';
import { openSqliteStores } from '../../controller/adapters/sqlite/index.js';
import { openSqliteProvisioningStore } from '../../controller/adapters/sqlite/provisioning-store.js';
import { DEFAULT_POLICY } from '../../controller/domain/policy.js';
import { createApiApp } from '../../controller/http/api-app.js';
import { createLogger } from '../../controller/log.js';
import { createMetrics } from '../../controller/metrics.js';
import { systemClock } from '../../controller/ports/clock.js';
import { newToken, tokenDigest } from '../../controller/security/tokens.js';
import { createProvisioningRouter } from '../../provisioning/app.js';
import { ProvisioningRuntime } from '../../provisioning/runtime.js';
import { cpuMicros, peakRssKiB } from './lib/proc.js';

type ToServer = { op: 'publish' } | { op: 'stats' } | { op: 'exit' };
type FromServer =
  | { op: 'ready'; port: number; keysFile: string; seedMs: number }
  | { op: 'published'; versions: number; renderCommitMs: number }
  | { op: 'stats'; waiting: number; rss: number; heapUsed: number };

const SELF = fileURLToPath(import.meta.url);

async function server(agents: number): Promise<void> {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = mkdtempSync(join(base, 'wfc-bench-prov-'));
  const file = join(dir, 'wfc.sqlite');
  const stores = openSqliteStores({ file });
  const provisioning = openSqliteProvisioningStore({ file });
  const metrics = createMetrics({ defaultMetrics: false });
  const log = createLogger({ level: 'warn' });
  const rt = new ProvisioningRuntime({
    stores,
    provisioning,
    notifier: createMemoryConfigNotifier(),
    ca: null,
    metrics,
    log,
    clock: systemClock,
    settings: {
      radiusServers: [
        { host: 'radius1.bench.example', authPort: 1812, acctPort: 1813 },
        { host: 'radius2.bench.example', authPort: 1812, acctPort: 1813 },
      ],
      portalBaseUrl: 'https://portail.bench.example/{municipality}/',
      enrolmentTtlSeconds: 3600,
      maxWaitSeconds: 120,
      onlineAfterSeconds: 180,
      certificateDays: 365,
      flushIntervalMs: 5000,
    },
  });

  const t0 = Date.now();
  await stores.federation.set({ name: 'Wi-Fi public Bench', realm: 'wifi.bench.example' });
  const tenant = await stores.tenants.create({
    slug: 'bench',
    name: 'Commune de Bench',
    inseeCode: '35238',
    branding: { displayName: 'Bench', primaryColor: '#0055a4', logoUrl: null },
    policy: DEFAULT_POLICY,
    wifi4eu: null,
    portal: { gateway: 'coovachilli', uamSecret: 'uam-bench', uamAuth: 'chap', fasKey: null, walledGarden: [] },
  });
  await stores.clients.add(tenant.id, { name: 'gw', network: '10.0.0.0/8', secret: 'bench-radius-secret-0001', requireMessageAuthenticator: true, coaPort: 3799 });
  const keys: string[] = [];
  for (let i = 0; i < agents; i++) {
    const mac = `02:be:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:01`;
    const r = await rt.accessPoints.create(tenant, { mac, name: `AP ${i}` }, 'bench');
    const key = newToken('wfca');
    const red = await provisioning.enrolments.redeem({
      tokenHash: tokenDigest(r.enrolment.token),
      now: new Date(),
      credential: { keyHash: tokenDigest(key), certificateSerial: null, certificateNotAfter: null, certificatePem: null },
    });
    if (!red.ok) throw new Error(`enrolment ${i}: ${red.reason}`);
    keys.push(key);
  }
  const seedMs = Date.now() - t0;
  const keysFile = join(dir, 'keys.json');
  writeFileSync(keysFile, JSON.stringify(keys));

  const app = createApiApp({ metrics, log, checks: [], version: 'bench', mounts: [{ path: '/v1', router: createProvisioningRouter(rt) }] });
  const { createServer } = await import('node:http');
  const http = createServer(app);
  http.keepAliveTimeout = 120_000;
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as { port: number }).port;
  const send = (m: FromServer) => process.send!(m);
  send({ op: 'ready', port, keysFile, seedMs });

  process.on('message', (m: ToServer) => {
    if (m.op === 'stats') send({ op: 'stats', waiting: rt.hub.size, rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed });
    else if (m.op === 'publish') {
      const start = performance.now();
      void rt.accessPoints.setVariables(null, { ssid: 'Bench, version 2' }, 'bench').then((r) =>
        send({ op: 'published', versions: r.published.length, renderCommitMs: performance.now() - start }),
      );
    } else if (m.op === 'exit') {
      void rt.stop().then(async () => {
        http.closeAllConnections();
        http.close();
        await provisioning.close();
        await stores.close();
        rmSync(dir, { recursive: true, force: true });
        process.exit(0);
      });
    }
  });
}

interface Answer {
  readonly status: number;
  readonly etag: string;
  readonly at: number;
}

function get(agent: Agent, port: number, key: string, etag: string | null, wait: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (etag) headers['if-none-match'] = `"${etag}"`;
    const req = request({ host: '127.0.0.1', port, path: `/v1/agent/config?wait=${wait}`, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: String(res.headers.etag ?? '').replace(/"/g, ''), at: performance.now() }));
    });
    req.on('error', reject);
    req.end();
  });
}

function next<T extends FromServer['op']>(child: ChildProcess, op: T): Promise<Extract<FromServer, { op: T }>> {
  return new Promise((resolve) => {
    const on = (m: FromServer) => {
      if (m.op !== op) return;
      child.off('message', on);
      resolve(m as Extract<FromServer, { op: T }>);
    };
    child.on('message', on);
  });
}

/** CPU seconds the node and the load generator spent since `mark()`. */
function cpuMeter(pid: number) {
  let node = cpuMicros(pid);
  let gen = process.cpuUsage();
  return {
    mark() {
      node = cpuMicros(pid);
      gen = process.cpuUsage();
    },
    read(): string {
      const g = process.cpuUsage(gen);
      return `CPU: node ${((cpuMicros(pid) - node) / 1e6).toFixed(2)} s, load generator ${((g.user + g.system) / 1e6).toFixed(2)} s`;
    },
  };
}

async function main(): Promise<void> {
  const agents = Number(process.env.BENCH_AGENTS ?? 10_000);
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  console.log(`bench:provisioning: ${agents} agents long-polling one node (Node ${process.version})`);
  // BENCH_PROFILE=<dir>: the node writes a V8 CPU profile there (summarise with test/bench/lib/cpuprofile.ts).
  const execArgv = [...(process.env.BENCH_NODE_OPTIONS ?? '').split(' ').filter(Boolean), ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [])];
  const child = fork(SELF, ['--server', String(agents)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  const ready = await next(child, 'ready');
  const stats = async () => {
    child.send({ op: 'stats' } satisfies ToServer);
    return next(child, 'stats');
  };
  console.log(`  seeded ${agents} APs (render, version 1, enrolment) in ${(ready.seedMs / 1000).toFixed(1)} s`);
  const keys = JSON.parse(readFileSync(ready.keysFile, 'utf8')) as string[];
  const cpu = cpuMeter(child.pid!);
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, keepAliveMsecs: 60_000 });

  // Every agent fetches version 1, at most 500 at a time.
  const etags: string[] = new Array<string>(agents);
  let t = performance.now();
  cpu.mark();
  for (let i = 0; i < agents; i += 500) {
    const batch = await Promise.all(keys.slice(i, i + 500).map((k) => get(agent, ready.port, k, null, 0)));
    batch.forEach((a, j) => {
      if (a.status !== 200) throw new Error(`first poll: ${a.status}`);
      etags[i + j] = a.etag;
    });
  }
  console.log(`  first download by every agent: ${((performance.now() - t) / 1000).toFixed(2)} s (${Math.round(agents / ((performance.now() - t) / 1000))} bundles/s; ${cpu.read()})`);

  // Unchanged polls: 256 agents in a loop for 5 s.
  let polls = 0;
  const until = performance.now() + 5000;
  t = performance.now();
  cpu.mark();
  await Promise.all(
    Array.from({ length: Math.min(256, agents) }, async (_, w) => {
      for (let i = w; performance.now() < until; i = (i + 256) % agents) {
        const a = await get(agent, ready.port, keys[i]!, etags[i]!, 0);
        if (a.status !== 304) throw new Error(`unchanged poll: ${a.status}`);
        polls++;
      }
    }),
  );
  const pollRate = polls / ((performance.now() - t) / 1000);
  console.log(`  304 polls: ${Math.round(pollRate)} requests/s (256 concurrent, loopback; ${cpu.read()})`);

  // Everyone long-polls; then one publish for all.
  const answers = keys.map((k, i) => get(agent, ready.port, k, etags[i]!, 120));
  const deadline = Date.now() + 120_000;
  let s = await stats();
  while (s.waiting < agents && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    s = await stats();
  }
  if (s.waiting < agents) throw new Error(`only ${s.waiting} of ${agents} polls waiting`);
  console.log(`  ${s.waiting} long polls waiting; node RSS ${mb(s.rss)} (heap ${mb(s.heapUsed)})`);
  const published = performance.now();
  cpu.mark();
  child.send({ op: 'publish' } satisfies ToServer);
  const [done, all] = await Promise.all([next(child, 'published'), Promise.all(answers)]);
  const last = Math.max(...all.map((a) => a.at));
  const changed = all.filter((a, i) => a.status === 200 && a.etag !== etags[i]).length;
  const total = last - published;
  console.log(`  publish to ${done.versions} APs: rendered and committed in ${(done.renderCommitMs / 1000).toFixed(2)} s`);
  console.log(`  every agent had the new version ${(total / 1000).toFixed(2)} s after the publish (${changed}/${agents} updated; ${cpu.read()})`);
  const peak = peakRssKiB(child.pid!) * 1024;
  console.log(`  node peak RSS: ${mb(peak)}`);
  const ok = changed === agents && total <= 2000 && peak < 500 * 1024 * 1024;
  console.log(`  aim (all within 2 s, under 500 MB): ${ok ? 'met' : 'NOT met'}`);
  agent.destroy();
  child.send({ op: 'exit' } satisfies ToServer);
  await new Promise((r) => child.once('exit', r));
}

if (process.argv[2] === '--server') await server(Number(process.argv[3] ?? 10_000));
else await main();
