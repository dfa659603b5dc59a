/**
 * The durable tables' row shapes and row → entity mappings, shared by the
 * SQLite and PostgreSQL adapters. The dialects store the same columns but
 * read some kinds back differently (SQLite: integer ms, 0/1, JSON text,
 * numbers; PostgreSQL: Date, boolean, parsed jsonb, bigint as string), so a
 * row is generic over those column kinds (C) and the mappers are made once
 * per adapter from its decoders (see each adapter's columns.ts).
 *
 * Column lists, statements and entity → row writes stay in the adapters: they
 * differ by dialect.
 */
import type {
  AccessPoint,
  ApiToken,
  AuditEvent,
  Branding,
  Device,
  Identity,
  Locale,
  Placement,
  PortalSettings,
  RadiusClient,
  Role,
  Session,
  SessionStatus,
  Tenant,
  Wifi4Eu,
} from '../domain/entities.js';
import type { Mac } from '../domain/mac.js';
import { DEFAULT_POLICY, type Policy } from '../domain/policy.js';

/** How a dialect reads back each column kind. */
export interface ColumnKinds {
  /** A point in time. */
  readonly date: unknown;
  readonly bool: unknown;
  /** A JSON document. */
  readonly json: unknown;
  /** A counter (SQL bigint). */
  readonly bigint: unknown;
}

/** A dialect's conversions from its column values to domain values; each allocates at most the value it returns. */
export interface Decoders<C extends ColumnKinds> {
  readonly date: (v: C['date']) => Date;
  readonly dateOrNull: (v: C['date'] | null) => Date | null;
  readonly bool: (v: C['bool']) => boolean;
  readonly json: <T>(v: C['json']) => T;
  /** SQL NULL reads back as null. */
  readonly jsonOrNull: <T>(v: C['json'] | null) => T | null;
  readonly bigint: (v: C['bigint']) => number;
}

export interface TenantRow<C extends ColumnKinds> {
  id: string;
  slug: string;
  name: string;
  insee_code: string;
  branding: C['json'];
  policy: C['json'];
  wifi4eu: C['json'] | null;
  portal: C['json'] | null;
  created_at: C['date'];
  updated_at: C['date'];
}

export interface IdentityRow<C extends ColumnKinds> {
  id: string;
  username: string;
  email: string | null;
  password_hash: string;
  verified: C['bool'];
  verified_at: C['date'] | null;
  locale: string;
  disabled: C['bool'];
  password_changed_at: C['date'];
  created_at: C['date'];
  updated_at: C['date'];
  last_seen_at: C['date'] | null;
  inactivity_notice_at: C['date'] | null;
}

/**
 * What an erased identity's sessions and accounting records show as
 * User-Name: the identity id they keep is the pseudonym (GDPR art. 4(5)),
 * which only the legal archive links back to a person for its year.
 */
export const erasedUsername = (identityId: string): string => `erased:${identityId}`;

export interface AccessPointRow<C extends ColumnKinds> {
  id: string;
  tenant_id: string;
  mac: string;
  name: string;
  model: string | null;
  serial: string | null;
  site: string | null;
  latitude: number | null;
  longitude: number | null;
  placement: string;
  nas_identifier: string | null;
  created_at: C['date'];
  updated_at: C['date'];
}

export interface RadiusClientRow<C extends ColumnKinds> {
  id: string;
  tenant_id: string;
  name: string;
  network: string;
  secret: string;
  require_message_authenticator: C['bool'];
  coa_port: number;
  created_at: C['date'];
}

export interface DeviceRow<C extends ColumnKinds> {
  id: string;
  identity_id: string;
  mac: string;
  label: string | null;
  remembered_at: C['date'];
  expires_at: C['date'];
}

export interface ApiTokenRow<C extends ColumnKinds> {
  id: string;
  tenant_id: string | null;
  name: string;
  role: string;
  token_hash: string;
  created_at: C['date'];
  revoked_at: C['date'] | null;
}

export interface AuditRow<C extends ColumnKinds> {
  id: string;
  at: C['date'];
  actor: string;
  tenant_id: string | null;
  action: string;
  target: string;
  before_json: C['json'] | null;
  after_json: C['json'] | null;
}

/** The sessions table, shared by the session and accounting stores. */
export interface SessionRow<C extends ColumnKinds> {
  id: string;
  tenant_id: string;
  acct_session_id: string;
  nas_ip: string;
  nas_address: string | null;
  nas_identifier: string | null;
  identity_id: string | null;
  username: string;
  calling_station_id: string | null;
  called_station_id: string | null;
  ap_id: string | null;
  framed_ip: string | null;
  started_at: C['date'];
  updated_at: C['date'];
  stopped_at: C['date'] | null;
  session_time: C['bigint'];
  input_octets: C['bigint'];
  output_octets: C['bigint'];
  terminate_cause: string | null;
  status: string;
}

