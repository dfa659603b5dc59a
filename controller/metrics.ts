/**
 * Every Prometheus metric the product exports, declared in one place with
 * the `wfc_` prefix. RADIUS metrics follow the RADIUS server MIBs
 * (RFC 4669 authentication, RFC 4671 accounting). docs/metrics.md documents
 * each; a test fails when one is missing there.
 *
 * Tenant labels carry municipality slugs only (a bounded set); anything a
 * peer can choose freely is folded into 'unknown' by the caller.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'wfc_' });
  const r = [registry];

  const radius = {
    accessRequests: new Counter({ name: 'wfc_radius_access_requests_total', help: 'Access-Requests received from known clients (RFC 4669 radiusAuthServTotalAccessRequests)', labelNames: ['tenant'], registers: r }),
    accessAccepts: new Counter({ name: 'wfc_radius_access_accepts_total', help: 'Access-Accepts sent (radiusAuthServTotalAccessAccepts)', labelNames: ['tenant', 'method'], registers: r }),
    accessRejects: new Counter({ name: 'wfc_radius_access_rejects_total', help: 'Access-Rejects sent, by reason (radiusAuthServTotalAccessRejects)', labelNames: ['tenant', 'reason'], registers: r }),
    accessChallenges: new Counter({ name: 'wfc_radius_access_challenges_total', help: 'Access-Challenges sent (radiusAuthServTotalAccessChallenges)', labelNames: ['tenant'], registers: r }),
    dropped: new Counter({ name: 'wfc_radius_dropped_requests_total', help: 'Requests silently discarded, by reason (radiusAuthServTotalPacketsDropped, radiusAuthServTotalMalformedAccessRequests, radiusAuthServTotalBadAuthenticators, radiusAuthServTotalInvalidRequests)', labelNames: ['port', 'reason'], registers: r }),
    duplicates: new Counter({ name: 'wfc_radius_duplicate_requests_total', help: 'Retransmitted requests answered from the duplicate cache (radiusAuthServTotalDupAccessRequests, radiusAccServTotalDupRequests)', labelNames: ['port'], registers: r }),
    accountingRequests: new Counter({ name: 'wfc_radius_accounting_requests_total', help: 'Accounting-Requests acknowledged, by Acct-Status-Type (radiusAccServTotalRequests)', labelNames: ['tenant', 'status_type'], registers: r }),
    statusServer: new Counter({ name: 'wfc_radius_status_server_total', help: 'Status-Server requests answered (RFC 5997)', labelNames: ['port'], registers: r }),
    duration: new Histogram({ name: 'wfc_radius_request_duration_seconds', help: 'Time from receiving a request to sending its reply', labelNames: ['port'], buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers: r }),
    activeSessions: new Gauge({ name: 'wfc_radius_active_sessions', help: 'Live sessions per municipality', labelNames: ['tenant'], registers: r }),
    rateLimited: new Counter({ name: 'wfc_radius_rate_limited_total', help: 'Access-Requests rejected because the identity or client is locked out after failed attempts', labelNames: ['tenant', 'scope'], registers: r }),
    unregisteredAp: new Counter({ name: 'wfc_radius_unregistered_ap_requests_total', help: 'Access-Requests from an access point no municipality registered (handled by the tenant policy)', labelNames: ['tenant'], registers: r }),
    sessionsReaped: new Counter({ name: 'wfc_radius_sessions_reaped_total', help: 'Sessions closed because their interim updates stopped', labelNames: ['tenant'], registers: r }),
    verifyQueue: new Gauge({ name: 'wfc_radius_password_verify_queue', help: 'Password verifications waiting for a hashing slot', registers: r }),
  };

  const http = {
    requests: new Counter({ name: 'wfc_http_requests_total', help: 'HTTP requests served, by server, route and status class', labelNames: ['server', 'route', 'status'], registers: r }),
  };

  const portal = {
    pageViews: new Counter({ name: 'wfc_portal_page_views_total', help: 'Captive-portal pages served, by municipality and page', labelNames: ['tenant', 'page'], registers: r }),
    logins: new Counter({ name: 'wfc_portal_logins_total', help: 'Portal login attempts, by result (success, invalid, locked, unverified, disabled)', labelNames: ['tenant', 'result'], registers: r }),
    registrations: new Counter({ name: 'wfc_portal_registrations_total', help: 'Portal registrations, by result (created, invalid, username-taken, email-taken)', labelNames: ['tenant', 'result'], registers: r }),
    codeChecks: new Counter({ name: 'wfc_portal_code_checks_total', help: 'Verification and reset codes entered, by purpose and result (ok, wrong, expired, too-many-attempts)', labelNames: ['tenant', 'purpose', 'result'], registers: r }),
    codesSent: new Counter({ name: 'wfc_portal_codes_sent_total', help: 'Verification and reset codes sent by e-mail, by purpose', labelNames: ['tenant', 'purpose'], registers: r }),
    mailFailures: new Counter({ name: 'wfc_portal_mail_failures_total', help: 'E-mails the mailer (SMTP or outbox) failed to take', labelNames: ['transport'], registers: r }),
    rateLimited: new Counter({ name: 'wfc_portal_rate_limited_total', help: 'Portal requests refused by a rate limit, by action and scope (ip, identity)', labelNames: ['tenant', 'action', 'scope'], registers: r }),
    handoffs: new Counter({ name: 'wfc_portal_gateway_handoffs_total', help: 'Logins handed back to the gateway with a one-time RADIUS token, by gateway protocol', labelNames: ['tenant', 'gateway'], registers: r }),
    badGateway: new Counter({ name: 'wfc_portal_bad_gateway_params_total', help: 'Gateway redirects refused, by protocol and reason', labelNames: ['tenant', 'gateway', 'reason'], registers: r }),
    csrfFailures: new Counter({ name: 'wfc_portal_csrf_failures_total', help: 'Form posts refused for a missing or wrong CSRF token', labelNames: ['tenant'], registers: r }),
  };

  const provisioning = {
    accessPoints: new Gauge({ name: 'wfc_provisioning_access_points', help: 'Access points registered, per municipality', labelNames: ['tenant'], registers: r }),
    online: new Gauge({ name: 'wfc_provisioning_access_points_online', help: 'Access points whose agent was seen recently (poll or heartbeat), per municipality', labelNames: ['tenant'], registers: r }),
    versionsPublished: new Counter({ name: 'wfc_provisioning_config_versions_published_total', help: 'Configuration versions published, by municipality and reason', labelNames: ['tenant', 'reason'], registers: r }),
    agentPolls: new Counter({ name: 'wfc_provisioning_agent_polls_total', help: 'Agent configuration polls answered, by result (changed, not-modified, no-config)', labelNames: ['result'], registers: r }),
    longPolls: new Gauge({ name: 'wfc_provisioning_long_polls_waiting', help: 'Agent polls waiting on this node for a new version', registers: r }),
    publishToApplied: new Histogram({ name: 'wfc_provisioning_publish_to_applied_seconds', help: 'Time from publishing a version to its agent reporting it applied', buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 86400], registers: r }),
    reports: new Counter({ name: 'wfc_provisioning_agent_reports_total', help: 'Agent reports recorded, by status (applied, error) and whether they changed anything', labelNames: ['status', 'repeat'], registers: r }),
    enrolmentFailures: new Counter({ name: 'wfc_provisioning_enrolment_failures_total', help: 'Refused enrolments, by reason (unknown, used, expired, bad-csr)', labelNames: ['reason'], registers: r }),
  };

  const stores = {
    ready: new Gauge({ name: 'wfc_store_up', help: '1 when the store answered its last readiness probe', labelNames: ['store'], registers: r }),
    queryDuration: new Histogram({ name: 'wfc_store_query_duration_seconds', help: 'Durable store calls, by backend, store and operation', labelNames: ['backend', 'store', 'operation'], buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: r }),
    queryErrors: new Counter({ name: 'wfc_store_query_errors_total', help: 'Durable store calls that failed with something other than a catalogued error', labelNames: ['backend', 'store', 'operation'], registers: r }),
    redisUp: new Gauge({ name: 'wfc_redis_up', help: '1 while the Redis connection is ready, 0 while it is down (the node then runs on degraded local state)', registers: r }),
    redisReconnects: new Counter({ name: 'wfc_redis_reconnects_total', help: 'Times the Redis connection was lost', registers: r }),
    degradedOps: new Counter({ name: 'wfc_shared_state_degraded_total', help: 'Shared-state operations answered from local state because Redis was unreachable, by port and operation', labelNames: ['port', 'operation'], registers: r }),
  };

  const sessions = {
    octets: new Counter({ name: 'wfc_session_octets_total', help: 'Octets citizens moved, from accounting counters, per municipality and direction (in: from the citizen, out: to the citizen)', labelNames: ['tenant', 'direction'], registers: r }),
    dynauthRequests: new Counter({ name: 'wfc_dynauth_requests_total', help: 'RFC 5176 requests sent to NASes, by municipality, kind (disconnect, coa) and outcome (ack, nak, timeout)', labelNames: ['tenant', 'kind', 'outcome'], registers: r }),
    dynauthRetries: new Counter({ name: 'wfc_dynauth_retransmissions_total', help: 'Disconnect/CoA retransmissions after an unanswered request', labelNames: ['kind'], registers: r }),
    dynauthDuration: new Histogram({ name: 'wfc_dynauth_duration_seconds', help: 'Time from the first Disconnect/CoA request to its answer or final timeout', labelNames: ['kind'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: r }),
  };

  const legal = {
    purged: new Counter({ name: 'wfc_retention_purged_total', help: 'Legal-log records deleted by the one-year purge, by kind (sessions, accounting_records, nat_mappings, identity_archives)', labelNames: ['kind'], registers: r }),
    purgeRuns: new Counter({ name: 'wfc_retention_purge_runs_total', help: 'Purge job runs, by result (ok, error)', labelNames: ['result'], registers: r }),
    lastPurge: new Gauge({ name: 'wfc_retention_last_success_timestamp_seconds', help: 'When the purge job last completed (Unix time)', registers: r }),
    held: new Gauge({ name: 'wfc_retention_held_sessions', help: 'Sessions kept past the purge by an active legal hold', registers: r }),
    exports: new Counter({ name: 'wfc_legal_exports_total', help: 'Audited legal-log exports, by format (csv, json) and caller (api, cli)', labelNames: ['format', 'via'], registers: r }),
    exportedRecords: new Counter({ name: 'wfc_legal_exported_sessions_total', help: 'Sessions included in legal-log exports', registers: r }),
    natImported: new Counter({ name: 'wfc_legal_nat_mappings_imported_total', help: 'NAT mappings stored, by source (accounting, import)', labelNames: ['source'], registers: r }),
  };

  const privacy = {
    notices: new Counter({ name: 'wfc_privacy_inactivity_notices_total', help: 'Inactivity notices, by delivery (mailed, no-email, mail-failed)', labelNames: ['delivery'], registers: r }),
    erasures: new Counter({ name: 'wfc_privacy_erasures_total', help: 'Accounts erased, by reason (citizen, inactivity, operator)', labelNames: ['reason'], registers: r }),
    dataExports: new Counter({ name: 'wfc_privacy_data_exports_total', help: 'Personal-data downloads citizens made from the portal (GDPR art. 15, 20)', registers: r }),
  };

  const build = new Gauge({ name: 'wfc_build_info', help: 'Version of the running controller', labelNames: ['version', 'node'], registers: r });

  return { registry, radius, http, portal, stores, build, provisioning, sessions, legal, privacy };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Label children cached by their label values (in labelNames order): the
 * hot path then skips prom-client's per-call hashing of a label object.
 * Only for label sets that are bounded (slugs, reasons, ports).
 */
export function children<C>(metric: { labels(...values: string[]): C }): (...values: string[]) => C {
  const cache = new Map<string, C>();
  return (...values) => {
    const key = values.join('\u0000');
    let child = cache.get(key);
    if (child === undefined) {
      child = metric.labels(...values);
      cache.set(key, child);
    }
    return child;
  };
}
