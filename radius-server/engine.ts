/**
 * The socket-free RADIUS engine: `handle(datagram, peer, port)` returns the
 * reply to send or the reason to drop. Transports (UDP today, RadSec later)
 * only move bytes; tests and the fuzzer call `handle` directly.
 *
 * Pipeline, cheapest checks first: client lookup (RFC 2865 §3 unknown
 * source), decode, code allowed on this port, authenticators and
 * Message-Authenticator (BlastRADIUS), duplicate cache (RFC 5080 §2.2.2),
 * then the per-type processor and the REPLY table.
 */
import type { Logger } from '../controller/log.js';
import { children, type Metrics } from '../controller/metrics.js';
import { Code } from './codec/codes.js';
import { decodePacket, DECODE_FAILURES, type DecodeFailure, type Packet } from './codec/packet.js';
import { encodeResponse } from './codec/reply.js';
import { verifyRequest, VERIFY_FAILURES, type VerifyFailure } from './codec/verify.js';
import type { DedupCache, DedupKey } from './dedup.js';
import type { ClientContext, Directory } from './directory.js';
import type { AccessProcessor } from './process/access.js';
import type { AccountingDrop, AccountingProcessor } from './process/accounting.js';
import { REPLY, type Outcome, type Request } from './process/outcomes.js';
import type { Attribute } from './codec/packet.js';

export type PortKind = 'auth' | 'acct';

export interface Peer {
  readonly address: string;
  readonly port: number;
}

export type DropReason =
  | 'unknown-client'
  | DecodeFailure
  | 'unexpected-code'
  | VerifyFailure
  | AccountingDrop
  | 'duplicate-of-dropped'
  | 'internal-error';

/** Every reason the engine drops a request, with its meaning (the `reason` label of the drop counter). */
export const DROP_REASONS: Readonly<Record<DropReason, string>> = {
  'unknown-client': 'the source address is in no RADIUS client network (RFC 2865 §3: silently discarded)',
  ...DECODE_FAILURES,
  'unexpected-code': 'a packet type this port does not take (e.g. Accounting-Request on the authentication port)',
  ...VERIFY_FAILURES,
  'acct-session-id-missing': 'an Accounting-Request without Acct-Session-Id (RFC 2866 §5.5)',
  'status-type-missing': 'an Accounting-Request without Acct-Status-Type (RFC 2866 §5.1)',
  'store-failed': 'the accounting record could not be stored: no response, so the NAS retries (RFC 2866 §4.1)',
  'duplicate-of-dropped': 'a retransmission of a request that was itself dropped',
  'internal-error': 'processing failed unexpectedly (logged at error level)',
};

export type HandleResult =
  | { readonly kind: 'reply'; readonly reply: Buffer; readonly duplicate: boolean }
  | { readonly kind: 'drop'; readonly reason: DropReason };

export interface EngineDeps {
  readonly directory: Directory;
  readonly dedup: DedupCache;
  readonly access: AccessProcessor;
  readonly accounting: AccountingProcessor;
  readonly metrics: Metrics;
  readonly log: Logger;
}

/** RFC 2865 §3, RFC 2866 §3, RFC 5997 §3: what each port accepts. */
const ACCEPTED: Readonly<Record<PortKind, ReadonlySet<number>>> = {
  auth: new Set([Code.AccessRequest, Code.StatusServer]),
  acct: new Set([Code.AccountingRequest, Code.StatusServer]),
};

export interface RadiusEngine {
  handle(datagram: Buffer, peer: Peer, port: PortKind): Promise<HandleResult>;
}

