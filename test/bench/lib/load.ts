/**
 * A closed-loop RADIUS load generator over UDP on loopback: `concurrency`
 * workers each keep exactly one request outstanding, so the offered load
 * follows the server's speed and never overloads it (latency is then the
 * server's service time plus queueing behind at most concurrency-1 others).
 *
 * Every request is fresh (identifier, Request Authenticator, and a
 * Message-Authenticator computed by the codec); every reply is decoded and
 * verified against its request (Response Authenticator and, where the
 * target signs it, Message-Authenticator). A reply that fails verification
 * is counted and ignored: the request keeps waiting and times out.
 *
 * Phases: warm-up (nothing recorded), measured window (replies and
 * timeouts that happen inside it are recorded; the caller snapshots server
 * CPU when it opens and closes), drain (in-flight requests finish or time
 * out, unrecorded). Bounded in time and in count.
 */
import { createSocket } from 'node:dgram';
import { CODE_NAMES, decodePacket, verifyResponse, type Code, type Packet } from '../../../radius-server/codec/index.js';

/** One request, encoded and decoded, and the reply codes that count as answered. */
export interface Exchange {
  readonly bytes: Buffer;
  readonly packet: Packet;
  readonly expect: readonly Code[];
}

export interface Target {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly secret: string;
  /** Require a Message-Authenticator in replies to Access-Request (ours always sends one). */
  readonly requireMessageAuthenticator: boolean;
}

export interface WindowHooks {
  open(): void | Promise<void>;
  close(): void | Promise<void>;
}

export interface LoadSpec {
  readonly target: Target;
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly timeoutMs: number;
  /** The next request of one worker; the generator chooses the identifier. */
  readonly next: (worker: number, identifier: number) => Exchange | Promise<Exchange>;
  readonly window: WindowHooks;
  /** Safety bound on requests sent (default 50 million). */
  readonly maxRequests?: number;
}

export interface LoadResult {
  /** Length of the measured window, seconds. */
  readonly seconds: number;
  /** Replies with an expected code, verified, inside the window. */
  readonly answered: number;
  /** Verified replies with another code (e.g. Access-Reject where Accept was expected), by code name. */
  readonly unexpected: Readonly<Record<string, number>>;
  /** Replies that failed decoding or verification, by reason (request kept waiting). */
  readonly invalid: Readonly<Record<string, number>>;
  readonly timeouts: number;
  /** Replies for a request already timed out (not counted as answered). */
  readonly late: number;
  /** Latencies of answered requests, ms, sorted ascending. */
  readonly latenciesMs: Float64Array;
  /** This process's CPU (user + system) during the window, µs. */
  readonly generatorCpuMicros: number;
  /** Requests sent in total, all phases. */
  readonly sent: number;
  /** Latency of the first request, sent alone before the load (e.g. PAP before the verify cache holds it), ms. */
  readonly firstLatencyMs: number;
  /** The window on CLOCK_MONOTONIC in µs, the clock of V8 .cpuprofile timestamps. */
  readonly windowMonotonicMicros: { readonly open: number; readonly close: number };
}

const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);

interface Pending {
  readonly exchange: Exchange;
  readonly sentAt: number;
  readonly settle: (outcome: Outcome) => void;
}

type Outcome = { readonly kind: 'reply'; readonly code: Code; readonly at: number } | { readonly kind: 'timeout'; readonly at: number };

type Phase = 'warmup' | 'measure' | 'drain';

