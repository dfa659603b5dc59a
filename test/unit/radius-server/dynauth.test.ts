/**
 * The Disconnect/CoA client against a NAS made here on a real UDP socket:
 * what the NAS receives (bytes, signatures, attributes), what it answers
 * (ACK, NAK, forged, misdirected, late, nothing), and what the client makes
 * of it.
 */
import { createHash, createHmac } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Mac } from '../../../controller/domain/mac.js';
import { createLogger } from '../../../controller/log.js';
import { createMetrics, type Metrics } from '../../../controller/metrics.js';
import type { DynAuthTarget, DynamicAuthorization } from '../../../controller/ports/dynamic-authorization.js';
import {
  Code,
  ZERO_AUTHENTICATOR,
  attributeByType,
  buildAttributes,
  decodePacket,
  decodeValue,
  encodeResponse,
  splitVendorSpecific,
  verifyRequest,
  type Packet,
} from '../../../radius-server/codec/index.js';
import { DynAuthClosedError, createDynamicAuthorizationClient, type DynamicAuthorizationClientOptions } from '../../../radius-server/dynauth/client.js';

const SECRET = 'nas-shared-secret-9f2c';
const NOW = new Date('2025-06-15T08:00:00Z');

interface Received {
  readonly bytes: Buffer;
  readonly packet: Packet;
  readonly from: RemoteInfo;
  readonly at: number;
}

type Answer = (req: Packet, nth: number, nas: FakeNas) => Buffer | Buffer[] | null;

/** A NAS listening for RFC 5176 requests: records every datagram and answers through `answer`. */
class FakeNas {
  readonly received: Received[] = [];
  private constructor(
    readonly socket: Socket,
    readonly host: string,
    public answer: Answer,
  ) {
    socket.on('message', (bytes, from) => {
      const d = decodePacket(bytes);
      if (!d.ok) throw new Error(`NAS got an undecodable datagram: ${d.reason}`);
      this.received.push({ bytes: Buffer.from(bytes), packet: d.packet, from, at: performance.now() });
      const out = this.answer(d.packet, this.received.length, this);
      for (const b of out === null ? [] : Array.isArray(out) ? out : [out]) socket.send(b, from.port, from.address);
    });
  }

  static async start(answer: Answer, host = '127.0.0.1'): Promise<FakeNas> {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, host, () => resolve());
    });
    return new FakeNas(socket, host, answer);
  }

  get port(): number {
    return this.socket.address().port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

const ackCode = (req: Packet) => (req.code === Code.DisconnectRequest ? Code.DisconnectAck : Code.CoaAck);
const nakCode = (req: Packet) => (req.code === Code.DisconnectRequest ? Code.DisconnectNak : Code.CoaNak);
const ack = (req: Packet, secret = SECRET) => encodeResponse({ request: req, code: ackCode(req), attributes: [], secret });
const nak = (req: Packet, cause: number) => encodeResponse({ request: req, code: nakCode(req), attributes: buildAttributes({ 'Error-Cause': cause }), secret: SECRET, messageAuthenticator: true });
const silent: Answer = () => null;

/** Attributes by name with decoded values, vendor attributes unpacked, in wire order. */
function named(p: Packet): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const a of p.attributes) {
    if (a.type === 26) {
      const vsa = splitVendorSpecific(a.value);
      if (!vsa.ok) throw new Error(vsa.reason);
      for (const s of vsa.subAttributes) {
        const def = attributeByType(s.type, vsa.vendorId)!;
        out.push([def.name, decodeValue(def, s.value)]);
      }
      continue;
    }
    const def = attributeByType(a.type)!;
    const v = decodeValue(def, a.value);
    out.push([def.name, def.name === 'Message-Authenticator' ? 'MA' : v instanceof Date ? v.toISOString() : v]);
  }
  return out;
}

