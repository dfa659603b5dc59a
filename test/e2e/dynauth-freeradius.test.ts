/**
 * Disconnect/CoA (RFC 5176) against FreeRADIUS 3.2 acting as the NAS
 * listener: FreeRADIUS checks our Request Authenticator and
 * Message-Authenticator and decodes our attributes with its own
 * dictionaries; we check its ACK/NAK with ours.
 *
 * Without the freeradius binary the suite skips, except under CI where it fails.
 */
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mac } from '../../controller/domain/mac.js';
import type { DynAuthTarget, DynamicAuthorization } from '../../controller/ports/dynamic-authorization.js';
import { ZERO_AUTHENTICATOR, decodePacket, encodeDisconnectRequest } from '../../radius-server/codec/index.js';
import { createDynamicAuthorizationClient } from '../../radius-server/dynauth/client.js';
import { requestAttributes } from '../../radius-server/dynauth/requests.js';
import { freeradiusBinary, startFreeradiusCoa, type CoaPeer } from '../helpers/freeradius-coa.js';
import { freePort, underCi } from '../helpers/process.js';

const haveFreeradius = freeradiusBinary() !== null;
if (!haveFreeradius && underCi()) throw new Error('freeradius is required under CI: install Debian\'s freeradius package (.ci/run does)');

const SECRET = 'coa-e2e-secret-5b1d';
const KNOWN = '5A0C33E1-000002F1';

