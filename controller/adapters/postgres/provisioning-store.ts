/**
 * The provisioning port on PostgreSQL, which several controller nodes write
 * at once. Every write is one READ COMMITTED transaction that also appends
 * its audit events to the shared audit_events table, as on SQLite; it
 * writes access_points itself (the AP and its profile change together) and
 * radius_clients.secret when a secret rotation completes.
 *
 * Concurrency between nodes rests on one rule: a write that touches an AP's
 * provisioning rows first locks that AP's agent_states row (created on the
 * spot for an AP registered by the CLI), and a write touching several APs
 * locks theirs in one statement, in id order. So two nodes publishing for
 * one AP queue and number their versions one after the other, the two
 * redemptions of one enrolment token queue and the second finds it used,
 * and lock orders never cross (agent state first, then the AP row or the
 * rotations it holds back). One open rotation per client is the partial unique index
 * secret_rotations_one_open. A deadlock or serialization failure the rule
 * does not foresee (a core store's AP delete, say) starts the transaction
 * over.
 */
import { randomUUID } from 'node:crypto';
import type { AccessPoint } from '../../domain/entities.js';
import { AppError, E } from '../../errors.js';
import { systemClock, type Clock } from '../../ports/clock.js';
import type { ConfigDraft, Enrolment, ProvisionedAp, ProvisioningStore, Published, PublishedDraft, SecretRotation, Variables } from '../../ports/provisioning.js';
import { applyAccessPointPatch, newAccessPoint } from '../entity-rules.js';
import {
  applyReport,
  auditAp,
  emptyAgentState,
  pickProfile,
  provisioningMappers,
  redactVariables,
  rotationAudit,
  sameAp,
  sha256,
  type ApRow as ApRowOf,
  type CredentialRow as CredentialRowOf,
  type EnrolmentRow as EnrolmentRowOf,
  type RotationRow as RotationRowOf,
  type StateRow as StateRowOf,
  type VersionRow as VersionRowOf,
  type VersionSummaryRow as VersionSummaryRowOf,
} from '../provisioning-rows.js';
import { json, limitOf, num, PG_DECODERS, storable, text, type PgColumns } from './columns.js';
import { foreignKeyViolation, uniqueViolation } from './constraints.js';
import type { PgDatabase, Sql } from './database.js';
import type { PgDeps } from './deps.js';
import { accessPointWriter } from './access-point-store.js';
import { openPostgresDatabase, type PostgresTarget } from './index.js';
import { unnest } from './unnest.js';

type ApRow = ApRowOf<PgColumns>;
type VersionRow = VersionRowOf<PgColumns>;
type SummaryRow = VersionSummaryRowOf<PgColumns>;
type StateRow = StateRowOf<PgColumns>;
type EnrolmentRow = EnrolmentRowOf<PgColumns>;
type CredentialRow = CredentialRowOf<PgColumns>;
type RotationRow = RotationRowOf<PgColumns> & { pending: string[] };

const { toProvisioned, toSummary, toVersion, toState, toEnrolment, toCredential, toRotation } = provisioningMappers<PgColumns>(PG_DECODERS);

const AP_COLUMNS =
  'a.id, a.tenant_id, a.mac, a.name, a.model, a.serial, a.site, a.latitude, a.longitude, a.placement, a.nas_identifier, a.created_at, a.updated_at, p.profile';
const VERSION_COLUMNS = 'ap_id, version, tenant_id, checksum, secret_digest, bundle, reason, actor, created_at';
const SUMMARY_COLUMNS = 'ap_id, version, tenant_id, checksum, secret_digest, reason, actor, created_at';
const STATE_COLUMNS = `s.ap_id, s.tenant_id, s.current_version, v.checksum AS current_checksum, v.created_at AS published_at, s.status,
  s.applied_version, s.applied_at, s.error_version, s.error_message, s.error_at, s.last_seen_at, s.agent_info, s.enrolled_at`;
const CREDENTIAL_COLUMNS = 'ap_id, tenant_id, key_hash, certificate_serial, certificate_not_after, certificate_pem, created_at';
const ROTATION_COLUMNS = 'r.id, r.tenant_id, r.client_id, r.new_secret, r.secret_digest, r.started_at, r.completed_at';

/** Whole attempts of a write transaction: see the header on what starts one over. */
const ATTEMPTS = 5;

/**
 * JSON for a jsonb column from what an agent sent: jsonb cannot hold U+0000,
 * which becomes U+FFFD (a broken agent must not stop the heartbeats of the
 * others flushed with it).
 */
const agentJson = (v: unknown): string | null => (v === null ? null : JSON.stringify(v, (_k, val: unknown) => (typeof val === 'string' ? text(val) : val)));

/** Versions are integer columns: a larger number names none. */
const storableVersion = (v: number): boolean => Number.isInteger(v) && v >= 1 && v <= 0x7fffffff;

