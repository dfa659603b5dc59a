/**
 * Structured JSON logs (pino). Secrets never reach a log line: the
 * redaction list below covers every field name that can carry one, and
 * callers log identities by id and MACs hashed (hashMac).
 */
import { createHash } from 'node:crypto';
import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';

export type { Logger };

export const REDACTED_KEYS = [
  'secret',
  'password',
  'passwordHash',
  'token',
  'apiToken',
  'tokenHash',
  'uamsecret',
  'authorization',
  'cookie',
  'userPassword',
  'chapPassword',
];

export function createLogger(opts: { level: string; name?: string }, dest?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: opts.level,
    name: opts.name ?? 'wfc',
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `req.headers.${k}`]),
      censor: '[redacted]',
    },
    formatters: { level: (label) => ({ level: label }) },
  };
  return dest ? pino(options, dest) : pino(options);
}

/**
 * MAC addresses are personal data (CNIL): application logs carry a short
 * keyed digest that correlates log lines without revealing the device.
 */
const macKey = createHash('sha256').update(String(process.pid) + Date.now() + Math.random()).digest();
export function hashMac(mac: string | null | undefined): string | null {
  if (!mac) return null;
  return createHash('sha256').update(macKey).update(mac).digest('hex').slice(0, 12);
}
