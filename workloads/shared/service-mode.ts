// The platform's reduced-functionality modes (docs/api.md, "Degradation"; docs/workload-contract.md): an
// admin forces one with spec.degradation.mode, the operator writes it to the live settings, and every
// service follows within seconds through this one gate, installed by the Service (http.ts) in front of
// every route but the probes:
//
//   Normal       everything served.
//   ReadOnly     reads (GET, HEAD, OPTIONS) served; every other method answers 503 + Retry-After with the
//                problem type read-only-mode, before its body is even parsed, so nothing is half-written.
//                Signing in, refreshing and signing out stay open: they touch sessions only, not KYC
//                records, and without them a customer could not read the very data the mode keeps readable.
//   Maintenance  every request answers 503 + Retry-After (problem type maintenance), except the public
//                status endpoint, which says why, and the web app's page and files (GET/HEAD of / and
//                /assets/..., served by the gateway), which show it to people (docs/frontend.md).
//
// Under a reduced mode every answer, served or refused, carries `KYC-Service-Mode: <mode>`, so a client
// can tell "the platform chose to refuse" from "the platform is broken".
import type { RequestHandler } from 'express';
import { PROBLEM_BASE, ProblemError, sendProblem } from './problem.js';

export const SERVICE_MODES = ['Normal', 'ReadOnly', 'Maintenance'] as const;
export type ServiceMode = (typeof SERVICE_MODES)[number];

export function isServiceMode(value: unknown): value is ServiceMode {
  return typeof value === 'string' && (SERVICE_MODES as readonly string[]).includes(value);
}

/** What answers carry under a reduced mode (absent in Normal). */
export const SERVICE_MODE_HEADER = 'KYC-Service-Mode';

/**
 * Features a service serves reduced while it still answers (comma-separated, in users' words): the kyc
 * service parks applications while the KMS is away, so `automatic-checks` wait (docs/security.md,
 * "Writes while the KMS is away"). The gateway lists them in GET /api/v1/status for 30 s after an answer
 * that carried them.
 */
export const REDUCED_FEATURES_HEADER = 'KYC-Reduced-Features';

/** The gateway's public status endpoint: served in every mode (it is how users learn the mode). */
export const PUBLIC_STATUS_PATH = '/api/v1/status';

/** A forced mode lasts minutes, not seconds: a client retrying sooner mostly meets the same refusal. */
export const MODE_RETRY_AFTER_SECONDS = 60;

export const READ_ONLY_PROBLEM = `${PROBLEM_BASE}read-only-mode`;
export const MAINTENANCE_PROBLEM = `${PROBLEM_BASE}maintenance`;

/** Methods that change nothing: served under ReadOnly (OPTIONS is a CORS preflight, not a write). */
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Session routes, served under ReadOnly: they write sessions, never KYC records (see the header). */
const SESSION_PATHS = new Set(['/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/logout']);

/** Where the mode in force comes from (LiveSettings in a service; a constant in tests). */
export interface ModeSource {
  mode(): ServiceMode;
}

/** What the platform reduces under each forced mode, as the public status shows it. */
export const MODE_REDUCES: Readonly<Record<ServiceMode, readonly string[]>> = {
  Normal: [],
  ReadOnly: ['writes'],
  Maintenance: ['api'],
};

/** The web app's page and its hashed files: static, and how a person learns the mode (docs/frontend.md). */
function isWebAppFile(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && (path === '/' || path.startsWith('/assets/'));
}

/** Whether a request is served under `mode`, or the problem it is refused with. Pure. */
export function modeVerdict(mode: ServiceMode, method: string, path: string): ProblemError | undefined {
  if (mode === 'Normal' || path === PUBLIC_STATUS_PATH || isWebAppFile(method.toUpperCase(), path)) return undefined;
  const headers = { 'Retry-After': String(MODE_RETRY_AFTER_SECONDS) };
  if (mode === 'Maintenance') {
    return new ProblemError(
      503,
      'the platform is in maintenance: no request is served until it ends; GET /api/v1/status says when it is over',
      {
        type: MAINTENANCE_PROBLEM,
        title: 'Maintenance',
        headers,
        extensions: { mode },
      },
    );
  }
  if (READ_METHODS.has(method.toUpperCase()) || SESSION_PATHS.has(path)) return undefined;
  return new ProblemError(503, 'the platform is read-only for now: reads are served, changes are refused; retry later', {
    type: READ_ONLY_PROBLEM,
    title: 'Read-only mode',
    headers,
    extensions: { mode },
  });
}

/** The gate every Service installs in front of its routes (http.ts); reads the mode per request. */
export function modeGate(source: () => ModeSource | undefined): RequestHandler {
  return (req, res, next) => {
    const mode = source()?.mode() ?? 'Normal';
    if (mode === 'Normal') return next();
    res.setHeader(SERVICE_MODE_HEADER, mode);
    const refused = modeVerdict(mode, req.method, req.path);
    if (!refused) return next();
    sendProblem(res, refused, req.originalUrl.split('?')[0], req.id);
  };
}
