/**
 * The composition root: the one place that picks concrete adapters, wires
 * the parts together and binds ports. `npm start` runs this file.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { loadConfig, ConfigError, type Config } from './config/index.js';
import { createLogger, type Logger } from './log.js';
import { createMetrics } from './metrics.js';
import { openStores } from './cli/context.js';
import { createApiApp } from './http/api-app.js';
import type { ReadinessCheck } from './http/ops.js';
import type { Stores } from './ports/stores.js';
import type { SharedState } from './ports/shared-state.js';
import type { LoginTokenStore } from './ports/login-tokens.js';
import { systemClock } from './ports/clock.js';
import { createMemorySharedState } from './adapters/memory/shared-state.js';
import { createMemoryLoginTokens } from './adapters/memory/login-tokens.js';
import { createRedisSharedState } from './adapters/redis/shared-state.js';
import { createResilientSharedState, failFastRedisOptions } from './adapters/resilient/shared-state.js';
import { createRedisLoginTokens } from './adapters/redis/login-tokens.js';
import { createPasswordHasher } from './security/passwords.js';
import { createRadiusServer } from '../radius-server/server.js';
import { createPortalApp } from '../captive-portal/app.js';
import { loadPortalSecret } from '../captive-portal/secret.js';
import type { VerificationCodeStore } from './ports/verification-codes.js';
import type { Mailer } from './ports/mailer.js';
import { MemoryVerificationCodeStore } from './adapters/memory/verification-codes.js';
import { RedisVerificationCodeStore } from './adapters/redis/verification-codes.js';
import { createOutboxMailer, outboxDir } from './adapters/mail/outbox.js';
import { createSmtpMailer } from './adapters/mail/smtp.js';
import { join } from 'node:path';
import type { Router } from 'express';
import { databaseFile } from './cli/context.js';
import type { Metrics } from './metrics.js';
import { openSqliteProvisioningStore } from './adapters/sqlite/provisioning-store.js';
import { openPostgresProvisioningStore } from './adapters/postgres/provisioning-store.js';
import type { ProvisioningStore } from './ports/provisioning.js';
import { createMemoryConfigNotifier } from './adapters/memory/config-notifications.js';
import { createRedisConfigNotifier } from './adapters/redis/config-notifications.js';
import { openFederationCa } from '../provisioning/ca.js';
import { createProvisioningRouter } from '../provisioning/app.js';
import { ProvisioningRuntime } from '../provisioning/runtime.js';
import { createOperationsRouter } from '../provisioning/operations.js';
import { createDynamicAuthorizationClient } from '../radius-server/dynauth/client.js';
import { instrumentStores } from './adapters/instrumented.js';
import { periodicJob, purgeLegalLog } from './services/legal.js';
import { runInactivityJob } from './services/privacy.js';

export interface RunningController {
  readonly config: Readonly<Config>;
  /** Addresses actually bound (ports may be 0 in tests). */
  readonly addresses: { api: number; portal: number; radiusAuth: number; radiusAcct: number };
  stop(): Promise<void>;
}

/** package.json sits one level up from the sources, two from dist/. */
const VERSION = ((): string => {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'wifi-federation-controller') return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return 'unknown';
})();

