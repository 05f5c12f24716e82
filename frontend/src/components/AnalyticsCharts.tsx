// Admin: the analytics summary (GET /analytics/summary) as charts drawn in plain SVG (no chart library):
// the applications per day stacked by what happened to them, the approval rate, and the turnaround (hours
// from the first submission to the decision) per day; then the funnel and the decisions report
// (DecisionCharts). Each chart has a title
// and description for screen readers, and the numbers are in a table below it (docs/frontend.md, "Admin").
// Colours are presentation attributes, not style: the CSP allows no inline style.
import { useEffect, useState } from 'react';
import { type AnalyticsSummary, type Api, describeError } from '../api/client.js';
import { t } from '../strings.js';
import { UNIT_SECONDS, approvalRate, axisTop, countsByDay, daysBetween, durationUnit, inUnit } from './charts.js';
import { BASELINE, DayChart, Legend, Numbers, ShareBar, barHeight, dayBar } from './DayChart.js';
import { DecisionCharts } from './DecisionCharts.js';
import { Message } from './Message.js';

const s = t.admin.analytics;
const PERIODS = [7, 30, 90];
/** The kinds charted, in stacking order, each with a colour of at least 3:1 against white (WCAG 1.4.11). */
const KINDS: ReadonlyArray<[string, string]> = [
  ['kyc.application.submitted', '#0b5cad'],
  ['kyc.application.resubmission_requested', '#8a6d00'],
  ['kyc.application.approved', '#1b7a3d'],
  ['kyc.application.rejected', '#b00020'],
  ['kyc.application.cancelled', '#6b6b6b'],
  ['kyc.application.expired', '#6a3d9a'],
];

export function AnalyticsCharts({ api }: { api: Api }) {
  const [days, setDays] = useState(30);
  const [summary, setSummary] = useState<AnalyticsSummary>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    setError(undefined);
    api
      .analytics(days)
      .then(setSummary)
      .catch((caught: unknown) => setError(describeError(caught)));
  }, [api, days]);

  return (
    <section aria-labelledby="analytics-title">
      <h2 id="analytics-title">{s.title}</h2>
      <div className="field">
        <label htmlFor="analytics-days">{s.days}</label>
        <select id="analytics-days" value={days} onChange={(event) => setDays(Number(event.target.value))}>
          {PERIODS.map((option) => (
            <option key={option} value={option}>
              {s.lastDays(option)}
            </option>
          ))}
        </select>
      </div>
      <Message kind="error" text={error} />
      {summary && <Charts summary={summary} />}
    </section>
  );
}

function Charts({ summary }: { summary: AnalyticsSummary }) {
  const days = daysBetween(summary.from, summary.to);
  const kinds = KINDS.map(([kind]) => kind);
  const table = countsByDay(summary.byDay, days, kinds);
  const top = axisTop(Math.max(0, ...table.map((row) => row.reduce((a, b) => a + b, 0))));
  const rate = approvalRate(summary.totals);
  const empty = table.every((row) => row.every((n) => n === 0));

  return (
    <>
      <h3 id="per-day-title">{s.perDay}</h3>
      {empty ? (
        <p>{s.empty}</p>
      ) : (
        <>
          <DayChart
            id="per-day"
            description={s.perDayDescription(summary.from, summary.to)}
            top={String(top)}
            from={summary.from}
            to={summary.to}
          >
            {table.map((row, i) => {
              let base = BASELINE;
              const { x, width } = dayBar(i, days.length);
              return (
                <g key={days[i]}>
                  {row.map((count, k) => {
                    if (count === 0) return null;
                    base -= barHeight(count, top);
                    const [kind, colour] = KINDS[k] as [string, string];
                    return (
                      <rect key={kind} x={x} y={base} width={width} height={barHeight(count, top)} fill={colour}>
                        <title>{`${days[i] ?? ''}: ${s.kinds[kind] ?? kind} ${count}`}</title>
                      </rect>
                    );
                  })}
                </g>
              );
            })}
          </DayChart>
          <Legend entries={KINDS.map(([kind, colour]) => [s.kinds[kind] ?? kind, colour] as const)} />
          <Numbers
            columns={kinds.map((kind) => s.kinds[kind] ?? kind)}
            rows={table.flatMap((row, i) => (row.some((n) => n > 0) ? [[days[i] ?? '', ...row]] : []))}
          />
        </>
      )}
      <h3 id="rate-title">{s.approvalRate}</h3>
      {rate ? (
        <>
          <ShareBar
            id="rate"
            description={s.approvalRateValue(rate.percent, rate.approved, rate.decided)}
            part={rate.approved}
            whole={rate.decided}
            colour="#1b7a3d"
            restColour="#b00020"
          />
          <p>{s.approvalRateValue(rate.percent, rate.approved, rate.decided)}</p>
        </>
      ) : (
        <p>{s.noDecisions}</p>
      )}
      <TurnaroundChart summary={summary} days={days} />
      <DecisionCharts summary={summary} days={days} />
    </>
  );
}

/** The mean time from submission to decision, one bar per day with decisions: in minutes while every day's is under an hour, else in hours. */
function TurnaroundChart({ summary, days }: { summary: AnalyticsSummary; days: string[] }) {
  const turnaround = summary.turnaround;
  if (!turnaround) return null;
  const longest = Math.max(0, ...turnaround.byDay.map((day) => day.averageSeconds));
  const unit = durationUnit(longest);
  const duration = (seconds: number) => s.duration(inUnit(seconds, unit), unit);
  const byDay = new Map(turnaround.byDay.map((day) => [day.day, day]));
  const top = axisTop(longest / UNIT_SECONDS[unit]);
  return (
    <>
      <h3 id="turnaround-title">{s.turnaround}</h3>
      {turnaround.averageSeconds === null ? (
        <p>{s.noTurnaround}</p>
      ) : (
        <>
          <DayChart
            id="turnaround"
            description={s.turnaroundValue(duration(turnaround.averageSeconds), turnaround.decisions)}
            top={`${top} ${s.unitShort[unit]}`}
            from={summary.from}
            to={summary.to}
          >
            {days.map((day, i) => {
              const found = byDay.get(day);
              if (!found) return null;
              const height = barHeight(found.averageSeconds / UNIT_SECONDS[unit], top);
              return (
                <rect key={day} {...dayBar(i, days.length)} y={BASELINE - height} height={height} fill="#0b5cad">
                  <title>{s.turnaroundDay(day, duration(found.averageSeconds), found.decisions)}</title>
                </rect>
              );
            })}
          </DayChart>
          <p>{s.turnaroundValue(duration(turnaround.averageSeconds), turnaround.decisions)}</p>
        </>
      )}
    </>
  );
}
