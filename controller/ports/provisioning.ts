/**
 * Provisioning's durable state: how each access point is rendered (its
 * profile), the variables of the federation and of each municipality, the
 * configuration versions published for each AP, one-time enrolment tokens,
 * the per-device credentials they are exchanged for, what each agent last
 * reported, and RADIUS secret rotations.
 *
 * Every change the API makes is ONE call here and one transaction in the
 * adapter, audit event included: a failure leaves nothing half-written.
 * The adapter publishes a configuration draft only when its checksum differs
 * from the AP's current version, so re-rendering unchanged settings is free.
 * Every call takes the tenant; another municipality's AP behaves as unknown.
 */
import type { AccessPoint } from '../domain/entities.js';
import type { NewAccessPoint } from './stores.js';

export type Firmware = 'openwrt' | 'hostapd' | 'generic';
/**
 * The captive-portal gateway the AP runs: `municipality` follows the
 * municipality's portal settings (coovachilli, opennds; generic means an
 * external gateway, so none on the AP); `none` bridges SSIDs to the LAN.
 */
export type GatewayChoice = 'municipality' | 'none' | 'opennds' | 'coovachilli';
export type Band = '2g' | '5g';
export type SsidSecurity = 'open' | 'wpa2-enterprise';

export interface SsidSpec {
  /** null: the merged `ssid` variable. */
  readonly ssid: string | null;
  readonly security: SsidSecurity;
  readonly hidden: boolean;
  /** Open SSIDs only: clients go through the municipality's captive portal gateway. */
  readonly captivePortal: boolean;
}

/** Variables: federation, then municipality, then AP; each level may set any subset. */
export type Variables = Readonly<Record<string, unknown>>;

/** What provisioning adds to an access point's registration. */
export interface ApProfile {
  readonly vendor: string | null;
  readonly firmware: Firmware;
  readonly gateway: GatewayChoice;
  /** The municipality's RADIUS client whose secret the AP uses; null: the first by name. */
  readonly radiusClientId: string | null;
  readonly bands: readonly Band[];
  /** Empty: one open SSID named by the `ssid` variable, behind the captive portal. */
  readonly ssids: readonly SsidSpec[];
  readonly variables: Variables;
}

/** What an AP gets when it was registered without a profile (by the CLI). */
export const DEFAULT_PROFILE: ApProfile = Object.freeze({
  vendor: null,
  firmware: 'openwrt',
  gateway: 'municipality',
  radiusClientId: null,
  bands: Object.freeze(['2g', '5g'] as const),
  ssids: Object.freeze([]),
  variables: Object.freeze({}),
});

export interface ProvisionedAp {
  readonly ap: AccessPoint;
  readonly profile: ApProfile;
}

/** A rendered configuration not yet published. */
export interface ConfigDraft {
  /** The canonical bundle text (see provisioning/render/bundle.ts). */
  readonly bundle: string;
  /** sha256 of the bundle, lower-case hex. */
  readonly checksum: string;
  /** Why it was rendered: `ap.create`, `ap.update`, `variables`, `rollback:3`, `rotation`, `republish`. */
  readonly reason: string;
  /**
   * sha256 of the RADIUS shared secret the bundle carries (null: none). A
   * rotation counts an AP done only when it applied a version carrying the
   * new secret, so a rollback to an old version cannot complete it.
   */
  readonly secretDigest: string | null;
}

export interface ConfigVersionSummary {
  readonly tenantId: string;
  readonly apId: string;
  readonly version: number;
  readonly checksum: string;
  readonly reason: string;
  readonly actor: string;
  readonly createdAt: Date;
}

export interface ConfigVersion extends ConfigVersionSummary {
  readonly bundle: string;
  readonly secretDigest: string | null;
}

export type ApplyStatus = 'pending' | 'applied' | 'error';

/** What the controller knows of an AP's agent and of its current configuration. */
export interface AgentState {
  readonly tenantId: string;
  readonly apId: string;
  readonly currentVersion: number | null;
  readonly currentChecksum: string | null;
  readonly publishedAt: Date | null;
  /** Status of the current version: pending until the agent reports it (OpenWISP's "modified"). */
  readonly status: ApplyStatus;
  /** The newest version the agent reported applied. */
  readonly appliedVersion: number | null;
  readonly appliedAt: Date | null;
  readonly errorVersion: number | null;
  readonly errorMessage: string | null;
  readonly errorAt: Date | null;
  readonly lastSeenAt: Date | null;
  readonly agentInfo: Readonly<Record<string, string>> | null;
  readonly enrolledAt: Date | null;
}

