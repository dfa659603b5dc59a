/**
 * Recognises PostgreSQL constraint failures so stores can turn them into the
 * catalog's errors; anything else is rethrown untouched. The schema names
 * every constraint and unique index (migrations.ts), and PostgreSQL reports
 * that name, so a store knows exactly which rule failed.
 */
import pg from 'pg';

/** 23505 unique_violation: the constraint's (or unique index's) name. */
export function uniqueViolation(e: unknown): string | null {
  return e instanceof pg.DatabaseError && e.code === '23505' ? (e.constraint ?? '') : null;
}

/** 23503 foreign_key_violation: the constraint's name. */
export function foreignKeyViolation(e: unknown): string | null {
  return e instanceof pg.DatabaseError && e.code === '23503' ? (e.constraint ?? '') : null;
}
