import { Router } from 'express';
import { z } from 'zod';
import { parseOrProblem, requireRole } from '../../shared/index.js';
import type { NotificationStore } from '../domain/ports.js';
import type { Channel } from '../domain/providers.js';

export const notificationsQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }).strict();

/** A customer's addresses: a value sets one, null removes it, an absent key leaves it as it is. */
export const contactBody = z
  .object({
    email: z.string().trim().max(254).email('must be an email address').nullable().optional(),
    // E.164: a plus, the country code, at most 15 digits in all.
    phone: z
      .string()
      .trim()
      .regex(/^\+[1-9][0-9]{6,14}$/, 'must be a phone number in E.164 form, e.g. +919812345678')
      .nullable()
      .optional(),
  })
  .strict();

/** Where a customer's addresses are kept (data-access/contacts.ts, encrypted). */
export interface ContactBook {
  save(userId: string, channel: Channel, address: string): Promise<void>;
  remove(userId: string, channel: Channel): Promise<void>;
}

/** The notification API; the contact route only where a contact book is configured (a real provider). */
export function notificationRoutes(repository: Pick<NotificationStore, 'list'>, contacts?: ContactBook): Router {
  const router = Router();
  // Customers see their own notifications; an admin sees everyone's.
  router.get('/api/v1/notifications', requireRole('customer', 'admin'), async (req, res) => {
    const { limit } = parseOrProblem(notificationsQuery, req.query, 'query');
    const principal = req.principal;
    const rows = await repository.list(principal?.role === 'admin' ? undefined : principal?.sub, limit);
    res.json({
      items: rows.map((row) => ({
        id: row.id,
        channel: row.channel,
        template: row.template,
        status: row.status,
        eventType: row.event_type,
        createdAt: row.created_at.toISOString(),
      })),
    });
  });
  // PUT /api/v1/notifications/contact: the customer's own e-mail address and phone number, where their
  // notifications go (docs/notifications.md, "Recipients"). Answered 204; the addresses are never read back
  // through the API.
  if (contacts) {
    router.put('/api/v1/notifications/contact', requireRole('customer'), async (req, res) => {
      const body = parseOrProblem(contactBody, req.body, 'body');
      const userId = req.principal?.sub as string;
      for (const [channel, value] of [
        ['email', body.email],
        ['sms', body.phone],
      ] as const) {
        if (value === null) await contacts.remove(userId, channel);
        else if (value !== undefined) await contacts.save(userId, channel, value);
      }
      res.status(204).end();
    });
  }
  return router;
}
