/**
 * `npm run bench:portal`: loopback HTTP load on the captive portal of a
 * child `node dist/controller/main.js` (a fresh data dir seeded by
 * `wfc demo`), at a fixed concurrency, closed loop (each worker keeps one
 * request outstanding over a keep-alive connection):
 *
 *   1. landing page views alone;
 *   2. login POSTs alone (right password: one argon2id verification each);
 *   3. both at once: page views while logins saturate the hashing slots.
 *
 * Prints requests/s, p50 and p99 latency per phase, logins per CPU-second
 * of the server (≈ per core), and the server's peak resident memory.
 * Logins are bounded by argon2id (19 MiB, t=2) and by
 * WFC_RADIUS_VERIFY_CONCURRENCY slots; page views must stay fast meanwhile.
 *
 *   node dist/test/bench/portal.js [--seconds 5] [--concurrency 32] [--login-concurrency 8] [--verify-concurrency 2]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Options {
  seconds: number;
  concurrency: number;
  loginConcurrency: number;
  verifyConcurrency: number;
}

function options(argv: string[]): Options {
  const o: Options = { seconds: 5, concurrency: 32, loginConcurrency: 8, verifyConcurrency: 2 };
  for (let i = 0; i < argv.length; i += 2) {
    const v = Number(argv[i + 1]);
    if (!Number.isInteger(v) || v < 1) throw new Error(`bad value for ${argv[i]}: ${argv[i + 1]}`);
    if (argv[i] === '--seconds') o.seconds = v;
    else if (argv[i] === '--concurrency') o.concurrency = v;
    else if (argv[i] === '--login-concurrency') o.loginConcurrency = v;
    else if (argv[i] === '--verify-concurrency') o.verifyConcurrency = v;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return o;
}

const dist = (rel: string) => fileURLToPath(new URL(`../../${rel}`, import.meta.url));
const log = (s: string) => console.error(s);

/** utime + stime of a process in seconds (proc(5) fields 14, 15), and its peak RSS (VmHWM) in MiB. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}
function peakRssMiB(pid: number): number {
  const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function startServer(dataDir: string, o: Options): Promise<{ child: ChildProcess; port: number }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WFC_DATA_DIR: dataDir,
    WFC_LOG_LEVEL: 'info',
    WFC_RADIUS_HOST: '127.0.0.1',
    WFC_RADIUS_AUTH_PORT: '0',
    WFC_RADIUS_ACCT_PORT: '0',
    WFC_API_HOST: '127.0.0.1',
    WFC_API_PORT: '0',
    WFC_PORTAL_HOST: '127.0.0.1',
    WFC_PORTAL_PORT: '0',
    WFC_PORTAL_SECURE_COOKIES: 'false',
    WFC_RADIUS_VERIFY_CONCURRENCY: String(o.verifyConcurrency),
  };
  // One node, in-process shared state: the bench measures the portal, not Redis.
  delete env.WFC_REDIS_URL;
  const child = spawn(process.execPath, [dist('controller/main.js')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error('the controller did not start within 30 s')), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const m = /"port":(\d+)[^\n]*captive portal listening/.exec(buf) ?? /captive portal listening[^\n]*"port":(\d+)/.exec(buf);
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`the controller exited (${code})`)));
  });
  child.stdout!.resume();
  return { child, port };
}

interface Phase {
  readonly latencies: number[];
  errors: number;
}

/** A closed loop: `workers` requests in flight until `until`; records only what completes before it. */
async function loop(workers: number, until: number, send: () => Promise<number>, phase: Phase, ok: (status: number) => boolean): Promise<void> {
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        try {
          const status = await send();
          if (performance.now() > until) break;
          if (ok(status)) phase.latencies.push(performance.now() - t0);
          else phase.errors++;
        } catch {
          phase.errors++;
        }
      }
    }),
  );
}

