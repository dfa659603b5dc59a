/**
 * The citizen's account actions behind the portal's forms: log in, register,
 * verify an address, ask for a code again, reset a forgotten password. No
 * HTTP here: each returns a result the routes turn into a page.
 *
 * No account enumeration: an unknown login costs the same argon2id
 * verification as a known one and gets the same answer; an e-mail address
 * that already has an account gets the same "code sent" page as a new one
 * (its owner receives a notice instead of a code); codes for accounts that
 * do not exist are issued against decoy subjects so that cooldowns, caps and
 * wrong-code answers behave the same. Passwords are never logged, and a
 * failed password is never stored anywhere.
 */
import { randomBytes } from 'node:crypto';
import type { Federation, Identity, Locale, Tenant } from '../controller/domain/entities.js';
import { emailSchema, identityInputSchema, passwordSchema } from '../controller/domain/validation.js';
import { isAppError } from '../controller/errors.js';
import type { CodePurpose } from '../controller/ports/verification-codes.js';
import { createIdentity, findByLogin, publicIdentity, setPassword } from '../controller/services/identities.js';
import type { PortalDeps, PortalLimits } from './deps.js';
import { MESSAGES } from './i18n/index.js';
import { newCode, type Signer } from './signing.js';

export type FieldErrorKey = 'email' | 'username' | 'usernameTaken' | 'passwordShort' | 'passwordLong' | 'passwordSame' | 'terms';
export type FieldErrors = Partial<Record<'email' | 'username' | 'password' | 'terms', FieldErrorKey>>;

export interface Flow {
  readonly purpose: CodePurpose;
  readonly subject: string;
  /** Masked address shown on the code page, or null for "the address of this account". */
  readonly to: string | null;
  /** What to prefill on the login page afterwards. */
  readonly login: string;
  readonly locale: Locale;
}

export type Limited = { readonly kind: 'rate-limited'; readonly retryAfterMs: number; readonly scope: 'ip' | 'identity' };

export type LoginResult =
  | { readonly kind: 'ok'; readonly identity: Identity }
  | { readonly kind: 'failed' }
  | { readonly kind: 'disabled' }
  | { readonly kind: 'unverified'; readonly flow: Flow; readonly sent: SendResult }
  | Limited;

export type RegisterResult = { readonly kind: 'pending'; readonly flow: Flow } | { readonly kind: 'invalid'; readonly errors: FieldErrors } | Limited;

export type SendResult = { readonly kind: 'sent' } | { readonly kind: 'cooldown'; readonly retryAfterMs: number } | { readonly kind: 'daily-cap'; readonly retryAfterMs: number } | Limited;

export type CodeResult =
  | { readonly kind: 'ok'; readonly identity: Identity | null }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'burnt' }
  | { readonly kind: 'bad-password'; readonly errors: FieldErrors }
  | Limited;

