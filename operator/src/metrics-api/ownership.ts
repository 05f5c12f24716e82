// Who serves external.metrics.k8s.io (docs/autoscaling.md, "Living beside KEDA and prometheus-adapter"):
// the APIService v1beta1.external.metrics.k8s.io names one Service, and a cluster has one of it. KEDA's
// metrics server and prometheus-adapter register the same name; the operator must not take it from them
// (their HPAs would lose their metrics), so it reads who holds it and only registers where nobody does
// or where it already does. Pure: the caller reads the APIService.

/** The fields of the live APIService this decision reads. */
export interface ApiServiceView {
  spec?: { service?: { namespace?: string; name?: string } | null };
}

export type ExternalMetricsOwnership =
  /** Nobody registered it: the operator may (when it serves the API). */
  | { state: 'Absent' }
  /** It sends the group to the operator's own Service. */
  | { state: 'Ours' }
  /** Another server holds it: `owner` is its Service as namespace/name, or "the local API server" without one. */
  | { state: 'Elsewhere'; owner: string };

/**
 * `own`: the operator's Service (--external-metrics-service), undefined when it does not serve the API;
 * then any registration is someone else's.
 */
export function externalMetricsOwnership(
  live: ApiServiceView | undefined,
  own: { namespace: string; name: string } | undefined,
): ExternalMetricsOwnership {
  if (!live) return { state: 'Absent' };
  const service = live.spec?.service;
  if (!service?.name) return { state: 'Elsewhere', owner: 'the local API server' };
  if (own && service.namespace === own.namespace && service.name === own.name) return { state: 'Ours' };
  return { state: 'Elsewhere', owner: `${service.namespace ?? ''}/${service.name}` };
}

/** May the operator create or update the APIService? Never when another server holds it. */
export function mayRegister(ownership: ExternalMetricsOwnership): boolean {
  return ownership.state !== 'Elsewhere';
}
