// The decisions report (docs/workloads.md, "Analytics"): of the decisions timed from the application's
// first submission, the turnaround p50/p90, the resubmission rate and the SLA breaches, per UTC day and
// over the window. The SLA: a decision more than `slaHours` after the first submission breaches it — the
// customer's wait, a resubmission included, as the turnaround counts it; applications submitted longer
// ago than that and still undecided are breaching it now.
import { rate } from './funnel.js';
import type { DecisionFigures } from './ports.js';

/** When the bank sets none (ANALYTICS_DECISION_SLA_HOURS): two days from submission to decision. */
export const DEFAULT_DECISION_SLA_HOURS = 48;

export interface DayDecisions {
  day: string;
  decisions: number;
  p50Seconds: number;
  p90Seconds: number;
  resubmitted: number;
  slaBreaches: number;
}

export interface Decisions {
  slaHours: number;
  /** Timed decisions (approved or rejected with a known first submission) in the window. */
  decisions: number;
  /** Nearest-rank percentiles over the window's decisions; null without one. */
  p50Seconds: number | null;
  p90Seconds: number | null;
  /** Decisions of applications asked to resubmit at least once, out of the decisions; null without one. */
  resubmissionRate: number | null;
  slaBreaches: number;
  /** Breaches out of the decisions; null without one. */
  slaBreachRate: number | null;
  /** Submitted more than `slaHours` ago and not decided yet (now, whatever the window). */
  waitingPastSla: number;
  byDay: DayDecisions[];
}

/** The SLA in seconds, for the storage that counts breaches. */
export function slaSeconds(slaHours: number): number {
  return slaHours * 3600;
}

/** The instant before which an undecided submission breaches the SLA. */
export function slaDeadline(now: Date, slaHours: number): Date {
  return new Date(now.getTime() - slaSeconds(slaHours) * 1000);
}

/** The report from the per-day figures and the window's (the entry without `day`). */
export function decisions(figures: readonly DecisionFigures[], slaHours: number, waitingPastSla: number): Decisions {
  const window = figures.find((figure) => figure.day === undefined);
  const byDay = figures
    .filter((figure): figure is DecisionFigures & { day: string } => figure.day !== undefined)
    .map(({ day, decisions: count, p50Seconds, p90Seconds, resubmitted, slaBreaches }) => ({
      day,
      decisions: count,
      p50Seconds: Math.round(p50Seconds),
      p90Seconds: Math.round(p90Seconds),
      resubmitted,
      slaBreaches,
    }));
  const count = window?.decisions ?? 0;
  const breaches = window?.slaBreaches ?? 0;
  return {
    slaHours,
    decisions: count,
    p50Seconds: window ? Math.round(window.p50Seconds) : null,
    p90Seconds: window ? Math.round(window.p90Seconds) : null,
    resubmissionRate: rate(window?.resubmitted ?? 0, count),
    slaBreaches: breaches,
    slaBreachRate: rate(breaches, count),
    waitingPastSla,
    byDay,
  };
}
