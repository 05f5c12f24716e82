// One HTTP/1.1 exchange written byte for byte over node:net, for attacks a client library would
// normalise away (absolute-form targets, odd paths, bodies no serializer would produce). Shared by the
// integration suites (in-process servers) and the e2e suites (the gateway's NodePort).
import net from 'node:net';
import tls from 'node:tls';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends `head` (request line and headers, without the blank line) and `body`; reads until the server
 * closes. `secure`: over TLS, verified against the process's default CAs and checked against `host`
 * (the e2e suites add the platform CA to them, test/e2e/support.ts).
 */
export function rawRequest(
  port: number,
  head: string,
  body: string | Buffer = '',
  host = '127.0.0.1',
  timeoutMs = 20_000,
  secure = false,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = secure ? tls.connect({ port, host, ...(net.isIP(host) === 0 ? { servername: host } : {}) }) : net.connect(port, host);
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer to ${head.split('\r\n')[0] ?? ''}`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A server may answer early (413) and reset the connection while the body is still being written:
    // the answer read so far is the result.
    socket.on('error', (error: Error) => {
      if (chunks.length === 0) reject(error);
    });
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine = '', ...headerLines] = (split >= 0 ? text.slice(0, split) : text).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1] ?? 0), headers, body: split >= 0 ? text.slice(split + 4) : '' });
    });
    const payload = typeof body === 'string' ? Buffer.from(body) : body;
    const lengthHeader =
      payload.length > 0 && !/content-length|transfer-encoding/i.test(head) ? `\r\nContent-Length: ${payload.length}` : '';
    socket.write(`${head}${lengthHeader}\r\nConnection: close\r\n\r\n`);
    if (payload.length > 0) socket.write(payload);
  });
}
