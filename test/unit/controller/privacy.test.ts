/**
 * The privacy service on a real SQLite file and a simulated clock: the
 * inactivity job over two and a half years of a citizen's life, mail
 * failures, accounts without an address, the connection log counting as
 * use; erasure as the database keeps it; the personal-data export.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStores } from '../../../controller/adapters/sqlite/index.js';
import type { Identity } from '../../../controller/domain/entities.js';
import { AppError } from '../../../controller/errors.js';
import { createLogger } from '../../../controller/log.js';
import { createMetrics, type Metrics } from '../../../controller/metrics.js';
import type { Mailer, MailMessage } from '../../../controller/ports/mailer.js';
import type { Stores } from '../../../controller/ports/stores.js';
import { eraseAccount, exportPersonalData, runInactivityJob, type InactivityJobDeps, type InactivitySettings } from '../../../controller/services/privacy.js';
import { acct, DAY, mac, ManualClock, MINUTE, newAp, newIdentity, newTenant, T0 } from '../../contract/harness.js';

const INACTIVE_DAYS = 730;
const NOTICE_DAYS = 30;
const day = (n: number) => new Date(T0.getTime() + n * DAY);

let dir: string;
let stores: Stores;
let clock: ManualClock;
let metrics: Metrics;
let mails: MailMessage[];
let mailFails: (m: MailMessage) => boolean;
let deps: InactivityJobDeps;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wfc-privacy-'));
  clock = new ManualClock();
  stores = openSqliteStores({ file: join(dir, 'wfc.sqlite') }, { clock });
  await stores.federation.set({ name: 'Wi-Fi Drôme', realm: 'wifi.drome.example' });
  metrics = createMetrics({ defaultMetrics: false });
  mails = [];
  mailFails = () => false;
  const mailer: Mailer = {
    transport: 'outbox',
    send: async (m) => {
      if (mailFails(m)) throw new Error('421 try again later');
      mails.push(m);
    },
    close: async () => {},
  };
  deps = { stores, clock, metrics, mailer, log: createLogger({ level: 'silent' }) };
});

afterEach(async () => {
  await stores.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the job with the clock at `n` days after T0. */
async function runAt(n: number, over: Partial<InactivitySettings> = {}) {
  clock.advance(day(n).getTime() - clock.now().getTime());
  return runInactivityJob(deps, { inactiveDays: INACTIVE_DAYS, noticeDays: NOTICE_DAYS, ...over });
}

async function counter(c: { get(): Promise<{ values: Array<{ labels: Record<string, string | number>; value: number }> }> }, labels: Record<string, string>): Promise<number> {
  const { values } = await c.get();
  return values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value ?? 0;
}

const verified = (username: string, over: Parameters<typeof newIdentity>[1] = {}) => stores.identities.create(newIdentity(username, { verified: true, ...over }));

