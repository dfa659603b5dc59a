import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePacket, type Packet } from '../../../radius-server/codec/packet.js';
import { verifyResponse } from '../../../radius-server/codec/reply.js';
import { getString } from '../../../radius-server/codec/attributes.js';
import { Code } from '../../../radius-server/codec/codes.js';
import type { HandleResult } from '../../../radius-server/engine.js';
import { accessRequest, accountingRequest, statusServer } from './fixtures/packets.js';
import { engineFixture, type EngineFixture } from './fixtures/engine.js';

const V4 = { address: '127.0.0.1', port: 40000 };

function reply(r: HandleResult): Packet {
  if (r.kind !== 'reply') throw new Error(`dropped: ${r.reason}`);
  const d = decodePacket(r.reply);
  if (!d.ok) throw new Error(d.reason);
  return d.packet;
}

describe('RADIUS engine (no sockets)', () => {
  let f: EngineFixture;
  let secret: string;
  const alice = () => f.demo.users.find((u) => u.username === 'alice')!.password;
  beforeAll(async () => {
    f = await engineFixture();
    secret = f.demo.radius.secret;
  });
  afterAll(() => f.close());

  it('answers a PAP Access-Request with an Accept carrying Message-Authenticator first and a valid authenticator', async () => {
    const req = accessRequest(secret, { 'User-Name': 'alice', 'Calling-Station-Id': '02-00-00-00-00-01' }, { password: alice() });
    const p = reply(await f.server.engine.handle(req, V4, 'auth'));
    expect(p.code).toBe(Code.AccessAccept);
    expect(p.attributes[0]!.type).toBe(80);
    const request = (decodePacket(req) as { ok: true; packet: Packet }).packet;
    expect(verifyResponse({ request, response: p, secret })).toEqual({ ok: true });
  });

  it('answers a retransmission from the duplicate cache without processing it again (RFC 5080 §2.2.2)', async () => {
    const req = accessRequest(secret, { 'User-Name': 'alice', 'Calling-Station-Id': '02-00-00-00-00-01' }, { password: alice(), identifier: 7 });
    const first = await f.server.engine.handle(req, V4, 'auth');
    const before = await f.metrics.radius.accessRequests.get();
    const again = await f.server.engine.handle(req, V4, 'auth');
    expect(again).toEqual({ kind: 'reply', reply: (first as { reply: Buffer }).reply, duplicate: true });
    expect((await f.metrics.radius.accessRequests.get()).values).toEqual(before.values);
  });

  it('answers in-flight duplicates once, with the same reply', async () => {
    const req = accessRequest(secret, { 'User-Name': 'alice', 'Calling-Station-Id': '02-00-00-00-00-01' }, { password: alice(), identifier: 8 });
    const [a, b] = await Promise.all([f.server.engine.handle(req, V4, 'auth'), f.server.engine.handle(req, V4, 'auth')]);
    expect((a as { reply: Buffer }).reply.equals((b as { reply: Buffer }).reply)).toBe(true);
    expect([a, b].filter((r) => r.kind === 'reply' && r.duplicate)).toHaveLength(1);
  });

  it('treats a reused identifier with a new authenticator as a new request', async () => {
    const one = accessRequest(secret, { 'User-Name': 'alice', 'Calling-Station-Id': '02-00-00-00-00-01' }, { password: alice(), identifier: 9 });
    const two = accessRequest(secret, { 'User-Name': 'alice', 'Calling-Station-Id': '02-00-00-00-00-01' }, { password: 'wrong-password', identifier: 9 });
    expect(reply(await f.server.engine.handle(one, V4, 'auth')).code).toBe(Code.AccessAccept);
    const r = await f.server.engine.handle(two, V4, 'auth');
    expect(r.kind === 'reply' && r.duplicate).toBe(false);
    expect(reply(r).code).toBe(Code.AccessReject);
  });

  it('echoes every Proxy-State in order at the end of the reply (RFC 2865 §5.33)', async () => {
    const req = accessRequest(secret, { 'User-Name': 'alice', 'Calling-Station-Id': '02-00-00-00-00-01' }, { password: alice(), extra: [{ type: 33, value: Buffer.from('first') }, { type: 33, value: Buffer.from('second') }] });
    const p = reply(await f.server.engine.handle(req, V4, 'auth'));
    expect(p.attributes.slice(-2).map((a) => [a.type, a.value.toString()])).toEqual([
      [33, 'first'],
      [33, 'second'],
    ]);
  });

  it('drops, with a reason, what must be silently discarded', async () => {
    const req = accessRequest(secret, { 'User-Name': 'alice' }, { password: alice() });
    expect(await f.server.engine.handle(req, { address: '192.0.2.1', port: 1 }, 'auth')).toEqual({ kind: 'drop', reason: 'unknown-client' });
    expect(await f.server.engine.handle(req, V4, 'acct')).toEqual({ kind: 'drop', reason: 'unexpected-code' });
    expect(await f.server.engine.handle(Buffer.alloc(10), V4, 'auth')).toEqual({ kind: 'drop', reason: 'too-short' });
    expect(await f.server.engine.handle(accessRequest('another-secret-xyz', { 'User-Name': 'alice' }, { password: 'x' }), V4, 'auth')).toEqual({ kind: 'drop', reason: 'ma-invalid' });
    expect(await f.server.engine.handle(accountingRequest('another-secret-xyz', { 'Acct-Status-Type': 1, 'Acct-Session-Id': 'x' }), V4, 'acct')).toEqual({ kind: 'drop', reason: 'bad-authenticator' });
  });

  it('answers Status-Server on both ports (RFC 5997 §3)', async () => {
    expect(reply(await f.server.engine.handle(statusServer(secret), V4, 'auth')).code).toBe(Code.AccessAccept);
    expect(reply(await f.server.engine.handle(statusServer(secret), V4, 'acct')).code).toBe(Code.AccountingResponse);
  });

  it('rejects in the identity\'s language', async () => {
    const req = accessRequest(secret, { 'User-Name': 'bob', 'Calling-Station-Id': '02-00-00-00-00-02' }, { password: 'wrong-password' });
    expect(getString(reply(await f.server.engine.handle(req, V4, 'auth')), 'Reply-Message')).toBe('Wrong username or password.');
  });

  it('locks an identity out after repeated failures, then refuses even the right password', async () => {
    const chloe = f.demo.users.find((u) => u.username === 'chloe')!.password;
    for (let i = 0; i < 10; i++) {
      const r = reply(await f.server.engine.handle(accessRequest(secret, { 'User-Name': 'chloe', 'Calling-Station-Id': '02-00-00-00-00-03' }, { password: `guess-${i}` }), V4, 'auth'));
      expect(r.code).toBe(Code.AccessReject);
    }
    const locked = reply(await f.server.engine.handle(accessRequest(secret, { 'User-Name': 'chloe', 'Calling-Station-Id': '02-00-00-00-00-03' }, { password: chloe }), V4, 'auth'));
    expect(locked.code).toBe(Code.AccessReject);
    expect(getString(locked, 'Reply-Message')).toMatch(/Trop de tentatives/);
  });

  it('sends no Accounting-Response while the record cannot be stored, and processes the retransmission afresh', async () => {
    const original = f.stores.accounting.record.bind(f.stores.accounting);
    let fail = true;
    f.stores.accounting.record = async (batch) => {
      if (fail) throw new Error('disk full');
      return original(batch);
    };
    try {
      const req = accountingRequest(secret, { 'Acct-Status-Type': 1, 'Acct-Session-Id': 'engine-1', 'User-Name': 'alice', 'NAS-IP-Address': '127.0.0.1' }, 42);
      expect(await f.server.engine.handle(req, V4, 'acct')).toEqual({ kind: 'drop', reason: 'store-failed' });
      fail = false;
      expect(reply(await f.server.engine.handle(req, V4, 'acct')).code).toBe(Code.AccountingResponse);
      expect((await f.stores.sessions.list({ activeOnly: true })).some((s) => s.acctSessionId === 'engine-1')).toBe(true);
    } finally {
      f.stores.accounting.record = original;
    }
  });

  it('accepts a request without Message-Authenticator only from a client explicitly relaxed for it', async () => {
    const valence = (await f.stores.tenants.getBySlug('valence'))!;
    await f.stores.clients.add(valence.id, { name: 'legacy gateway', network: '198.51.100.7/32', secret: 'legacy-secret-0123456789', requireMessageAuthenticator: false, coaPort: 3799 });
    await f.server.directory.reload();
    const { hideUserPasswordRfc2865, newRequestAuthenticator } = await import('../../../radius-server/codec/crypto.js');
    const { encodePacket } = await import('../../../radius-server/codec/packet.js');
    const { buildAttributes } = await import('../../../radius-server/codec/attributes.js');
    const build = (s: string) => {
      const authenticator = newRequestAuthenticator();
      const attributes = [...buildAttributes({ 'User-Name': 'alice', 'Calling-Station-Id': '02-00-00-00-00-01' }), { type: 2, value: hideUserPasswordRfc2865(alice(), s, authenticator) }];
      return encodePacket({ code: Code.AccessRequest, identifier: 3, authenticator, attributes });
    };
    expect(reply(await f.server.engine.handle(build('legacy-secret-0123456789'), { address: '198.51.100.7', port: 1 }, 'auth')).code).toBe(Code.AccessAccept);
    expect(await f.server.engine.handle(build(secret), { address: '127.0.0.1', port: 2 }, 'auth')).toEqual({ kind: 'drop', reason: 'ma-missing' });
  });
});

