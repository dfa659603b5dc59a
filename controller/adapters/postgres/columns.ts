/**
 * Conversions between domain values and PostgreSQL column values. Dates are
 * `timestamptz` (node-postgres reads them as Date; microseconds hold a JS
 * millisecond exactly); JSON is `jsonb` (read back already parsed); counters
 * are `bigint`, which node-postgres reads as a string lest it lose precision:
 * counters stay far below 2^53, so Number() is exact.
 */
import { rowMappers, type ColumnKinds, type Decoders } from '../rows.js';

export const num = (v: string | number): number => Number(v);

/** `undefined` (nothing to record) and null are stored as SQL NULL and read back as null. */
export const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

/** PostgreSQL takes NULL as "no limit"; a negative limit is an error there, "none" for the ports. */
export const limitOf = (n: number | undefined): number | null => (n === undefined ? null : Math.max(0, Math.floor(n)));

/**
 * PostgreSQL text cannot hold U+0000. A value that has one cannot be stored,
 * so a lookup by it finds nothing without asking.
 */
export const storable = (s: string): boolean => !s.includes('\u0000');

/**
 * What a NAS sent is logged even when it carries U+0000 (a hostile or broken
 * peer must not jam accounting, RFC 2866 §4.1 retransmissions would never
 * end): the character becomes U+FFFD, as for any undecodable octet.
 */
export function text(s: string): string;
export function text(s: string | null): string | null;
export function text(s: string | null): string | null {
  return s === null || storable(s) ? s : s.replaceAll('\u0000', '\uFFFD');
}

/** How node-postgres reads back each column kind (see ../rows.ts). */
export interface PgColumns extends ColumnKinds {
  /** timestamptz. */
  readonly date: Date;
  readonly bool: boolean;
  /** jsonb, already parsed. */
  readonly json: unknown;
  /** A string, lest it lose precision. */
  readonly bigint: string;
}

const same = <T>(v: T): T => v;

/** How every PostgreSQL row mapper (core, legal log, provisioning) reads column values. */
export const PG_DECODERS: Decoders<PgColumns> = {
  date: same,
  dateOrNull: same,
  bool: same,
  json: <T>(v: unknown) => v as T,
  jsonOrNull: <T>(v: unknown) => (v ?? null) as T | null,
  bigint: num,
};

export const {
  toTenant,
  toIdentity,
  toAccessPoint,
  toRadiusClient,
  toDevice,
  toApiToken,
  toAuditEvent,
  toSession,
} = rowMappers<PgColumns>(PG_DECODERS);
