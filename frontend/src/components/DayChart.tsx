// What the analytics charts share (docs/frontend.md, "Admin"): the frame of a chart with one bar (or
// stack, or pair) per day of the window — an image named by the heading `${id}-title` and described in
// words by `description`, with the baseline, the top of the axis and the window's first and last day —,
// the share bar, the legend and "The numbers" table. Colours are presentation attributes, not style: the
// CSP allows no inline style.
import type { ReactNode } from 'react';
import { t } from '../strings.js';

const s = t.admin.analytics;

export const WIDTH = 360;
export const HEIGHT = 200;
export const LEFT = 52;
export const BOTTOM = 24;
export const BASELINE = HEIGHT - BOTTOM;

/** The left edge and width of day `i`'s bar among `days` days (a slot each, 10 % margin either side). */
export function dayBar(i: number, days: number): { x: number; width: number } {
  const slot = (WIDTH - LEFT) / Math.max(1, days);
  return { x: LEFT + i * slot + slot * 0.1, width: slot * 0.8 };
}

/** The height of `value` on an axis that ends at `top`. */
export function barHeight(value: number, top: number): number {
  return (BASELINE * value) / top;
}

export function DayChart(props: { id: string; description: string; top: string; from: string; to: string; children: ReactNode }) {
  return (
    <svg className="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${props.id}-title ${props.id}-desc`}>
      <desc id={`${props.id}-desc`}>{props.description}</desc>
      <line x1={LEFT} y1={BASELINE} x2={WIDTH} y2={BASELINE} stroke="#1a1a1a" />
      <text x={LEFT - 4} y={12} textAnchor="end" fontSize="12" fill="#1a1a1a">
        {props.top}
      </text>
      <text x={LEFT - 4} y={BASELINE} textAnchor="end" fontSize="12" fill="#1a1a1a">
        0
      </text>
      {props.children}
      <text x={LEFT} y={HEIGHT - 6} fontSize="12" fill="#1a1a1a">
        {props.from}
      </text>
      <text x={WIDTH} y={HEIGHT - 6} textAnchor="end" fontSize="12" fill="#1a1a1a">
        {props.to}
      </text>
    </svg>
  );
}

/** A share of a whole as one bar: `part` in `colour` over the rest in `restColour`, described in words. */
export function ShareBar(props: { id: string; description: string; part: number; whole: number; colour: string; restColour: string }) {
  return (
    <svg className="chart chart-bar" viewBox="0 0 360 28" role="img" aria-labelledby={`${props.id}-title ${props.id}-desc`}>
      <desc id={`${props.id}-desc`}>{props.description}</desc>
      <rect x={0} y={0} width={360} height={28} fill={props.restColour} />
      <rect x={0} y={0} width={(360 * props.part) / props.whole} height={28} fill={props.colour} />
    </svg>
  );
}

export function Legend({ entries }: { entries: ReadonlyArray<readonly [string, string]> }) {
  return (
    <ul className="legend">
      {entries.map(([label, colour]) => (
        <li key={label}>
          <svg width="14" height="14" aria-hidden="true" focusable="false">
            <rect width="14" height="14" fill={colour} />
          </svg>{' '}
          {label}
        </li>
      ))}
    </ul>
  );
}

/** "The numbers": one row per day (its first cell), a column per figure. */
export function Numbers({ columns, rows }: { columns: string[]; rows: Array<Array<string | number>> }) {
  return (
    <details>
      <summary>{s.table}</summary>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">{s.day}</th>
              {columns.map((column) => (
                <th key={column} scope="col">
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map(([day, ...cells]) => (
              <tr key={day}>
                <th scope="row">{day}</th>
                {cells.map((cell, k) => (
                  <td key={columns[k]}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
