// The chaos suite's figures (docs/benchmarks.md, "Chaos"): one entry per fault, written as JSON under
// .test-results/ after every fault (a run stopped halfway still leaves what it measured), and the
// Markdown table the benchmarks page shows.
import { cpus, totalmem, release, platform } from 'node:os';
import type { Summary } from './load.js';

export interface FaultFigures {
  /** `PostgreSQL killed 20 s`, ... */
  fault: string;
  /** How long the fault lasted (s): from the kill to the restart, or to the replacement for a pod. */
  faultSeconds: number;
  /** The whole run of the load for this fault: before, during and after. */
  total: Summary;
  /** The requests sent while the fault lasted. */
  during: Summary;
  /** From the end of the fault until the platform was Ready with no Degraded condition and writes succeeded (s); null: not within the bound. */
  recoverySeconds: number | null;
  /** From the end of the fault until the first write succeeded (s). */
  writesBackSeconds: number | null;
  accepted: { applications: number; cancellations: number };
  /** Accepted applications missing from PostgreSQL afterwards, and accepted events not delivered exactly once. */
  lost: number;
  notDeliveredOnce: number;
  /** What status and Events said while it lasted (condition reasons, Event reasons). */
  said: string[];
  /** What the standard asks and this run did not show (empty: passed). */
  problems: string[];
}

export interface ChaosReport {
  date: string;
  machine: string;
  faults: FaultFigures[];
}

/** One line about the machine: CPU model and count, memory, kernel. */
export function machineLine(): string {
  const list = cpus();
  return `${list.length} × ${list[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}`;
}

function codes(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? '—' : entries.map(([code, n]) => `${n}× ${code.replace(/^HTTP /, '')}`).join(', ');
}

function seconds(value: number | null): string {
  return value === null ? 'not within the bound' : `${value.toFixed(1)} s`;
}

/** The report as the Markdown table of docs/benchmarks.md. */
export function markdownTable(report: ChaosReport): string {
  const lines = [
    `Machine: ${report.machine}. Date: ${report.date}.`,
    '',
    '| fault | requests (during) | failures during, by code | violations (whole run) | max latency | writes back | recovered | accepted (apps / cancels) | lost / not once |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const f of report.faults) {
    lines.push(
      `| ${f.fault} | ${f.total.requests} (${f.during.requests}) | ${codes(f.during.failures)} | ${codes(f.total.violations)} | ${(f.total.maxLatencyMs / 1000).toFixed(2)} s | ${seconds(f.writesBackSeconds)} | ${seconds(f.recoverySeconds)} | ${f.accepted.applications} / ${f.accepted.cancellations} | ${f.lost} / ${f.notDeliveredOnce} |`,
    );
  }
  return lines.join('\n');
}
