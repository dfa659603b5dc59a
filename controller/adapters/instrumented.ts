/**
 * Times every durable-store call for `wfc_store_query_duration_seconds`,
 * whichever backend is behind: a wrapper around the ports, so neither
 * adapter carries metrics code. Catalogued errors (a taken username, an
 * unknown session) are answers, not failures; anything else counts in
 * `wfc_store_query_errors_total`.
 */
import { AppError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { Stores } from '../ports/stores.js';

type Timed = Record<string, unknown>;

/** The stores that are objects of methods (everything but backend, ping and close). */
const STORE_KEYS = ['federation', 'tenants', 'clients', 'identities', 'devices', 'accessPoints', 'accounting', 'sessions', 'tokens', 'audit', 'legal'] as const;

function instrument<T extends object>(target: T, backend: string, store: string, metrics: Metrics): T {
  const histogram = metrics.stores.queryDuration;
  const errors = metrics.stores.queryErrors;
  const wrapped: Timed = {};
  for (const key of methodNames(target)) {
    const fn = (target as Timed)[key] as (...args: unknown[]) => unknown;
    // Children resolved once per method: the hot path only observes.
    const timer = histogram.labels(backend, store, key);
    wrapped[key] = async (...args: unknown[]): Promise<unknown> => {
      const start = process.hrtime.bigint();
      try {
        return await fn.apply(target, args);
      } catch (err) {
        if (!(err instanceof AppError)) errors.inc({ backend, store, operation: key });
        throw err;
      } finally {
        timer.observe(Number(process.hrtime.bigint() - start) / 1e9);
      }
    };
  }
  return wrapped as T;
}

/** Own and prototype methods (class-based stores keep theirs on the prototype). */
function methodNames(o: object): string[] {
  const names = new Set<string>();
  for (let p: object | null = o; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const k of Object.getOwnPropertyNames(p)) {
      if (k !== 'constructor' && typeof (o as Timed)[k] === 'function') names.add(k);
    }
  }
  return [...names];
}

export function instrumentStores(stores: Stores, metrics: Metrics): Stores {
  const out: Record<string, unknown> = { backend: stores.backend, ping: () => stores.ping(), close: () => stores.close() };
  for (const key of STORE_KEYS) out[key] = instrument(stores[key], stores.backend, key === 'accessPoints' ? 'access_points' : key, metrics);
  return out as unknown as Stores;
}
