// Delegated authentication and authorisation, as every Kubernetes component that serves its own API
// does (the kubelet, aggregated API servers, controller-runtime's secure metrics): a bearer token is
// checked with a TokenReview, the caller's right with a SubjectAccessReview. Both answers are cached
// briefly, so a scrape every few seconds costs the API server a review per caller per TTL, not per
// request. The token is never kept: the cache key is its SHA-256 (docs/security.md).
import { createHash } from 'node:crypto';
import type { KubeClient, KubeResource, ResourceType } from './kube.js';

const TOKEN_REVIEW: ResourceType = {
  apiVersion: 'authentication.k8s.io/v1',
  kind: 'TokenReview',
  plural: 'tokenreviews',
  namespaced: false,
};
const SUBJECT_ACCESS_REVIEW: ResourceType = {
  apiVersion: 'authorization.k8s.io/v1',
  kind: 'SubjectAccessReview',
  plural: 'subjectaccessreviews',
  namespaced: false,
};

export interface Caller {
  user: string;
  groups: string[];
}

/** What is asked for: an API resource, or a path outside the API such as /metrics. */
export type AccessAttributes =
  | { resourceAttributes: { group: string; version: string; resource: string; namespace: string; verb: string } }
  | { nonResourceAttributes: { path: string; verb: string } };

interface TokenReviewResponse extends KubeResource {
  status?: { authenticated?: boolean; user?: { username?: string; groups?: string[] } };
}
interface SubjectAccessReviewResponse extends KubeResource {
  status?: { allowed?: boolean };
}

/** The largest number of cached answers of each kind before the cache starts over (memory bound). */
const MAX_CACHED = 10_000;

export class AccessReviewer {
  private readonly tokens = new Map<string, { caller: Caller | undefined; until: number }>();
  private readonly decisions = new Map<string, { allowed: boolean; until: number }>();

  constructor(
    private readonly client: Pick<KubeClient, 'create'>,
    private readonly ttlMs = 10_000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The user a bearer token belongs to, or undefined when the API server does not accept it. */
  async authenticate(token: string): Promise<Caller | undefined> {
    const key = createHash('sha256').update(token).digest('base64');
    const cached = this.tokens.get(key);
    if (cached && cached.until > this.now()) return cached.caller;
    const review = await this.client.create<TokenReviewResponse>(TOKEN_REVIEW, '', {
      apiVersion: TOKEN_REVIEW.apiVersion,
      kind: TOKEN_REVIEW.kind,
      spec: { token },
    });
    const user = review.status?.user;
    const caller = review.status?.authenticated === true && user?.username ? { user: user.username, groups: user.groups ?? [] } : undefined;
    remember(this.tokens, key, { caller, until: this.now() + this.ttlMs });
    return caller;
  }

  /** Whether the caller may do what `attributes` says, as the API server's authorisers decide. */
  async allowed(caller: Caller, attributes: AccessAttributes): Promise<boolean> {
    const key = JSON.stringify([caller.user, caller.groups, attributes]);
    const cached = this.decisions.get(key);
    if (cached && cached.until > this.now()) return cached.allowed;
    const review = await this.client.create<SubjectAccessReviewResponse>(SUBJECT_ACCESS_REVIEW, '', {
      apiVersion: SUBJECT_ACCESS_REVIEW.apiVersion,
      kind: SUBJECT_ACCESS_REVIEW.kind,
      spec: { user: caller.user, groups: caller.groups, ...attributes },
    });
    const allowed = review.status?.allowed === true;
    remember(this.decisions, key, { allowed, until: this.now() + this.ttlMs });
    return allowed;
  }
}

function remember<T>(cache: Map<string, T>, key: string, value: T): void {
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, value);
}
