/** The API's JSON representations (documented in openapi.ts). Never a secret. */
import type { ApiToken, AuditEvent, LegalHold, Session } from '../controller/domain/entities.js';
import type { DynAuthResult } from '../controller/ports/dynamic-authorization.js';
import type { AgentState, ConfigVersion, ConfigVersionSummary, ProvisionedAp, SecretRotation } from '../controller/ports/provisioning.js';
import { decodeBundle } from './render/bundle.js';
import { redactText } from './render/redact.js';

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

export interface Liveness {
  readonly lastSeenAt: Date | null;
  readonly online: boolean;
}

export function configStatusView(s: AgentState | null) {
  return {
    version: s?.currentVersion ?? null,
    checksum: s?.currentChecksum ?? null,
    publishedAt: iso(s?.publishedAt),
    status: s?.status ?? 'pending',
    appliedVersion: s?.appliedVersion ?? null,
    appliedAt: iso(s?.appliedAt),
    error: s && s.errorVersion !== null ? { version: s.errorVersion, message: s.errorMessage ?? '', at: iso(s.errorAt) } : null,
  };
}

export function agentView(s: AgentState | null, live: Liveness) {
  return { enrolledAt: iso(s?.enrolledAt), lastSeenAt: iso(live.lastSeenAt), online: live.online, info: s?.agentInfo ?? null };
}

export function apView(p: ProvisionedAp, s: AgentState | null, live: Liveness) {
  const { ap, profile } = p;
  return {
    id: ap.id,
    mac: ap.mac,
    name: ap.name,
    model: ap.model,
    serial: ap.serial,
    vendor: profile.vendor,
    site: ap.site,
    latitude: ap.latitude,
    longitude: ap.longitude,
    placement: ap.placement,
    nasIdentifier: ap.nasIdentifier,
    firmware: profile.firmware,
    gateway: profile.gateway,
    radiusClientId: profile.radiusClientId,
    bands: [...profile.bands],
    ssids: profile.ssids.map((s) => ({ ...s })),
    variables: { ...profile.variables },
    createdAt: ap.createdAt.toISOString(),
    updatedAt: ap.updatedAt.toISOString(),
    config: configStatusView(s),
    agent: agentView(s, live),
  };
}

export function versionSummaryView(v: ConfigVersionSummary) {
  return { version: v.version, checksum: v.checksum, reason: v.reason, actor: v.actor, createdAt: v.createdAt.toISOString() };
}

/** Files as people see them: secrets masked. */
export function versionView(v: ConfigVersion) {
  return { ...versionSummaryView(v), files: decodeBundle(v.bundle).map((f) => ({ path: f.path, content: redactText(f.content) })) };
}

export function rotationView(r: SecretRotation) {
  return { id: r.id, clientId: r.clientId, startedAt: r.startedAt.toISOString(), completedAt: iso(r.completedAt), pendingApIds: [...r.pendingApIds] };
}

export function tokenView(t: ApiToken, tenantSlug: string | null) {
  return { id: t.id, name: t.name, role: t.role, tenant: tenantSlug, createdAt: t.createdAt.toISOString(), revokedAt: iso(t.revokedAt) };
}

export function auditView(e: AuditEvent) {
  return { id: e.id, at: e.at.toISOString(), actor: e.actor, action: e.action, target: e.target, before: e.before ?? null, after: e.after ?? null };
}

/**
 * A session as operators see it. The device MAC is shown in full: it is
 * what a municipality's IT needs to recognise a device on its gateway.
 */
export function sessionView(s: Session, municipality: string) {
  return {
    id: s.id,
    municipality,
    acctSessionId: s.acctSessionId,
    username: s.username,
    identityId: s.identityId,
    status: s.status,
    startedAt: s.startedAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    stoppedAt: iso(s.stoppedAt),
    terminateCause: s.terminateCause,
    sessionTime: s.sessionTime,
    inputOctets: s.inputOctets,
    outputOctets: s.outputOctets,
    nasIp: s.nasIp,
    nasIdentifier: s.nasIdentifier,
    framedIp: s.framedIp,
    apId: s.apId,
    deviceMac: s.callingStationId,
  };
}

export function dynAuthResultView(r: DynAuthResult) {
  return { outcome: r.outcome, errorCause: r.errorCause, errorCauseName: r.errorCauseName, attempts: r.attempts, durationMs: Math.round(r.durationMs), invalidReplies: r.invalidReplies };
}

export function holdView(h: LegalHold, municipality: string | null) {
  return {
    id: h.id,
    municipality,
    reference: h.reference,
    reason: h.reason,
    createdBy: h.createdBy,
    createdAt: h.createdAt.toISOString(),
    releasedAt: iso(h.releasedAt),
    releasedBy: h.releasedBy,
    sessionIds: [...h.sessionIds],
  };
}

const field = <T>(o: unknown, k: string, is: (v: unknown) => v is T, dflt: T): T => {
  const v = o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined;
  return is(v) ? v : dflt;
};
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number';
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** One legal-log export from its audit event: who exported what, why, and the file's digest. */
export function legalExportRecordView(e: AuditEvent, municipality: string | null) {
  const a = e.after;
  return {
    auditId: e.id,
    at: e.at.toISOString(),
    actor: e.actor,
    municipality,
    reference: field(a, 'reference', isString, ''),
    reason: field(a, 'reason', isString, ''),
    format: field(a, 'format', isString, ''),
    via: field(a, 'via', isString, ''),
    sessions: field(a, 'sessions', isNumber, 0),
    sha256: field(a, 'sha256', isString, ''),
    filter: field(a, 'filter', isObject, {}),
  };
}
