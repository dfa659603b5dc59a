/**
 * The agent's endpoints. `GET /agent/config` answers the bundle as text
 * (application/vnd.wfc.bundle, see render/bundle.ts) with its sha256 as the
 * ETag and its version in X-Config-Version; `Accept: application/json`
 * gets the same as JSON for agents that prefer it.
 */
import type { Router } from 'express';
import { AppError, E } from '../../controller/errors.js';
import { parseIfNoneMatch } from '../agent.js';
import { deviceOf } from '../auth.js';
import { json } from '../http.js';
import { decodeBundle } from '../render/bundle.js';
import type { ProvisioningRuntime } from '../runtime.js';
import { queryInt } from '../schemas.js';
import type { RouteContext } from './context.js';

export const BUNDLE_TYPE = 'application/vnd.wfc.bundle';

export function registerAgent(router: Router, rt: ProvisioningRuntime, { device }: RouteContext): void {
  router.post('/agent/enrol', json, async (req, res) => {
    const r = await rt.agents.enrol(req.body);
    res.status(201).json({
      apId: r.apId,
      mac: r.mac,
      municipality: r.municipality,
      apiKey: r.apiKey,
      certificate: r.certificate?.certificatePem ?? null,
      certificateSerial: r.certificate?.serial ?? null,
      certificateNotAfter: r.certificate?.notAfter.toISOString() ?? null,
      privateKey: r.certificate?.privateKeyPem ?? null,
      caCertificate: r.caCertificate,
    });
  });

  router.get('/agent/config', device, async (req, res) => {
    const d = deviceOf(res);
    const wait = queryInt(req.query.wait, 'wait', 0, rt.deps.settings.maxWaitSeconds, 0);
    const tags = parseIfNoneMatch(req.headers['if-none-match']);
    const r = await rt.agents.poll(d, tags, wait * 1000, (cb) => res.on('close', () => !res.writableEnded && cb()));
    if (r.kind === 'closed') return;
    if (r.kind === 'no-config') throw new AppError(E.NO_CONFIG, { ap: d.apId });
    const headers = { 'Cache-Control': 'no-store', ETag: `"${r.version.checksum}"`, 'X-Config-Version': String(r.version.version) };
    // The hot path of 10,000 agents: written directly, without res.send's content negotiation.
    if (r.kind === 'not-modified') {
      res.writeHead(304, headers).end();
      return;
    }
    if (req.headers.accept?.includes('application/json') && req.accepts([BUNDLE_TYPE, 'text/plain', 'application/json']) === 'application/json') {
      res.set(headers).json({ version: r.version.version, checksum: r.version.checksum, files: decodeBundle(r.version.bundle) });
      return;
    }
    const body = r.version.bundle;
    res.writeHead(200, { ...headers, 'Content-Type': `${BUNDLE_TYPE}; charset=utf-8`, 'Content-Length': String(Buffer.byteLength(body, 'utf8')) }).end(body, 'utf8');
  });

  router.post('/agent/report', device, json, async (req, res) => {
    const s = await rt.agents.report(deviceOf(res), req.body);
    res.json({ status: s.status, currentVersion: s.currentVersion, appliedVersion: s.appliedVersion });
  });

  router.post('/agent/heartbeat', device, json, async (req, res) => {
    rt.agents.heartbeat(deviceOf(res), req.body);
    res.status(204).end();
  });

  router.get('/agent/certificate', device, async (_req, res) => {
    const d = deviceOf(res);
    const pem = await rt.agents.certificate(d);
    if (!pem) throw new AppError(E.NOT_FOUND, { path: '/v1/agent/certificate' });
    res.type('application/x-pem-file').send(pem);
  });
}