export async function startController(config: Readonly<Config>, log: Logger): Promise<RunningController> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o750 });
  const metrics = createMetrics();
  metrics.build.set({ version: VERSION, node: process.version }, 1);
  const stores: Stores = instrumentStores(await openStores(config), metrics);

  const { shared, tokens, codes, closeShared } = openSharedState(config, metrics, log);
  const hasher = createPasswordHasher({ concurrency: config.radius.verifyConcurrency });

  // Provisioning's store, on the same database as the core stores, also tells RADIUS which secrets are being rotated.
  const provisioningStore = config.databaseUrl
    ? await openPostgresProvisioningStore({ url: config.databaseUrl })
    : openSqliteProvisioningStore({ file: databaseFile(config.dataDir) });
  const radius = await createRadiusServer({
    stores,
    pendingSecrets: async () => new Map((await provisioningStore.rotations.open(null)).map((r) => [r.clientId, r.newSecret])),
    live: shared.liveSessions,
    limiter: shared.rateLimits,
    tokens,
    hasher,
    metrics,
    log: log.child({ part: 'radius' }),
    clock: systemClock,
    options: { dedupWindowMs: config.radius.dedupWindowMs, acctBatchMax: config.radius.acctBatchMax },
  });

  // RFC 5176: Disconnect/CoA to the gateways, for the API and for disabled accounts.
  const dynauth = createDynamicAuthorizationClient({
    timeoutMs: config.coa.timeoutMs,
    retries: config.coa.retries,
    metrics,
    log: log.child({ part: 'dynauth' }),
    tenantLabel: (id) => radius.directory.tenant(id)?.slug ?? 'unknown',
  });

  const checks: ReadinessCheck[] = [
    { name: stores.backend, check: () => stores.ping() },
    { name: shared.backend === 'redis' ? 'redis' : 'shared-state', check: () => shared.ping() },
  ];
  const provisioning = await openProvisioning(config, stores, provisioningStore, metrics, log.child({ part: 'provisioning' }));
  // Sessions and the legal log (operations), then access points and agents (provisioning): one /v1, one OpenAPI document.
  const operations = createOperationsRouter({ stores, dynauth, clock: systemClock, metrics, log: log.child({ part: 'api' }) });
  const api = createApiApp({ metrics, log, checks, version: VERSION, mounts: [{ path: '/v1', router: operations }, { path: '/v1', router: provisioning.router }] });

  const radiusAuth = await radius.auth.bind(config.radius.authPort, config.radius.host);
  const radiusAcct = await radius.acct.bind(config.radius.acctPort, config.radius.host);
  radius.startTimers();
  log.info({ host: config.radius.host, auth: radiusAuth, acct: radiusAcct }, 'RADIUS listening (UDP)');

  const mailer: Mailer = config.smtp.url
    ? createSmtpMailer({ url: config.smtp.url, from: config.smtp.from })
    : createOutboxMailer({ dir: outboxDir(config.dataDir), from: config.smtp.from });
  const portal = createPortalApp({
    stores,
    live: shared.liveSessions,
    limiter: shared.rateLimits,
    tokens,
    codes,
    mailer,
    hasher,
    metrics,
    log: log.child({ part: 'portal' }),
    clock: systemClock,
    secret: loadPortalSecret(config.portal.cookieSecret, config.dataDir),
    publicUrl: config.portal.publicUrl,
    secureCookies: config.portal.secureCookies,
    trustProxy: config.portal.trustProxy,
    tokenTtlSeconds: config.portal.tokenTtlSeconds,
    rememberDays: config.portal.rememberDays,
    retention: { inactiveDays: config.privacy.inactiveDays, noticeDays: config.privacy.noticeDays, connectionLogDays: config.legal.retentionDays },
  });
  // The legal log's one-year purge and GDPR's inactive-account erasure: at start, then periodically.
  const legalDeps = { stores, clock: systemClock, metrics, log: log.child({ part: 'legal' }) };
  const housekeeping = periodicJob(
    'legal-purge',
    config.legal.purgeIntervalSeconds * 1000,
    async () => {
      await purgeLegalLog(legalDeps, { retentionDays: config.legal.retentionDays });
      if (config.privacy.inactiveDays > 0) {
        await runInactivityJob({ stores, mailer, metrics, clock: systemClock, log: log.child({ part: 'privacy' }) }, { inactiveDays: config.privacy.inactiveDays, noticeDays: config.privacy.noticeDays });
      }
    },
    log,
  );
  housekeeping.start();

  const portalServer = createServer(portal);
  await listen(portalServer, config.portal.port, config.portal.host);
  const portalPort = (portalServer.address() as { port: number }).port;
  log.info({ port: portalPort, host: config.portal.host, mail: mailer.transport }, 'captive portal listening');

  const apiServer = createServer(api);
  await listen(apiServer, config.api.port, config.api.host);
  const apiPort = (apiServer.address() as { port: number }).port;
  log.info({ port: apiPort, host: config.api.host }, 'API, /metrics and /healthz listening');

  let stopping: Promise<void> | null = null;
  return {
    config,
    addresses: { api: apiPort, portal: portalPort, radiusAuth, radiusAcct },
    stop() {
      stopping ??= (async () => {
        log.info('shutting down: no new requests, finishing those in flight');
        // Provisioning first: its long polls are answered at once, so the API server can close.
        await Promise.all([provisioning.stop(), close(apiServer), close(portalServer), radius.stop(), housekeeping.stop()]);
        await dynauth.close();
        await mailer.close();
        await closeShared();
        await stores.close();
        log.info('stopped');
      })();
      return stopping;
    },
  };
}

