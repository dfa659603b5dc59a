/**
 * Agents' heartbeats, kept in memory and written in batches: every poll is
 * a heartbeat, and one durable write per poll of 10,000 agents would be the
 * bottleneck. At most `flushMs` of last-seen times are lost in a crash,
 * which only makes an AP look offline a little early.
 */
import type { AgentStatusStore } from '../controller/ports/provisioning.js';

interface Seen {
  at: Date;
  info: Readonly<Record<string, string>> | null;
}

export class Presence {
  private readonly dirty = new Map<string, Seen>();
  private readonly recent = new Map<string, Date>();
  private flushing: Promise<void> | null = null;

  constructor(private readonly agents: AgentStatusStore) {}

  touch(apId: string, at: Date, info: Readonly<Record<string, string>> | null = null): void {
    const cur = this.dirty.get(apId);
    this.dirty.set(apId, { at, info: info ?? cur?.info ?? null });
    this.recent.set(apId, at);
  }

  /** The newest time this node saw the AP, flushed or not. */
  lastSeen(apId: string): Date | null {
    return this.recent.get(apId) ?? null;
  }

  forget(apId: string): void {
    this.dirty.delete(apId);
    this.recent.delete(apId);
  }

  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.dirty.size === 0) return;
    const batch = [...this.dirty].map(([apId, s]) => ({ apId, at: s.at, info: s.info }));
    this.dirty.clear();
    this.flushing = this.agents.touch(batch).finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }
}
