/**
 * Password hashing: argon2id (RFC 9106) with OWASP's minimum parameters
 * (19 MiB, t=2, p=1). Hashing runs on libuv's thread pool, never on the
 * event loop; a semaphore bounds how many run at once so a login storm
 * queues instead of exhausting memory and the pool (see docs/adr/0002).
 */
import argon2 from 'argon2';
import { Semaphore } from './semaphore.js';

export interface PasswordHasherOptions {
  /** KiB of memory per hash. */
  readonly memoryCost?: number;
  readonly timeCost?: number;
  /** How many hashes/verifications may run at once. */
  readonly concurrency?: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password and for a malformed stored hash. */
  verify(hash: string, password: string): Promise<boolean>;
  /** Verifications waiting for a slot: a back-pressure signal. */
  readonly queued: number;
}

export function createPasswordHasher(opts: PasswordHasherOptions = {}): PasswordHasher {
  const params = {
    type: argon2.argon2id as 2,
    memoryCost: opts.memoryCost ?? 19_456,
    timeCost: opts.timeCost ?? 2,
    parallelism: 1,
  };
  const gate = new Semaphore(opts.concurrency ?? 2);
  return {
    hash: (password) => gate.run(() => argon2.hash(password, params)),
    verify: (hash, password) =>
      gate.run(async () => {
        try {
          return await argon2.verify(hash, password);
        } catch {
          return false;
        }
      }),
    get queued() {
      return gate.waiting;
    },
  };
}
