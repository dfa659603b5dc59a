/**
 * Config-change notifications across nodes over Redis pub/sub, on the
 * channel `<prefix>config-changes`. A subscribed connection can do nothing
 * else, so the adapter duplicates the given one for SUBSCRIBE and publishes
 * on the original. Messages carry up to 1,000 changes as compact tuples.
 */
import type { Redis } from 'ioredis';
import type { ConfigChange, ConfigChangeListener, ConfigNotifier } from '../../ports/config-notifications.js';

const CHUNK = 1000;
type Wire = [tenantId: string, apId: string, version: number, checksum: string];

function decode(message: string): ConfigChange[] | null {
  try {
    const raw = JSON.parse(message) as unknown;
    if (!Array.isArray(raw)) return null;
    const out: ConfigChange[] = [];
    for (const t of raw as unknown[]) {
      if (!Array.isArray(t) || t.length !== 4) continue;
      const [tenantId, apId, version, checksum] = t as unknown[];
      if (typeof tenantId === 'string' && typeof apId === 'string' && typeof version === 'number' && typeof checksum === 'string') out.push({ tenantId, apId, version, checksum });
    }
    return out;
  } catch {
    return null;
  }
}

export function createRedisConfigNotifier(opts: { readonly redis: Redis; readonly prefix?: string }): ConfigNotifier {
  const channel = `${opts.prefix ?? 'wfc:'}config-changes`;
  const listeners = new Set<ConfigChangeListener>();
  const sub = opts.redis.duplicate();
  // Connection errors are reported by the shared-state link and /readyz; ioredis reconnects by itself.
  sub.on('error', () => {});
  const subscribed = sub.subscribe(channel).then(() => undefined);
  // Callers await ready(); an unobserved rejection must not crash the process meanwhile.
  subscribed.catch(() => {});
  sub.on('message', (ch: string, message: string) => {
    if (ch !== channel) return;
    const batch = decode(message);
    if (!batch?.length) return;
    for (const l of [...listeners]) {
      try {
        l(batch);
      } catch {
        // One broken listener must not starve the others.
      }
    }
  });
  return {
    backend: 'redis',
    async publish(changes) {
      for (let i = 0; i < changes.length; i += CHUNK) {
        const wire: Wire[] = changes.slice(i, i + CHUNK).map((c) => [c.tenantId, c.apId, c.version, c.checksum]);
        await opts.redis.publish(channel, JSON.stringify(wire));
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    ready: () => subscribed,
    async close() {
      listeners.clear();
      await sub.quit().catch(() => sub.disconnect());
    },
  };
}
