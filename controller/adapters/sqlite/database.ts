/**
 * Opens the embedded database: one SQLite file per node, tuned for an
 * accounting log that must survive a crash or a power cut once the NAS has
 * been acknowledged.
 */
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';

export type SqliteDatabase = Database.Database;

export type SqliteTarget = { readonly file: string } | { readonly memory: true };

export function openDatabase(target: SqliteTarget): SqliteDatabase {
  const db = new Database('file' in target ? target.file : ':memory:');
  try {
    // Wait for a CLI or a second process holding the write lock instead of failing.
    db.pragma('busy_timeout = 5000');
    // Readers never block the writer; persistent in the file. A no-op (`memory`) for :memory:.
    db.pragma('journal_mode = WAL');
    // FULL: the WAL is fsynced at every commit, so a resolved record() survives power loss,
    // not only a process crash (NORMAL would only guarantee the latter in WAL mode).
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}