const sortedIds = (ids: Iterable<string>): string[] => [...new Set(ids)].filter(storable).sort();

export function createPgProvisioningStore(db: PgDatabase, deps: PgDeps): Omit<ProvisioningStore, 'close'> {
  const aps = db.table('access_points');
  const profiles = db.table('ap_profiles');
  const variables = db.table('provisioning_variables');
  const versions = db.table('config_versions');
  const states = db.table('agent_states');
  const enrolments = db.table('enrolments');
  const credentials = db.table('device_credentials');
  const rotations = db.table('secret_rotations');
  const rotationAps = db.table('secret_rotation_aps');
  const clients = db.table('radius_clients');
  const events = db.table('audit_events');

  const now = (): Date => deps.clock.now();
  const write = <T>(fn: (tx: Sql) => Promise<T>): Promise<T> => db.transaction(fn, { attempts: ATTEMPTS });

  const audit = async (sql: Sql, actor: string, tenantId: string | null, action: string, target: string, before: unknown, after: unknown, at: Date): Promise<void> => {
    await sql.query(
      `INSERT INTO ${events} (id, at, actor, tenant_id, action, target, before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb)`,
      [deps.newId(), at, actor, tenantId, action, target, json(before), json(after)],
    );
  };

  const apWriter = accessPointWriter(aps);

  const upsertProfile = async (sql: Sql, apId: string, tenantId: string, profile: unknown, at: Date): Promise<void> => {
    await sql.query(
      `INSERT INTO ${profiles} (ap_id, tenant_id, profile, updated_at) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT (ap_id) DO UPDATE SET profile = excluded.profile, updated_at = excluded.updated_at`,
      [apId, tenantId, JSON.stringify(profile), at],
    );
  };

  const getProvisioned = async (sql: Sql, tenantId: string, id: string, lock = ''): Promise<ProvisionedAp | null> => {
    if (!storable(tenantId) || !storable(id)) return null;
    const { rows } = await sql.query<ApRow>(
      `SELECT ${AP_COLUMNS} FROM ${aps} a LEFT JOIN ${profiles} p ON p.ap_id = a.id WHERE a.tenant_id = $1 AND a.id = $2 ${lock}`,
      [tenantId, id],
    );
    return rows[0] ? toProvisioned(rows[0]) : null;
  };

  /**
   * Locks the agent_states rows of these APs, creating the missing ones (an
   * AP registered by the CLI has none), in id order: the first step of every
   * write on an AP's provisioning rows. Unknown APs are absent from the result.
   */
  const lockStates = async (sql: Sql, apIds: Iterable<string>): Promise<Map<string, { tenantId: string; currentVersion: number | null }>> => {
    const ids = sortedIds(apIds);
    if (!ids.length) return new Map();
    await sql.query(
      `INSERT INTO ${states} (ap_id, tenant_id, status)
       SELECT id, tenant_id, 'pending' FROM ${aps} WHERE id = ANY($1::text[]) ORDER BY id COLLATE "C"
       ON CONFLICT (ap_id) DO NOTHING`,
      [ids],
    );
    const { rows } = await sql.query<{ ap_id: string; tenant_id: string; current_version: number | null }>(
      `SELECT ap_id, tenant_id, current_version FROM ${states} WHERE ap_id = ANY($1::text[]) ORDER BY ap_id COLLATE "C" FOR UPDATE`,
      [ids],
    );
    return new Map(rows.map((r) => [r.ap_id, { tenantId: r.tenant_id, currentVersion: r.current_version }]));
  };

  /** lockStates for one AP of one tenant. @throws AppError AP_NOT_FOUND */
  const lockState = async (sql: Sql, tenantId: string, apId: string): Promise<{ currentVersion: number | null }> => {
    const s = (await lockStates(sql, [apId])).get(apId);
    if (!s || s.tenantId !== tenantId) throw new AppError(E.AP_NOT_FOUND, { ap: apId });
    return s;
  };

  /**
   * Publishes each draft whose checksum differs from its AP's current
   * version; `tenantId` null accepts any tenant's AP (federation
   * variables). The current version is always the newest: every publish,
   * rollbacks included, adds one. The version rows (actor, reason, time)
   * are the audit record of a publish: the change that caused it has its
   * own event. A fixed number of statements, whatever the number of drafts.
   */
  const publishMany = async (sql: Sql, tenantId: string | null, drafts: readonly PublishedDraft[], actor: string, at: Date): Promise<Published[]> => {
    if (!drafts.length) return [];
    const locked = await lockStates(sql, drafts.map((d) => d.apId));
    // Read after the locks: this statement sees what the nodes that held them committed.
    const { rows: current } = await sql.query<{ ap_id: string; checksum: string }>(
      `SELECT v.ap_id, v.checksum FROM ${states} s JOIN ${versions} v ON v.ap_id = s.ap_id AND v.version = s.current_version WHERE s.ap_id = ANY($1::text[])`,
      [[...locked.keys()]],
    );
    const heads = new Map([...locked].map(([apId, s]) => [apId, { tenantId: s.tenantId, version: s.currentVersion, checksum: null as string | null }]));
    for (const r of current) heads.get(r.ap_id)!.checksum = r.checksum;
    const rows: VersionRow[] = [];
    for (const { apId, draft } of drafts) {
      const head = heads.get(apId);
      if (!head || (tenantId !== null && head.tenantId !== tenantId)) throw new AppError(E.AP_NOT_FOUND, { ap: apId });
      if (head.checksum === draft.checksum) continue;
      const version = (head.version ?? 0) + 1;
      rows.push(versionRow(apId, head.tenantId, version, draft, actor, at));
      heads.set(apId, { tenantId: head.tenantId, version, checksum: draft.checksum });
    }
    if (!rows.length) return [];
    const v = unnest<VersionRow>(
      [
        { name: 'ap_id', type: 'text', get: (r) => r.ap_id },
        { name: 'version', type: 'bigint', get: (r) => r.version },
        { name: 'tenant_id', type: 'text', get: (r) => r.tenant_id },
        { name: 'checksum', type: 'text', get: (r) => r.checksum },
        { name: 'secret_digest', type: 'text', get: (r) => r.secret_digest },
        { name: 'bundle', type: 'text', get: (r) => r.bundle },
        { name: 'reason', type: 'text', get: (r) => r.reason },
        { name: 'actor', type: 'text', get: (r) => r.actor },
        { name: 'created_at', type: 'timestamptz', get: (r) => r.created_at },
      ],
      rows,
    );
    await sql.query(`INSERT INTO ${versions} (${VERSION_COLUMNS}) SELECT ${v.names} FROM ${v.from} ORDER BY v.ord`, v.binds);
    const moved = [...new Map(rows.map((r) => [r.ap_id, r.version]))];
    const m = unnest<[string, number]>(
      [
        { name: 'ap_id', type: 'text', get: (r) => r[0] },
        { name: 'version', type: 'bigint', get: (r) => r[1] },
      ],
      moved,
    );
    await sql.query(`UPDATE ${states} s SET current_version = v.version, status = 'pending' FROM ${m.from} WHERE s.ap_id = v.ap_id`, m.binds);
    return rows.map(toSummary);
  };

  const rotationQuery = (where: string, order = '', lock = ''): string =>
    `SELECT ${ROTATION_COLUMNS}, ARRAY(SELECT ra.ap_id FROM ${rotationAps} ra WHERE ra.rotation_id = r.id ORDER BY ra.ap_id) AS pending
     FROM ${rotations} r WHERE ${where} ${order} ${lock}`;
  const rotationOf = (r: RotationRow): SecretRotation => toRotation(r, r.pending);

  /**
   * Makes the new secret the client's own (the old one stops being valid),
   * once: of two nodes completing the same rotation, one does.
   */
  const finishRotation = async (sql: Sql, id: string, actor: string, at: Date, stranded: readonly string[]): Promise<SecretRotation | null> => {
    const { rows } = await sql.query<RotationRowOf<PgColumns>>(
      `UPDATE ${rotations} r SET completed_at = $1 WHERE id = $2 AND completed_at IS NULL RETURNING ${ROTATION_COLUMNS}`,
      [at, id],
    );
    const row = rows[0];
    if (!row) return null;
    await sql.query(`UPDATE ${clients} SET secret = $1 WHERE id = $2`, [row.new_secret, row.client_id]);
    const done = toRotation(row, []);
    await audit(sql, actor, row.tenant_id, 'radius-secret.rotation.complete', `client:${row.client_id}`, null, { ...rotationAudit(done), strandedApIds: stranded }, at);
    return done;
  };

  /** Open rotations still waiting for this AP, locked in id order; `digest`: only those rolling out that secret. */
  const lockPendingRotations = async (sql: Sql, apId: string, digest: string | null): Promise<string[]> => {
    const { rows } = await sql.query<{ id: string }>(
      `SELECT r.id FROM ${rotations} r
       WHERE r.completed_at IS NULL AND ($2::text IS NULL OR r.secret_digest = $2)
         AND EXISTS (SELECT 1 FROM ${rotationAps} ra WHERE ra.rotation_id = r.id AND ra.ap_id = $1)
       ORDER BY r.id FOR UPDATE`,
      [apId, digest],
    );
    return rows.map((r) => r.id);
  };

  const nothingPending = async (sql: Sql, rotationId: string): Promise<boolean> => {
    const { rows } = await sql.query(`SELECT 1 FROM ${rotationAps} WHERE rotation_id = $1 LIMIT 1`, [rotationId]);
    return rows.length === 0;
  };

  const stateRow = async (sql: Sql, tenantId: string, apId: string): Promise<StateRow | null> => {
    if (!storable(tenantId) || !storable(apId)) return null;
    const { rows } = await sql.query<StateRow>(
      `SELECT ${STATE_COLUMNS} FROM ${states} s LEFT JOIN ${versions} v ON v.ap_id = s.ap_id AND v.version = s.current_version
       WHERE s.tenant_id = $1 AND s.ap_id = $2`,
      [tenantId, apId],
    );
    return rows[0] ?? null;
  };

  const insertEnrolment = async (sql: Sql, tenantId: string, apId: string, e: { tokenHash: string; expiresAt: Date }, at: Date): Promise<void> => {
    await sql.query(`INSERT INTO ${enrolments} (token_hash, ap_id, tenant_id, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5, NULL)`, [
      e.tokenHash,
      apId,
      tenantId,
      at,
      e.expiresAt,
    ]);
  };

  return {
    registry: {
      async create(c) {
        if (!storable(c.tenantId)) throw new AppError(E.TENANT_NOT_FOUND, { tenant: c.tenantId });
        return write(async (tx) => {
          const at = now();
          const ap = newAccessPoint(deps.newId(), c.tenantId, c.ap, at);
          await apWriter.insert(tx, ap);
          const profile = pickProfile(c.profile);
          await upsertProfile(tx, ap.id, c.tenantId, profile, at);
          await tx.query(`INSERT INTO ${states} (ap_id, tenant_id, status) VALUES ($1, $2, 'pending')`, [ap.id, c.tenantId]);
          if (c.enrolment) await insertEnrolment(tx, c.tenantId, ap.id, c.enrolment, at);
          const provisioned = { ap, profile };
          await audit(tx, c.actor, c.tenantId, 'ap.create', `ap:${ap.mac}`, null, auditAp(provisioned), at);
          const published = c.draft ? ((await publishMany(tx, c.tenantId, [{ apId: ap.id, draft: c.draft }], c.actor, at))[0] ?? null) : null;
          return { provisioned, published };
        });
      },
      get: (tenantId, id) => getProvisioned(db, tenantId, id),
      async list(tenantId) {
        if (!storable(tenantId)) return [];
        const { rows } = await db.query<ApRow>(
          `SELECT ${AP_COLUMNS} FROM ${aps} a LEFT JOIN ${profiles} p ON p.ap_id = a.id WHERE a.tenant_id = $1 ORDER BY a.name, a.mac`,
          [tenantId],
        );
        return rows.map(toProvisioned);
      },
      async listAll() {
        const { rows } = await db.query<ApRow>(
          `SELECT ${AP_COLUMNS} FROM ${aps} a LEFT JOIN ${profiles} p ON p.ap_id = a.id ORDER BY a.tenant_id COLLATE "C", a.name, a.mac`,
        );
        return rows.map(toProvisioned);
      },
      async update(c) {
        if (!storable(c.tenantId) || !storable(c.id)) throw new AppError(E.AP_NOT_FOUND, { ap: c.id });
        return write(async (tx) => {
          await lockState(tx, c.tenantId, c.id);
          // NO KEY UPDATE: versions and credentials being inserted for the AP (their foreign keys) need not wait.
          const before = await getProvisioned(tx, c.tenantId, c.id, 'FOR NO KEY UPDATE OF a');
          if (!before) throw new AppError(E.AP_NOT_FOUND, { ap: c.id });
          const at = now();
          const publish = async () => (c.draft ? ((await publishMany(tx, c.tenantId, [{ apId: c.id, draft: c.draft }], c.actor, at))[0] ?? null) : null);
          // Nothing changed, nothing to write or audit (the draft may still differ: settings elsewhere moved).
          if (sameAp(before, c.ap, c.profile)) return { provisioned: before, published: await publish() };
          const profile = pickProfile(c.profile);
          const ap: AccessPoint = { ...before.ap, ...applyAccessPointPatch(c.ap), updatedAt: at };
          await apWriter.update(tx, ap);
          await upsertProfile(tx, ap.id, c.tenantId, profile, at);
          const provisioned = { ap, profile };
          await audit(tx, c.actor, c.tenantId, 'ap.update', `ap:${ap.mac}`, auditAp(before), auditAp(provisioned), at);
          return { provisioned, published: await publish() };
        });
      },
      async delete(c) {
        if (!storable(c.tenantId) || !storable(c.id)) throw new AppError(E.AP_NOT_FOUND, { ap: c.id });
        await write(async (tx) => {
          await lockState(tx, c.tenantId, c.id);
          const before = await getProvisioned(tx, c.tenantId, c.id);
          if (!before) throw new AppError(E.AP_NOT_FOUND, { ap: c.id });
          const at = now();
          const pending = await lockPendingRotations(tx, c.id, null);
          await tx.query(`DELETE FROM ${aps} WHERE tenant_id = $1 AND id = $2`, [c.tenantId, c.id]);
          await audit(tx, c.actor, c.tenantId, 'ap.delete', `ap:${before.ap.mac}`, auditAp(before), null, at);
          // The AP no longer holds its rotations back.
          for (const id of pending) if (await nothingPending(tx, id)) await finishRotation(tx, id, c.actor, at, []);
        });
      },
    },
    variables: {
      async get(tenantId) {
        if (tenantId !== null && !storable(tenantId)) return {};
        const { rows } = await db.query<{ variables: Variables }>(`SELECT variables FROM ${variables} WHERE scope = $1`, [tenantId ?? '']);
        return rows[0]?.variables ?? {};
      },
      set: (c) =>
        write(async (tx) => {
          const at = now();
          const scope = c.tenantId ?? '';
          const { rows } = await tx.query<{ variables: Variables }>(`SELECT variables FROM ${variables} WHERE scope = $1 FOR UPDATE`, [scope]);
          const before = rows[0]?.variables ?? {};
          await tx.query(
            `INSERT INTO ${variables} (scope, variables, updated_at) VALUES ($1, $2::jsonb, $3)
             ON CONFLICT (scope) DO UPDATE SET variables = excluded.variables, updated_at = excluded.updated_at`,
            [scope, JSON.stringify(c.variables), at],
          );
          const target = c.tenantId === null ? 'federation' : `tenant:${c.tenantId}`;
          await audit(tx, c.actor, c.tenantId, 'variables.set', target, redactVariables(before), redactVariables(c.variables), at);
          return publishMany(tx, null, c.drafts, c.actor, at);
        }),
    },
    versions: {
      async current(tenantId, apId) {
        if (!storable(tenantId) || !storable(apId)) return null;
        const { rows } = await db.query<VersionRow>(
          `SELECT ${VERSION_COLUMNS.split(', ').map((col) => `v.${col}`).join(', ')} FROM ${states} s
           JOIN ${versions} v ON v.ap_id = s.ap_id AND v.version = s.current_version WHERE s.tenant_id = $1 AND s.ap_id = $2`,
          [tenantId, apId],
        );
        return rows[0] ? toVersion(rows[0]) : null;
      },
      async head(tenantId, apId) {
        if (!storable(tenantId) || !storable(apId)) return null;
        const { rows } = await db.query<SummaryRow>(
          `SELECT ${SUMMARY_COLUMNS.split(', ').map((col) => `v.${col}`).join(', ')} FROM ${states} s
           JOIN ${versions} v ON v.ap_id = s.ap_id AND v.version = s.current_version WHERE s.tenant_id = $1 AND s.ap_id = $2`,
          [tenantId, apId],
        );
        return rows[0] ? toSummary(rows[0]) : null;
      },
      async get(tenantId, apId, version) {
        if (!storable(tenantId) || !storable(apId) || !storableVersion(version)) return null;
        const { rows } = await db.query<VersionRow>(`SELECT ${VERSION_COLUMNS} FROM ${versions} WHERE tenant_id = $1 AND ap_id = $2 AND version = $3`, [
          tenantId,
          apId,
          version,
        ]);
        return rows[0] ? toVersion(rows[0]) : null;
      },
      async history(tenantId, apId, opts = {}) {
        if (!storable(tenantId) || !storable(apId)) return [];
        const { rows } = await db.query<SummaryRow>(
          `SELECT ${SUMMARY_COLUMNS} FROM ${versions} WHERE tenant_id = $1 AND ap_id = $2 ORDER BY version DESC LIMIT $3`,
          [tenantId, apId, limitOf(opts.limit)],
        );
        return rows.map(toSummary);
      },
      publish: (c) => write((tx) => publishMany(tx, c.tenantId, c.drafts, c.actor, now())),
    },
    enrolments: {
      async issue(c) {
        if (!storable(c.tenantId) || !storable(c.apId)) throw new AppError(E.AP_NOT_FOUND, { ap: c.apId });
        return write(async (tx): Promise<Enrolment> => {
          await lockState(tx, c.tenantId, c.apId);
          const at = now();
          const { rows } = await tx.query<{ mac: string }>(`SELECT mac FROM ${aps} WHERE id = $1`, [c.apId]);
          await tx.query(`DELETE FROM ${enrolments} WHERE ap_id = $1 AND used_at IS NULL`, [c.apId]);
          await insertEnrolment(tx, c.tenantId, c.apId, c.enrolment, at);
          await audit(tx, c.actor, c.tenantId, 'ap.enrolment.issue', `ap:${rows[0]?.mac ?? c.apId}`, null, { expiresAt: c.enrolment.expiresAt }, at);
          return { tenantId: c.tenantId, apId: c.apId, expiresAt: c.enrolment.expiresAt, usedAt: null };
        });
      },
      async find(tokenHash) {
        if (!storable(tokenHash)) return null;
        const { rows } = await db.query<EnrolmentRow>(
          `SELECT token_hash, ap_id, tenant_id, created_at, expires_at, used_at FROM ${enrolments} WHERE token_hash = $1`,
          [tokenHash],
        );
        return rows[0] ? toEnrolment(rows[0]) : null;
      },
      async redeem(c) {
        const unknown = { ok: false as const, reason: 'unknown' as const };
        if (!storable(c.tokenHash)) return unknown;
        return write(async (tx) => {
          const token = `SELECT token_hash, ap_id, tenant_id, created_at, expires_at, used_at FROM ${enrolments} WHERE token_hash = $1`;
          const found = (await tx.query<EnrolmentRow>(token, [c.tokenHash])).rows[0];
          if (!found) return unknown;
          // The AP's state row first, as every write on it: two redemptions of one token queue here.
          await lockStates(tx, [found.ap_id]);
          const { rows } = await tx.query<EnrolmentRow>(
            `UPDATE ${enrolments} SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
             RETURNING token_hash, ap_id, tenant_id, created_at, expires_at, used_at`,
            [c.now, c.tokenHash],
          );
          const row = rows[0];
          if (!row) {
            // Read again after the lock: what the node that held it committed.
            const again = (await tx.query<EnrolmentRow>(token, [c.tokenHash])).rows[0];
            if (!again) return unknown;
            return { ok: false as const, reason: again.used_at !== null ? ('used' as const) : ('expired' as const) };
          }
          const cred: CredentialRow = {
            ap_id: row.ap_id,
            tenant_id: row.tenant_id,
            key_hash: c.credential.keyHash,
            certificate_serial: c.credential.certificateSerial,
            certificate_not_after: c.credential.certificateNotAfter,
            certificate_pem: c.credential.certificatePem,
            created_at: c.now,
          };
          await tx.query(
            `INSERT INTO ${credentials} (${CREDENTIAL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (ap_id) DO UPDATE SET key_hash = excluded.key_hash, certificate_serial = excluded.certificate_serial,
               certificate_not_after = excluded.certificate_not_after, certificate_pem = excluded.certificate_pem, created_at = excluded.created_at`,
            [cred.ap_id, cred.tenant_id, cred.key_hash, cred.certificate_serial, cred.certificate_not_after, cred.certificate_pem, cred.created_at],
          );
          const { rows: ap } = await tx.query<{ mac: string }>(`UPDATE ${states} s SET enrolled_at = $1 FROM ${aps} a WHERE s.ap_id = $2 AND a.id = s.ap_id RETURNING a.mac`, [
            c.now,
            row.ap_id,
          ]);
          const target = `ap:${ap[0]?.mac ?? row.ap_id}`;
          const after = { certificateSerial: cred.certificate_serial, certificateNotAfter: c.credential.certificateNotAfter };
          await audit(tx, `device:${row.ap_id}`, row.tenant_id, 'ap.enrol', target, null, after, c.now);
          return { ok: true as const, tenantId: row.tenant_id, apId: row.ap_id, credential: toCredential(cred) };
        });
      },
    },
    credentials: {
      async findByKeyHash(keyHash) {
        if (!storable(keyHash)) return null;
        const { rows } = await db.query<CredentialRow>(`SELECT ${CREDENTIAL_COLUMNS} FROM ${credentials} WHERE key_hash = $1`, [keyHash]);
        return rows[0] ? toCredential(rows[0]) : null;
      },
      async get(tenantId, apId) {
        if (!storable(tenantId) || !storable(apId)) return null;
        const { rows } = await db.query<CredentialRow>(`SELECT ${CREDENTIAL_COLUMNS} FROM ${credentials} WHERE tenant_id = $1 AND ap_id = $2`, [tenantId, apId]);
        return rows[0] ? toCredential(rows[0]) : null;
      },
    },
    agents: {
      async state(tenantId, apId) {
        const row = await stateRow(db, tenantId, apId);
        if (row) return toState(row);
        return (await getProvisioned(db, tenantId, apId)) ? emptyAgentState(tenantId, apId) : null;
      },
      async states(tenantId) {
        if (!storable(tenantId)) return [];
        const { rows } = await db.query<StateRow>(
          `SELECT ${STATE_COLUMNS} FROM ${states} s LEFT JOIN ${versions} v ON v.ap_id = s.ap_id AND v.version = s.current_version
           JOIN ${aps} a ON a.id = s.ap_id WHERE s.tenant_id = $1 ORDER BY a.name, a.mac`,
          [tenantId],
        );
        return rows.map(toState);
      },
      async report(c) {
        if (!storable(c.tenantId) || !storable(c.apId)) throw new AppError(E.AP_NOT_FOUND, { ap: c.apId });
        // What an agent sent is kept even with U+0000, which text cannot hold.
        const r = { ...c, message: c.message === null ? null : text(c.message) };
        return write(async (tx) => {
          await lockState(tx, c.tenantId, c.apId);
          const { rows: ver } = storableVersion(c.version)
            ? await tx.query<{ secret_digest: string | null }>(`SELECT secret_digest FROM ${versions} WHERE ap_id = $1 AND version = $2`, [c.apId, c.version])
            : { rows: [] };
          if (!ver[0]) throw new AppError(E.CONFIG_VERSION_NOT_FOUND, { ap: c.apId, version: c.version });
          const s = (await stateRow(tx, c.tenantId, c.apId))!;
          const { next, changed } = applyReport(toState(s), s.current_version, r);
          if (changed) {
            await tx.query(
              `UPDATE ${states} SET status = $2, applied_version = $3, applied_at = $4, error_version = $5, error_message = $6, error_at = $7 WHERE ap_id = $1`,
              [c.apId, next.status, next.appliedVersion, next.appliedAt, next.errorVersion, next.errorMessage, next.errorAt],
            );
          }
          const completed: SecretRotation[] = [];
          const digest = ver[0].secret_digest;
          if (c.status === 'applied' && digest !== null) {
            for (const id of await lockPendingRotations(tx, c.apId, digest)) {
              const { rowCount } = await tx.query(`DELETE FROM ${rotationAps} WHERE rotation_id = $1 AND ap_id = $2`, [id, c.apId]);
              if (!rowCount || !(await nothingPending(tx, id))) continue;
              const done = await finishRotation(tx, id, `device:${c.apId}`, c.at, []);
              if (done) completed.push(done);
            }
          }
          const state = changed ? toState((await stateRow(tx, c.tenantId, c.apId))!) : toState(s);
          return { state, changed, completedRotations: completed };
        });
      },
      async touch(batch) {
        // One row per AP: the newest time, and the last info given (a heartbeat without any keeps the one known).
        const merged = new Map<string, { at: Date; info: Readonly<Record<string, string>> | null }>();
        for (const t of batch) {
          if (!storable(t.apId)) continue;
          const m = merged.get(t.apId);
          merged.set(t.apId, { at: m && m.at > t.at ? m.at : t.at, info: t.info ?? m?.info ?? null });
        }
        if (!merged.size) return;
        const rows = sortedIds(merged.keys()).map((apId) => ({ apId, ...merged.get(apId)! }));
        const v = unnest<(typeof rows)[number]>(
          [
            { name: 'ap_id', type: 'text', get: (r) => r.apId },
            { name: 'at', type: 'timestamptz', get: (r) => r.at },
            { name: 'info', type: 'text', get: (r) => agentJson(r.info) },
          ],
          rows,
        );
        // Unknown APs drop out of the join; rows go in id order, as every lock on agent_states is taken.
        await write((tx) =>
          tx.query(
            `INSERT INTO ${states} (ap_id, tenant_id, status, last_seen_at, agent_info)
             SELECT a.id, a.tenant_id, 'pending', v.at, v.info::jsonb FROM ${v.from} JOIN ${aps} a ON a.id = v.ap_id ORDER BY v.ord
             ON CONFLICT (ap_id) DO UPDATE SET last_seen_at = GREATEST(${states}.last_seen_at, excluded.last_seen_at),
               agent_info = COALESCE(excluded.agent_info, ${states}.agent_info)`,
            v.binds,
          ),
        );
      },
      async counts(since) {
        const { rows } = await db.query<{ tenant_id: string; registered: string; online: string }>(
          `SELECT a.tenant_id, count(*) AS registered, count(*) FILTER (WHERE s.last_seen_at >= $1) AS online
           FROM ${aps} a LEFT JOIN ${states} s ON s.ap_id = a.id GROUP BY a.tenant_id ORDER BY a.tenant_id COLLATE "C"`,
          [since],
        );
        return rows.map((r) => ({ tenantId: r.tenant_id, registered: num(r.registered), online: num(r.online) }));
      },
    },
    rotations: {
      async start(c) {
        if (!storable(c.tenantId) || !storable(c.clientId)) throw new AppError(E.CLIENT_NOT_FOUND, { client: c.clientId });
        return write(async (tx) => {
          const { rows: client } = await tx.query(`SELECT id FROM ${clients} WHERE tenant_id = $1 AND id = $2`, [c.tenantId, c.clientId]);
          if (!client[0]) throw new AppError(E.CLIENT_NOT_FOUND, { client: c.clientId });
          const at = now();
          const id = deps.newId();
          const digest = sha256(c.newSecret);
          try {
            await tx.query(
              `INSERT INTO ${rotations} (id, tenant_id, client_id, new_secret, secret_digest, started_at, completed_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)`,
              [id, c.tenantId, c.clientId, c.newSecret, digest, at],
            );
          } catch (e) {
            if (uniqueViolation(e) === 'secret_rotations_one_open') throw new AppError(E.ROTATION_IN_PROGRESS, { client: c.clientId });
            if (foreignKeyViolation(e) === 'secret_rotations_client_fkey') throw new AppError(E.CLIENT_NOT_FOUND, { client: c.clientId });
            throw e;
          }
          const published = await publishMany(tx, c.tenantId, c.drafts, c.actor, at);
          const waiting = sortedIds(c.drafts.filter((d) => d.draft.secretDigest === digest).map((d) => d.apId));
          if (waiting.length) {
            await tx.query(`INSERT INTO ${rotationAps} (rotation_id, ap_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, [id, waiting]);
          }
          const started = rotationOf((await tx.query<RotationRow>(rotationQuery('r.id = $1'), [id])).rows[0]!);
          await audit(tx, c.actor, c.tenantId, 'radius-secret.rotation.start', `client:${c.clientId}`, null, rotationAudit(started), at);
          // No provisioned AP carries the new secret: the gateways are configured by
          // hand, so only an operator can say when they all have it (complete).
          return { rotation: started, published };
        });
      },
      async open(tenantId) {
        if (tenantId !== null && !storable(tenantId)) return [];
        const { rows } =
          tenantId === null
            ? await db.query<RotationRow>(rotationQuery('r.completed_at IS NULL', 'ORDER BY r.started_at, r.id'))
            : await db.query<RotationRow>(rotationQuery('r.tenant_id = $1 AND r.completed_at IS NULL', 'ORDER BY r.started_at, r.id'), [tenantId]);
        return rows.map(rotationOf);
      },
      async list(tenantId) {
        if (!storable(tenantId)) return [];
        const { rows } = await db.query<RotationRow>(rotationQuery('r.tenant_id = $1', 'ORDER BY r.started_at DESC, r.id'), [tenantId]);
        return rows.map(rotationOf);
      },
      async get(tenantId, id) {
        if (!storable(tenantId) || !storable(id)) return null;
        const { rows } = await db.query<RotationRow>(rotationQuery('r.tenant_id = $1 AND r.id = $2'), [tenantId, id]);
        return rows[0] ? rotationOf(rows[0]) : null;
      },
      async complete(c) {
        if (!storable(c.tenantId) || !storable(c.id)) throw new AppError(E.ROTATION_NOT_FOUND, { rotation: c.id });
        return write(async (tx) => {
          const { rows } = await tx.query<RotationRow>(rotationQuery('r.tenant_id = $1 AND r.id = $2', '', 'FOR UPDATE OF r'), [c.tenantId, c.id]);
          const row = rows[0];
          if (!row) throw new AppError(E.ROTATION_NOT_FOUND, { rotation: c.id });
          if (row.completed_at !== null) return rotationOf(row);
          // Read after the lock: APs that reported meanwhile are not stranded.
          const { rows: left } = await tx.query<{ ap_id: string }>(`SELECT ap_id FROM ${rotationAps} WHERE rotation_id = $1 ORDER BY ap_id`, [c.id]);
          return (await finishRotation(tx, c.id, c.actor, now(), left.map((p) => p.ap_id)))!;
        });
      },
    },
  };
}

function versionRow(apId: string, tenantId: string, version: number, draft: ConfigDraft, actor: string, at: Date): VersionRow {
  return {
    ap_id: apId,
    version,
    tenant_id: tenantId,
    checksum: draft.checksum,
    secret_digest: draft.secretDigest,
    bundle: draft.bundle,
    reason: draft.reason,
    actor,
    created_at: at,
  };
}

export interface PostgresProvisioningDeps {
  /** Defaults to crypto.randomUUID. */
  readonly newId?: () => string;
  /** Defaults to the system clock. */
  readonly clock?: Clock;
}

/**
 * Opens the provisioning store on the schema the core stores use (same
 * target: with a URL, a pool of its own, 5 connections unless poolSize says
 * otherwise, ended on close(); a caller's pool stays open), migrating it as
 * needed, as openPostgresStores does.
 */
export async function openPostgresProvisioningStore(target: PostgresTarget, deps: PostgresProvisioningDeps = {}): Promise<ProvisioningStore> {
  const { db, close } = await openPostgresDatabase('url' in target ? { ...target, poolSize: target.poolSize ?? 5 } : target);
  const store = createPgProvisioningStore(db, { newId: deps.newId ?? (() => randomUUID()), clock: deps.clock ?? systemClock });
  return { ...store, close };
}