export interface RowMappers<C extends ColumnKinds> {
  toTenant(r: TenantRow<C>): Tenant;
  toIdentity(r: IdentityRow<C>): Identity;
  toAccessPoint(r: AccessPointRow<C>): AccessPoint;
  toRadiusClient(r: RadiusClientRow<C>): RadiusClient;
  toDevice(r: DeviceRow<C>): Device;
  toApiToken(r: ApiTokenRow<C>): ApiToken;
  toAuditEvent(r: AuditRow<C>): AuditEvent;
  toSession(r: SessionRow<C>): Session;
}

/** The mappers for one dialect; they use no `this`, so they can be passed as callbacks (`rows.map(toTenant)`). */
export function rowMappers<C extends ColumnKinds>(decoders: Decoders<C>): RowMappers<C> {
  const { date, dateOrNull, bool, json, jsonOrNull, bigint } = decoders;
  return {
    toTenant: (r) => ({
      id: r.id,
      slug: r.slug,
      name: r.name,
      inseeCode: r.insee_code,
      branding: json<Branding>(r.branding),
      // A policy written before a field existed gets that field's default.
      policy: { ...DEFAULT_POLICY, ...json<Partial<Policy>>(r.policy) },
      wifi4eu: jsonOrNull<Wifi4Eu>(r.wifi4eu),
      portal: jsonOrNull<PortalSettings>(r.portal),
      createdAt: date(r.created_at),
      updatedAt: date(r.updated_at),
    }),
    toIdentity: (r) => ({
      id: r.id,
      username: r.username,
      email: r.email,
      passwordHash: r.password_hash,
      verified: bool(r.verified),
      verifiedAt: dateOrNull(r.verified_at),
      locale: r.locale as Locale,
      disabled: bool(r.disabled),
      passwordChangedAt: date(r.password_changed_at),
      createdAt: date(r.created_at),
      updatedAt: date(r.updated_at),
      lastSeenAt: dateOrNull(r.last_seen_at),
      inactivityNoticeAt: dateOrNull(r.inactivity_notice_at),
    }),
    toAccessPoint: (r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      mac: r.mac as Mac,
      name: r.name,
      model: r.model,
      serial: r.serial,
      site: r.site,
      latitude: r.latitude,
      longitude: r.longitude,
      placement: r.placement as Placement,
      nasIdentifier: r.nas_identifier,
      createdAt: date(r.created_at),
      updatedAt: date(r.updated_at),
    }),
    toRadiusClient: (r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      name: r.name,
      network: r.network,
      secret: r.secret,
      requireMessageAuthenticator: bool(r.require_message_authenticator),
      coaPort: r.coa_port,
      createdAt: date(r.created_at),
    }),
    toDevice: (r) => ({
      id: r.id,
      identityId: r.identity_id,
      mac: r.mac as Mac,
      label: r.label,
      rememberedAt: date(r.remembered_at),
      expiresAt: date(r.expires_at),
    }),
    toApiToken: (r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      name: r.name,
      role: r.role as Role,
      tokenHash: r.token_hash,
      createdAt: date(r.created_at),
      revokedAt: dateOrNull(r.revoked_at),
    }),
    toAuditEvent: (r) => ({
      id: r.id,
      at: date(r.at),
      actor: r.actor,
      tenantId: r.tenant_id,
      action: r.action,
      target: r.target,
      before: jsonOrNull<unknown>(r.before_json),
      after: jsonOrNull<unknown>(r.after_json),
    }),
    toSession: (r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      acctSessionId: r.acct_session_id,
      nasIp: r.nas_ip,
      nasAddress: r.nas_address,
      nasIdentifier: r.nas_identifier,
      identityId: r.identity_id,
      username: r.username,
      callingStationId: r.calling_station_id as Mac | null,
      calledStationId: r.called_station_id,
      apId: r.ap_id,
      framedIp: r.framed_ip,
      startedAt: date(r.started_at),
      updatedAt: date(r.updated_at),
      stoppedAt: dateOrNull(r.stopped_at),
      sessionTime: bigint(r.session_time),
      inputOctets: bigint(r.input_octets),
      outputOctets: bigint(r.output_octets),
      terminateCause: r.terminate_cause,
      status: r.status as SessionStatus,
    }),
  };
}