describe('inactivity job', () => {
  it('notices after inactiveDays, a login resets, notices again, erases noticeDays after an unanswered notice', async () => {
    const alice = await verified('alice'); // fr
    const bob = await verified('bob', { locale: 'en' });

    expect(await runAt(INACTIVE_DAYS - 1)).toEqual({ noticed: { mailed: 0, noEmail: 0, mailFailed: 0 }, erased: 0, active: 0, failed: 0 });
    expect(mails).toEqual([]);

    const first = await runAt(INACTIVE_DAYS + 1);
    expect(first.noticed).toEqual({ mailed: 2, noEmail: 0, mailFailed: 0 });
    expect((await stores.identities.get(alice.id))!.inactivityNoticeAt).toEqual(day(INACTIVE_DAYS + 1));
    const fr = mails.find((m) => m.to === 'alice@example.org')!;
    expect(fr).toMatchObject({ kind: 'inactivity-notice', locale: 'fr' });
    // Erased noticeDays later: 731 + 30 days after 1 March 2025 is 1 April 2027.
    expect(fr.subject).toBe('Wi-Fi Drôme : votre compte sera supprimé le 1er avril 2027');
    expect(fr.text).toContain('« alice »');
    expect(fr.text).toContain('n’a pas servi depuis le 1er mars 2025');
    expect(fr.text).toContain('sauf si vous vous connectez');
    expect(fr.text).toContain('L34-1');
    const en = mails.find((m) => m.to === 'bob@example.org')!;
    expect(en).toMatchObject({ locale: 'en', subject: 'Wi-Fi Drôme: your account will be deleted on 1 April 2027' });
    expect(en.text).toContain('unless you sign in before then');
    expect(await counter(metrics.privacy.notices, { delivery: 'mailed' })).toBe(2);

    // Idempotent: nothing new the same day, nor the next.
    expect((await runAt(INACTIVE_DAYS + 1)).noticed.mailed).toBe(0);
    expect((await runAt(INACTIVE_DAYS + 2)).noticed.mailed).toBe(0);
    expect(mails).toHaveLength(2);

    // Alice signs in on the portal: the notice is answered.
    await stores.identities.touch(alice.id, day(INACTIVE_DAYS + 10));
    expect((await stores.identities.get(alice.id))!.inactivityNoticeAt).toBeNull();

    // The notice is not yet expired on its 30th day…
    expect((await runAt(INACTIVE_DAYS + 1 + NOTICE_DAYS)).erased).toBe(0);
    // …and is the day after: bob goes, alice stays.
    const erasure = await runAt(INACTIVE_DAYS + 2 + NOTICE_DAYS);
    expect(erasure).toMatchObject({ erased: 1, failed: 0 });
    expect(await stores.identities.get(bob.id)).toBeNull();
    expect(await stores.identities.get(alice.id)).not.toBeNull();
    expect(await counter(metrics.privacy.erasures, { reason: 'inactivity' })).toBe(1);
    const [audit] = await stores.audit.list({ action: 'identity.erase' });
    expect(audit).toMatchObject({ actor: 'system:privacy', target: `identity:${bob.id}`, after: { reason: 'inactivity' } });
    expect(JSON.stringify(audit)).not.toContain('bob@example.org');

    // Alice, inactive again since her login, gets a second notice two years later, then goes.
    const again = INACTIVE_DAYS + 10 + INACTIVE_DAYS + 1;
    expect((await runAt(again - 2)).noticed.mailed).toBe(0);
    expect((await runAt(again)).noticed.mailed).toBe(1);
    expect(mails.at(-1)!.text).toContain('n’a pas servi depuis le');
    expect((await runAt(again + NOTICE_DAYS)).erased).toBe(0);
    expect((await runAt(again + NOTICE_DAYS + 1)).erased).toBe(1);
    expect(await stores.identities.list()).toEqual([]);
  });

  it('a mail that fails leaves the account un-noticed; the next run retries, and the erasure date counts from the mail that went', async () => {
    const alice = await verified('alice');
    mailFails = () => true;
    expect((await runAt(INACTIVE_DAYS + 1)).noticed).toEqual({ mailed: 0, noEmail: 0, mailFailed: 1 });
    expect((await stores.identities.get(alice.id))!.inactivityNoticeAt).toBeNull();
    expect(await counter(metrics.privacy.notices, { delivery: 'mail-failed' })).toBe(1);

    mailFails = () => false;
    expect((await runAt(INACTIVE_DAYS + 5)).noticed).toEqual({ mailed: 1, noEmail: 0, mailFailed: 0 });
    expect((await stores.identities.get(alice.id))!.inactivityNoticeAt).toEqual(day(INACTIVE_DAYS + 5));
    expect((await runAt(INACTIVE_DAYS + 2 + NOTICE_DAYS)).erased).toBe(0);
    expect((await runAt(INACTIVE_DAYS + 6 + NOTICE_DAYS)).erased).toBe(1);
  });

  it('a failing address does not hold up the others', async () => {
    await verified('alice');
    await verified('bob');
    mailFails = (m) => m.to === 'alice@example.org';
    expect((await runAt(INACTIVE_DAYS + 1, { batchSize: 1 })).noticed).toEqual({ mailed: 1, noEmail: 0, mailFailed: 1 });
    expect((await runAt(INACTIVE_DAYS + 2, { batchSize: 1 })).noticed).toEqual({ mailed: 0, noEmail: 0, mailFailed: 1 });
  });

  it('a mailer that keeps failing stops the notices of the run; erasures still go on', async () => {
    const old = await stores.identities.create(newIdentity('old', { email: null }));
    await stores.identities.markInactivityNotice(old.id, day(1));
    for (let i = 0; i < 15; i++) await verified(`user${i}`);
    mailFails = () => true;
    const down = await runAt(INACTIVE_DAYS + 1, { batchSize: 4 });
    expect(down).toMatchObject({ noticed: { mailed: 0, noEmail: 0, mailFailed: 10 }, erased: 1 });
  });

  it('accounts without a confirmed address are noticed without a mail, then erased', async () => {
    const carol = await stores.identities.create(newIdentity('carol', { email: null, verified: true }));
    // An address never confirmed may not be the holder's: no mail to it.
    const dave = await stores.identities.create(newIdentity('dave', { verified: false }));
    expect((await runAt(INACTIVE_DAYS + 1)).noticed).toEqual({ mailed: 0, noEmail: 2, mailFailed: 0 });
    expect(mails).toEqual([]);
    expect(await counter(metrics.privacy.notices, { delivery: 'no-email' })).toBe(2);
    expect((await runAt(INACTIVE_DAYS + 2 + NOTICE_DAYS)).erased).toBe(2);
    expect(await stores.identities.get(carol.id)).toBeNull();
    expect(await stores.identities.get(dave.id)).toBeNull();
  });

  it('connections in the log count as use: 802.1X or remembered-device citizens are neither noticed nor erased', async () => {
    const tenant = await stores.tenants.create(newTenant('valence'));
    const eve = await verified('eve');
    const frank = await verified('frank');
    const connect = (who: Identity, n: number, id: string) =>
      stores.accounting.record([
        acct({ tenantId: tenant.id, statusType: 'start', acctSessionId: id, identityId: who.id, username: who.username, eventAt: day(n) }),
        acct({ tenantId: tenant.id, statusType: 'stop', acctSessionId: id, identityId: who.id, username: who.username, eventAt: new Date(day(n).getTime() + 30 * MINUTE), sessionTime: 1800 }),
      ]);
    await connect(eve, 400, 'e-1');
    const run = await runAt(INACTIVE_DAYS + 1);
    expect(run).toMatchObject({ noticed: { mailed: 1 }, active: 1 });
    expect(mails.map((m) => m.to)).toEqual(['frank@example.org']);
    // Eve's last connection became her last sighting: she is noticed two years after it.
    expect((await stores.identities.get(eve.id))!.lastSeenAt).toEqual(new Date(day(400).getTime() + 30 * MINUTE));

    // Frank connects through 802.1X after the notice, never through the portal: kept.
    await connect(frank, INACTIVE_DAYS + 10, 'f-1');
    expect(await runAt(INACTIVE_DAYS + 2 + NOTICE_DAYS)).toMatchObject({ erased: 0, active: 1 });
    expect((await stores.identities.get(frank.id))!.inactivityNoticeAt).toBeNull();
  });

  it('drains a backlog in batches, and at most maxPerRun per run', async () => {
    for (let i = 0; i < 25; i++) await stores.identities.create(newIdentity(`user${String(i).padStart(2, '0')}`, { email: null }));
    expect((await runAt(INACTIVE_DAYS + 1, { batchSize: 7, maxPerRun: 20 })).noticed.noEmail).toBe(20);
    expect((await runAt(INACTIVE_DAYS + 2, { batchSize: 7, maxPerRun: 20 })).noticed.noEmail).toBe(5);
    expect((await runAt(INACTIVE_DAYS + 3 + NOTICE_DAYS, { batchSize: 7 })).erased).toBe(25);
  });

  it('does nothing when inactiveDays is 0', async () => {
    await verified('alice');
    expect(await runAt(10 * INACTIVE_DAYS, { inactiveDays: 0 })).toEqual({
      noticed: { mailed: 0, noEmail: 0, mailFailed: 0 },
      erased: 0,
      active: 0,
      failed: 0,
    });
    expect(await stores.identities.list()).toHaveLength(1);
  });
});