describe.skipIf(!haveFreeradius)('Disconnect/CoA against FreeRADIUS 3.2', () => {
  let peer: CoaPeer;
  let client: DynamicAuthorization;

  const target = (over: Partial<DynAuthTarget> = {}): DynAuthTarget => ({
    tenantId: 'tenant-valence',
    address: '127.0.0.1',
    port: peer.port,
    secret: SECRET,
    nasIp: '192.0.2.44',
    nasIdentifier: 'valence-mediatheque',
    acctSessionId: KNOWN,
    username: 'carol@valence.example',
    callingStationId: '3c:22:fb:01:02:03' as Mac,
    framedIp: '10.64.8.9',
    ...over,
  });

  /** The request FreeRADIUS logged with this code and Acct-Session-Id, once it finished with it. */
  const logged = (code: string, acctSessionId: string) => peer.waitForRequest((r) => r.code === code && r.attributes.get('Acct-Session-Id')?.[0] === acctSessionId);

  beforeAll(async () => {
    peer = await startFreeradiusCoa({ port: await freePort('udp', '127.0.0.1'), secret: SECRET, knownSessions: [KNOWN] });
    client = createDynamicAuthorizationClient({ timeoutMs: 300, retries: 2 });
  });

  afterAll(async () => {
    await client?.close();
    await peer?.stop();
  });

  it('Disconnect-Request for a known session: FreeRADIUS verifies it, decodes every attribute and ACKs', async () => {
    const r = await client.disconnect(target());
    expect(r).toMatchObject({ kind: 'disconnect', outcome: 'ack', attempts: 1, errorCause: null, errorCauseName: null, invalidReplies: 0 });
    const req = await logged('Disconnect-Request', KNOWN);
    expect(req.reply).toBe('Disconnect-ACK');
    const a = req.attributes;
    expect(a.get('Message-Authenticator')?.[0]).toMatch(/^0x[0-9a-f]{32}$/);
    expect(a.get('NAS-IP-Address')).toEqual(['192.0.2.44']);
    expect(a.get('NAS-Identifier')).toEqual(['valence-mediatheque']);
    expect(a.get('User-Name')).toEqual(['carol@valence.example']);
    expect(a.get('Calling-Station-Id')).toEqual(['3C-22-FB-01-02-03']);
    expect(a.get('Framed-IP-Address')).toEqual(['10.64.8.9']);
    expect(a.get('Event-Timestamp')).toHaveLength(1);
    expect(a.has('Session-Timeout')).toBe(false);
  });

  it('Disconnect-Request for an unknown session: NAK with Error-Cause 503 mapped to its name', async () => {
    const r = await client.disconnect(target({ acctSessionId: 'no-such-session' }));
    expect(r).toMatchObject({ kind: 'disconnect', outcome: 'nak', errorCause: 503, errorCauseName: 'Session-Context-Not-Found', attempts: 1, invalidReplies: 0 });
    const req = await logged('Disconnect-Request', 'no-such-session');
    expect(req.reply).toBe('Disconnect-NAK');
    expect(req.replyAttributes.get('Error-Cause')).toEqual(['Session-Context-Not-Found']);
  });

  it('CoA-Request with Session-Timeout and bandwidth: FreeRADIUS decodes them with its own vendor dictionaries and ACKs', async () => {
    const r = await client.coa(target(), { sessionTimeoutSeconds: 1800, uploadBps: 1_000_000, downloadBps: 5_000_000 });
    expect(r).toMatchObject({ kind: 'coa', outcome: 'ack', attempts: 1, invalidReplies: 0 });
    const req = await logged('CoA-Request', KNOWN);
    expect(req.reply).toBe('CoA-ACK');
    const a = req.attributes;
    expect(a.get('Session-Timeout')).toEqual(['1800']);
    expect(a.get('WISPr-Bandwidth-Max-Up')).toEqual(['1000000']);
    expect(a.get('WISPr-Bandwidth-Max-Down')).toEqual(['5000000']);
    expect(a.get('ChilliSpot-Bandwidth-Max-Up')).toEqual(['1000']);
    expect(a.get('ChilliSpot-Bandwidth-Max-Down')).toEqual(['5000']);
    expect(a.get('Mikrotik-Rate-Limit')).toEqual(['1000k/5000k']);
    expect(a.get('Message-Authenticator')).toHaveLength(1);
  });

  it('CoA-Request for an unknown session: CoA-NAK 503', async () => {
    const r = await client.coa(target({ acctSessionId: 'gone' }), { sessionTimeoutSeconds: 60 });
    expect(r).toMatchObject({ kind: 'coa', outcome: 'nak', errorCause: 503, errorCauseName: 'Session-Context-Not-Found' });
  });

  it('with the wrong secret FreeRADIUS drops the request: a bounded timeout', async () => {
    const wrong = createDynamicAuthorizationClient({ timeoutMs: 100, retries: 1 });
    try {
      const r = await wrong.disconnect(target({ secret: 'not-the-shared-secret', acctSessionId: 'wrong-secret' }));
      expect(r).toMatchObject({ outcome: 'timeout', attempts: 2, invalidReplies: 0 });
      await peer.waitFor(/Shared secret is incorrect/);
    } finally {
      await wrong.close();
    }
  });

  it('FreeRADIUS checks both signatures we compute, and requires Message-Authenticator (require_message_authenticator)', async () => {
    const sock = createSocket('udp4');
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
    const replies: Buffer[] = [];
    sock.on('message', (m) => replies.push(m));
    const send = (b: Buffer) => new Promise<void>((resolve) => sock.send(b, peer.port, '127.0.0.1', () => resolve()));
    try {
      const attributes = requestAttributes({ kind: 'disconnect', target: target(), identifier: 11, eventTimestamp: Math.floor(Date.now() / 1000) });
      // A corrupted Message-Authenticator under a valid Request Authenticator (RFC 5176 §2.3): dropped.
      const forged = encodeDisconnectRequest({ identifier: 11, attributes, secret: SECRET });
      forged[30] = forged[30]! ^ 0x5a;
      ZERO_AUTHENTICATOR.copy(forged, 4);
      createHash('md5').update(forged).update(SECRET).digest().copy(forged, 4);
      await send(forged);
      await peer.waitFor(/invalid Message-Authenticator/);
      // A valid Message-Authenticator (computed over a zero Authenticator) under a corrupted Request Authenticator: dropped.
      const badAuth = encodeDisconnectRequest({ identifier: 14, attributes, secret: SECRET });
      badAuth[4] = badAuth[4]! ^ 0x01;
      await send(badAuth);
      await peer.waitFor(/invalid Request Authenticator/);
      // No Message-Authenticator at all, otherwise valid: dropped too (FreeRADIUS 3.2.1 applies the client's
      // require_message_authenticator to CoA and Disconnect requests).
      await send(encodeDisconnectRequest({ identifier: 12, attributes, secret: SECRET, messageAuthenticator: false }));
      await peer.waitFor(/does not contain required Message-Authenticator/);
      await new Promise((r) => setTimeout(r, 100));
      expect(replies).toHaveLength(0);
      // The same request as our client signs it is answered.
      await send(encodeDisconnectRequest({ identifier: 13, attributes, secret: SECRET }));
      for (let i = 0; i < 100 && replies.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(replies).toHaveLength(1);
      const ack = decodePacket(replies[0]!);
      expect(ack.ok && [ack.packet.code, ack.packet.identifier]).toEqual([41, 13]);
    } finally {
      sock.close();
    }
  });

  it('against a port where nothing answers: timeout after every retry, lasting about the sum of the waits', async () => {
    const silentPort = await freePort('udp', '127.0.0.1');
    const timeoutMs = 100;
    const c = createDynamicAuthorizationClient({ timeoutMs, retries: 2 });
    try {
      const r = await c.disconnect(target({ port: silentPort }));
      expect(r).toMatchObject({ kind: 'disconnect', outcome: 'timeout', attempts: 3, errorCause: null, invalidReplies: 0 });
      // 100 + 200 + 400 ms, each ±10 % jitter.
      expect(r.durationMs).toBeGreaterThanOrEqual(0.9 * 700 - 5);
      expect(r.durationMs).toBeLessThan(1.1 * 700 + 200);
    } finally {
      await c.close();
    }
  });
});
