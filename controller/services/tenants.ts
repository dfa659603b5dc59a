import type { RadiusClient, Tenant } from '../domain/entities.js';
import { DEFAULT_POLICY } from '../domain/policy.js';
import { policySchema, radiusClientInputSchema, tenantInputSchema } from '../domain/validation.js';
import { AppError, E } from '../errors.js';
import type { Stores } from '../ports/stores.js';
import { validate } from './validate.js';

export async function createTenant(stores: Stores, input: unknown, actor: string): Promise<Tenant> {
  const v = validate(tenantInputSchema, input);
  const tenant = await stores.tenants.create({
    slug: v.slug,
    name: v.name,
    inseeCode: v.inseeCode,
    branding: { displayName: v.displayName ?? v.name, primaryColor: v.primaryColor ?? '#0b5394', logoUrl: v.logoUrl ?? null },
    policy: { ...DEFAULT_POLICY, ...v.policy },
    wifi4eu: null,
  });
  await stores.audit.append({ actor, tenantId: tenant.id, action: 'tenant.create', target: `tenant:${tenant.slug}`, before: null, after: tenant });
  return tenant;
}

/** Resolves a municipality by slug or id; the one place that raises TENANT_NOT_FOUND. */
export async function requireTenant(stores: Stores, slugOrId: string): Promise<Tenant> {
  const t = (await stores.tenants.getBySlug(slugOrId)) ?? (await stores.tenants.get(slugOrId));
  if (!t) throw new AppError(E.TENANT_NOT_FOUND, { tenant: slugOrId });
  return t;
}

/** Audit records never carry the shared secret. */
export function redactClient(c: RadiusClient): Omit<RadiusClient, 'secret'> {
  const { secret: _secret, ...rest } = c;
  return rest;
}

export async function addRadiusClient(stores: Stores, tenant: Tenant, input: unknown, actor: string): Promise<RadiusClient> {
  const v = validate(radiusClientInputSchema, input);
  const client = await stores.clients.add(tenant.id, v);
  await stores.audit.append({ actor, tenantId: tenant.id, action: 'radius-client.add', target: `client:${client.network}`, before: null, after: redactClient(client) });
  return client;
}

/** Changes part of a municipality's access policy; the RADIUS server applies it at its next reload. */
export async function updateTenantPolicy(stores: Stores, tenant: Tenant, patch: unknown, actor: string): Promise<Tenant> {
  const v = validate(policySchema.partial(), patch);
  const policy = validate(policySchema, { ...tenant.policy, ...v });
  const after = await stores.tenants.update(tenant.id, { policy });
  await stores.audit.append({ actor, tenantId: tenant.id, action: 'tenant.policy', target: `tenant:${tenant.slug}`, before: tenant.policy, after: policy });
  return after;
}
