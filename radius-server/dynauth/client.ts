/**
 * RFC 5176 Dynamic Authorization client: sends Disconnect-Request and
 * CoA-Request to a NAS over UDP, retransmits, and matches the ACK or NAK.
 *
 * - One UDP socket per address family, bound on first use to an ephemeral
 *   port (a client socket: nothing listens on a known port).
 * - Identifiers are allocated per destination (address, port) and never
 *   reused while a request to that destination is in flight, nor for a
 *   short quarantine after it ends, so a late duplicate answer cannot be
 *   taken for the answer to a newer request (RFC 5080 §2.2.1).
 * - A retransmission is the same datagram: same Identifier, same Request
 *   Authenticator, same Event-Timestamp, so the NAS's duplicate detection
 *   answers it from its cache instead of acting twice (RFC 5080 §2.2.1,
 *   RFC 5176 §2.3). Waits double each time, with ±10 % jitter (RFC 5080 §2.2.1).
 * - A reply counts only when it comes from the destination's address and
 *   port, carries an Identifier in flight and verifies (Response
 *   Authenticator, Message-Authenticator when present, code answering the
 *   request); anything else is counted in invalidReplies and ignored.
 *
 * Secrets never reach a log line: requests are logged by tenant, NAS
 * address, Identifier and outcome.
 */
import { createSocket, type RemoteInfo, type Socket, type SocketType } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../controller/log.js';
import { children, type Metrics } from '../../controller/metrics.js';
import { systemClock, type Clock } from '../../controller/ports/clock.js';
import type {
  CoaChange,
  DynAuthKind,
  DynAuthOutcome,
  DynAuthResult,
  DynAuthTarget,
  DynamicAuthorization,
} from '../../controller/ports/dynamic-authorization.js';
import { decodeIpv6addr, encodeIpv6addr } from '../codec/attributes.js';
import { decodePacket, type Packet } from '../codec/packet.js';
import { verifyDynamicAuthorizationResponse } from '../codec/reply.js';
import { DYNAUTH_CODES, encodeDynAuthRequest, errorCauseOf, unmapIpv4, type ErrorCause } from './requests.js';

export interface DynamicAuthorizationClientOptions {
  /** Wait before the first retransmission; each later wait doubles (config.coa.timeoutMs). */
  readonly timeoutMs: number;
  /** Retransmissions after the first request (config.coa.retries). */
  readonly retries: number;
  readonly metrics?: Metrics;
  readonly log?: Logger;
  /** Creates the socket of a family; the client binds it to an ephemeral port. Default: node:dgram. */
  readonly socketFactory?: (type: SocketType) => Socket;
  /** The `tenant` metric label of a municipality id (its slug, a bounded set). Default: the id. */
  readonly tenantLabel?: (tenantId: string) => string;
  /** Source of Event-Timestamp. Default: the system clock. */
  readonly clock?: Clock;
  /** Uniform in [0, 1), for the backoff jitter. Default: Math.random. */
  readonly random?: () => number;
}

/** The client was closed while the request waited: it may or may not have reached the NAS. */
export class DynAuthClosedError extends Error {
  constructor() {
    super('dynamic authorization client closed before the NAS answered');
    this.name = 'DynAuthClosedError';
  }
}

/** Jitter of each wait, as a fraction (RFC 5080 §2.2.1 uses RAND in -0.1..+0.1). */
const JITTER = 0.1;
const IDENTIFIERS = 256;

interface Pending {
  readonly kind: DynAuthKind;
  readonly target: DynAuthTarget;
  readonly dest: Destination;
  readonly identifier: number;
  /** The request as sent, decoded once: replies are verified against it. */
  readonly request: Packet;
  readonly bytes: Buffer;
  readonly started: number;
  attempts: number;
  invalidReplies: number;
  timer: NodeJS.Timeout | null;
  readonly resolve: (r: DynAuthResult) => void;
  readonly reject: (e: Error) => void;
}

interface Waiter {
  readonly start: () => void;
  readonly fail: (e: Error) => void;
}

