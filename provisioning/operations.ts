/**
 * The /v1 routes operators use on live data: sessions (list, Disconnect,
 * CoA) and the legal connection log (exports, holds, NAT logs). A router of
 * its own, beside the provisioning one: it needs only the durable stores and
 * a Disconnect/CoA client, not the provisioning store. Both routers are
 * described by the one OpenAPI document (openapi.ts), which the provisioning
 * router serves unless `openApi` asks this one to. Never listens.
 */
import { Router, type RequestHandler } from 'express';
import type { Logger } from '../controller/log.js';
import type { Metrics } from '../controller/metrics.js';
import type { Clock } from '../controller/ports/clock.js';
import type { DynamicAuthorization } from '../controller/ports/dynamic-authorization.js';
import type { Stores } from '../controller/ports/stores.js';
import { apiAuth } from './auth.js';
import { openApiDocument } from './openapi.js';
import { registerLegal } from './routes/legal.js';
import { registerSessions } from './routes/sessions.js';

export interface OperationsDeps {
  readonly stores: Stores;
  readonly dynauth: DynamicAuthorization;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly log: Logger;
}

export interface OperationsRouteContext {
  readonly api: RequestHandler;
}

export interface OperationsRouterOptions {
  /**
   * Also serve GET /openapi.json: for a node where the provisioning router,
   * which serves it otherwise, is not mounted.
   */
  readonly openApi?: { readonly version: string };
}

export function createOperationsRouter(deps: OperationsDeps, opts: OperationsRouterOptions = {}): Router {
  const router = Router();
  const ctx: OperationsRouteContext = { api: apiAuth(deps.stores) };
  if (opts.openApi) {
    const doc = JSON.stringify(openApiDocument(opts.openApi.version));
    router.get('/openapi.json', (_req, res) => {
      res.type('application/json').send(doc);
    });
  }
  registerSessions(router, deps, ctx);
  registerLegal(router, deps, ctx);
  return router;
}
