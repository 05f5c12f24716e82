// Terminal colours and durations for the plugin's text output (pure). Colour is a choice of the caller:
// on for a terminal, off with --no-color, NO_COLOR or a pipe (https://no-color.org).

export type Tone = 'good' | 'busy' | 'bad' | 'muted' | 'blue' | 'green' | 'bold';

const CODES: Readonly<Record<Tone, string>> = {
  good: '32',
  busy: '33',
  bad: '31',
  muted: '2',
  blue: '34',
  green: '32',
  bold: '1',
};

export type Paint = (tone: Tone, text: string) => string;

export function painter(enabled: boolean): Paint {
  return enabled ? (tone, text) => `\x1b[${CODES[tone]}m${text}\x1b[0m` : (_tone, text) => text;
}

/** `blue` and `green` in their own colour; anything else as it is. */
export function colorName(paint: Paint, color: string | undefined): string {
  if (color === 'blue' || color === 'green') return paint(color, color);
  return color ?? '-';
}

/** 45s, 5m12s, 3h04m, 2d3h: the two largest units, as kubectl's AGE column. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${pad(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86_400)}d${Math.floor(s / 3600) % 24}h`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** "5m12s ago" or "in 24s" for an RFC 3339 time; undefined for no or an unreadable time. */
export function relative(time: string | undefined, now: Date): string | undefined {
  const at = time ? Date.parse(time) : NaN;
  if (Number.isNaN(at)) return undefined;
  const delta = at - now.getTime();
  return delta > 0 ? `in ${duration(delta)}` : `${duration(-delta)} ago`;
}
