// HTTP routes of erasure (docs/retention.md): the gateway forwards /api/v1/erasure-requests/** here with
// the caller's token, verified again. A customer asks for their own data; an admin names the customer.
import { Router } from 'express';
import type { Request } from 'express';
import { ProblemError, authenticate, idempotency, requireRole } from '../../shared/index.js';
import type { IdempotencyStore, TokenVerifier } from '../../shared/index.js';
import type { Erasure, ErasureRequestRecord } from '../domain/erasure.js';
import { kycErrors } from './routes.js';

export interface ErasureRoutesOptions {
  erasure: Erasure;
  tokens: TokenVerifier;
  idempotencyStore: IdempotencyStore;
}

/** The answer: which applications were erased, which are kept until when and why; never personal data. */
const view = (record: ErasureRequestRecord) => ({
  id: record.id,
  customerId: record.customerId,
  state: record.state,
  requestedAt: record.requestedAt.toISOString(),
  completedAt: record.completedAt?.toISOString() ?? null,
  erased: record.erased,
  retained: record.retained,
});

export function erasureRoutes({ erasure, tokens, idempotencyStore }: ErasureRoutesOptions): Router {
  const router = Router();
  router.use('/api/v1/erasure-requests', authenticate(tokens), idempotency({ store: idempotencyStore }), requireRole('customer', 'admin'));

  router.post('/api/v1/erasure-requests', async (req, res) => {
    const record = await erasure.request(caller(req), req.body);
    res.status(201).location(`/api/v1/erasure-requests/${record.id}`).json(view(record));
  });

  router.get('/api/v1/erasure-requests/:id', async (req, res) => {
    const id: unknown = req.params.id;
    res.json(view(await erasure.get(caller(req), typeof id === 'string' ? id : '')));
  });

  router.use(kycErrors);
  return router;
}

function caller(req: Request) {
  const principal = req.principal;
  if (!principal) throw new ProblemError(401, 'a valid access token is required');
  return { id: principal.sub, role: principal.role, requestId: req.id };
}