describe('eraseAccount', () => {
  it('erases in the database: no account, no device, pseudonymised log and raw records, the archive for the legal year', async () => {
    const tenant = await stores.tenants.create(newTenant('valence'));
    const alice = await verified('alice');
    await stores.devices.remember(alice.id, mac('02-00-00-00-00-01'), day(100), 'phone');
    await stores.accounting.record([acct({ tenantId: tenant.id, statusType: 'start', acctSessionId: 'a-1', identityId: alice.id, username: 'alice' })]);
    clock.advance(DAY);
    await eraseAccount(deps, alice.id, 'citizen', 'portal:valence');

    expect(await counter(metrics.privacy.erasures, { reason: 'citizen' })).toBe(1);
    const [audit] = await stores.audit.list({ action: 'identity.erase' });
    expect(audit).toMatchObject({ actor: 'portal:valence', tenantId: null, target: `identity:${alice.id}`, before: null, after: { reason: 'citizen' } });
    expect(JSON.stringify(audit)).not.toMatch(/alice@example\.org|argon2/);

    const raw = new Database(join(dir, 'wfc.sqlite'), { readonly: true });
    try {
      expect(raw.prepare('SELECT COUNT(*) FROM identities WHERE id = ?').pluck().get(alice.id)).toBe(0);
      expect(raw.prepare('SELECT COUNT(*) FROM devices').pluck().get()).toBe(0);
      expect(raw.prepare('SELECT DISTINCT username FROM sessions WHERE identity_id = ?').pluck().all(alice.id)).toEqual([`erased:${alice.id}`]);
      expect(raw.prepare('SELECT DISTINCT username FROM accounting_records WHERE identity_id = ?').pluck().all(alice.id)).toEqual([`erased:${alice.id}`]);
      expect(raw.prepare('SELECT identity_id, username, email, created_at, erased_at, reason FROM identity_archive').all()).toEqual([
        { identity_id: alice.id, username: 'alice', email: 'alice@example.org', created_at: T0.getTime(), erased_at: day(1).getTime(), reason: 'citizen' },
      ]);
      // No trace of the password hash left in a live table.
      expect(raw.prepare("SELECT COUNT(*) FROM audit_events WHERE after_json LIKE '%argon2%'").pluck().get()).toBe(0);
    } finally {
      raw.close();
    }
    await expect(eraseAccount(deps, alice.id, 'citizen', 'portal:valence')).rejects.toMatchObject({ code: 'WFC_IDENTITY_NOT_FOUND' });
    expect(await counter(metrics.privacy.erasures, { reason: 'citizen' })).toBe(1);
  });
});