function target(nas: FakeNas, over: Partial<DynAuthTarget> = {}): DynAuthTarget {
  return {
    tenantId: 'tenant-id-valence',
    address: nas.host,
    port: nas.port,
    secret: SECRET,
    nasIp: '192.0.2.10',
    nasIdentifier: 'valence-gare',
    acctSessionId: '66A1B2C3-0007',
    username: 'bob@valence.example',
    callingStationId: 'f2:11:22:33:44:55' as Mac,
    framedIp: '10.64.3.17',
    ...over,
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function nasWith(answer: Answer, host?: string): Promise<FakeNas> {
  const nas = await FakeNas.start(answer, host);
  cleanups.push(() => nas.close());
  return nas;
}

function client(opts: Partial<DynamicAuthorizationClientOptions> = {}): DynamicAuthorization {
  const c = createDynamicAuthorizationClient({ timeoutMs: 40, retries: 3, random: () => 0.5, clock: { now: () => NOW }, ...opts });
  cleanups.push(() => c.close());
  return c;
}

async function counter(m: Metrics, name: 'dynauthRequests' | 'dynauthRetries', labels: Record<string, string>): Promise<number> {
  const got = await m.sessions[name].get();
  return got.values.filter((v) => Object.entries(labels).every(([k, x]) => (v.labels as Record<string, string | number | undefined>)[k] === x)).reduce((n, v) => n + v.value, 0);
}

describe('what the NAS receives', () => {
  it('a Disconnect-Request that verifies (Request Authenticator, Message-Authenticator) and names NAS and session', async () => {
    const nas = await nasWith((req) => ack(req));
    const r = await client().disconnect(target(nas));
    expect(r.outcome).toBe('ack');
    expect(nas.received).toHaveLength(1);
    const { bytes, packet: p } = nas.received[0]!;
    expect(p.code).toBe(Code.DisconnectRequest);
    // As the NAS checks it: the codec, and node:crypto independently (RFC 5176 §2.3, §3.4).
    expect(verifyRequest(p, SECRET, { requireMessageAuthenticator: true })).toEqual({ ok: true });
    const work = Buffer.from(bytes);
    ZERO_AUTHENTICATOR.copy(work, 4);
    expect(createHash('md5').update(work).update(SECRET).digest().equals(bytes.subarray(4, 20))).toBe(true);
    work.fill(0, 22, 38);
    expect(createHmac('md5', SECRET).update(work).digest().equals(bytes.subarray(22, 38))).toBe(true);
    expect(named(p)).toEqual([
      ['Message-Authenticator', 'MA'],
      ['NAS-IP-Address', '192.0.2.10'],
      ['NAS-Identifier', 'valence-gare'],
      ['Acct-Session-Id', '66A1B2C3-0007'],
      ['User-Name', 'bob@valence.example'],
      ['Calling-Station-Id', 'F2-11-22-33-44-55'],
      ['Framed-IP-Address', '10.64.3.17'],
      ['Event-Timestamp', NOW.toISOString()],
    ]);
  });

  it('a CoA-Request carrying Session-Timeout and the bandwidth of every gateway family', async () => {
    const nas = await nasWith((req) => ack(req));
    const r = await client().coa(target(nas), { sessionTimeoutSeconds: 600, uploadBps: 512_000, downloadBps: 2_000_000 });
    expect(r).toMatchObject({ kind: 'coa', outcome: 'ack', attempts: 1, errorCause: null, errorCauseName: null, invalidReplies: 0 });
    const p = nas.received[0]!.packet;
    expect(p.code).toBe(Code.CoaRequest);
    expect(verifyRequest(p, SECRET, { requireMessageAuthenticator: true })).toEqual({ ok: true });
    expect(named(p).slice(7)).toEqual([
      ['Session-Timeout', 600],
      ['WISPr-Bandwidth-Max-Up', 512_000],
      ['WISPr-Bandwidth-Max-Down', 2_000_000],
      ['ChilliSpot-Bandwidth-Max-Up', 512],
      ['ChilliSpot-Bandwidth-Max-Down', 2000],
      ['Mikrotik-Rate-Limit', '512k/2000k'],
      ['Event-Timestamp', NOW.toISOString()],
    ]);
  });

  it('over IPv6 to ::1, naming an IPv6 NAS with NAS-IPv6-Address', async () => {
    const nas = await nasWith((req) => ack(req), '::1');
    const r = await client().disconnect(target(nas, { address: '::1', nasIp: '2001:db8:10::1' }));
    expect(r.outcome).toBe('ack');
    expect(nas.received[0]!.from.family).toBe('IPv6');
    expect(named(nas.received[0]!.packet).slice(0, 2)).toEqual([
      ['Message-Authenticator', 'MA'],
      ['NAS-IPv6-Address', '2001:db8:10::1'],
    ]);
  });

  it('an IPv4-mapped NAS address goes out over IPv4', async () => {
    const nas = await nasWith((req) => ack(req));
    expect((await client().disconnect(target(nas, { address: '::ffff:127.0.0.1' }))).outcome).toBe('ack');
    expect(nas.received[0]!.from.family).toBe('IPv4');
  });

  it('distinct Identifiers for requests in flight to the same NAS', async () => {
    const nas = await nasWith((req) => ack(req));
    const c = client();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => c.disconnect(target(nas, { acctSessionId: `s-${i}` }))));
    expect(results.every((r) => r.outcome === 'ack')).toBe(true);
    expect(new Set(nas.received.map((r) => r.packet.identifier)).size).toBe(40);
  });
});

