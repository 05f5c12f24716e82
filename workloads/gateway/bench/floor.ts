// The floor of a read through the gateway, for `make bench-api`: the least any gateway → kyc →
// PostgreSQL read can cost on this machine. Two processes on node:http without a framework:
//   `floor.js reader PORT`  answers GET /api/v1/applications/{id} with the row of the kyc service's own
//                           read statement (prepared, one round trip), serialised as it comes (the
//                           sealed applicant data as base64);
//   `floor.js proxy PORT UPSTREAM_PORT`  forwards every request over a keep-alive agent, buffering the
//                           answer as the gateway does.
// No token check, rate limit, balancer, breaker, metrics, access log, decryption or authorisation:
// what is left is two HTTP exchanges and one PostgreSQL query per read. The real path's distance to
// this floor is what the gateway and the service add; the floor's distance to the bare server is the
// machine's.
import http from 'node:http';
import pg from 'pg';
import { KYC_SCHEMA } from '../../kyc/data-access/migrations.js';
import { snapshotStatement } from '../../kyc/data-access/pg-store.js';

const PATH = /^\/api\/v1\/applications\/([0-9a-f-]{36})$/;

function reader(port: number): void {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const text = snapshotStatement(KYC_SCHEMA);
  http
    .createServer((req, res) => {
      const id = PATH.exec(req.url ?? '')?.[1];
      if (!id) {
        res.writeHead(404).end();
        return;
      }
      pool.query({ name: 'floor_snapshot', text, values: [id, false] }).then(
        ({ rows }) => {
          const row = rows[0] as Record<string, unknown> | undefined;
          // The sealed applicant data as base64 (the service sends it decrypted): a Buffer would be
          // serialised as an array of numbers, a body larger than the real one.
          if (row && Buffer.isBuffer(row.data_enc)) row.data_enc = row.data_enc.toString('base64');
          const body = JSON.stringify(row ?? null);
          res.writeHead(row ? 200 : 404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
        },
        () => res.writeHead(500).end(),
      );
    })
    .listen(port, '127.0.0.1');
}

function proxy(port: number, upstreamPort: number): void {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  http
    .createServer((req, res) => {
      const upstream = http.request(
        {
          host: '127.0.0.1',
          port: upstreamPort,
          path: req.url,
          method: req.method,
          headers: { 'x-forwarded-for': req.socket.remoteAddress ?? '' },
          agent,
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => {
            const body = Buffer.concat(chunks);
            res
              .writeHead(answer.statusCode ?? 502, {
                'content-type': answer.headers['content-type'] ?? 'application/json',
                'content-length': body.length,
              })
              .end(body);
          });
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      upstream.end();
    })
    .listen(port, '127.0.0.1');
}

const [role, port, upstreamPort] = process.argv.slice(2);
if (role === 'reader') reader(Number(port));
else if (role === 'proxy') proxy(Number(port), Number(upstreamPort));
else throw new Error('usage: floor.js reader PORT | floor.js proxy PORT UPSTREAM_PORT');