describe('exportPersonalData', () => {
  it('gives the account without its hash, devices and the connection log with municipality, AP, MAC, address, bytes and NAT', async () => {
    const tenant = await stores.tenants.create(newTenant('valence'));
    const ap = await stores.accessPoints.create(tenant.id, newAp('aa-bb-cc-00-00-01', { name: 'Médiathèque' }));
    const alice = await verified('alice');
    await stores.identities.touch(alice.id, day(2));
    await stores.devices.remember(alice.id, mac('02-00-00-00-00-01'), day(180), 'phone');
    await stores.accounting.record([
      acct({ tenantId: tenant.id, statusType: 'start', acctSessionId: 'a-1', identityId: alice.id, username: 'alice', apId: ap.id, framedIp: '10.0.0.7', eventAt: day(2) }),
      acct({ tenantId: tenant.id, statusType: 'stop', acctSessionId: 'a-1', identityId: alice.id, username: 'alice', apId: ap.id, framedIp: '10.0.0.7', eventAt: new Date(day(2).getTime() + 3600_000), sessionTime: 3600, inputOctets: 1234, outputOctets: 56789 }),
      acct({ tenantId: tenant.id, statusType: 'start', acctSessionId: 'o-1', identityId: null, username: 'someone-else', eventAt: day(2) }),
    ]);
    await stores.legal.importNatMappings(tenant.id, [
      { internalIp: '10.0.0.7', publicIp: '198.51.100.7', portStart: 40000, portEnd: 40999, startedAt: new Date(day(2).getTime() + 60_000), endedAt: null, source: 'import' },
    ]);
    clock.advance(3 * DAY);

    const doc = await exportPersonalData({ stores, clock }, alice.id);
    const text = JSON.stringify(doc);
    expect(text).not.toContain('argon2');
    expect(text).not.toContain('someone-else');
    expect(doc).toMatchObject({
      format: 'wfc-personal-data/1',
      generatedAt: day(3).toISOString(),
      account: { id: alice.id, username: 'alice', email: 'alice@example.org', emailVerified: true, locale: 'fr', createdAt: T0.toISOString(), lastSeenAt: day(2).toISOString() },
      devices: [{ mac: '02:00:00:00:00:01', label: 'phone', expiresAt: day(180).toISOString() }],
      connections: [
        {
          startedAt: day(2).toISOString(),
          stoppedAt: new Date(day(2).getTime() + 3600_000).toISOString(),
          municipality: 'valence',
          accessPoint: 'Médiathèque',
          mac: '02:00:00:00:00:01',
          ip: '10.0.0.7',
          bytesSent: 1234,
          bytesReceived: 56789,
          durationSeconds: 3600,
          natMappings: [{ publicIp: '198.51.100.7', portStart: 40000, portEnd: 40999 }],
        },
      ],
      retention: { inactiveDays: 730, noticeDays: 30, connectionLogDays: 365 },
    });
    expect(doc.legalBasis.connectionLog).toContain('L34-1');
    expect(doc.legalBasis.connectionLog).toContain('2021-1362');
    expect(doc.legalBasis.account).toContain('6(1)(b)');
    await expect(exportPersonalData({ stores, clock }, 'no-such-id')).rejects.toBeInstanceOf(AppError);
  });
});
