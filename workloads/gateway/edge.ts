// The gateway's HTTP server, before express sees a request: the request target is checked on the raw
// request line (target.ts) and a bad one is answered 400 problem+json right here, so no router,
// middleware or upstream ever handles a target that is not an already-normalised origin-form path.
// The check is the server's own request listener, installed when the server is made (the Service
// makes its main server with `guardedServer`), so there is no window and no path without it.
// The two kinds of request node:http does not hand to the app get the same treatment: CONNECT
// (authority-form targets; node would otherwise just drop the connection) and requests the parser
// itself refuses (NUL and other control characters in the target, malformed headers; node would
// answer a bare 400 with no body). With the gateway's certificate (KYC_TLS_DIR) the server is HTTPS
// only, as every listener of the platform (docs/workloads.md, "TLS between the components").
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { ProblemError, SECURITY_HEADERS, badRequest, listenerServer } from '../shared/index.js';
import type { ServiceTls } from '../shared/index.js';
import { checkRequestTarget } from './target.js';

export interface EdgeOptions {
  /** Headers every answer carries (X-KYC-Version). */
  responseHeaders: Record<string, string>;
  /** Called for each refused request (a metric, a debug log line); `reason` is one of a fixed set of texts. */
  onRefused: (method: string, reason: string) => void;
  /** The gateway's certificate: the public listener serves HTTPS with it (undefined: plain HTTP). */
  tls?: ServiceTls | undefined;
}

function problemBytes(problem: ProblemError, requestId: string): string {
  return JSON.stringify(problem.toBody(undefined, requestId));
}

/** A whole HTTP/1.1 answer as text, for sockets node:http no longer manages. */
function rawAnswer(problem: ProblemError, headers: Record<string, string>): string {
  const requestId = randomUUID();
  const body = problemBytes(problem, requestId);
  const lines = [
    `HTTP/1.1 ${problem.status} ${problem.title}`,
    'Content-Type: application/problem+json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    `X-Request-Id: ${requestId}`,
    ...Object.entries({ ...SECURITY_HEADERS, ...headers }).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** Parser errors node:http reports with their own status; the rest are a bad request. */
function parserProblem(code: string | undefined): ProblemError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new ProblemError(431, 'the request headers are too large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ProblemError(408, 'the request was not received in time', { title: 'Request Timeout' });
    case 'HPE_INVALID_URL':
      return badRequest(
        'the request target is not an origin-form path of allowed characters (no control characters, spaces or non-ASCII bytes; no host:port)',
      );
    default:
      return badRequest('the request is not valid HTTP/1.1');
  }
}

/** An HTTP server that hands `app` only requests whose target passed the check. */
export function guardedServer(app: RequestListener, options: EdgeOptions): Server {
  const server = listenerServer((req: IncomingMessage, res: ServerResponse) => {
    const verdict = checkRequestTarget(req.url);
    if (verdict.ok) {
      app(req, res);
      return;
    }
    options.onRefused(req.method ?? 'OTHER', verdict.reason);
    const requestId = randomUUID();
    const body = problemBytes(badRequest(verdict.reason), requestId);
    res.writeHead(400, {
      ...SECURITY_HEADERS,
      ...options.responseHeaders,
      'Content-Type': 'application/problem+json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'X-Request-Id': requestId,
      // The client is doing something no browser or API client does: do not keep its connection.
      Connection: 'close',
    });
    // Any body the client sends is not read; closing after the answer discards it.
    res.end(body);
  }, options.tls);

  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    options.onRefused('CONNECT', 'an authority-form request target (host:port) is not accepted');
    socket.on('error', () => undefined);
    socket.end(rawAnswer(badRequest('CONNECT is not supported: the gateway is not a forward proxy'), options.responseHeaders));
  });

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // As node's own handler: nothing to say on a reset connection or after an answer has begun.
    const answering = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
    if (error.code === 'ECONNRESET' || !socket.writable || answering) {
      socket.destroy();
      return;
    }
    options.onRefused('OTHER', 'the request is not valid HTTP/1.1');
    socket.on('error', () => undefined);
    socket.end(rawAnswer(parserProblem(error.code), options.responseHeaders));
  });
  return server;
}
