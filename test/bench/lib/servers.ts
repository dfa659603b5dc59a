/**
 * The servers under test, each a CHILD process on free loopback ports:
 * ours (`node dist/controller/main.js` over a data dir seeded by `wfc demo`)
 * and FreeRADIUS (a generated minimal raddb). Both are probed with
 * Status-Server until they answer.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freeUdpPorts, runChild, sleep, startChild, type Child } from './children.js';
import { probeOnce, type Target } from './load.js';
import { REPO_ROOT } from './paths.js';
import { statusServer } from './requests.js';

const run = promisify(execFile);

export type ServerLabel = 'wfc' | 'freeradius' | 'bare-node';

export interface RunningServer {
  readonly label: ServerLabel;
  readonly child: Child;
  readonly auth: Target;
  readonly acct: Target;
}

const WFC_CLI = join(REPO_ROOT, 'dist/controller/cli/wfc.js');
const WFC_MAIN = join(REPO_ROOT, 'dist/controller/main.js');

/* ------------------------------------------------------------- seeding */

export interface DemoFacts {
  readonly secret: string;
  readonly users: ReadonlyArray<{ username: string; password: string }>;
  readonly devices: ReadonlyArray<{ username: string; mac: string }>;
  /** username → identity id (`wfc user list --json`). */
  readonly identityIds: ReadonlyMap<string, string>;
  /** `wfc tenant show valence --json`. */
  readonly valenceTenantId: string;
}

function wfc(dataDir: string, args: readonly string[], stdin?: string): Promise<string> {
  return runChild(`wfc ${args[0]}`, process.execPath, [WFC_CLI, '--data-dir', dataDir, ...args], { env: withoutWfcEnv(), ...(stdin === undefined ? {} : { stdin }) });
}

/**
 * `wfc demo --json`, then extra citizens for the token scenario (each may
 * hold two devices under the demo policy's Simultaneous-Use = 2).
 */
export async function seedDataDir(dataDir: string, extraUsers: readonly string[]): Promise<DemoFacts> {
  const demo = JSON.parse(await wfc(dataDir, ['demo', '--json'])) as {
    radius: { secret: string };
    users: Array<{ username: string; password: string }>;
    devices: Array<{ username: string; mac: string }>;
  };
  // Two at a time: each `user add` hashes a password with argon2id (19 MiB).
  for (let i = 0; i < extraUsers.length; i += 2) {
    await Promise.all(extraUsers.slice(i, i + 2).map((u) => wfc(dataDir, ['user', 'add', u, '--password-stdin', '--json'], `bench-${u}-not-used\n`)));
  }
  const users = JSON.parse(await wfc(dataDir, ['user', 'list', '--json', '--limit', '1000'])) as Array<{ id: string; username: string }>;
  const valence = JSON.parse(await wfc(dataDir, ['tenant', 'show', 'valence', '--json'])) as { id: string };
  return {
    secret: demo.radius.secret,
    users: demo.users,
    devices: demo.devices,
    identityIds: new Map(users.map((u) => [u.username, u.id])),
    valenceTenantId: valence.id,
  };
}

/** The child gets only what we set: no WFC_CONFIG or WFC_* from the caller's shell. */
function withoutWfcEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('WFC_')) env[k] = v;
  return env;
}

/* ------------------------------------------------------------- our server */

export interface WfcServerOptions {
  readonly dataDir: string;
  readonly secret: string;
  readonly redis?: { readonly url: string; readonly prefix: string };
  /** Run under `node --cpu-prof`, writing the profile into this directory at exit. */
  readonly cpuProfileDir?: string;
}

