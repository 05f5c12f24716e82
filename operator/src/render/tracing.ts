// What every component gets of spec.observability.tracing (docs/observability.md, "Traces"): the OTLP
// endpoint and sampling ratio as the OpenTelemetry variables the services read (workloads/shared/tracing.ts),
// and an egress rule to the receiver's peers on the endpoint's port. Without it, nothing: no traces.
import type { KycPlatformSpec, NetworkPeer } from '../api/types.js';
import type { EnvVar } from './env.js';

export function tracingEnv(spec: KycPlatformSpec): EnvVar[] {
  const tracing = spec.observability?.tracing;
  if (!tracing) return [];
  return [
    { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: tracing.otlpEndpoint },
    ...(tracing.sampleRatio !== undefined ? [{ name: 'OTEL_TRACES_SAMPLER_ARG', value: String(tracing.sampleRatio) }] : []),
  ];
}

/** The port of the endpoint URL: its own, else the scheme's (443, 80). */
export function otlpPort(endpoint: string): number {
  const url = new URL(endpoint);
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** The receiver's peers and port for every component's egress policy; undefined without tracing. */
export function tracingNetwork(spec: KycPlatformSpec): { peers: NetworkPeer[]; ports: number[] } | undefined {
  const tracing = spec.observability?.tracing;
  if (!tracing) return undefined;
  return { peers: tracing.networkPeers ?? [], ports: [otlpPort(tracing.otlpEndpoint)] };
}
