// Admin: the funnel and the decisions report of the analytics summary (docs/frontend.md, "Admin"): the
// funnel's steps over the period, the turnaround p50 and p90 per day, the resubmission rate and the SLA
// breaches per day. Like the other analytics charts: plain SVG, each chart an image described in words,
// each bar titled with its figure, the numbers in a table below. An analytics service older than the
// report sends neither part: nothing is drawn for it.
import type { AnalyticsSummary } from '../api/client.js';
import { t } from '../strings.js';
import { FUNNEL_STEPS, UNIT_SECONDS, axisTop, durationUnit, funnelSteps, inUnit, percent } from './charts.js';
import { BASELINE, DayChart, Legend, Numbers, ShareBar, WIDTH, barHeight, dayBar } from './DayChart.js';

const s = t.admin.analytics;
/** Each colour keeps at least 3:1 against white (WCAG 1.4.11). */
const STEP_COLOURS = { started: '#6b6b6b', submitted: '#0b5cad', approved: '#1b7a3d', rejected: '#b00020' } as const;
const P50 = '#0b5cad';
const P90 = '#6a3d9a';
const WITHIN = '#1b7a3d';
const LATE = '#b00020';

type Funnel = NonNullable<AnalyticsSummary['funnel']>;
type Decisions = NonNullable<AnalyticsSummary['decisions']>;

export function DecisionCharts({ summary, days }: { summary: AnalyticsSummary; days: string[] }) {
  return (
    <>
      {summary.funnel && <FunnelChart funnel={summary.funnel} from={summary.from} to={summary.to} />}
      {summary.decisions && <Percentiles decisions={summary.decisions} days={days} from={summary.from} to={summary.to} />}
      {summary.decisions && <Resubmissions decisions={summary.decisions} />}
      {summary.decisions && <SlaBreaches decisions={summary.decisions} days={days} from={summary.from} to={summary.to} />}
    </>
  );
}

const ROW = 32;
const LABEL = 96;

function FunnelChart({ funnel, from, to }: { funnel: Funnel; from: string; to: string }) {
  const steps = funnelSteps(funnel);
  const widest = Math.max(0, ...steps.map((step) => step.count));
  const words = steps.map(({ step, count, ofStarted }) => s.funnelStep(s.funnelSteps[step], count, ofStarted));
  return (
    <>
      <h3 id="funnel-title">{s.funnel}</h3>
      {widest === 0 ? (
        <p>{s.noFunnel}</p>
      ) : (
        <>
          <svg className="chart" viewBox={`0 0 ${WIDTH} ${ROW * steps.length}`} role="img" aria-labelledby="funnel-title funnel-desc">
            <desc id="funnel-desc">{s.funnelDescription(from, to, words.join(', '))}</desc>
            {steps.map(({ step, count }, i) => {
              // Room at the right for the count.
              const width = ((WIDTH - LABEL - 48) * count) / widest;
              return (
                <g key={step}>
                  <text x={LABEL - 6} y={i * ROW + 20} textAnchor="end" fontSize="12" fill="#1a1a1a">
                    {s.funnelSteps[step]}
                  </text>
                  <rect x={LABEL} y={i * ROW + 6} width={width} height={ROW - 12} fill={STEP_COLOURS[step]}>
                    <title>{words[i]}</title>
                  </rect>
                  <text x={LABEL + width + 4} y={i * ROW + 20} fontSize="12" fill="#1a1a1a">
                    {count}
                  </text>
                </g>
              );
            })}
          </svg>
          <p>{s.funnelDescription(from, to, words.join(', '))}</p>
          <Numbers
            columns={FUNNEL_STEPS.map((step) => s.funnelSteps[step])}
            rows={funnel.byDay.map((day) => [day.day, ...FUNNEL_STEPS.map((step) => day[step])])}
          />
        </>
      )}
    </>
  );
}

