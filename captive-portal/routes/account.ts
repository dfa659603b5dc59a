/**
 * The landing page (where the gateway sends the citizen), login,
 * registration, address verification, new codes and forgotten passwords.
 */
import type { Request, Response, Router } from 'express';
import type { Identity } from '../../controller/domain/entities.js';
import { E, type ErrorDef } from '../../controller/errors.js';
import { isLocale } from '../i18n/index.js';
import type { Limited, SendResult } from '../accounts.js';
import { state, type Portal } from '../context.js';
import { handOff } from '../handoff.js';
import { parseGatewayRequest, type GatewayRequest } from '../nas/index.js';
import { href } from '../views/html.js';
import { link } from '../views/layout.js';
import { errorPage, forgotPage, handoffPage, landingPage, loginPage, registerPage, verifyPage, type Notice } from '../views/pages.js';

const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));
const str = (v: unknown, max = 256): string => (typeof v === 'string' ? v.slice(0, max) : '');

/** The gateway's redirect as received: raw query (for signatures) and first values. */
export function gatewayRequest(req: Request, publicUrl: string | null): GatewayRequest {
  const q = req.originalUrl.indexOf('?');
  const rawQuery = q >= 0 ? req.originalUrl.slice(q + 1) : '';
  const path = q >= 0 ? req.originalUrl.slice(0, q) : req.originalUrl;
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQuery)) if (!(k in query)) query[k] = v;
  const bases = new Set<string>();
  if (publicUrl) bases.add(publicUrl.replace(/\/+$/, '') + path);
  const host = req.get('host');
  if (host) bases.add(`${req.protocol}://${host}${path}`);
  return { query, rawQuery, urlBases: [...bases] };
}

