/**
 * A signed-in citizen's GDPR rights, without JavaScript:
 *
 *   GET  /account/data      the personal-data download (art. 15, 20), a JSON attachment
 *   GET  /account/delete    the erasure confirmation page (current password)
 *   POST /account/delete    erasure (art. 17), then signed out
 *   GET  /account/deleted   what went, what the law keeps and why
 *
 * The download is a GET (a form with method="get") so that a browser saves
 * it as a file; it carries the CSRF token all the same and is refused
 * without it, so that no other site can make a browser fetch it. The
 * Referrer-Policy: no-referrer header keeps the token out of Referer.
 */
import type { Request, Response, Router } from 'express';
import { E, isAppError } from '../../controller/errors.js';
import { eraseAccount, exportPersonalData } from '../../controller/services/privacy.js';
import { COOKIE } from '../cookies.js';
import { state, type Portal } from '../context.js';
import { link } from '../views/layout.js';
import { accountDeletedPage, deleteAccountPage, errorPage, type Notice } from '../views/pages.js';

const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));

/** The file name citizens see in their downloads. */
export const DATA_FILE_NAME = 'mes-donnees-wifi.json';

export function privacyRoutes(r: Router, portal: Portal): void {
  const { deps } = portal;
  const clock = deps.clock ?? { now: () => new Date() };

  const csrfRefused = (req: Request, res: Response) => {
    const st = state(res);
    deps.metrics.portal.csrfFailures.inc({ tenant: st.tenant!.slug });
    portal.render(res, 'csrf', E.PORTAL_BAD_CSRF, errorPage(portal.view(req, res), st.t.errors.csrfTitle, st.t.errors.csrf));
  };

  r.get('/account/data', async (req, res) => {
    const st = state(res);
    const identity = await portal.currentIdentity(res);
    if (!identity) return portal.seeOther(res, link(portal.view(req, res), '/login'), E.PORTAL_NOT_SIGNED_IN);
    if (!portal.signer.checkCsrf(st.cookies[COOKIE.csrf], req.query._csrf)) return csrfRefused(req, res);
    const doc = await exportPersonalData({ stores: deps.stores, clock, retention: deps.retention }, identity.id);
    deps.metrics.privacy.dataExports.inc();
    res.status(200);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    res.setHeader('Content-Disposition', `attachment; filename="${DATA_FILE_NAME}"`);
    res.type('application/json').send(`${JSON.stringify(doc, null, 2)}\n`);
  });

  const confirmPage = (req: Request, res: Response, username: string, status: Parameters<Portal['render']>[2], notice: Notice | null) =>
    portal.render(res, 'account-delete', status, deleteAccountPage(portal.view(req, res), { username, notice }));

  r.get('/account/delete', async (req, res) => {
    const identity = await portal.currentIdentity(res);
    if (!identity) return portal.seeOther(res, link(portal.view(req, res), '/login'), E.PORTAL_NOT_SIGNED_IN);
    confirmPage(req, res, identity.username, 200, null);
  });

  r.post('/account/delete', async (req, res) => {
    const st = state(res);
    const tenant = st.tenant!;
    const identity = await portal.currentIdentity(res);
    if (!identity) return portal.seeOther(res, link(portal.view(req, res), '/login'), E.PORTAL_NOT_SIGNED_IN);
    const password = (req.body as Record<string, unknown>).password;
    const check = await portal.accounts.confirmPassword(st.ip, identity, typeof password === 'string' ? password.slice(0, 1024) : '');
    if (check.kind === 'rate-limited') {
      deps.metrics.portal.rateLimited.inc({ tenant: tenant.slug, action: 'erase', scope: check.scope });
      const text = check.scope === 'identity' ? st.t.login.locked(minutes(check.retryAfterMs)) : st.t.errors.rateLimited(minutes(check.retryAfterMs));
      return confirmPage(req, res, identity.username, E.RATE_LIMITED, { kind: 'alert', text });
    }
    if (check.kind === 'failed') return confirmPage(req, res, identity.username, E.PORTAL_LOGIN_FAILED, { kind: 'alert', text: st.t.account.wrongPassword });
    try {
      await eraseAccount({ stores: deps.stores, clock, metrics: deps.metrics }, identity.id, 'citizen', `portal:${tenant.slug}`);
    } catch (e) {
      // Erased meanwhile (another tab, an operator): the outcome the citizen asked for.
      if (!isAppError(e) || e.code !== E.IDENTITY_NOT_FOUND.code) throw e;
    }
    deps.log.info({ identity: identity.id, tenant: tenant.slug }, 'account erased by its holder');
    portal.signOut(res);
    portal.clearFlow(res);
    portal.seeOther(res, link(portal.view(req, res), '/account/deleted'));
  });

  r.get('/account/deleted', (req, res) => {
    portal.render(res, 'account-deleted', 200, accountDeletedPage(portal.view(req, res)));
  });
}
