/**
 * Citizens' rights over their accounts (GDPR), and storage limitation:
 *
 * - exportPersonalData: what we hold about one citizen, as one JSON document
 *   (right of access, art. 15; portability, art. 20);
 * - eraseAccount: the account and its devices go, the legal connection log
 *   stays under a pseudonym for its year (art. 17(3)(b): CPCE L34-1 II bis
 *   and décret n° 2021-1362 art. 3 and 5 require it);
 * - runInactivityJob: an account unused for `inactiveDays` gets a notice,
 *   and is erased `noticeDays` later unless the citizen came back
 *   (art. 5(1)(e), storage limitation).
 *
 * Ports only: the stores, the mailer, the clock, metrics and the log.
 */
import type { AccessPoint, ErasureReason, Identity, Locale, Session, Tenant } from '../domain/entities.js';
import { AppError, E, isAppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Clock } from '../ports/clock.js';
import type { Mailer } from '../ports/mailer.js';
import type { Stores } from '../ports/stores.js';

const DAY_MS = 86_400_000;

/** The durations the export explains; the configuration's defaults when not given. */
export interface RetentionSettings {
  /** WFC_PRIVACY_INACTIVE_DAYS: 0 means accounts are never erased for inactivity. */
  readonly inactiveDays: number;
  /** WFC_PRIVACY_NOTICE_DAYS. */
  readonly noticeDays: number;
  /** WFC_LEGAL_RETENTION_DAYS. */
  readonly connectionLogDays: number;
}

export const DEFAULT_RETENTION: RetentionSettings = { inactiveDays: 730, noticeDays: 30, connectionLogDays: 365 };

export interface PrivacyDeps {
  readonly stores: Stores;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly retention?: RetentionSettings;
}

// ---------------------------------------------------------------------------
// Right of access and portability (GDPR art. 15, 20)

export interface PersonalDataExport {
  readonly format: 'wfc-personal-data/1';
  readonly generatedAt: string;
  readonly account: {
    readonly id: string;
    readonly username: string;
    readonly email: string | null;
    readonly emailVerified: boolean;
    readonly emailVerifiedAt: string | null;
    readonly locale: Locale;
    readonly disabled: boolean;
    readonly createdAt: string;
    readonly lastSeenAt: string | null;
    readonly passwordChangedAt: string;
    readonly inactivityNoticeAt: string | null;
  };
  readonly devices: ReadonlyArray<{ readonly mac: string; readonly label: string | null; readonly rememberedAt: string; readonly expiresAt: string }>;
  readonly connections: ReadonlyArray<{
    readonly startedAt: string;
    readonly stoppedAt: string | null;
    readonly municipality: string | null;
    readonly accessPoint: string | null;
    readonly mac: string | null;
    readonly ip: string | null;
    /** Acct-Input-Octets: what the device sent (RFC 2866 §5.3). */
    readonly bytesSent: number;
    /** Acct-Output-Octets: what the device received (RFC 2866 §5.4). */
    readonly bytesReceived: number;
    readonly durationSeconds: number;
    readonly natMappings: ReadonlyArray<{ readonly publicIp: string; readonly portStart: number; readonly portEnd: number; readonly startedAt: string; readonly endedAt: string | null }>;
  }>;
  readonly legalBasis: Readonly<Record<'account' | 'devices' | 'connectionLog' | 'securityLogs', string>>;
  readonly retention: {
    readonly account: string;
    readonly inactiveDays: number | null;
    readonly noticeDays: number;
    readonly devices: string;
    readonly connectionLogDays: number;
    readonly connectionLog: string;
    readonly erasedAccountArchive: string;
  };
  readonly rights: Readonly<Record<'access' | 'rectification' | 'erasure' | 'objection' | 'complaint', string>>;
}

const iso = (d: Date): string => d.toISOString();
const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);

/**
 * Everything held about one identity, never its password hash. The
 * connection log is the legal one, as kept for the year: it is the citizen's
 * own data, which they may read (art. 15) even though they cannot have it
 * erased before the year is over (art. 17(3)(b)).
 * @throws AppError IDENTITY_NOT_FOUND
 */
