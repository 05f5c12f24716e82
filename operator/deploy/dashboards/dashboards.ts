// The Grafana dashboards beside this file, read as data: every panel's PromQL with Grafana's variables
// filled in, and the metric names each names. Used by dashboards.test.ts (the queries parse, through
// promtool, and name only metrics the code exports) and by test/integration/observability (the queries
// run against a real Prometheus scraping a real operator and platform). docs/observability.md.
import { readFileSync } from 'node:fs';

export const DASHBOARD_FILES = ['kyc-operator.json', 'kyc-platform.json'] as const;

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  templating: { list: { name: string; type: string; query?: unknown }[] };
  panels: Panel[];
}
export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: unknown;
  targets?: { refId: string; expr: string; datasource?: unknown; instant?: boolean }[];
}
export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
  /** An instant query (a table or stat of the current state) rather than a range. */
  instant: boolean;
}

export function loadDashboard(file: (typeof DASHBOARD_FILES)[number]): Dashboard {
  return JSON.parse(readFileSync(new URL(`./${file}`, import.meta.url), 'utf8')) as Dashboard;
}

/** Every query of every panel, unexpanded. */
export function panelQueries(): PanelQuery[] {
  return DASHBOARD_FILES.flatMap((file) => {
    const dashboard = loadDashboard(file);
    return dashboard.panels.flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({
        dashboard: dashboard.uid,
        panel: panel.title,
        refId: target.refId,
        expr: target.expr,
        instant: target.instant === true,
      })),
    );
  });
}

/**
 * A query with Grafana's variables replaced as Grafana would: `$__rate_interval` and `$__range` by a
 * duration, each `$name` / `${name}` by the value given (a multi-value "All" is the regex `.*`).
 */
export function expand(expr: string, values: Record<string, string>, rateInterval = '1m'): string {
  return expr
    .replaceAll('$__rate_interval', rateInterval)
    .replaceAll('$__range', rateInterval)
    .replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
      const name = braced ?? bare ?? '';
      const value = values[name];
      if (value === undefined) throw new Error(`no value for the dashboard variable ${whole} in ${expr}`);
      return value;
    });
}

/**
 * The metric names a query reads: this project's start with kyc_, prom-client's standard process metrics
 * with process_ or nodejs_ (no label here starts so); strings are left out.
 */
export function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...new Set(withoutStrings.match(/\b(?:kyc|process|nodejs)_[a-z0-9_]+/g) ?? [])].sort();
}
