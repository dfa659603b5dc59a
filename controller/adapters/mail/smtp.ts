/**
 * A mailer over SMTP (nodemailer), from `WFC_SMTP_URL`:
 * `smtp://user:pass@host:587` (STARTTLS when the server offers it) or
 * `smtps://…:465` (TLS from the start). A pool keeps a few connections open
 * so a burst of registrations does not open one connection each.
 */
import nodemailer from 'nodemailer';
import type { Mailer } from '../../ports/mailer.js';

export function createSmtpMailer(opts: { url: string; from: string }): Mailer {
  const url = new URL(opts.url);
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: 3,
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    transport: 'smtp',
    async send(m) {
      await transport.sendMail({ from: opts.from, to: m.to, subject: m.subject, text: m.text, headers: { 'Content-Language': m.locale } });
    },
    async close() {
      transport.close();
    },
  };
}
