/**
 * The federation's entities. Plain immutable records: no I/O, no classes.
 * Input validation for each lives in ./validation.ts.
 */
import type { Mac } from './mac.js';
import type { Policy } from './policy.js';

export type Locale = 'fr' | 'en';
export const LOCALES: readonly Locale[] = ['fr', 'en'];

/** One region's network: one identity realm. */
export interface Federation {
  readonly name: string;
  /** The realm citizens may append to their username: `alice@wifi.example-region.fr`. */
  readonly realm: string;
}

export interface Branding {
  readonly displayName: string;
  readonly primaryColor: string;
  readonly logoUrl: string | null;
}

export interface Wifi4Eu {
  readonly networkId: string;
  readonly language: Locale;
  readonly selfTest: boolean;
}

/** The captive-portal protocols a municipality's gateways speak (captive-portal/nas/). */
export type GatewayType = 'coovachilli' | 'opennds' | 'generic';
export const GATEWAY_TYPES: readonly GatewayType[] = ['coovachilli', 'opennds', 'generic'];

/**
 * How the captive portal talks to a municipality's gateways. Without it the
 * portal still serves accounts and status pages but refuses gateway hand-offs.
 */
export interface PortalSettings {
  /** The one protocol accepted from this municipality's gateways. */
  readonly gateway: GatewayType;
  /** CoovaChilli `uamsecret`: checks the redirect's `md` and encodes the token. */
  readonly uamSecret: string | null;
  /** How the token travels to CoovaChilli: `password=` (PAP) or `response=` (CHAP). */
  readonly uamAuth: 'pap' | 'chap';
  /** openNDS `faskey` (FAS level 1); null for level 0. */
  readonly fasKey: string | null;
  /** Hosts the gateway lets through before login, besides the portal's own and WiFi4EU's. */
  readonly walledGarden: readonly string[];
}

