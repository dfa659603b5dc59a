/**
 * The provisioning port on SQLite. Every write is one better-sqlite3
 * transaction (synchronous, so nothing else runs in between) that also
 * appends its audit events to the shared audit_events table.
 *
 * It writes access_points itself (the AP and its profile change together),
 * and radius_clients.secret when a secret rotation completes.
 */
import { randomUUID } from 'node:crypto';
import type { AccessPoint } from '../../domain/entities.js';
import { AppError, E } from '../../errors.js';
import { systemClock } from '../../ports/clock.js';
import type { ConfigDraft, Enrolment, ProvisionedAp, ProvisioningStore, Published, PublishedDraft, SecretRotation, Variables } from '../../ports/provisioning.js';
import { applyAccessPointPatch } from '../entity-rules.js';
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
} from '../provisioning-rows.js';
import { json, limitOf, ms, msOrNull, parseJson, SQLITE_DECODERS, type SqliteColumns } from './columns.js';
import { uniqueViolation } from './constraints.js';
import { openDatabase, type SqliteDatabase, type SqliteTarget } from './database.js';
import type { SqliteDeps } from './deps.js';
import { accessPointWriter } from './access-point-store.js';

type ApRow = ApRowOf<SqliteColumns>;
type VersionRow = VersionRowOf<SqliteColumns>;
type StateRow = StateRowOf<SqliteColumns>;
type EnrolmentRow = EnrolmentRowOf<SqliteColumns>;
type CredentialRow = CredentialRowOf<SqliteColumns>;
type RotationRow = RotationRowOf<SqliteColumns>;

const AP_COLUMNS =
  'a.id, a.tenant_id, a.mac, a.name, a.model, a.serial, a.site, a.latitude, a.longitude, a.placement, a.nas_identifier, a.created_at, a.updated_at, p.profile';
const VERSION_COLUMNS = 'ap_id, version, tenant_id, checksum, secret_digest, bundle, reason, actor, created_at';
const SUMMARY_COLUMNS = 'ap_id, version, tenant_id, checksum, secret_digest, reason, actor, created_at';
const STATE_COLUMNS = `s.ap_id, s.tenant_id, s.current_version, v.checksum AS current_checksum, v.created_at AS published_at, s.status,
  s.applied_version, s.applied_at, s.error_version, s.error_message, s.error_at, s.last_seen_at, s.agent_info, s.enrolled_at`;

const { toProvisioned, toSummary, toVersion, toState, toEnrolment, toCredential, toRotation } = provisioningMappers<SqliteColumns>(SQLITE_DECODERS);