const IDENTIFIERS = 256;
const SWEEP_MS = 10;

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  if (spec.concurrency < 1 || spec.concurrency >= IDENTIFIERS) throw new RangeError('concurrency must be 1..255 (one identifier space per socket)');
  const { target } = spec;
  const maxRequests = spec.maxRequests ?? 50_000_000;
  const socket = createSocket({ type: 'udp4', recvBufferSize: 1 << 20, sendBufferSize: 1 << 20 });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });

  const pending: (Pending | undefined)[] = new Array<Pending | undefined>(IDENTIFIERS).fill(undefined);
  // Identifiers cycle through a FIFO: a late reply to a reused identifier would fail verification anyway.
  const free: number[] = Array.from({ length: IDENTIFIERS }, (_, i) => i);
  let phase: Phase = 'warmup';
  let sent = 0;
  let answered = 0;
  let timeouts = 0;
  let late = 0;
  const unexpected: Record<string, number> = {};
  const invalid: Record<string, number> = {};
  let latencies = new Float64Array(1 << 16);
  let nLatencies = 0;
  const bump = (o: Record<string, number>, k: string): void => {
    o[k] = (o[k] ?? 0) + 1;
  };

  socket.on('message', (msg) => {
    const at = performance.now();
    const decoded = decodePacket(msg);
    if (!decoded.ok) {
      if (phase === 'measure') bump(invalid, `decode:${decoded.reason}`);
      return;
    }
    const p = pending[decoded.packet.identifier];
    if (!p) {
      if (phase === 'measure') late++;
      return;
    }
    const v = verifyResponse({ request: p.exchange.packet, response: decoded.packet, secret: target.secret, requireMessageAuthenticator: target.requireMessageAuthenticator ? undefined : false });
    if (!v.ok) {
      if (phase === 'measure') bump(invalid, v.reason);
      return;
    }
    pending[decoded.packet.identifier] = undefined;
    p.settle({ kind: 'reply', code: decoded.packet.code, at });
  });

  const sweeper = setInterval(() => {
    const now = performance.now();
    for (let id = 0; id < IDENTIFIERS; id++) {
      const p = pending[id];
      if (p && now - p.sentAt > spec.timeoutMs) {
        pending[id] = undefined;
        p.settle({ kind: 'timeout', at: now });
      }
    }
  }, SWEEP_MS);

  const exchange = (ex: Exchange, id: number): Promise<Outcome> =>
    new Promise<Outcome>((settle) => {
      pending[id] = { exchange: ex, sentAt: performance.now(), settle };
      sent++;
      socket.send(ex.bytes, target.port, target.host);
    });

  const record = (ex: Exchange, sentAt: number, o: Outcome): void => {
    if (phase !== 'measure') return;
    if (o.kind === 'timeout') {
      timeouts++;
      return;
    }
    if (!ex.expect.includes(o.code)) {
      bump(unexpected, CODE_NAMES[o.code] ?? String(o.code));
      return;
    }
    answered++;
    if (nLatencies === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[nLatencies++] = o.at - sentAt;
  };

  let stopping = false;
  const worker = async (w: number): Promise<void> => {
    while (!stopping && sent < maxRequests) {
      const id = free.shift()!;
      let ex: Exchange;
      try {
        ex = await spec.next(w, id);
      } catch (err) {
        free.push(id);
        throw err;
      }
      if (stopping) {
        free.push(id);
        return;
      }
      const sentAt = performance.now();
      const outcome = await exchange(ex, id);
      free.push(id);
      record(ex, sentAt, outcome);
    }
  };

  // One request alone first: it fills caches the load relies on (the PAP verify cache would
  // otherwise see `concurrency` argon2id verifications at once, all timing out together).
  let firstLatencyMs = NaN;
  try {
    const id = free.shift()!;
    const first = await spec.next(0, id);
    const sentAt = performance.now();
    const primed = await exchange(first, id);
    free.push(id);
    firstLatencyMs = primed.at - sentAt;
    if (primed.kind === 'timeout') throw new Error(`no reply from ${target.host}:${target.port} to the first request within ${spec.timeoutMs} ms`);
  } catch (err) {
    clearInterval(sweeper);
    socket.close();
    throw err;
  }
  const workers = Array.from({ length: spec.concurrency }, (_, w) => worker(w));
  // A failing worker (e.g. Redis gone in the token scenario) stops the run instead of hanging it.
  let failure: unknown = null;
  const failed = Promise.race(workers).then(
    () => undefined,
    (err: unknown) => {
      failure = err;
    },
  );
  void failed;
  const sleepUnlessFailed = async (ms: number): Promise<void> => {
    const until = performance.now() + ms;
    while (failure === null && performance.now() < until) await new Promise((r) => setTimeout(r, Math.min(50, until - performance.now())));
    if (failure !== null) throw failure;
  };

  let seconds = 0;
  let cpu = process.cpuUsage();
  const windowMonotonic = { open: 0, close: 0 };
  try {
    await sleepUnlessFailed(spec.warmupMs);
    await spec.window.open();
    cpu = process.cpuUsage();
    const openedAt = performance.now();
    windowMonotonic.open = monotonicMicros();
    phase = 'measure';
    await sleepUnlessFailed(spec.durationMs);
    phase = 'drain';
    const closedAt = performance.now();
    windowMonotonic.close = monotonicMicros();
    const used = process.cpuUsage(cpu);
    await spec.window.close();
    seconds = (closedAt - openedAt) / 1000;
    cpu = { user: used.user, system: used.system };
  } finally {
    stopping = true;
    // Each worker has at most one request outstanding, settled by a reply or by the sweeper.
    await Promise.allSettled(workers);
    clearInterval(sweeper);
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
  if (failure !== null) throw failure;

  const sorted = latencies.slice(0, nLatencies).sort();
  return { seconds, answered, unexpected, invalid, timeouts, late, latenciesMs: sorted, generatorCpuMicros: cpu.user + cpu.system, sent, firstLatencyMs, windowMonotonicMicros: windowMonotonic };
}

/** Sends one request and waits for a verified reply: readiness probes (Status-Server). */
export async function probeOnce(target: Target, ex: Exchange, timeoutMs: number): Promise<Code | null> {
  const socket = createSocket('udp4');
  try {
    return await new Promise<Code | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      socket.on('message', (msg) => {
        const d = decodePacket(msg);
        if (!d.ok) return;
        const v = verifyResponse({ request: ex.packet, response: d.packet, secret: target.secret, requireMessageAuthenticator: target.requireMessageAuthenticator ? undefined : false });
        if (!v.ok) return;
        clearTimeout(timer);
        resolve(d.packet.code);
      });
      socket.on('error', () => undefined);
      socket.send(ex.bytes, target.port, target.host);
    });
  } finally {
    socket.close();
  }
}
