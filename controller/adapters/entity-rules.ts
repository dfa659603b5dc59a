/**
 * How the stores build and change entities, whatever the database: the
 * SQLite and PostgreSQL adapters (and the SQLite provisioning store) share
 * these so that both keep exactly the port's semantics.
 */
import type { AccessPoint, ApiToken, Identity, RadiusClient, Tenant } from '../domain/entities.js';
import type { IdentityPatch, NewAccessPoint, NewApiToken, NewIdentity, NewRadiusClient, NewTenant } from '../ports/stores.js';

const or = <T>(v: T | undefined, cur: T): T => (v === undefined ? cur : v);

/** The port's fields only (callers may pass wider objects); an undefined field keeps its value. */
export function applyAccessPointPatch(ap: NewAccessPoint, patch: Partial<NewAccessPoint> = {}): NewAccessPoint {
  return {
    mac: or(patch.mac, ap.mac),
    name: or(patch.name, ap.name),
    model: or(patch.model, ap.model),
    serial: or(patch.serial, ap.serial),
    site: or(patch.site, ap.site),
    latitude: or(patch.latitude, ap.latitude),
    longitude: or(patch.longitude, ap.longitude),
    placement: or(patch.placement, ap.placement),
    nasIdentifier: or(patch.nasIdentifier, ap.nasIdentifier),
  };
}

export function newAccessPoint(id: string, tenantId: string, ap: NewAccessPoint, now: Date): AccessPoint {
  return { id, tenantId, ...applyAccessPointPatch(ap), createdAt: now, updatedAt: now };
}

export function newRadiusClient(id: string, tenantId: string, c: NewRadiusClient, now: Date): RadiusClient {
  return {
    id,
    tenantId,
    name: c.name,
    network: c.network,
    secret: c.secret,
    requireMessageAuthenticator: c.requireMessageAuthenticator,
    coaPort: c.coaPort,
    createdAt: now,
  };
}

/**
 * The identity after a patch, or null when nothing changes (then updatedAt,
 * which password caches key on, must not move). A new hash moves
 * passwordChangedAt; verifying sets verifiedAt once.
 */
export function applyIdentityPatch(cur: Identity, patch: IdentityPatch, now: Date): Identity | null {
  const email = patch.email !== undefined ? patch.email : cur.email;
  const passwordHash = patch.passwordHash ?? cur.passwordHash;
  const verified = patch.verified ?? cur.verified;
  const locale = patch.locale ?? cur.locale;
  const disabled = patch.disabled ?? cur.disabled;
  const passwordChanged = passwordHash !== cur.passwordHash;
  const changed = passwordChanged || email !== cur.email || verified !== cur.verified || locale !== cur.locale || disabled !== cur.disabled;
  if (!changed) return null;
  return {
    ...cur,
    email,
    passwordHash,
    verified,
    verifiedAt: verified ? (cur.verified ? cur.verifiedAt : now) : null,
    locale,
    disabled,
    passwordChangedAt: passwordChanged ? now : cur.passwordChangedAt,
    updatedAt: now,
  };
}

export function newIdentity(id: string, i: NewIdentity, now: Date): Identity {
  return {
    id,
    username: i.username,
    email: i.email,
    passwordHash: i.passwordHash,
    verified: i.verified,
    verifiedAt: i.verified ? now : null,
    locale: i.locale,
    disabled: false,
    passwordChangedAt: now,
    createdAt: now,
    updatedAt: now,
    lastSeenAt: null,
    inactivityNoticeAt: null,
  };
}

export function newApiToken(id: string, t: NewApiToken, now: Date): ApiToken {
  return { id, tenantId: t.tenantId, name: t.name, role: t.role, tokenHash: t.tokenHash, createdAt: now, revokedAt: null };
}

/** `undefined` keeps a field; for the nullable settings `null` clears it. */
export function applyTenantPatch(cur: Tenant, patch: Partial<Omit<NewTenant, 'slug'>>, now: Date): Tenant {
  return {
    ...cur,
    name: patch.name ?? cur.name,
    inseeCode: patch.inseeCode ?? cur.inseeCode,
    branding: patch.branding ?? cur.branding,
    policy: patch.policy ?? cur.policy,
    wifi4eu: patch.wifi4eu !== undefined ? patch.wifi4eu : cur.wifi4eu,
    portal: patch.portal !== undefined ? patch.portal : cur.portal,
    updatedAt: now,
  };
}