describe('answers', () => {
  it('Disconnect-NAK with Error-Cause 503 → nak, with the number and its name', async () => {
    const nas = await nasWith((req) => nak(req, 503));
    const r = await client().disconnect(target(nas));
    expect(r).toMatchObject({ kind: 'disconnect', outcome: 'nak', errorCause: 503, errorCauseName: 'Session-Context-Not-Found', attempts: 1, invalidReplies: 0 });
  });

  it('CoA-NAK with Error-Cause 401 → nak Unsupported-Attribute', async () => {
    const nas = await nasWith((req) => nak(req, 401));
    const r = await client().coa(target(nas), { sessionTimeoutSeconds: 60 });
    expect(r).toMatchObject({ kind: 'coa', outcome: 'nak', errorCause: 401, errorCauseName: 'Unsupported-Attribute' });
  });

  it('a reply signed with the wrong secret is ignored and counted; the request then times out', async () => {
    const nas = await nasWith((req, nth) => (nth === 1 ? ack(req, 'not-the-secret') : null));
    const r = await client({ retries: 1 }).disconnect(target(nas));
    expect(r).toMatchObject({ outcome: 'timeout', attempts: 2, invalidReplies: 1, errorCause: null });
  });

  it('a forged reply does not stop a later valid one from counting', async () => {
    const nas = await nasWith((req, nth) => (nth === 1 ? ack(req, 'not-the-secret') : ack(req)));
    const r = await client().disconnect(target(nas));
    expect(r).toMatchObject({ outcome: 'ack', attempts: 2, invalidReplies: 1 });
  });

  it('a reply with another Identifier, or a code that does not answer the request, is ignored and counted', async () => {
    const nas = await nasWith((req, nth) => {
      if (nth === 1) {
        const wrongId = Buffer.from(ack(req));
        wrongId[1] = (req.identifier + 1) % 256;
        return wrongId;
      }
      if (nth === 2) {
        // A correctly signed CoA-ACK answering a Disconnect-Request (RFC 2865 §3 Response Authenticator over it).
        const wrongCode = Buffer.from(ack(req));
        wrongCode[0] = Code.CoaAck;
        req.authenticator.copy(wrongCode, 4);
        createHash('md5').update(wrongCode).update(SECRET).digest().copy(wrongCode, 4);
        return wrongCode;
      }
      return ack(req);
    });
    const r = await client().disconnect(target(nas));
    expect(r).toMatchObject({ outcome: 'ack', attempts: 3, invalidReplies: 2 });
  });

  it('a valid-looking reply from another port of the NAS host is not an answer', async () => {
    const nas = await nasWith((req, nth, self) => {
      if (nth === 1) {
        const other = createSocket('udp4');
        other.bind(0, '127.0.0.1', () => {
          const from = self.received[0]!.from;
          other.send(ack(req), from.port, from.address, () => other.close());
        });
        return null;
      }
      return ack(req);
    });
    const r = await client().disconnect(target(nas));
    expect(r).toMatchObject({ outcome: 'ack', attempts: 2, invalidReplies: 0 });
  });

  it('a late answer to the first transmission, after the retransmission was answered, is a harmless duplicate', async () => {
    const nas = await nasWith((req, nth, self) => {
      // Answer nothing the first time; then answer both copies, as a NAS with a duplicate cache does.
      if (nth === 1) return null;
      return [ack(req), ack(self.received[0]!.packet)];
    });
    const c = client();
    const r = await c.disconnect(target(nas));
    expect(r).toMatchObject({ outcome: 'ack', attempts: 2, invalidReplies: 0 });
    const second = await c.disconnect(target(nas, { acctSessionId: 'other' }));
    expect(second).toMatchObject({ outcome: 'ack', invalidReplies: 0 });
  });
});

