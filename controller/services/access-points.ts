import type { AccessPoint, Tenant } from '../domain/entities.js';
import { accessPointInputSchema } from '../domain/validation.js';
import type { Stores } from '../ports/stores.js';
import { validate } from './validate.js';

export async function createAccessPoint(stores: Stores, tenant: Tenant, input: unknown, actor: string): Promise<AccessPoint> {
  const v = validate(accessPointInputSchema, input);
  const ap = await stores.accessPoints.create(tenant.id, v);
  await stores.audit.append({ actor, tenantId: tenant.id, action: 'ap.create', target: `ap:${ap.mac}`, before: null, after: ap });
  return ap;
}
