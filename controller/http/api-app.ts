/**
 * The API port's app: operational endpoints plus whatever routers the
 * composition root mounts (the provisioning API under /v1). Never listens.
 */
import express, { type Router } from 'express';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { createOpsRouter, type ReadinessCheck } from './ops.js';

export function createApiApp(deps: {
  metrics: Metrics;
  log: Logger;
  checks: readonly ReadinessCheck[];
  version: string;
  mounts?: ReadonlyArray<{ path: string; router: Router }>;
}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use((req, res, next) => {
    res.on('finish', () => {
      // Route patterns, never raw paths: the label set stays bounded.
      const pattern = (req.route as { path?: string } | undefined)?.path;
      const route = pattern === undefined ? 'unmatched' : `${req.baseUrl}${pattern}`;
      deps.metrics.http.requests.inc({ server: 'api', route, status: `${Math.floor(res.statusCode / 100)}xx` });
    });
    next();
  });
  app.use(createOpsRouter(deps));
  for (const m of deps.mounts ?? []) app.use(m.path, m.router);
  app.use(notFoundHandler());
  app.use(errorHandler(deps.log));
  return app;
}
