/**
 * A municipality's gateway settings for the portal: validation, and the
 * one way to change them (audited, secrets never in the audit trail).
 */
import { z } from 'zod';
import { GATEWAY_TYPES, type GatewayType, type PortalSettings, type Tenant, type Wifi4Eu } from '../domain/entities.js';
import { localeSchema } from '../domain/validation.js';
import { validate } from './validate.js';
import type { Stores } from '../ports/stores.js';

/** Printable ASCII without spaces: what gateways' configuration files take without quoting trouble. */
const secret = z
  .string()
  .min(8, 'at least 8 characters')
  .max(128, 'at most 128 characters')
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

const host = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .pipe(z.string().regex(/^(?=.{1,253}$)(\*\.)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/, 'a host name (optionally *.domain)'));

export const portalSettingsSchema = z
  .object({
    gateway: z.enum(GATEWAY_TYPES as [GatewayType, ...GatewayType[]]),
    uamSecret: secret.nullable().default(null),
    uamAuth: z.enum(['pap', 'chap']).default('chap'),
    fasKey: secret.nullable().default(null),
    walledGarden: z.array(host).max(100).default([]),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.uamSecret !== null && v.gateway !== 'coovachilli') ctx.addIssue({ code: 'custom', path: ['uamSecret'], message: 'only CoovaChilli gateways use a uamSecret' });
    if (v.fasKey !== null && v.gateway !== 'opennds') ctx.addIssue({ code: 'custom', path: ['fasKey'], message: 'only openNDS gateways use a fasKey' });
  });

export type PortalSettingsInput = z.input<typeof portalSettingsSchema>;

/** What may be shown or audited: secrets replaced by whether they are set. */
export function redactSettings(s: PortalSettings | null): Record<string, unknown> | null {
  if (!s) return null;
  return { ...s, uamSecret: s.uamSecret ? '[set]' : null, fasKey: s.fasKey ? '[set]' : null };
}

/** @throws AppError VALIDATION with field-level issues */
export async function setPortalSettings(stores: Stores, tenant: Tenant, input: unknown, actor: string): Promise<Tenant> {
  let settings: PortalSettings | null = null;
  if (input !== null) {
    settings = validate(portalSettingsSchema, input);
  }
  const after = await stores.tenants.update(tenant.id, { portal: settings });
  await stores.audit.append({ actor, tenantId: tenant.id, action: 'tenant.portal', target: `tenant:${tenant.slug}`, before: redactSettings(tenant.portal), after: redactSettings(settings) });
  return after;
}

/** WiFi4EU enrolment: the network identifier the Commission gave, the snippet's language, self-test while installing. */
export const wifi4euSchema = z
  .object({
    networkId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'the WiFi4EU network identifier (letters, digits, dashes)'),
    language: localeSchema.default('fr'),
    selfTest: z.boolean().default(true),
  })
  .strict();

/** @throws AppError VALIDATION with field-level issues */
export async function setWifi4Eu(stores: Stores, tenant: Tenant, input: unknown, actor: string): Promise<Tenant> {
  let w: Wifi4Eu | null = null;
  if (input !== null) {
    w = validate(wifi4euSchema, input);
  }
  const after = await stores.tenants.update(tenant.id, { wifi4eu: w });
  await stores.audit.append({ actor, tenantId: tenant.id, action: 'tenant.wifi4eu', target: `tenant:${tenant.slug}`, before: tenant.wifi4eu, after: w });
  return after;
}
