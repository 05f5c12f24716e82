// The webhook POST over node:http(s). The address it connects to is checked here, after resolution
// (docs/customer-api.md, "Webhooks"): a registered name that resolves, now, to a private, loopback,
// link-local or metadata address is refused, and the connection goes to the very address that was
// checked (the socket's own lookup), so a second, different DNS answer cannot slip in between. Redirects
// are not followed (a 3xx is a failed try), and the answer's body is not read.
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupAllOptions } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { RequestOptions } from 'node:https';
import { isIP } from 'node:net';
import type { WebhookTransport } from '../domain/webhooks.js';
import { forbiddenAddress } from '../domain/webhook-url.js';
import type { AllowedNetworks } from '../domain/webhook-url.js';

export class ForbiddenDestinationError extends Error {
  constructor(host: string, address: string, why: string) {
    super(`${host} resolved to ${address}, which ${why}`);
    this.name = 'ForbiddenDestinationError';
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A socket lookup that resolves as usual and refuses the whole answer when any address is forbidden. */
function guardedLookup(allowed: AllowedNetworks) {
  return (hostname: string, options: LookupAllOptions | { all?: boolean; family?: number }, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      for (const { address } of addresses) {
        const why = forbiddenAddress(address, allowed);
        if (why !== undefined) return callback(new ForbiddenDestinationError(hostname, address, why), []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0] as LookupAddress;
      return callback(null, first.address, first.family);
    });
  };
}

export class HttpWebhookTransport implements WebhookTransport {
  constructor(private readonly settings: { timeoutMs: number; allowed: AllowedNetworks }) {}

  post(url: string, headers: Record<string, string>, body: string): Promise<number> {
    const target = new URL(url);
    // An IP literal is connected to without a lookup: check it here.
    const literal = target.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(literal) !== 0) {
      const why = forbiddenAddress(literal, this.settings.allowed);
      if (why !== undefined) return Promise.reject(new ForbiddenDestinationError(literal, literal, why));
    }
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const options: RequestOptions = {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: guardedLookup(this.settings.allowed) as RequestOptions['lookup'],
      timeout: this.settings.timeoutMs,
      // No shared agent: a kept-alive socket would skip the lookup (and its check) for the next delivery.
      agent: false,
    };
    return new Promise((resolve, reject) => {
      const outgoing = request(target, options, (answer) => {
        answer.resume();
        resolve(answer.statusCode ?? 0);
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${this.settings.timeoutMs} ms`)));
      outgoing.on('error', (error) => reject(error));
      outgoing.end(body);
    });
  }
}
