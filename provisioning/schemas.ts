/**
 * Request bodies of the /v1 API. An access point's body is the domain's
 * accessPointInputSchema (the same rules as the CLI) plus the provisioning
 * profile; unknown fields are refused by name, every issue names its field.
 */
import { z } from 'zod';
import type { Role } from '../controller/domain/entities.js';
import { accessPointInputSchema, type FieldIssue } from '../controller/domain/validation.js';
import { validationError } from '../controller/errors.js';
import type { ApProfile } from '../controller/ports/provisioning.js';
import type { NewAccessPoint } from '../controller/ports/stores.js';
import { issuesOf } from './render/issues.js';
import { partialVariablesSchema, ssidSchema } from './render/variables.js';

export const BASE_KEYS = ['mac', 'name', 'model', 'serial', 'site', 'latitude', 'longitude', 'placement', 'nasIdentifier'] as const;

const ssidSpecSchema = z
  .object({
    ssid: ssidSchema.nullable().default(null),
    security: z.enum(['open', 'wpa2-enterprise']).default('open'),
    hidden: z.boolean().default(false),
    captivePortal: z.boolean().optional(),
  })
  .strict()
  .transform((s) => ({ ...s, captivePortal: s.captivePortal ?? s.security === 'open' }))
  .refine((s) => !(s.captivePortal && s.security !== 'open'), { path: ['captivePortal'], message: 'only an open SSID goes through the captive portal' });

export const profileSchema = z
  .object({
    vendor: z.string().trim().max(120).nullable().default(null),
    firmware: z.enum(['openwrt', 'hostapd', 'generic']).default('openwrt'),
    gateway: z.enum(['municipality', 'none', 'opennds', 'coovachilli']).default('municipality'),
    radiusClientId: z.string().min(1).max(64).nullable().default(null),
    bands: z
      .array(z.enum(['2g', '5g']))
      .min(1, 'at least one band')
      .max(2)
      .refine((b) => new Set(b).size === b.length, 'each band once')
      .default(['2g', '5g']),
    ssids: z.array(ssidSpecSchema).max(4, 'at most 4 SSIDs per radio').default([]),
    variables: partialVariablesSchema.default({}),
  })
  .strict();

export const PROFILE_KEYS = Object.keys(profileSchema.shape) as Array<keyof typeof profileSchema.shape>;
const ALL_KEYS = new Set<string>([...BASE_KEYS, ...PROFILE_KEYS]);

export interface ApInput {
  readonly ap: NewAccessPoint;
  readonly profile: ApProfile;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const pick = (o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (k in o) out[k] = o[k];
  return out;
};

/** Validates a whole access point (a POST, or a PATCH merged over the current one). */
export function parseApInput(body: unknown): ApInput {
  if (!isObject(body)) throw validationError([{ field: '(body)', message: 'expected a JSON object' }]);
  const issues: FieldIssue[] = [];
  for (const k of Object.keys(body)) if (!ALL_KEYS.has(k)) issues.push({ field: k, message: 'unknown field' });
  const base = accessPointInputSchema.safeParse(pick(body, BASE_KEYS));
  const profile = profileSchema.safeParse(pick(body, PROFILE_KEYS));
  if (!base.success) issues.push(...issuesOf(base.error));
  if (!profile.success) issues.push(...issuesOf(profile.error));
  if (issues.length || !base.success || !profile.success) throw validationError(issues);
  return { ap: base.data, profile: profile.data as ApProfile };
}

/** An AP as an input body again: the base a PATCH merges over. */
export function asInput(ap: NewAccessPoint, profile: ApProfile): Record<string, unknown> {
  return { ...pick(ap as unknown as Record<string, unknown>, BASE_KEYS), ...profile };
}

export function parsePatch(current: Record<string, unknown>, body: unknown): ApInput {
  if (!isObject(body)) throw validationError([{ field: '(body)', message: 'expected a JSON object' }]);
  return parseApInput({ ...current, ...body });
}

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body ?? undefined);
  if (!r.success) throw validationError(issuesOf(r.error));
  return r.data;
}

const ROLES = ['admin', 'municipal-rw', 'municipal-ro'] as const satisfies readonly Role[];

export const tokenCreateSchema = z.object({ name: z.string().trim().min(1).max(120), role: z.enum(ROLES) }).strict();

export const rollbackSchema = z.object({ version: z.number().int().min(1) }).strict();

export const rotationSchema = z.object({ clientId: z.string().min(1).max(64) }).strict();

export const enrolSchema = z
  .object({
    token: z.string().min(1).max(200),
    csr: z.string().min(1).max(16_384).optional(),
    generateKey: z.boolean().optional(),
  })
  .strict()
  .refine((v) => !(v.csr && v.generateKey), { path: ['generateKey'], message: 'give a csr or ask for generateKey, not both' });

export const reportSchema = z
  .object({
    version: z.number().int().min(1),
    status: z.enum(['applied', 'error']),
    message: z.string().max(2000).optional(),
  })
  .strict()
  .refine((v) => v.status === 'applied' || (v.message ?? '').length > 0, { path: ['message'], message: 'an error report says what failed' });

const infoValue = z.string().max(200);
export const heartbeatSchema = z
  .object({
    agentVersion: infoValue.optional(),
    firmware: infoValue.optional(),
    model: infoValue.optional(),
    uptime: z.number().int().min(0).optional(),
  })
  .strict();

/** Query parameters: a present value must parse, and the error names the parameter. */
export function queryInt(q: unknown, name: string, min: number, max: number, dflt: number): number {
  if (q === undefined) return dflt;
  const n = typeof q === 'string' && /^\d+$/.test(q) ? Number(q) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw validationError([{ field: name, message: `a whole number from ${min} to ${max}` }]);
  return n;
}

const UINT32_MAX = 0xffffffff;

/** POST /sessions/:id/disconnect: the body is optional; a reason goes to the audit log. */
export const disconnectSchema = z
  .object({ reason: z.string().trim().min(1, 'say why, or leave reason out').max(500, 'at most 500 characters') })
  .partial()
  .strict();

const coaValue = (what: string) =>
  z
    .number({ error: `expected ${what} as a number` })
    .int('expected a whole number')
    .min(1, 'at least 1')
    .max(UINT32_MAX, `at most ${UINT32_MAX}`);

/**
 * POST /sessions/:id/coa: what to change (RFC 5176 §3.6 Note 3: what is left
 * out stays as it is, so at least one change).
 */
export const coaSchema = z
  .object({
    sessionTimeoutSeconds: coaValue('seconds'),
    downloadBps: coaValue('bits per second'),
    uploadBps: coaValue('bits per second'),
  })
  .partial()
  .strict()
  .refine((v) => v.sessionTimeoutSeconds !== undefined || v.downloadBps !== undefined || v.uploadBps !== undefined, {
    message: 'give at least one of sessionTimeoutSeconds, downloadBps, uploadBps',
  });

/** Boolean query parameters: true/false/1/0, or absent. */
export function queryBool(q: unknown, name: string, dflt: boolean): boolean {
  if (q === undefined) return dflt;
  if (q === 'true' || q === '1') return true;
  if (q === 'false' || q === '0') return false;
  throw validationError([{ field: name, message: 'true or false' }]);
}

/** A string query parameter given once, or undefined. */
export function queryString(q: unknown, name: string, max = 254): string | undefined {
  if (q === undefined) return undefined;
  if (typeof q !== 'string' || q.trim() === '' || q.length > max) throw validationError([{ field: name, message: `one value of 1 to ${max} characters` }]);
  return q.trim();
}