export function createRadiusEngine(deps: EngineDeps): RadiusEngine {
  const { metrics, log } = deps;
  const dropped = children(metrics.radius.dropped);
  const duplicates = children(metrics.radius.duplicates);
  const durations = children(metrics.radius.duration);
  const statusServer = children(metrics.radius.statusServer);
  const drop = (port: PortKind, reason: DropReason, peer: Peer): HandleResult => {
    dropped(port, reason).inc();
    log.debug({ port, reason, peer: peer.address }, 'request dropped');
    return { kind: 'drop', reason };
  };

  async function process(ctx: ClientContext, packet: Packet, port: PortKind, peer: Peer): Promise<{ request: Request; outcome: Outcome; attributes: readonly Attribute[]; reason?: AccountingDrop }> {
    switch (packet.code) {
      case Code.StatusServer:
        statusServer(port).inc();
        return { request: port === 'auth' ? 'status-auth' : 'status-acct', outcome: 'alive', attributes: [] };
      case Code.AccessRequest: {
        const r = await deps.access(ctx, packet);
        return { request: 'access', outcome: r.outcome, attributes: r.attributes };
      }
      default: {
        const r = await deps.accounting(ctx, packet, peer.address);
        return r.outcome === 'recorded' ? { request: 'accounting', outcome: 'recorded', attributes: [] } : { request: 'accounting', outcome: 'not-recorded', attributes: [], reason: r.reason };
      }
    }
  }

  return {
    async handle(datagram, peer, port) {
      const started = performance.now();
      let ctx = deps.directory.lookup(peer.address);
      if (!ctx) return drop(port, 'unknown-client', peer);
      const decoded = decodePacket(datagram);
      if (!decoded.ok) return drop(port, decoded.reason, peer);
      const packet = decoded.packet;
      if (!ACCEPTED[port].has(packet.code)) return drop(port, 'unexpected-code', peer);
      let verified = verifyRequest(packet, ctx.client.secret, { requireMessageAuthenticator: ctx.client.requireMessageAuthenticator });
      if (!verified.ok && ctx.pendingSecret !== null && (verified.reason === 'ma-invalid' || verified.reason === 'bad-authenticator')) {
        // During a secret rotation a gateway may already use the new secret:
        // it then also decodes User-Password and signs the reply.
        const rotated = verifyRequest(packet, ctx.pendingSecret, { requireMessageAuthenticator: ctx.client.requireMessageAuthenticator });
        if (rotated.ok) {
          verified = rotated;
          ctx = { ...ctx, client: { ...ctx.client, secret: ctx.pendingSecret }, pendingSecret: null };
        }
      }
      if (!verified.ok) return drop(port, verified.reason, peer);

      // RFC 5997 §3: each Status-Server is new; no duplicate detection for it.
      const key: DedupKey | null = packet.code === Code.StatusServer ? null : { kind: port, address: peer.address, port: peer.port, identifier: packet.identifier, authenticator: packet.authenticator };
      if (key) {
        const seen = deps.dedup.begin(key);
        if (seen.state !== 'new') {
          duplicates(port).inc();
          const reply = seen.state === 'done' ? seen.reply : await seen.wait;
          return reply ? { kind: 'reply', reply, duplicate: true } : { kind: 'drop', reason: 'duplicate-of-dropped' };
        }
      }

      let result: Awaited<ReturnType<typeof process>>;
      try {
        result = await process(ctx, packet, port, peer);
      } catch (err) {
        log.error({ err, tenant: ctx.tenant.slug, port }, 'request processing failed');
        if (key) deps.dedup.abandon(key);
        return drop(port, 'internal-error', peer);
      }
      const code = REPLY[result.request][result.outcome];
      if (code === undefined || code === 'drop') {
        // A store failure is transient: forget the request so the NAS's retry is processed afresh.
        if (key) {
          if (result.reason === 'store-failed') deps.dedup.abandon(key);
          else deps.dedup.drop(key);
        }
        return drop(port, result.reason ?? 'internal-error', peer);
      }
      const reply = encodeResponse({ request: packet, code: code as Code, attributes: result.attributes, secret: ctx.client.secret });
      if (key) deps.dedup.complete(key, reply);
      durations(port).observe((performance.now() - started) / 1000);
      return { kind: 'reply', reply, duplicate: false };
    },
  };
}