export async function exportPersonalData(deps: Pick<PrivacyDeps, 'stores' | 'clock' | 'retention'>, identityId: string): Promise<PersonalDataExport> {
  const { stores } = deps;
  const r = deps.retention ?? DEFAULT_RETENTION;
  const identity = await stores.identities.get(identityId);
  if (!identity) throw new AppError(E.IDENTITY_NOT_FOUND, { user: identityId });
  const devices = await stores.devices.listByIdentity(identity.id);
  const sessions = await stores.sessions.list({ identityId: identity.id });

  const tenants = new Map<string, Promise<Tenant | null>>();
  const aps = new Map<string, Promise<AccessPoint | null>>();
  const tenantOf = (id: string) => tenants.get(id) ?? tenants.set(id, stores.tenants.get(id)).get(id)!;
  const apOf = (s: Session) => {
    if (!s.apId) return Promise.resolve(null);
    const key = `${s.tenantId}/${s.apId}`;
    return aps.get(key) ?? aps.set(key, stores.accessPoints.get(s.tenantId, s.apId)).get(key)!;
  };

  const connections = [];
  // One session at a time: a year of connections is a few thousand rows, and the store's pool stays free for others.
  for (const s of sessions) {
    const [tenant, ap, nat] = await Promise.all([tenantOf(s.tenantId), apOf(s), stores.legal.natMappingsOf(s.tenantId, s.id)]);
    connections.push({
      startedAt: iso(s.startedAt),
      stoppedAt: isoOrNull(s.stoppedAt),
      municipality: tenant?.slug ?? null,
      accessPoint: ap?.name ?? null,
      mac: s.callingStationId,
      ip: s.framedIp,
      bytesSent: s.inputOctets,
      bytesReceived: s.outputOctets,
      durationSeconds: s.sessionTime,
      natMappings: nat.map((m) => ({ publicIp: m.publicIp, portStart: m.portStart, portEnd: m.portEnd, startedAt: iso(m.startedAt), endedAt: isoOrNull(m.endedAt) })),
    });
  }

  return {
    format: 'wfc-personal-data/1',
    generatedAt: iso(deps.clock.now()),
    account: {
      id: identity.id,
      username: identity.username,
      email: identity.email,
      emailVerified: identity.verified,
      emailVerifiedAt: isoOrNull(identity.verifiedAt),
      locale: identity.locale,
      disabled: identity.disabled,
      createdAt: iso(identity.createdAt),
      lastSeenAt: isoOrNull(identity.lastSeenAt),
      passwordChangedAt: iso(identity.passwordChangedAt),
      inactivityNoticeAt: isoOrNull(identity.inactivityNoticeAt),
    },
    devices: devices.map((d) => ({ mac: d.mac, label: d.label, rememberedAt: iso(d.rememberedAt), expiresAt: iso(d.expiresAt) })),
    connections,
    legalBasis: {
      account: 'GDPR art. 6(1)(b): performance of the contract (the terms of use of the public Wi-Fi service).',
      devices: 'GDPR art. 6(1)(b): remembered at the account holder’s request, to connect without the portal.',
      connectionLog:
        'GDPR art. 6(1)(c): legal obligation of whoever offers the public an Internet connection, even free of charge (CPCE art. L34-1 I and II bis 3°; décret n° 2021-1362 of 20 October 2021, art. 5). Disclosed only to judicial authorities on request.',
      securityLogs: 'GDPR art. 6(1)(e) and (f): security of the service (rate limits, audit of administrative actions, application logs with hashed MAC addresses).',
    },
    retention: {
      account:
        r.inactiveDays > 0
          ? `Until the account holder or the operator erases it, or after ${r.inactiveDays} days without a login followed by a notice and ${r.noticeDays} more days.`
          : 'Until the account holder or the operator erases it.',
      inactiveDays: r.inactiveDays > 0 ? r.inactiveDays : null,
      noticeDays: r.noticeDays,
      devices: 'Until expiresAt, until forgotten from the portal, or until the account is erased.',
      connectionLogDays: r.connectionLogDays,
      connectionLog: `${r.connectionLogDays} days after the end of each connection, then deleted automatically; longer only for records named in a judicial request, until it is closed.`,
      erasedAccountArchive: `After an erasure, the username and e-mail address are kept apart for ${r.connectionLogDays} days (CPCE art. L34-1 II bis 2°; décret n° 2021-1362, art. 3), only to answer judicial requests about the connection log, then deleted.`,
    },
    rights: {
      access: 'This file (portal: account page, “Télécharger mes données / Download my data”).',
      rectification: 'Password: portal (“Mot de passe oublié ? / Forgot your password?”). Other data: the municipality’s town hall.',
      erasure: 'Portal: account page, “Supprimer mon compte / Delete my account”; or ask the municipality’s town hall.',
      objection:
        'The connection log rests on a legal obligation: it can be neither objected to (GDPR art. 21 covers processing under art. 6(1)(e) and (f) only) nor erased before its term (art. 17(3)(b)). Everything else goes with the account.',
      complaint: 'CNIL, https://www.cnil.fr',
    },
  };
}

// ---------------------------------------------------------------------------
// Right to erasure (GDPR art. 17)

/**
 * Erases an account (IdentityStore.erase: one transaction) and audits it.
 * The audit record names the identity by id, the pseudonym its sessions
 * keep, and never carries its username or e-mail address.
 * @throws AppError IDENTITY_NOT_FOUND
 */