describe('unregistered access points', () => {
  it('are accepted and counted by default, rejected when the municipality says so', async () => {
    const f = await engineFixture();
    try {
      const secret = f.demo.radius.secret;
      const pw = f.demo.users.find((u) => u.username === 'alice')!.password;
      const from = (called: string) => accessRequest(secret, { 'User-Name': 'alice', 'Calling-Station-Id': '02-00-00-00-00-01', 'Called-Station-Id': called }, { password: pw });
      expect(reply(await f.server.engine.handle(from('02-99-99-99-99-99:Wifi'), V4, 'auth')).code).toBe(Code.AccessAccept);
      expect((await f.metrics.radius.unregisteredAp.get()).values[0]?.value).toBe(1);
      const valence = (await f.stores.tenants.getBySlug('valence'))!;
      await f.stores.tenants.update(valence.id, { policy: { ...valence.policy, unregisteredAp: 'reject' } });
      await f.server.directory.reload();
      const refused = reply(await f.server.engine.handle(from('02-99-99-99-99-99:Wifi'), V4, 'auth'));
      expect(refused.code).toBe(Code.AccessReject);
      expect(getString(refused, 'Reply-Message')).toBe("Point d'accès non enregistré.");
      expect(reply(await f.server.engine.handle(from('00-11-22-33-44-01:Wifi'), V4, 'auth')).code).toBe(Code.AccessAccept);
    } finally {
      await f.close();
    }
  });
});

