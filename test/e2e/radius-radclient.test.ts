/**
 * The RADIUS server against an implementation nobody here wrote: Debian's
 * radclient/radtest (FreeRADIUS 3.2). Every exchange goes over real UDP.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createRedisLoginTokens } from '../../controller/adapters/redis/login-tokens.js';
import type { Mac } from '../../controller/domain/mac.js';
import { hasBinary, q, radclient } from '../helpers/radclient.js';
import { useRedis } from '../helpers/services.js';
import { startDemoController, type DemoController } from './fixtures/demo-controller.js';

const run = promisify(execFile);
const haveRadclient = hasBinary('radclient');
const redis = await useRedis();

describe.skipIf(!haveRadclient)('RADIUS with radclient (FreeRADIUS utilities)', () => {
  let c: DemoController;
  let auth4: string;
  let auth6: string;
  let acct4: string;
  let secret: string;
  let prefix: string;
  const pw = (u: string) => c.demo.users.find((x) => x.username === u)!.password;

  beforeAll(async () => {
    prefix = `wfc-e2e-${randomBytes(4).toString('hex')}:`;
    c = await startDemoController(redis ? { WFC_REDIS_URL: redis.url, WFC_REDIS_PREFIX: prefix } : {});
    const { radiusAuth, radiusAcct } = c.running.addresses;
    auth4 = `127.0.0.1:${radiusAuth}`;
    auth6 = `[::1]:${radiusAuth}`;
    acct4 = `127.0.0.1:${radiusAcct}`;
    secret = c.demo.radius.secret;
  });
  afterAll(async () => {
    await c?.stop();
    await redis?.stop();
  });

  const metric = async (name: string): Promise<string> => {
    const res = await fetch(`http://127.0.0.1:${c.running.addresses.api}/metrics`);
    return (await res.text()).split('\n').filter((l) => l.startsWith(name)).join('\n');
  };

  const login = (server: string, user: string, password: string, mac: string, extra: string[] = []) =>
    radclient({
      server,
      kind: 'auth',
      secret,
      attributes: [`User-Name = ${q(user)}`, `User-Password = ${q(password)}`, `Calling-Station-Id = ${q(mac)}`, 'Called-Station-Id = "00-11-22-33-44-01:Wifi-Valence"', 'Message-Authenticator = 0x00', ...extra],
    });

  it('radtest: PAP with the right password is accepted with the municipality policy, Message-Authenticator first', async () => {
    const { stdout } = await run('radtest', ['-x', 'alice', pw('alice'), auth4, '0', secret]);
    expect(stdout).toContain('Received Access-Accept');
    const lines = stdout.split('\n');
    const first = lines.findIndex((l) => l.startsWith('Received Access-Accept'));
    expect(lines[first + 1]).toMatch(/^\s+Message-Authenticator = 0x/);
    expect(stdout).toContain('Session-Timeout = 14400');
    expect(stdout).toContain('Acct-Interim-Interval = 600');
    expect(stdout).toContain('WISPr-Bandwidth-Max-Down = 10000000');
    expect(stdout).toContain('ChilliSpot-Bandwidth-Max-Down = 10000');
  });

  it('PAP with a wrong password is rejected with a French Reply-Message', async () => {
    const r = await login(auth4, 'alice', 'not-her-password', '02-00-00-00-0a-01');
    expect(r.code).toBe('Access-Reject');
    expect(r.attributes.get('Reply-Message')).toEqual(['Identifiant ou mot de passe incorrect.']);
  });

  it('the same identity logs in as user@realm and by e-mail, at either municipality (IPv4 and IPv6 gateways)', async () => {
    const a = await login(auth4, `alice@${c.demo.federation.realm}`, pw('alice'), '02-00-00-00-0a-01');
    expect(a.code).toBe('Access-Accept');
    expect(a.attributes.get('User-Name')).toEqual(['alice']);
    const b = await login(auth6, 'alice@example.org', pw('alice'), '02-00-00-00-0a-01', ['Called-Station-Id = "00-11-22-33-45-01:Wifi-Crest"']);
    expect(b.code).toBe('Access-Accept');
  });

  it('another realm is refused (no federation proxying yet)', async () => {
    const r = await login(auth4, 'alice@elsewhere.example', pw('alice'), '02-00-00-00-0a-01');
    expect(r.code).toBe('Access-Reject');
  });

  it('MAC authentication: a remembered device passes at the other municipality', async () => {
    const mac = c.demo.devices[0]!.mac.toUpperCase().replace(/:/g, '-');
    const r = await radclient({
      server: auth6,
      kind: 'auth',
      secret,
      attributes: [`User-Name = ${q(mac)}`, `User-Password = ${q(mac)}`, `Calling-Station-Id = ${q(mac)}`, 'Called-Station-Id = "00-11-22-33-45-02:Wifi-Crest"', 'Message-Authenticator = 0x00'],
    });
    expect(r.code).toBe('Access-Accept');
    expect(r.attributes.get('User-Name')).toEqual(['chloe']);
    const unknown = await radclient({ server: auth6, kind: 'auth', secret, attributes: ['User-Name = "02-AA-BB-CC-DD-EE"', 'User-Password = "02-AA-BB-CC-DD-EE"', 'Calling-Station-Id = "02-AA-BB-CC-DD-EE"', 'Message-Authenticator = 0x00'] });
    expect(unknown.code).toBe('Access-Reject');
  });

  it('CHAP with a long-term password is refused: CHAP works only with a portal token', async () => {
    const r = await radclient({ server: auth4, kind: 'auth', secret, attributes: ['User-Name = "alice"', `CHAP-Password = ${q(pw('alice'))}`, 'Calling-Station-Id = "02-00-00-00-0a-09"', 'Message-Authenticator = 0x00'] });
    expect(r.code).toBe('Access-Reject');
    expect(r.attributes.get('Reply-Message')).toEqual(['Connectez-vous depuis le portail.']);
  });

  it.skipIf(!redis)('CHAP with a one-time portal token bound to the device: accepted once', async () => {
    const conn = new Redis(redis!.url);
    try {
      const tokens = createRedisLoginTokens(conn, prefix);
      // Chloé: alice's two Simultaneous-Use slots are held by the logins above for a minute.
      const identityId = await userId('chloe');
      const valence = c.running.config && (await tenantId('valence'));
      const secretToken = `wfct_${randomBytes(16).toString('base64url')}`;
      await tokens.issue({ secret: secretToken, identityId, tenantId: valence, mac: '02:00:00:00:0a:02' as Mac, expiresAt: new Date(Date.now() + 60_000) });
      const chap = () => radclient({ server: auth4, kind: 'auth', secret, attributes: ['User-Name = "chloe"', `CHAP-Password = ${q(secretToken)}`, 'Calling-Station-Id = "02-00-00-00-0A-02"', 'Message-Authenticator = 0x00'] });
      const first = await chap();
      expect(first.code, first.output + (await metric('wfc_radius_access_rejects_total'))).toBe('Access-Accept');
      expect((await chap()).code).toBe('Access-Reject');
    } finally {
      conn.disconnect();
    }
  });

  it('accounting Start, Interim-Update and Stop are acknowledged and visible in `wfc sessions list --json`', async () => {
    const base = ['User-Name = "alice"', 'Acct-Session-Id = "e2e-0001"', 'NAS-IP-Address = 127.0.0.1', 'NAS-Identifier = "chilli-valence-1"', 'Calling-Station-Id = "02-00-00-00-0A-01"', 'Called-Station-Id = "00-11-22-33-44-01:Wifi-Valence"', 'Framed-IP-Address = 10.1.0.23'];
    const acct = (lines: string[]) => radclient({ server: acct4, kind: 'acct', secret, attributes: [...base, ...lines] });
    const octets = async (direction: string): Promise<number> => {
      const line = (await metric('wfc_session_octets_total')).split('\n').find((l) => l.startsWith(`wfc_session_octets_total{tenant="valence",direction="${direction}"}`));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const [inBefore, outBefore] = [await octets('in'), await octets('out')];
    expect((await acct(['Acct-Status-Type = Start'])).code).toBe('Accounting-Response');
    expect((await acct(['Acct-Status-Type = Interim-Update', 'Acct-Session-Time = 600', 'Acct-Input-Octets = 1000', 'Acct-Output-Octets = 50000'])).code).toBe('Accounting-Response');
    let sessions = await wfcSessions(['--active']);
    const live = sessions.find((s) => s.acctSessionId === 'e2e-0001');
    expect(live).toMatchObject({ status: 'active', username: 'alice', sessionTime: 600, inputOctets: 1000, outputOctets: 50000, framedIp: '10.1.0.23', callingStationId: '02:00:00:00:0a:01' });
    expect(live!.apId).not.toBeNull();
    expect(live!.identityId).toBe(await userId('alice'));
    expect((await acct(['Acct-Status-Type = Stop', 'Acct-Session-Time = 900', 'Acct-Input-Octets = 2000', 'Acct-Output-Octets = 90000', 'Acct-Input-Gigawords = 1', 'Acct-Terminate-Cause = User-Request'])).code).toBe('Accounting-Response');
    sessions = await wfcSessions([]);
    expect(sessions.find((s) => s.acctSessionId === 'e2e-0001')).toMatchObject({ status: 'stopped', sessionTime: 900, inputOctets: 2000 + 2 ** 32, terminateCause: 'User-Request' });
    expect((await wfcSessions(['--active'])).find((s) => s.acctSessionId === 'e2e-0001')).toBeUndefined();
    // Traffic per municipality counts each session's growth once: Gigawords included, no double count of the Interim.
    expect((await octets('in')) - inBefore).toBe(2000 + 2 ** 32);
    expect((await octets('out')) - outBefore).toBe(90000);
  });

  it('Simultaneous-Use: a third device of the same citizen is refused while two sessions are live', async () => {
    const bob = pw('bob');
    for (const [i, mac] of ['02-00-00-00-0b-01', '02-00-00-00-0b-02'].entries()) {
      expect((await login(auth4, 'bob', bob, mac)).code).toBe('Access-Accept');
      const r = await radclient({ server: acct4, kind: 'acct', secret, attributes: ['Acct-Status-Type = Start', 'User-Name = "bob"', `Acct-Session-Id = "bob-${i}"`, `Calling-Station-Id = ${q(mac)}`, 'NAS-IP-Address = 127.0.0.1'] });
      expect(r.code).toBe('Accounting-Response');
    }
    const third = await login(auth4, 'bob', bob, '02-00-00-00-0b-03');
    expect(third.code).toBe('Access-Reject');
    expect(third.attributes.get('Reply-Message')).toEqual(['Maximum number of simultaneous connections reached.']);
    // A device already connected may re-authenticate (roaming between APs).
    expect((await login(auth4, 'bob', bob, '02-00-00-00-0b-01')).code).toBe('Access-Accept');
    // Accounting-On from the NAS (it rebooted) ends its sessions: bob may connect again.
    expect((await radclient({ server: acct4, kind: 'acct', secret, attributes: ['Acct-Status-Type = Accounting-On', 'NAS-IP-Address = 127.0.0.1'] })).code).toBe('Accounting-Response');
    expect((await login(auth4, 'bob', bob, '02-00-00-00-0b-03')).code).toBe('Access-Accept');
  });

  it('Status-Server is answered on both ports (RFC 5997)', async () => {
    const onAuth = await radclient({ server: auth4, kind: 'status', secret, attributes: ['Message-Authenticator = 0x00'] });
    expect(onAuth.code).toBe('Access-Accept');
    const onAcct = await radclient({ server: acct4, kind: 'status', secret, attributes: ['Message-Authenticator = 0x00'] });
    expect(onAcct.code).toBe('Accounting-Response');
  });

  it('an Access-Request without Message-Authenticator is dropped and counted (BlastRADIUS)', async () => {
    const r = await radclient({ server: auth4, kind: 'auth', secret, timeoutSec: 1, attributes: ['User-Name = "alice"', `User-Password = ${q(pw('alice'))}`] });
    expect(r.code).toBeNull();
    expect(await metric('wfc_radius_dropped_requests_total')).toMatch(/port="auth",reason="ma-missing"} [1-9]/);
  });

  it('a request signed with the wrong secret is dropped and counted', async () => {
    const r = await radclient({ server: auth4, kind: 'auth', secret: 'not-the-shared-secret', timeoutSec: 1, attributes: ['User-Name = "alice"', 'User-Password = "x"', 'Message-Authenticator = 0x00'] });
    expect(r.code).toBeNull();
    const a = await radclient({ server: acct4, kind: 'acct', secret: 'not-the-shared-secret', timeoutSec: 1, attributes: ['Acct-Status-Type = Start', 'User-Name = "alice"', 'Acct-Session-Id = "forged"'] });
    expect(a.code).toBeNull();
    const m = await metric('wfc_radius_dropped_requests_total');
    expect(m).toMatch(/port="auth",reason="ma-invalid"} [1-9]/);
    expect(m).toMatch(/port="acct",reason="bad-authenticator"} [1-9]/);
  });

  async function wfcSessions(flags: string[]): Promise<Array<Record<string, unknown>>> {
    const { stdout } = await run('node', ['dist/controller/cli/wfc.js', '--data-dir', c.dataDir, 'sessions', 'list', '--json', ...flags]);
    return JSON.parse(stdout) as Array<Record<string, unknown>>;
  }

  async function cliJson(args: string[]): Promise<unknown> {
    const { stdout } = await run('node', ['dist/controller/cli/wfc.js', '--data-dir', c.dataDir, ...args, '--json']);
    return JSON.parse(stdout);
  }

  async function userId(username: string): Promise<string> {
    const users = (await cliJson(['user', 'list'])) as Array<{ id: string; username: string }>;
    return users.find((u) => u.username === username)!.id;
  }

  async function tenantId(slug: string): Promise<string> {
    const t = (await cliJson(['tenant', 'show', slug])) as { id: string };
    return t.id;
  }
});
