/**
 * How the stores build and change entities, whatever the database: the
 * SQLite and PostgreSQL adapters (and the SQLite provisioning store) share
 * these so that both keep exactly the port's semantics.
 */
import type { AccessPoint, Identity, RadiusClient } from '../domain/entities.js';
import type { IdentityPatch, NewAccessPoint, NewRadiusClient } from '../ports/stores.js';

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