describe('RADIUS secret rotation (provisioning rolls a new secret out to the gateways)', () => {
  it('accepts requests signed with the old or the new secret while the rotation is open, and signs each reply with the secret the request used', async () => {
    const next = 'the-new-shared-secret-0123';
    let pending = new Map<string, string>();
    const f = await engineFixture({ pendingSecrets: async () => pending });
    try {
      const valence = (await f.stores.tenants.getBySlug('valence'))!;
      const client = (await f.stores.clients.list(valence.id))[0]!;
      pending = new Map([[client.id, next]]);
      await f.server.directory.reload();
      const pw = f.demo.users.find((u) => u.username === 'alice')!.password;
      for (const secret of [f.demo.radius.secret, next]) {
        const req = accessRequest(secret, { 'User-Name': 'alice', 'Calling-Station-Id': '02-00-00-00-00-01' }, { password: pw });
        const p = reply(await f.server.engine.handle(req, V4, 'auth'));
        expect(p.code).toBe(Code.AccessAccept);
        const request = (decodePacket(req) as { ok: true; packet: Packet }).packet;
        expect(verifyResponse({ request, response: p, secret })).toEqual({ ok: true });
        const acct = accountingRequest(secret, { 'Acct-Status-Type': 1, 'Acct-Session-Id': `rot-${secret.length}`, 'User-Name': 'alice' });
        expect(reply(await f.server.engine.handle(acct, V4, 'acct')).code).toBe(Code.AccountingResponse);
      }
      // A third secret is still refused; once the rotation completes, the pending secret is gone.
      expect(await f.server.engine.handle(accessRequest('some-other-secret-xyz', { 'User-Name': 'alice' }, { password: pw }), V4, 'auth')).toEqual({ kind: 'drop', reason: 'ma-invalid' });
      pending = new Map();
      await f.server.directory.reload();
      expect(await f.server.engine.handle(accessRequest(next, { 'User-Name': 'alice' }, { password: pw }), V4, 'auth')).toEqual({ kind: 'drop', reason: 'ma-invalid' });
    } finally {
      await f.close();
    }
  });
});
