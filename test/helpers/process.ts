/**
 * Runs the built programs (dist/) as an operator would: the `wfc` CLI and
 * the server, each in its own process, with free ports and a clean
 * environment. Nothing here imports vitest: the helpers are compiled with
 * the product (tsconfig.build.json) and assertions stay in the tests.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { Server, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout: the nearest directory up from here whose package.json is the product's (works from test/ and dist/test/). */
export const repoRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'wifi-federation-controller') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('test/helpers/process.ts: no wifi-federation-controller package.json above this file');
    dir = up;
  }
})();

export const WFC_JS = join(repoRoot, 'dist/controller/cli/wfc.js');
export const MAIN_JS = join(repoRoot, 'dist/controller/main.js');

/**
 * Builds dist/ with `npx tsc -p tsconfig.build.json` when the CLI or the
 * server is missing (`npm test` builds first; this is for a bare `vitest`).
 * Test files run in parallel processes: a lock directory keeps them from
 * writing dist/ at the same time.
 */
export async function ensureBuilt(timeoutMs = 180_000): Promise<void> {
  const built = () => existsSync(WFC_JS) && existsSync(MAIN_JS);
  if (built()) return;
  mkdirSync(join(repoRoot, 'dist'), { recursive: true });
  const lock = join(repoRoot, 'dist', '.e2e-build-lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (built()) return;
      // A lock older than a whole build's time belongs to a build that died.
      if (Date.now() - lockTime(lock) > timeoutMs) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for another build to release ${lock}`);
      await sleep(250);
    }
  }
  try {
    if (built()) return;
    const output = await new Promise<string>((resolve) => {
      execFile('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repoRoot, timeout: timeoutMs }, (_err, stdout, stderr) => resolve(stdout + stderr));
    });
    // tsc emits despite type errors elsewhere in the tree; only missing output is fatal here.
    if (!built()) throw new Error(`npx tsc -p tsconfig.build.json did not produce ${WFC_JS} and ${MAIN_JS}:\n${output}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function lockTime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Date.now();
  }
}

/**
 * The test runner's environment without any WFC_* setting (a developer's or
 * CI's own WFC_REDIS_URL must not leak into a child), plus `extra`.
 */
export function childEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('WFC_')) env[k] = v;
  return { ...env, ...extra };
}

/**
 * `count` distinct ports nobody listens on, all held open together so the
 * kernel cannot hand out one twice, then released. UDP ports are probed on
 * the dual-stack wildcard (the RADIUS server binds `::`).
 */
export async function freePorts(count: number, kind: 'tcp' | 'udp', host = kind === 'udp' ? '::' : '127.0.0.1'): Promise<number[]> {
  const held: Array<Server | UdpSocket> = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      if (kind === 'tcp') {
        const server = createServer();
        held.push(server);
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, host, () => resolve());
        });
        ports.push((server.address() as { port: number }).port);
      } else {
        const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
        held.push(socket);
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject);
          socket.bind(0, host, () => resolve());
        });
        ports.push(socket.address().port);
      }
    }
    return ports;
  } finally {
    await Promise.all(held.map((h) => new Promise<void>((resolve) => (h instanceof Server ? h.close(() => resolve()) : h.close(() => resolve())))));
  }
}

export async function freePort(kind: 'tcp' | 'udp', host?: string): Promise<number> {
  return (await freePorts(1, kind, host))[0]!;
}

export interface Exited {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Milliseconds from spawn (run) or from the stop request (stop) to exit. */
  readonly ms: number;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Written to standard input, which is then closed (always closed, so nothing waits on a terminal). */
  readonly input?: string;
  readonly timeoutMs?: number;
  readonly cwd?: string;
}

/** Runs `node script ...args` to completion. Rejects only when it outlives the timeout (it is killed). */
export function runNode(script: string, args: readonly string[], opts: RunOptions = {}): Promise<Exited> {
  return runCommand(process.execPath, [script, ...args], opts);
}

