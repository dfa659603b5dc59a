/**
 * The durable stores' ports. SQLite implements them for one node,
 * PostgreSQL for many; test/contract/ holds the one suite every adapter runs.
 *
 * Every tenant-owned record is read and written with its tenant: callers
 * resolve the tenant at the edge (RADIUS client, API token, portal path) and
 * pass it down, so no query can reach another municipality's data.
 */
import type {
  AccessPoint,
  AccountingRecord,
  ApiToken,
  AuditEvent,
  Branding,
  Device,
  ErasureReason,
  Federation,
  Identity,
  Locale,
  Placement,
  PortalSettings,
  RadiusClient,
  Role,
  Session,
  Tenant,
  Wifi4Eu,
} from '../domain/entities.js';
import type { Mac } from '../domain/mac.js';
import type { LegalLogStore } from './legal-log.js';
import type { Policy } from '../domain/policy.js';

export interface FederationStore {
  get(): Promise<Federation | null>;
  set(federation: Federation): Promise<void>;
}

export interface NewTenant {
  readonly slug: string;
  readonly name: string;
  readonly inseeCode: string;
  readonly branding: Branding;
  readonly policy: Policy;
  readonly wifi4eu: Wifi4Eu | null;
  /** Gateway settings of the captive portal; absent means none yet. */
  readonly portal?: PortalSettings | null;
}

export interface TenantStore {
  /** @throws AppError TENANT_EXISTS */
  create(t: NewTenant): Promise<Tenant>;
  get(id: string): Promise<Tenant | null>;
  getBySlug(slug: string): Promise<Tenant | null>;
  list(): Promise<Tenant[]>;
  /** @throws AppError TENANT_NOT_FOUND */
  update(id: string, patch: Partial<Omit<NewTenant, 'slug'>>): Promise<Tenant>;
}

export interface NewRadiusClient {
  readonly name: string;
  readonly network: string;
  readonly secret: string;
  readonly requireMessageAuthenticator: boolean;
  readonly coaPort: number;
}

export interface RadiusClientStore {
  /** @throws AppError CLIENT_EXISTS when the network is already a client (of any tenant) */
  add(tenantId: string, c: NewRadiusClient): Promise<RadiusClient>;
  /** Every tenant's clients, for building the source-address lookup. */
  listAll(): Promise<RadiusClient[]>;
  list(tenantId: string): Promise<RadiusClient[]>;
  /** @throws AppError CLIENT_NOT_FOUND */
  remove(tenantId: string, id: string): Promise<void>;
}

export interface NewIdentity {
  readonly username: string;
  readonly email: string | null;
  readonly passwordHash: string;
  readonly locale: Locale;
  readonly verified: boolean;
}

export interface IdentityPatch {
  readonly email?: string | null;
  readonly passwordHash?: string;
  readonly locale?: Locale;
  readonly verified?: boolean;
  readonly disabled?: boolean;
}

export interface IdentityStore {
  /** @throws AppError USERNAME_TAKEN | EMAIL_TAKEN */
  create(i: NewIdentity): Promise<Identity>;
  get(id: string): Promise<Identity | null>;
  getByUsername(username: string): Promise<Identity | null>;
  getByEmail(email: string): Promise<Identity | null>;
  list(opts?: { limit?: number; offset?: number }): Promise<Identity[]>;
  /**
   * A new passwordHash also moves passwordChangedAt; any change moves
   * updatedAt, which caches of verified passwords key on.
   * @throws AppError IDENTITY_NOT_FOUND | EMAIL_TAKEN
   */
  update(id: string, patch: IdentityPatch): Promise<Identity>;
  /** Records a login; also clears an inactivity notice (the citizen came back). */
  touch(id: string, at: Date): Promise<void>;

  /**
   * Identities whose last login (or creation, when they never logged in)
   * is before `before` and that were not yet given an inactivity notice.
   */
  listInactive(before: Date, limit: number): Promise<Identity[]>;
  /** Records that the inactivity notice went out (or was due, for an account without e-mail). */
  markInactivityNotice(id: string, at: Date): Promise<void>;
  /** Identities noticed before `before` that have not logged in since the notice. */
  listNoticeExpired(before: Date, limit: number): Promise<Identity[]>;
  /**
   * GDPR art. 17 erasure, in one transaction: the account and its devices
   * go; the legal connection log keeps its sessions under the identity id
   * (now a pseudonym), their usernames replaced by `erased:<id>`; username
   * and e-mail move to the legal archive for the year décret 2021-1362
   * art. 3 requires (LegalLogStore.archivedIdentity), then the purge
   * removes them.
   * @throws AppError IDENTITY_NOT_FOUND
   */
  erase(id: string, at: Date, reason: ErasureReason): Promise<void>;
}

