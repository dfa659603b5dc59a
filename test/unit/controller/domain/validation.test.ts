import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  accessPointInputSchema,
  cidrSchema,
  DEFAULT_POLICY,
  emailSchema,
  fieldIssues,
  identityInputSchema,
  macSchema,
  policySchema,
  radiusClientInputSchema,
  tenantInputSchema,
  usernameSchema,
} from '../../../../controller/domain/index.js';

/** The field-level issues a schema reports for an input, as the error catalog carries them. */
function issues(schema: z.ZodType, input: unknown): Array<{ field: string; message: string }> {
  const r = schema.safeParse(input);
  if (r.success) throw new Error(`expected ${JSON.stringify(input)} to be refused`);
  return fieldIssues(r.error);
}

const fields = (schema: z.ZodType, input: unknown) => issues(schema, input).map((i) => i.field);

describe('tenantInputSchema', () => {
  it('accepts a municipality, Corsican INSEE codes included', () => {
    expect(tenantInputSchema.parse({ slug: 'ajaccio', name: ' Ajaccio ', inseeCode: '2A004' })).toEqual({
      slug: 'ajaccio',
      name: 'Ajaccio',
      inseeCode: '2A004',
    });
    expect(tenantInputSchema.safeParse({ slug: 'bastia', name: 'Bastia', inseeCode: '2B033' }).success).toBe(true);
  });

  it('names each bad field with its own message', () => {
    expect(issues(tenantInputSchema, { slug: 'Bad Slug', name: 'x', inseeCode: '123', primaryColor: 'red', logoUrl: 'not a url' })).toEqual([
      { field: 'slug', message: 'lower-case letters, digits and dashes, 1 to 63 characters' },
      { field: 'inseeCode', message: 'an INSEE commune code: five digits, or 2A/2B and three digits' },
      { field: 'primaryColor', message: 'a colour as #rrggbb' },
      { field: 'logoUrl', message: expect.any(String) },
    ]);
  });

  it.each([['-rennes'], ['rennes-'], ['a'.repeat(64)], ['ren_nes'], ['']])('refuses the slug %j', (slug) => {
    expect(fields(tenantInputSchema, { slug, name: 'x', inseeCode: '35238' })).toEqual(['slug']);
  });

  it('refuses unknown keys at the root and names nested policy fields by path', () => {
    expect(issues(tenantInputSchema, { slug: 'ok', name: 'x', inseeCode: '35238', extra: 1 })).toEqual([
      { field: '(root)', message: expect.stringContaining('extra') },
    ]);
    expect(fields(tenantInputSchema, { slug: 'ok', name: 'x', inseeCode: '35238', policy: { sessionTimeout: 5 } })).toEqual([
      'policy.sessionTimeout',
    ]);
  });
});

describe('policySchema', () => {
  it('accepts the default policy', () => {
    expect(policySchema.parse(DEFAULT_POLICY)).toEqual(DEFAULT_POLICY);
  });

  it('names every out-of-range field', () => {
    expect(
      fields(policySchema, { ...DEFAULT_POLICY, sessionTimeout: 10, simultaneousUse: 0, dailyDataQuota: 10, unregisteredAp: 'maybe' }),
    ).toEqual(['sessionTimeout', 'dailyDataQuota', 'simultaneousUse', 'unregisteredAp']);
  });
});

describe('radiusClientInputSchema', () => {
  it('normalises the network and applies defaults: Message-Authenticator required, CoA on 3799', () => {
    expect(radiusClientInputSchema.parse({ name: 'gw', network: '::ffff:10.0.0.1', secret: '0123456789abcdef' })).toEqual({
      name: 'gw',
      network: '10.0.0.1/32',
      secret: '0123456789abcdef',
      requireMessageAuthenticator: true,
      coaPort: 3799,
    });
  });

  it('refuses a short secret with the RFC 2865 §3 reason', () => {
    expect(issues(radiusClientInputSchema, { name: 'gw', network: '192.0.2.0/24', secret: 'short' })).toEqual([
      { field: 'secret', message: 'at least 16 characters (RFC 2865 §3 recommends 16 octets or more)' },
    ]);
  });

  it('names a bad network and a bad CoA port', () => {
    expect(issues(radiusClientInputSchema, { name: 'gw', network: '10.0.0.0/33', secret: '0123456789abcdef', coaPort: 0 })).toEqual([
      { field: 'network', message: 'not an IPv4/IPv6 address or CIDR network: "10.0.0.0/33"' },
      { field: 'coaPort', message: expect.any(String) },
    ]);
  });
});

