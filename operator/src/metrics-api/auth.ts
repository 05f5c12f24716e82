// Who may call the external metrics API. Only the kube-apiserver's aggregator reaches it: it presents
// the front-proxy client certificate (signed by the requestheader client CA of the
// extension-apiserver-authentication ConfigMap, with an allowed common name) and names the real user
// in X-Remote-User / X-Remote-Group. The user is then authorised with a SubjectAccessReview (the
// system:auth-delegator binding), as every aggregated API server does; decisions are cached briefly.
import type { TLSSocket } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import { AccessReviewer, type Caller } from '../runtime/access-review.js';
import type { KubeClient, KubeResource, ResourceType } from '../runtime/kube.js';
import { GROUP, VERSION } from './request.js';

export const AUTH_CONFIGMAP = { namespace: 'kube-system', name: 'extension-apiserver-authentication' };
const CONFIGMAP: ResourceType = { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true };

export interface RequestHeaderAuth {
  clientCa: string;
  allowedNames: string[];
  usernameHeaders: string[];
  groupHeaders: string[];
}

const jsonList = (raw: string | undefined, fallback: string[]): string[] => {
  if (!raw) return fallback;
  try {
    const parsed = JSON.parse(raw) as unknown;
    return Array.isArray(parsed) ? parsed.map(String) : fallback;
  } catch {
    return fallback;
  }
};

/** Reads the aggregator's client CA and header names from kube-system. */
export async function loadRequestHeaderAuth(client: KubeClient): Promise<RequestHeaderAuth> {
  const cm = await client.get<KubeResource & { data?: Record<string, string> }>(CONFIGMAP, AUTH_CONFIGMAP.namespace, AUTH_CONFIGMAP.name);
  const clientCa = cm?.data?.['requestheader-client-ca-file'];
  if (!clientCa)
    throw new Error(
      `${AUTH_CONFIGMAP.namespace}/${AUTH_CONFIGMAP.name} has no requestheader-client-ca-file: the API server does not run with front-proxy (aggregation) certificates`,
    );
  return {
    clientCa,
    allowedNames: jsonList(cm.data?.['requestheader-allowed-names'], []),
    usernameHeaders: jsonList(cm.data?.['requestheader-username-headers'], ['X-Remote-User']),
    groupHeaders: jsonList(cm.data?.['requestheader-group-headers'], ['X-Remote-Group']),
  };
}

/** The user the aggregator vouches for, or why the request is not from the aggregator. */
export function authenticate(request: IncomingMessage, auth: RequestHeaderAuth): Caller | { error: string } {
  const socket = request.socket as TLSSocket;
  if (!socket.authorized) return { error: 'a client certificate signed by the requestheader client CA is required' };
  const peer = socket.getPeerCertificate();
  const cn = typeof peer.subject?.CN === 'string' ? peer.subject.CN : '';
  if (auth.allowedNames.length > 0 && !auth.allowedNames.includes(cn))
    return { error: `client certificate ${JSON.stringify(cn)} is not an allowed requestheader name` };
  const header = (name: string): string[] => {
    const value = request.headers[name.toLowerCase()];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  };
  const user = auth.usernameHeaders.map(header).flat()[0] ?? '';
  const groups = auth.groupHeaders.flatMap(header).flatMap((g) =>
    g
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  return { user, groups };
}

/** `list` on the metric in the namespace, as the API server would authorise the same path. */
export class Authorizer {
  private readonly reviewer: AccessReviewer;

  constructor(client: KubeClient, ttlMs = 30_000, now: () => number = () => Date.now()) {
    this.reviewer = new AccessReviewer(client, ttlMs, now);
  }

  allowed(caller: Caller, namespace: string, metric: string): Promise<boolean> {
    return this.reviewer.allowed(caller, {
      resourceAttributes: { group: GROUP, version: VERSION, resource: metric, namespace, verb: 'list' },
    });
  }
}
