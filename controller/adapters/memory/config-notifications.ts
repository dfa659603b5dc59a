/** Config-change notifications within one process. */
import type { ConfigChange, ConfigChangeListener, ConfigNotifier } from '../../ports/config-notifications.js';

export function createMemoryConfigNotifier(): ConfigNotifier {
  const listeners = new Set<ConfigChangeListener>();
  return {
    backend: 'memory',
    async publish(changes: readonly ConfigChange[]) {
      if (!changes.length) return;
      const batch = Object.freeze([...changes]);
      // Delivered after the publisher's transaction returns, as over the network.
      queueMicrotask(() => {
        for (const l of [...listeners]) {
          try {
            l(batch);
          } catch {
            // One broken listener must not starve the others.
          }
        }
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async ready() {},
    async close() {
      listeners.clear();
    },
  };
}
