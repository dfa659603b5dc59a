/**
 * How tests get a Redis or a PostgreSQL, in this order:
 *   1. REDIS_URL / DATABASE_URL from the environment;
 *   2. a server already listening on the local default port;
 *   3. a container, when a Docker engine answers (testcontainers is imported
 *      lazily, so nothing needs Docker otherwise);
 *   4. Redis only: the local `redis-server` binary on a free port;
 *   5. under CI (CI=true) a missing service is an error, never a silent skip;
 *      elsewhere null, and the caller uses `describe.skipIf(!service)`.
 * `stop()` stops only what this helper started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createConnection, createServer } from 'node:net';
// Types only: erased at run time, so Docker tooling loads only when needed.
import type * as Testcontainers from 'testcontainers';

export interface Service {
  readonly url: string;
  stop(): Promise<void>;
}

const nothingToStop = async (): Promise<void> => {};

export async function useRedis(): Promise<Service | null> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop: nothingToStop };
  if (await probe('127.0.0.1', 6379)) return { url: 'redis://127.0.0.1:6379', stop: nothingToStop };
  const container = await startContainer('redis:7-alpine', 6379, {}, null);
  if (container) return { url: `redis://${container.host}:${container.port}`, stop: container.stop };
  const local = await startLocalRedis();
  if (local) return local;
  if (process.env.CI === 'true') throw new Error('Redis is required under CI: set REDIS_URL or install redis-server');
  return null;
}

export async function usePostgres(): Promise<Service | null> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: nothingToStop };
  if (await probe('127.0.0.1', 5432)) return { url: 'postgres://postgres@127.0.0.1:5432/postgres', stop: nothingToStop };
  const container = await startContainer(
    'postgres:16-alpine',
    5432,
    { POSTGRES_HOST_AUTH_METHOD: 'trust' },
    // The entrypoint starts a temporary server first: wait for the second "ready".
    { message: /database system is ready to accept connections/, times: 2 },
  );
  if (container) return { url: `postgres://postgres@${container.host}:${container.port}/postgres`, stop: container.stop };
  if (process.env.CI === 'true') throw new Error('PostgreSQL is required under CI: set DATABASE_URL or make a Docker engine available');
  return null;
}

/** A unique key prefix per test file (or per test), so parallel runs never collide. */
export function testPrefix(label = 'test'): string {
  return `wfc-${label}:${randomBytes(6).toString('hex')}:`;
}

/** True when something accepts a TCP connection on host:port within timeoutMs. */
export function probe(host: string, port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

interface Started {
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
}

async function startContainer(
  image: string,
  port: number,
  env: Record<string, string>,
  log: { message: RegExp; times: number } | null,
): Promise<Started | null> {
  let tc: typeof Testcontainers;
  try {
    tc = await import('testcontainers');
    await tc.getContainerRuntimeClient(); // throws when no engine answers
  } catch {
    return null;
  }
  let c = new tc.GenericContainer(image).withExposedPorts(port).withEnvironment(env);
  if (log) c = c.withWaitStrategy(tc.Wait.forLogMessage(log.message, log.times));
  const started = await c.start();
  return {
    host: started.getHost(),
    port: started.getMappedPort(port),
    stop: async () => {
      await started.stop();
    },
  };
}

async function startLocalRedis(): Promise<Service | null> {
  const port = await freePort();
  let child: ChildProcess;
  try {
    child = await spawned('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  } catch {
    return null;
  }
  const deadline = Date.now() + 5_000;
  while (!(await probe('127.0.0.1', port, 200))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      return null;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Resolves once the process has spawned; rejects when the binary is missing. */
function spawned(cmd: string, args: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'ignore' });
    child.once('spawn', () => resolve(child));
    child.once('error', reject);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
