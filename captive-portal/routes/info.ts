/**
 * Terms and privacy notice, the stylesheet and scripts the pages load, the
 * RFC 8908 Captive Portal API and the walled-garden list for gateway
 * configuration.
 */
import type { Request, Response, Router } from 'express';
import type { Tenant } from '../../controller/domain/entities.js';
import type { LiveSession } from '../../controller/ports/live-sessions.js';
import { DEFAULT_RETENTION } from '../../controller/services/privacy.js';
import { state, type Portal } from '../context.js';
import { CAPTIVE_JSON, captiveState } from '../rfc8908.js';
import { legalPage } from '../views/pages.js';
import { stylesheet } from '../views/style.js';
import { walledGarden, wifi4euAcceptsUrl, wifi4euEnabled, wifi4euInitScript } from '../wifi4eu.js';

/** Submits the generic gateway's hand-off form when scripts run; the button works without. */
export const HANDOFF_SCRIPT = "document.getElementById('handoff').submit();\n";

export function publicBase(req: Request, publicUrl: string | null): string {
  return publicUrl ? publicUrl.replace(/\/+$/, '') : `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

function asset(res: Response, type: string, body: string): void {
  res.setHeader('Cache-Control', 'public, max-age=86400');
  res.type(type).send(body);
}

export function legalRoutes(r: Router, portal: Portal): void {
  const retention = portal.deps.retention ?? DEFAULT_RETENTION;
  const inactivity = retention.inactiveDays > 0 ? { days: retention.inactiveDays, notice: retention.noticeDays } : null;
  for (const which of ['terms', 'privacy'] as const) {
    r.get(`/${which}`, (req, res) => portal.render(res, which, 200, legalPage(portal.view(req, res), which, inactivity)));
  }
  r.get('/style.css', (_req, res) => asset(res, 'text/css', stylesheet(state(res).tenant)));
  r.get('/wifi4eu.js', (_req, res, next) => {
    const t = state(res).tenant!;
    if (!wifi4euEnabled(t)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.type('application/javascript').send(wifi4euInitScript(t));
  });
}

export function rootAssets(r: Router): void {
  r.get('/style.css', (_req, res) => asset(res, 'text/css', stylesheet(null)));
  r.get('/handoff.js', (_req, res) => asset(res, 'application/javascript', HANDOFF_SCRIPT));
}

/**
 * The live session of the device asking: the one at its source address (what
 * the OS's captive-portal client, which sends no cookie, can be found by),
 * else the latest of its signed-in citizen at this municipality (a browser
 * behind NAT).
 */
async function findLiveSession(portal: Portal, res: Response, tenant: Tenant | null): Promise<{ session: LiveSession; tenant: Tenant } | null> {
  const { stores, live } = portal.deps;
  const ip = state(res).ip;
  for (const t of tenant ? [tenant] : await stores.tenants.list()) {
    const s = (await live.listByTenant(t.id)).find((x) => x.framedIp === ip);
    if (s) return { session: s, tenant: t };
  }
  const identity = await portal.currentIdentity(res);
  if (!identity) return null;
  const mine = (await live.listByIdentity(identity.id)).filter((x) => !tenant || x.tenantId === tenant.id).sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime());
  const s = mine[0];
  const t = s ? (tenant ?? (await stores.tenants.get(s.tenantId))) : null;
  return s && t ? { session: s, tenant: t } : null;
}

export function apiRoutes(r: Router, portal: Portal): void {
  const { deps } = portal;

  const captive = async (req: Request, res: Response) => {
    const tenant = state(res).tenant;
    const found = await findLiveSession(portal, res, tenant);
    const home = tenant ?? found?.tenant ?? null;
    const base = publicBase(req, deps.publicUrl);
    const body = await captiveState({
      stores: deps.stores,
      session: found?.session ?? null,
      sessionTenant: found?.tenant ?? null,
      portalUrl: home ? `${base}/t/${home.slug}/` : `${base}/`,
      venueUrl: home ? `${base}/t/${home.slug}/terms` : null,
      now: portal.nowDate(),
    });
    // RFC 8908 §5: the state is per client and changes: never cache it.
    res.setHeader('Cache-Control', 'private, no-store');
    res.type(CAPTIVE_JSON).send(JSON.stringify(body));
  };
  r.get('/api/captive', captive);

  r.get('/api/walled-garden', (req, res, next) => {
    const tenant = state(res).tenant;
    if (!tenant) return next();
    const base = publicBase(req, deps.publicUrl);
    const hosts = walledGarden(tenant, new URL(base).hostname);
    const portalUrl = `${base}/t/${tenant.slug}/`;
    res.setHeader('Cache-Control', 'no-cache');
    res.json({
      tenant: tenant.slug,
      portalUrl,
      captiveApiUrl: `${base}/t/${tenant.slug}/api/captive`,
      wifi4euUrlAccepted: wifi4euAcceptsUrl(portalUrl),
      gateway: tenant.portal?.gateway ?? null,
      hosts,
      // Ready-made lines for each gateway's configuration.
      coovachilli: `uamallowed=${hosts.join(',')}`,
      opennds: hosts.map((h) => `list walledgarden_fqdn_list '${h}'`),
      mikrotik: hosts.map((h) => `/ip hotspot walled-garden add dst-host=${h}`),
    });
  });
}
