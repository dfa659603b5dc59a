/**
 * The legal connection log's NAT side, end to end: Debian's radclient
 * (FreeRADIUS 3.2, whose dictionary.rfc8045 encodes IP-Port-Range as RFC
 * 6929 TLVs) reports a gateway's NAT port block in an Accounting-Request
 * Start to the server built in dist/; the session keeps the NAS's source
 * address (for Disconnect/CoA, RFC 5176 §3) and the legal log keeps the
 * public address and port block (CPCE L34-1, décret 2021-1362 art. 5).
 * A malformed block costs the mapping, never the accounting record.
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAttributes } from '../../radius-server/codec/attributes.js';
import { decodePacket } from '../../radius-server/codec/packet.js';
import { encodeAccountingRequest } from '../../radius-server/codec/reply.js';
import { MAIN_JS, WFC_JS, childEnv, ensureBuilt, freePorts, runNode, spawnNode, waitForHttp, type Spawned } from '../helpers/process.js';
import { hasBinary, radclient } from '../helpers/radclient.js';

const haveRadclient = hasBinary('radclient');

interface Demo {
  radius: { secret: string };
}

interface SessionRow {
  id: string;
  acct_session_id: string;
  nas_ip: string;
  nas_address: string | null;
  framed_ip: string | null;
  status: string;
}

interface NatRow {
  session_id: string | null;
  internal_ip: string;
  public_ip: string;
  port_start: number;
  port_end: number;
  started_at: number;
  ended_at: number | null;
  source: string;
}

describe.skipIf(!haveRadclient)('RFC 8045 NAT port blocks in accounting, from radclient to the legal log', { timeout: 30_000 }, () => {
  let root: string;
  let dataDir: string;
  let server: Spawned;
  let env: NodeJS.ProcessEnv;
  let secret: string;
  let acct: string;
  let acctPort: number;

  beforeAll(async () => {
    await ensureBuilt();
    root = mkdtempSync(join(tmpdir(), 'wfc-nat-e2e-'));
    dataDir = join(root, 'data');
    const [[auth, acctP], [api, portal]] = await Promise.all([freePorts(2, 'udp'), freePorts(2, 'tcp')]);
    acctPort = acctP!;
    env = childEnv({
      WFC_DATA_DIR: dataDir,
      WFC_RADIUS_HOST: '::',
      WFC_RADIUS_AUTH_PORT: String(auth),
      WFC_RADIUS_ACCT_PORT: String(acctPort),
      WFC_API_HOST: '127.0.0.1',
      WFC_API_PORT: String(api),
      WFC_PORTAL_HOST: '127.0.0.1',
      WFC_PORTAL_PORT: String(portal),
      WFC_LOG_LEVEL: 'debug',
    });
    const seeded = await runNode(WFC_JS, ['demo', '--data-dir', dataDir, '--json'], { env, timeoutMs: 30_000 });
    expect(seeded.code, seeded.stderr).toBe(0);
    secret = (JSON.parse(seeded.stdout) as Demo).radius.secret;
    acct = `127.0.0.1:${acctPort}`;
    server = spawnNode(MAIN_JS, [], { env });
    await waitForHttp(`http://127.0.0.1:${api}/readyz`, {
      timeoutMs: 20_000,
      check: () => {
        const exit = server.exitStatus();
        if (exit) throw new Error(`the server exited (code ${exit.code}) before it was ready:\n${server.stdout()}\n${server.stderr()}`);
      },
    });
  }, 90_000);

  afterAll(async () => {
    if (server && !server.exitStatus()) await server.stop('SIGTERM', 10_000).catch(() => server.stop('SIGKILL', 5_000).catch(() => {}));
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const db = <T>(sql: string, ...params: unknown[]): T[] => {
    const d = new Database(join(dataDir, 'wfc.sqlite'), { readonly: true });
    try {
      return d.prepare(sql).all(...params) as T[];
    } finally {
      d.close();
    }
  };

  const session = (acctSessionId: string) => db<SessionRow>('SELECT id, acct_session_id, nas_ip, nas_address, framed_ip, status FROM sessions WHERE acct_session_id = ?', acctSessionId)[0];
  const mappings = (sessionId: string) => db<NatRow>('SELECT session_id, internal_ip, public_ip, port_start, port_end, started_at, ended_at, source FROM nat_mappings WHERE session_id = ? ORDER BY port_start', sessionId);

  const base = (id: string) => ['User-Name = "alice"', `Acct-Session-Id = "${id}"`, 'NAS-IP-Address = 192.0.2.10', 'Calling-Station-Id = "02-00-00-00-0a-01"', 'Framed-IP-Address = 10.0.0.5'];

  it('an Accounting-Request Start with IP-Port-Range is acknowledged; the session keeps the source address and the NAT block', async () => {
    const r = await radclient({
      server: acct,
      kind: 'acct',
      secret,
      // FreeRADIUS names the TLVs of 241.6 IP-Port-Range-<TLV>: -Alloc is RFC 8045 IP-Port-Alloc, -Range-Start is IP-Port-Range-Start…
      attributes: [
        'Acct-Status-Type = Start',
        ...base('nat-e2e-1'),
        'IP-Port-Range-Alloc = Allocation',
        'IP-Port-Range-Ext-IPv4-Addr = 198.51.100.7',
        'IP-Port-Range-Range-Start = 40000',
        'IP-Port-Range-Range-End = 40999',
        'IP-Port-Range-Int-IPv4-Addr = 10.0.0.5',
      ],
    });
    expect(r.code, r.output).toBe('Accounting-Response');
    // radclient put the five TLVs in one Extended-Type attribute: f1 21 06 08 06 …
    expect(r.output).toContain('IP-Port-Range-Range-Start = 40000');

    const s = session('nat-e2e-1');
    expect(s).toMatchObject({ nas_ip: '192.0.2.10', framed_ip: '10.0.0.5', status: 'active' });
    // The server listens on '::': the IPv4 peer arrives IPv4-mapped and is stored as plain IPv4.
    expect(s!.nas_address).toBe('127.0.0.1');

    const { stdout } = await runNode(WFC_JS, ['--data-dir', dataDir, 'sessions', 'list', '--json'], { env });
    const listed = (JSON.parse(stdout) as Array<Record<string, unknown>>).find((x) => x.acctSessionId === 'nat-e2e-1');
    expect(listed).toMatchObject({ nasIp: '192.0.2.10', nasAddress: '127.0.0.1' });

    expect(mappings(s!.id)).toEqual([
      expect.objectContaining({ session_id: s!.id, internal_ip: '10.0.0.5', public_ip: '198.51.100.7', port_start: 40000, port_end: 40999, ended_at: null, source: 'accounting' }),
    ]);
  });

  it('without IP-Port-Int-IPv4-Addr the block is mapped to the session Framed-IP-Address', async () => {
    const r = await radclient({
      server: acct,
      kind: 'acct',
      secret,
      attributes: ['Acct-Status-Type = Start', ...base('nat-e2e-2'), 'IP-Port-Range-Alloc = Allocation', 'IP-Port-Range-Ext-IPv4-Addr = 198.51.100.7', 'IP-Port-Range-Range-Start = 41000', 'IP-Port-Range-Range-End = 41999'],
    });
    expect(r.code, r.output).toBe('Accounting-Response');
    const s = session('nat-e2e-2')!;
    expect(mappings(s.id)).toEqual([expect.objectContaining({ internal_ip: '10.0.0.5', public_ip: '198.51.100.7', port_start: 41000, port_end: 41999 })]);
  });

  it('a malformed IP-Port-Range (a TLV cut short) is skipped: the Start is acknowledged and stored without a mapping', async () => {
    // RFC 6929 §2.1 attribute f1, Length 11, Extended-Type 06; IP-Port-Alloc whole, then an
    // IP-Port-Ext-IPv4-Addr whose TLV-Length (6) runs past the attribute (RFC 6929 §2.3).
    const truncated = { type: 241, value: Buffer.from('06' + '0806' + '00000001' + '0306' + 'c6', 'hex') };
    const attributes = [
      ...buildAttributes({ 'Acct-Status-Type': 1, 'User-Name': 'alice', 'Acct-Session-Id': 'nat-e2e-3', 'NAS-IP-Address': '192.0.2.10', 'Framed-IP-Address': '10.0.0.6' }),
      truncated,
    ];
    const socket = createSocket('udp4');
    try {
      const reply = await new Promise<Buffer>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no Accounting-Response')), 5_000);
        socket.once('message', (m) => {
          clearTimeout(timer);
          resolve(m);
        });
        socket.send(encodeAccountingRequest({ identifier: 77, attributes, secret }), acctPort, '127.0.0.1');
      });
      const d = decodePacket(reply);
      expect(d.ok && d.packet.code).toBe(5);
    } finally {
      socket.close();
    }
    const s = session('nat-e2e-3');
    expect(s).toMatchObject({ framed_ip: '10.0.0.6', nas_address: '127.0.0.1' });
    expect(mappings(s!.id)).toEqual([]);
    const line = await server.waitForLine((l) => l.includes('IP-Port-Range skipped') && l.includes('tlv-truncated'), 5_000, 'stdout');
    expect(JSON.parse(line)).toMatchObject({ level: 'debug', reason: 'tlv-truncated' });
  });

  it('the Stop ends the block (a Deallocation in the Stop is not a new mapping)', async () => {
    const r = await radclient({
      server: acct,
      kind: 'acct',
      secret,
      attributes: [
        'Acct-Status-Type = Stop',
        ...base('nat-e2e-1'),
        'Acct-Session-Time = 600',
        'Acct-Terminate-Cause = User-Request',
        'IP-Port-Range-Alloc = Deallocation',
        'IP-Port-Range-Ext-IPv4-Addr = 198.51.100.7',
        'IP-Port-Range-Range-Start = 40000',
        'IP-Port-Range-Range-End = 40999',
      ],
    });
    expect(r.code, r.output).toBe('Accounting-Response');
    const s = session('nat-e2e-1')!;
    expect(s.status).toBe('stopped');
    const m = mappings(s.id);
    expect(m).toHaveLength(1);
    expect(m[0]!.ended_at).not.toBeNull();
  });
});
