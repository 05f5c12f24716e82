// The funnel of KYC applications (docs/workloads.md, "Analytics"): per UTC day, how many were started
// (created), submitted for the first time, approved and rejected, and the same over the window. Each step
// is counted on the day it happened, so a day's (or a short window's) later steps may include
// applications started before it: the funnel shows the flow through each step, not a cohort.
import type { DailyCount } from './ports.js';

export const FUNNEL_EVENTS = {
  started: 'kyc.application.created',
  approved: 'kyc.application.approved',
  rejected: 'kyc.application.rejected',
} as const;

export interface FunnelSteps {
  started: number;
  submitted: number;
  approved: number;
  rejected: number;
}

export interface Funnel extends FunnelSteps {
  /** Approved out of the decisions (approved + rejected) of the window; null without one. */
  approvalRate: number | null;
  /** The days with any step, in order. */
  byDay: Array<FunnelSteps & { day: string }>;
}

/** `part` out of `whole` as a fraction rounded to 4 places (0.6667); null when `whole` is 0. */
export function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

/** The funnel from the event counts per day and the first submissions per day. */
export function funnel(counts: readonly DailyCount[], firstSubmissions: ReadonlyArray<{ day: string; count: number }>): Funnel {
  const days = new Map<string, FunnelSteps & { day: string }>();
  const at = (day: string) => {
    let found = days.get(day);
    if (!found) days.set(day, (found = { day, started: 0, submitted: 0, approved: 0, rejected: 0 }));
    return found;
  };
  for (const { day, type, count } of counts) {
    if (type === FUNNEL_EVENTS.started) at(day).started += count;
    if (type === FUNNEL_EVENTS.approved) at(day).approved += count;
    if (type === FUNNEL_EVENTS.rejected) at(day).rejected += count;
  }
  for (const { day, count } of firstSubmissions) at(day).submitted += count;
  const byDay = [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
  const total = (step: keyof FunnelSteps) => byDay.reduce((sum, day) => sum + day[step], 0);
  const [started, submitted, approved, rejected] = [total('started'), total('submitted'), total('approved'), total('rejected')];
  return { started, submitted, approved, rejected, approvalRate: rate(approved, approved + rejected), byDay };
}
