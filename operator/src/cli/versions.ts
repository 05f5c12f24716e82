// `kubectl kyc version`: the plugin's version and the operator's as its Deployments in the cluster say
// (pure; cluster.ts lists the Deployments).
import type { Paint } from './paint.js';

/** The operator's own Deployment as `kubectl kyc version` reports it. */
export interface OperatorDeployment {
  namespace: string;
  name: string;
  /** The app.kubernetes.io/version label (the chart sets it), else the image tag. */
  version: string | undefined;
  image: string | undefined;
  ready: number;
  desired: number;
}

export interface VersionReport {
  plugin: string;
  /** Every Deployment labelled app.kubernetes.io/name=kyc-operator (usually one). */
  operators: OperatorDeployment[];
}

/** `registry:5000/kyc-operator/operator:1.2.3` → 1.2.3; no tag (or only a digest) → undefined. */
export function imageTag(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const name = image.split('@')[0] as string;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return colon > lastSlash ? name.slice(colon + 1) : undefined;
}

export function formatVersions(report: VersionReport, paint: Paint): string {
  const lines = [`kubectl-kyc ${report.plugin}`];
  if (report.operators.length === 0) {
    lines.push(`operator: ${paint('busy', 'not found')} (no Deployment labelled app.kubernetes.io/name=kyc-operator that you may list)`);
  }
  for (const o of report.operators) {
    const health = paint(o.ready >= o.desired && o.desired > 0 ? 'good' : 'bad', `${o.ready}/${o.desired} ready`);
    lines.push(`operator: ${o.version ?? 'unknown'} (${o.namespace}/${o.name}, image ${o.image ?? '?'}, ${health})`);
  }
  return `${lines.join('\n')}\n`;
}
