/**
 * The /v1 router: municipal IT's API and the agents' endpoints. Mounted by
 * the composition root on the API app (`mounts: [{ path: '/v1', router }]`);
 * it never listens. Every route is registered here, on this one router, so
 * the OpenAPI conformance test can list them.
 */
import { Router } from 'express';
import { apiAuth, deviceAuth } from './auth.js';
import { openApiDocument } from './openapi.js';
import { registerAccessPoints } from './routes/access-points.js';
import { registerAdmin } from './routes/admin.js';
import { registerAgent } from './routes/agent.js';
import { registerConfig } from './routes/config.js';
import type { ProvisioningRuntime } from './runtime.js';

export function createProvisioningRouter(rt: ProvisioningRuntime, opts: { version?: string } = {}): Router {
  const router = Router();
  const ctx = { api: apiAuth(rt.deps.stores), device: deviceAuth(rt.agents) };
  const doc = JSON.stringify(openApiDocument(opts.version ?? '0.0.0'));

  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(doc);
  });
  router.get('/ca.pem', (_req, res) => {
    if (!rt.deps.ca) {
      res.status(404).type('application/json').send(JSON.stringify({ error: { code: 'WFC_NOT_FOUND', message: 'No such resource: /v1/ca.pem' } }));
      return;
    }
    res.type('application/x-pem-file').send(rt.deps.ca.certificatePem);
  });
  registerAccessPoints(router, rt, ctx);
  registerConfig(router, rt, ctx);
  registerAdmin(router, rt, ctx);
  registerAgent(router, rt, ctx);
  return router;
}
