/**
 * Every digest comparison goes through crypto.timingSafeEqual: observed by
 * wrapping node:crypto, and by a scan of the codec's sources for other ways
 * of comparing buffers.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type * as NodeCrypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof NodeCrypto>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

const { timingSafeEqual } = await import('node:crypto');
const codec = await import('../../../../radius-server/codec/index.js');

const secret = 'ct-secret';
const auth = Buffer.alloc(16, 1);

function packet(buf: Buffer) {
  const r = codec.decodePacket(buf);
  if (!r.ok) throw new Error(r.reason);
  return r.packet;
}

function calls(fn: () => unknown): number {
  vi.mocked(timingSafeEqual).mockClear();
  fn();
  return vi.mocked(timingSafeEqual).mock.calls.length;
}

describe('constant-time comparisons', () => {
  const access = packet(codec.encodeAccessRequest({ identifier: 1, authenticator: auth, attributes: codec.buildAttributes({ 'User-Name': 'u' }), secret }));
  const acct = packet(codec.encodeAccountingRequest({ identifier: 1, attributes: codec.buildAttributes({ 'Acct-Status-Type': 'Start' }), secret }));
  const reply = packet(codec.encodeResponse({ request: access, code: codec.Code.AccessAccept, attributes: [], secret }));

  it('uses timingSafeEqual for the Message-Authenticator, both authenticators and CHAP', () => {
    expect(calls(() => codec.verifyRequest(access, secret, { requireMessageAuthenticator: true }))).toBe(1);
    expect(calls(() => codec.verifyRequest(access, 'wrong', { requireMessageAuthenticator: true }))).toBe(1);
    expect(calls(() => codec.verifyRequest(acct, secret, { requireMessageAuthenticator: true }))).toBe(2); // RA + MA
    expect(calls(() => codec.verifyResponse({ request: access, response: reply, secret }))).toBe(2); // Response Authenticator + MA
    const chap = packet(
      codec.encodePacket({ code: 1, identifier: 1, authenticator: auth, attributes: [{ type: 3, value: codec.chapPasswordRfc2865(1, 'pw', auth) }] }),
    );
    expect(calls(() => codec.verifyChapPasswordRfc2865(chap, 'pw'))).toBe(1);
  });

  it('a wrong-length Message-Authenticator fails cleanly before any comparison', () => {
    const bad = packet(codec.encodePacket({ code: 1, identifier: 1, authenticator: auth, attributes: [{ type: 80, value: Buffer.alloc(15) }] }));
    let n = 0;
    expect(() => (n = calls(() => codec.verifyRequest(bad, secret, { requireMessageAuthenticator: true })))).not.toThrow();
    expect(codec.verifyRequest(bad, secret, { requireMessageAuthenticator: true })).toEqual({ ok: false, reason: 'ma-length' });
    expect(n).toBe(0);
  });

  it('the codec sources compare no buffers any other way', () => {
    const dir = new URL('../../../../radius-server/codec/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('crypto.ts');
    for (const f of files) {
      const src = readFileSync(new URL(f, dir), 'utf8');
      expect(src, f).not.toMatch(/\.equals\(|Buffer\.compare\(|\.compare\(|toString\([^)]*\)\s*[!=]==?/);
    }
  });
});