/** One NAS listener (address, port): its Identifier space. */
interface Destination {
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly type: SocketType;
  readonly inFlight: Map<number, Pending>;
  /** Ended requests whose Identifier is still held, so a late duplicate answer is recognised. */
  readonly recent: Map<number, { readonly pending: Pending; readonly timer: NodeJS.Timeout }>;
  readonly waiters: Waiter[];
  next: number;
}

/** A destination's send address and family, and the matching key (RFC 5952 text, no zone). */
function destinationOf(address: string): { address: string; key: string; type: SocketType } {
  const unmapped = unmapIpv4(address);
  if (isIPv4(unmapped)) return { address: unmapped, key: unmapped, type: 'udp4' };
  if (isIPv6(unmapped)) {
    const zone = unmapped.indexOf('%');
    const bare = zone === -1 ? unmapped : unmapped.slice(0, zone);
    return { address: unmapped, key: decodeIpv6addr(encodeIpv6addr(bare))!, type: 'udp6' };
  }
  throw new RangeError(`NAS address ${address} is not an IP address`);
}

function replyKey(rinfo: RemoteInfo): string | null {
  try {
    return destinationOf(rinfo.address).key;
  } catch {
    return null;
  }
}

function checkOptions(o: DynamicAuthorizationClientOptions): void {
  if (!Number.isInteger(o.timeoutMs) || o.timeoutMs < 1) throw new RangeError(`timeoutMs ${o.timeoutMs} is not a positive integer`);
  if (!Number.isInteger(o.retries) || o.retries < 0 || o.retries > 30) throw new RangeError(`retries ${o.retries} is not 0..30`);
}

/**
 * Creates the client. Nothing is bound until the first request; close()
 * fails the requests in flight with DynAuthClosedError and closes the sockets.
 */