export function createSqliteProvisioningStore(db: SqliteDatabase, deps: SqliteDeps): Omit<ProvisioningStore, 'close'> {
  const q = {
    deleteAp: db.prepare<[string, string]>('DELETE FROM access_points WHERE tenant_id = ? AND id = ?'),
    upsertProfile: db.prepare<[string, string, string, number]>(
      `INSERT INTO ap_profiles (ap_id, tenant_id, profile, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (ap_id) DO UPDATE SET profile = excluded.profile, updated_at = excluded.updated_at`,
    ),
    apById: db.prepare<[string, string], ApRow>(
      `SELECT ${AP_COLUMNS} FROM access_points a LEFT JOIN ap_profiles p ON p.ap_id = a.id WHERE a.tenant_id = ? AND a.id = ?`,
    ),
    apsByTenant: db.prepare<[string], ApRow>(
      `SELECT ${AP_COLUMNS} FROM access_points a LEFT JOIN ap_profiles p ON p.ap_id = a.id WHERE a.tenant_id = ? ORDER BY a.name, a.mac`,
    ),
    apsAll: db.prepare<[], ApRow>(`SELECT ${AP_COLUMNS} FROM access_points a LEFT JOIN ap_profiles p ON p.ap_id = a.id ORDER BY a.tenant_id, a.name, a.mac`),
    apTenant: db.prepare<[string], { tenant_id: string; mac: string }>('SELECT tenant_id, mac FROM access_points WHERE id = ?'),

    getVariables: db.prepare<[string], { variables: string }>('SELECT variables FROM provisioning_variables WHERE scope = ?'),
    setVariables: db.prepare<[string, string, number]>(
      `INSERT INTO provisioning_variables (scope, variables, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (scope) DO UPDATE SET variables = excluded.variables, updated_at = excluded.updated_at`,
    ),

    currentVersion: db.prepare<[string, string], VersionRow>(
      `SELECT ${VERSION_COLUMNS.split(', ').map((c) => `v.${c}`).join(', ')} FROM agent_states s
       JOIN config_versions v ON v.ap_id = s.ap_id AND v.version = s.current_version WHERE s.tenant_id = ? AND s.ap_id = ?`,
    ),
    version: db.prepare<[string, string, number], VersionRow>(`SELECT ${VERSION_COLUMNS} FROM config_versions WHERE tenant_id = ? AND ap_id = ? AND version = ?`),
    history: db.prepare<[string, string, number], Omit<VersionRow, 'bundle'>>(
      `SELECT ${SUMMARY_COLUMNS} FROM config_versions WHERE tenant_id = ? AND ap_id = ? ORDER BY version DESC LIMIT ?`,
    ),
    publishHead: db.prepare<[string], { tenant_id: string; version: number | null; checksum: string | null }>(
      `SELECT a.tenant_id, v.version, v.checksum FROM access_points a LEFT JOIN agent_states s ON s.ap_id = a.id
       LEFT JOIN config_versions v ON v.ap_id = a.id AND v.version = s.current_version WHERE a.id = ?`,
    ),
    insertVersion: db.prepare(
      `INSERT INTO config_versions (${VERSION_COLUMNS}) VALUES (@ap_id, @version, @tenant_id, @checksum, @secret_digest, @bundle, @reason, @actor, @created_at)`,
    ),

    state: db.prepare<[string, string], StateRow>(
      `SELECT ${STATE_COLUMNS} FROM agent_states s LEFT JOIN config_versions v ON v.ap_id = s.ap_id AND v.version = s.current_version
       WHERE s.tenant_id = ? AND s.ap_id = ?`,
    ),
    states: db.prepare<[string], StateRow>(
      `SELECT ${STATE_COLUMNS} FROM agent_states s LEFT JOIN config_versions v ON v.ap_id = s.ap_id AND v.version = s.current_version
       JOIN access_points a ON a.id = s.ap_id WHERE s.tenant_id = ? ORDER BY a.name, a.mac`,
    ),
    ensureState: db.prepare<[string, string]>(`INSERT INTO agent_states (ap_id, tenant_id, status) VALUES (?, ?, 'pending') ON CONFLICT (ap_id) DO NOTHING`),
    setCurrent: db.prepare<[string, string, number]>(
      `INSERT INTO agent_states (ap_id, tenant_id, current_version, status) VALUES (?, ?, ?, 'pending')
       ON CONFLICT (ap_id) DO UPDATE SET current_version = excluded.current_version, status = 'pending'`,
    ),
    head: db.prepare<[string], Omit<VersionRow, 'bundle'>>(
      `SELECT ${SUMMARY_COLUMNS.split(', ').map((c) => `v.${c}`).join(', ')} FROM agent_states s
       JOIN config_versions v ON v.ap_id = s.ap_id AND v.version = s.current_version WHERE s.ap_id = ?`,
    ),
    writeReport: db.prepare(
      `UPDATE agent_states SET status = @status, applied_version = @applied_version, applied_at = @applied_at, error_version = @error_version,
         error_message = @error_message, error_at = @error_at WHERE ap_id = @ap_id`,
    ),
    touch: db.prepare<[number, string | null, string]>(
      `INSERT INTO agent_states (ap_id, tenant_id, status, last_seen_at, agent_info)
       SELECT a.id, a.tenant_id, 'pending', ?, ? FROM access_points a WHERE a.id = ?
       ON CONFLICT (ap_id) DO UPDATE SET last_seen_at = MAX(COALESCE(last_seen_at, 0), excluded.last_seen_at),
         agent_info = COALESCE(excluded.agent_info, agent_info)`,
    ),
    counts: db.prepare<[number], { tenant_id: string; registered: number; online: number }>(
      `SELECT a.tenant_id, COUNT(*) AS registered, COALESCE(SUM(CASE WHEN s.last_seen_at >= ? THEN 1 ELSE 0 END), 0) AS online
       FROM access_points a LEFT JOIN agent_states s ON s.ap_id = a.id GROUP BY a.tenant_id ORDER BY a.tenant_id`,
    ),
    setEnrolled: db.prepare<[number, string]>('UPDATE agent_states SET enrolled_at = ? WHERE ap_id = ?'),

    dropUnusedEnrolments: db.prepare<[string]>('DELETE FROM enrolments WHERE ap_id = ? AND used_at IS NULL'),
    insertEnrolment: db.prepare(
      'INSERT INTO enrolments (token_hash, ap_id, tenant_id, created_at, expires_at, used_at) VALUES (@token_hash, @ap_id, @tenant_id, @created_at, @expires_at, NULL)',
    ),
    enrolment: db.prepare<[string], EnrolmentRow>('SELECT token_hash, ap_id, tenant_id, created_at, expires_at, used_at FROM enrolments WHERE token_hash = ?'),
    useEnrolment: db.prepare<[number, string]>('UPDATE enrolments SET used_at = ? WHERE token_hash = ? AND used_at IS NULL'),
    upsertCredential: db.prepare(
      `INSERT INTO device_credentials (ap_id, tenant_id, key_hash, certificate_serial, certificate_not_after, certificate_pem, created_at)
       VALUES (@ap_id, @tenant_id, @key_hash, @certificate_serial, @certificate_not_after, @certificate_pem, @created_at)
       ON CONFLICT (ap_id) DO UPDATE SET key_hash = excluded.key_hash, certificate_serial = excluded.certificate_serial,
         certificate_not_after = excluded.certificate_not_after, certificate_pem = excluded.certificate_pem, created_at = excluded.created_at`,
    ),
    credentialByHash: db.prepare<[string], CredentialRow>(
      'SELECT ap_id, tenant_id, key_hash, certificate_serial, certificate_not_after, certificate_pem, created_at FROM device_credentials WHERE key_hash = ?',
    ),
    credential: db.prepare<[string, string], CredentialRow>(
      'SELECT ap_id, tenant_id, key_hash, certificate_serial, certificate_not_after, certificate_pem, created_at FROM device_credentials WHERE tenant_id = ? AND ap_id = ?',
    ),

    client: db.prepare<[string, string], { id: string; secret: string }>('SELECT id, secret FROM radius_clients WHERE tenant_id = ? AND id = ?'),
    setClientSecret: db.prepare<[string, string]>('UPDATE radius_clients SET secret = ? WHERE id = ?'),
    insertRotation: db.prepare(
      `INSERT INTO secret_rotations (id, tenant_id, client_id, new_secret, secret_digest, started_at, completed_at)
       VALUES (@id, @tenant_id, @client_id, @new_secret, @secret_digest, @started_at, NULL)`,
    ),
    rotation: db.prepare<[string, string], RotationRow>('SELECT * FROM secret_rotations WHERE tenant_id = ? AND id = ?'),
    rotationById: db.prepare<[string], RotationRow>('SELECT * FROM secret_rotations WHERE id = ?'),
    rotationsOpen: db.prepare<[], RotationRow>('SELECT * FROM secret_rotations WHERE completed_at IS NULL ORDER BY started_at, id'),
    rotationsOpenByTenant: db.prepare<[string], RotationRow>('SELECT * FROM secret_rotations WHERE tenant_id = ? AND completed_at IS NULL ORDER BY started_at, id'),
    rotationsByTenant: db.prepare<[string], RotationRow>('SELECT * FROM secret_rotations WHERE tenant_id = ? ORDER BY started_at DESC, id'),
    rotationPending: db.prepare<[string], { ap_id: string }>('SELECT ap_id FROM secret_rotation_aps WHERE rotation_id = ? ORDER BY ap_id'),
    insertRotationAp: db.prepare<[string, string]>('INSERT INTO secret_rotation_aps (rotation_id, ap_id) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    pendingForAp: db.prepare<[string], { rotation_id: string; secret_digest: string }>(
      `SELECT r.id AS rotation_id, r.secret_digest FROM secret_rotation_aps ra JOIN secret_rotations r ON r.id = ra.rotation_id
       WHERE ra.ap_id = ? AND r.completed_at IS NULL`,
    ),
    deleteRotationAp: db.prepare<[string, string]>('DELETE FROM secret_rotation_aps WHERE rotation_id = ? AND ap_id = ?'),
    completeRotation: db.prepare<[number, string]>('UPDATE secret_rotations SET completed_at = ? WHERE id = ? AND completed_at IS NULL'),

    audit: db.prepare(
      `INSERT INTO audit_events (id, at, actor, tenant_id, action, target, before_json, after_json)
       VALUES (@id, @at, @actor, @tenant_id, @action, @target, @before_json, @after_json)`,
    ),
  };

  const now = (): Date => deps.clock.now();

  const audit = (actor: string, tenantId: string | null, action: string, target: string, before: unknown, after: unknown, at: Date): void => {
    q.audit.run({
      id: deps.newId(),
      at: ms(at),
      actor,
      tenant_id: tenantId,
      action,
      target,
      before_json: json(before ?? null),
      after_json: json(after ?? null),
    });
  };

  const apWriter = accessPointWriter(db);

  const rotationOf = (r: RotationRow): SecretRotation => toRotation(r, r.completed_at === null ? q.rotationPending.all(r.id).map((p) => p.ap_id) : []);

  /** Makes the new secret the client's own: the old one stops being valid. */
  const finishRotation = (id: string, actor: string, at: Date, stranded: readonly string[]): SecretRotation | null => {
    const row = q.rotationById.get(id);
    if (!row || row.completed_at !== null) return null;
    q.setClientSecret.run(row.new_secret, row.client_id);
    q.completeRotation.run(ms(at), id);
    const done = rotationOf({ ...row, completed_at: ms(at) });
    audit(actor, row.tenant_id, 'radius-secret.rotation.complete', `client:${row.client_id}`, null, { ...rotationAudit(done), strandedApIds: stranded }, at);
    return done;
  };

  /**
   * Publishes one draft when its checksum differs from the AP's current
   * version; null when unchanged. The version row itself (actor, reason,
   * time) is the audit record of a publish: the change that caused it has
   * its own event.
   */
  const publishOne = (tenantId: string, apId: string, draft: ConfigDraft, actor: string, at: Date): Published | null => {
    const cur = q.publishHead.get(apId);
    if (!cur || cur.tenant_id !== tenantId) throw new AppError(E.AP_NOT_FOUND, { ap: apId });
    if (cur.checksum === draft.checksum) return null;
    // The current version is always the newest: every publish, rollbacks included, adds one.
    const version = (cur.version ?? 0) + 1;
    const row: VersionRow = {
      ap_id: apId,
      version,
      tenant_id: tenantId,
      checksum: draft.checksum,
      secret_digest: draft.secretDigest,
      bundle: draft.bundle,
      reason: draft.reason,
      actor,
      created_at: ms(at),
    };
    q.insertVersion.run(row);
    q.setCurrent.run(apId, tenantId, version);
    return toSummary(row);
  };

  const publishMany = (tenantId: string, drafts: readonly PublishedDraft[], actor: string, at: Date): Published[] => {
    const out: Published[] = [];
    for (const d of drafts) {
      const p = publishOne(tenantId, d.apId, d.draft, actor, at);
      if (p) out.push(p);
    }
    return out;
  };

  const getProvisioned = (tenantId: string, id: string): ProvisionedAp | null => {
    const row = q.apById.get(tenantId, id);
    return row ? toProvisioned(row) : null;
  };

  const create = db.transaction(
    (c: Parameters<ProvisioningStore['registry']['create']>[0]): { provisioned: ProvisionedAp; published: Published | null } => {
      const at = now();
      const ap: AccessPoint = { id: deps.newId(), tenantId: c.tenantId, ...applyAccessPointPatch(c.ap), createdAt: at, updatedAt: at };
      apWriter.insert(ap);
      const profile = pickProfile(c.profile);
      q.upsertProfile.run(ap.id, c.tenantId, JSON.stringify(profile), ms(at));
      q.ensureState.run(ap.id, c.tenantId);
      if (c.enrolment) {
        q.insertEnrolment.run({ token_hash: c.enrolment.tokenHash, ap_id: ap.id, tenant_id: c.tenantId, created_at: ms(at), expires_at: ms(c.enrolment.expiresAt) });
      }
      const provisioned = { ap, profile };
      audit(c.actor, c.tenantId, 'ap.create', `ap:${ap.mac}`, null, auditAp(provisioned), at);
      const published = c.draft ? publishOne(c.tenantId, ap.id, c.draft, c.actor, at) : null;
      return { provisioned, published };
    },
  );

  const update = db.transaction(
    (c: Parameters<ProvisioningStore['registry']['update']>[0]): { provisioned: ProvisionedAp; published: Published | null } => {
      const before = getProvisioned(c.tenantId, c.id);
      if (!before) throw new AppError(E.AP_NOT_FOUND, { ap: c.id });
      const at = now();
      const profile = pickProfile(c.profile);
      // Nothing changed, nothing to write or audit (the draft may still differ: settings elsewhere moved).
      if (sameAp(before, c.ap, profile)) return { provisioned: before, published: c.draft ? publishOne(c.tenantId, c.id, c.draft, c.actor, at) : null };
      const ap: AccessPoint = { ...before.ap, ...applyAccessPointPatch(c.ap), updatedAt: at };
      apWriter.update(ap);
      q.upsertProfile.run(ap.id, c.tenantId, JSON.stringify(profile), ms(at));
      const provisioned = { ap, profile };
      audit(c.actor, c.tenantId, 'ap.update', `ap:${ap.mac}`, auditAp(before), auditAp(provisioned), at);
      const published = c.draft ? publishOne(c.tenantId, ap.id, c.draft, c.actor, at) : null;
      return { provisioned, published };
    },
  );

  const remove = db.transaction((c: { tenantId: string; id: string; actor: string }): void => {
    const before = getProvisioned(c.tenantId, c.id);
    if (!before) throw new AppError(E.AP_NOT_FOUND, { ap: c.id });
    const at = now();
    const pending = q.pendingForAp.all(c.id);
    q.deleteAp.run(c.tenantId, c.id);
    audit(c.actor, c.tenantId, 'ap.delete', `ap:${before.ap.mac}`, auditAp(before), null, at);
    // The AP no longer holds its rotations back.
    for (const p of pending) if (q.rotationPending.all(p.rotation_id).length === 0) finishRotation(p.rotation_id, c.actor, at, []);
  });

  const setVariables = db.transaction((c: Parameters<ProvisioningStore['variables']['set']>[0]): Published[] => {
    const at = now();
    const scope = c.tenantId ?? '';
    const before = parseJson<Variables>(q.getVariables.get(scope)?.variables ?? null) ?? {};
    q.setVariables.run(scope, JSON.stringify(c.variables), ms(at));
    audit(c.actor, c.tenantId, 'variables.set', c.tenantId === null ? 'federation' : `tenant:${c.tenantId}`, redactVariables(before), redactVariables(c.variables), at);
    const out: Published[] = [];
    for (const d of c.drafts) {
      const owner = q.apTenant.get(d.apId);
      if (!owner) throw new AppError(E.AP_NOT_FOUND, { ap: d.apId });
      const p = publishOne(owner.tenant_id, d.apId, d.draft, c.actor, at);
      if (p) out.push(p);
    }
    return out;
  });

  const publish = db.transaction((c: Parameters<ProvisioningStore['versions']['publish']>[0]): Published[] => publishMany(c.tenantId, c.drafts, c.actor, now()));

  const issue = db.transaction((c: Parameters<ProvisioningStore['enrolments']['issue']>[0]): Enrolment => {
    const owner = q.apTenant.get(c.apId);
    if (!owner || owner.tenant_id !== c.tenantId) throw new AppError(E.AP_NOT_FOUND, { ap: c.apId });
    const at = now();
    q.dropUnusedEnrolments.run(c.apId);
    q.insertEnrolment.run({ token_hash: c.enrolment.tokenHash, ap_id: c.apId, tenant_id: c.tenantId, created_at: ms(at), expires_at: ms(c.enrolment.expiresAt) });
    audit(c.actor, c.tenantId, 'ap.enrolment.issue', `ap:${owner.mac}`, null, { expiresAt: c.enrolment.expiresAt }, at);
    return { tenantId: c.tenantId, apId: c.apId, expiresAt: c.enrolment.expiresAt, usedAt: null };
  });

  const redeem = db.transaction((c: Parameters<ProvisioningStore['enrolments']['redeem']>[0]) => {
    const row = q.enrolment.get(c.tokenHash);
    if (!row) return { ok: false as const, reason: 'unknown' as const };
    if (row.used_at !== null) return { ok: false as const, reason: 'used' as const };
    if (row.expires_at <= ms(c.now)) return { ok: false as const, reason: 'expired' as const };
    q.useEnrolment.run(ms(c.now), c.tokenHash);
    const cred: CredentialRow = {
      ap_id: row.ap_id,
      tenant_id: row.tenant_id,
      key_hash: c.credential.keyHash,
      certificate_serial: c.credential.certificateSerial,
      certificate_not_after: msOrNull(c.credential.certificateNotAfter),
      certificate_pem: c.credential.certificatePem,
      created_at: ms(c.now),
    };
    q.upsertCredential.run(cred);
    q.ensureState.run(row.ap_id, row.tenant_id);
    q.setEnrolled.run(ms(c.now), row.ap_id);
    const mac = q.apTenant.get(row.ap_id)?.mac ?? row.ap_id;
    audit(`device:${row.ap_id}`, row.tenant_id, 'ap.enrol', `ap:${mac}`, null, { certificateSerial: cred.certificate_serial, certificateNotAfter: c.credential.certificateNotAfter }, c.now);
    return { ok: true as const, tenantId: row.tenant_id, apId: row.ap_id, credential: toCredential(cred) };
  });

  const report = db.transaction((c: Parameters<ProvisioningStore['agents']['report']>[0]) => {
    const owner = q.apTenant.get(c.apId);
    if (!owner || owner.tenant_id !== c.tenantId) throw new AppError(E.AP_NOT_FOUND, { ap: c.apId });
    const ver = q.version.get(c.tenantId, c.apId, c.version);
    if (!ver) throw new AppError(E.CONFIG_VERSION_NOT_FOUND, { ap: c.apId, version: c.version });
    q.ensureState.run(c.apId, c.tenantId);
    const s = q.state.get(c.tenantId, c.apId)!;
    const { next, changed } = applyReport(toState(s), s.current_version, c);
    if (changed) {
      q.writeReport.run({
        ap_id: c.apId,
        status: next.status,
        applied_version: next.appliedVersion,
        applied_at: msOrNull(next.appliedAt),
        error_version: next.errorVersion,
        error_message: next.errorMessage,
        error_at: msOrNull(next.errorAt),
      });
    }
    const completed: SecretRotation[] = [];
    if (c.status === 'applied' && ver.secret_digest !== null) {
      for (const p of q.pendingForAp.all(c.apId)) {
        if (p.secret_digest !== ver.secret_digest) continue;
        q.deleteRotationAp.run(p.rotation_id, c.apId);
        if (q.rotationPending.all(p.rotation_id).length === 0) {
          const done = finishRotation(p.rotation_id, `device:${c.apId}`, c.at, []);
          if (done) completed.push(done);
        }
      }
    }
    return { state: toState(q.state.get(c.tenantId, c.apId)!), changed, completedRotations: completed };
  });

  const touch = db.transaction((batch: Parameters<ProvisioningStore['agents']['touch']>[0]): void => {
    for (const t of batch) q.touch.run(ms(t.at), t.info === null ? null : JSON.stringify(t.info), t.apId);
  });

  const startRotation = db.transaction((c: Parameters<ProvisioningStore['rotations']['start']>[0]) => {
    const client = q.client.get(c.tenantId, c.clientId);
    if (!client) throw new AppError(E.CLIENT_NOT_FOUND, { client: c.clientId });
    const at = now();
    const id = deps.newId();
    const digest = sha256(c.newSecret);
    try {
      q.insertRotation.run({ id, tenant_id: c.tenantId, client_id: c.clientId, new_secret: c.newSecret, secret_digest: digest, started_at: ms(at) });
    } catch (e) {
      if (uniqueViolation(e) !== null) throw new AppError(E.ROTATION_IN_PROGRESS, { client: c.clientId });
      throw e;
    }
    const published = publishMany(c.tenantId, c.drafts, c.actor, at);
    for (const d of c.drafts) if (d.draft.secretDigest === digest) q.insertRotationAp.run(id, d.apId);
    const started = rotationOf(q.rotationById.get(id)!);
    audit(c.actor, c.tenantId, 'radius-secret.rotation.start', `client:${c.clientId}`, null, rotationAudit(started), at);
    // No provisioned AP carries the new secret: the gateways are configured by
    // hand, so only an operator can say when they all have it (complete).
    return { rotation: started, published };
  });

  const completeRotationNow = db.transaction((c: { tenantId: string; id: string; actor: string }): SecretRotation => {
    const row = q.rotation.get(c.tenantId, c.id);
    if (!row) throw new AppError(E.ROTATION_NOT_FOUND, { rotation: c.id });
    if (row.completed_at !== null) return rotationOf(row);
    const stranded = q.rotationPending.all(c.id).map((p) => p.ap_id);
    return finishRotation(c.id, c.actor, now(), stranded)!;
  });

  return {
    registry: {
      async create(c) {
        return create.immediate(c);
      },
      async get(tenantId, id) {
        return getProvisioned(tenantId, id);
      },
      async list(tenantId) {
        return q.apsByTenant.all(tenantId).map(toProvisioned);
      },
      async listAll() {
        return q.apsAll.all().map(toProvisioned);
      },
      async update(c) {
        return update.immediate(c);
      },
      async delete(c) {
        remove.immediate(c);
      },
    },
    variables: {
      async get(tenantId) {
        return parseJson<Variables>(q.getVariables.get(tenantId ?? '')?.variables ?? null) ?? {};
      },
      async set(c) {
        return setVariables.immediate(c);
      },
    },
    versions: {
      async current(tenantId, apId) {
        const row = q.currentVersion.get(tenantId, apId);
        return row ? toVersion(row) : null;
      },
      async head(tenantId, apId) {
        const row = q.head.get(apId);
        return row && row.tenant_id === tenantId ? toSummary(row) : null;
      },
      async get(tenantId, apId, version) {
        const row = q.version.get(tenantId, apId, version);
        return row ? toVersion(row) : null;
      },
      async history(tenantId, apId, opts = {}) {
        return q.history.all(tenantId, apId, limitOf(opts.limit)).map(toSummary);
      },
      async publish(c) {
        return publish.immediate(c);
      },
    },
    enrolments: {
      async issue(c) {
        return issue.immediate(c);
      },
      async find(tokenHash) {
        const row = q.enrolment.get(tokenHash);
        return row ? toEnrolment(row) : null;
      },
      async redeem(c) {
        return redeem.immediate(c);
      },
    },
    credentials: {
      async findByKeyHash(keyHash) {
        const row = q.credentialByHash.get(keyHash);
        return row ? toCredential(row) : null;
      },
      async get(tenantId, apId) {
        const row = q.credential.get(tenantId, apId);
        return row ? toCredential(row) : null;
      },
    },
    agents: {
      async state(tenantId, apId) {
        const row = q.state.get(tenantId, apId);
        if (row) return toState(row);
        const owner = q.apTenant.get(apId);
        return owner && owner.tenant_id === tenantId ? emptyAgentState(tenantId, apId) : null;
      },
      async states(tenantId) {
        return q.states.all(tenantId).map(toState);
      },
      async report(c) {
        return report.immediate(c);
      },
      async touch(batch) {
        if (batch.length) touch.immediate(batch);
      },
      async counts(since) {
        return q.counts.all(ms(since)).map((r) => ({ tenantId: r.tenant_id, registered: r.registered, online: r.online }));
      },
    },
    rotations: {
      async start(c) {
        return startRotation.immediate(c);
      },
      async open(tenantId) {
        return (tenantId === null ? q.rotationsOpen.all() : q.rotationsOpenByTenant.all(tenantId)).map(rotationOf);
      },
      async list(tenantId) {
        return q.rotationsByTenant.all(tenantId).map(rotationOf);
      },
      async get(tenantId, id) {
        const row = q.rotation.get(tenantId, id);
        return row ? rotationOf(row) : null;
      },
      async complete(c) {
        return completeRotationNow.immediate(c);
      },
    },
  };
}

/**
 * Opens its own connection to the node's database file (WAL lets it sit
 * beside the core stores' connection); migrates as needed.
 */
export function openSqliteProvisioningStore(target: SqliteTarget, deps: Partial<SqliteDeps> = {}): ProvisioningStore {
  const db = openDatabase(target);
  const store = createSqliteProvisioningStore(db, { newId: deps.newId ?? (() => randomUUID()), clock: deps.clock ?? systemClock });
  return {
    ...store,
    async close() {
      if (db.open) db.close();
    },
  };
}
