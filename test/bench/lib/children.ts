/**
 * Child processes and temporary directories, with one cleanup that runs on
 * normal exit, on errors and on Ctrl-C: every server this benchmark starts
 * is stopped (SIGTERM, then SIGKILL) and every temp dir removed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** The last lines the child wrote (stdout and stderr), for error messages. */
  output(): string;
  /** Resolves with the exit code (or signal) once the child has exited. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after graceMs; resolves once it has exited. */
  stop(graceMs?: number): Promise<number | string>;
}

const children = new Set<Child>();
const tempDirs = new Set<string>();
const hooks = new Set<() => Promise<unknown>>();
let keepTemp = false;

export function keepTempDirs(keep: boolean): void {
  keepTemp = keep;
}

export function makeTempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `wfc-bench-${label}-`));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  if (!tempDirs.delete(dir)) return;
  if (keepTemp) console.error(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}

const OUTPUT_KEEP = 16 * 1024;

export function startChild(name: string, command: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; stdin?: string } = {}): Child {
  const proc = spawn(command, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (opts.stdin !== undefined) proc.stdin!.end(opts.stdin);
  if (proc.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_KEEP);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<number | string>((resolve) => {
    proc.once('exit', (code, signal) => {
      children.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const child: Child = {
    name,
    pid: proc.pid,
    process: proc,
    output: () => tail,
    exited,
    async stop(graceMs = 10_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return exited;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  children.add(child);
  return child;
}

/**
 * Runs a short command to completion as a tracked child (so Ctrl-C stops it
 * too) and returns its stdout; rejects on a non-zero exit.
 */
export async function runChild(name: string, command: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<string> {
  const child = startChild(name, command, args, opts);
  const chunks: Buffer[] = [];
  child.process.stdout!.on('data', (c: Buffer) => chunks.push(c));
  const code = await child.exited;
  if (code !== 0) throw new Error(`${name} exited with ${code}:\n${child.output()}`);
  return Buffer.concat(chunks).toString('utf8');
}

/** Something else to undo at cleanup (e.g. a run's Redis keys); returns a function that unregisters it. */
export function atCleanup(hook: () => Promise<unknown>): () => void {
  hooks.add(hook);
  return () => hooks.delete(hook);
}

/** Stops every child still running, runs the cleanup hooks and removes every temp dir. Idempotent. */
export async function cleanup(): Promise<void> {
  await Promise.all([...children].map((c) => c.stop(3_000)));
  const pending = [...hooks];
  hooks.clear();
  await Promise.allSettled(pending.map((h) => h()));
  for (const dir of [...tempDirs]) removeTempDir(dir);
}

/** Last resort when the process is leaving synchronously: kill and delete without waiting. */
function cleanupNow(): void {
  for (const c of children) c.process.kill('SIGKILL');
  for (const dir of [...tempDirs]) removeTempDir(dir);
}

let installed = false;

/** Ctrl-C, SIGTERM, an uncaught error: stop the children and remove temp dirs before leaving. */
export function installCleanupHandlers(): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the servers and removing temp dirs`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  process.once('exit', cleanupNow);
}

/**
 * A UDP port free on the loopback address right now. Another process could
 * take it before the server binds; the server then fails to start and the
 * benchmark says so, which is acceptable for a tool run by hand.
 */
export async function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, host, () => resolve());
  });
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Two distinct free ports (auth, acct). */
export async function freeUdpPorts(): Promise<{ auth: number; acct: number }> {
  const auth = await freeUdpPort();
  for (let i = 0; i < 20; i++) {
    const acct = await freeUdpPort();
    if (acct !== auth) return { auth, acct };
  }
  throw new Error('no second free UDP port on 127.0.0.1');
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
