/**
 * The configuration's shape, defaults and rules. Every setting can come from
 * the environment (WFC_*) or from the file named by WFC_CONFIG (YAML or
 * JSON, same nested shape); the environment wins. docs/deploy.md lists them.
 */
import { hostname } from 'node:os';
import { z } from 'zod';

/** 0 asks the system for any free port (tests, several instances on one host). */
const port = z.preprocess(toInt, z.number({ error: 'expected a port number' }).int('expected a whole number').min(0, 'expected 1..65535, or 0 for any free port').max(65535, 'expected 1..65535, or 0 for any free port'));
const positiveInt = z.preprocess(toInt, z.number({ error: 'expected a number' }).int('expected a whole number').min(1, 'expected a positive number'));
const bool = z.preprocess(toBool, z.boolean({ error: 'expected true or false' }));
const host = z.string().min(1, 'expected a host name or address');
/** A comma-separated list (environment) or a YAML list of host names or addresses. */
const hostList = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',').map((h) => h.trim()).filter((h) => h !== '') : v),
  z.array(z.string().regex(/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^[0-9a-fA-F:.]+$/, 'expected host names or addresses, comma-separated')).min(1, 'expected at least one host').max(4, 'at most 4 RADIUS servers'),
);
const url = (protocols: RegExp, what: string) =>
  z
    .string()
    .refine((v) => {
      try {
        return protocols.test(new URL(v).protocol);
      } catch {
        return false;
      }
    }, `expected ${what}`);