describe('retransmission and timeout', () => {
  it('retransmits the same datagram (Identifier, authenticator, Event-Timestamp) until answered', async () => {
    const nas = await nasWith((req, nth) => (nth <= 2 ? null : ack(req)));
    const metrics = createMetrics({ defaultMetrics: false });
    let clockCalls = 0;
    const c = client({ metrics, clock: { now: () => new Date(NOW.getTime() + 1000 * clockCalls++) } });
    const r = await c.disconnect(target(nas));
    expect(r).toMatchObject({ outcome: 'ack', attempts: 3, invalidReplies: 0 });
    expect(nas.received).toHaveLength(3);
    for (const got of nas.received) expect(got.bytes.equals(nas.received[0]!.bytes)).toBe(true);
    expect(clockCalls).toBe(1);
    expect(await counter(metrics, 'dynauthRetries', { kind: 'disconnect' })).toBe(2);
  });

  it('gives up after `retries` retransmissions, waiting timeoutMs, 2×, 4×, 8×', async () => {
    const nas = await nasWith(silent);
    const metrics = createMetrics({ defaultMetrics: false });
    const timeoutMs = 40;
    const t0 = performance.now();
    const r = await client({ timeoutMs, retries: 3, metrics, tenantLabel: (id) => (id === 'tenant-id-valence' ? 'valence' : 'unknown') }).coa(target(nas), { downloadBps: 1_000_000 });
    const elapsed = performance.now() - t0;
    expect(r).toMatchObject({ kind: 'coa', outcome: 'timeout', attempts: 4, errorCause: null, errorCauseName: null, invalidReplies: 0 });
    expect(nas.received).toHaveLength(4);
    expect(new Set(nas.received.map((x) => x.bytes.toString('hex'))).size).toBe(1);
    const gaps = nas.received.slice(1).map((x, i) => x.at - nas.received[i]!.at);
    [1, 2, 4].forEach((k, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(k * timeoutMs - 5);
      expect(gaps[i]).toBeLessThan(k * timeoutMs + 120);
    });
    const sum = (1 + 2 + 4 + 8) * timeoutMs;
    expect(r.durationMs).toBeGreaterThanOrEqual(sum - 5);
    expect(r.durationMs).toBeLessThan(sum + 300);
    expect(elapsed).toBeGreaterThanOrEqual(r.durationMs - 1);
    expect(await counter(metrics, 'dynauthRequests', { tenant: 'valence', kind: 'coa', outcome: 'timeout' })).toBe(1);
    expect(await counter(metrics, 'dynauthRetries', { kind: 'coa' })).toBe(3);
    const hist = await metrics.sessions.dynauthDuration.get();
    expect(hist.values.find((v) => v.metricName === 'wfc_dynauth_duration_seconds_count' && v.labels.kind === 'coa')?.value).toBe(1);
  });

  it('with retries 0 sends once', async () => {
    const nas = await nasWith(silent);
    const r = await client({ retries: 0, timeoutMs: 20 }).disconnect(target(nas));
    expect(r).toMatchObject({ outcome: 'timeout', attempts: 1 });
    expect(nas.received).toHaveLength(1);
  });

  it('never reuses an Identifier in flight: the 257th request to one NAS waits for one to come free', async () => {
    const nas = await nasWith(silent);
    const timeoutMs = 60;
    const c = client({ retries: 0, timeoutMs });
    const t0 = performance.now();
    const results = await Promise.all(Array.from({ length: 257 }, (_, i) => c.disconnect(target(nas, { acctSessionId: `s-${i}` }))));
    expect(results.every((r) => r.outcome === 'timeout')).toBe(true);
    expect(nas.received).toHaveLength(257);
    expect(new Set(nas.received.slice(0, 256).map((x) => x.packet.identifier)).size).toBe(256);
    // It waited for a timeout plus the Identifier's quarantine.
    expect(nas.received[256]!.at - t0).toBeGreaterThanOrEqual(2 * timeoutMs - 5);
  });
});

describe('lifecycle and logs', () => {
  it('close() fails requests in flight cleanly, and later requests at once', async () => {
    const nas = await nasWith(silent);
    const c = createDynamicAuthorizationClient({ timeoutMs: 1000, retries: 3 });
    const pending = c.disconnect(target(nas));
    await new Promise((r) => setTimeout(r, 30));
    expect(nas.received).toHaveLength(1);
    await c.close();
    await expect(pending).rejects.toBeInstanceOf(DynAuthClosedError);
    await expect(c.disconnect(target(nas))).rejects.toBeInstanceOf(DynAuthClosedError);
    await c.close(); // idempotent
  });

  it('refuses a target it cannot address', async () => {
    const c = client();
    await expect(c.disconnect({ ...target({ host: '127.0.0.1', port: 1 } as FakeNas), address: 'nas.example' })).rejects.toThrow(RangeError);
    await expect(c.disconnect({ ...target({ host: '127.0.0.1', port: 1 } as FakeNas), port: 0 })).rejects.toThrow(RangeError);
    await expect(c.coa(target({ host: '127.0.0.1', port: 1 } as FakeNas), {})).rejects.toThrow(/must change something/);
  });

  it('logs outcomes and dropped replies without the shared secret', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = createLogger({ level: 'debug' }, sink);
    const nas = await nasWith((req, nth) => (nth === 1 ? ack(req, 'not-the-secret') : nth === 2 ? ack(req) : nak(req, 503)));
    const c = client({ log });
    await c.disconnect(target(nas));
    await c.disconnect(target(nas, { acctSessionId: 'gone' }));
    const all = lines.join('');
    expect(all).toContain('dynamic authorization reply dropped');
    expect(all).toContain('"reason":"bad-authenticator"');
    expect(all).toContain('dynamic authorization acknowledged');
    expect(all).toContain('"errorCauseName":"Session-Context-Not-Found"');
    expect(all).not.toContain(SECRET);
  });
});
