/** Builds an RFC 5322 message with nodemailer's composer (MIME, UTF-8 headers, line folding). */
import nodemailer from 'nodemailer';
import type { MailMessage } from '../../ports/mailer.js';

export async function composeEml(from: string, m: MailMessage, date: Date): Promise<Buffer> {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const info = (await composer.sendMail({ from, to: m.to, subject: m.subject, text: m.text, date, headers: { 'Content-Language': m.locale } })) as { message: Buffer };
  return info.message;
}
