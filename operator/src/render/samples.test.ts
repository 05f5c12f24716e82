// The samples render to what their comments promise (the admission suite checks the API server accepts them).
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import * as yaml from 'js-yaml';
import type { KycPlatform } from '../api/types.js';
import { renderPlatform } from './index.js';

function sample(file: string): KycPlatform {
  const doc = yaml.load(readFileSync(`samples/${file}`, 'utf8')) as KycPlatform;
  return { ...doc, metadata: { ...doc.metadata, namespace: 'samples', uid: '00000000-0000-4000-8000-000000000000' } };
}

const ofKind = (objects: ReturnType<typeof renderPlatform>, kind: string) => objects.filter((o) => o.kind === kind);

describe('samples', () => {
  it('development: six Deployments of one replica, no HPA, network policies on', () => {
    const objects = renderPlatform(sample('development.yaml'));
    const deployments = ofKind(objects, 'Deployment') as unknown as { spec: { replicas?: number } }[];
    expect(deployments.map((d) => d.spec.replicas)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(ofKind(objects, 'HorizontalPodAutoscaler')).toHaveLength(0);
    expect(ofKind(objects, 'NetworkPolicy')).toHaveLength(7);
  });

  it('production: an HPA per component, limits of 500m CPU and 512Mi per container, an Ingress with TLS', () => {
    const objects = renderPlatform(sample('production.yaml'));
    const hpas = ofKind(objects, 'HorizontalPodAutoscaler') as unknown as {
      metadata: { name: string };
      spec: { minReplicas: number; maxReplicas: number };
    }[];
    expect(hpas.map((h) => [h.metadata.name, h.spec.minReplicas, h.spec.maxReplicas])).toEqual([
      ['kyc-prod-gateway', 3, 20],
      ['kyc-prod-kyc', 3, 30],
      ['kyc-prod-auth', 3, 20],
      ['kyc-prod-notification', 3, 20],
      ['kyc-prod-analytics', 3, 6],
      ['kyc-prod-frontend', 3, 6],
    ]);
    expect(ofKind(objects, 'Ingress')).toHaveLength(1);
    expect(JSON.stringify(ofKind(objects, 'Deployment')[0])).toContain('"limits":{"cpu":"500m","memory":"512Mi"}');
    // Every store declared tls: Required: kyc reads all three over verified TLS (docs/security.md).
    const kyc = JSON.stringify(ofKind(objects, 'Deployment').find((d) => d.metadata.name === 'kyc-prod-kyc'));
    for (const variable of ['DATABASE_TLS', 'REDIS_TLS', 'KAFKA_TLS']) expect(kyc).toContain(`{"name":"${variable}","value":"required"}`);
  });

  it('blue-green and custom-metrics render (their reserved fields are not acted upon yet)', () => {
    expect(ofKind(renderPlatform(sample('blue-green.yaml')), 'Deployment')).toHaveLength(6);
    expect(ofKind(renderPlatform(sample('custom-metrics.yaml')), 'HorizontalPodAutoscaler')).toHaveLength(6);
  });
});
