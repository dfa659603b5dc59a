import { z } from 'zod';
import type { Federation } from '../domain/entities.js';
import { AppError, E } from '../errors.js';
import type { Stores } from '../ports/stores.js';
import { validate } from './validate.js';

const federationSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    realm: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a DNS domain, e.g. wifi.example-region.fr'),
  })
  .strict();

export async function setFederation(stores: Stores, input: unknown, actor: string): Promise<Federation> {
  const next = validate(federationSchema, input);
  const before = await stores.federation.get();
  await stores.federation.set(next);
  await stores.audit.append({ actor, tenantId: null, action: 'federation.set', target: 'federation', before, after: next });
  return next;
}

export async function requireFederation(stores: Stores): Promise<Federation> {
  const f = await stores.federation.get();
  if (!f) throw new AppError(E.FEDERATION_NOT_SET);
  return f;
}
