/** The API's JSON representations (documented in openapi.ts). Never a secret. */
import type { ApiToken, AuditEvent } from '../controller/domain/entities.js';
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