describe('identityInputSchema', () => {
  it('lower-cases username and e-mail and applies defaults', () => {
    expect(identityInputSchema.parse({ username: ' Alice.Martin ', email: ' Alice@Example.ORG ', password: 'correct horse battery' })).toEqual({
      username: 'alice.martin',
      email: 'alice@example.org',
      password: 'correct horse battery',
      locale: 'fr',
      verified: false,
    });
  });

  it('names username, e-mail and password problems', () => {
    expect(issues(identityInputSchema, { username: 'al', email: 'nope', password: 'short' })).toEqual([
      { field: 'username', message: '3 to 64 characters: letters, digits, dot, dash, underscore; starting with a letter or digit' },
      { field: 'email', message: 'not an e-mail address' },
      { field: 'password', message: 'at least 10 characters' },
    ]);
  });

  it('refuses a username shaped like a MAC address (it would mean MAC authentication)', () => {
    expect(issues(usernameSchema, 'AA-BB-CC-DD-EE-FF')).toEqual([{ field: '(root)', message: 'must not look like a MAC address' }]);
    expect(issues(usernameSchema, 'aabbccddeeff')).toEqual([{ field: '(root)', message: 'must not look like a MAC address' }]);
  });

  it('refuses a password equal to the username or the e-mail, whatever the case', () => {
    expect(issues(identityInputSchema, { username: 'alice.martin', password: 'ALICE.MARTIN' })).toEqual([
      { field: 'password', message: 'must not be the username or e-mail' },
    ]);
    expect(issues(identityInputSchema, { username: 'alice', email: 'alice.m@example.org', password: 'Alice.M@Example.org' })).toEqual([
      { field: 'password', message: 'must not be the username or e-mail' },
    ]);
  });

  it('refuses a password over 256 characters and an unknown locale', () => {
    expect(issues(identityInputSchema, { username: 'alice', password: 'x'.repeat(257), locale: 'de' })).toEqual([
      { field: 'password', message: 'at most 256 characters' },
      { field: 'locale', message: expect.any(String) },
    ]);
  });
});

describe('emailSchema', () => {
  it('trims and lower-cases, and refuses what is not an address', () => {
    expect(emailSchema.parse(' Bob@Example.Org ')).toBe('bob@example.org');
    expect(issues(emailSchema, 'bob@')).toEqual([{ field: '(root)', message: 'not an e-mail address' }]);
  });
});

describe('accessPointInputSchema', () => {
  it('canonicalises the MAC, trims text and applies defaults', () => {
    expect(accessPointInputSchema.parse({ mac: 'AA-BB-CC-DD-EE-FF', name: ' Hall ' })).toEqual({
      mac: 'aa:bb:cc:dd:ee:ff',
      name: 'Hall',
      model: null,
      serial: null,
      site: null,
      latitude: null,
      longitude: null,
      placement: 'indoor',
      nasIdentifier: null,
    });
  });

  it('names a bad MAC with the value, and an empty name', () => {
    expect(issues(accessPointInputSchema, { mac: 'zz', name: ' ' })).toEqual([
      { field: 'mac', message: 'not a MAC address: "zz"' },
      { field: 'name', message: expect.any(String) },
    ]);
  });

  it('wants latitude and longitude together, and in range', () => {
    expect(issues(accessPointInputSchema, { mac: 'aabbccddeeff', name: 'x', latitude: 48.1 })).toEqual([
      { field: 'longitude', message: 'latitude and longitude go together' },
    ]);
    expect(fields(accessPointInputSchema, { mac: 'aabbccddeeff', name: 'x', latitude: 91, longitude: -181 })).toEqual(['latitude', 'longitude']);
  });
});

describe('macSchema and cidrSchema', () => {
  it('transform to the canonical forms', () => {
    expect(macSchema.parse('AABB.CCDD.EEFF')).toBe('aa:bb:cc:dd:ee:ff');
    expect(cidrSchema.parse('2001:db8::1')).toBe('2001:db8::1/128');
  });

  it('quote the refused value', () => {
    expect(issues(macSchema, 'nope')).toEqual([{ field: '(root)', message: 'not a MAC address: "nope"' }]);
    expect(issues(cidrSchema, 'nope')).toEqual([{ field: '(root)', message: 'not an IPv4/IPv6 address or CIDR network: "nope"' }]);
  });
});
