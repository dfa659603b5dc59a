/**
 * Operational endpoints on the API port: /healthz (the process answers),
 * /readyz (every dependency answers: stores, shared state) and /metrics.
 */
import { Router } from 'express';
import { withTimeout } from '../async.js';
import type { Metrics } from '../metrics.js';

export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export function createOpsRouter(deps: { metrics: Metrics; checks: readonly ReadinessCheck[]; version: string }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version: deps.version });
  });
  router.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      deps.checks.map(async (c) => {
        try {
          await withTimeout(c.check(), 2000, () => new Error('no answer within 2000 ms'));
          deps.metrics.stores.ready.set({ store: c.name }, 1);
          return { name: c.name, ok: true };
        } catch (e) {
          deps.metrics.stores.ready.set({ store: c.name }, 0);
          return { name: c.name, ok: false, error: (e as Error).message };
        }
      }),
    );
    const ready = results.every((r) => r.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', checks: results });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}