function Percentiles({ decisions, days, from, to }: { decisions: Decisions; days: string[]; from: string; to: string }) {
  if (decisions.p50Seconds === null || decisions.p90Seconds === null)
    return (
      <>
        <h3 id="percentiles-title">{s.percentiles}</h3>
        <p>{s.noTurnaround}</p>
      </>
    );
  const unit = durationUnit(Math.max(0, ...decisions.byDay.map((day) => day.p90Seconds)));
  const duration = (seconds: number) => s.duration(inUnit(seconds, unit), unit);
  const top = axisTop(Math.max(0, ...decisions.byDay.map((day) => day.p90Seconds)) / UNIT_SECONDS[unit]);
  const byDay = new Map(decisions.byDay.map((day) => [day.day, day]));
  const description = s.percentilesValue(duration(decisions.p50Seconds), duration(decisions.p90Seconds), decisions.decisions);
  return (
    <>
      <h3 id="percentiles-title">{s.percentiles}</h3>
      <DayChart id="percentiles" description={description} top={`${top} ${s.unitShort[unit]}`} from={from} to={to}>
        {days.map((day, i) => {
          const found = byDay.get(day);
          if (!found) return null;
          const { x, width } = dayBar(i, days.length);
          return (
            <g key={day}>
              {(
                [
                  [s.p50, found.p50Seconds, P50, 0],
                  [s.p90, found.p90Seconds, P90, width / 2],
                ] as const
              ).map(([which, seconds, colour, offset]) => {
                const height = barHeight(seconds / UNIT_SECONDS[unit], top);
                return (
                  <rect key={which} x={x + offset} y={BASELINE - height} width={width / 2} height={height} fill={colour}>
                    <title>{s.percentileDay(day, which, duration(seconds))}</title>
                  </rect>
                );
              })}
            </g>
          );
        })}
      </DayChart>
      <Legend
        entries={[
          [s.p50, P50],
          [s.p90, P90],
        ]}
      />
      <p>{description}</p>
      <Numbers
        columns={[s.decisionsColumn, s.p50, s.p90]}
        rows={decisions.byDay.map((day) => [day.day, day.decisions, duration(day.p50Seconds), duration(day.p90Seconds)])}
      />
    </>
  );
}

function Resubmissions({ decisions }: { decisions: Decisions }) {
  const resubmitted = decisions.byDay.reduce((sum, day) => sum + day.resubmitted, 0);
  return (
    <>
      <h3 id="resubmissions-title">{s.resubmissionRate}</h3>
      {decisions.resubmissionRate === null ? (
        <p>{s.noDecisions}</p>
      ) : (
        <>
          <ShareBar
            id="resubmissions"
            description={s.resubmissionValue(percent(decisions.resubmissionRate), resubmitted, decisions.decisions)}
            part={resubmitted}
            whole={decisions.decisions}
            colour="#8a6d00"
            restColour="#0b5cad"
          />
          <p>{s.resubmissionValue(percent(decisions.resubmissionRate), resubmitted, decisions.decisions)}</p>
        </>
      )}
    </>
  );
}

function SlaBreaches({ decisions, days, from, to }: { decisions: Decisions; days: string[]; from: string; to: string }) {
  const byDay = new Map(decisions.byDay.map((day) => [day.day, day]));
  const top = axisTop(Math.max(0, ...decisions.byDay.map((day) => day.decisions)));
  const description = s.slaValue(decisions.slaBreaches, decisions.decisions, decisions.slaHours);
  return (
    <>
      <h3 id="sla-title">{s.sla}</h3>
      {decisions.decisions === 0 ? (
        <p>{s.noDecisions}</p>
      ) : (
        <>
          <DayChart id="sla" description={description} top={String(top)} from={from} to={to}>
            {days.map((day, i) => {
              const found = byDay.get(day);
              if (!found) return null;
              const { x, width } = dayBar(i, days.length);
              const within = barHeight(found.decisions - found.slaBreaches, top);
              const late = barHeight(found.slaBreaches, top);
              return (
                <g key={day}>
                  <title>{s.slaDay(day, found.slaBreaches, found.decisions)}</title>
                  {within > 0 && <rect x={x} y={BASELINE - within} width={width} height={within} fill={WITHIN} />}
                  {late > 0 && <rect x={x} y={BASELINE - within - late} width={width} height={late} fill={LATE} />}
                </g>
              );
            })}
          </DayChart>
          <Legend
            entries={[
              [s.withinSla, WITHIN],
              [s.lateColumn, LATE],
            ]}
          />
          <p>{description}</p>
          <Numbers
            columns={[s.decisionsColumn, s.lateColumn]}
            rows={decisions.byDay.map((day) => [day.day, day.decisions, day.slaBreaches])}
          />
        </>
      )}
      <p>{s.waitingPastSla(decisions.waitingPastSla, decisions.slaHours)}</p>
    </>
  );
}
