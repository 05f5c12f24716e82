// The dashboards' queries parse (promtool checks them as recording rules: it has no command to parse an
// expression alone) and name only metrics the code registers; the JSON keeps to what Grafana imports
// anywhere (a fixed schema version, the data source a variable). docs/observability.md, "Dashboards".
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as yaml from 'js-yaml';
import type { Registry } from 'prom-client';
import { OperatorMetrics } from '../../src/runtime/metrics.js';
import { PLATFORM_GAUGES } from '../../src/api/platform-metrics.js';
import { Metrics } from '../../../workloads/shared/metrics.js';
import { DASHBOARD_FILES, expand, loadDashboard, metricNames, panelQueries } from './dashboards.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const VALUES = { namespace: 'kyc', platform: 'kyc-dev', component: '.*', datasource: 'prometheus' };

/** Series names a registry exports: a histogram's _bucket, _sum and _count, a summary's _sum and _count. */
async function exported(registry: Registry): Promise<string[]> {
  return (await registry.getMetricsAsJSON()).flatMap(({ name, type }) => withSeries(name, String(type)));
}
function withSeries(name: string, type: string): string[] {
  if (type === 'histogram') return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  if (type === 'summary') return [name, `${name}_sum`, `${name}_count`];
  return [name];
}

/**
 * Metrics the services create where they are used (metrics.counter('kyc_...'), new Histogram({ name:
 * 'kyc_...' })), read from the sources: starting every service here would need PostgreSQL and Kafka.
 * The integration test (test/integration/observability) checks the names against a real scrape.
 */
