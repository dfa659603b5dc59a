import type { ApiToken, Role, Tenant } from '../domain/entities.js';
import type { Stores } from '../ports/stores.js';
import { newToken, tokenDigest } from '../security/tokens.js';

/** Creates an API token; the clear token is returned once and never stored. */
export async function createApiToken(
  stores: Stores,
  opts: { tenant: Tenant | null; name: string; role: Role },
  actor: string,
): Promise<{ token: ApiToken; secret: string }> {
  const secret = newToken('wfc');
  const token = await stores.tokens.create({ tenantId: opts.tenant?.id ?? null, name: opts.name, role: opts.role, tokenHash: tokenDigest(secret) });
  const { tokenHash: _h, ...shown } = token;
  await stores.audit.append({ actor, tenantId: token.tenantId, action: 'token.create', target: `token:${token.id}`, before: null, after: shown });
  return { token, secret };
}
