/**
 * The legal connection log's port (CPCE L34-1 II bis, décret 2021-1362):
 * sessions (controller/ports/stores.ts SessionStore) are its rows; this port
 * adds the NAT mappings gateways report, legal holds, the one-year purge and
 * the search an export answers. SQLite and PostgreSQL implement it; the one
 * contract suite is test/contract/legal-log-store.contract.ts.
 *
 * Tenant scoping: `tenantId` null means federation-wide (an admin); a
 * municipality's caller always passes its own tenant.
 */
import type { ErasureReason, LegalHold, NatMapping, Session } from '../domain/entities.js';

/** A mapping to store: the store assigns the id and matches the session. */
export type NewNatMapping = Omit<NatMapping, 'id' | 'tenantId' | 'sessionId'>;

export interface NatImportResult {
  /** Mappings stored (new ones; a re-import of the same line is not counted twice). */
  readonly imported: number;
  /** Of those, the ones matched to a session of the tenant (same private address, overlapping time). */
  readonly matched: number;
  /** Lines already stored by an earlier import. */
  readonly duplicates: number;
}

/**
 * What a judicial request asks for. At least one of ip or identityId; the
 * window is mandatory and bounded by the caller (a year at most).
 */
export interface LegalSearch {
  readonly tenantId: string | null;
  readonly from: Date;
  readonly to: Date;
  /** Public or private address: matches Framed-IP-Address and NAT public addresses. */
  readonly ip?: string;
  /** With ip: only NAT mappings whose port block contains this port. */
  readonly port?: number;
  readonly identityId?: string;
  /** Default and maximum chosen by the caller. */
  readonly limit: number;
}

/** One row of an export: a session and the NAT mappings that matched the search. */
export interface LegalLogEntry {
  readonly session: Session;
  readonly natMappings: readonly NatMapping[];
  /**
   * The subscriber the identity id stands for: the live account, or the
   * archive kept for a year after an erasure (décret 2021-1362 art. 3);
   * null when neither exists any more.
   */
  readonly subscriber: { readonly username: string; readonly email: string | null; readonly erasedAt: Date | null } | null;
  /** True when an active legal hold names the session. */
  readonly held: boolean;
}

export interface NewLegalHold {
  readonly tenantId: string | null;
  readonly reference: string;
  readonly reason: string;
  readonly createdBy: string;
  readonly sessionIds: readonly string[];
}

/** What one purge batch removed. */
export interface PurgeBatchResult {
  readonly sessions: number;
  readonly accountingRecords: number;
  readonly natMappings: number;
  readonly identityArchives: number;
}

export interface LegalLogStore {
  /**
   * Stores NAT mappings from a gateway's NAT log for one tenant, matching
   * each to the session whose Framed-IP-Address is its internal address at
   * its start time. Idempotent: the same (public IP, first port, start) is
   * stored once.
   */
  importNatMappings(tenantId: string, mappings: readonly NewNatMapping[]): Promise<NatImportResult>;
  natMappingsOf(tenantId: string, sessionId: string): Promise<NatMapping[]>;
  search(q: LegalSearch): Promise<LegalLogEntry[]>;

  /** @throws AppError SESSION_NOT_FOUND when a named session is not the tenant's (or does not exist). */
  createHold(h: NewLegalHold): Promise<LegalHold>;
  /** @throws AppError LEGAL_HOLD_NOT_FOUND */
  releaseHold(tenantId: string | null, id: string, by: string, at: Date): Promise<LegalHold>;
  listHolds(tenantId: string | null, opts?: { includeReleased?: boolean }): Promise<LegalHold[]>;
  /** Sessions named by an active hold. */
  heldSessionCount(): Promise<number>;

  /**
   * One purge step: deletes up to `limit` stopped sessions that ended before
   * `cutoff` and that no active hold names, with their accounting records
   * and NAT mappings, plus NAT mappings matched to no session that ended
   * before the cutoff, plus identity archives erased before it whose
   * identity no held session references. Each call is its own transaction:
   * a crash between calls loses nothing that should be kept, and the next
   * run resumes. Returns zeros when nothing is left.
   */
  purgeBatch(cutoff: Date, limit: number): Promise<PurgeBatchResult>;

  /** The archive an erased identity leaves for the legal year (see ErasureReason). */
  archivedIdentity(identityId: string): Promise<{ username: string; email: string | null; erasedAt: Date; reason: ErasureReason } | null>;
}
