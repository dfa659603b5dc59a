import { z } from 'zod';
import type { Federation, Identity } from '../domain/entities.js';
import { identityInputSchema, passwordSchema } from '../domain/validation.js';
import { AppError, E } from '../errors.js';
import type { Stores } from '../ports/stores.js';
import type { PasswordHasher } from '../security/passwords.js';
import { validate } from './validate.js';

/** What an audit record may say about an identity: never the hash. */
export function publicIdentity(i: Identity): Omit<Identity, 'passwordHash'> {
  const { passwordHash: _h, ...rest } = i;
  return rest;
}

export async function createIdentity(stores: Stores, hasher: PasswordHasher, input: unknown, actor: string): Promise<Identity> {
  const v = validate(identityInputSchema, input);
  const identity = await stores.identities.create({
    username: v.username,
    email: v.email ?? null,
    passwordHash: await hasher.hash(v.password),
    locale: v.locale,
    verified: v.verified,
  });
  // No username or e-mail: the audit log outlives an erasure (GDPR art. 17), the identity id is its pseudonym.
  await stores.audit.append({ actor, tenantId: null, action: 'identity.create', target: `identity:${identity.id}`, before: null, after: { locale: identity.locale, verified: identity.verified } });
  return identity;
}

export async function setPassword(stores: Stores, hasher: PasswordHasher, identity: Identity, password: string, actor: string): Promise<Identity> {
  const { password: pw } = validate(z.object({ password: passwordSchema }), { password });
  const after = await stores.identities.update(identity.id, { passwordHash: await hasher.hash(pw) });
  await stores.audit.append({ actor, tenantId: null, action: 'identity.passwd', target: `identity:${identity.id}`, before: null, after: null });
  return after;
}

export async function setDisabled(stores: Stores, identity: Identity, disabled: boolean, actor: string): Promise<Identity> {
  const after = await stores.identities.update(identity.id, { disabled });
  await stores.audit.append({ actor, tenantId: null, action: disabled ? 'identity.disable' : 'identity.enable', target: `identity:${identity.id}`, before: { disabled: identity.disabled }, after: { disabled } });
  return after;
}

/**
 * Resolves what a citizen typed as their login: `alice`, `alice@<realm>`
 * or the e-mail address all name the same identity. Another realm is not
 * ours (federation proxying is a later feature): null.
 */
export async function findByLogin(stores: Stores, federation: Federation | null, login: string): Promise<Identity | null> {
  const name = login.trim().toLowerCase();
  if (!name) return null;
  const at = name.lastIndexOf('@');
  if (at < 0) return stores.identities.getByUsername(name);
  const byEmail = await stores.identities.getByEmail(name);
  if (byEmail) return byEmail;
  if (federation && name.slice(at + 1) === federation.realm) return stores.identities.getByUsername(name.slice(0, at));
  return null;
}

export async function requireIdentity(stores: Stores, federation: Federation | null, login: string): Promise<Identity> {
  const i = (await findByLogin(stores, federation, login)) ?? (await stores.identities.get(login));
  if (!i) throw new AppError(E.IDENTITY_NOT_FOUND, { user: login });
  return i;
}
