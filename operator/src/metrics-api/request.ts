// Parsing of external.metrics.k8s.io requests (pure): which document or metric a path asks for and
// the equality label selector the HPA sends (matchLabels are serialised as `k=v,k2=v2`).
import { rfc3339 } from '../api/time.js';

export const GROUP = 'external.metrics.k8s.io';
export const VERSION = 'v1beta1';
export const GROUP_VERSION = `${GROUP}/${VERSION}`;

export type ParsedRequest =
  | { kind: 'apis' }
  | { kind: 'group' }
  | { kind: 'resources' }
  | { kind: 'health' }
  | { kind: 'metric'; namespace: string; metric: string; selector: Record<string, string> }
  | { kind: 'invalid'; message: string }
  | { kind: 'unknown' };

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const METRIC_NAME = /^[A-Za-z0-9][-A-Za-z0-9_.]{0,126}$/;

/** Equality requirements of a label selector; anything else (!=, notin, exists) is refused. */
export function parseLabelSelector(raw: string): Record<string, string> | { error: string } {
  const out: Record<string, string> = {};
  const text = raw.trim();
  if (text === '') return out;
  // Split on commas outside parentheses (`k in (a)` may carry a single value).
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  for (const part of parts.map((p) => p.trim())) {
    const eq = /^([A-Za-z0-9./_-]+)\s*==?\s*([A-Za-z0-9._-]*)$/.exec(part);
    const inOne = /^([A-Za-z0-9./_-]+)\s+in\s+\(\s*([A-Za-z0-9._-]+)\s*\)$/.exec(part);
    const match = eq ?? inOne;
    if (!match) return { error: `unsupported label selector requirement ${JSON.stringify(part)}: only key=value is supported` };
    const key = match[1] as string;
    const value = match[2] as string;
    if (key in out && out[key] !== value) return { error: `label selector requires ${key} to be both ${out[key]} and ${value}` };
    out[key] = value;
  }
  return out;
}

/** What a request path (with query) asks for. */
export function parseRequest(method: string, url: string): ParsedRequest {
  if (method !== 'GET') return { kind: 'unknown' };
  const parsed = new URL(url, 'https://localhost');
  const path = parsed.pathname.replace(/\/+$/, '');
  if (path === '/healthz' || path === '/livez' || path === '/readyz') return { kind: 'health' };
  if (path === '/apis') return { kind: 'apis' };
  if (path === `/apis/${GROUP}`) return { kind: 'group' };
  if (path === `/apis/${GROUP_VERSION}`) return { kind: 'resources' };
  const prefix = `/apis/${GROUP_VERSION}/namespaces/`;
  if (!path.startsWith(prefix)) return { kind: 'unknown' };
  const rest = path.slice(prefix.length).split('/');
  if (rest.length !== 2) return { kind: 'unknown' };
  const [namespace, metric] = rest.map(decodeURIComponent) as [string, string];
  if (!DNS_LABEL.test(namespace) || namespace.length > 63)
    return { kind: 'invalid', message: `invalid namespace ${JSON.stringify(namespace)}` };
  if (!METRIC_NAME.test(metric)) return { kind: 'invalid', message: `invalid metric name ${JSON.stringify(metric)}` };
  const selector = parseLabelSelector(parsed.searchParams.get('labelSelector') ?? '');
  if ('error' in selector && typeof selector.error === 'string') return { kind: 'invalid', message: selector.error };
  return { kind: 'metric', namespace, metric, selector: selector };
}

export function apiGroupList(): unknown {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [apiGroup()] };
}

export function apiGroup(): unknown {
  const version = { groupVersion: GROUP_VERSION, version: VERSION };
  return { kind: 'APIGroup', apiVersion: 'v1', name: GROUP, versions: [version], preferredVersion: version };
}

export function apiResourceList(): unknown {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: GROUP_VERSION,
    resources: [{ name: 'externalmetrics', singularName: '', namespaced: true, kind: 'ExternalMetricValueList', verbs: ['get'] }],
  };
}

export function metricValueList(metric: string, labels: Record<string, string>, value: string, timestamp: Date): unknown {
  return {
    kind: 'ExternalMetricValueList',
    apiVersion: GROUP_VERSION,
    metadata: {},
    items: [{ metricName: metric, metricLabels: labels, timestamp: rfc3339(timestamp), value }],
  };
}

export function status(code: number, reason: string, message: string): unknown {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}