export interface DeviceStore {
  /**
   * Remembers a MAC for an identity until expiresAt. A MAC belongs to one
   * identity at a time: remembering it again moves it.
   */
  remember(identityId: string, mac: Mac, expiresAt: Date, label: string | null): Promise<Device>;
  /** The device remembered for this MAC and not expired at `now`. */
  findActiveByMac(mac: Mac, now: Date): Promise<Device | null>;
  listByIdentity(identityId: string): Promise<Device[]>;
  /** @throws AppError DEVICE_NOT_FOUND */
  forget(identityId: string, deviceId: string): Promise<void>;
}

export interface NewAccessPoint {
  readonly mac: Mac;
  readonly name: string;
  readonly model: string | null;
  readonly serial: string | null;
  readonly site: string | null;
  readonly latitude: number | null;
  readonly longitude: number | null;
  readonly placement: Placement;
  readonly nasIdentifier: string | null;
}

export interface AccessPointStore {
  /** @throws AppError AP_EXISTS when the MAC is registered anywhere in the federation */
  create(tenantId: string, ap: NewAccessPoint): Promise<AccessPoint>;
  get(tenantId: string, id: string): Promise<AccessPoint | null>;
  /** Federation-wide: a MAC is unique; the caller checks the tenant. */
  findByMac(mac: Mac): Promise<AccessPoint | null>;
  findByNasIdentifier(tenantId: string, nasIdentifier: string): Promise<AccessPoint | null>;
  list(tenantId: string): Promise<AccessPoint[]>;
  /** @throws AppError AP_NOT_FOUND | AP_EXISTS */
  update(tenantId: string, id: string, patch: Partial<NewAccessPoint>): Promise<AccessPoint>;
  /** @throws AppError AP_NOT_FOUND */
  delete(tenantId: string, id: string): Promise<void>;
}

export interface SessionQuery {
  readonly tenantId?: string;
  readonly identityId?: string;
  readonly activeOnly?: boolean;
  readonly limit?: number;
}

export interface AccountingStore {
  /**
   * Makes a batch of accounting records durable and moves their sessions,
   * all in one transaction. When the promise resolves the records survive a
   * crash: only then may the NAS be acknowledged (RFC 2866 §4.1).
   * Accounting-On/Off close the NAS's open sessions (RFC 2866 §5.1).
   */
  record(batch: readonly AccountingRecord[]): Promise<AccountingOutcome>;
  /** Raw records, oldest first: for audits and tests. */
  count(): Promise<number>;
}

/** What a batch changed, for metrics. */
export interface AccountingOutcome {
  /**
   * Octets the batch added to sessions' counters, per tenant: the growth of
   * each session's Acct-Input/Output-Octets (with Gigawords), never negative.
   */
  readonly octets: ReadonlyMap<string, { readonly input: number; readonly output: number }>;
}

export interface SessionStore {
  get(tenantId: string, id: string): Promise<Session | null>;
  list(q: SessionQuery): Promise<Session[]>;
  countActive(identityId: string): Promise<number>;
  /** Seconds and bytes the identity used in sessions that overlap [since, now]. */
  usageSince(identityId: string, since: Date): Promise<{ seconds: number; bytes: number }>;
  /**
   * Closes active sessions whose last update is older than their cut-off
   * (the reaper: interim updates stopped). Returns the closed sessions.
   */
  closeStale(updatedBefore: Date, at: Date, cause: string): Promise<Session[]>;
}

export interface NewApiToken {
  readonly tenantId: string | null;
  readonly name: string;
  readonly role: Role;
  readonly tokenHash: string;
}

export interface ApiTokenStore {
  create(t: NewApiToken): Promise<ApiToken>;
  findByHash(tokenHash: string): Promise<ApiToken | null>;
  list(tenantId: string | null): Promise<ApiToken[]>;
  /** @throws AppError TOKEN_NOT_FOUND */
  revoke(id: string, at: Date): Promise<void>;
}

export type NewAuditEvent = Omit<AuditEvent, 'id' | 'at'> & { readonly at?: Date };

export interface AuditStore {
  append(e: NewAuditEvent): Promise<AuditEvent>;
  /** Newest first. `action` filters by exact action or by prefix ending in `.` (`legal.`). */
  list(q: { tenantId?: string | null; limit?: number; action?: string }): Promise<AuditEvent[]>;
}

/** All durable stores of one backend. */
export interface Stores {
  readonly backend: 'sqlite' | 'postgres';
  readonly federation: FederationStore;
  readonly tenants: TenantStore;
  readonly clients: RadiusClientStore;
  readonly identities: IdentityStore;
  readonly devices: DeviceStore;
  readonly accessPoints: AccessPointStore;
  readonly accounting: AccountingStore;
  readonly sessions: SessionStore;
  readonly tokens: ApiTokenStore;
  readonly audit: AuditStore;
  readonly legal: LegalLogStore;
  /** Cheap round trip for readiness probes. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
