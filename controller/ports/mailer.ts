/**
 * Outgoing e-mail: the verification and password-reset codes. SMTP when
 * configured; otherwise an outbox directory under the data dir, which the
 * demo and the tests read and an operator can relay by hand.
 */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** What the message is for, kept in the outbox's JSON and in logs (never the code). */
  readonly kind: string;
  readonly locale: string;
}

export interface Mailer {
  readonly transport: 'smtp' | 'outbox';
  /** Resolves when the message was handed over (SMTP accepted it, or the outbox file is complete). */
  send(m: MailMessage): Promise<void>;
  close(): Promise<void>;
}
