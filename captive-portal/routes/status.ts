/** The "connected" page (time and data left, remembered devices), forgetting a device, logging out. */
import type { Router } from 'express';
import { E, isAppError } from '../../controller/errors.js';
import type { LiveSession } from '../../controller/ports/live-sessions.js';
import { allowanceFor } from '../allowance.js';
import { state, type Portal } from '../context.js';
import { adapterFor } from '../nas/index.js';
import { link } from '../views/layout.js';
import { statusPage, type Notice } from '../views/pages.js';

export function statusRoutes(r: Router, portal: Portal): void {
  const { deps } = portal;

  r.get('/status', async (req, res) => {
    const st = state(res);
    const identity = await portal.currentIdentity(res);
    if (!identity) return portal.seeOther(res, link(portal.view(req, res), '/login'), E.PORTAL_NOT_SIGNED_IN);
    const now = portal.nowDate();
    const live = await deps.live.listByIdentity(identity.id);
    // This device's session when the gateway told us its MAC, else the latest.
    const mine: LiveSession | undefined =
      (st.gw ? live.find((s) => s.callingStationId === st.gw!.ctx.mac) : undefined) ?? [...live].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())[0];
    let timeLeft: string | null = null;
    let dataLeft: string | null = null;
    if (mine) {
      const tenant = mine.tenantId === st.tenant!.id ? st.tenant! : await deps.stores.tenants.get(mine.tenantId);
      if (tenant) {
        const a = await allowanceFor(deps.stores, tenant, mine, now);
        const minutesLeft = Math.floor(a.secondsRemaining / 60);
        timeLeft = st.t.formats.duration(Math.floor(minutesLeft / 60), minutesLeft % 60);
        dataLeft = a.bytesRemaining === null ? null : st.t.formats.bytes(a.bytesRemaining);
      }
    }
    const devices = (await deps.stores.devices.listByIdentity(identity.id))
      .filter((d) => d.expiresAt.getTime() > now.getTime())
      .map((d) => ({ id: d.id, name: `${d.label ?? st.t.status.unnamedDevice} (…${d.mac.slice(-5)})`, until: st.t.formats.date(d.expiresAt) }));
    const notice: Notice | null = req.query.done === 'forgotten' ? { kind: 'notice', text: st.t.status.forgotten } : null;
    portal.render(
      res,
      'status',
      200,
      statusPage(portal.view(req, res), { username: identity.username, online: mine !== undefined, timeLeft, dataLeft, userUrl: st.gw?.ctx.userUrl ?? null, devices, notice }),
    );
  });

  r.post('/devices/forget', async (req, res) => {
    const st = state(res);
    const identity = await portal.currentIdentity(res);
    if (!identity) return portal.seeOther(res, link(portal.view(req, res), '/login'), E.PORTAL_NOT_SIGNED_IN);
    const device = (req.body as Record<string, unknown>).device;
    if (typeof device === 'string' && device.length <= 64) {
      try {
        await deps.stores.devices.forget(identity.id, device);
        await deps.stores.audit.append({ actor: `portal:${st.tenant!.slug}`, tenantId: st.tenant!.id, action: 'device.forget', target: `identity:${identity.id}`, before: { device }, after: null });
      } catch (e) {
        // Another citizen's device, or already gone: nothing to forget.
        if (!isAppError(e) || e.code !== 'WFC_DEVICE_NOT_FOUND') throw e;
      }
    }
    portal.seeOther(res, link(portal.view(req, res), '/status', { done: 'forgotten' }));
  });

  r.post('/logout', (req, res) => {
    const st = state(res);
    portal.signOut(res);
    const gatewayLogout = st.gw ? adapterFor(st.gw.ctx).logoutUrl(st.gw.ctx) : null;
    portal.seeOther(res, gatewayLogout ?? link(portal.view(req, res), '/', { done: 'logout' }));
  });
}
