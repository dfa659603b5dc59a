/**
 * RFC 8908 Captive Portal API: `application/captive+json` telling a device
 * whether it is still captive and, once online, how long and how much it
 * has left. Devices learn the API's URL from the network (RFC 8910: DHCPv4
 * option 114, DHCPv6 option 103, IPv6 RA option 37); docs/portal.md says
 * what a gateway should advertise.
 *
 * The device is found from the live sessions the gateways report in
 * accounting: its signed-in portal session when the request carries one,
 * else the session whose Framed-IP-Address is the request's source
 * address (the OS's captive-portal client sends no cookies).
 */
import type { Tenant } from '../controller/domain/entities.js';
import type { LiveSession } from '../controller/ports/live-sessions.js';
import type { Stores } from '../controller/ports/stores.js';
import { allowanceFor } from './allowance.js';

export const CAPTIVE_JSON = 'application/captive+json';

/** RFC 8908 §5: the keys of the API's JSON object. */
export interface CaptiveState {
  readonly captive: boolean;
  readonly 'user-portal-url'?: string;
  readonly 'venue-info-url'?: string;
  readonly 'can-extend-session'?: boolean;
  readonly 'seconds-remaining'?: number;
  readonly 'bytes-remaining'?: number;
}

export async function captiveState(opts: {
  stores: Stores;
  session: LiveSession | null;
  sessionTenant: Tenant | null;
  portalUrl: string;
  venueUrl: string | null;
  now: Date;
}): Promise<CaptiveState> {
  const base = { 'user-portal-url': opts.portalUrl, ...(opts.venueUrl ? { 'venue-info-url': opts.venueUrl } : {}) };
  if (!opts.session || !opts.sessionTenant) return { captive: true, ...base };
  const a = await allowanceFor(opts.stores, opts.sessionTenant, opts.session, opts.now);
  if (a.secondsRemaining <= 0 || a.bytesRemaining === 0) return { captive: true, ...base };
  return {
    captive: false,
    ...base,
    'seconds-remaining': a.secondsRemaining,
    ...(a.bytesRemaining !== null ? { 'bytes-remaining': a.bytesRemaining } : {}),
    // Extending means signing in again on the portal once the session ends (RFC 8908 §5).
    'can-extend-session': true,
  };
}
