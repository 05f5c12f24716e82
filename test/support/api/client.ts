// The typed client of the KYC API: openapi-fetch over the types openapi-typescript generates from the
// OpenAPI document (schema.ts, `make openapi`). A request or answer the document does not describe
// does not compile, so suites that drive the gateway through it keep the reference honest
// (docs/customer-api.md, "A typed client").
import { randomUUID } from 'node:crypto';
import createClient from 'openapi-fetch';
import type { Client } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, paths };
export type Schemas = components['schemas'];
export type KycApi = Client<paths>;

/** A client of the gateway at `gatewayUrl` (no path); `token` is sent as the Bearer access token when set. */
export function kycApi(gatewayUrl: string, token?: () => string | undefined): KycApi {
  const client = createClient<paths>({ baseUrl: `${gatewayUrl}/api/v1` });
  client.use({
    onRequest({ request }) {
      const accessToken = token?.();
      if (accessToken !== undefined) request.headers.set('Authorization', `Bearer ${accessToken}`);
      return request;
    },
  });
  return client;
}

/** The header parameters of a write with a fresh Idempotency-Key (or the one given, to retry). */
export const idempotent = (key: string = randomUUID()): { header: { 'Idempotency-Key': string } } => ({
  header: { 'Idempotency-Key': key },
});
