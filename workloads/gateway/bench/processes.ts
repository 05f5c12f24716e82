// What the benchmarks that start the services as processes share: a free loopback port for each, and the
// environment `hack/with-env.sh` gives them after `make deps`.
import net from 'node:net';

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