function registeredInSources(): string[] {
  const names: string[] = [];
  for (const dir of ['operator/src', 'workloads']) {
    for (const file of readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts') || file.endsWith('.test.ts') || file.includes('node_modules')) continue;
      const source = readFileSync(join(root, dir, file), 'utf8');
      for (const [, type, name] of source.matchAll(/\.(counter|gauge|histogram)\(\s*'(kyc_\w+)'/g))
        names.push(...withSeries(name as string, type as string));
      for (const [, type, name] of source.matchAll(/new (?:client\.)?(Counter|Gauge|Histogram|Summary)\(\{\s*name: '(kyc_\w+)'/g))
        names.push(...withSeries(name as string, (type as string).toLowerCase()));
    }
  }
  return names;
}

let known: Set<string>;
let promtool: string;
let scratch: string;

beforeAll(async () => {
  const operator = new OperatorMetrics({ processMetrics: true });
  // The platform gauges are written after the registry's metrics at each scrape (reconcile/platform-gauges.ts).
  const platformGauges = Object.values(PLATFORM_GAUGES).map(({ name }) => name);
  known = new Set([
    ...(await exported(operator.registry)),
    ...platformGauges,
    ...(await exported(new Metrics('any').registry)),
    ...registeredInSources(),
  ]);
  // Installed by `make rules` before the unit tests in `make test`; a few seconds the first time otherwise.
  promtool = (await run(join(root, 'hack/ensure-promtool.sh'), [], { cwd: root })).stdout.trim();
  scratch = mkdtempSync(join(tmpdir(), 'kyc-dashboards-'));
}, 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('Grafana dashboards (operator/deploy/dashboards)', () => {
  it.each(DASHBOARD_FILES)('%s: schema version 39, the data source a ${datasource} variable on every panel, no fixed instance', (file) => {
    const dashboard = loadDashboard(file);
    expect(dashboard.schemaVersion).toBe(39);
    expect(dashboard.templating.list[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect({ panel: panel.title, datasource: panel.datasource }).toEqual({
        panel: panel.title,
        datasource: { type: 'prometheus', uid: '${datasource}' },
      });
      expect({ panel: panel.title, queries: (panel.targets?.length ?? 0) > 0 }).toEqual({ panel: panel.title, queries: true });
      for (const target of panel.targets ?? []) expect(target.expr).not.toMatch(/\binstance\s*=|localhost|:\d{4}\b/);
    }
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
  });

  it('names only metrics the operator and the services register, in panels and variables', () => {
    const variables = DASHBOARD_FILES.flatMap((file) =>
      loadDashboard(file)
        .templating.list.filter((v) => v.type === 'query')
        .map((v) => ({ panel: `variable ${v.name}`, expr: (v.query as { query: string }).query })),
    );
    expect(variables.length).toBe(3);
    const unknown = [...panelQueries(), ...variables].flatMap((q) =>
      metricNames(q.expr)
        .filter((name) => !known.has(name))
        .map((name) => `${q.panel}: ${name}`),
    );
    expect(unknown).toEqual([]);
    // The check has teeth: the registrations were found, and a misspelt name is not among them.
    expect(
      ['kyc_operator_reconcile_duration_seconds_bucket', 'kyc_outbox_pending', 'kyc_gateway_breaker_state'].every((n) => known.has(n)),
    ).toBe(true);
    expect(known.has('kyc_outbox_pending_total')).toBe(false);
  });

  it('every query parses (promtool check rules on them as recording rules)', async () => {
    const queries = panelQueries();
    expect(queries.length).toBeGreaterThan(40);
    const rules = {
      groups: [{ name: 'dashboards', rules: queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: expand(q.expr, VALUES) })) }],
    };
    const file = join(scratch, 'dashboards.rules.yaml');
    writeFileSync(file, yaml.dump(rules, { lineWidth: -1 }));
    const result = await run(promtool, ['check', 'rules', file]).then(
      ({ stdout }) => ({ ok: true, out: stdout }),
      (error: { stdout?: string; stderr?: string }) => ({ ok: false, out: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
    expect(result).toEqual({ ok: true, out: expect.stringContaining(`SUCCESS: ${queries.length} rules found`) });
  });

  it('a query that does not parse fails the check (the check is not vacuous)', async () => {
    const file = join(scratch, 'broken.rules.yaml');
    writeFileSync(
      file,
      yaml.dump({ groups: [{ name: 'broken', rules: [{ record: 'dashboard:broken', expr: 'sum by (le (rate(x[5m]))' }] }] }),
    );
    await expect(run(promtool, ['check', 'rules', file])).rejects.toThrow();
  });
});

describe('shipping the dashboards', () => {
  const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

  it('the chart carries the same JSON through links and renders a ConfigMap per file for the Grafana sidecar', () => {
    for (const file of DASHBOARD_FILES) {
      const link = join(root, 'charts/kyc-operator/files/dashboards', file);
      expect(readlinkSync(link)).toBe(`../../../../operator/deploy/dashboards/${file}`);
      expect(readFileSync(link, 'utf8')).toBe(readFileSync(here(`./${file}`), 'utf8'));
    }
    const template = readFileSync(join(root, 'charts/kyc-operator/templates/dashboards.yaml'), 'utf8');
    expect(template).toContain('.Files.Glob "files/dashboards/*.json"');
    const values = yaml.load(readFileSync(join(root, 'charts/kyc-operator/values.yaml'), 'utf8')) as {
      metrics: { dashboards: { enabled: boolean; labels: Record<string, string> } };
    };
    expect(values.metrics.dashboards).toMatchObject({ enabled: false, labels: { grafana_dashboard: '1' } });
  });

  it('the plain manifests generate one labelled ConfigMap per file (kubectl apply -k operator/deploy/dashboards)', () => {
    const kustomization = yaml.load(readFileSync(here('./kustomization.yaml'), 'utf8')) as {
      generatorOptions: { labels: Record<string, string> };
      configMapGenerator: { files: string[] }[];
    };
    expect(kustomization.generatorOptions.labels).toMatchObject({ grafana_dashboard: '1' });
    expect(kustomization.configMapGenerator.flatMap((c) => c.files).sort()).toEqual([...DASHBOARD_FILES].sort());
  });
});

describe('expand and metricNames', () => {
  it('fills in Grafana variables and refuses an unknown one', () => {
    expect(expand('rate(kyc_x{namespace="$namespace", c=~"${component}"}[$__rate_interval])', VALUES, '2m')).toBe(
      'rate(kyc_x{namespace="kyc", c=~".*"}[2m])',
    );
    expect(() => expand('kyc_x{a="$nope"}', VALUES)).toThrow(/\$nope/);
  });

  it('reads metric names outside label values', () => {
    expect(metricNames('sum by (le) (rate(kyc_a_bucket{route="kyc_not_a_metric"}[1m])) / kyc_b')).toEqual(['kyc_a_bucket', 'kyc_b']);
  });
});
