/** The gateway adapters, by protocol, and the one place that picks one for a request. */
import type { GatewayType, PortalSettings } from '../../controller/domain/entities.js';
import { coovaChilli } from './coovachilli.js';
import { genericLogin } from './generic-login.js';
import { openNds } from './opennds.js';
import type { GatewayAdapter, GatewayContext, GatewayRequest, ParseResult } from './types.js';

export type * from './types.js';

export const ADAPTERS: Readonly<Record<GatewayType, GatewayAdapter>> = {
  coovachilli: coovaChilli as unknown as GatewayAdapter,
  opennds: openNds as unknown as GatewayAdapter,
  generic: genericLogin as unknown as GatewayAdapter,
};

export function adapterFor(ctx: GatewayContext): GatewayAdapter {
  return ADAPTERS[ctx.type];
}

/** Which protocol's parameters the query carries, if any. */
export function detectGateway(query: Readonly<Record<string, string>>): GatewayType | null {
  for (const a of Object.values(ADAPTERS)) if (a.recognises(query)) return a.type;
  return null;
}

/**
 * Parses a gateway redirect for a municipality: null when the request has
 * no gateway parameters at all (a citizen opening the portal directly).
 */
export function parseGatewayRequest(req: GatewayRequest, settings: PortalSettings | null): (ParseResult & { type: GatewayType }) | null {
  const type = detectGateway(req.query);
  if (!type) return null;
  if (!settings) return { ok: false, reason: 'not-configured', type };
  return { ...ADAPTERS[type].parse(req, settings), type };
}
