/**
 * A redis-server of the test's own, on a free port, that the test may kill,
 * freeze and start again on the same port: outages without disturbing the
 * Redis other tests share. Under CI (CI=true) a missing binary is an error;
 * elsewhere `startOwnRedis` returns null and the caller skips.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort } from './process.js';
import { probe } from './services.js';

export interface OwnRedis {
  readonly port: number;
  readonly url: string;
  /** Stops the server abruptly (SIGKILL by default) and waits for its exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGSTOP: the server keeps its connections but answers nothing, like a hung host. */
  freeze(): void;
  /** SIGCONT after freeze(). */
  thaw(): void;
  /** Starts a new, empty server on the same port and waits until it accepts connections. */
  restart(): Promise<void>;
  /** Stops it for good. */
  stop(): Promise<void>;
}

export function hasRedisServer(): boolean {
  const found = spawnSync('sh', ['-c', 'command -v redis-server']).status === 0;
  if (!found && process.env.CI === 'true') throw new Error('redis-server is required under CI: install Debian\'s redis-server');
  return found;
}

export async function startOwnRedis(): Promise<OwnRedis | null> {
  if (!hasRedisServer()) return null;
  const port = await freePort('tcp');
  let child: ChildProcess | null = null;

  const exited = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));
  async function launch(): Promise<void> {
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    await new Promise<void>((resolve, reject) => {
      c.once('spawn', () => resolve());
      c.once('error', reject);
    });
    child = c;
    const deadline = Date.now() + 5_000;
    while (!(await probe('127.0.0.1', port, 200))) {
      if (c.exitCode !== null || Date.now() > deadline) {
        c.kill('SIGKILL');
        throw new Error(`redis-server did not start on port ${port}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  async function kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const c = child;
    if (!c) return;
    child = null;
    c.kill('SIGCONT'); // a frozen server must run to handle SIGTERM
    c.kill(signal);
    await exited(c);
  }

  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    freeze: () => void child?.kill('SIGSTOP'),
    thaw: () => void child?.kill('SIGCONT'),
    restart: async () => {
      await kill();
      await launch();
    },
    stop: () => kill('SIGKILL'),
  };
}
