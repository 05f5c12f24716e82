// The web app's API client, typed from the gateway's OpenAPI document (the types `make openapi` generates
// with openapi-typescript into test/support/api/schema.ts; type-only, nothing of test/ is bundled): one
// place for tokens, Idempotency-Keys and turning problem+json answers into words a person understands
// (docs/frontend.md, "Tokens").
import { t } from '../strings.js';
import type { components, paths } from '../../../test/support/api/schema.js';

type Schemas = components['schemas'];
export type Application = Schemas['Application'];
export type ApplicantPatch = Schemas['ApplicantPatch'];
export type DocumentUpload = Schemas['DocumentUpload'];
export type PlatformStatus = Schemas['PlatformStatus'];
export type Tokens = Schemas['Tokens'];
export type User = Schemas['User'];
export type Problem = Schemas['Problem'];
export type Notification = Schemas['Notification'];
export type QueueItem = Schemas['QueueItem'];
export type QueueState = NonNullable<NonNullable<paths['/review/queue']['get']['parameters']['query']>['state']>;
export type QueuePage = paths['/review/queue']['get']['responses']['200']['content']['application/json'];
export type StaffUser = Schemas['StaffUser'];
export type UserPage = paths['/admin/users']['get']['responses']['200']['content']['application/json'];
export type RoleChange = Schemas['RoleChange'];
export type AnalyticsSummary = Schemas['AnalyticsSummary'];
export type ReviewAction = 'recommend' | 'request-resubmission' | 'approve' | 'reject' | 'return';
export type ConsentPurpose = Schemas['CreateApplication']['consent']['purposes'][number];

/** An API answer that was not a success, with the problem+json body when there was one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem> | undefined,
    readonly retryAfterSeconds?: number,
  ) {
    super(problem?.detail ?? `HTTP ${status}`);
  }

  /** Field path → the API's message for it (`pan`, `address.pincode`, ...). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const error of this.problem?.errors ?? []) if (error.field && error.detail) out[error.field] = error.detail;
    if (this.problem?.field && this.problem.detail && Object.keys(out).length === 0) out[this.problem.field] = this.problem.detail;
    return out;
  }
}

/** What to tell a person about an answer of each status. */
const BY_STATUS: Readonly<Record<number, string>> = {
  401: t.errors.sessionEnded,
  403: t.errors.forbidden,
  404: t.errors.notFound,
  409: t.errors.conflict,
  413: t.errors.tooLarge,
  422: t.errors.invalid,
  429: t.errors.tooMany,
};

/** The API's type for a change that would leave no active admin (docs/problems/last-admin.md). */
const LAST_ADMIN = 'https://kyc.dev/problems/last-admin';

/** A 409 by the field it names: the staff accounts' conflicts are not an application's. */
const CONFLICT_BY_FIELD: Readonly<Record<string, string>> = {
  email: t.errors.emailTaken,
  staffId: t.errors.staffIdTaken,
  id: t.errors.ownAccount,
};

/** What to tell a person about a failed call: never a stack or a bare code. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return t.errors.network;
  // A reduced mode says what it is (the banner says it too); any other 503 is a wait.
  if (error.status === 503 && error.problem?.mode) return t.mode[error.problem.mode];
  if (error.status === 503) return t.errors.unavailable(error.retryAfterSeconds);
  // By type first: the last admin's refusal names `id` too, but it is not about one's own account.
  if (error.status === 409 && error.problem?.type === LAST_ADMIN) return t.errors.lastAdmin;
  if (error.status === 409 && error.problem?.field && CONFLICT_BY_FIELD[error.problem.field])
    return CONFLICT_BY_FIELD[error.problem.field] as string;
  return BY_STATUS[error.status] ?? t.errors.unknown(error.problem?.requestId);
}

/** Where the refresh token is kept between page loads of one tab (docs/frontend.md, "Tokens"). */
export interface TokenStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const REFRESH_KEY = 'kyc.refresh';

/**
 * A random UUID (version 4) for Idempotency-Key. Not crypto.randomUUID(): browsers offer it only in secure
 * contexts (HTTPS, localhost), and the app is also served over plain HTTP (make up's NodePort), where every
 * write would fail before it was sent; getRandomValues is there in every context.
 */