export async function eraseAccount(deps: Pick<PrivacyDeps, 'stores' | 'clock' | 'metrics'>, identityId: string, reason: ErasureReason, actor: string): Promise<void> {
  const at = deps.clock.now();
  await deps.stores.identities.erase(identityId, at, reason);
  await deps.stores.audit.append({ actor, tenantId: null, action: 'identity.erase', target: `identity:${identityId}`, before: null, after: { reason, erasedAt: at.toISOString() }, at });
  deps.metrics.privacy.erasures.inc({ reason });
}

// ---------------------------------------------------------------------------
// Storage limitation (GDPR art. 5(1)(e)): inactive accounts

export interface InactivityJobDeps extends PrivacyDeps {
  readonly mailer: Mailer;
  readonly log: Logger;
}

export interface InactivitySettings {
  /** WFC_PRIVACY_INACTIVE_DAYS; 0 turns the job off. */
  readonly inactiveDays: number;
  /** WFC_PRIVACY_NOTICE_DAYS. */
  readonly noticeDays: number;
  /** Identities per store call (default 100). */
  readonly batchSize?: number;
  /** Notices, and separately erasures, per run at most (default 5000): a backlog drains over several runs. */
  readonly maxPerRun?: number;
}

export interface InactivityRunResult {
  readonly noticed: { readonly mailed: number; readonly noEmail: number; readonly mailFailed: number };
  readonly erased: number;
  /** Accounts found in use through the connection log (802.1X or a remembered device, no portal login): kept. */
  readonly active: number;
  /** Erasures that failed with something other than "already gone"; retried at the next run. */
  readonly failed: number;
}

/** Consecutive mail failures after which the mailer is taken for down until the next run. */
const MAIL_FAILURES_BEFORE_GIVING_UP = 10;

export const INACTIVITY_NOTICE_MAIL = {
  fr: {
    subject: (app: string, date: string) => `${app} : votre compte sera supprimé le ${date}`,
    text: (o: { app: string; username: string; lastSeen: string; date: string }) =>
      `Bonjour,\n\nVotre compte ${o.app} « ${o.username} » n’a pas servi depuis le ${o.lastSeen}.\n` +
      `Pour ne pas conserver vos données plus longtemps que nécessaire (RGPD, article 5), il sera supprimé le ${o.date}, avec ses appareils mémorisés, sauf si vous vous connectez d’ici là.\n\n` +
      `Pour le garder, il suffit de vous connecter une fois au portail d’un point Wi-Fi du réseau.\n\n` +
      `Après la suppression, le journal de connexion est conservé un an, comme la loi l’impose aux fournisseurs d’accès à Internet (article L34-1 du Code des postes et des communications électroniques), puis effacé.\n` +
      `Si vous ne souhaitez plus utiliser ce service, vous n’avez rien à faire.\n`,
  },
  en: {
    subject: (app: string, date: string) => `${app}: your account will be deleted on ${date}`,
    text: (o: { app: string; username: string; lastSeen: string; date: string }) =>
      `Hello,\n\nYour ${o.app} account "${o.username}" has not been used since ${o.lastSeen}.\n` +
      `So as not to keep your data longer than needed (GDPR, article 5), it will be deleted on ${o.date}, with its remembered devices, unless you sign in before then.\n\n` +
      `To keep it, just sign in once on the portal of any Wi-Fi hotspot of the network.\n\n` +
      `After the deletion, the connection log is kept for one year, as French law requires of Internet access providers (article L34-1 of the Code des postes et des communications électroniques), then erased.\n` +
      `If you no longer want to use this service, there is nothing to do.\n`,
  },
} as const satisfies Record<Locale, unknown>;

