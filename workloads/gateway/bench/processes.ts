// What the benchmarks that start the services as processes share: a free loopback port for each, the
// environment `hack/with-env.sh` gives them after `make deps`, a database of their own, and the median
// of repeated measurements.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';

/** The value of an environment variable the benchmark cannot run without. */
export function need(name: string, hint = 'run through hack/with-env.sh after make deps'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; ${hint}`);
  return value;
}

/** A loopback port nobody listens on now (the service started next takes it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

/** A fresh database beside DATABASE_URL's (named `<prefix>_<random>`) for one run, and how to drop it. */
export async function scratchDatabase(databaseUrl: string, prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => client.end());
    },
  };
}

/** The middle value of `values` (the mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