export interface NewEnrolment {
  readonly tokenHash: string;
  readonly expiresAt: Date;
}

export interface Enrolment {
  readonly tenantId: string;
  readonly apId: string;
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
}

export interface NewDeviceCredential {
  readonly keyHash: string;
  readonly certificateSerial: string | null;
  readonly certificateNotAfter: Date | null;
  readonly certificatePem: string | null;
}

export interface DeviceCredential extends NewDeviceCredential {
  readonly tenantId: string;
  readonly apId: string;
  readonly createdAt: Date;
}

export type RedeemResult =
  | { readonly ok: true; readonly tenantId: string; readonly apId: string; readonly credential: DeviceCredential }
  | { readonly ok: false; readonly reason: 'unknown' | 'used' | 'expired' };

export interface SecretRotation {
  readonly id: string;
  readonly tenantId: string;
  readonly clientId: string;
  /** The secret being rolled out; the client's current secret stays valid until completedAt. */
  readonly newSecret: string;
  readonly startedAt: Date;
  readonly completedAt: Date | null;
  /** APs that have not yet reported applied a version carrying newSecret. */
  readonly pendingApIds: readonly string[];
}

export interface PublishedDraft {
  readonly apId: string;
  readonly draft: ConfigDraft;
}

/** A version published by a call, so the caller can notify waiting agents. */
export type Published = ConfigVersionSummary;

export interface ApRegistry {
  /**
   * The AP, its profile, its enrolment token and its first version (when it
   * could be rendered), plus the audit event, in one transaction.
   * @throws AppError AP_EXISTS | TENANT_NOT_FOUND
   */
  create(c: {
    readonly tenantId: string;
    readonly ap: NewAccessPoint;
    readonly profile: ApProfile;
    readonly enrolment: NewEnrolment | null;
    readonly draft: ConfigDraft | null;
    readonly actor: string;
  }): Promise<{ readonly provisioned: ProvisionedAp; readonly published: Published | null }>;
  get(tenantId: string, id: string): Promise<ProvisionedAp | null>;
  list(tenantId: string): Promise<ProvisionedAp[]>;
  /** Every tenant's APs: start-up reconciliation re-renders them all. */
  listAll(): Promise<ProvisionedAp[]>;
  /**
   * Replaces the AP's fields and profile; publishes the draft when it changed.
   * An update that changes no field writes (and audits) nothing.
   * @throws AppError AP_NOT_FOUND | AP_EXISTS
   */
  update(c: {
    readonly tenantId: string;
    readonly id: string;
    readonly ap: NewAccessPoint;
    readonly profile: ApProfile;
    readonly draft: ConfigDraft | null;
    readonly actor: string;
  }): Promise<{ readonly provisioned: ProvisionedAp; readonly published: Published | null }>;
  /** Deletes the AP with its versions, credentials and state. @throws AppError AP_NOT_FOUND */
  delete(c: { readonly tenantId: string; readonly id: string; readonly actor: string }): Promise<void>;
}

export interface VariableStore {
  /** tenantId null: the federation's. Unset: {}. */
  get(tenantId: string | null): Promise<Variables>;
  /** Replaces the variables and publishes the drafts that changed, in one transaction. */
  set(c: {
    readonly tenantId: string | null;
    readonly variables: Variables;
    readonly drafts: readonly PublishedDraft[];
    readonly actor: string;
  }): Promise<Published[]>;
}

export interface ConfigVersionStore {
  current(tenantId: string, apId: string): Promise<ConfigVersion | null>;
  /** The current version without its bundle: what an unchanged poll needs. */
  head(tenantId: string, apId: string): Promise<ConfigVersionSummary | null>;
  get(tenantId: string, apId: string, version: number): Promise<ConfigVersion | null>;
  /** Newest first. */
  history(tenantId: string, apId: string, opts?: { readonly limit?: number }): Promise<ConfigVersionSummary[]>;
  /**
   * Publishes each draft whose checksum differs from its AP's current
   * version, in one transaction. A version records who published it, when
   * and why: it is its own audit record.
   * @throws AppError AP_NOT_FOUND when a draft names an AP of another tenant
   */
  publish(c: { readonly tenantId: string; readonly drafts: readonly PublishedDraft[]; readonly actor: string }): Promise<Published[]>;
}

