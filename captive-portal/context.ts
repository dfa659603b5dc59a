/**
 * Per-request state and the helpers every route shares: the municipality
 * (resolved once, at the edge, by app.ts), the language, the CSRF cookie,
 * the sealed gateway parameters, the signed session and flow cookies, and
 * rendering with a Content-Security-Policy fitted to the page.
 */
import type { Request, Response } from 'express';
import type { Identity, Locale, Tenant } from '../controller/domain/entities.js';
import type { ErrorDef } from '../controller/errors.js';
import { createAccounts, type Accounts, type Flow } from './accounts.js';
import { COOKIE, cookieJar, readCookies, type CookieJar } from './cookies.js';
import { DEFAULT_PORTAL_LIMITS, type PortalDeps, type PortalLimits } from './deps.js';
import { MESSAGES, negotiateLocale, type Messages } from './i18n/index.js';
import { adapterFor, type GatewayContext } from './nas/index.js';
import { createSigner, randomId, type Signer } from './signing.js';
import type { Html } from './views/html.js';
import type { ViewContext } from './views/layout.js';
import { WIFI4EU_HOST, wifi4euEnabled } from './wifi4eu.js';

/** What app.ts resolved for this request, in res.locals.portal. */
export interface RequestState {
  readonly tenant: Tenant | null;
  readonly base: string;
  readonly locale: Locale;
  readonly t: Messages;
  readonly cookies: Readonly<Record<string, string>>;
  readonly csrfCookie: string;
  readonly ip: string;
  gw: { readonly sealed: string; readonly ctx: GatewayContext } | null;
}

interface SessionCookie {
  readonly i: string;
  /** passwordChangedAt: a password reset signs every browser out. */
  readonly pc: number;
}

const POST_TWIN: Readonly<Record<string, string>> = { '/resend': '/verify', '/devices/forget': '/status', '/logout': '/' };

const SESSION_MS = 12 * 3600_000;
const FLOW_MS = 30 * 60_000;
const GATEWAY_MS = 30 * 60_000;
const CSRF_COOKIE_MS = 7 * 86400_000;

export function state(res: Response): RequestState {
  return res.locals.portal as RequestState;
}