/**
 * The /v1 provisioning API and its background work: the provisioning store
 * (on its own pool to the shared PostgreSQL with WFC_DATABASE_URL, else on
 * its own connection to the node's SQLite file), config-change
 * notifications (Redis pub/sub when several nodes share a Redis), the
 * federation CA in the data dir.
 */
async function openProvisioning(config: Readonly<Config>, stores: Stores, store: ProvisioningStore, metrics: Metrics, log: Logger): Promise<{ router: Router; stop(): Promise<void> }> {
  // Bounded like the shared state's connection, so a silent Redis cannot hold a publish for long.
  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 3000, commandTimeout: 1000 }) : null;
  // Outages are reported by the shared-state link (wfc_redis_up, /readyz); ioredis reconnects by itself.
  redis?.on('error', () => {});
  const notifier = redis ? createRedisConfigNotifier({ redis, prefix: config.redisPrefix }) : createMemoryConfigNotifier();
  const federation = await stores.federation.get();
  const ca = openFederationCa(join(config.dataDir, 'ca'), { organization: federation?.name ?? 'Wi-Fi federation', deviceDays: config.provisioning.certificateDays });
  const p = config.provisioning;
  const runtime = new ProvisioningRuntime({
    stores,
    provisioning: store,
    notifier,
    ca,
    metrics,
    log,
    clock: systemClock,
    settings: {
      radiusServers: config.radius.publicServers.map((host) => ({ host, authPort: config.radius.authPort || 1812, acctPort: config.radius.acctPort || 1813 })),
      portalBaseUrl: config.portal.publicUrl,
      enrolmentTtlSeconds: p.enrolmentTtlSeconds,
      maxWaitSeconds: p.maxWaitSeconds,
      onlineAfterSeconds: p.onlineAfterSeconds,
      certificateDays: p.certificateDays,
      flushIntervalMs: p.flushIntervalMs,
    },
  });
  await runtime.start();
  return {
    router: createProvisioningRouter(runtime, { version: VERSION }),
    async stop() {
      await runtime.stop();
      await notifier.close();
      await redis?.quit();
      await store.close();
    },
  };
}

/**
 * In-process state for one node; Redis when WFC_REDIS_URL names one (several
 * nodes), wrapped so that a Redis outage degrades the node instead of
 * stalling it (docs/adr/0009-redis-outage.md).
 */
function openSharedState(config: Readonly<Config>, metrics?: Metrics, log?: Logger): { shared: SharedState; tokens: LoginTokenStore; codes: VerificationCodeStore; closeShared(): Promise<void> } {
  if (!config.redisUrl) {
    const shared = createMemorySharedState();
    return { shared, tokens: createMemoryLoginTokens(), codes: new MemoryVerificationCodeStore(), closeShared: () => shared.close() };
  }
  // Every Redis call answers within this bound, or the node answers from
  // local state: the RADIUS hot path stays within the NAS's timeout.
  const timeoutMs = 500;
  const redis = new Redis(config.redisUrl, { ...failFastRedisOptions(timeoutMs), enableAutoPipelining: true });
  const shared = createResilientSharedState({
    connection: redis,
    redis: createRedisSharedState({ redis, prefix: config.redisPrefix }),
    metrics: metrics?.stores,
    log: log?.child({ part: 'shared-state' }),
    timeoutMs,
  });
  return {
    shared,
    tokens: shared.loginTokens(createRedisLoginTokens(redis, config.redisPrefix)),
    codes: shared.verificationCodes(new RedisVerificationCodeStore({ redis, prefix: config.redisPrefix })),
    closeShared: async () => {
      await shared.close();
      // Not ready (Redis away): there is nothing to say goodbye to.
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** Loads the configuration, starts everything and stops cleanly on SIGTERM/SIGINT. */
export async function runController(env: NodeJS.ProcessEnv = process.env): Promise<RunningController> {
  let config: Readonly<Config>;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`wfc: ${e.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  const log = createLogger({ level: config.logLevel });
  const running = await startController(config, log);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      log.info({ signal }, 'signal received');
      // pino writes asynchronously: flush before exiting so the last lines are kept, in order.
      running.stop().then(
        () => log.flush(() => process.exit(0)),
        (err: unknown) => {
          log.error({ err }, 'unclean shutdown');
          log.flush(() => process.exit(1));
        },
      );
    });
  }
  return running;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runController();
}
