/**
 * Who is calling, resolved once at the edge (STYLE.md habit 9):
 * - municipal IT and operators: `Authorization: Bearer wfc_…`, an API token
 *   (sha256 at rest); its tenant comes from the token, never from the body;
 * - agents: `Authorization: Bearer wfca_…`, the device key from enrolment.
 * Neither kind opens the other's endpoints.
 *
 * Roles: admin (federation-wide, tenantId null), municipal-rw, municipal-ro.
 * An admin names the municipality it acts on with `?tenant=<slug>`; a
 * municipal token may name only its own. Anything of another municipality
 * answers 404, exactly as if it did not exist.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Role, Tenant } from '../controller/domain/entities.js';
import { AppError, E, validationError } from '../controller/errors.js';
import type { Stores } from '../controller/ports/stores.js';
import { tokenDigest } from '../controller/security/tokens.js';
import type { AgentService, DeviceCaller } from './agent.js';

export interface ApiCaller {
  readonly tokenId: string;
  readonly tenantId: string | null;
  readonly role: Role;
  /** The audit log's `actor`. */
  readonly actor: string;
}

export type Permission = 'read' | 'write' | 'admin';

/** Policy as data: what each role may do. */
const ALLOWED: Record<Role, readonly Permission[]> = {
  admin: ['read', 'write', 'admin'],
  'municipal-rw': ['read', 'write'],
  'municipal-ro': ['read'],
};

const ACTION: Record<Permission, string> = { read: 'read', write: 'change anything', admin: 'act for the whole federation' };

export function bearer(req: Request): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1]! : null;
}

export function callerOf(res: Response): ApiCaller {
  return res.locals.caller as ApiCaller;
}

export function deviceOf(res: Response): DeviceCaller {
  return res.locals.device as DeviceCaller;
}

/** API tokens only; revoked and unknown ones alike get 401. */
export function apiAuth(stores: Stores): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = bearer(req);
    if (!token || !token.startsWith('wfc_')) throw new AppError(E.UNAUTHENTICATED);
    const t = await stores.tokens.findByHash(tokenDigest(token));
    // findByHash returns revoked tokens too: the store lets callers tell them apart.
    if (!t || t.revokedAt !== null) throw new AppError(E.UNAUTHENTICATED);
    const caller: ApiCaller = { tokenId: t.id, tenantId: t.tenantId, role: t.role, actor: `token:${t.id}` };
    res.locals.caller = caller;
    next();
  };
}

export function deviceAuth(agents: AgentService): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = bearer(req);
    const d = key ? await agents.authenticate(key) : null;
    if (!d) throw new AppError(E.DEVICE_UNAUTHENTICATED);
    res.locals.device = d;
    next();
  };
}

export function permit(caller: ApiCaller, p: Permission): void {
  if (!ALLOWED[caller.role].includes(p)) throw new AppError(E.FORBIDDEN, { action: ACTION[p] });
}

/**
 * The municipality a request acts on. A municipal token's own, whatever the
 * query says (another slug: 404, so slugs cannot be probed); an admin's from
 * `?tenant=`, required.
 */
export async function tenantOf(stores: Stores, caller: ApiCaller, req: Request): Promise<Tenant> {
  const q = req.query.tenant;
  if (q !== undefined && typeof q !== 'string') throw validationError([{ field: 'tenant', message: 'one municipality slug' }]);
  if (caller.tenantId !== null) {
    const own = await stores.tenants.get(caller.tenantId);
    if (!own || (q !== undefined && q !== own.slug)) throw new AppError(E.TENANT_NOT_FOUND, { tenant: q ?? caller.tenantId });
    return own;
  }
  if (q === undefined) throw validationError([{ field: 'tenant', message: 'a federation-wide token names the municipality: ?tenant=<slug>' }]);
  const t = await stores.tenants.getBySlug(q);
  if (!t) throw new AppError(E.TENANT_NOT_FOUND, { tenant: q });
  return t;
}

/** An admin without `?tenant=` acts on the federation itself; anyone else on their municipality. */
export async function scopeOf(stores: Stores, caller: ApiCaller, req: Request): Promise<Tenant | null> {
  if (caller.tenantId === null && req.query.tenant === undefined) return null;
  return tenantOf(stores, caller, req);
}
