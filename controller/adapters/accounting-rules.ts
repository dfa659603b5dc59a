/**
 * What an accounting batch changed, whatever the database: the SQLite and
 * PostgreSQL accounting stores add up the same growth for the octet metrics.
 */
import type { Session } from '../domain/entities.js';
import type { AccountingOutcome } from '../ports/stores.js';

type Octets = { input: number; output: number };

export class OutcomeBuilder {
  private readonly octets = new Map<string, Octets>();

  /**
   * Adds one record's effect on its session: the growth of its counters
   * (applyAccounting never lets them shrink; a new session counts in full).
   */
  session(before: Session | null, after: Session | null): void {
    if (!after) return;
    const input = Math.max(0, after.inputOctets - (before?.inputOctets ?? 0));
    const output = Math.max(0, after.outputOctets - (before?.outputOctets ?? 0));
    if (input === 0 && output === 0) return;
    const sum = this.octets.get(after.tenantId);
    if (sum) {
      sum.input += input;
      sum.output += output;
    } else {
      this.octets.set(after.tenantId, { input, output });
    }
  }

  build(): AccountingOutcome {
    return { octets: this.octets };
  }
}

export const emptyOutcome = (): AccountingOutcome => ({ octets: new Map() });