/** `alice@example.org` → `a…e@example.org`: enough to recognise, not to harvest. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '…';
  const local = email.slice(0, at);
  const shown = local.length <= 2 ? `${local[0]}…` : `${local[0]}…${local[local.length - 1]}`;
  return `${shown}${email.slice(at)}`;
}

export function createAccounts(deps: PortalDeps, signer: Signer, limits: PortalLimits) {
  const { stores, hasher, limiter, codes, metrics, log } = deps;
  const now = () => (deps.clock ?? { now: () => new Date() }).now();
  // Same parameters as real hashes, since the hasher made it: unknown logins cost the same.
  const dummyHash = hasher.hash(randomBytes(16).toString('hex'));
  let federation: Federation | null | undefined;
  const fed = async () => (federation ??= await stores.federation.get());

  const limited = (r: { allowed: boolean; retryAfterMs: number }, scope: 'ip' | 'identity'): Limited | null =>
    r.allowed ? null : { kind: 'rate-limited', retryAfterMs: Math.max(1000, r.retryAfterMs), scope };

  function mail(tenant: Tenant, to: string, locale: Locale, kind: 'verify-email' | 'reset-password' | 'account-exists', code: string | null): void {
    const t = MESSAGES[locale];
    const town = tenant.branding.displayName;
    const m =
      kind === 'verify-email'
        ? { subject: t.mail.verifySubject(t.appName), text: t.mail.verifyText(code!, town) }
        : kind === 'reset-password'
          ? { subject: t.mail.resetSubject(t.appName), text: t.mail.resetText(code!, town) }
          : { subject: t.mail.existsSubject(t.appName), text: t.mail.existsText(town) };
    if (code) metrics.portal.codesSent.inc({ tenant: tenant.slug, purpose: kind });
    // Not awaited: an SMTP round trip must not make a known address slower to answer than an unknown one.
    deps.mailer.send({ to, ...m, kind, locale }).catch((err: unknown) => {
      metrics.portal.mailFailures.inc({ transport: deps.mailer.transport });
      log.error({ err: { message: (err as Error).message }, kind }, 'portal mail not sent');
    });
  }

  /** Issues a code (real or decoy) and mails it when the subject is a real identity. */
  async function sendCode(tenant: Tenant, purpose: CodePurpose, subject: string, identity: Identity | null, locale: Locale): Promise<SendResult> {
    const code = newCode();
    // A decoy gets a code nobody knows: wrong-code answers stay the same.
    const digest = identity ? signer.codeDigest(purpose, subject, code) : randomBytes(32).toString('hex');
    const r = await codes.issue({ purpose, subject, digest, ttlMs: limits.codeTtlMs, cooldownMs: limits.resendCooldownMs, dailyCap: limits.codesPerDay });
    if (!r.ok) return { kind: r.reason, retryAfterMs: r.retryAfterMs };
    if (identity?.email) mail(tenant, identity.email, identity.locale ?? locale, purpose, code);
    return { kind: 'sent' };
  }

  return {
    async login(tenant: Tenant, ip: string, login: string, password: string): Promise<LoginResult> {
      const ipKey = `portal:login-ip:${ip}`;
      const ipLimited = limited(await limiter.peek(ipKey, limits.loginPerIp), 'ip');
      if (ipLimited) return ipLimited;
      const name = login.trim().toLowerCase().slice(0, 254);
      const identity = name ? await findByLogin(stores, await fed(), name) : null;
      // Unknown names lock out too, so a lockout never tells an account exists.
      const accountKey = identity ? `portal:login-id:${identity.id}` : `portal:login-unknown:${signer.decoy(name)}`;
      const accountLimited = limited(await limiter.peek(accountKey, limits.loginPerAccount), 'identity');
      if (accountLimited) return accountLimited;
      const ok = identity ? await hasher.verify(identity.passwordHash, password) : (await hasher.verify(await dummyHash, password), false);
      if (!ok) {
        await Promise.all([limiter.hit(ipKey, limits.loginPerIp), limiter.hit(accountKey, limits.loginPerAccount)]);
        return { kind: 'failed' };
      }
      await limiter.reset(accountKey);
      if (identity!.disabled) return { kind: 'disabled' };
      if (!identity!.verified) {
        const flow: Flow = { purpose: 'verify-email', subject: identity!.id, to: identity!.email ? maskEmail(identity!.email) : null, login: identity!.username, locale: identity!.locale };
        const sent = await sendCode(tenant, 'verify-email', identity!.id, identity!, identity!.locale);
        return { kind: 'unverified', flow, sent };
      }
      await stores.identities.touch(identity!.id, now());
      return { kind: 'ok', identity: identity! };
    },

    /**
     * Asks a signed-in citizen for their password again before an
     * irreversible step (erasing the account). Same limits and counters as
     * login: a guess here is a guess there.
     */
    async confirmPassword(ip: string, identity: Identity, password: string): Promise<{ readonly kind: 'ok' } | { readonly kind: 'failed' } | Limited> {
      const ipKey = `portal:login-ip:${ip}`;
      const accountKey = `portal:login-id:${identity.id}`;
      const l = limited(await limiter.peek(ipKey, limits.loginPerIp), 'ip') ?? limited(await limiter.peek(accountKey, limits.loginPerAccount), 'identity');
      if (l) return l;
      if (!(await hasher.verify(identity.passwordHash, password))) {
        await Promise.all([limiter.hit(ipKey, limits.loginPerIp), limiter.hit(accountKey, limits.loginPerAccount)]);
        return { kind: 'failed' };
      }
      await limiter.reset(accountKey);
      return { kind: 'ok' };
    },

    async register(tenant: Tenant, ip: string, input: { email: string; username: string; password: string; terms: boolean; locale: Locale }): Promise<RegisterResult> {
      const ipLimited = limited(await limiter.hit(`portal:register-ip:${ip}`, limits.registerPerIp), 'ip');
      if (ipLimited) return ipLimited;
      const errors: FieldErrors = {};
      if (!input.terms) errors.terms = 'terms';
      const parsed = identityInputSchema.safeParse({ username: input.username, email: input.email, password: input.password, locale: input.locale, verified: false });
      if (!parsed.success) {
        for (const i of parsed.error.issues) {
          const field = String(i.path[0] ?? '');
          if (field === 'email') errors.email ??= 'email';
          else if (field === 'username') errors.username ??= 'username';
          else if (field === 'password') errors.password ??= i.code === 'too_small' ? 'passwordShort' : i.code === 'too_big' ? 'passwordLong' : 'passwordSame';
        }
      }
      if (Object.keys(errors).length || !parsed.success) {
        metrics.portal.registrations.inc({ tenant: tenant.slug, result: 'invalid' });
        return { kind: 'invalid', errors };
      }
      const v = parsed.data;
      if (await stores.identities.getByUsername(v.username)) {
        metrics.portal.registrations.inc({ tenant: tenant.slug, result: 'username-taken' });
        return { kind: 'invalid', errors: { username: 'usernameTaken' } };
      }
      const email = v.email!;
      const decoyFlow = async (): Promise<RegisterResult> => {
        // The address has an account: same page as a new one; its owner gets a notice, not a code.
        await hasher.hash(v.password);
        const subject = signer.decoy(`register|${email}`);
        const sent = await sendCode(tenant, 'verify-email', subject, null, input.locale);
        if (sent.kind === 'sent') mail(tenant, email, input.locale, 'account-exists', null);
        metrics.portal.registrations.inc({ tenant: tenant.slug, result: 'email-taken' });
        return { kind: 'pending', flow: { purpose: 'verify-email', subject, to: maskEmail(email), login: v.username, locale: input.locale } };
      };
      if (await stores.identities.getByEmail(email)) return decoyFlow();
      let identity: Identity;
      try {
        identity = await createIdentity(stores, hasher, { username: v.username, email, password: v.password, locale: input.locale, verified: false }, `portal:${tenant.slug}`);
      } catch (e) {
        // Lost a race with another registration.
        if (isAppError(e) && e.code === 'WFC_USERNAME_TAKEN') return { kind: 'invalid', errors: { username: 'usernameTaken' } };
        if (isAppError(e) && e.code === 'WFC_EMAIL_TAKEN') return decoyFlow();
        throw e;
      }
      metrics.portal.registrations.inc({ tenant: tenant.slug, result: 'created' });
      await sendCode(tenant, 'verify-email', identity.id, identity, input.locale);
      return { kind: 'pending', flow: { purpose: 'verify-email', subject: identity.id, to: maskEmail(email), login: identity.username, locale: input.locale } };
    },

    async resend(tenant: Tenant, ip: string, flow: Flow): Promise<SendResult> {
      const ipLimited = limited(await limiter.hit(`portal:send-ip:${ip}`, limits.sendPerIp), 'ip');
      if (ipLimited) return ipLimited;
      const identity = flow.subject.startsWith('decoy-') ? null : await stores.identities.get(flow.subject);
      return sendCode(tenant, flow.purpose, flow.subject, identity, flow.locale);
    },

    async forgot(tenant: Tenant, ip: string, login: string, locale: Locale): Promise<{ kind: 'pending'; flow: Flow; sent: SendResult } | Limited> {
      const ipLimited = limited(await limiter.hit(`portal:send-ip:${ip}`, limits.sendPerIp), 'ip');
      if (ipLimited) return ipLimited;
      const name = login.trim().toLowerCase().slice(0, 254);
      const found = name ? await findByLogin(stores, await fed(), name) : null;
      const identity = found?.email && !found.disabled ? found : null;
      const subject = identity ? identity.id : signer.decoy(`reset|${name}`);
      const sent = await sendCode(tenant, 'reset-password', subject, identity, locale);
      // Show the address only when the citizen typed it: a username must not reveal one.
      const typedEmail = emailSchema.safeParse(name);
      const to = typedEmail.success ? maskEmail(typedEmail.data) : null;
      return { kind: 'pending', flow: { purpose: 'reset-password', subject, to, login: name, locale }, sent };
    },

    /** Checks a code; for a reset, sets the new password (validated first, so a typo costs no attempt). */
    async checkCode(tenant: Tenant, ip: string, flow: Flow, code: string, newPassword?: string): Promise<CodeResult> {
      const ipLimited = limited(await limiter.hit(`portal:code-ip:${ip}`, limits.codePerIp), 'ip');
      if (ipLimited) return ipLimited;
      if (flow.purpose === 'reset-password') {
        const pw = passwordSchema.safeParse(newPassword ?? '');
        if (!pw.success) return { kind: 'bad-password', errors: { password: pw.error.issues[0]?.code === 'too_big' ? 'passwordLong' : 'passwordShort' } };
      }
      const digits = code.replace(/\s+/g, '');
      if (!/^\d{6}$/.test(digits)) {
        metrics.portal.codeChecks.inc({ tenant: tenant.slug, purpose: flow.purpose, result: 'malformed' });
        return { kind: 'invalid' };
      }
      const result = await codes.check({ purpose: flow.purpose, subject: flow.subject, digest: signer.codeDigest(flow.purpose, flow.subject, digits), maxAttempts: limits.codeAttempts });
      metrics.portal.codeChecks.inc({ tenant: tenant.slug, purpose: flow.purpose, result });
      if (result === 'too-many-attempts') return { kind: 'burnt' };
      if (result !== 'ok') return { kind: 'invalid' };
      const identity = await stores.identities.get(flow.subject);
      if (!identity) return { kind: 'invalid' };
      const actor = `portal:${tenant.slug}`;
      if (flow.purpose === 'verify-email') {
        const after = identity.verified ? identity : await stores.identities.update(identity.id, { verified: true });
        await stores.audit.append({ actor, tenantId: tenant.id, action: 'identity.verify', target: `identity:${identity.id}`, before: { verified: identity.verified }, after: { verified: true } });
        return { kind: 'ok', identity: after };
      }
      const pw = passwordSchema.parse(newPassword ?? '');
      const lower = pw.toLowerCase();
      if (lower === identity.username || (identity.email && lower === identity.email)) return { kind: 'bad-password', errors: { password: 'passwordSame' } };
      let after = await setPassword(stores, hasher, identity, pw, actor);
      // Receiving the code proves the address too.
      if (!after.verified) after = await stores.identities.update(identity.id, { verified: true });
      await limiter.reset(`portal:login-id:${identity.id}`);
      log.info({ identity: publicIdentity(after).id, tenant: tenant.slug }, 'password reset through the portal');
      return { kind: 'ok', identity: after };
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
