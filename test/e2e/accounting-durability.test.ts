/**
 * A crash never loses an acknowledged accounting record: a burst of
 * Accounting-Requests goes to a server process that is killed with SIGKILL
 * in the middle; every request the server acknowledged must be in the
 * database afterwards (RFC 2866 §4.1: respond only once recorded).
 */
import { spawn, execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAttributes } from '../../radius-server/codec/attributes.js';
import { decodePacket } from '../../radius-server/codec/packet.js';
import { encodeAccountingRequest } from '../../radius-server/codec/reply.js';

const dataDir = mkdtempSync(join(tmpdir(), 'wfc-kill9-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('accounting durability', () => {
  it('every acknowledged record survives kill -9 during a burst', async () => {
    const demo = JSON.parse(execFileSync('node', ['dist/controller/cli/wfc.js', 'demo', '--data-dir', dataDir, '--json'], { encoding: 'utf8' })) as { radius: { secret: string } };
    const secret = demo.radius.secret;
    const server = spawn('node', ['dist/controller/main.js'], {
      env: { ...process.env, WFC_DATA_DIR: dataDir, WFC_RADIUS_HOST: '127.0.0.1', WFC_RADIUS_AUTH_PORT: '0', WFC_RADIUS_ACCT_PORT: '0', WFC_API_HOST: '127.0.0.1', WFC_API_PORT: '0', WFC_PORTAL_PORT: '0', WFC_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => server.once('exit', (_code, signal) => resolve(signal)));
    const acctPort = await new Promise<number>((resolve, reject) => {
      const lines = createInterface({ input: server.stdout! });
      lines.on('line', (l) => {
        const m = /"acct":(\d+)/.exec(l);
        if (m) resolve(Number(m[1]));
      });
      setTimeout(() => reject(new Error('server did not start')), 15_000);
    });

    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const acked = new Set<string>();
    const pending = new Map<number, string>();
    socket.on('message', (m) => {
      const d = decodePacket(m);
      if (!d.ok || d.packet.code !== 5) return;
      const id = pending.get(d.packet.identifier);
      if (id) acked.add(id);
    });

    // Keep 64 requests outstanding until the kill; identifiers are reused per slot.
    let sent = 0;
    let killed = false;
    const sendNext = (slot: number) => {
      if (killed) return;
      const sessionId = `burst-${sent++}`;
      pending.set(slot, sessionId);
      const attributes = buildAttributes({ 'Acct-Status-Type': 1, 'Acct-Session-Id': sessionId, 'User-Name': 'alice', 'NAS-IP-Address': '127.0.0.1', 'Calling-Station-Id': '02-00-00-00-0a-01' });
      socket.send(encodeAccountingRequest({ identifier: slot, attributes, secret }), acctPort, '127.0.0.1');
    };
    socket.on('message', (m) => {
      const d = decodePacket(m);
      if (d.ok) sendNext(d.packet.identifier);
    });
    for (let slot = 0; slot < 64; slot++) sendNext(slot);
    await new Promise((r) => setTimeout(r, 1500));
    killed = true;
    server.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    socket.close();

    const db = new Database(join(dataDir, 'wfc.sqlite'), { readonly: true });
    const stored = new Set((db.prepare("SELECT acct_session_id AS id FROM accounting_records WHERE acct_session_id LIKE 'burst-%'").all() as Array<{ id: string }>).map((r) => r.id));
    db.close();
    const lost = [...acked].filter((id) => !stored.has(id));
    console.log(`sent ${sent}, acknowledged ${acked.size}, stored ${stored.size}, lost ${lost.length}`);
    expect(acked.size).toBeGreaterThan(100);
    expect(lost).toEqual([]);
  }, 60_000);
});
