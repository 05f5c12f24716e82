// E-mail through SMTP (nodemailer), behind the notification provider port (docs/notifications.md).
// The address is looked up per message in the encrypted contact directory and lives only for the
// send; errors carry the SMTP codes and never the server's text, which may quote the address.
// SMTP has no idempotency key: the notifier hands a message over at most once (`idempotent = false`);
// the Message-ID is still derived from the notification id, so a receiving system that deduplicates
// by it sees one message.
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { ContactDirectory } from '../domain/ports.js';
import { NoRecipientError } from '../domain/providers.js';
import type { NotificationProvider, OutgoingMessage } from '../domain/providers.js';

/** none: plain SMTP (a local relay, Mailpit); starttls: upgrade required; tls: TLS from the first byte (port 465). */
export type SmtpTls = 'none' | 'starttls' | 'tls';

export interface SmtpSettings {
  host: string;
  port: number;
  from: string;
  tls: SmtpTls;
  user?: string;
  password?: string;
  /** Per connection step (connect, greeting, each command). */
  timeoutMs: number;
}

export class SmtpProvider implements NotificationProvider {
  readonly channel = 'email' as const;
  readonly idempotent = false;
  private readonly transport: Transporter;

  constructor(
    private readonly settings: SmtpSettings,
    private readonly contacts: ContactDirectory,
  ) {
    this.transport = nodemailer.createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.tls === 'tls',
      requireTLS: settings.tls === 'starttls',
      ignoreTLS: settings.tls === 'none',
      ...(settings.user !== undefined && { auth: { user: settings.user, pass: settings.password ?? '' } }),
      connectionTimeout: settings.timeoutMs,
      greetingTimeout: settings.timeoutMs,
      socketTimeout: settings.timeoutMs,
      // A few kept-alive connections instead of one per message; the breaker and retries sit above.
      pool: true,
      maxConnections: 2,
    });
  }

  async send(message: OutgoingMessage): Promise<{ providerMessageId: string }> {
    const to = await this.contacts.addressOf(message.userId, 'email');
    if (to === undefined) throw new NoRecipientError('email');
    try {
      const info = (await this.transport.sendMail({
        from: this.settings.from,
        to,
        subject: message.subject,
        text: message.body,
        messageId: `<${message.id}@kyc-notification>`,
        headers: { 'X-KYC-Notification-Id': message.id, 'X-KYC-Template': message.template },
      })) as { messageId: string };
      return { providerMessageId: info.messageId };
    } catch (error) {
      throw smtpError(error);
    }
  }

  close(): void {
    this.transport.close();
  }
}

/** The SMTP failure without the server's words: its code, reply code and the command that failed. */
function smtpError(error: unknown): Error {
  const e = error as { code?: unknown; responseCode?: unknown; command?: unknown };
  const parts = [
    typeof e.code === 'string' ? e.code : 'error',
    typeof e.responseCode === 'number' ? `reply ${e.responseCode}` : undefined,
    typeof e.command === 'string' ? `to ${e.command.split(' ')[0]}` : undefined,
  ].filter(Boolean);
  return new Error(`SMTP send failed: ${parts.join(', ')}`);
}
