// HTTP routes of erasure (docs/retention.md): the gateway forwards /api/v1/erasure-requests/**,
// /api/v1/legal-holds/** and /api/v1/customers/** here with the caller's token, verified again. A customer
// asks for their own data; an admin names the customer, places or releases legal holds, and signals the end
// of a customer relationship (which starts the five-year retention of its KYC records).
import type { Request, RequestHandler, Router } from 'express';
import { ProblemError, requireRole } from '../../shared/index.js';
import type { Erasure, ErasureRequestRecord } from '../domain/erasure.js';

/** The answer: which applications were erased, which are kept until when and why; never personal data. */
const view = (record: ErasureRequestRecord) => ({
  id: record.id,
  customerId: record.customerId,
  state: record.state,
  requestedAt: record.requestedAt.toISOString(),
  completedAt: record.completedAt?.toISOString() ?? null,
  erased: record.erased,
  retained: record.retained,
  // The other services' parts: pending until each has erased what it holds (docs/retention.md).
  services: record.services,
});

/** Adds the erasure routes to the kyc router (kycRoutes), behind `guard` (token, Idempotency-Key). */
export function addErasureRoutes(router: Router, erasure: Erasure, guard: RequestHandler[]): void {
  router.use('/api/v1/erasure-requests', ...guard, requireRole('customer', 'admin'));

  router.post('/api/v1/erasure-requests', async (req, res) => {
    const record = await erasure.request(caller(req), req.body);
    res.status(201).location(`/api/v1/erasure-requests/${record.id}`).json(view(record));
  });

  router.get('/api/v1/erasure-requests/:id', async (req, res) => {
    res.json(view(await erasure.get(caller(req), param(req, 'id'))));
  });

  router.use('/api/v1/legal-holds', ...guard, requireRole('admin'));

  router.put('/api/v1/legal-holds/:customerId', async (req, res) => {
    const hold = await erasure.placeHold(caller(req), param(req, 'customerId'), req.body);
    res.json({ ...hold, placedAt: hold.placedAt.toISOString() });
  });

  router.delete('/api/v1/legal-holds/:customerId', async (req, res) => {
    await erasure.releaseHold(caller(req), param(req, 'customerId'));
    res.status(204).end();
  });

  router.use('/api/v1/customers', ...guard, requireRole('admin'));

  router.post('/api/v1/customers/:customerId/relationship-end', async (req, res) => {
    res.json(await erasure.endRelationship(caller(req), param(req, 'customerId'), req.body));
  });
}

function param(req: Request, name: string): string {
  const value: unknown = req.params[name];
  return typeof value === 'string' ? value : '';
}

function caller(req: Request) {
  const principal = req.principal;
  if (!principal) throw new ProblemError(401, 'a valid access token is required');
  return { id: principal.sub, role: principal.role, requestId: req.id };
}
