// The external metrics manifests name what the code uses: the Service the operator is told about,
// its port, the certificate Secret and the APIService.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import * as yaml from 'js-yaml';
import { APISERVICE_NAME, certSecretName } from '../src/metrics-api/registration.js';
import { loadConfig } from '../src/runtime/config.js';

const read = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');
type Doc = {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
  rules?: { resources: string[]; resourceNames?: string[]; verbs: string[] }[];
};
const docs = yaml.loadAll(read('./external-metrics.yaml')) as Doc[];
const deployment = yaml.load(read('./deployment.yaml')) as {
  spec: {
    template: { spec: { containers: { env: { name: string; value?: string }[]; ports: { name: string; containerPort: number }[] }[] } };
  };
};
const container = deployment.spec.template.spec.containers[0];

describe('operator/deploy external metrics', () => {
  const env = Object.fromEntries((container?.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]));
  const config = loadConfig([], env).scaling;

  it('tells the operator the Service that the manifest creates, on the container port it names', () => {
    const service = docs.find((d) => d.kind === 'Service');
    expect(config.externalMetricsService).toEqual({ namespace: service?.metadata.namespace, name: service?.metadata.name, port: 443 });
    expect(container?.ports.find((p) => p.name === 'ext-metrics')?.containerPort).toBe(config.externalMetricsPort);
    expect(kustomizationResources()).toContain('external-metrics.yaml');
  });

  it('grants the certificate Secret and the APIService by name only', () => {
    const rules = docs.flatMap((d) => d.rules ?? []);
    const secretName = certSecretName({ name: config.externalMetricsService?.name ?? '' });
    expect(rules.filter((r) => r.resources.includes('secrets') && r.verbs.includes('update')).map((r) => r.resourceNames)).toEqual([
      [secretName],
    ]);
    expect(rules.filter((r) => r.resources.includes('apiservices') && r.verbs.includes('patch')).map((r) => r.resourceNames)).toEqual([
      [APISERVICE_NAME],
    ]);
    expect(
      rules
        .filter((r) => r.resources.includes('secrets'))
        .flatMap((r) => r.verbs)
        .sort(),
    ).toEqual(['create', 'get', 'update']);
  });
});

function kustomizationResources(): string[] {
  return (yaml.load(read('./kustomization.yaml')) as { resources: string[] }).resources;
}
