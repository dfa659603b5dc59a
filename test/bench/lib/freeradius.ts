/**
 * A throw-away raddb for FreeRADIUS 3.2: test/bench/freeradius/radiusd.conf
 * with its @@PLACEHOLDERS@@ filled, and a `users` file giving the bench
 * user the same reply attributes our server sends for Valence's policy.
 *
 * The asymmetry to keep in mind: FreeRADIUS checks PAP against the password
 * it holds. With Cleartext-Password that is a string compare; with
 * SSHA2-256-Password one salted SHA-256. Ours holds only argon2id hashes
 * and is fast only through its verification cache (HMAC-SHA256 per request).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

export type PasswordForm = 'cleartext' | 'ssha2-256';

export interface RaddbInput {
  readonly dir: string;
  readonly secret: string;
  readonly authPort: number;
  readonly acctPort: number;
  readonly threads: number;
  readonly user: { readonly username: string; readonly password: string; readonly identityId: string };
  readonly passwordForm: PasswordForm;
}

const TEMPLATE = join(REPO_ROOT, 'test/bench/freeradius/radiusd.conf');

/** Writes radiusd.conf, users and acct_users into input.dir (which must exist). */
export function writeRaddb(input: RaddbInput): void {
  for (const sub of ['log', 'radacct', 'run']) mkdirSync(join(input.dir, sub), { recursive: true, mode: 0o700 });
  const fill: Record<string, string> = {
    RADDB: input.dir,
    SECRET: quote(input.secret),
    THREADS: String(input.threads),
    AUTH_PORT: String(input.authPort),
    ACCT_PORT: String(input.acctPort),
    // "Durable" as far as FreeRADIUS goes: one line group per packet in the detail file, no fsync.
    ACCOUNTING: 'detail',
  };
  const conf = readFileSync(TEMPLATE, 'utf8').replace(/@@([A-Z_]+)@@/g, (_, k: string) => {
    const v = fill[k];
    if (v === undefined) throw new Error(`${TEMPLATE}: no value for @@${k}@@`);
    return v;
  });
  writeFileSync(join(input.dir, 'radiusd.conf'), conf, { mode: 0o600 });
  writeFileSync(join(input.dir, 'users'), usersFile(input), { mode: 0o600 });
  writeFileSync(join(input.dir, 'acct_users'), '', { mode: 0o600 });
}

/** The same reply as our Access-Accept for Valence (controller/domain/policy + process/access.ts). */
function usersFile(input: RaddbInput): string {
  const { username, password, identityId } = input.user;
  const check = input.passwordForm === 'cleartext' ? `Cleartext-Password := ${quote(password)}` : `SSHA2-256-Password := ${quote(ssha256(password))}`;
  const reply = [
    `User-Name := ${quote(username)}`,
    `Class := 0x${Buffer.from(`wfc:${identityId}`).toString('hex')}`,
    'Session-Timeout := 14400',
    'Idle-Timeout := 900',
    'Acct-Interim-Interval := 600',
    'WISPr-Bandwidth-Max-Up := 2000000',
    'WISPr-Bandwidth-Max-Down := 10000000',
    'ChilliSpot-Bandwidth-Max-Up := 2000',
    'ChilliSpot-Bandwidth-Max-Down := 10000',
    'Mikrotik-Rate-Limit := "2000k/10000k"',
    // 3.2.1 signs a reply only when asked to; ours always does (BlastRADIUS).
    'Message-Authenticator := 0x00',
  ];
  return `${username}\t${check}\n\t${reply.join(',\n\t')}\n`;
}

/** FreeRADIUS SSHA2-256-Password: base64(SHA-256(password || salt) || salt). */
function ssha256(password: string): string {
  const salt = randomBytes(8);
  return Buffer.concat([createHash('sha256').update(password).update(salt).digest(), salt]).toString('base64');
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
