// The analytics summary: totals per event type over a window of days, and the daily breakdown.
import type { DailyCount } from './ports.js';

export interface Summary {
  from: string;
  to: string;
  totals: Record<string, number>;
  byDay: DailyCount[];
}

export function firstDay(now: Date, days: number): string {
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  from.setUTCDate(from.getUTCDate() - (days - 1));
  return from.toISOString().slice(0, 10);
}

export function summarise(counts: DailyCount[], from: string, now: Date): Summary {
  const totals: Record<string, number> = {};
  for (const { type, count } of counts) totals[type] = (totals[type] ?? 0) + count;
  return { from, to: now.toISOString().slice(0, 10), totals, byDay: counts };
}
