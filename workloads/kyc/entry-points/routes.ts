// HTTP routes of the kyc service. The gateway forwards /api/v1/applications/**, /api/v1/review/** and
// /api/v1/erasure-requests/** (erasure-routes.ts)
// here unchanged, with the caller's Authorization header, which is verified again here. Routes parse,
// call a use case and map its refusal to problem+json.
import { Router } from 'express';
import type { ErrorRequestHandler, Request } from 'express';
import {
  ID_CURSOR,
  PROBLEM_BASE,
  ProblemError,
  authenticate,
  forbidden,
  idempotency,
  notFound,
  requireRole,
  validationProblem,
} from '../../shared/index.js';
import type { IdempotencyStore, TokenVerifier } from '../../shared/index.js';
import { INVALID_STATE_TRANSITION } from '../../shared/problem.js';
import { KycError } from '../domain/errors.js';
import type { Erasure } from '../domain/erasure.js';
import type { Caller, KycService } from '../domain/kyc-service.js';
import { addErasureRoutes } from './erasure-routes.js';

export interface KycRoutesOptions {
  service: KycService;
  /** DPDP erasure (docs/retention.md): /api/v1/erasure-requests. */
  erasure: Erasure;
  tokens: TokenVerifier;
  idempotencyStore: IdempotencyStore;
}

export function kycRoutes({ service, erasure, tokens, idempotencyStore }: KycRoutesOptions): Router {
  const router = Router();
  const guarded = [authenticate(tokens), idempotency({ store: idempotencyStore })];
  router.use('/api/v1/applications', ...guarded);
  router.use('/api/v1/review', ...guarded, requireRole('maker', 'checker', 'admin'));

  router.post('/api/v1/applications', async (req, res) => {
    const view = await service.createDraft(caller(req), req.body);
    res.status(201).location(`/api/v1/applications/${view.id}`).json(view);
  });

  router.get('/api/v1/applications/:id', async (req, res) => {
    res.json(await service.get(caller(req), param(req, 'id')));
  });

  router.patch('/api/v1/applications/:id', async (req, res) => {
    res.json(await service.updateApplicant(caller(req), param(req, 'id'), req.body));
  });

  router.post('/api/v1/applications/:id/documents', async (req, res) => {
    const id = param(req, 'id');
    const document = await service.uploadDocument(caller(req), id, req.body);
    res.status(201).location(`/api/v1/applications/${id}/documents/${document.id}`).json(document);
  });

  router.get('/api/v1/applications/:id/documents/:documentId', async (req, res) => {
    const { contentType, content } = await service.documentContent(caller(req), param(req, 'id'), param(req, 'documentId'));
    res.status(200).type(contentType).setHeader('Content-Disposition', 'attachment').send(content);
  });

  router.post('/api/v1/applications/:id/submit', async (req, res) => {
    res.status(202).json(await service.submit(caller(req), param(req, 'id')));
  });

  router.post('/api/v1/applications/:id/cancel', async (req, res) => {
    res.json(await service.cancel(caller(req), param(req, 'id')));
  });

  router.post('/api/v1/applications/:id/consent/withdraw', async (req, res) => {
    res.json(await service.withdrawConsent(caller(req), param(req, 'id')));
  });

  router.get('/api/v1/review/queue', async (req, res) => {
    const { state, limit, after } = queueQuery(req.query);
    res.json(await service.reviewQueuePage(caller(req), state, limit, after));
  });

  router.post('/api/v1/review/:id/recommend', requireRole('maker'), async (req, res) => {
    res.json(await service.recommend(caller(req), param(req, 'id'), req.body));
  });

  router.post('/api/v1/review/:id/request-resubmission', requireRole('maker'), async (req, res) => {
    res.json(await service.requestResubmission(caller(req), param(req, 'id'), req.body));
  });

  router.post('/api/v1/review/:id/approve', requireRole('checker'), async (req, res) => {
    res.json(await service.approve(caller(req), param(req, 'id'), req.body));
  });

  router.post('/api/v1/review/:id/reject', requireRole('checker'), async (req, res) => {
    res.json(await service.reject(caller(req), param(req, 'id'), req.body));
  });

  router.post('/api/v1/review/:id/return', requireRole('checker'), async (req, res) => {
    res.json(await service.returnToMaker(caller(req), param(req, 'id'), req.body));
  });

  addErasureRoutes(router, erasure, guarded);

  router.use(kycErrors);
  return router;
}

function caller(req: Request): Caller {
  // `authenticate` ran first on every route here, so a principal is always present.
  const principal = req.principal;
  if (!principal) throw new ProblemError(401, 'a valid access token is required');
  return { id: principal.sub, role: principal.role, requestId: req.id };
}

function param(req: Request, name: string): string {
  const value: unknown = req.params[name];
  return typeof value === 'string' ? value : '';
}

function queueQuery(query: Request['query']): { state: string | undefined; limit: number; after: string | undefined } {
  const { state, limit, after, ...rest } = query as Record<string, unknown>;
  const unknownParam = Object.keys(rest)[0];
  if (unknownParam !== undefined) throw validationProblem(unknownParam, `${unknownParam}: is not a known query parameter`);
  if (state !== undefined && state !== 'pending_review' && state !== 'pending_approval') {
    throw validationProblem('state', 'state: must be pending_review or pending_approval');
  }
  let parsedLimit = 50;
  if (limit !== undefined) {
    parsedLimit = typeof limit === 'string' && /^[0-9]{1,3}$/.test(limit) ? Number(limit) : NaN;
    if (!(parsedLimit >= 1 && parsedLimit <= 100)) throw validationProblem('limit', 'limit: must be an integer from 1 to 100');
  }
  if (after !== undefined && !(typeof after === 'string' && ID_CURSOR.test(after)))
    throw validationProblem('after', 'after: must be the `next` of the previous page');
  return { state, limit: parsedLimit, after };
}

/** How long a client is asked to wait when an admin switched a feature off: a flag flips in an incident, not per request. */
export const FEATURE_PAUSED_RETRY_AFTER_SECONDS = 60;

/** A feature switched off (docs/api.md, "Feature flags"): 503 with Retry-After, like every "not now". */
function featurePaused(detail: string): ProblemError {
  return new ProblemError(503, detail, {
    type: `${PROBLEM_BASE}feature-paused`,
    title: 'Feature paused',
    headers: { 'Retry-After': String(FEATURE_PAUSED_RETRY_AFTER_SECONDS) },
  });
}

/** Domain refusals → problem+json; anything else continues to the shared error handler. */
const kycErrors: ErrorRequestHandler = (error: unknown, _req, _res, next) => {
  if (!(error instanceof KycError)) {
    next(error);
    return;
  }
  switch (error.kind) {
    case 'validation': {
      const errors = error.fieldErrors.map((e) => ({ field: e.field, detail: e.message }));
      const first = errors[0] ?? { field: 'body', detail: error.message };
      next(validationProblem(first.field, `${first.field}: ${first.detail}`, errors));
      return;
    }
    case 'not_found':
      next(notFound(error.message));
      return;
    case 'forbidden':
      next(forbidden(error.message));
      return;
    case 'invalid_state':
      next(new ProblemError(409, error.message, { type: INVALID_STATE_TRANSITION, title: 'Invalid state transition' }));
      return;
    case 'limit_reached':
      next(new ProblemError(409, error.message, { type: `${PROBLEM_BASE}limit-reached`, title: 'Limit reached' }));
      return;
    case 'paused':
      next(featurePaused(error.message));
      return;
  }
};
