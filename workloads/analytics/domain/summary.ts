// The analytics summary: totals per event type over a window of days, the daily breakdown, the mean
// turnaround of the decisions (from the first submission to the approval or rejection), the funnel and the
// decisions report (docs/workloads.md, "Analytics").
import { decisions } from './decisions.js';
import type { Decisions } from './decisions.js';
import { funnel } from './funnel.js';
import type { Funnel } from './funnel.js';
import type { DailyCount, DailyTurnaround, DecisionFigures } from './ports.js';

export interface Turnaround {
  decisions: number;
  /** The mean seconds from submission to decision; null without a decision. */
  averageSeconds: number | null;
  byDay: Array<{ day: string; decisions: number; averageSeconds: number }>;
}

export interface Summary {
  from: string;
  to: string;
  totals: Record<string, number>;
  byDay: DailyCount[];
  turnaround?: Turnaround;
  funnel?: Funnel;
  decisions?: Decisions;
}

/** What the funnel and the decisions report are made of. */
export interface ReportInputs {
  firstSubmissions: ReadonlyArray<{ day: string; count: number }>;
  decisionFigures: readonly DecisionFigures[];
  slaHours: number;
  waitingPastSla: number;
}

export function turnaround(days: readonly DailyTurnaround[]): Turnaround {
  const decisions = days.reduce((sum, day) => sum + day.decisions, 0);
  const seconds = days.reduce((sum, day) => sum + day.totalSeconds, 0);
  return {
    decisions,
    averageSeconds: decisions === 0 ? null : Math.round(seconds / decisions),
    byDay: days
      .filter((day) => day.decisions > 0)
      .map((day) => ({ day: day.day, decisions: day.decisions, averageSeconds: Math.round(day.totalSeconds / day.decisions) })),
  };
}

export function firstDay(now: Date, days: number): string {
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  from.setUTCDate(from.getUTCDate() - (days - 1));
  return from.toISOString().slice(0, 10);
}

export function summarise(
  counts: DailyCount[],
  from: string,
  now: Date,
  timed?: readonly DailyTurnaround[],
  report?: ReportInputs,
): Summary {
  const totals: Record<string, number> = {};
  for (const { type, count } of counts) totals[type] = (totals[type] ?? 0) + count;
  return {
    from,
    to: now.toISOString().slice(0, 10),
    totals,
    byDay: counts,
    ...(timed && { turnaround: turnaround(timed) }),
    ...(report && {
      funnel: funnel(counts, report.firstSubmissions),
      decisions: decisions(report.decisionFigures, report.slaHours, report.waitingPastSla),
    }),
  };
}
