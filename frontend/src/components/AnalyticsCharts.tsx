// Admin: the analytics summary (GET /analytics/summary) as charts drawn in plain SVG (no chart library):
// the applications per day stacked by what happened to them, the approval rate, and the turnaround (hours
// from the first submission to the decision) per day. Each chart has a title
// and description for screen readers, and the numbers are in a table below it (docs/frontend.md, "Admin").
// Colours are presentation attributes, not style: the CSP allows no inline style.
import { type ReactNode, useEffect, useState } from 'react';
import { type AnalyticsSummary, type Api, describeError } from '../api/client.js';
import { t } from '../strings.js';
import { approvalRate, axisTop, countsByDay, daysBetween } from './charts.js';
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
const WIDTH = 360;
const HEIGHT = 200;
const LEFT = 52;
const BOTTOM = 24;

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
  const slot = (WIDTH - LEFT) / Math.max(1, days.length);
  const y = (value: number) => ((HEIGHT - BOTTOM) * value) / top;
  const rate = approvalRate(summary.totals);
  const empty = table.every((row) => row.every((n) => n === 0));

  return (
    <>
      <h3 id="per-day-title">{s.perDay}</h3>
      {empty ? (
        <p>{s.empty}</p>
      ) : (
        <>
          <DayChart id="per-day" description={s.perDayDescription(summary.from, summary.to)} top={String(top)} summary={summary}>
            {table.map((row, i) => {
              let base = HEIGHT - BOTTOM;
              return (
                <g key={days[i]}>
                  {row.map((count, k) => {
                    if (count === 0) return null;
                    base -= y(count);
                    const [kind, colour] = KINDS[k] as [string, string];
                    return (
                      <rect key={kind} x={LEFT + i * slot + slot * 0.1} y={base} width={slot * 0.8} height={y(count)} fill={colour}>
                        <title>{`${days[i] ?? ''}: ${s.kinds[kind] ?? kind} ${count}`}</title>
                      </rect>
                    );
                  })}
                </g>
              );
            })}
          </DayChart>
          <ul className="legend">
            {KINDS.map(([kind, colour]) => (
              <li key={kind}>
                <svg width="14" height="14" aria-hidden="true" focusable="false">
                  <rect width="14" height="14" fill={colour} />
                </svg>{' '}
                {s.kinds[kind]}
              </li>
            ))}
          </ul>
          <details>
            <summary>{s.table}</summary>
            <div className="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{s.day}</th>
                    {kinds.map((kind) => (
                      <th key={kind} scope="col">
                        {s.kinds[kind]}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {table.map((row, i) =>
                    row.some((n) => n > 0) ? (
                      <tr key={days[i]}>
                        <th scope="row">{days[i]}</th>
                        {row.map((count, k) => (
                          <td key={kinds[k]}>{count}</td>
                        ))}
                      </tr>
                    ) : null,
                  )}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
      <h3 id="rate-title">{s.approvalRate}</h3>
      {rate ? (
        <>
          <svg className="chart chart-bar" viewBox="0 0 360 28" role="img" aria-labelledby="rate-title rate-desc">
            <desc id="rate-desc">{s.approvalRateValue(rate.percent, rate.approved, rate.decided)}</desc>
            <rect x={0} y={0} width={360} height={28} fill="#b00020" />
            <rect x={0} y={0} width={(360 * rate.approved) / rate.decided} height={28} fill="#1b7a3d" />
          </svg>
          <p>{s.approvalRateValue(rate.percent, rate.approved, rate.decided)}</p>
        </>
      ) : (
        <p>{s.noDecisions}</p>
      )}
      <TurnaroundChart summary={summary} days={days} />
    </>
  );
}

/** The mean time from submission to decision, one bar per day with decisions: in minutes while every day's is under an hour, else in hours. */
function TurnaroundChart({ summary, days }: { summary: AnalyticsSummary; days: string[] }) {
  const turnaround = summary.turnaround;
  if (!turnaround) return null;
  const longest = Math.max(0, ...turnaround.byDay.map((day) => day.averageSeconds));
  const unit = longest < 3600 ? 'minutes' : 'hours';
  const inUnit = (seconds: number) => seconds / (unit === 'minutes' ? 60 : 3600);
  const duration = (seconds: number) => s.duration(Number(inUnit(seconds).toFixed(1)), unit);
  const byDay = new Map(turnaround.byDay.map((day) => [day.day, day]));
  const top = axisTop(inUnit(longest));
  const slot = (WIDTH - LEFT) / Math.max(1, days.length);
  const y = (value: number) => ((HEIGHT - BOTTOM) * value) / top;
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
            summary={summary}
          >
            {days.map((day, i) => {
              const found = byDay.get(day);
              if (!found) return null;
              const height = y(inUnit(found.averageSeconds));
              return (
                <rect
                  key={day}
                  x={LEFT + i * slot + slot * 0.1}
                  y={HEIGHT - BOTTOM - height}
                  width={slot * 0.8}
                  height={height}
                  fill="#0b5cad"
                >
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

/**
 * A chart of one bar (or stack) per day of the window: an image named by the heading `${id}-title` and
 * described by `description`, with the baseline, the top of the axis and the window's first and last day.
 */
function DayChart(props: { id: string; description: string; top: string; summary: AnalyticsSummary; children: ReactNode }) {
  return (
    <svg className="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${props.id}-title ${props.id}-desc`}>
      <desc id={`${props.id}-desc`}>{props.description}</desc>
      <line x1={LEFT} y1={HEIGHT - BOTTOM} x2={WIDTH} y2={HEIGHT - BOTTOM} stroke="#1a1a1a" />
      <text x={LEFT - 4} y={12} textAnchor="end" fontSize="12" fill="#1a1a1a">
        {props.top}
      </text>
      <text x={LEFT - 4} y={HEIGHT - BOTTOM} textAnchor="end" fontSize="12" fill="#1a1a1a">
        0
      </text>
      {props.children}
      <text x={LEFT} y={HEIGHT - 6} fontSize="12" fill="#1a1a1a">
        {props.summary.from}
      </text>
      <text x={WIDTH} y={HEIGHT - 6} textAnchor="end" fontSize="12" fill="#1a1a1a">
        {props.summary.to}
      </text>
    </svg>
  );
}