export const configSchema = z
  .object({
    dataDir: z.string().min(1).default('./data'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** postgres:// URL of the durable store several nodes share; unset keeps SQLite in dataDir. */
    databaseUrl: url(/^postgres(ql)?:$/, 'a postgres:// or postgresql:// URL').nullable().default(null),
    redisUrl: url(/^rediss?:$/, 'a redis:// or rediss:// URL').nullable().default(null),
    /** Key prefix in Redis: one Redis can serve several federations (or test runs). */
    redisPrefix: z.string().regex(/^[A-Za-z0-9:{}_-]{1,64}$/, 'letters, digits and : { } _ -').default('wfc:'),
    radius: z
      .object({
        host: host.default('::'),
        authPort: port.default(1812),
        acctPort: port.default(1813),
        /** RFC 5080 §2.2.2 duplicate-detection window. */
        dedupWindowMs: positiveInt.default(30_000),
        /** Concurrent argon2 verifications. */
        verifyConcurrency: positiveInt.default(2),
        /** Accounting records per group commit, at most. */
        acctBatchMax: positiveInt.default(256),
        /** The federation's RADIUS servers as gateways reach them, primary first: written into every AP's configuration. */
        publicServers: hostList.default(() => [hostname()]),
      })
      .strict()
      .prefault({}),
    portal: z
      .object({
        host: host.default('::'),
        port: port.default(8080),
        /** The address citizens' browsers reach the portal at. */
        publicUrl: url(/^https?:$/, 'an http(s):// URL').nullable().default(null),
        secureCookies: bool.default(true),
        /** Signs portal cookies, CSRF tokens and gateway state; every node of a cluster needs the same. */
        cookieSecret: z.string().min(32, 'at least 32 characters').nullable().default(null),
        /** Express `trust proxy`: which reverse proxies may tell the client address (X-Forwarded-For). */
        trustProxy: z.string().min(1).nullable().default(null),
        /** Lifetime of the one-time RADIUS token handed to the gateway. */
        tokenTtlSeconds: positiveInt.default(120),
        /** How long a remembered device passes MAC authentication. */
        rememberDays: positiveInt.default(180),
      })
      .strict()
      .prefault({}),
    smtp: z
      .object({
        /** smtp:// or smtps:// with credentials; unset writes mail to <dataDir>/outbox. */
        url: url(/^smtps?:$/, 'an smtp:// or smtps:// URL').nullable().default(null),
        from: z.string().min(3).default('Wi-Fi public <no-reply@localhost>'),
      })
      .strict()
      .prefault({}),
    api: z
      .object({
        host: host.default('::'),
        port: port.default(8081),
      })
      .strict()
      .prefault({}),
    /** RFC 5176 Disconnect/CoA requests this node sends to NASes. */
    coa: z
      .object({
        /** Wait for an answer this long before the first retransmission; each retry doubles it. */
        timeoutMs: positiveInt.pipe(z.number().max(30_000, 'at most 30000 ms')).default(1000),
        /** Retransmissions after the first request (RFC 5176 §2.3 leaves the count to the sender). */
        retries: z.preprocess(toInt, z.number({ error: 'expected a number' }).int('expected a whole number').min(0, 'expected 0..10').max(10, 'expected 0..10')).default(3),
      })
      .strict()
      .prefault({}),
    /** The legal connection log (CPCE L34-1, décret 2021-1362). */
    legal: z
      .object({
        /** Kept this long after each connection ended, then purged; one year by law. */
        retentionDays: positiveInt.pipe(z.number().min(365, 'the law requires at least 365 days').max(400, 'at most 400 days: GDPR forbids keeping it longer than needed')).default(365),
        /** How often the purge job runs (it also runs at start). */
        purgeIntervalSeconds: positiveInt.default(3600),
      })
      .strict()
      .prefault({}),
    /** GDPR storage limitation for citizens' accounts. */
    privacy: z
      .object({
        /** An account unused this long gets an erasure notice; 0 turns the job off. */
        inactiveDays: z.preprocess(toInt, z.number({ error: 'expected a number' }).int('expected a whole number').min(0, 'expected 0 (off) or a number of days')).default(730),
        /** Days between the notice and the erasure, for the citizen to log in and keep the account. */
        noticeDays: positiveInt.default(30),
      })
      .strict()
      .prefault({}),
    provisioning: z
      .object({
        /** How long a one-time enrolment token stays valid. */
        enrolmentTtlSeconds: positiveInt.default(7 * 86400),
        /** The longest long-poll (`?wait=`) an agent may ask for. */
        maxWaitSeconds: positiveInt.pipe(z.number().max(300, 'at most 300 seconds')).default(60),
        /** An AP is online while its agent was seen (poll or heartbeat) this recently. */
        onlineAfterSeconds: positiveInt.default(180),
        /** Validity of the client certificates the federation CA issues to agents. */
        certificateDays: positiveInt.pipe(z.number().max(3650, 'at most 3650 days')).default(825),
        /** How often agents' heartbeats are written and the AP gauges refreshed. */
        flushIntervalMs: positiveInt.default(5000),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.output<typeof configSchema>;

/** Environment variable → path in the config object. */
export const ENV_VARS: Readonly<Record<string, readonly string[]>> = {
  WFC_DATA_DIR: ['dataDir'],
  WFC_LOG_LEVEL: ['logLevel'],
  WFC_DATABASE_URL: ['databaseUrl'],
  WFC_REDIS_URL: ['redisUrl'],
  WFC_REDIS_PREFIX: ['redisPrefix'],
  WFC_RADIUS_HOST: ['radius', 'host'],
  WFC_RADIUS_AUTH_PORT: ['radius', 'authPort'],
  WFC_RADIUS_ACCT_PORT: ['radius', 'acctPort'],
  WFC_RADIUS_DEDUP_WINDOW_MS: ['radius', 'dedupWindowMs'],
  WFC_RADIUS_VERIFY_CONCURRENCY: ['radius', 'verifyConcurrency'],
  WFC_RADIUS_ACCT_BATCH_MAX: ['radius', 'acctBatchMax'],
  WFC_PORTAL_HOST: ['portal', 'host'],
  WFC_PORTAL_PORT: ['portal', 'port'],
  WFC_PORTAL_PUBLIC_URL: ['portal', 'publicUrl'],
  WFC_PORTAL_SECURE_COOKIES: ['portal', 'secureCookies'],
  WFC_PORTAL_COOKIE_SECRET: ['portal', 'cookieSecret'],
  WFC_PORTAL_TRUST_PROXY: ['portal', 'trustProxy'],
  WFC_PORTAL_TOKEN_TTL_SECONDS: ['portal', 'tokenTtlSeconds'],
  WFC_PORTAL_REMEMBER_DAYS: ['portal', 'rememberDays'],
  WFC_SMTP_URL: ['smtp', 'url'],
  WFC_SMTP_FROM: ['smtp', 'from'],
  WFC_RADIUS_PUBLIC_SERVERS: ['radius', 'publicServers'],
  WFC_PROVISIONING_ENROLMENT_TTL_SECONDS: ['provisioning', 'enrolmentTtlSeconds'],
  WFC_PROVISIONING_MAX_WAIT_SECONDS: ['provisioning', 'maxWaitSeconds'],
  WFC_PROVISIONING_ONLINE_AFTER_SECONDS: ['provisioning', 'onlineAfterSeconds'],
  WFC_PROVISIONING_CERTIFICATE_DAYS: ['provisioning', 'certificateDays'],
  WFC_PROVISIONING_FLUSH_INTERVAL_MS: ['provisioning', 'flushIntervalMs'],
  WFC_API_HOST: ['api', 'host'],
  WFC_API_PORT: ['api', 'port'],
  WFC_COA_TIMEOUT_MS: ['coa', 'timeoutMs'],
  WFC_COA_RETRIES: ['coa', 'retries'],
  WFC_LEGAL_RETENTION_DAYS: ['legal', 'retentionDays'],
  WFC_LEGAL_PURGE_INTERVAL_SECONDS: ['legal', 'purgeIntervalSeconds'],
  WFC_PRIVACY_INACTIVE_DAYS: ['privacy', 'inactiveDays'],
  WFC_PRIVACY_NOTICE_DAYS: ['privacy', 'noticeDays'],
};

function toInt(v: unknown): unknown {
  return typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
}

function toBool(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off'].includes(s)) return false;
  return v;
}