/** Runs a program to completion, whatever its exit code. Rejects only when it outlives the timeout (it is killed). */
export function runCommand(file: string, args: readonly string[], opts: RunOptions = {}): Promise<Exited> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd ?? repoRoot, env: opts.env ?? childEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => {}); // the child may exit before reading its input
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${[file, ...args].join(' ')} still running after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** A long-running child (the server) whose output is captured line by line. */
export interface Spawned {
  readonly child: ChildProcess;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Complete lines so far, of one stream or of stdout then stderr. */
  lines(stream?: 'stdout' | 'stderr'): string[];
  /** Resolves with the first line (past or future) that matches; rejects on timeout or exit. */
  waitForLine(match: RegExp | ((line: string) => boolean), timeoutMs?: number, stream?: 'stdout' | 'stderr'): Promise<string>;
  /** Null while it runs. */
  exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | null;
  /** Resolves when the process has exited (at once if it has). */
  exited(timeoutMs?: number): Promise<Exited>;
  /** Sends `signal` and waits up to `timeoutMs` for the exit; then SIGKILL, and rejects. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exited>;
}

export function spawnNode(script: string, args: readonly string[], opts: Omit<RunOptions, 'input' | 'timeoutMs'> = {}): Spawned {
  const started = Date.now();
  const child = spawn(process.execPath, [script, ...args], { cwd: opts.cwd ?? repoRoot, env: opts.env ?? childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((l) => l());
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out.stdout += d;
    notify();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    out.stderr += d;
    notify();
  });
  let exit: { code: number | null; signal: NodeJS.Signals | null; at: number } | null = null;
  child.once('close', (code, signal) => {
    exit = { code, signal, at: Date.now() };
    notify();
  });

  // Complete lines only: the text after the last newline may still grow, until the exit.
  const complete = (text: string) => {
    const parts = text.split('\n');
    if (!exit) parts.pop();
    return parts.filter((l) => l !== '');
  };
  const lines = (stream?: 'stdout' | 'stderr') => (stream ? complete(out[stream]) : [...complete(out.stdout), ...complete(out.stderr)]);
  const transcript = () => `node ${[script, ...args].join(' ')}\nstdout:\n${out.stdout}\nstderr:\n${out.stderr}`;

  /** Resolves when `check` returns a value; rejects after the timeout or when it gives up. */
  function until<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = () => {
        listeners.delete(poll);
        clearTimeout(timer);
      };
      const poll = () => {
        let value: T | undefined;
        try {
          value = check();
        } catch (e) {
          done();
          reject(e instanceof Error ? e : new Error(String(e)));
          return;
        }
        if (value !== undefined) {
          done();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${what}: nothing after ${timeoutMs} ms\n${transcript()}`));
      }, timeoutMs);
      listeners.add(poll);
      poll();
    });
  }

  const result = (since: number): Exited => ({ code: exit!.code, signal: exit!.signal, stdout: out.stdout, stderr: out.stderr, ms: exit!.at - since });

  return {
    child,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    lines,
    exitStatus: () => (exit ? { code: exit.code, signal: exit.signal } : null),
    waitForLine(match, timeoutMs = 10_000, stream) {
      const test = typeof match === 'function' ? match : (l: string) => match.test(l);
      return until(
        () => {
          const hit = lines(stream).find(test);
          if (hit !== undefined) return hit;
          if (exit) throw new Error(`exited (code ${exit.code}, signal ${exit.signal}) before a line matched ${String(match)}\n${transcript()}`);
          return undefined;
        },
        timeoutMs,
        `waiting for a line matching ${String(match)}`,
      );
    },
    exited(timeoutMs = 10_000) {
      return until(() => (exit ? result(started) : undefined), timeoutMs, 'waiting for the exit');
    },
    async stop(signal = 'SIGTERM', timeoutMs = 5_000) {
      if (exit) return result(started);
      const asked = Date.now();
      child.kill(signal);
      try {
        return await until(() => (exit ? result(asked) : undefined), timeoutMs, `waiting for the exit after ${signal}`);
      } catch (e) {
        child.kill('SIGKILL');
        throw e;
      }
    },
  };
}

/** Polls `url` until it answers `status` (connection refused counts as not yet). */
export async function waitForHttp(url: string, opts: { status?: number; timeoutMs?: number; intervalMs?: number; /** Called before each try: throw to give up (the server died). */ check?: () => void } = {}): Promise<Response> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let last = 'no answer';
  for (;;) {
    opts.check?.();
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.status === (opts.status ?? 200)) return res;
      last = `HTTP ${res.status}: ${await res.text()}`;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer ${opts.status ?? 200} within ${opts.timeoutMs ?? 10_000} ms (last: ${last})`);
    await sleep(opts.intervalMs ?? 50);
  }
}

/** The absolute path of an executable on PATH, or null. */
export function which(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      const st = statSync(file);
      if (st.isFile() && (st.mode & 0o111) !== 0) return file;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** True when running under CI, where a missing tool must fail rather than skip. */
export function underCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