export interface EnrolmentStore {
  /** A new one-time token for the AP; any unused one is dropped. @throws AppError AP_NOT_FOUND */
  issue(c: { readonly tenantId: string; readonly apId: string; readonly enrolment: NewEnrolment; readonly actor: string }): Promise<Enrolment>;
  /** The enrolment for a token hash, used or not (the caller checks usedAt and expiresAt). */
  find(tokenHash: string): Promise<Enrolment | null>;
  /**
   * Atomically: the token must exist, be unused and unexpired at `now`; it is
   * marked used and the AP's credential replaced (re-enrolment), with audit.
   */
  redeem(c: { readonly tokenHash: string; readonly now: Date; readonly credential: NewDeviceCredential }): Promise<RedeemResult>;
}

export interface DeviceCredentialStore {
  findByKeyHash(keyHash: string): Promise<DeviceCredential | null>;
  get(tenantId: string, apId: string): Promise<DeviceCredential | null>;
}

export interface ReportOutcome {
  readonly state: AgentState;
  /** False when the same report had already been recorded (idempotent repeat). */
  readonly changed: boolean;
  /** Rotations this report completed: the client's secret is now the new one. */
  readonly completedRotations: readonly SecretRotation[];
}

export interface AgentStatusStore {
  state(tenantId: string, apId: string): Promise<AgentState | null>;
  states(tenantId: string): Promise<AgentState[]>;
  /**
   * Records an agent's report for one of the AP's versions. Idempotent: the
   * same report again changes nothing. An `applied` report moves
   * appliedVersion forward only, clears an error of that or an older
   * version, and advances secret rotations.
   * @throws AppError AP_NOT_FOUND | CONFIG_VERSION_NOT_FOUND
   */
  report(c: {
    readonly tenantId: string;
    readonly apId: string;
    readonly version: number;
    readonly status: 'applied' | 'error';
    readonly message: string | null;
    readonly at: Date;
  }): Promise<ReportOutcome>;
  /** Heartbeats, batched: the newest lastSeenAt wins; unknown APs are ignored. */
  touch(batch: ReadonlyArray<{ readonly apId: string; readonly at: Date; readonly info: Readonly<Record<string, string>> | null }>): Promise<void>;
  /** APs per tenant, and those seen since `since`: for the registered/online gauges. */
  counts(since: Date): Promise<Array<{ readonly tenantId: string; readonly registered: number; readonly online: number }>>;
}

export interface SecretRotationStore {
  /**
   * Starts rolling out a new secret for a RADIUS client: publishes the drafts
   * (rendered with the new secret) and waits for each of those APs to report
   * one applied. Completes at once when no AP uses the client.
   * @throws AppError CLIENT_NOT_FOUND | ROTATION_IN_PROGRESS
   */
  start(c: {
    readonly tenantId: string;
    readonly clientId: string;
    readonly newSecret: string;
    readonly drafts: readonly PublishedDraft[];
    readonly actor: string;
  }): Promise<{ readonly rotation: SecretRotation; readonly published: Published[] }>;
  /** Open (not completed) rotations of a tenant, or of every tenant when null. */
  open(tenantId: string | null): Promise<SecretRotation[]>;
  list(tenantId: string): Promise<SecretRotation[]>;
  get(tenantId: string, id: string): Promise<SecretRotation | null>;
  /** Completes now, stranding the APs still pending (an operator's decision). @throws AppError ROTATION_NOT_FOUND */
  complete(c: { readonly tenantId: string; readonly id: string; readonly actor: string }): Promise<SecretRotation>;
}

export interface ProvisioningStore {
  readonly registry: ApRegistry;
  readonly variables: VariableStore;
  readonly versions: ConfigVersionStore;
  readonly enrolments: EnrolmentStore;
  readonly credentials: DeviceCredentialStore;
  readonly agents: AgentStatusStore;
  readonly rotations: SecretRotationStore;
  close(): Promise<void>;
}
