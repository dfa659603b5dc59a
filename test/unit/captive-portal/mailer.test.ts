/** The two mailers: the outbox directory the demo and tests read, and SMTP (against a tiny fake server). */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOutboxMailer, outboxDir } from '../../../controller/adapters/mail/outbox.js';
import { createSmtpMailer } from '../../../controller/adapters/mail/smtp.js';

const message = { to: 'alice@example.org', subject: 'Wi-Fi public : votre code de vérification', text: 'Votre code est :\n\n    123456\n\nÀ bientôt.\n', kind: 'verify-email', locale: 'fr' };

describe('outbox mailer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wfc-outbox-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a complete .eml and its .json twin, readable by their owner only', async () => {
    const m = createOutboxMailer({ dir: outboxDir(dir), from: 'Wi-Fi public <no-reply@example.fr>', clock: { now: () => new Date('2030-01-02T03:04:05.678Z') } });
    expect(m.transport).toBe('outbox');
    await m.send(message);
    const files = readdirSync(outboxDir(dir)).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^2030-01-02T03-04-05-678Z-[0-9a-f]{8}\.eml$/);
    expect(files[1]).toBe(files[0]!.replace(/\.eml$/, '.json'));
    const json = JSON.parse(readFileSync(join(outboxDir(dir), files[1]!), 'utf8')) as Record<string, string>;
    expect(json).toEqual({ to: 'alice@example.org', subject: message.subject, text: message.text, kind: 'verify-email', locale: 'fr', at: '2030-01-02T03:04:05.678Z' });
    const eml = readFileSync(join(outboxDir(dir), files[0]!), 'utf8');
    expect(eml).toMatch(/^From: "Wi-Fi public" <no-reply@example\.fr>$/m);
    expect(eml).toMatch(/^To: alice@example\.org$/m);
    expect(eml).toMatch(/^Subject: =\?UTF-8\?/m); // non-ASCII subject, RFC 2047 encoded
    expect(eml).toMatch(/^Content-Language: fr$/m);
    expect(eml).toContain('123456');
    expect(statSync(join(outboxDir(dir), files[0]!)).mode & 0o777).toBe(0o600);
    expect(statSync(outboxDir(dir)).mode & 0o777).toBe(0o700);
    await m.close();
  });
});

/** Just enough SMTP (RFC 5321) to accept mail and remember it. */
function fakeSmtp(): Promise<{ server: Server; port: number; received: Array<{ from: string; to: string[]; data: string }> }> {
  const received: Array<{ from: string; to: string[]; data: string }> = [];
  const server = createServer((sock) => {
    let buf = '';
    let inData = false;
    let cur = { from: '', to: [] as string[], data: '' };
    sock.write('220 fake.example ESMTP\r\n');
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          cur.data = buf.slice(0, end);
          buf = buf.slice(end + 5);
          inData = false;
          received.push(cur);
          cur = { from: '', to: [], data: '' };
          sock.write('250 queued\r\n');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') {
          sock.write('250-fake.example\r\n250 8BITMIME\r\n');
        } else if (verb === 'MAIL') {
          cur.from = line;
          sock.write('250 ok\r\n');
        } else if (verb === 'RCPT') {
          cur.to.push(line);
          sock.write('250 ok\r\n');
        } else if (verb === 'DATA') {
          inData = true;
          sock.write('354 go\r\n');
        } else if (verb === 'QUIT') {
          sock.end('221 bye\r\n');
        } else {
          sock.write(verb === 'RSET' || verb === 'NOOP' ? '250 ok\r\n' : '502 no\r\n');
        }
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port, received })));
}

describe('SMTP mailer', () => {
  it('hands the message to the SMTP server', async () => {
    const smtp = await fakeSmtp();
    const m = createSmtpMailer({ url: `smtp://127.0.0.1:${smtp.port}`, from: 'Wi-Fi public <no-reply@example.fr>' });
    try {
      expect(m.transport).toBe('smtp');
      await m.send(message);
      expect(smtp.received).toHaveLength(1);
      expect(smtp.received[0]!.from).toContain('no-reply@example.fr');
      expect(smtp.received[0]!.to[0]).toContain('alice@example.org');
      expect(smtp.received[0]!.data).toContain('123456');
    } finally {
      await m.close();
      smtp.server.close();
    }
  });

  it('rejects when the server cannot be reached', async () => {
    const m = createSmtpMailer({ url: 'smtp://127.0.0.1:1', from: 'x <x@example.fr>' });
    await expect(m.send(message)).rejects.toThrow();
    await m.close();
  });
});
