/**
 * The provisioning tables' row shapes, row → value mappings and the rules
 * both provisioning adapters (SQLite, PostgreSQL) apply alike: what a
 * profile is made of, what an audit record may show, how an agent's report
 * moves its state. Rows are generic over the dialect's column kinds, as in
 * ./rows.ts; statements, locking and writes stay in the adapters.
 */
import { createHash } from 'node:crypto';
import type { AccessPoint } from '../domain/entities.js';
import {
  DEFAULT_PROFILE,
  type AgentState,
  type ApProfile,
  type ApplyStatus,
  type ConfigVersion,
  type ConfigVersionSummary,
  type DeviceCredential,
  type Enrolment,
  type ProvisionedAp,
  type SecretRotation,
  type Variables,
} from '../ports/provisioning.js';
import type { NewAccessPoint } from '../ports/stores.js';
import { applyAccessPointPatch } from './entity-rules.js';
import { rowMappers, type AccessPointRow, type ColumnKinds, type Decoders } from './rows.js';

/** An access point joined with its profile (null: registered without one). */
export interface ApRow<C extends ColumnKinds> extends AccessPointRow<C> {
  profile: C['json'] | null;
}

export interface VersionSummaryRow<C extends ColumnKinds> {
  ap_id: string;
  version: number;
  tenant_id: string;
  checksum: string;
  secret_digest: string | null;
  reason: string;
  actor: string;
  created_at: C['date'];
}

export interface VersionRow<C extends ColumnKinds> extends VersionSummaryRow<C> {
  bundle: string;
}

/** agent_states joined with its current version (checksum, publication time). */
export interface StateRow<C extends ColumnKinds> {
  ap_id: string;
  tenant_id: string;
  current_version: number | null;
  current_checksum: string | null;
  published_at: C['date'] | null;
  status: string;
  applied_version: number | null;
  applied_at: C['date'] | null;
  error_version: number | null;
  error_message: string | null;
  error_at: C['date'] | null;
  last_seen_at: C['date'] | null;
  agent_info: C['json'] | null;
  enrolled_at: C['date'] | null;
}

export interface EnrolmentRow<C extends ColumnKinds> {
  token_hash: string;
  ap_id: string;
  tenant_id: string;
  created_at: C['date'];
  expires_at: C['date'];
  used_at: C['date'] | null;
}

export interface CredentialRow<C extends ColumnKinds> {
  ap_id: string;
  tenant_id: string;
  key_hash: string;
  certificate_serial: string | null;
  certificate_not_after: C['date'] | null;
  certificate_pem: string | null;
  created_at: C['date'];
}

export interface RotationRow<C extends ColumnKinds> {
  id: string;
  tenant_id: string;
  client_id: string;
  new_secret: string;
  secret_digest: string;
  started_at: C['date'];
  completed_at: C['date'] | null;
}

export interface ProvisioningMappers<C extends ColumnKinds> {
  toProvisioned(r: ApRow<C>): ProvisionedAp;
  toSummary(r: VersionSummaryRow<C>): ConfigVersionSummary;
  toVersion(r: VersionRow<C>): ConfigVersion;
  toState(r: StateRow<C>): AgentState;
  toEnrolment(r: EnrolmentRow<C>): Enrolment;
  toCredential(r: CredentialRow<C>): DeviceCredential;
  /** pendingApIds: the APs still listed for it; a completed rotation waits for none. */
  toRotation(r: RotationRow<C>, pendingApIds: readonly string[]): SecretRotation;
}

/** The mappers for one dialect, from its decoders; like ./rows.ts, they use no `this`. */
export function provisioningMappers<C extends ColumnKinds>(decoders: Decoders<C>): ProvisioningMappers<C> {
  const { date, dateOrNull, jsonOrNull } = decoders;
  const { toAccessPoint } = rowMappers(decoders);
  const toSummary = (r: VersionSummaryRow<C>): ConfigVersionSummary => ({
    tenantId: r.tenant_id,
    apId: r.ap_id,
    version: r.version,
    checksum: r.checksum,
    reason: r.reason,
    actor: r.actor,
    createdAt: date(r.created_at),
  });
  return {
    toProvisioned: (r) => {
      const ap = toAccessPoint(r);
      // A profile written before a field existed gets that field's default.
      const profile: ApProfile = { ...DEFAULT_PROFILE, ...(jsonOrNull<Partial<ApProfile>>(r.profile) ?? {}) };
      return { ap, profile };
    },
    toSummary,
    toVersion: (r) => ({ ...toSummary(r), bundle: r.bundle, secretDigest: r.secret_digest }),
    toState: (r) => ({
      tenantId: r.tenant_id,
      apId: r.ap_id,
      currentVersion: r.current_version,
      currentChecksum: r.current_checksum,
      publishedAt: dateOrNull(r.published_at),
      status: r.status as ApplyStatus,
      appliedVersion: r.applied_version,
      appliedAt: dateOrNull(r.applied_at),
      errorVersion: r.error_version,
      errorMessage: r.error_message,
      errorAt: dateOrNull(r.error_at),
      lastSeenAt: dateOrNull(r.last_seen_at),
      agentInfo: jsonOrNull<Record<string, string>>(r.agent_info),
      enrolledAt: dateOrNull(r.enrolled_at),
    }),
    toEnrolment: (r) => ({ tenantId: r.tenant_id, apId: r.ap_id, expiresAt: date(r.expires_at), usedAt: dateOrNull(r.used_at) }),
    toCredential: (r) => ({
      tenantId: r.tenant_id,
      apId: r.ap_id,
      keyHash: r.key_hash,
      certificateSerial: r.certificate_serial,
      certificateNotAfter: dateOrNull(r.certificate_not_after),
      certificatePem: r.certificate_pem,
      createdAt: date(r.created_at),
    }),
    toRotation: (r, pendingApIds) => ({
      id: r.id,
      tenantId: r.tenant_id,
      clientId: r.client_id,
      newSecret: r.new_secret,
      startedAt: date(r.started_at),
      completedAt: dateOrNull(r.completed_at),
      pendingApIds: r.completed_at === null ? pendingApIds : [],
    }),
  };
}

