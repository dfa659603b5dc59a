/**
 * Input schemas for the domain's entities, shared by the CLI, the APIs and
 * the portal so every surface applies the same rules and names the same
 * fields in its errors.
 */
import { z } from 'zod';
import { parseMac, type Mac } from './mac.js';
import { parseCidr, formatCidr } from './network.js';
import { LOCALES } from './entities.js';

export const slugSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lower-case letters, digits and dashes, 1 to 63 characters');

export const inseeSchema = z.string().regex(/^(?:\d{5}|2[AB]\d{3})$/, 'an INSEE commune code: five digits, or 2A/2B and three digits');

export const macSchema = z.string().transform((v, ctx): Mac => {
  const mac = parseMac(v);
  if (!mac) {
    ctx.addIssue({ code: 'custom', message: `not a MAC address: "${v}"` });
    return z.NEVER;
  }
  return mac;
});

export const cidrSchema = z.string().transform((v, ctx): string => {
  const c = parseCidr(v);
  if (!c) {
    ctx.addIssue({ code: 'custom', message: `not an IPv4/IPv6 address or CIDR network: "${v}"` });
    return z.NEVER;
  }
  return formatCidr(c);
});

/**
 * RFC 2865 §3: the shared secret should be at least 16 octets; the RADIUS
 * hiding of User-Password is only as strong as the secret.
 */
export const radiusSecretSchema = z
  .string()
  .min(16, 'at least 16 characters (RFC 2865 §3 recommends 16 octets or more)')
  .max(128, 'at most 128 characters');

export const usernameSchema = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .pipe(
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, '3 to 64 characters: letters, digits, dot, dash, underscore; starting with a letter or digit')
      // A MAC-shaped User-Name means MAC authentication to the RADIUS server.
      .refine((v) => parseMac(v) === null, 'must not look like a MAC address'),
  );

export const emailSchema = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .pipe(z.email('not an e-mail address').max(254));

/**
 * Length over composition rules (NIST SP 800-63B §5.1.1.2): at least 10
 * characters, and not the username or e-mail itself.
 */
export const passwordSchema = z.string().min(10, 'at least 10 characters').max(256, 'at most 256 characters');

export const localeSchema = z.enum(LOCALES as ['fr', 'en']);

export const colorSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour as #rrggbb');

export const policySchema = z
  .object({
    sessionTimeout: z.number().int().min(60).max(7 * 86400),
    idleTimeout: z.number().int().min(60).max(86400),
    dailyTimeQuota: z.number().int().min(60).max(86400).nullable(),
    dailyDataQuota: z.number().int().min(1_000_000).nullable(),
    bandwidthUp: z.number().int().min(8_000).nullable(),
    bandwidthDown: z.number().int().min(8_000).nullable(),
    simultaneousUse: z.number().int().min(1).max(16),
    interimInterval: z.number().int().min(60).max(86400),
    unregisteredAp: z.enum(['accept', 'reject']),
  })
  .strict();

export const tenantInputSchema = z
  .object({
    slug: slugSchema,
    name: z.string().trim().min(1).max(120),
    inseeCode: inseeSchema,
    displayName: z.string().trim().min(1).max(120).optional(),
    primaryColor: colorSchema.optional(),
    logoUrl: z.url().nullable().optional(),
    policy: policySchema.partial().optional(),
  })
  .strict();
export type TenantInput = z.input<typeof tenantInputSchema>;

export const radiusClientInputSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    network: cidrSchema,
    secret: radiusSecretSchema,
    requireMessageAuthenticator: z.boolean().default(true),
    coaPort: z.number().int().min(1).max(65535).default(3799),
  })
  .strict();
export type RadiusClientInput = z.input<typeof radiusClientInputSchema>;

export const identityInputSchema = z
  .object({
    username: usernameSchema,
    email: emailSchema.nullable().optional(),
    password: passwordSchema,
    locale: localeSchema.default('fr'),
    verified: z.boolean().default(false),
  })
  .strict()
  .superRefine((v, ctx) => {
    const pw = v.password.toLowerCase();
    if (pw === v.username || (v.email && pw === v.email)) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'must not be the username or e-mail' });
    }
  });
export type IdentityInput = z.input<typeof identityInputSchema>;

export const accessPointInputSchema = z
  .object({
    mac: macSchema,
    name: z.string().trim().min(1).max(120),
    model: z.string().trim().max(120).nullable().default(null),
    serial: z.string().trim().max(120).nullable().default(null),
    site: z.string().trim().max(200).nullable().default(null),
    latitude: z.number().min(-90).max(90).nullable().default(null),
    longitude: z.number().min(-180).max(180).nullable().default(null),
    placement: z.enum(['indoor', 'outdoor']).default('indoor'),
    nasIdentifier: z.string().trim().min(1).max(253).nullable().default(null),
  })
  .strict()
  .refine((v) => (v.latitude === null) === (v.longitude === null), {
    path: ['longitude'],
    message: 'latitude and longitude go together',
  });
export type AccessPointInput = z.input<typeof accessPointInputSchema>;

/** Field-level issues in the shape the error catalog carries. */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ field: i.path.join('.') || '(root)', message: i.message }));
}
