// The webhook registration API (docs/customer-api.md, "Webhooks"), admins only like the staff accounts:
// create (answers the signing secret, once), list (never the secret), delete, ping, and the dead deliveries:
// list them and send them again once the receiver works. A URL is checked against the rules of
// domain/webhook-url.ts before it is stored.
import { Router } from 'express';
import { z } from 'zod';
import { notFound, parseOrProblem, requireRole, validationProblem } from '../../shared/index.js';
import { newSigningSecret } from '../domain/webhook-signature.js';
import { webhookUrlProblem } from '../domain/webhook-url.js';
import type { UrlRules } from '../domain/webhook-url.js';
import { PING_EVENT, WEBHOOK_EVENT_TYPES, pingPayload } from '../domain/webhooks.js';
import type { DeadDelivery, WebhookRegistry, WebhookRow } from '../domain/webhooks.js';

export const webhookBody = z
  .object({
    url: z.string().max(2048),
    /** The events to receive; absent: every one of them. */
    eventTypes: z
      .array(z.enum(WEBHOOK_EVENT_TYPES as [string, ...string[]]))
      .min(1)
      .max(WEBHOOK_EVENT_TYPES.length)
      .optional(),
    description: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

/** Which dead deliveries to send again; absent: every dead delivery of the webhook. */
export const redeliverBody = z.object({ deliveryIds: z.array(z.guid()).min(1).max(100).optional() }).strict();

/** The most dead deliveries one answer lists. */
const DEAD_LIST_LIMIT = 100;

const deadView = (d: DeadDelivery) => ({
  id: d.id,
  eventType: d.eventType,
  attempts: d.attempts,
  lastStatus: d.lastStatus,
  lastError: d.lastError,
  createdAt: d.createdAt.toISOString(),
  failedAt: d.failedAt.toISOString(),
});

const view = (row: WebhookRow) => ({
  id: row.id,
  url: row.url,
  eventTypes: row.eventTypes,
  ...(row.description !== null && { description: row.description }),
  createdBy: row.createdBy,
  createdAt: row.createdAt.toISOString(),
});

export function webhookRoutes(registry: WebhookRegistry, rules: UrlRules): Router {
  const router = Router();
  router.post('/api/v1/notifications/webhooks', requireRole('admin'), async (req, res) => {
    const body = parseOrProblem(webhookBody, req.body, 'body');
    const problem = webhookUrlProblem(body.url, rules);
    if (problem !== undefined) throw validationProblem('url', problem);
    const secret = newSigningSecret();
    const row = await registry.create({
      url: body.url,
      eventTypes: [...new Set(body.eventTypes ?? WEBHOOK_EVENT_TYPES)],
      description: body.description,
      createdBy: req.principal?.sub as string,
      secret,
    });
    // The only time the secret leaves the service: it is stored sealed and never read back.
    res
      .status(201)
      .location(`/api/v1/notifications/webhooks/${row.id}`)
      .json({ ...view(row), secret });
  });
  router.get('/api/v1/notifications/webhooks', requireRole('admin'), async (_req, res) => {
    res.json({ items: (await registry.list()).map(view) });
  });
  router.delete('/api/v1/notifications/webhooks/:id', requireRole('admin'), async (req, res) => {
    if (!(await registry.remove(String(req.params.id)))) throw notFound('no such webhook');
    res.status(204).end();
  });
  // A signed `webhook.ping` to this webhook alone, through the same queue as every delivery.
  router.post('/api/v1/notifications/webhooks/:id/ping', requireRole('admin'), async (req, res) => {
    const deliveryId = await registry.enqueueTo(String(req.params.id), PING_EVENT, pingPayload(new Date()));
    if (deliveryId === undefined) throw notFound('no such webhook');
    res.status(202).json({ deliveryId });
  });
  // Dead deliveries stay dead until an operator sends them again (docs/runbooks/KycWebhooksDeadLettered.md).
  router.get('/api/v1/notifications/webhooks/:id/dead-deliveries', requireRole('admin'), async (req, res) => {
    const dead = await registry.deadDeliveries(String(req.params.id), DEAD_LIST_LIMIT);
    if (dead === undefined) throw notFound('no such webhook');
    res.json({ items: dead.map(deadView) });
  });
  router.post('/api/v1/notifications/webhooks/:id/redeliver', requireRole('admin'), async (req, res) => {
    const body = parseOrProblem(redeliverBody, req.body ?? {}, 'body');
    const deliveryIds = await registry.redeliverDead(String(req.params.id), body.deliveryIds);
    if (deliveryIds === undefined) throw notFound('no such webhook');
    req.log?.info({ webhookId: req.params.id, deliveryIds, by: req.principal?.sub }, 'dead webhook deliveries sent again');
    res.status(202).json({ deliveryIds });
  });
  return router;
}
