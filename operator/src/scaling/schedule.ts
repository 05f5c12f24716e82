// Business-hours windows: is a schedule open at an instant? Pure, clock passed in. Wall-clock times are
// compared in the schedule's IANA zone through Intl, so DST needs no special case: on a spring-forward
// day a window that starts inside the skipped hour opens when the clocks jump past its start, and on a
// fall-back day the repeated hour belongs to the window once for each pass of the clock.
import type { ComponentName } from '../api/components.js';
import type { KycPlatformSpec } from '../api/types.js';

export type Schedule = NonNullable<NonNullable<KycPlatformSpec['autoscaling']>['schedules']>[number];

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
type Day = (typeof DAYS)[number];

interface LocalTime {
  date: string; // YYYY-MM-DD
  day: Day;
  minutes: number; // since local midnight
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws RangeError for a zone Intl does not know: the caller reports it.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows the IANA zone. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function localTime(instant: Date, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    day: parts.weekday as Day,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

function clockMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/** The local date and weekday one calendar day before `date` (for overnight windows). */
function previousDay(local: LocalTime): { date: string; day: Day } {
  const [y, m, d] = local.date.split('-').map(Number) as [number, number, number];
  const prev = new Date(Date.UTC(y, m - 1, d - 1));
  const date = prev.toISOString().slice(0, 10);
  return { date, day: DAYS[(DAYS.indexOf(local.day) + 6) % 7] as Day };
}

function opensOn(schedule: Schedule, date: string, day: Day): boolean {
  if (schedule.days && schedule.days.length > 0 && !schedule.days.includes(day)) return false;
  return !(schedule.holidays ?? []).includes(date);
}

/** Whether the window is open at `now`. Throws RangeError for an unknown time zone. */
export function isOpen(schedule: Schedule, now: Date): boolean {
  const local = localTime(now, schedule.timezone ?? 'UTC');
  const start = clockMinutes(schedule.start);
  const end = clockMinutes(schedule.end);
  if (start < end) return local.minutes >= start && local.minutes < end && opensOn(schedule, local.date, local.day);
  // Overnight: open from start to midnight on an opening day, and from midnight to end on the day after.
  if (local.minutes >= start) return opensOn(schedule, local.date, local.day);
  if (local.minutes < end) {
    const prev = previousDay(local);
    return opensOn(schedule, prev.date, prev.day);
  }
  return false;
}

export interface ScheduleFloor {
  /** The highest minReplicas of the open windows, or undefined when none is open. */
  minReplicas: number | undefined;
  /** Names of the open windows that apply to the component. */
  open: string[];
  /** Windows that cannot be evaluated (unknown time zone), with why. */
  invalid: string[];
}

/** The replica floor the schedules impose on a component at `now`. */
export function scheduleFloor(schedules: readonly Schedule[] | undefined, component: ComponentName, now: Date): ScheduleFloor {
  const result: ScheduleFloor = { minReplicas: undefined, open: [], invalid: [] };
  for (const schedule of schedules ?? []) {
    if (schedule.components && schedule.components.length > 0 && !schedule.components.includes(component)) continue;
    let open: boolean;
    try {
      open = isOpen(schedule, now);
    } catch {
      result.invalid.push(`schedule ${schedule.name}: unknown time zone ${JSON.stringify(schedule.timezone)}`);
      continue;
    }
    if (!open) continue;
    result.open.push(schedule.name);
    result.minReplicas = Math.max(result.minReplicas ?? 0, schedule.minReplicas);
  }
  return result;
}

/** Milliseconds until the next whole minute (+1 s): windows open and close on minute boundaries. */
export function msUntilNextMinute(now: Date): number {
  return 60_000 - (now.getTime() % 60_000) + 1000;
}
