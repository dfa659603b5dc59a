/**
 * The state of one Redis connection as the resilient adapters see it
 * (docs/adr/0009-redis-outage.md):
 *
 *   up ──(connection closed, or a command fails to reach Redis)──► down
 *   down ──(ioredis 'ready', or a probe PING answers)──► recovering
 *   recovering ──(what local state must hand back is written)──► up
 *   recovering ──(a command fails to reach Redis)──► down
 *
 * Only `up` serves from Redis; `down` and `recovering` serve from local
 * memory (or fail fast, for the state that must not be local). Every call
 * to Redis is bounded by `timeoutMs`, so a Redis that hangs instead of
 * refusing costs one request at most that long, not the NAS's timeout.
 */
import type { Redis } from 'ioredis';
import { withTimeout } from '../../async.js';
import type { Logger } from '../../log.js';
import type { Metrics } from '../../metrics.js';

export type LinkState = 'up' | 'down' | 'recovering';

/** What a caller gets instead of a Redis answer while Redis is unreachable. */
export class RedisUnavailableError extends Error {
  readonly code = 'redis-unavailable';
  constructor(message = 'Redis is unreachable', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RedisUnavailableError';
  }
}

/**
 * Replies that mean "this server cannot serve now" rather than "this
 * command is wrong": a Redis loading its dataset, out of memory under
 * `noeviction`, a replica cut off from its master, a busy script.
 */
const UNAVAILABLE_REPLY = /^(LOADING|OOM|BUSY|MASTERDOWN|READONLY|CLUSTERDOWN|TRYAGAIN|NOREPLICAS)\b/;

/**
 * True when the error says Redis could not be reached or cannot serve:
 * anything but a reply from the server, or one of the replies above. A
 * reply such as WRONGTYPE or a script error is a fault to surface, not an
 * outage to hide.
 */
export function isUnavailable(e: unknown): boolean {
  if (e instanceof RedisUnavailableError) return true;
  if (!(e instanceof Error)) return true;
  if (e.name !== 'ReplyError') return true;
  return UNAVAILABLE_REPLY.test(e.message);
}

/**
 * State kept locally while the link is down, which may owe Redis some
 * writes. On the way up the link calls `handBack` until `handedBack()` is
 * true, then calls `drop` and switches to Redis in the same synchronous
 * step: a write is either in the hand-back or goes to Redis, never lost
 * between the two.
 */
export interface LocalState {
  handBack(): Promise<void>;
  handedBack(): boolean;
  drop(): void;
}

export interface RedisLinkOptions {
  readonly connection: Redis;
  /** Bound on every call to Redis, in ms (default 500). */
  readonly timeoutMs?: number;
  /** While down with a connection ioredis still calls ready (a hung server), PING this often (default 1000 ms). */
  readonly probeIntervalMs?: number;
  readonly metrics?: Pick<Metrics['stores'], 'redisUp' | 'redisReconnects'>;
  readonly log?: Logger;
}

export class RedisLink {
  readonly connection: Redis;
  readonly timeoutMs: number;
  private current: LinkState;
  private downSince: Date | null;
  private lastError: string | null = null;
  private readonly probeIntervalMs: number;
  private readonly metrics: RedisLinkOptions['metrics'];
  private readonly log: Logger | undefined;
  private readonly locals: LocalState[] = [];
  private probeTimer: NodeJS.Timeout | null = null;
  private probing = false;
  private recovering: Promise<void> | null = null;
  private closed = false;
  private readonly onReady = () => this.startRecovery('connection ready');
  private readonly onClose = () => this.markDown(new RedisUnavailableError('Redis connection closed'));
  private readonly onError = (err: Error) => {
    // ioredis reports each failed reconnection here; the first one of an outage is enough.
    this.lastError = err.message;
    if (this.current === 'up') this.markDown(err);
  };

  constructor(opts: RedisLinkOptions) {
    this.connection = opts.connection;
    this.timeoutMs = opts.timeoutMs ?? 500;
    this.probeIntervalMs = opts.probeIntervalMs ?? 1000;
    this.metrics = opts.metrics;
    this.log = opts.log;
    this.current = opts.connection.status === 'ready' ? 'up' : 'down';
    this.downSince = this.current === 'up' ? null : new Date();
    this.metrics?.redisUp.set(this.current === 'up' ? 1 : 0);
    this.connection.on('ready', this.onReady);
    this.connection.on('close', this.onClose);
    this.connection.on('end', this.onClose);
    this.connection.on('error', this.onError);
    if (this.current === 'down') this.startProbe();
  }

