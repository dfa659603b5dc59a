/**
 * The captive portal's HTTP app, made by a factory that never listens
 * (controller/main.ts binds it to WFC_PORTAL_PORT).
 *
 *   /t/<municipality>/…   every page, resolved once to the municipality here
 *                         (…/account/*: the citizen's data download and erasure)
 *   /api/captive          RFC 8908 API for a device at any municipality
 *   /style.css, /handoff.js   assets for pages outside a municipality
 *
 * Security on every response: helmet's headers (no-referrer, nosniff,
 * frame denial, COOP/CORP), a strict CSP per page (context.ts), CSRF on
 * every form post (signed double submit), HttpOnly SameSite=Lax cookies.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { slugSchema } from '../controller/domain/validation.js';
import { E } from '../controller/errors.js';
import { createPortal, state, type Portal } from './context.js';
import type { PortalDeps } from './deps.js';
import { accountRoutes } from './routes/account.js';
import { apiRoutes, legalRoutes, rootAssets } from './routes/info.js';
import { privacyRoutes } from './routes/privacy.js';
import { statusRoutes } from './routes/status.js';
import { errorPage } from './views/pages.js';

export type { PortalDeps } from './deps.js';

type Handler = (req: Request, res: Response, next: NextFunction) => unknown;

export function createPortalApp(deps: PortalDeps): express.Express {
  const portal = createPortal(deps);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxy(deps.trustProxy ?? null));
  app.use(
    helmet({
      contentSecurityPolicy: false, // set per page by portal.render
      strictTransportSecurity: deps.secureCookies ? { maxAge: 31_536_000, includeSubDomains: false } : false,
      referrerPolicy: { policy: 'no-referrer' },
      xFrameOptions: { action: 'deny' },
    }),
  );
  app.use((req, res, next) => {
    res.on('finish', () => {
      const pattern = (req.route as { path?: string } | undefined)?.path;
      const route = pattern === undefined ? 'unmatched' : `${req.baseUrl.startsWith('/t/') ? '/t/:tenant' : req.baseUrl}${pattern}`;
      deps.metrics.http.requests.inc({ server: 'portal', route, status: `${Math.floor(res.statusCode / 100)}xx` });
    });
    next();
  });

  const root = Router();
  root.use((req, res, next) => {
    if (!req.path.startsWith('/t/')) portal.begin(req, res, null);
    next();
  });
  rootAssets(root);
  apiRoutes(root, portal);
  app.use(root);

  const forms = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 });
  const tenantRouter = Router();
  tenantRouter.use(forms);
  tenantRouter.use((req, res, next) => {
    const st = state(res);
    portal.openGateway(st);
    if (req.method === 'POST' && !portal.checkCsrf(req, res)) {
      deps.metrics.portal.csrfFailures.inc({ tenant: st.tenant!.slug });
      return portal.render(res, 'csrf', E.PORTAL_BAD_CSRF, errorPage(portal.view(req, res), st.t.errors.csrfTitle, st.t.errors.csrf));
    }
    next();
  });
  accountRoutes(tenantRouter, portal);
  statusRoutes(tenantRouter, portal);
  privacyRoutes(tenantRouter, portal);
  legalRoutes(tenantRouter, portal);
  apiRoutes(tenantRouter, portal);
  tenantRouter.use((req, res) => notFound(portal, req, res));

  app.use('/t/:tenant', wrap(async (req, res, next) => {
    const slug = String(req.params.tenant);
    const tenant = slugSchema.safeParse(slug).success ? await deps.stores.tenants.getBySlug(slug) : null;
    portal.begin(req, res, tenant);
    if (!tenant) return notFound(portal, req, res, true);
    next();
  }), tenantRouter);

  app.use((req, res) => notFound(portal, req, res));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const st = res.locals.portal ? state(res) : portal.begin(req, res, null);
    const type = (err as { type?: string }).type;
    const status = type === 'entity.too.large' ? E.BODY_TOO_LARGE : type === 'entity.parse.failed' || (err as { status?: number }).status === 400 ? E.VALIDATION : E.INTERNAL;
    if (status === E.INTERNAL) deps.log.error({ err, path: req.path }, 'portal request failed');
    if (res.headersSent) return;
    portal.render(res, 'error', status, errorPage(portal.view(req, res), st.t.errors.internalTitle, st.t.errors.internal));
  });
  return app;
}

/** One clear 404 page, in the visitor's language, branded when the municipality is known. */
function notFound(portal: Portal, req: Request, res: Response, unknownTenant = false): void {
  const st = res.locals.portal ? state(res) : portal.begin(req, res, null);
  portal.render(res, 'not-found', unknownTenant ? E.TENANT_NOT_FOUND : E.NOT_FOUND, errorPage(portal.view(req, res), st.t.errors.notFoundTitle, st.t.errors.notFound));
}

/** Express 5 forwards rejected promises itself; this only keeps the handler's type simple. */
function wrap(fn: Handler): Handler {
  return (req, res, next) => fn(req, res, next);
}

/** WFC_PORTAL_TRUST_PROXY: a hop count, or names/CIDRs as Express takes them. */
function trustProxy(v: string | null): boolean | number | string {
  if (v === null || v === '' || v === 'false') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}
