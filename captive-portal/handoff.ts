/**
 * After a successful login at a gateway: issue the one-time RADIUS token
 * (bound to the identity, the device's MAC and this municipality, valid a
 * couple of minutes), remember the device when the citizen asked and the
 * gateway's parameters were signed, and build the hand-off in the gateway's
 * own protocol.
 */
import type { Identity, Tenant } from '../controller/domain/entities.js';
import { LOGIN_TOKEN_PREFIX } from '../controller/ports/login-tokens.js';
import type { PortalDeps } from './deps.js';
import { adapterFor, type GatewayContext, type Handoff } from './nas/index.js';
import { randomId } from './signing.js';

/** A coarse device name from the User-Agent, shown in the list of remembered devices. */
export function deviceLabel(userAgent: string | undefined): string | null {
  const ua = userAgent ?? '';
  for (const [re, name] of [
    [/iPhone/, 'iPhone'],
    [/iPad/, 'iPad'],
    [/Android/, 'Android'],
    [/Windows/, 'Windows'],
    [/Mac OS X|Macintosh/, 'Mac'],
    [/CrOS/, 'Chromebook'],
    [/Linux/, 'Linux'],
  ] as const) {
    if (re.test(ua)) return name;
  }
  return null;
}

export async function handOff(
  deps: PortalDeps,
  opts: { tenant: Tenant; identity: Identity; gw: GatewayContext; remember: boolean; userAgent: string | undefined; now: Date; tokenTtlMs: number; rememberDays: number },
): Promise<Handoff> {
  const { tenant, identity, gw, now } = opts;
  const adapter = adapterFor(gw);
  // The login token: `wfct_` and 128 random bits (controller/ports/login-tokens.ts).
  const token = `${LOGIN_TOKEN_PREFIX}${randomId(16)}`;
  if (adapter.usesRadius) {
    await deps.tokens.issue({ secret: token, identityId: identity.id, tenantId: tenant.id, mac: gw.mac, expiresAt: new Date(now.getTime() + opts.tokenTtlMs) });
  }
  if (opts.remember && gw.authenticated) {
    const device = await deps.stores.devices.remember(identity.id, gw.mac, new Date(now.getTime() + opts.rememberDays * 86400_000), deviceLabel(opts.userAgent));
    await deps.stores.audit.append({ actor: `portal:${tenant.slug}`, tenantId: tenant.id, action: 'device.remember', target: `identity:${identity.id}`, before: null, after: { device: device.id, expiresAt: device.expiresAt } });
  }
  deps.metrics.portal.handoffs.inc({ tenant: tenant.slug, gateway: gw.type });
  return adapter.handoff(gw, tenant.portal!, { username: identity.username, token });
}
