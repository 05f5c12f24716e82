import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JwksKeySource } from './jwks.js';
import { createLogger, memoryDestination } from './logger.js';
import { issueTls, testCa } from './testing/tls-files.js';
import { serverOptionsOf } from './tls.js';
import { parseSigningKeys, publicJwks } from './token-keys.js';

const ring = (kid: string): string =>
  `${kid}:${generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64')}`;

describe('JwksKeySource', () => {
  let answer: { status: number; body: string } = { status: 200, body: JSON.stringify(publicJwks(parseSigningKeys(ring('a')))) };
  let requests = 0;
  const server = createServer((_req, res) => {
    requests += 1;
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  });
  let url = '';
  const logs = memoryDestination();
  const logger = createLogger({ component: 'test', level: 'debug', destination: logs });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('loads the keys, refreshes for an unknown kid at most once per interval, and keeps the last good set on a bad answer', async () => {
    const keys = new JwksKeySource(url, { refreshMs: 60_000, minRefreshMs: 60_000, logger });
    expect(keys.loaded).toBe(false);
    await keys.start();
    try {
      expect(keys.loaded).toBe(true);
      expect(keys.key('a')).toBeDefined();
      const before = requests;
      expect(await keys.refreshForUnknownKid()).toBe(false);
      expect(requests).toBe(before);
      for (const broken of [
        { status: 500, body: 'oops' },
        { status: 200, body: '{"keys":[]}' },
        { status: 200, body: 'not json' },
      ]) {
        answer = broken;
        expect(await keys.refresh()).toBe(false);
        expect(keys.key('a')).toBeDefined();
      }
      // Repeated failures are one warning, not one per attempt.
      expect(logs.text().match(/"level":"warn"[^\n]*could not load the token keys/g)?.length).toBe(1);
      answer = { status: 200, body: JSON.stringify(publicJwks(parseSigningKeys(ring('b')))) };
      expect(await keys.refresh()).toBe(true);
      expect([keys.key('a'), keys.key('b') !== undefined]).toEqual([undefined, true]);
    } finally {
      keys.close();
    }
  });
});

describe('JwksKeySource over https (KYC_TLS_DIR)', () => {
  const ca = testCa();
  const server = https.createServer(serverOptionsOf(issueTls(ca, ['p-auth', 'localhost'])), (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(publicJwks(parseSigningKeys(ring('a')))));
  });
  let port = 0;
  const logger = createLogger({ component: 'test', level: 'debug', destination: memoryDestination() });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const load = async (url: string, bundle: string): Promise<boolean> => {
    const keys = new JwksKeySource(url, { refreshMs: 60_000, minRefreshMs: 60_000, logger, trust: { ca: () => bundle } });
    try {
      return await keys.refresh();
    } finally {
      keys.close();
    }
  };

  it('loads the keys when auth’s certificate is signed by the bundle and carries the URL’s host; refuses otherwise', async () => {
    expect(await load(`https://localhost:${port}/.well-known/jwks.json`, ca.cert)).toBe(true);
    // 127.0.0.1 is not a name in the certificate.
    expect(await load(`https://127.0.0.1:${port}/.well-known/jwks.json`, ca.cert)).toBe(false);
    expect(await load(`https://localhost:${port}/.well-known/jwks.json`, testCa('another-ca').cert)).toBe(false);
  });
});