export async function startWfc(o: WfcServerOptions): Promise<RunningServer> {
  const ports = await freeUdpPorts();
  const env: NodeJS.ProcessEnv = {
    ...withoutWfcEnv(),
    WFC_DATA_DIR: o.dataDir,
    WFC_LOG_LEVEL: 'warn',
    // Loopback only, IPv4 (the Valence demo client is 127.0.0.0/8).
    WFC_RADIUS_HOST: '127.0.0.1',
    WFC_RADIUS_AUTH_PORT: String(ports.auth),
    WFC_RADIUS_ACCT_PORT: String(ports.acct),
    WFC_API_HOST: '127.0.0.1',
    WFC_API_PORT: '0',
    WFC_PORTAL_HOST: '127.0.0.1',
    WFC_PORTAL_PORT: '0',
    ...(o.redis ? { WFC_REDIS_URL: o.redis.url, WFC_REDIS_PREFIX: o.redis.prefix } : {}),
  };
  const nodeArgs = o.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', o.cpuProfileDir] : [];
  const child = startChild('wfc', process.execPath, [...nodeArgs, WFC_MAIN], { env, cwd: REPO_ROOT });
  const server: RunningServer = {
    label: 'wfc',
    child,
    auth: { host: '127.0.0.1', port: ports.auth, secret: o.secret, requireMessageAuthenticator: true },
    acct: { host: '127.0.0.1', port: ports.acct, secret: o.secret, requireMessageAuthenticator: true },
  };
  await waitReady(server);
  return server;
}

/* ------------------------------------------------------------- FreeRADIUS */

export const FREERADIUS_BIN = '/usr/sbin/freeradius';

export async function freeradiusVersion(): Promise<string | null> {
  if (!existsSync(FREERADIUS_BIN)) return null;
  try {
    const { stdout } = await run(FREERADIUS_BIN, ['-v']);
    return /FreeRADIUS Version ([\d.]+)/.exec(stdout)?.[1] ?? stdout.split('\n')[0] ?? null;
  } catch {
    return null;
  }
}

export async function startFreeradius(raddb: string, ports: { auth: number; acct: number }, secret: string): Promise<RunningServer> {
  // -f: foreground; -l stdout: log there (never -X in a measured run: debug logging costs).
  const child = startChild('freeradius', FREERADIUS_BIN, ['-f', '-d', raddb, '-l', 'stdout']);
  // FreeRADIUS 3.2.1 signs replies only when the reply list holds a Message-Authenticator
  // (the users file adds one) and puts it last, not first as 3.2.5 and ours do.
  const server: RunningServer = {
    label: 'freeradius',
    child,
    auth: { host: '127.0.0.1', port: ports.auth, secret, requireMessageAuthenticator: false },
    acct: { host: '127.0.0.1', port: ports.acct, secret, requireMessageAuthenticator: false },
  };
  await waitReady(server);
  return server;
}

/* ------------------------------------------------------------- calibration */

const BARE = join(REPO_ROOT, 'dist/test/bench/lib/bare-responder.js');

/** The bare Node responder (bare-responder.ts): one port for auth and acct. */
export async function startBare(secret: string): Promise<RunningServer> {
  const { auth: port } = await freeUdpPorts();
  const env = { ...withoutWfcEnv(), WFC_BENCH_BARE_PORT: String(port), WFC_BENCH_BARE_SECRET: secret };
  const child = startChild('bare-node', process.execPath, [BARE], { env });
  const target: Target = { host: '127.0.0.1', port, secret, requireMessageAuthenticator: false };
  const server: RunningServer = { label: 'bare-node', child, auth: target, acct: target };
  await waitReady(server);
  return server;
}

/* ------------------------------------------------------------- all */

/** Status-Server on both ports until both answer; fails fast if the child exits. */
async function waitReady(server: RunningServer, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let exited: number | string | null = null;
  void server.child.exited.then((c) => (exited = c));
  for (const target of [server.auth, server.acct]) {
    for (let i = 0; ; i++) {
      if (exited !== null) throw new Error(`${server.label} exited (${exited}) before answering:\n${server.child.output()}`);
      if (performance.now() > deadline) {
        await server.child.stop(3_000);
        throw new Error(`${server.label} did not answer Status-Server on port ${target.port} within ${timeoutMs} ms:\n${server.child.output()}`);
      }
      if ((await probeOnce(target, statusServer(target.secret, i & 0xff), 200)) !== null) break;
      await sleep(100);
    }
  }
}

/** The .cpuprofile that `node --cpu-prof` wrote into dir (after the child exited). */
export function findCpuProfile(dir: string): string | null {
  const f = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
  return f ? join(dir, f) : null;
}
