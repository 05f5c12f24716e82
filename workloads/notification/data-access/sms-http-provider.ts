// SMS through an HTTP gateway, behind the notification provider port (docs/notifications.md): a JSON
// POST of { to, text, reference } to the configured URL with a bearer token. The notification id goes
// as `Idempotency-Key` (and `reference`), so a message handed over again after a crash is one SMS for
// a gateway that honours it (`idempotent = true`). Errors carry the status code only, never the number.
import type { ContactDirectory } from '../domain/ports.js';
import { NoRecipientError } from '../domain/providers.js';
import type { NotificationProvider, OutgoingMessage } from '../domain/providers.js';

export interface SmsGatewaySettings {
  url: string;
  token: string;
  timeoutMs: number;
}

export class HttpSmsProvider implements NotificationProvider {
  readonly channel = 'sms' as const;
  readonly idempotent = true;

  constructor(
    private readonly settings: SmsGatewaySettings,
    private readonly contacts: ContactDirectory,
  ) {}

  async send(message: OutgoingMessage): Promise<{ providerMessageId: string }> {
    const to = await this.contacts.addressOf(message.userId, 'sms');
    if (to === undefined) throw new NoRecipientError('sms');
    let response: Response;
    try {
      response = await fetch(this.settings.url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.settings.token}`,
          'content-type': 'application/json',
          'idempotency-key': message.id,
        },
        body: JSON.stringify({ to, text: message.body, reference: message.id }),
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
    } catch (error) {
      const name =
        (error as Error).name === 'TimeoutError' ? 'timed out' : ((error as { cause?: { code?: string } }).cause?.code ?? 'unreachable');
      throw new Error(`SMS gateway ${name}`);
    }
    const answer = (await response.json().catch(() => ({}))) as { id?: unknown };
    if (!response.ok) throw new Error(`SMS gateway answered ${response.status}`);
    return { providerMessageId: typeof answer.id === 'string' ? answer.id : message.id };
  }
}
