/**
 * RADIUS cryptography, node:crypto only. Each function is named after the
 * spec it implements; every digest comparison goes through digestEquals,
 * which is crypto.timingSafeEqual.
 *
 * Secrets and passwords are never logged or put in error messages here.
 */
import { createHash, createHmac, hash as oneShotHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ATTR } from './dictionary.js';
import { AUTHENTICATOR_LENGTH, HEADER_LENGTH, type Packet } from './packet.js';

export type Secret = string | Buffer;

/** 16 zero octets: the Authenticator field as hashed for Accounting/CoA/Disconnect requests. */
export const ZERO_AUTHENTICATOR: Buffer = Buffer.alloc(AUTHENTICATOR_LENGTH);
const ZERO16 = ZERO_AUTHENTICATOR;

/** Constant-time digest comparison. Lengths are public (fixed digest sizes). */
export function digestEquals(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/** RFC 2865 §3: the Request Authenticator of an Access-Request is unpredictable and unique. */
export function newRequestAuthenticator(random: (n: number) => Buffer = randomBytes): Buffer {
  return random(AUTHENTICATOR_LENGTH);
}

/* ---------------------------------------------------------- hashing core
 * Hot path. Each native call costs more than MD5 over a 300-octet packet, so
 * digests are taken one-shot (crypto.hash) over a reusable scratch buffer
 * instead of streaming update() calls, and HMAC pads are derived once per
 * secret. All of this is synchronous, so one scratch buffer is safe.
 */

interface KeyMaterial {
  readonly bytes: Buffer;
  /** RFC 2104 §2: K xor ipad (64 octets). */
  readonly inner: Buffer;
  /** K xor opad (64 octets), then room for the inner digest. */
  readonly outer: Buffer;
}

const SCRATCH = Buffer.alloc(8192);
const KEYS = new Map<string, KeyMaterial>();
const MAX_CACHED_KEYS = 4096;

function deriveKey(bytes: Buffer): KeyMaterial {
  const key = bytes.length > 64 ? createHash('md5').update(bytes).digest() : bytes; // RFC 2104 §2
  const inner = Buffer.alloc(64, 0x36);
  const outer = Buffer.alloc(80, 0x5c);
  for (let i = 0; i < key.length; i++) {
    inner[i] = inner[i]! ^ key[i]!;
    outer[i] = outer[i]! ^ key[i]!;
  }
  return { bytes, inner, outer };
}

// String secrets (client configuration) are cached; Buffer secrets are derived per call
// so a caller that later overwrites its Buffer never meets stale key material.
function keyMaterial(secret: Secret): KeyMaterial {
  if (typeof secret !== 'string') return deriveKey(secret);
  let k = KEYS.get(secret);
  if (!k) {
    if (KEYS.size >= MAX_CACHED_KEYS) KEYS.clear();
    k = deriveKey(Buffer.from(secret, 'utf8'));
    KEYS.set(secret, k);
  }
  return k;
}

/** MD5(raw with its Authenticator field replaced by `authenticator` + secret). */
function md5PacketWithSecret(raw: Buffer, authenticator: Buffer, secret: Secret): Buffer {
  const { bytes } = keyMaterial(secret);
  const n = raw.length + bytes.length;
  if (n > SCRATCH.length) {
    return createHash('md5').update(raw.subarray(0, 4)).update(authenticator).update(raw.subarray(HEADER_LENGTH)).update(bytes).digest();
  }
  raw.copy(SCRATCH, 0);
  authenticator.copy(SCRATCH, 4, 0, AUTHENTICATOR_LENGTH);
  bytes.copy(SCRATCH, raw.length);
  const digest = oneShotHash('md5', SCRATCH.subarray(0, n), 'buffer');
  SCRATCH.fill(0, raw.length, n); // no secret left behind
  return digest;
}

/** HMAC-MD5 (RFC 2104) of raw with its Authenticator replaced and the 16 octets at maOffset zeroed. */
function hmacMd5Packet(raw: Buffer, maOffset: number, authenticator: Buffer, secret: Secret): Buffer {
  const { inner, outer } = keyMaterial(secret);
  const n = 64 + raw.length;
  if (n > SCRATCH.length) {
    return createHmac('md5', secret)
      .update(raw.subarray(0, 4))
      .update(authenticator)
      .update(raw.subarray(HEADER_LENGTH, maOffset))
      .update(ZERO16)
      .update(raw.subarray(maOffset + 16))
      .digest();
  }
  inner.copy(SCRATCH, 0);
  raw.copy(SCRATCH, 64);
  authenticator.copy(SCRATCH, 64 + 4, 0, AUTHENTICATOR_LENGTH);
  SCRATCH.fill(0, 64 + maOffset, 64 + maOffset + 16);
  oneShotHash('md5', SCRATCH.subarray(0, n), 'buffer').copy(outer, 64);
  SCRATCH.fill(0, 0, 64);
  return oneShotHash('md5', outer, 'buffer');
}

/** MD5(secret + a + b): the b(i) of RFC 2865 §5.2 and RFC 2868 §3.5. */
function md5SecretThen(bytes: Buffer, a: Buffer, b: Buffer | undefined): Buffer {
  const n = bytes.length + a.length + (b ? b.length : 0);
  if (n > SCRATCH.length) {
    const h = createHash('md5').update(bytes).update(a);
    return (b ? h.update(b) : h).digest();
  }
  bytes.copy(SCRATCH, 0);
  a.copy(SCRATCH, bytes.length);
  if (b) b.copy(SCRATCH, bytes.length + a.length);
  const digest = oneShotHash('md5', SCRATCH.subarray(0, n), 'buffer');
  SCRATCH.fill(0, 0, bytes.length);
  return digest;
}

/* ------------------------------------------------------------- authenticators */

/**
 * RFC 2866 §3 (Accounting-Request), RFC 5176 §2.3 (CoA-/Disconnect-Request):
 * MD5(Code + Identifier + Length + 16 zero octets + request attributes + secret).
 * raw is the whole packet; its current Authenticator field is ignored.
 */
export function requestAuthenticatorRfc2866(raw: Buffer, secret: Secret): Buffer {
  if (raw.length < HEADER_LENGTH) throw new RangeError('not a RADIUS packet: shorter than 20 octets');
  return md5PacketWithSecret(raw, ZERO16, secret);
}

export function verifyRequestAuthenticatorRfc2866(raw: Buffer, secret: Secret): boolean {
  if (raw.length < HEADER_LENGTH) return false;
  return digestEquals(requestAuthenticatorRfc2866(raw, secret), raw.subarray(4, 20));
}

/**
 * RFC 2865 §3 Response Authenticator (also RFC 2866 §3 Accounting-Response,
 * RFC 5176 §2.3 ACK/NAK): MD5(Code + ID + Length + Request Authenticator + response attributes + secret).
 */
export function responseAuthenticatorRfc2865(raw: Buffer, requestAuthenticator: Buffer, secret: Secret): Buffer {
  if (raw.length < HEADER_LENGTH) throw new RangeError('not a RADIUS packet: shorter than 20 octets');
  if (requestAuthenticator.length !== AUTHENTICATOR_LENGTH) throw new RangeError('authenticator must be 16 octets');
  return md5PacketWithSecret(raw, requestAuthenticator, secret);
}

export function verifyResponseAuthenticatorRfc2865(raw: Buffer, requestAuthenticator: Buffer, secret: Secret): boolean {
  if (raw.length < HEADER_LENGTH || requestAuthenticator.length !== AUTHENTICATOR_LENGTH) return false;
  return digestEquals(responseAuthenticatorRfc2865(raw, requestAuthenticator, secret), raw.subarray(4, 20));
}

/* ------------------------------------------------------ Message-Authenticator */

export interface MessageAuthenticatorPosition {
  /** How many Message-Authenticator attributes the packet carries. */
  readonly count: number;
  /** Offset in raw of the first one's value, or -1. */
  readonly offset: number;
  /** That value's length (16 when well formed). */
  readonly length: number;
}

const NO_MA: MessageAuthenticatorPosition = Object.freeze({ count: 0, offset: -1, length: 0 });

/** Scans a framed packet for Message-Authenticator (80) attributes. */
export function findMessageAuthenticator(raw: Buffer): MessageAuthenticatorPosition {
  let count = 0;
  let offset = -1;
  let length = 0;
  const end = raw.length;
  for (let off = HEADER_LENGTH; off + 2 <= end; ) {
    const alen = raw[off + 1]!;
    if (alen < 2) break;
    if (raw[off] === ATTR.MessageAuthenticator) {
      if (count === 0) {
        offset = off + 2;
        length = Math.min(alen - 2, end - off - 2);
      }
      count++;
    }
    off += alen;
  }
  return count === 0 ? NO_MA : { count, offset, length };
}

/**
 * RFC 2869 §5.14, RFC 3579 §3.2: HMAC-MD5 keyed with the secret over the
 * packet with the Message-Authenticator value as 16 zero octets and the
 * Authenticator field holding `authenticator`:
 *   - Access-Request, Status-Server: the packet's own Request Authenticator;
 *   - Access-Accept/Reject/Challenge and every reply: the REQUEST's authenticator;
 *   - Accounting-, CoA-, Disconnect-Request: ZERO_AUTHENTICATOR (RFC 5176 §3.4).
 * maOffset is the offset of the 16-octet value inside raw.
 */
export function messageAuthenticatorRfc2869(raw: Buffer, maOffset: number, authenticator: Buffer, secret: Secret): Buffer {
  if (maOffset < HEADER_LENGTH + 2 || maOffset + 16 > raw.length) throw new RangeError('Message-Authenticator offset outside the packet');
  if (authenticator.length !== AUTHENTICATOR_LENGTH) throw new RangeError('authenticator must be 16 octets');
  return hmacMd5Packet(raw, maOffset, authenticator, secret);
}

export type MessageAuthenticatorCheck = 'valid' | 'absent' | 'duplicate' | 'bad-length' | 'mismatch';

/** Checks a packet's Message-Authenticator; see messageAuthenticatorRfc2869 for `authenticator`. */
export function checkMessageAuthenticatorRfc2869(raw: Buffer, authenticator: Buffer, secret: Secret): MessageAuthenticatorCheck {
  const ma = findMessageAuthenticator(raw);
  if (ma.count === 0) return 'absent';
  // RFC 2869 §5.19 table: at most one Message-Authenticator; RFC 2869 §5.14: Length = 18.
  if (ma.count > 1) return 'duplicate';
  if (ma.length !== 16) return 'bad-length';
  const expected = messageAuthenticatorRfc2869(raw, ma.offset, authenticator, secret);
  return digestEquals(expected, raw.subarray(ma.offset, ma.offset + 16)) ? 'valid' : 'mismatch';
}

/* ------------------------------------------------------------ User-Password */

export const MAX_PASSWORD_LENGTH = 128; // RFC 2865 §5.2

/**
 * XORs 16-octet blocks of `input` with b(1) = MD5(S + seed + seed2), b(i) = MD5(S + c(i-1)):
 * the chain shared by RFC 2865 §5.2 and RFC 2868 §3.5.
 */
function md5Chain(input: Buffer, secret: Secret, seed: Buffer, seed2: Buffer | undefined, decrypt: boolean): Buffer {
  const { bytes } = keyMaterial(secret);
  const out = Buffer.allocUnsafe(input.length);
  for (let i = 0; i < input.length; i += 16) {
    const b = i === 0 ? md5SecretThen(bytes, seed, seed2) : md5SecretThen(bytes, (decrypt ? input : out).subarray(i - 16, i), undefined);
    for (let j = 0; j < 16; j++) out[i + j] = input[i + j]! ^ b[j]!;
  }
  return out;
}

/**
 * RFC 2865 §5.2: pad with NULs to a multiple of 16 (at least 16, at most 128),
 * c(1) = p(1) xor MD5(S + RA), c(i) = p(i) xor MD5(S + c(i-1)).
 */
export function hideUserPasswordRfc2865(password: string | Buffer, secret: Secret, requestAuthenticator: Buffer): Buffer {
  const p = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  if (p.length > MAX_PASSWORD_LENGTH) throw new RangeError('User-Password longer than 128 octets (RFC 2865 §5.2)');
  const padded = Buffer.alloc(Math.max(16, Math.ceil(p.length / 16) * 16));
  p.copy(padded);
  return md5Chain(padded, secret, requestAuthenticator, undefined, false);
}

export type UnhideResult = { ok: true; password: Buffer } | { ok: false; reason: 'password-length' };

/** RFC 2865 §5.2 reversed. The value must be 16..128 octets in multiples of 16; trailing NUL padding is removed. */
export function unhideUserPasswordRfc2865(hidden: Buffer, secret: Secret, requestAuthenticator: Buffer): UnhideResult {
  if (hidden.length < 16 || hidden.length > MAX_PASSWORD_LENGTH || hidden.length % 16 !== 0) {
    return { ok: false, reason: 'password-length' };
  }
  const plain = md5Chain(hidden, secret, requestAuthenticator, undefined, true);
  let end = plain.length;
  while (end > 0 && plain[end - 1] === 0) end--;
  return { ok: true, password: plain.subarray(0, end) };
}

/* ------------------------------------------------------------------- CHAP */

/** RFC 1994 §4.1: Response = MD5(Identifier + secret + Challenge). */
export function chapResponseRfc1994(chapIdent: number, password: string | Buffer, challenge: Buffer): Buffer {
  return createHash('md5').update(Buffer.of(chapIdent & 0xff)).update(password).update(challenge).digest();
}

/** RFC 2865 §5.3: CHAP-Password = CHAP Ident (1) + Response (16). */
export function chapPasswordRfc2865(chapIdent: number, password: string | Buffer, challenge: Buffer): Buffer {
  return Buffer.concat([Buffer.of(chapIdent & 0xff), chapResponseRfc1994(chapIdent, password, challenge)]);
}

export type ChapFailure = 'chap-missing' | 'chap-length' | 'chap-mismatch';
export type ChapResult = { ok: true } | { ok: false; reason: ChapFailure };

/**
 * RFC 2865 §5.3 / §5.40 / §2.2: verifies CHAP-Password against the cleartext
 * password. The challenge is CHAP-Challenge when present, else the Request Authenticator.
 */
export function verifyChapPasswordRfc2865(packet: Packet, password: string | Buffer): ChapResult {
  let chap: Buffer | undefined;
  let challenge: Buffer | undefined;
  for (const a of packet.attributes) {
    if (a.type === ATTR.ChapPassword && chap === undefined) chap = a.value;
    else if (a.type === ATTR.ChapChallenge && challenge === undefined) challenge = a.value;
  }
  if (chap === undefined) return { ok: false, reason: 'chap-missing' };
  if (chap.length !== 17) return { ok: false, reason: 'chap-length' }; // RFC 2865 §5.3: Length = 19
  const expected = chapResponseRfc1994(chap[0]!, password, challenge ?? packet.authenticator);
  return digestEquals(expected, chap.subarray(1)) ? { ok: true } : { ok: false, reason: 'chap-mismatch' };
}

/* ------------------------------------------------------- salt encryption */

export type SaltFailure = 'salt-length' | 'salt-invalid' | 'salt-data-length';
export type SaltOptions = {
  /** Fixed 2-octet salt (MSB set) for byte-exact tests; otherwise random. Must be unique within a packet. */
  readonly salt?: Buffer;
  readonly random?: (n: number) => Buffer;
};

function makeSalt(opts: SaltOptions | undefined): Buffer {
  const salt = opts?.salt ? Buffer.from(opts.salt) : (opts?.random ?? randomBytes)(2);
  if (salt.length !== 2) throw new RangeError('salt must be 2 octets');
  // RFC 2868 §3.5 / RFC 2548 §2.4.2: the most significant bit of the Salt MUST be set.
  if (opts?.salt && (salt[0]! & 0x80) === 0) throw new RangeError('salt MSB must be set (RFC 2868 §3.5)');
  salt[0] = salt[0]! | 0x80;
  return salt;
}

/**
 * RFC 2868 §3.5 / RFC 2548 §2.4.2: P = Length(1) + data + zero padding to a
 * multiple of 16; b(1) = MD5(S + R + A), c(i) = p(i) xor b(i), b(i) = MD5(S + c(i-1)).
 * Returns Salt + ciphertext.
 */
function saltEncrypt(data: Buffer, secret: Secret, requestAuthenticator: Buffer, salt: Buffer): Buffer {
  if (data.length > 239) throw new RangeError('salt-encrypted data longer than 239 octets');
  const plain = Buffer.alloc(Math.ceil((data.length + 1) / 16) * 16);
  plain[0] = data.length;
  data.copy(plain, 1);
  return Buffer.concat([salt, md5Chain(plain, secret, requestAuthenticator, salt, false)]);
}

type SaltDecryptResult = { ok: true; data: Buffer } | { ok: false; reason: SaltFailure };

function saltDecrypt(value: Buffer, secret: Secret, requestAuthenticator: Buffer): SaltDecryptResult {
  const cipherLen = value.length - 2;
  if (cipherLen < 16 || cipherLen % 16 !== 0) return { ok: false, reason: 'salt-length' };
  if ((value[0]! & 0x80) === 0) return { ok: false, reason: 'salt-invalid' };
  const plain = md5Chain(value.subarray(2), secret, requestAuthenticator, value.subarray(0, 2), true);
  const len = plain[0]!;
  if (len > plain.length - 1) return { ok: false, reason: 'salt-data-length' };
  return { ok: true, data: plain.subarray(1, 1 + len) };
}

/** RFC 2868 §3.5 Tunnel-Password value: Tag + Salt + encrypted String. R is the Access-Request's authenticator. */
export function encryptTunnelPasswordRfc2868(
  password: string | Buffer,
  secret: Secret,
  requestAuthenticator: Buffer,
  opts: SaltOptions & { readonly tag?: number } = {},
): Buffer {
  const tag = opts.tag ?? 0;
  if (!Number.isInteger(tag) || tag < 0 || tag > 0x1f) throw new RangeError('tag must be 0..31 (RFC 2868 §3.1)');
  const data = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  return Buffer.concat([Buffer.of(tag), saltEncrypt(data, secret, requestAuthenticator, makeSalt(opts))]);
}

export type TunnelPasswordResult = { ok: true; tag: number; password: Buffer } | { ok: false; reason: SaltFailure };

export function decryptTunnelPasswordRfc2868(value: Buffer, secret: Secret, requestAuthenticator: Buffer): TunnelPasswordResult {
  if (value.length < 1) return { ok: false, reason: 'salt-length' };
  const r = saltDecrypt(value.subarray(1), secret, requestAuthenticator);
  return r.ok ? { ok: true, tag: value[0]!, password: r.data } : r;
}

/** RFC 2548 §2.4.2 (MS-MPPE-Send-Key) / §2.4.3 (MS-MPPE-Recv-Key): Salt + encrypted (Key-Length + Key + padding). */
export function encryptMppeKeyRfc2548(key: Buffer, secret: Secret, requestAuthenticator: Buffer, opts: SaltOptions = {}): Buffer {
  return saltEncrypt(key, secret, requestAuthenticator, makeSalt(opts));
}

export type MppeKeyResult = { ok: true; key: Buffer } | { ok: false; reason: SaltFailure };

export function decryptMppeKeyRfc2548(value: Buffer, secret: Secret, requestAuthenticator: Buffer): MppeKeyResult {
  const r = saltDecrypt(value, secret, requestAuthenticator);
  return r.ok ? { ok: true, key: r.data } : r;
}

/**
 * Both MPPE keys for one Access-Accept, with distinct salts as RFC 2548 §2.4.2
 * requires ("each Salt ... in a packet MUST be unique").
 */
export function encryptMppeKeyPairRfc2548(
  keys: { readonly send: Buffer; readonly recv: Buffer },
  secret: Secret,
  requestAuthenticator: Buffer,
  random: (n: number) => Buffer = randomBytes,
): { send: Buffer; recv: Buffer } {
  const first = makeSalt({ random });
  const second = Buffer.from(first);
  second.writeUInt16BE(((first.readUInt16BE(0) + 1) & 0x7fff) | 0x8000, 0);
  return {
    send: encryptMppeKeyRfc2548(keys.send, secret, requestAuthenticator, { salt: first }),
    recv: encryptMppeKeyRfc2548(keys.recv, secret, requestAuthenticator, { salt: second }),
  };
}