/** Source address, IPv4-mapped IPv6 folded to IPv4. */
export function clientIp(req: Request): string {
  const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

export function createPortal(deps: PortalDeps) {
  const limits: PortalLimits = { ...DEFAULT_PORTAL_LIMITS, ...deps.limits };
  const signer: Signer = createSigner(deps.secret);
  const accounts: Accounts = createAccounts(deps, signer, limits);
  const jar: CookieJar = cookieJar(deps.secureCookies);
  const nowDate = () => (deps.clock ?? { now: () => new Date() }).now();
  const now = () => nowDate().getTime();

  function begin(req: Request, res: Response, tenant: Tenant | null): RequestState {
    const cookies = readCookies(req);
    const query = typeof req.query.lang === 'string' ? req.query.lang : undefined;
    const locale = negotiateLocale(query, cookies[COOKIE.lang], req.headers['accept-language']);
    if (query === locale && cookies[COOKIE.lang] !== locale) jar.set(res, COOKIE.lang, locale, 365 * 86400_000);
    let csrfCookie = cookies[COOKIE.csrf];
    if (!csrfCookie || !/^[A-Za-z0-9_-]{22,64}$/.test(csrfCookie)) {
      csrfCookie = randomId();
      jar.set(res, COOKIE.csrf, csrfCookie, CSRF_COOKIE_MS);
    }
    const st: RequestState = { tenant, base: tenant ? `/t/${tenant.slug}` : '', locale, t: MESSAGES[locale], cookies, csrfCookie, ip: clientIp(req), gw: null };
    res.locals.portal = st;
    res.vary('Accept-Language');
    res.vary('Cookie');
    return st;
  }

  /** The gateway parameters of this visit (cookie), if still valid and for this municipality. */
  function openGateway(st: RequestState): void {
    const sealed = st.cookies[COOKIE.gateway];
    if (typeof sealed !== 'string' || !st.tenant) return;
    const ctx = signer.open<GatewayContext & { tenant: string }>('gateway', sealed, now());
    // Sealed for this municipality only.
    if (ctx && ctx.tenant === st.tenant.id) st.gw = { sealed, ctx };
  }

  function sealGateway(res: Response, st: RequestState, ctx: GatewayContext): void {
    st.gw = { sealed: signer.seal('gateway', { ...ctx, tenant: st.tenant!.id }, now() + GATEWAY_MS), ctx };
    jar.set(res, COOKIE.gateway, st.gw.sealed, GATEWAY_MS);
  }

  function view(req: Request, res: Response): ViewContext {
    const st = state(res);
    const other = st.t.switchLanguageLang;
    const q = new URLSearchParams({ lang: other });
    // A page shown after a POST switches language on its GET twin.
    const path = req.method === 'GET' ? req.path : (POST_TWIN[req.path] ?? req.path);
    return {
      tenant: st.tenant,
      base: st.base,
      locale: st.locale,
      t: st.t,
      csrf: signer.csrfToken(st.csrfCookie),
      switchUrl: `${req.baseUrl}${path}?${q.toString()}`,
      wifi4eu: st.tenant !== null && wifi4euEnabled(st.tenant),
    };
  }

  /** Content-Security-Policy: nothing but our own origin, plus what this page really needs. */
  function csp(st: RequestState, extra: { formTargets?: readonly string[]; script?: boolean }): string {
    const wifi4eu = st.tenant !== null && wifi4euEnabled(st.tenant);
    const collector = `https://${WIFI4EU_HOST}`;
    const targets = new Set<string>(["'self'", ...(extra.formTargets ?? [])]);
    if (st.gw) {
      for (const u of gatewayOrigins(st.gw.ctx)) targets.add(u);
    }
    const d = [
      "default-src 'none'",
      "style-src 'self'",
      `img-src 'self' data:${wifi4eu ? ` ${collector}` : ''}`,
      ...(wifi4eu || extra.script ? [`script-src 'self'${wifi4eu ? ` ${collector}` : ''}`] : []),
      ...(wifi4eu ? [`connect-src ${collector}`] : []),
      `form-action ${[...targets].join(' ')}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ];
    return d.join('; ');
  }

  /**
   * Sends a page. Error pages name their catalog entry (controller/errors.ts):
   * its HTTP status, and its code in `X-WFC-Error` for logs and scripts; the
   * page itself says it in the citizen's language.
   */
  function render(res: Response, page: string, status: number | ErrorDef, doc: Html, extra: { formTargets?: readonly string[]; script?: boolean } = {}): void {
    const st = state(res);
    deps.metrics.portal.pageViews.inc({ tenant: st.tenant?.slug ?? 'none', page });
    if (typeof status === 'number') res.status(status);
    else res.status(status.status).setHeader('X-WFC-Error', status.code);
    res.setHeader('Content-Security-Policy', csp(st, extra));
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(doc.value);
  }

  async function currentIdentity(res: Response): Promise<Identity | null> {
    const st = state(res);
    const s = signer.open<SessionCookie>('cookie', st.cookies[COOKIE.session], now());
    if (!s || typeof s.i !== 'string') return null;
    const identity = await deps.stores.identities.get(s.i);
    if (!identity || identity.disabled || !identity.verified || identity.passwordChangedAt.getTime() !== s.pc) return null;
    return identity;
  }

  return {
    deps,
    limits,
    signer,
    accounts,
    jar,
    now,
    nowDate,
    rememberDays: deps.rememberDays ?? 180,
    tokenTtlMs: (deps.tokenTtlSeconds ?? 120) * 1000,
    begin,
    openGateway,
    sealGateway,
    view,
    render,
    currentIdentity,
    signIn(res: Response, identity: Identity): void {
      jar.set(res, COOKIE.session, signer.seal('cookie', { i: identity.id, pc: identity.passwordChangedAt.getTime() } satisfies SessionCookie, now() + SESSION_MS), SESSION_MS);
    },
    signOut(res: Response): void {
      jar.clear(res, COOKIE.session);
    },
    flow(res: Response): Flow | null {
      const st = state(res);
      const f = signer.open<Flow>('cookie', st.cookies[COOKIE.flow], now());
      return f && typeof f.subject === 'string' && (f.purpose === 'verify-email' || f.purpose === 'reset-password') ? f : null;
    },
    setFlow(res: Response, flow: Flow): void {
      jar.set(res, COOKIE.flow, signer.seal('cookie', flow, now() + FLOW_MS), FLOW_MS);
    },
    clearFlow(res: Response): void {
      jar.clear(res, COOKIE.flow);
    },
    /** 303: the browser follows with a GET (RFC 9110 §15.4.4), so a reload never re-posts. */
    seeOther(res: Response, url: string, why?: ErrorDef): void {
      res.setHeader('Cache-Control', 'no-store');
      if (why) res.setHeader('X-WFC-Error', why.code);
      res.redirect(303, url);
    },
    checkCsrf(req: Request, res: Response): boolean {
      const body = req.body as Record<string, unknown> | undefined;
      return signer.checkCsrf(state(res).cookies[COOKIE.csrf], body?._csrf);
    },
  };
}

export type Portal = ReturnType<typeof createPortal>;

/** Origins the browser may be sent to after a form post on a page of this gateway flow. */
export function gatewayOrigins(ctx: GatewayContext): string[] {
  const urls: string[] = [];
  if (ctx.type === 'coovachilli') urls.push(`http://${ctx.uamip.includes(':') ? `[${ctx.uamip}]` : ctx.uamip}:${ctx.uamport}`);
  if (ctx.type === 'opennds') urls.push(new URL(ctx.authUrl).origin);
  if (ctx.type === 'generic') urls.push(new URL(ctx.loginUrl).origin);
  const logout = adapterFor(ctx).logoutUrl(ctx);
  if (logout) urls.push(new URL(logout).origin);
  return [...new Set(urls)];
}
