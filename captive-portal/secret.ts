/**
 * The portal's signing secret: WFC_PORTAL_COOKIE_SECRET when set (required
 * for several nodes, which must all verify what any of them signed), else
 * one generated on first start and kept in `<dataDir>/portal-secret`
 * (mode 0600) so restarts keep citizens signed in and forms valid.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function loadPortalSecret(configured: string | null, dataDir: string): string {
  if (configured) return configured;
  const file = join(dataDir, 'portal-secret');
  try {
    const s = readFileSync(file, 'utf8').trim();
    if (s.length >= 32) return s;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const s = randomBytes(32).toString('base64url');
  // 'wx' fails if another process created it meanwhile: then use theirs.
  try {
    writeFileSync(file, s + '\n', { mode: 0o600, flag: 'wx' });
    return s;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return readFileSync(file, 'utf8').trim();
  }
}
