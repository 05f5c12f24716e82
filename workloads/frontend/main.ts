// The web app's server (docs/frontend.md, "How it runs"): the build of frontend/ (dist/web in the image)
// read into memory at start-up and answered by exact match, with the caching and the Content-Security-Policy
// of web-app.ts; the gateway forwards the app's paths (GET/HEAD outside /api/) here. It holds no
// credential and opens no connection: no PostgreSQL, Redis, Kafka or KMS, and no token verification —
// the files are public and the same for everyone, so its NetworkPolicy lets only the gateway in and
// nothing but DNS out. Start-up and drain are the shared ones (../shared/startup.ts): TLS under
// KYC_TLS_DIR, /ready, /livez, /metrics and /health on METRICS_PORT, SIGTERM drains.
import { commonEnv, loadConfig, runUntilSignalled, startService } from '../shared/index.js';
import type { RunningService, StartOptions } from '../shared/index.js';
import { guardedServer } from '../gateway/edge.js';
import { DEFAULT_WEB_APP_DIR, loadWebApp, serveWebApp } from './web-app.js';

export const frontendEnv = commonEnv;

export interface FrontendStartOptions extends StartOptions {
  /** The built web app (default: dist/web beside the compiled workloads, as the image has it). */
  webAppDir?: string;
}

export type RunningFrontend = RunningService<{ files: number }>;

export async function startFrontend(options: FrontendStartOptions = {}): Promise<RunningFrontend> {
  const config = loadConfig(frontendEnv, options.env);
  const dir = options.webAppDir ?? DEFAULT_WEB_APP_DIR;
  // Read before the listener opens: a pod without a build never turns Ready (the image always has one).
  const files = loadWebApp(dir);
  if (!files) throw new Error(`no web app build in ${dir} (index.html missing): build it with \`make build\``);
  return startService({
    component: 'frontend',
    config,
    options,
    http: { parseJson: false },
    // The same raw-target check as the gateway's edge (defence in depth: only the gateway calls this pod,
    // and exact-match serving never reaches the file system anyway).
    createServer: (app, { metrics, tls }) => {
      const refused = metrics.counter('kyc_frontend_refused_requests_total', 'Requests refused at the edge before routing');
      return guardedServer(app, { tls, responseHeaders: {}, onRefused: () => refused.inc() });
    },
    wire: ({ service, logger }) => {
      service.app.use(serveWebApp(files));
      logger.info({ files: files.size }, 'serving the web app');
      return Promise.resolve({ files: files.size });
    },
  });
}

export const main = (): Promise<void> => runUntilSignalled(() => startFrontend());
