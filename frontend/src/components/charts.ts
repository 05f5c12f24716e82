// The arithmetic behind the analytics charts, apart from the drawing so it is tested alone: the days of
// the window (a day without events is a zero, not a gap), the counts per day and kind, the approval rate.

export interface DailyCount {
  day?: string;
  type?: string;
  count?: number;
}

/** Every day from `from` to `to` (YYYY-MM-DD, inclusive, UTC). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const day = new Date(`${from}T00:00:00Z`);
  const last = new Date(`${to}T00:00:00Z`);
  // Bounded: the API's window is at most 366 days.
  while (day <= last && days.length < 400) {
    days.push(day.toISOString().slice(0, 10));
    day.setUTCDate(day.getUTCDate() + 1);
  }
  return days;
}

/** day → kind → count, for the kinds asked (other event types are left out). */
export function countsByDay(byDay: readonly DailyCount[], days: readonly string[], kinds: readonly string[]): number[][] {
  const index = new Map(days.map((day, i) => [day, i]));
  const table = days.map(() => kinds.map(() => 0));
  for (const { day, type, count } of byDay) {
    const row = day === undefined ? undefined : index.get(day);
    const column = type === undefined ? -1 : kinds.indexOf(type);
    if (row !== undefined && column >= 0) (table[row] as number[])[column] = count ?? 0;
  }
  return table;
}

/** Approved out of the decisions (approved + rejected); undefined when there was none. */
export function approvalRate(totals: Readonly<Record<string, number>>): { percent: number; approved: number; decided: number } | undefined {
  const approved = totals['kyc.application.approved'] ?? 0;
  const decided = approved + (totals['kyc.application.rejected'] ?? 0);
  return decided === 0 ? undefined : { percent: Math.round((approved / decided) * 100), approved, decided };
}

/** A round top for the y axis: 1, 2 or 5 times a power of ten, at least `max`. */
export function axisTop(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  // toPrecision: 3 × 0.1 is 0.30000000000000004 in floating point, and the top is shown on the axis.
  return Number(([1, 2, 5, 10].map((m) => m * power).find((top) => top >= max) ?? 10 * power).toPrecision(3));
}

export type DurationUnit = 'minutes' | 'hours';

/** The unit a chart of durations uses: minutes while the longest is under an hour, else hours. */
export function durationUnit(longestSeconds: number): DurationUnit {
  return longestSeconds < 3600 ? 'minutes' : 'hours';
}

export const UNIT_SECONDS: Readonly<Record<DurationUnit, number>> = { minutes: 60, hours: 3600 };

/** Seconds in the chart's unit, to one decimal place (for words; bars take the exact quotient). */
export function inUnit(seconds: number, unit: DurationUnit): number {
  return Number((seconds / UNIT_SECONDS[unit]).toFixed(1));
}

/** A rate from the API (a fraction to 4 places) as a whole percentage. */
export function percent(rate: number): number {
  return Math.round(rate * 100);
}

export interface FunnelCounts {
  started: number;
  submitted: number;
  approved: number;
  rejected: number;
}

export const FUNNEL_STEPS = ['started', 'submitted', 'approved', 'rejected'] as const;

/**
 * The funnel's steps in order, each with its share of the started (a whole percentage; null when none
 * started). The steps are counted on the day they happened, so a share may pass 100 % when applications
 * started before the period were decided in it.
 */
export function funnelSteps(funnel: FunnelCounts): Array<{ step: (typeof FUNNEL_STEPS)[number]; count: number; ofStarted: number | null }> {
  return FUNNEL_STEPS.map((step) => ({
    step,
    count: funnel[step],
    ofStarted: funnel.started === 0 ? null : Math.round((funnel[step] / funnel.started) * 100),
  }));
}