export function idempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface ApiOptions {
  base?: string;
  fetch?: typeof fetch;
  store?: TokenStore;
  /** Makes the XMLHttpRequest that uploads a document (progress events); a fake in tests. */
  xhr?: () => XMLHttpRequest;
  /** Waits out a short Retry-After before the one silent retry; instant in tests. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * A 503 that asks for at most this long (a dependency's blip, a breaker's trial, a pod going away) is
 * waited out and sent once more, with the same Idempotency-Key, before the person is told; a longer
 * wait, or a reduced mode, is told at once (docs/frontend.md, how errors are said).
 */
export const SILENT_RETRY_MAX_SECONDS = 5;

export class Api {
  private accessToken: string | undefined;
  private refreshing: Promise<boolean> | undefined;
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;
  private readonly store: TokenStore;
  private readonly makeXhr: () => XMLHttpRequest;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Called when the sign-in ends (refresh refused): the app shows the sign-in form. */
  onSignedOut: () => void = () => undefined;

  constructor(options: ApiOptions = {}) {
    this.base = options.base ?? '/api/v1';
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.store = options.store ?? sessionStorage;
    this.makeXhr = options.xhr ?? (() => new XMLHttpRequest());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Whether a sign-in may be resumed (a refresh token is kept for this tab). */
  hasSession(): boolean {
    return this.accessToken !== undefined || this.store.getItem(REFRESH_KEY) !== null;
  }

  status(): Promise<PlatformStatus> {
    return this.call<PlatformStatus>('GET', '/status', undefined, { auth: false });
  }

  register(email: string, password: string, name?: string): Promise<unknown> {
    return this.call('POST', '/auth/register', { email, password, ...(name ? { name } : {}) }, { auth: false });
  }

  async signIn(email: string, password: string): Promise<User | undefined> {
    try {
      const tokens = await this.call<Tokens>('POST', '/auth/login', { email, password }, { auth: false });
      this.keep(tokens);
      return tokens.user;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) throw new ApiError(401, { ...error.problem, detail: t.errors.signInFailed });
      throw error;
    }
  }

  async signOut(): Promise<void> {
    const refreshToken = this.store.getItem(REFRESH_KEY);
    this.forget();
    if (refreshToken) await this.call('POST', '/auth/logout', { refreshToken }, { auth: false }).catch(() => undefined);
  }

  me(): Promise<User> {
    return this.call<User>('GET', '/auth/me');
  }

  createApplication(purposes: ConsentPurpose[], noticeVersion: string): Promise<Application> {
    return this.call<Application>('POST', '/applications', { consent: { purposes, noticeVersion } });
  }

  getApplication(id: string): Promise<Application> {
    return this.call<Application>('GET', `/applications/${encodeURIComponent(id)}`);
  }

  updateApplicant(id: string, patch: ApplicantPatch): Promise<Application> {
    return this.call<Application>('PATCH', `/applications/${encodeURIComponent(id)}`, patch);
  }

  submit(id: string): Promise<Application> {
    return this.call<Application>('POST', `/applications/${encodeURIComponent(id)}/submit`);
  }

  /**
   * Uploads a document with progress (fetch reports no upload progress, XMLHttpRequest does). The body
   * is JSON with the content in base64, as the API takes it.
   */
  async uploadDocument(id: string, upload: DocumentUpload, onProgress: (percent: number) => void): Promise<void> {
    await this.ensureAccessToken();
    const send = (): Promise<{ status: number; text: string; retryAfter: string | null }> =>
      new Promise((resolve, reject) => {
        const xhr = this.makeXhr();
        xhr.open('POST', `${this.base}/applications/${encodeURIComponent(id)}/documents`);
        xhr.setRequestHeader('Content-Type', 'application/json');
        xhr.setRequestHeader('Idempotency-Key', idempotencyKey());
        if (this.accessToken) xhr.setRequestHeader('Authorization', `Bearer ${this.accessToken}`);
        xhr.upload.onprogress = (event) => {
          if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
        };
        xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText, retryAfter: xhr.getResponseHeader('Retry-After') });
        xhr.onerror = () => reject(new TypeError('network error'));
        xhr.send(JSON.stringify(upload));
      });
    let answer = await send();
    if (answer.status === 401 && (await this.refresh())) answer = await send();
    if (answer.status >= 400) throw new ApiError(answer.status, parseProblem(answer.text), retryAfter(answer.retryAfter));
    onProgress(100);
  }

  notifications(): Promise<{ items: Notification[] }> {
    return this.call('GET', '/notifications');
  }

  /**
   * Staff: the applications waiting for a maker (pending_review) or a checker (pending_approval), oldest
   * first, a page at a time: `after` is the `next` of the page before.
   */
  queue(state: QueueState | undefined, limit = 50, after?: string): Promise<QueuePage> {
    const query = new URLSearchParams({ limit: String(limit), ...(state && { state }), ...(after && { after }) });
    return this.call('GET', `/review/queue?${query.toString()}`);
  }

  /** Admin: the accounts of one role, newest first, 200 at a time (the API's limit): `after` is the `next` of the page before. */
  users(role: User['role'], after?: string): Promise<UserPage> {
    return this.call('GET', `/admin/users?role=${role}&limit=200${after ? `&after=${encodeURIComponent(after)}` : ''}`);
  }

  /** Admin: gives another account a new role (a maker or checker needs a staff id); its sign-ins end. */
  changeRole(id: string, change: RoleChange): Promise<User> {
    return this.call<User>('POST', `/admin/users/${encodeURIComponent(id)}/role`, change);
  }

  /** Admin: a staff account (maker, checker or admin). */
  createUser(user: StaffUser): Promise<User> {
    return this.call<User>('POST', '/admin/users', user);
  }

  /** Admin: disables an account (its sign-ins end) or enables it again. */
  setDisabled(id: string, disabled: boolean): Promise<User> {
    return this.call<User>('POST', `/admin/users/${encodeURIComponent(id)}/${disabled ? 'disable' : 'enable'}`);
  }

  /** Admin: event counts by type and day over the last `days` days. */
  analytics(days: number): Promise<AnalyticsSummary> {
    return this.call<AnalyticsSummary>('GET', `/analytics/summary?days=${days}`);
  }

  /** Staff: one review decision (recommend, request-resubmission, approve, reject, return) with its body. */
  review(id: string, action: ReviewAction, body: Record<string, unknown>): Promise<Application> {
    return this.call<Application>('POST', `/review/${encodeURIComponent(id)}/${action}`, body);
  }

  /** Staff: a document's bytes (the read is audited by the API). */
  async document(id: string, documentId: string): Promise<Blob> {
    const response = await this.respond(
      'GET',
      `/applications/${encodeURIComponent(id)}/documents/${encodeURIComponent(documentId)}`,
      undefined,
      true,
    );
    return response.blob();
  }

  private keep(tokens: Tokens): void {
    this.accessToken = tokens.accessToken;
    if (tokens.refreshToken) this.store.setItem(REFRESH_KEY, tokens.refreshToken);
  }

  private forget(): void {
    this.accessToken = undefined;
    this.store.removeItem(REFRESH_KEY);
  }

  private async ensureAccessToken(): Promise<void> {
    if (this.accessToken === undefined && this.store.getItem(REFRESH_KEY) !== null) await this.refresh();
  }

  /** Swaps the refresh token for new tokens once, however many calls ask at the same time (rotation: a reuse would end the sign-in). */
  private refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      const refreshToken = this.store.getItem(REFRESH_KEY);
      if (!refreshToken) return false;
      try {
        this.keep(await this.call<Tokens>('POST', '/auth/refresh', { refreshToken }, { auth: false }));
        return true;
      } catch (error) {
        // Refused: the sign-in is over. Unreachable: keep the token and let the caller retry later.
        if (error instanceof ApiError && error.status === 401) {
          this.forget();
          this.onSignedOut();
        }
        return false;
      }
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /**
   * The answer to one call, after one refresh on a 401 and one silent retry of a short 503; a failure is
   * an ApiError.
   */
  private async respond(method: string, path: string, body: unknown, auth: boolean): Promise<Response> {
    if (auth) await this.ensureAccessToken();
    // Every write carries a fresh key, kept by its retries: a write the server did before an answer was
    // lost is not done twice.
    const key = method === 'GET' ? undefined : idempotencyKey();
    const send = (): Promise<Response> => {
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      if (key) headers['Idempotency-Key'] = key;
      if (auth && this.accessToken) headers.Authorization = `Bearer ${this.accessToken}`;
      return this.fetchImpl(`${this.base}${path}`, {
        method,
        headers,
        credentials: 'same-origin',
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    };
    let response = await send();
    if (auth && response.status === 401 && (await this.refresh())) response = await send();
    if (response.status === 503) {
      const text = await response.text();
      const problem = parseProblem(text);
      const seconds = retryAfter(response.headers.get('Retry-After'));
      if (problem?.mode !== undefined || seconds === undefined || seconds > SILENT_RETRY_MAX_SECONDS)
        throw new ApiError(503, problem, seconds);
      await this.sleep(seconds * 1000);
      response = await send();
    }
    if (!response.ok)
      throw new ApiError(response.status, parseProblem(await response.text()), retryAfter(response.headers.get('Retry-After')));
    return response;
  }

  private async call<T>(method: string, path: string, body?: unknown, options: { auth?: boolean } = {}): Promise<T> {
    const text = await (await this.respond(method, path, body, options.auth ?? true)).text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

function parseProblem(text: string): Partial<Problem> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function retryAfter(header: string | null): number | undefined {
  const seconds = header === null ? NaN : Number(header);
  return Number.isInteger(seconds) && seconds > 0 ? seconds : undefined;
}
