/**
 * A mailer that writes each message to `<dataDir>/outbox` instead of sending
 * it: `<stamp>-<id>.eml` (the message as SMTP would carry it) and a `.json`
 * twin ({ to, subject, text, kind, locale, at }) that scripts and tests read.
 * The .json is written last, under a temporary name then renamed, so a reader
 * that sees it sees a complete message. Files are mode 0600: they hold codes.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../ports/clock.js';
import { systemClock } from '../../ports/clock.js';
import type { Mailer } from '../../ports/mailer.js';
import { composeEml } from './compose.js';

export function outboxDir(dataDir: string): string {
  return join(dataDir, 'outbox');
}

export function createOutboxMailer(opts: { dir: string; from: string; clock?: Clock }): Mailer {
  const clock = opts.clock ?? systemClock;
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  return {
    transport: 'outbox',
    async send(m) {
      const at = clock.now();
      const base = `${at.toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}`;
      await writeFile(join(opts.dir, `${base}.eml`), await composeEml(opts.from, m, at), { mode: 0o600 });
      const tmp = join(opts.dir, `.${base}.json.tmp`);
      await writeFile(tmp, JSON.stringify({ to: m.to, subject: m.subject, text: m.text, kind: m.kind, locale: m.locale, at: at.toISOString() }, null, 2) + '\n', { mode: 0o600 });
      await rename(tmp, join(opts.dir, `${base}.json`));
    },
    async close() {},
  };
}