/** A municipality: the tenant that owns access points, gateways and a portal. */
export interface Tenant {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  /** INSEE commune code: five characters, 2A/2B for Corsica. */
  readonly inseeCode: string;
  readonly branding: Branding;
  readonly policy: Policy;
  readonly wifi4eu: Wifi4Eu | null;
  readonly portal: PortalSettings | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/**
 * A RADIUS client of a municipality: a source network (its gateways are
 * often behind NAT) and the shared secret they all use.
 */
export interface RadiusClient {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  /** CIDR, normalised. */
  readonly network: string;
  readonly secret: string;
  /**
   * BlastRADIUS (CVE-2024-3596): Access-Requests without Message-Authenticator
   * are dropped unless this is explicitly relaxed for a legacy gateway.
   */
  readonly requireMessageAuthenticator: boolean;
  /** RFC 5176 dynamic-authorization port of the NAS, for Disconnect/CoA. */
  readonly coaPort: number;
  readonly createdAt: Date;
}

/** A citizen's one account for the whole federation. */
export interface Identity {
  readonly id: string;
  readonly username: string;
  readonly email: string | null;
  /** argon2id PHC string; never the password. */
  readonly passwordHash: string;
  readonly verified: boolean;
  readonly verifiedAt: Date | null;
  readonly locale: Locale;
  readonly disabled: boolean;
  readonly passwordChangedAt: Date;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly lastSeenAt: Date | null;
  /**
   * When the citizen was told the account would be erased for inactivity
   * (GDPR art. 5(1)(e)); cleared when they come back.
   */
  readonly inactivityNoticeAt: Date | null;
}

/** A MAC address a citizen chose to remember, for MAC authentication. */
export interface Device {
  readonly id: string;
  readonly identityId: string;
  readonly mac: Mac;
  readonly label: string | null;
  readonly rememberedAt: Date;
  readonly expiresAt: Date;
}

export type Placement = 'indoor' | 'outdoor';

export interface AccessPoint {
  readonly id: string;
  readonly tenantId: string;
  readonly mac: Mac;
  readonly name: string;
  readonly model: string | null;
  readonly serial: string | null;
  readonly site: string | null;
  readonly latitude: number | null;
  readonly longitude: number | null;
  readonly placement: Placement;
  /** NAS-Identifier the AP or its gateway sends, when it sends one. */
  readonly nasIdentifier: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type SessionStatus = 'active' | 'stopped';

/**
 * A connection as accounting describes it (RFC 2866). One row per
 * (tenant, NAS, Acct-Session-Id); it is also the legal connection log entry.
 */
export interface Session {
  readonly id: string;
  readonly tenantId: string;
  readonly acctSessionId: string;
  /** NAS-IP-Address (or NAS-IPv6-Address) when sent, else the source address. */
  readonly nasIp: string;
  /**
   * The source address the NAS's accounting came from: where Disconnect and
   * CoA requests go (RFC 5176 §3), which differs from NAS-IP-Address when the
   * NAS sits behind NAT. Null for sessions recorded before it was kept.
   */
  readonly nasAddress: string | null;
  readonly nasIdentifier: string | null;
  readonly identityId: string | null;
  readonly username: string;
  readonly callingStationId: Mac | null;
  readonly calledStationId: string | null;
  readonly apId: string | null;
  readonly framedIp: string | null;
  readonly startedAt: Date;
  readonly updatedAt: Date;
  readonly stoppedAt: Date | null;
  readonly sessionTime: number;
  readonly inputOctets: number;
  readonly outputOctets: number;
  readonly terminateCause: string | null;
  readonly status: SessionStatus;
}

export type AcctStatusType = 'start' | 'interim' | 'stop' | 'accounting-on' | 'accounting-off';

/** One Accounting-Request as received: the durable record the NAS was acknowledged for. */
export interface AccountingRecord {
  readonly tenantId: string;
  readonly statusType: AcctStatusType;
  readonly acctSessionId: string;
  readonly nasIp: string;
  /** Source address of the packet (see Session.nasAddress). */
  readonly nasAddress: string | null;
  readonly nasIdentifier: string | null;
  readonly username: string;
  readonly identityId: string | null;
  readonly callingStationId: Mac | null;
  readonly calledStationId: string | null;
  readonly apId: string | null;
  readonly framedIp: string | null;
  readonly sessionTime: number;
  readonly inputOctets: number;
  readonly outputOctets: number;
  readonly terminateCause: string | null;
  /** Event-Timestamp when the NAS sent one, else the time of receipt. */
  readonly eventAt: Date;
  readonly receivedAt: Date;
  /**
   * NAT port blocks the gateway reported for this session (RFC 8045
   * IP-Port-Range), kept in the legal connection log. Empty when none.
   */
  readonly natMappings: readonly NatMappingReport[];
}

/**
 * A public address and port block a carrier-grade or gateway NAT gave a
 * session's private address: what identifies a citizen when an authority
 * asks "who used 198.51.100.7 port 40321 at 14:02?" (CPCE L34-1, décret
 * 2021-1362 art. 5 1° c).
 */
export interface NatMappingReport {
  readonly publicIp: string;
  readonly portStart: number;
  readonly portEnd: number;
  /** The session's private address the block maps; null means its Framed-IP-Address. */
  readonly internalIp: string | null;
}

export type NatMappingSource = 'accounting' | 'import';

/** One NAT mapping in the legal connection log. */
export interface NatMapping {
  readonly id: string;
  readonly tenantId: string;
  /** The session it was matched to, null when none matched (kept for the year all the same). */
  readonly sessionId: string | null;
  readonly internalIp: string;
  readonly publicIp: string;
  readonly portStart: number;
  readonly portEnd: number;
  readonly startedAt: Date;
  readonly endedAt: Date | null;
  readonly source: NatMappingSource;
}

/**
 * A legal hold: records named in a judicial request, kept past the one-year
 * purge until the hold is released.
 */
export interface LegalHold {
  readonly id: string;
  /** Null for a federation-wide hold. */
  readonly tenantId: string | null;
  /** The authority's reference (requisition, case number). */
  readonly reference: string;
  readonly reason: string;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly releasedAt: Date | null;
  readonly releasedBy: string | null;
  readonly sessionIds: readonly string[];
}

/** Why an identity was erased (GDPR art. 17). */
export type ErasureReason = 'citizen' | 'inactivity' | 'operator';

export type Role = 'admin' | 'municipal-rw' | 'municipal-ro';

/** An API token: scoped to one municipality, or federation-wide (tenantId null, admin). */
export interface ApiToken {
  readonly id: string;
  readonly tenantId: string | null;
  readonly name: string;
  readonly role: Role;
  /** sha256 of the token: tokens are 256-bit random, so a fast hash is enough. */
  readonly tokenHash: string;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}

export interface AuditEvent {
  readonly id: string;
  readonly at: Date;
  /** `cli:root`, `token:<id>`, `portal`, `system`. */
  readonly actor: string;
  readonly tenantId: string | null;
  readonly action: string;
  readonly target: string;
  readonly before: unknown;
  readonly after: unknown;
}
