// The alerting rules have one source (alerts/kyc-operator.rules.yaml, which promtool checks and tests
// in `make rules`); the PrometheusRule shipped beside the install manifests must carry exactly those
// groups, and every alert must have a promtool test in which it fires (docs/observability.md).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { load } from 'js-yaml';

const read = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');

interface RuleFile {
  groups: {
    name: string;
    rules: { alert?: string; record?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[];
  }[];
}
interface PromtoolTests {
  rule_files: string[];
  tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

const plain = load(read('./alerts/kyc-operator.rules.yaml')) as RuleFile;
const prometheusRule = load(read('./prometheus-rules.yaml')) as {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
  spec: RuleFile;
};
const promtoolTests = load(read('./alerts/kyc-operator.test.yaml')) as PromtoolTests;
const alerts = plain.groups.flatMap((group) => group.rules).filter((rule) => rule.alert !== undefined);

describe('operator/deploy alerting rules', () => {
  it('ships the plain rules file as a PrometheusRule, unchanged (re-run hack/prometheus-rules.sh after editing the rules)', () => {
    expect(prometheusRule).toMatchObject({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'kyc-operator', namespace: 'kyc-system' },
    });
    expect(prometheusRule.spec).toEqual(plain);
  });

  it('gives every alert a severity, a summary and a runbook under docs/runbooks named after it', () => {
    expect(alerts.length).toBeGreaterThan(0);
    for (const rule of alerts) {
      expect({ alert: rule.alert, severity: rule.labels?.severity }).toEqual({
        alert: rule.alert,
        severity: expect.stringMatching(/^(critical|warning)$/),
      });
      expect(rule.annotations?.summary).toBeTruthy();
      expect(rule.annotations?.runbook_url).toMatch(/^docs\/runbooks\/Kyc[A-Za-z]+\.md$/);
      expect({ alert: rule.alert, runbook: existsSync(new URL(`../../${rule.annotations?.runbook_url}`, import.meta.url)) }).toEqual({
        alert: rule.alert,
        runbook: true,
      });
    }
  });

  it('tests every alert with promtool in a case where it fires', () => {
    expect(promtoolTests.rule_files).toEqual(['kyc-operator.rules.yaml']);
    const firing = new Set(
      promtoolTests.tests
        .flatMap((test) => test.alert_rule_test ?? [])
        .filter((t) => t.exp_alerts.length > 0)
        .map((t) => t.alertname),
    );
    expect(alerts.map((rule) => rule.alert).filter((name) => !firing.has(name as string))).toEqual([]);
  });
});
