import type { Clock } from '../../ports/clock.js';

/** What every PostgreSQL store needs besides the database. */
export interface PgDeps {
  readonly newId: () => string;
  readonly clock: Clock;
}
