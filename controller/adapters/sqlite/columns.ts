/** Conversions between domain values and SQLite column values. */
import { rowMappers, type ColumnKinds, type Decoders } from '../rows.js';

export const ms = (d: Date): number => d.getTime();
export const msOrNull = (d: Date | null): number | null => (d === null ? null : d.getTime());
export const date = (v: number): Date => new Date(v);
export const dateOrNull = (v: number | null): Date | null => (v === null ? null : new Date(v));

export const bit = (b: boolean): 0 | 1 => (b ? 1 : 0);
export const bool = (v: number): boolean => v !== 0;

/** `undefined` (nothing to record) is stored as SQL NULL, and read back as null. */
export const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
export const parseJson = <T>(v: string | null): T | null => (v === null ? null : (JSON.parse(v) as T));

/** SQLite takes -1 as "no limit". */
export const limitOf = (n: number | undefined): number => (n === undefined ? -1 : Math.max(0, Math.floor(n)));

/** How SQLite reads back each column kind (see ../rows.ts). */
export interface SqliteColumns extends ColumnKinds {
  /** Integer milliseconds since the epoch. */
  readonly date: number;
  /** 0 or 1. */
  readonly bool: number;
  /** JSON text. */
  readonly json: string;
  readonly bigint: number;
}

/** How every SQLite row mapper (core, legal log, provisioning) reads column values. */
export const SQLITE_DECODERS: Decoders<SqliteColumns> = {
  date,
  dateOrNull,
  bool,
  json: (v) => JSON.parse(v),
  jsonOrNull: parseJson,
  bigint: (v) => v,
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
} = rowMappers<SqliteColumns>(SQLITE_DECODERS);
