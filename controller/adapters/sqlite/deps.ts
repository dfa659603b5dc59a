import type { Clock } from '../../ports/clock.js';

/** What every SQLite store needs besides the database. */
export interface SqliteDeps {
  readonly newId: () => string;
  readonly clock: Clock;
}