/** The state of an AP whose agent never reported and that has no version yet. */
export const emptyAgentState = (tenantId: string, apId: string): AgentState => ({
  tenantId,
  apId,
  currentVersion: null,
  currentChecksum: null,
  publishedAt: null,
  status: 'pending',
  appliedVersion: null,
  appliedAt: null,
  errorVersion: null,
  errorMessage: null,
  errorAt: null,
  lastSeenAt: null,
  agentInfo: null,
  enrolledAt: null,
});

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Audit records never carry secrets: variables whose name says secret, key or password are masked. */
export function redactVariables(v: Variables): Variables {
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) out[k] = /secret|key|password/i.test(k) && val !== null ? '[redacted]' : val;
  return out;
}

export const auditProfile = (p: ApProfile): ApProfile => ({ ...p, variables: redactVariables(p.variables) });

/** An AP as its audit events show it: fields and profile, secrets masked. */
export const auditAp = (p: ProvisionedAp): AccessPoint & { profile: ApProfile } => ({ ...p.ap, profile: auditProfile(p.profile) });

export const rotationAudit = (r: SecretRotation) => ({ id: r.id, clientId: r.clientId, startedAt: r.startedAt, completedAt: r.completedAt, pendingApIds: r.pendingApIds });

/** The port's profile fields only, in one order (callers may pass wider objects). */
export function pickProfile(p: ApProfile): ApProfile {
  return {
    vendor: p.vendor,
    firmware: p.firmware,
    gateway: p.gateway,
    radiusClientId: p.radiusClientId,
    bands: [...p.bands],
    ssids: p.ssids.map((s) => ({ ssid: s.ssid, security: s.security, hidden: s.hidden, captivePortal: s.captivePortal })),
    variables: { ...p.variables },
  };
}

/** JSON with every object's keys sorted: equal values, equal text, whatever order a database kept the keys in. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val !== null && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : val,
  );
}

/** True when an update would change neither the AP's fields nor its profile: then nothing is written or audited. */
export function sameAp(before: ProvisionedAp, ap: NewAccessPoint, profile: ApProfile): boolean {
  return (
    canonicalJson(applyAccessPointPatch(ap)) === canonicalJson(applyAccessPointPatch(before.ap)) &&
    canonicalJson(pickProfile(profile)) === canonicalJson(pickProfile(before.profile))
  );
}

/** What an agent's report changes: the apply status and the applied and failed versions. */
export interface ReportFields {
  readonly status: ApplyStatus;
  readonly appliedVersion: number | null;
  readonly appliedAt: Date | null;
  readonly errorVersion: number | null;
  readonly errorMessage: string | null;
  readonly errorAt: Date | null;
}

/**
 * The state after an agent's report for `version` of an AP whose current
 * version is `currentVersion`; `changed` is false for a repeated report
 * (the times of the first one are kept).
 */
export function applyReport(
  s: ReportFields,
  currentVersion: number | null,
  r: { readonly version: number; readonly status: 'applied' | 'error'; readonly message: string | null; readonly at: Date },
): { readonly next: ReportFields; readonly changed: boolean } {
  let { status, appliedVersion, appliedAt, errorVersion, errorMessage, errorAt } = s;
  const isCurrent = currentVersion === r.version;
  if (r.status === 'applied') {
    // appliedVersion moves forward only.
    if (appliedVersion === null || r.version > appliedVersion) {
      appliedVersion = r.version;
      appliedAt = r.at;
    }
    if (isCurrent) status = 'applied';
    // A version applied at or after the failed one supersedes the error.
    if (errorVersion !== null && r.version >= errorVersion) {
      errorVersion = null;
      errorMessage = null;
      errorAt = null;
    }
  } else {
    const message = r.message ?? '';
    if (errorVersion !== r.version || errorMessage !== message) {
      errorVersion = r.version;
      errorMessage = message;
      errorAt = r.at;
    }
    // An error for the current version is its status, unless that version was applied since.
    if (isCurrent && !(appliedVersion !== null && appliedVersion >= r.version)) status = 'error';
  }
  const changed = status !== s.status || appliedVersion !== s.appliedVersion || errorVersion !== s.errorVersion || errorMessage !== s.errorMessage;
  return { next: { status, appliedVersion, appliedAt, errorVersion, errorMessage, errorAt }, changed };
}
