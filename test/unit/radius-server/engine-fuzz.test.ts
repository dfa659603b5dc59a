/**
 * Hostile-peer fuzzing of the whole engine: 100,000 random, mutated and
 * validly-signed-but-nonsensical packets. None may throw; each is either
 * answered with a reply that verifies, or dropped with a known reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code } from '../../../radius-server/codec/codes.js';
import { decodePacket, DECODE_FAILURES, type Attribute } from '../../../radius-server/codec/packet.js';
import { encodeAccessRequest, encodeAccountingRequest, encodeStatusServer, verifyResponse } from '../../../radius-server/codec/reply.js';
import { VERIFY_FAILURES } from '../../../radius-server/codec/verify.js';
import type { DropReason } from '../../../radius-server/engine.js';
import { accessRequest, accountingRequest } from './fixtures/packets.js';
import { engineFixture, type EngineFixture } from './fixtures/engine.js';

const TOTAL = 100_000;

/** xorshift32: the run is reproducible from its seed. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return {
    int: (n: number) => next() % n,
    bytes: (n: number) => {
      const b = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) b[i] = next() & 0xff;
      return b;
    },
  };
}

const KNOWN_DROPS = new Set<string>([
  'unknown-client',
  'unexpected-code',
  'duplicate-of-dropped',
  'acct-session-id-missing',
  'status-type-missing',
  'store-failed',
  ...Object.keys(DECODE_FAILURES),
  ...Object.keys(VERIFY_FAILURES),
]);

describe('engine fuzzing', () => {
  let f: EngineFixture;
  beforeAll(async () => {
    f = await engineFixture();
  });
  afterAll(() => f.close());

  it(`${TOTAL.toLocaleString('en')} hostile packets: no throw, every one answered correctly or dropped with a reason`, async () => {
    const secret = f.demo.radius.secret;
    const r = rng(Number(process.env.WFC_FUZZ_SEED ?? 0x5eed));
    const seeds = [
      accessRequest(secret, { 'User-Name': 'alice', 'Calling-Station-Id': '02-00-00-00-00-01', 'Called-Station-Id': '00-11-22-33-44-01:x' }, { password: 'not-it' }),
      accountingRequest(secret, { 'Acct-Status-Type': 3, 'Acct-Session-Id': 'fz', 'User-Name': 'bob', 'Acct-Input-Octets': 5 }),
      accessRequest(secret, { 'User-Name': '02-5E-10-00-00-01', 'Calling-Station-Id': '02-5E-10-00-00-01' }, { password: '02-5E-10-00-00-01' }),
    ];
    const randomAttributes = (): Attribute[] => {
      const n = r.int(12);
      const out: Attribute[] = [];
      for (let i = 0; i < n; i++) {
        let type = 1 + r.int(255);
        if (type === 80) type = 1; // the encoder owns Message-Authenticator
        // Mostly attributes the processors read, with values of any shape.
        if (r.int(2) === 0) type = [1, 2, 3, 4, 8, 25, 26, 30, 31, 32, 33, 40, 42, 43, 44, 46, 49, 52, 53, 55, 60, 95][r.int(22)]!;
        out.push({ type, value: r.bytes(r.int(type === 40 || type === 46 ? 6 : 40)) });
      }
      return out;
    };

    const outcomes = new Map<string, number>();
    const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
    for (let i = 0; i < TOTAL; i++) {
      let datagram: Buffer;
      const kind = r.int(10);
      if (kind < 3) {
        datagram = r.bytes(r.int(120));
      } else if (kind < 7) {
        datagram = Buffer.from(seeds[r.int(seeds.length)]!);
        const flips = 1 + r.int(4);
        for (let j = 0; j < flips; j++) {
          const op = r.int(4);
          if (op === 0) datagram[r.int(datagram.length)] = r.int(256);
          else if (op === 1) datagram = datagram.subarray(0, r.int(datagram.length));
          else if (op === 2) datagram = Buffer.concat([datagram, r.bytes(r.int(40))]);
          else if (datagram.length >= 4) datagram.writeUInt16BE(r.int(5000), 2);
        }
      } else {
        const attributes = randomAttributes();
        const code = r.int(3);
        const identifier = r.int(256);
        datagram =
          code === 0
            ? encodeAccessRequest({ identifier, authenticator: r.bytes(16), attributes, secret })
            : code === 1
              ? encodeAccountingRequest({ identifier, attributes, secret })
              : encodeStatusServer({ identifier, authenticator: r.bytes(16), attributes: [], secret });
      }
      const port = r.int(2) === 0 ? 'auth' : 'acct';
      const peer = { address: r.int(20) === 0 ? '192.0.2.9' : r.int(2) ? '127.0.0.1' : '::1', port: 50000 + r.int(4) };
      const result = await f.server.engine.handle(datagram, peer, port);
      if (result.kind === 'drop') {
        expect(KNOWN_DROPS.has(result.reason as DropReason), `unknown drop reason ${result.reason}`).toBe(true);
        count(`drop:${result.reason}`);
        continue;
      }
      const request = decodePacket(datagram);
      const response = decodePacket(result.reply);
      expect(request.ok && response.ok).toBe(true);
      if (!request.ok || !response.ok) continue;
      expect(verifyResponse({ request: request.packet, response: response.packet, secret })).toEqual({ ok: true });
      const expected = { [Code.AccessRequest]: [Code.AccessAccept, Code.AccessReject], [Code.AccountingRequest]: [Code.AccountingResponse], [Code.StatusServer]: [Code.AccessAccept, Code.AccountingResponse] }[request.packet.code as 1 | 4 | 12];
      expect(expected).toContain(response.packet.code);
      count(`reply:${response.packet.code}${result.duplicate ? ':dup' : ''}`);
    }
    const total = [...outcomes.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(TOTAL);
    // The fuzzer reaches the processors, not only the decoder.
    expect(outcomes.get(`reply:${Code.AccessReject}`)).toBeGreaterThan(100);
    expect(outcomes.get(`reply:${Code.AccountingResponse}`)).toBeGreaterThan(100);
    console.log(Object.fromEntries([...outcomes].sort((a, b) => b[1] - a[1])));
  }, 180_000);
});