/** `1er avril 2027`, `1 April 2027`, in the federation's time zone. */
function formatDate(d: Date, locale: Locale): string {
  const text = d.toLocaleDateString(locale === 'fr' ? 'fr-FR' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Paris' });
  return locale === 'fr' ? text.replace(/^1 /, '1er ') : text;
}

/** The end of the citizen's last connection in the log (or its last interim update), if any. */
async function lastConnection(stores: Stores, identityId: string): Promise<Date | null> {
  const [latest] = await stores.sessions.list({ identityId, limit: 1 });
  return latest ? (latest.stoppedAt ?? latest.updatedAt) : null;
}

/**
 * One run, at deps.clock's now: notices to accounts inactive since
 * `now − inactiveDays`, then erasure of accounts noticed before
 * `now − noticeDays` (reason 'inactivity'). Idempotent: a second run at the
 * same time does nothing. Safe to run on several nodes at once (an erasure
 * another node made is skipped), though a notice may then go out twice.
 *
 * "Inactive" means no portal login (lastSeenAt, or createdAt when never
 * logged in) and no connection in the log since the cut-off: a citizen who
 * only connects through 802.1X or a remembered device is in use, and their
 * lastSeenAt is moved to that connection instead.
 *
 * A notice whose mail fails is not recorded: the next run tries again. An
 * account without a confirmed address cannot be told: its notice is
 * recorded without a mail (the address might not even be the holder's).
 */
export async function runInactivityJob(deps: InactivityJobDeps, settings: InactivitySettings): Promise<InactivityRunResult> {
  const { stores, log, metrics } = deps;
  const now = deps.clock.now();
  const batch = settings.batchSize ?? 100;
  const max = settings.maxPerRun ?? 5000;
  const noticed = { mailed: 0, noEmail: 0, mailFailed: 0 };
  let erased = 0;
  let active = 0;
  let failed = 0;
  const result = () => ({ noticed: { ...noticed }, erased, active, failed });
  if (settings.inactiveDays <= 0) return result();

  const federation = await stores.federation.get();
  const app = federation?.name ?? 'Wi-Fi public';
  const eraseOn = new Date(now.getTime() + settings.noticeDays * DAY_MS);

  // Notices. Identities whose mail failed stay listed: `skip` steps over them for this run.
  const inactiveBefore = new Date(now.getTime() - settings.inactiveDays * DAY_MS);
  const skip = new Set<string>();
  let handled = 0;
  let consecutiveFailures = 0;
  notices: for (;;) {
    const page = (await stores.identities.listInactive(inactiveBefore, batch + skip.size)).filter((i) => !skip.has(i.id));
    if (page.length === 0) break;
    for (const identity of page) {
      if (handled++ >= max) break notices;
      const last = await lastConnection(stores, identity.id);
      if (last && last.getTime() >= inactiveBefore.getTime()) {
        await stores.identities.touch(identity.id, last);
        active++;
        continue;
      }
      const delivery = await notify(identity, last);
      metrics.privacy.notices.inc({ delivery });
      log.info({ identity: identity.id, delivery }, 'inactivity notice');
      if (delivery === 'mail-failed') {
        noticed.mailFailed++;
        skip.add(identity.id);
        if (++consecutiveFailures >= MAIL_FAILURES_BEFORE_GIVING_UP) {
          log.warn({ failures: consecutiveFailures }, 'inactivity notices stopped for this run: the mailer keeps failing');
          break notices;
        }
        continue;
      }
      consecutiveFailures = 0;
      await stores.identities.markInactivityNotice(identity.id, now);
      if (delivery === 'mailed') noticed.mailed++;
      else noticed.noEmail++;
    }
  }

  async function notify(identity: Identity, lastConn: Date | null): Promise<'mailed' | 'no-email' | 'mail-failed'> {
    if (!identity.email || !identity.verified) return 'no-email';
    const locale = identity.locale;
    const t = INACTIVITY_NOTICE_MAIL[locale];
    const login = identity.lastSeenAt ?? identity.createdAt;
    const lastSeen = lastConn && lastConn > login ? lastConn : login;
    const date = formatDate(eraseOn, locale);
    try {
      await deps.mailer.send({
        to: identity.email,
        subject: t.subject(app, date),
        text: t.text({ app, username: identity.username, lastSeen: formatDate(lastSeen, locale), date }),
        kind: 'inactivity-notice',
        locale,
      });
      return 'mailed';
    } catch (err) {
      log.warn({ identity: identity.id, err: { message: (err as Error).message } }, 'inactivity notice not mailed; next run retries');
      return 'mail-failed';
    }
  }

  // Erasures of notices left unanswered.
  const noticedBefore = new Date(now.getTime() - settings.noticeDays * DAY_MS);
  const failedIds = new Set<string>();
  handled = 0;
  erasures: for (;;) {
    const page = (await stores.identities.listNoticeExpired(noticedBefore, batch + failedIds.size)).filter((i) => !failedIds.has(i.id));
    if (page.length === 0) break;
    for (const identity of page) {
      if (handled++ >= max) break erasures;
      const last = await lastConnection(stores, identity.id);
      if (last && identity.inactivityNoticeAt && last.getTime() >= identity.inactivityNoticeAt.getTime()) {
        // Connected since the notice without the portal: that is an answer too.
        await stores.identities.touch(identity.id, last);
        active++;
        continue;
      }
      try {
        await eraseAccount(deps, identity.id, 'inactivity', 'system:privacy');
        erased++;
      } catch (e) {
        // Erased meanwhile by the citizen, an operator or another node: nothing left to do.
        if (isAppError(e) && e.code === E.IDENTITY_NOT_FOUND.code) continue;
        failedIds.add(identity.id);
        failed++;
        log.error({ identity: identity.id, err: { message: (e as Error).message } }, 'inactive account not erased; next run retries');
      }
    }
  }

  if (erased || noticed.mailed || noticed.noEmail || noticed.mailFailed) log.info(result(), 'inactive accounts run');
  return result();
}