  get state(): LinkState {
    return this.current;
  }

  get up(): boolean {
    return this.current === 'up';
  }

  /** Registers local state to hand back and drop on the way up. */
  attach(local: LocalState): void {
    this.locals.push(local);
  }

  /**
   * Runs `fn` against Redis within the time bound. A failure that means
   * Redis is unreachable marks the link down and is rethrown as
   * RedisUnavailableError; other failures are rethrown as they are.
   */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await bounded(fn(), this.timeoutMs);
    } catch (e) {
      if (!isUnavailable(e)) throw e;
      this.markDown(e);
      throw e instanceof RedisUnavailableError ? e : new RedisUnavailableError(`Redis unreachable: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
  }

  /** Readiness: fails at once while down or recovering, else a bounded PING. */
  async ping(): Promise<void> {
    if (this.current !== 'up') throw this.unavailable();
    await this.call(() => this.connection.ping());
  }

  /** The error to throw for a call that must not be answered locally. */
  unavailable(): RedisUnavailableError {
    const since = this.downSince ? ` since ${this.downSince.toISOString()}` : '';
    const why = this.current === 'recovering' ? 'Redis is back; local state is being handed back' : `Redis is unreachable${since}${this.lastError ? ` (${this.lastError})` : ''}`;
    return new RedisUnavailableError(why);
  }

  markDown(err: unknown): void {
    if (this.closed) return;
    this.lastError = err instanceof Error ? err.message : String(err);
    if (this.current === 'down') return;
    const wasUp = this.current === 'up';
    this.current = 'down';
    this.downSince = new Date();
    this.metrics?.redisUp.set(0);
    if (wasUp) {
      this.metrics?.redisReconnects.inc();
      this.log?.warn({ err: this.lastError }, 'Redis unreachable: live sessions and rate limits now served from this node only (degraded); login tokens and verification codes refused');
    }
    this.startProbe();
  }

  close(): void {
    this.closed = true;
    this.stopProbe();
    this.connection.off('ready', this.onReady);
    this.connection.off('close', this.onClose);
    this.connection.off('end', this.onClose);
    this.connection.off('error', this.onError);
  }

  private startRecovery(why: string): void {
    if (this.closed || this.current === 'up' || this.recovering) return;
    this.current = 'recovering';
    const started = Date.now();
    this.recovering = (async () => {
      try {
        for (;;) {
          await Promise.all(this.locals.map((l) => l.handBack()));
          // A loss during the hand-back already moved the link down: stay there.
          if (this.current !== 'recovering' || this.closed) return;
          if (this.locals.every((l) => l.handedBack())) break;
        }
      } catch (e) {
        this.markDown(e);
        return;
      } finally {
        this.recovering = null;
      }
      // No await from the last check to here: nothing is written locally in between.
      for (const l of this.locals) l.drop();
      const downFor = this.downSince ? Date.now() - this.downSince.getTime() : 0;
      this.current = 'up';
      this.downSince = null;
      this.lastError = null;
      this.stopProbe();
      this.metrics?.redisUp.set(1);
      this.log?.info({ why, downMs: downFor, recoveryMs: Date.now() - started }, 'Redis available: shared state served from Redis again');
    })();
  }

  private startProbe(): void {
    if (this.probeTimer || this.closed) return;
    this.probeTimer = setInterval(() => void this.probe(), this.probeIntervalMs);
    this.probeTimer.unref();
  }

  private stopProbe(): void {
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
  }

  /** A hung server never closes the connection: only a PING that answers brings the link back. */
  private async probe(): Promise<void> {
    if (this.current !== 'down' || this.probing || this.connection.status !== 'ready') return;
    this.probing = true;
    try {
      await bounded(this.connection.ping(), this.timeoutMs);
      this.startRecovery('probe answered');
    } catch (e) {
      this.lastError = e instanceof Error ? e.message : String(e);
    } finally {
      this.probing = false;
    }
  }
}

/** `p`, or a RedisUnavailableError after `ms`; the late outcome of `p` is ignored. */
function bounded<T>(p: Promise<T>, ms: number): Promise<T> {
  return withTimeout(p, ms, () => new RedisUnavailableError(`Redis did not answer within ${ms} ms`));
}
