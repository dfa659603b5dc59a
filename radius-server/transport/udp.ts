/**
 * UDP transport: moves datagrams between sockets and the engine. Made by a
 * factory that does not bind; the composition root calls `bind`. One socket
 * per address family and port kind; `::` binds IPv6 and, with dual-stack,
 * IPv4 too (ipv6Only false), so IPv4 peers arrive as ::ffff:a.b.c.d, which
 * the client table unmaps.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from '../../controller/log.js';
import type { PortKind, RadiusEngine } from '../engine.js';

export interface UdpTransport {
  bind(port: number, host: string): Promise<number>;
  close(): Promise<void>;
  /** Requests handed to the engine and not yet answered or dropped. */
  readonly inFlight: number;
}

export function createUdpTransport(engine: RadiusEngine, kind: PortKind, log: Logger): UdpTransport {
  let socket: Socket | null = null;
  let inFlight = 0;
  let idle: (() => void) | null = null;

  const onMessage = (msg: Buffer, rinfo: { address: string; port: number }) => {
    inFlight++;
    engine
      .handle(msg, rinfo, kind)
      .then((r) => {
        if (r.kind === 'reply' && socket) socket.send(r.reply, rinfo.port, rinfo.address);
      })
      .catch((err: unknown) => log.error({ err, kind }, 'engine failure'))
      .finally(() => {
        if (--inFlight === 0 && idle) idle();
      });
  };

  return {
    bind(port, host) {
      return new Promise((resolve, reject) => {
        const s = createSocket({ type: isIPv6(host) || host === '::' ? 'udp6' : 'udp4', ipv6Only: false, recvBufferSize: 4 * 1024 * 1024, sendBufferSize: 4 * 1024 * 1024 });
        s.once('error', reject);
        s.on('message', onMessage);
        s.bind(port, host, () => {
          s.off('error', reject);
          s.on('error', (err) => log.error({ err, kind }, 'UDP socket error'));
          socket = s;
          resolve(s.address().port);
        });
      });
    },
    /** Stops receiving, then waits for requests in flight (their replies still go out). */
    async close() {
      const s = socket;
      if (!s) return;
      s.removeListener('message', onMessage);
      // Bounded: a request stuck on an unreachable store must not hold the shutdown.
      if (inFlight > 0) await new Promise<void>((resolve) => {
        idle = resolve;
        setTimeout(resolve, 5_000).unref();
      });
      socket = null;
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    get inFlight() {
      return inFlight;
    },
  };
}