function http(agent: Agent, port: number, method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: body ? { ...headers, 'content-length': String(Buffer.byteLength(body)) } : headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function pct(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function row(name: string, ph: Phase, seconds: number, extra = ''): string {
  const s = [...ph.latencies].sort((a, b) => a - b);
  return `| ${name} | ${(s.length / seconds).toFixed(0)} | ${pct(s, 50).toFixed(2)} | ${pct(s, 99).toFixed(2)} | ${ph.errors} | ${extra} |`;
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const dataDir = mkdtempSync(join(tmpdir(), 'wfc-bench-portal-'));
  let child: ChildProcess | null = null;
  try {
    log(`seeding a demo federation in ${dataDir}`);
    const demo = JSON.parse(execFileSync(process.execPath, [dist('controller/cli/wfc.js'), '--data-dir', dataDir, 'demo', '--json'], { encoding: 'utf8' })) as { users: Array<{ username: string; password: string }> };
    const alice = demo.users.find((u) => u.username === 'alice')!;
    const server = await startServer(dataDir, o);
    child = server.child;
    const pid = child.pid!;
    const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency + o.loginConcurrency });

    // One browser's CSRF cookie and token serve every login post (the token is bound to the cookie, not to one use).
    const first = await http(agent, server.port, 'GET', '/t/valence/', {});
    const setCookie = ([] as string[]).concat(first.headers['set-cookie'] ?? []);
    const cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(first.body)?.[1];
    if (!csrf) throw new Error('no CSRF token on the landing page');
    const loginBody = new URLSearchParams({ _csrf: csrf, login: alice.username, password: alice.password }).toString();
    const landing = () => http(agent, server.port, 'GET', '/t/valence/', { 'accept-language': 'fr-FR,fr;q=0.9', cookie }).then((r) => r.status);
    const login = () => http(agent, server.port, 'POST', '/t/valence/login', { 'content-type': 'application/x-www-form-urlencoded', cookie }, loginBody).then((r) => r.status);
    const pageOk = (s: number) => s === 200;
    const loginOk = (s: number) => s === 303;

    // Warm-up: JIT, SQLite page cache, the argon2 thread pool.
    await loop(4, performance.now() + 1000, landing, { latencies: [], errors: 0 }, pageOk);
    await loop(2, performance.now() + 1000, login, { latencies: [], errors: 0 }, loginOk);

    const ms = o.seconds * 1000;
    log(`phase 1: landing page, concurrency ${o.concurrency}, ${o.seconds} s`);
    const pages: Phase = { latencies: [], errors: 0 };
    await loop(o.concurrency, performance.now() + ms, landing, pages, pageOk);

    log(`phase 2: login POST, concurrency ${o.loginConcurrency}, ${o.seconds} s`);
    const logins: Phase = { latencies: [], errors: 0 };
    const cpu0 = cpuSeconds(pid);
    const t0 = performance.now();
    await loop(o.loginConcurrency, t0 + ms, login, logins, loginOk);
    const loginCpu = cpuSeconds(pid) - cpu0;
    const loginWall = (performance.now() - t0) / 1000;

    log(`phase 3: both at once, ${o.seconds} s`);
    const mixedPages: Phase = { latencies: [], errors: 0 };
    const mixedLogins: Phase = { latencies: [], errors: 0 };
    const until = performance.now() + ms;
    await Promise.all([loop(o.concurrency, until, landing, mixedPages, pageOk), loop(o.loginConcurrency, until, login, mixedLogins, loginOk)]);

    const perCpuSecond = logins.latencies.length / loginCpu;
    const out = [
      `Captive portal bench: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}; argon2id 19 MiB t=2, ${o.verifyConcurrency} hashing slots (WFC_RADIUS_VERIFY_CONCURRENCY).`,
      '',
      '| Phase | Requests/s | p50 ms | p99 ms | Errors | Notes |',
      '| --- | ---: | ---: | ---: | ---: | --- |',
      row(`landing page (GET, ${o.concurrency} in flight)`, pages, o.seconds),
      row(`login (POST, ${o.loginConcurrency} in flight)`, logins, o.seconds, `${perCpuSecond.toFixed(1)} logins per CPU-second (≈ per core); server CPU ${(loginCpu / loginWall).toFixed(2)} cores busy`),
      row('landing page while logins run', mixedPages, o.seconds),
      row('logins while pages are served', mixedLogins, o.seconds),
      '',
      `Server peak resident memory: ${peakRssMiB(pid).toFixed(1)} MiB.`,
    ];
    console.log(out.join('\n'));
    agent.destroy();
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
