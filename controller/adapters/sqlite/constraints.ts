/**
 * Recognises SQLite constraint failures so stores can turn them into the
 * catalog's errors; anything else is rethrown untouched.
 */
import Database from 'better-sqlite3';

/** `UNIQUE constraint failed: identities.username` names `identities.username`. */
export function uniqueViolation(e: unknown): string | null {
  if (!(e instanceof Database.SqliteError)) return null;
  if (e.code !== 'SQLITE_CONSTRAINT_UNIQUE' && e.code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') return null;
  const m = /constraint failed: (.+)$/.exec(e.message);
  return m ? m[1]! : '';
}

/** SQLite does not say which foreign key failed: callers know their one. */
export function foreignKeyViolation(e: unknown): boolean {
  return e instanceof Database.SqliteError && e.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
