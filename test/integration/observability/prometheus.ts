// A real Prometheus for a test: Debian's server binary beside promtool (hack/ensure-promtool.sh --dir),
// a temporary configuration with static targets (Debian builds it without Kubernetes service
// discovery: docs/observability.md), a private TSDB, and its HTTP API.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as yaml from 'js-yaml';
import { eventually } from '../../support/env.js';
import { freePort } from '../../support/processes.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export interface ScrapeJob {
  name: string;
  /** host:port of each target, with the labels the scrape attaches (namespace, pod, as in a cluster). */
  targets: { address: string; labels: Record<string, string> }[];
  honorLabels?: boolean;
  /** HTTPS with this bearer token (`authorization`), without verifying the certificate (`tls_config`). */
  bearerToken?: string;
}

export interface PromSeries {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RunningPrometheus {
  url: string;
  /** An instant query; throws with Prometheus' error when the query fails. */
  query(expr: string): Promise<PromSeries[]>;
  /** GET an API path (e.g. /api/v1/rules) and return its `data`. */
  api<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

/** Starts Prometheus scraping `jobs` every second and evaluating `ruleFiles` every second. */
export async function startPrometheus(jobs: ScrapeJob[], ruleFiles: string[] = []): Promise<RunningPrometheus> {
  const dir = (await promisify(execFile)(join(root, 'hack/ensure-promtool.sh'), ['--dir'], { cwd: root })).stdout.trim();
  const scratch = mkdtempSync(join(tmpdir(), 'kyc-prometheus-'));
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: ruleFiles,
    scrape_configs: jobs.map((job) => ({
      job_name: job.name,
      honor_labels: job.honorLabels ?? false,
      static_configs: job.targets.map((t) => ({ targets: [t.address], labels: t.labels })),
      // The operator's secure /metrics as a ServiceMonitor of the chart scrapes it: a ServiceAccount's
      // token, TLS without verification (its certificate is self-signed at start).
      ...(job.bearerToken
        ? {
            scheme: 'https',
            authorization: { type: 'Bearer', credentials: job.bearerToken },
            tls_config: { insecure_skip_verify: true, min_version: 'TLS13' },
          }
        : {}),
    })),
  };
  writeFileSync(join(scratch, 'prometheus.yml'), yaml.dump(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  const child: ChildProcess = spawn(
    join(dir, 'prometheus'),
    [
      `--config.file=${join(scratch, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(scratch, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    await eventually(
      'Prometheus to be ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}: ${output.join('')}`);
        return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok;
      },
      20_000,
      100,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const api = async <T>(path: string): Promise<T> => {
    const body = (await (await fetch(`${url}${path}`)).json()) as { status: string; data: T; error?: string; errorType?: string };
    if (body.status !== 'success') throw new Error(`${path}: ${body.errorType ?? ''} ${body.error ?? ''}`);
    return body.data;
  };
  return {
    url,
    api,
    async query(expr) {
      const data = await api<{ resultType: string; result: PromSeries[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
      return data.resultType === 'vector' ? data.result : [];
    },
    stop,
  };
}
