// A fake gateway for the app's tests: records each request and answers from a list of handlers, so a
// test drives the real Api client (tokens, Idempotency-Keys, problem+json) without a server.
import { Api } from '../api/client.js';
import type { Application, User } from '../api/client.js';

export interface Recorded {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: unknown;
}

export type Answer = { status: number; body?: unknown; headers?: Record<string, string> };
type Handler = (request: Recorded) => Answer | undefined;

export class MemoryStore {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

export function problem(status: number, detail: string, extra: Record<string, unknown> = {}): Answer {
  return { status, body: { type: 'about:blank', title: 'Problem', status, detail, ...extra } };
}

export function fakeGateway(...handlers: Handler[]) {
  const requests: Recorded[] = [];
  const fetchImpl = (input: string, init?: RequestInit): Promise<Response> => {
    const url = new URL(input, 'http://app.test');
    const request: Recorded = {
      method: init?.method ?? 'GET',
      path: url.pathname.replace(/^\/api\/v1/, ''),
      query: url.search.slice(1),
      headers: { ...(init?.headers as Record<string, string> | undefined) },
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    requests.push(request);
    for (const handler of handlers) {
      const answer = handler(request);
      if (answer) {
        const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
        return Promise.resolve(fakeResponse(answer.status, text, answer.headers ?? {}));
      }
    }
    return Promise.resolve(fakeResponse(404, JSON.stringify({ status: 404, title: 'Not Found', detail: 'no fake route' }), {}));
  };
  const store = new MemoryStore();
  // The waits the client asked for, instant here.
  const slept: number[] = [];
  const sleep = (ms: number): Promise<void> => Promise.resolve(void slept.push(ms));
  const api = new Api({ fetch: fetchImpl as typeof fetch, store, sleep });
  return { api, requests, store, slept };
}

/** Enough of a fetch Response for the client (jsdom has no fetch of its own). */
function fakeResponse(status: number, text: string, headers: Record<string, string>): Response {
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: { get: (name: string) => lower[name.toLowerCase()] ?? null },
    text: () => Promise.resolve(text),
  } as unknown as Response;
}

export const route =
  (method: string, path: string | RegExp, answer: Answer | ((request: Recorded) => Answer)): Handler =>
  (request) => {
    const matches = request.method === method && (typeof path === 'string' ? request.path === path : path.test(request.path));
    if (!matches) return undefined;
    return typeof answer === 'function' ? answer(request) : answer;
  };

export const signedInTokens = (n = 1): Answer => ({
  status: 200,
  body: { accessToken: `access-${n}`, refreshToken: `refresh-${n}`, tokenType: 'Bearer', expiresIn: 900 },
});

/** An application as the API answers it, with `overrides`. */
export function anApplication(overrides: Partial<Application> = {}): Application {
  return {
    id: 'app-1',
    state: 'draft',
    ownerId: 'customer-1',
    createdAt: '2026-12-05T10:00:00Z',
    updatedAt: '2026-12-05T10:00:00Z',
    submittedAt: null,
    decidedAt: null,
    expiresAt: null,
    applicant: {},
    documents: [],
    consents: [],
    review: {},
    risk: {},
    screeningBand: null,
    ...overrides,
  };
}

export const aUser = (id: string, role: User['role']): User => ({ id, role, email: `${id}@bank.example` });