export function createDynamicAuthorizationClient(opts: DynamicAuthorizationClientOptions): DynamicAuthorization {
  checkOptions(opts);
  const { timeoutMs, retries, log } = opts;
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? Math.random;
  const tenantLabel = opts.tenantLabel ?? ((id: string) => id);
  const factory = opts.socketFactory ?? ((type: SocketType) => createSocket({ type, ipv6Only: type === 'udp6' }));
  const m = opts.metrics
    ? {
        requests: children(opts.metrics.sessions.dynauthRequests),
        retries: children(opts.metrics.sessions.dynauthRetries),
        duration: children(opts.metrics.sessions.dynauthDuration),
      }
    : null;

  const destinations = new Map<string, Destination>();
  const sockets = new Map<SocketType, Promise<Socket>>();
  const open = new Set<Socket>();
  let closed = false;

  /* ---------------------------------------------------------------- sockets */

  function socketFor(type: SocketType): Promise<Socket> {
    let s = sockets.get(type);
    if (s) return s;
    s = new Promise<Socket>((resolve, reject) => {
      const sock = factory(type);
      const onBindError = (err: Error) => {
        sockets.delete(type);
        try {
          sock.close();
        } catch {
          // never bound
        }
        reject(err);
      };
      sock.once('error', onBindError);
      sock.on('message', onMessage);
      sock.bind(0, () => {
        sock.off('error', onBindError);
        sock.on('error', (err) => log?.warn({ err, family: type }, 'dynamic authorization socket error'));
        // An idle client must not keep the process alive; pending requests hold their timers.
        sock.unref();
        open.add(sock);
        resolve(sock);
      });
    });
    sockets.set(type, s);
    return s;
  }

  function transmit(p: Pending): void {
    const s = sockets.get(p.dest.type);
    if (!s) return;
    void s.then(
      (sock) => {
        if (!open.has(sock)) return;
        sock.send(p.bytes, p.dest.port, p.dest.address, (err) => {
          // A send error (no route, ICMP unreachable) is a lost datagram: the next retransmission retries.
          if (err) log?.debug({ err: err.message, kind: p.kind, nas: p.dest.address, port: p.dest.port, identifier: p.identifier }, 'dynamic authorization send failed');
        });
      },
      () => undefined,
    );
  }

  /* ------------------------------------------------------------ identifiers */

  function destination(address: string, port: number): Destination {
    const d = destinationOf(address);
    const key = `${d.key}|${port}`;
    let dest = destinations.get(key);
    if (!dest) {
      dest = { key, address: d.address, port, type: d.type, inFlight: new Map(), recent: new Map(), waiters: [], next: Math.floor(random() * IDENTIFIERS) % IDENTIFIERS };
      destinations.set(key, dest);
    }
    return dest;
  }

  function allocate(dest: Destination): number | null {
    for (let i = 0; i < IDENTIFIERS; i++) {
      const id = (dest.next + i) % IDENTIFIERS;
      if (!dest.inFlight.has(id) && !dest.recent.has(id)) {
        dest.next = (id + 1) % IDENTIFIERS;
        return id;
      }
    }
    return null;
  }

  /** An Identifier came free: start the oldest waiting request, or forget an idle destination. */
  function released(dest: Destination): void {
    const w = dest.waiters.shift();
    if (w) return w.start();
    if (dest.inFlight.size === 0 && dest.recent.size === 0) destinations.delete(dest.key);
  }

  function wait(attempt: number): number {
    const base = timeoutMs * 2 ** attempt;
    return Math.max(1, Math.round(base * (1 + (random() * 2 - 1) * JITTER)));
  }

  /* ----------------------------------------------------------------- replies */

  function onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    const key = replyKey(rinfo);
    const dest = key === null ? undefined : destinations.get(`${key}|${rinfo.port}`);
    if (!dest) {
      log?.debug({ from: rinfo.address, port: rinfo.port }, 'dynamic authorization reply from no NAS we asked: ignored');
      return;
    }
    const decoded = decodePacket(msg);
    if (!decoded.ok) return invalid(dest, null, decoded.reason);
    const response = decoded.packet;
    const p = dest.inFlight.get(response.identifier);
    if (!p) {
      const recent = dest.recent.get(response.identifier)?.pending;
      // An answer to an earlier transmission of a request already answered: the NAS's duplicate cache at work.
      if (recent && verifyDynamicAuthorizationResponse({ request: recent.request, response, secret: recent.target.secret }).ok) return;
      return invalid(dest, null, 'identifier-mismatch');
    }
    const check = verifyDynamicAuthorizationResponse({ request: p.request, response, secret: p.target.secret });
    if (!check.ok) return invalid(dest, p, check.reason);
    const codes = DYNAUTH_CODES[p.kind];
    finish(p, response.code === codes.ack ? 'ack' : 'nak', errorCauseOf(response));
  }

  /**
   * A reply that does not count. With its Identifier in flight it is charged
   * to that request; otherwise (unknown Identifier, undecodable) to every
   * request waiting on that NAS, since any of them may be the one it garbled.
   */
  function invalid(dest: Destination, p: Pending | null, reason: string): void {
    const charged = p ? [p] : [...dest.inFlight.values()];
    for (const c of charged) c.invalidReplies++;
    log?.debug({ nas: dest.address, port: dest.port, identifier: p?.identifier ?? null, reason }, 'dynamic authorization reply dropped');
  }

  /* ---------------------------------------------------------------- requests */

  function finish(p: Pending, outcome: DynAuthOutcome, cause: ErrorCause): void {
    if (p.timer) clearTimeout(p.timer);
    p.timer = null;
    const dest = p.dest;
    dest.inFlight.delete(p.identifier);
    // Quarantine the Identifier for one initial timeout (RFC 5080 §2.2.1).
    const timer = setTimeout(() => {
      dest.recent.delete(p.identifier);
      released(dest);
    }, timeoutMs);
    timer.unref();
    dest.recent.set(p.identifier, { pending: p, timer });

    const durationMs = performance.now() - p.started;
    const result: DynAuthResult = {
      kind: p.kind,
      outcome,
      errorCause: cause.errorCause,
      errorCauseName: cause.errorCauseName,
      attempts: p.attempts,
      durationMs: Math.round(durationMs * 10) / 10,
      invalidReplies: p.invalidReplies,
    };
    m?.requests(tenantLabel(p.target.tenantId), p.kind, outcome).inc();
    m?.duration(p.kind).observe(durationMs / 1000);
    const fields = {
      tenantId: p.target.tenantId,
      kind: p.kind,
      nas: p.dest.address,
      port: p.dest.port,
      identifier: p.identifier,
      acctSessionId: p.target.acctSessionId,
      outcome,
      errorCause: cause.errorCause,
      errorCauseName: cause.errorCauseName,
      attempts: p.attempts,
      durationMs: Math.round(durationMs),
      invalidReplies: p.invalidReplies,
    };
    if (outcome === 'ack') log?.info(fields, 'dynamic authorization acknowledged');
    else if (outcome === 'nak') log?.info(fields, 'dynamic authorization refused by the NAS');
    else log?.warn(fields, 'dynamic authorization unanswered');
    p.resolve(result);
  }

  function onTimer(p: Pending): void {
    p.timer = null;
    if (p.attempts > retries) return finish(p, 'timeout', { errorCause: null, errorCauseName: null });
    p.attempts++;
    m?.retries(p.kind).inc();
    transmit(p);
    p.timer = setTimeout(onTimer, wait(p.attempts - 1), p);
  }

  function send(kind: DynAuthKind, target: DynAuthTarget, change: CoaChange | undefined): Promise<DynAuthResult> {
    if (closed) return Promise.reject(new DynAuthClosedError());
    return new Promise<DynAuthResult>((resolve, reject) => {
      if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) throw new RangeError(`NAS port ${target.port} is not 1..65535`);
      const dest = destination(target.address, target.port);
      const start = () => {
        const identifier = allocate(dest);
        if (identifier === null) {
          dest.waiters.push({ start, fail: reject });
          // A quarantine now holds a caller waiting: its end must keep the process alive.
          for (const r of dest.recent.values()) r.timer.ref();
          return;
        }
        let bytes: Buffer;
        try {
          // Encoded once: every retransmission sends these very bytes.
          bytes = encodeDynAuthRequest({ kind, target, change, identifier, eventTimestamp: Math.floor(clock.now().getTime() / 1000) });
        } catch (err) {
          released(dest);
          return reject(err as Error);
        }
        const request = decodePacket(bytes);
        if (!request.ok) {
          released(dest);
          return reject(new Error(`encoded request does not decode: ${request.reason}`));
        }
        const p: Pending = {
          kind,
          target,
          dest,
          identifier,
          request: request.packet,
          bytes,
          started: performance.now(),
          attempts: 1,
          invalidReplies: 0,
          timer: null,
          resolve,
          reject,
        };
        dest.inFlight.set(identifier, p);
        socketFor(dest.type).then(
          () => {
            if (!dest.inFlight.has(identifier) || dest.inFlight.get(identifier) !== p) return; // closed meanwhile
            transmit(p);
            p.timer = setTimeout(onTimer, wait(0), p);
          },
          (err: Error) => {
            dest.inFlight.delete(identifier);
            released(dest);
            log?.error({ err: err.message, family: dest.type }, 'dynamic authorization socket could not be bound');
            reject(err);
          },
        );
      };
      start();
    });
  }

  return {
    disconnect(t) {
      return send('disconnect', t, undefined);
    },
    coa(t, change) {
      return send('coa', t, change);
    },
    async close() {
      if (closed) return;
      closed = true;
      const err = new DynAuthClosedError();
      for (const dest of destinations.values()) {
        for (const p of dest.inFlight.values()) {
          if (p.timer) clearTimeout(p.timer);
          p.reject(err);
        }
        for (const r of dest.recent.values()) clearTimeout(r.timer);
        for (const w of dest.waiters) w.fail(err);
        dest.inFlight.clear();
        dest.recent.clear();
        dest.waiters.length = 0;
      }
      destinations.clear();
      const bound = await Promise.allSettled([...sockets.values()]);
      sockets.clear();
      await Promise.all(
        bound.map((b) =>
          b.status === 'fulfilled' && open.delete(b.value) ? new Promise<void>((resolve) => b.value.close(() => resolve())) : Promise.resolve(),
        ),
      );
    },
  };
}
