import { Router } from 'express';
import { z } from 'zod';
import { parseOrProblem, requireRole } from '../../shared/index.js';
import { DEFAULT_DECISION_SLA_HOURS, slaDeadline, slaSeconds } from '../domain/decisions.js';
import type { EventCounts } from '../domain/ports.js';
import { firstDay, summarise } from '../domain/summary.js';

export const summaryQuery = z.object({ days: z.coerce.number().int().min(1).max(366).default(30) }).strict();

export function analyticsRoutes(
  repository: Omit<EventCounts, 'record'>,
  slaHours = DEFAULT_DECISION_SLA_HOURS,
  now: () => Date = () => new Date(),
): Router {
  const router = Router();
  router.get('/api/v1/analytics/summary', requireRole('admin'), async (req, res) => {
    const { days } = parseOrProblem(summaryQuery, req.query, 'query');
    const today = now();
    const from = firstDay(today, days);
    // Counts of events by type and day, no person in them: unlike every other answer (no-store), this
    // one may be kept — by the gateway's stale cache, to serve while analytics is down — but is
    // revalidated before any other use (no-cache).
    res.setHeader('Cache-Control', 'no-cache');
    const [counts, timed, firstSubmissions, decisionFigures, waitingPastSla] = await Promise.all([
      repository.since(from),
      repository.turnaroundSince(from),
      repository.firstSubmissionsSince(from),
      repository.decisionsSince(from, slaSeconds(slaHours)),
      repository.undecidedSubmittedBefore(slaDeadline(today, slaHours)),
    ]);
    res.json(summarise(counts, from, today, timed, { firstSubmissions, decisionFigures, slaHours, waitingPastSla }));
  });
  return router;
}