export function accountRoutes(r: Router, portal: Portal): void {
  const { deps } = portal;
  const rememberDays = (res: Response) => (state(res).gw?.ctx.authenticated ? portal.rememberDays : null);

  const rateLimitedNotice = (res: Response, l: Limited, action: string): Notice => {
    const st = state(res);
    deps.metrics.portal.rateLimited.inc({ tenant: st.tenant!.slug, action, scope: l.scope });
    return { kind: 'alert', text: l.scope === 'identity' ? st.t.login.locked(minutes(l.retryAfterMs)) : st.t.errors.rateLimited(minutes(l.retryAfterMs)) };
  };

  const sendNotice = (res: Response, s: SendResult, action: string): { status: number | ErrorDef; notice: Notice } => {
    const t = state(res).t;
    switch (s.kind) {
      case 'sent':
        return { status: 200, notice: { kind: 'notice', text: t.verify.resent } };
      case 'cooldown':
        return { status: E.PORTAL_CODE_COOLDOWN, notice: { kind: 'alert', text: t.verify.cooldown(Math.ceil(s.retryAfterMs / 1000)) } };
      case 'daily-cap':
        return { status: E.PORTAL_CODE_DAILY_CAP, notice: { kind: 'alert', text: t.verify.dailyCap } };
      case 'rate-limited':
        return { status: E.RATE_LIMITED, notice: rateLimitedNotice(res, s, action) };
    }
  };

  /** A signed-in citizen at a gateway: hand off; elsewhere: the status page. */
  async function afterLogin(req: Request, res: Response, identity: Identity, remember: boolean): Promise<void> {
    const st = state(res);
    portal.signIn(res, identity);
    deps.metrics.portal.logins.inc({ tenant: st.tenant!.slug, result: 'success' });
    const gw = st.gw;
    // Settings changed since the redirect (another protocol, or none): no hand-off with stale parameters.
    if (!gw || !st.tenant!.portal || st.tenant!.portal.gateway !== gw.ctx.type) return portal.seeOther(res, link(portal.view(req, res), '/status'));
    const h = await handOff(deps, {
      tenant: st.tenant!,
      identity,
      gw: gw.ctx,
      remember,
      userAgent: req.headers['user-agent'],
      now: portal.nowDate(),
      tokenTtlMs: portal.tokenTtlMs,
      rememberDays: portal.rememberDays,
    });
    if (h.kind === 'redirect') return portal.seeOther(res, h.url);
    portal.render(res, 'handoff', 200, handoffPage(portal.view(req, res), h.action, h.fields), { formTargets: [new URL(h.action).origin], script: true });
  }

  r.get('/', async (req, res) => {
    const st = state(res);
    const tenant = st.tenant!;
    const parsed = parseGatewayRequest(gatewayRequest(req, deps.publicUrl), tenant.portal);
    let notice: Notice | null = null;
    if (parsed) {
      if (!parsed.ok) {
        deps.metrics.portal.badGateway.inc({ tenant: tenant.slug, gateway: parsed.type, reason: parsed.reason });
        deps.log.info({ tenant: tenant.slug, gateway: parsed.type, reason: parsed.reason }, 'gateway redirect refused');
        return portal.render(res, 'bad-gateway', E.PORTAL_BAD_GATEWAY, errorPage(portal.view(req, res), st.t.errors.badGatewayTitle, st.t.errors.badGateway));
      }
      if (parsed.ctx) portal.sealGateway(res, st, parsed.ctx);
      if (parsed.event === 'success' || parsed.event === 'already') return portal.seeOther(res, link(portal.view(req, res), '/status'));
      if (parsed.event === 'failed') notice = { kind: 'alert', text: parsed.reply ? st.t.landing.gatewayRefused(parsed.reply) : st.t.landing.gatewayRefusedNoReason };
      if (parsed.event === 'logoff') notice = { kind: 'notice', text: st.t.landing.loggedOut };
    }
    if (req.query.done === 'logout') notice = { kind: 'notice', text: st.t.landing.loggedOut };
    const v = portal.view(req, res);
    portal.render(res, 'landing', 200, landingPage(v, { notice, rememberDays: rememberDays(res), gatewayMissing: st.gw === null }));
  });

  r.get('/login', (req, res) => {
    const st = state(res);
    const done = req.query.done;
    const notice: Notice | null = done === 'verified' ? { kind: 'notice', text: st.t.login.verified } : done === 'reset' ? { kind: 'notice', text: st.t.login.passwordReset } : null;
    portal.render(res, 'login', 200, loginPage(portal.view(req, res), { login: str(req.query.login, 254), notice, rememberDays: rememberDays(res) }));
  });

  r.post('/login', async (req, res) => {
    const st = state(res);
    const tenant = st.tenant!;
    const body = req.body as Record<string, unknown>;
    const login = str(body.login, 254);
    const result = await portal.accounts.login(tenant, st.ip, login, str(body.password, 1024));
    const again = (status: ErrorDef, notice: Notice) => portal.render(res, 'login', status, loginPage(portal.view(req, res), { login, notice, rememberDays: rememberDays(res) }));
    switch (result.kind) {
      case 'ok':
        return afterLogin(req, res, result.identity, body.remember === '1');
      case 'failed':
        deps.metrics.portal.logins.inc({ tenant: tenant.slug, result: 'invalid' });
        return again(E.PORTAL_LOGIN_FAILED, { kind: 'alert', text: st.t.login.failed });
      case 'rate-limited':
        deps.metrics.portal.logins.inc({ tenant: tenant.slug, result: 'locked' });
        return again(E.RATE_LIMITED, rateLimitedNotice(res, result, 'login'));
      case 'disabled':
        deps.metrics.portal.logins.inc({ tenant: tenant.slug, result: 'disabled' });
        return again(E.PORTAL_ACCOUNT_DISABLED, { kind: 'alert', text: st.t.login.disabled });
      case 'unverified':
        deps.metrics.portal.logins.inc({ tenant: tenant.slug, result: 'unverified' });
        portal.setFlow(res, result.flow);
        return portal.seeOther(res, link(portal.view(req, res), '/verify'));
    }
  });

  r.get('/register', (req, res) => {
    portal.render(res, 'register', 200, registerPage(portal.view(req, res), { email: '', username: '', terms: false }, {}));
  });

  r.post('/register', async (req, res) => {
    const st = state(res);
    const body = req.body as Record<string, unknown>;
    const values = { email: str(body.email, 254), username: str(body.username, 64), terms: body.terms === '1' };
    const result = await portal.accounts.register(st.tenant!, st.ip, { ...values, password: str(body.password, 1024), locale: st.locale });
    switch (result.kind) {
      case 'pending':
        portal.setFlow(res, result.flow);
        return portal.seeOther(res, link(portal.view(req, res), '/verify'));
      case 'invalid': {
        const keys = Object.keys(result.errors);
        const why = result.errors.username === 'usernameTaken' ? E.USERNAME_TAKEN : keys.length === 1 && keys[0] === 'terms' ? E.PORTAL_TERMS_REQUIRED : E.VALIDATION;
        return portal.render(res, 'register', why, registerPage(portal.view(req, res), values, result.errors));
      }
      case 'rate-limited':
        return portal.render(res, 'register', E.RATE_LIMITED, registerPage(portal.view(req, res), values, {}, rateLimitedNotice(res, result, 'register')));
    }
  });

  /** The code page of the flow in progress (verification or reset), or a way back. */
  const codePage = (req: Request, res: Response, status: number | ErrorDef, notice: Notice | null, passwordError?: Parameters<typeof verifyPage>[1]['passwordError']) => {
    const flow = portal.flow(res);
    const v = portal.view(req, res);
    if (!flow) return portal.render(res, 'verify', E.PORTAL_CODE_INVALID, errorPage(v, v.t.verify.title, v.t.verify.noFlow));
    portal.render(res, flow.purpose === 'verify-email' ? 'verify' : 'reset', status, verifyPage(v, { to: flow.to, notice, purpose: flow.purpose, passwordError }));
  };

  r.get('/verify', (req, res) => codePage(req, res, 200, null));
  r.get('/reset', (req, res) => codePage(req, res, 200, null));

  const checkCode = (purpose: 'verify-email' | 'reset-password') => async (req: Request, res: Response) => {
    const st = state(res);
    const flow = portal.flow(res);
    if (!flow || flow.purpose !== purpose) return codePage(req, res, E.PORTAL_CODE_INVALID, null);
    const body = req.body as Record<string, unknown>;
    const result = await portal.accounts.checkCode(st.tenant!, st.ip, flow, str(body.code, 32), purpose === 'reset-password' ? str(body.password, 1024) : undefined);
    switch (result.kind) {
      case 'ok': {
        portal.clearFlow(res);
        if (purpose === 'reset-password') portal.signOut(res);
        const v = portal.view(req, res);
        return portal.seeOther(res, href(`${v.base}/login`, { done: purpose === 'verify-email' ? 'verified' : 'reset', login: result.identity?.username ?? flow.login }));
      }
      case 'invalid':
        return codePage(req, res, E.PORTAL_CODE_INVALID, { kind: 'alert', text: st.t.verify.invalid });
      case 'burnt':
        return codePage(req, res, E.PORTAL_CODE_BURNT, { kind: 'alert', text: st.t.verify.burnt });
      case 'bad-password':
        return codePage(req, res, E.VALIDATION, { kind: 'alert', text: st.t.register.errors[result.errors.password!] }, result.errors.password);
      case 'rate-limited':
        return codePage(req, res, E.RATE_LIMITED, rateLimitedNotice(res, result, 'code'));
    }
  };
  r.post('/verify', checkCode('verify-email'));
  r.post('/reset', checkCode('reset-password'));

  r.post('/resend', async (req, res) => {
    const st = state(res);
    const flow = portal.flow(res);
    if (!flow) return codePage(req, res, E.PORTAL_CODE_INVALID, null);
    const sent = await portal.accounts.resend(st.tenant!, st.ip, flow);
    const { status, notice } = sendNotice(res, sent, 'resend');
    codePage(req, res, status, notice);
  });

  r.get('/forgot', (req, res) => {
    portal.render(res, 'forgot', 200, forgotPage(portal.view(req, res), {}));
  });

  r.post('/forgot', async (req, res) => {
    const st = state(res);
    const body = req.body as Record<string, unknown>;
    const login = str(body.login, 254);
    const locale = isLocale(st.locale) ? st.locale : 'fr';
    const result = await portal.accounts.forgot(st.tenant!, st.ip, login, locale);
    if (result.kind === 'rate-limited') return portal.render(res, 'forgot', E.RATE_LIMITED, forgotPage(portal.view(req, res), { login, notice: rateLimitedNotice(res, result, 'forgot') }));
    portal.setFlow(res, result.flow);
    portal.seeOther(res, link(portal.view(req, res), '/reset'));
  });
}
