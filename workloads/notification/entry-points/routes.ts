import { Router } from 'express';
import { z } from 'zod';
import { parseOrProblem, requireRole } from '../../shared/index.js';
import type { NotificationStore } from '../domain/ports.js';

export const notificationsQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }).strict();

export function notificationRoutes(repository: Pick<NotificationStore, 'list'>): Router {
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
  return router;
}
