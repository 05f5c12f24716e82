// Operator configuration: every flag and environment variable in one place, validated, with defaults.
// A flag (`--metrics-port=9090` or `--metrics-port 9090`) wins over the environment variable.
import { hostname } from 'node:os';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface OperatorConfig {
  /** Path of a kubeconfig file; empty = KUBECONFIG / ~/.kube/config, or in-cluster when running in a Pod. */
  kubeconfig: string;
  /** Namespace to watch; empty = all namespaces. */
  watchNamespace: string;
  /** The operator's own namespace (POD_NAMESPACE in a Pod); empty out of cluster. */
  operatorNamespace: string;
  /** Port of /metrics; 0 picks a free port. */
  metricsPort: number;
  metricsHost: string;
  /** /metrics over HTTPS for callers with a token and the right to get /metrics (docs/security.md); false: plain HTTP, open. */
  metricsSecure: boolean;
  /** Directory with tls.crt and tls.key for /metrics (a mounted Secret); empty = a self-signed certificate made at start. */
  metricsCertDir: string;
  /** Port of /healthz and /readyz (plain HTTP, the kubelet's probes); 0 picks a free port. */
  healthProbePort: number;
  leaderElection: {
    enabled: boolean;
    leaseName: string;
    leaseNamespace: string;
    identity: string;
    leaseDurationMs: number;
    renewDeadlineMs: number;
    retryPeriodMs: number;
  };
  /** How many platforms are reconciled at the same time. */
  concurrency: number;
  /** Every platform is reconciled at least this often, even without events. */
  resyncPeriodMs: number;
  /** While a platform is rolling out, look at it again after this delay. */
  progressRequeueMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  logLevel: LogLevel;
  /** Custom-metric scaling (operator/src/scaling, operator/src/metrics-api; docs/autoscaling.md). */
  scaling: {
    /** Prometheus base URL for request rate and latency; empty = scrape the pods' /metrics. */
    prometheusUrl: string;
    pollIntervalMs: number;
    /** namespace/name of the Service in front of the external metrics API; undefined = not served. */
    externalMetricsService: { namespace: string; name: string; port: number } | undefined;
    externalMetricsPort: number;
    externalMetricsHost: string;
    /** Register the APIService even when another server holds it (the scaling test suites); off: leave it to its owner. */
    externalMetricsTakeOver: boolean;
  };
}

interface Option {
  flag: string;
  env: string;
  description: string;
  default: string;
}

/** Every setting, with the flag and variable that set it (docs/operator.md lists the same table). */
export const OPTIONS = {
  kubeconfig: { flag: 'kubeconfig', env: 'KUBECONFIG', description: 'kubeconfig file; empty = in-cluster or ~/.kube/config', default: '' },
  watchNamespace: { flag: 'watch-namespace', env: 'WATCH_NAMESPACE', description: 'namespace to watch; empty = all', default: '' },
  metricsPort: { flag: 'metrics-port', env: 'METRICS_PORT', description: 'port of /metrics', default: '8080' },
  metricsHost: {
    flag: 'metrics-host',
    env: 'METRICS_HOST',
    description: 'address the metrics and probe servers listen on',
    default: '0.0.0.0',
  },
  metricsSecure: {
    flag: 'metrics-secure',
    env: 'METRICS_SECURE',
    description: '/metrics over HTTPS (TLS 1.3) with TokenReview + SubjectAccessReview; false = plain HTTP, no authentication',
    default: 'true',
  },
  metricsCertDir: {
    flag: 'metrics-cert-dir',
    env: 'METRICS_CERT_DIR',
    description: 'directory of tls.crt and tls.key for /metrics; empty = self-signed at start',
    default: '',
  },
  healthProbePort: {
    flag: 'health-probe-port',
    env: 'HEALTH_PROBE_PORT',
    description: 'port of /healthz and /readyz (plain HTTP)',
    default: '8081',
  },
  leaderElect: {
    flag: 'leader-elect',
    env: 'LEADER_ELECT',
    description: 'use a Lease so that only one replica reconciles',
    default: 'true',
  },
  leaseName: { flag: 'lease-name', env: 'LEASE_NAME', description: 'name of the leader-election Lease', default: 'kyc-operator-leader' },
  leaseNamespace: {
    flag: 'lease-namespace',
    env: 'LEASE_NAMESPACE',
    description: 'namespace of the Lease; empty = POD_NAMESPACE, the watched namespace, or default',
    default: '',
  },
  identity: { flag: 'identity', env: 'POD_NAME', description: 'this replica in the Lease; empty = hostname + pid', default: '' },
  leaseDuration: {
    flag: 'lease-duration',
    env: 'LEASE_DURATION_SECONDS',
    description: 'seconds a standby waits before taking over',
    default: '15',
  },
  renewDeadline: {
    flag: 'renew-deadline',
    env: 'RENEW_DEADLINE_SECONDS',
    description: 'seconds the leader keeps trying to renew before it steps down',
    default: '10',
  },
  retryPeriod: { flag: 'retry-period', env: 'RETRY_PERIOD_SECONDS', description: 'seconds between Lease attempts', default: '2' },
  concurrency: { flag: 'concurrency', env: 'CONCURRENCY', description: 'platforms reconciled in parallel', default: '16' },
  resyncPeriod: { flag: 'resync-period', env: 'RESYNC_PERIOD_SECONDS', description: 'seconds between full resyncs', default: '300' },
  progressRequeue: {
    flag: 'progress-requeue',
    env: 'PROGRESS_REQUEUE_SECONDS',
    description: 'seconds before a rolling-out platform is looked at again',
    default: '10',
  },
  retryBase: { flag: 'retry-base', env: 'RETRY_BASE_MS', description: 'first retry delay of a failed reconcile, ms', default: '500' },
  retryMax: { flag: 'retry-max', env: 'RETRY_MAX_MS', description: 'largest retry delay of a failed reconcile, ms', default: '60000' },
  logLevel: { flag: 'log-level', env: 'LOG_LEVEL', description: 'debug, info, warn or error', default: 'info' },
  prometheusUrl: {
    flag: 'prometheus-url',
    env: 'PROMETHEUS_URL',
    description: 'Prometheus base URL for requestRate/latency; empty = scrape pod /metrics',
    default: '',
  },
  metricsPoll: {
    flag: 'metrics-poll-interval',
    env: 'METRICS_POLL_SECONDS',
    description: 'seconds between reads of each custom metric',
    // A rate over the last 5 s is full a step load's 5 s in, before the HPA's next 15 s sync; a 10 s poll
    // could still show the step half-done then and cost a whole sync (docs/benchmarks.md, "Autoscaling").
    default: '5',
  },
  externalMetricsService: {
    flag: 'external-metrics-service',
    env: 'EXTERNAL_METRICS_SERVICE',
    description: 'namespace/name[:port] of the Service in front of the external metrics API; empty = do not serve it',
    default: '',
  },
  externalMetricsPort: {
    flag: 'external-metrics-port',
    env: 'EXTERNAL_METRICS_PORT',
    description: 'HTTPS port of the external metrics API; 0 picks one',
    default: '6443',
  },
  externalMetricsHost: {
    flag: 'external-metrics-host',
    env: 'EXTERNAL_METRICS_HOST',
    description: 'address the external metrics API listens on',
    default: '0.0.0.0',
  },
  externalMetricsTakeOver: {
    flag: 'external-metrics-take-over',
    env: 'EXTERNAL_METRICS_TAKE_OVER',
    description: 'register the external metrics APIService even when another server (KEDA, prometheus-adapter) holds it',
    default: 'false',
  },
} satisfies Record<string, Option>;

type OptionName = keyof typeof OPTIONS;

/** `--help`: every flag with its variable and default, from OPTIONS (the table docs/operator.md lists). */
export function helpText(program: string): string {
  const rows = Object.values(OPTIONS as Record<string, Option>).map((o) => ({
    left: `--${o.flag}`,
    right: `${o.description} (env ${o.env}${o.default === '' ? '' : `, default ${o.default}`})`,
  }));
  const width = Math.max(...rows.map((r) => r.left.length));
  return [
    `Usage: ${program} [--flag=value | --flag value ...]`,
    '',
    'Runs the KycPlatform controller. A flag wins over its environment variable.',
    '',
    ...rows.map((r) => `  ${r.left.padEnd(width)}  ${r.right}`),
    `  ${'--help'.padEnd(width)}  print this help and exit`,
    `  ${'--version'.padEnd(width)}  print the version and exit`,
    '',
  ].join('\n');
}

function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf('=');
    if (eq > 0) {
      flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        flags.set(arg.slice(2), next);
        i += 1;
      } else {
        flags.set(arg.slice(2), 'true');
      }
    }
  }
  const known = new Set(Object.values(OPTIONS).map((o) => o.flag));
  for (const name of flags.keys()) {
    if (!known.has(name)) throw new Error(`unknown flag --${name}`);
  }
  return flags;
}

function integer(name: string, raw: string, min: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  return value;
}

function seconds(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number of seconds, got ${JSON.stringify(raw)}`);
  return Math.round(value * 1000);
}

function bool(name: string, raw: string): boolean {
  if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
  if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
  throw new Error(`${name} must be true or false, got ${JSON.stringify(raw)}`);
}

/** Reads the configuration from command-line flags and environment variables; throws on bad values. */
export function loadConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): OperatorConfig {
  const flags = parseFlags(argv);
  const get = (name: OptionName): string => {
    const option = OPTIONS[name];
    return flags.get(option.flag) ?? env[option.env] ?? option.default;
  };
  const logLevel = get('logLevel');
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel))
    throw new Error(`log-level must be debug, info, warn or error, got ${JSON.stringify(logLevel)}`);
  const watchNamespace = get('watchNamespace');
  const leaseDurationMs = seconds('lease-duration', get('leaseDuration'));
  const renewDeadlineMs = seconds('renew-deadline', get('renewDeadline'));
  const retryPeriodMs = seconds('retry-period', get('retryPeriod'));
  if (!(retryPeriodMs < renewDeadlineMs && renewDeadlineMs < leaseDurationMs)) {
    throw new Error('leader election needs retry-period < renew-deadline < lease-duration');
  }
  const retryBaseMs = integer('retry-base', get('retryBase'), 1);
  const retryMaxMs = integer('retry-max', get('retryMax'), retryBaseMs);
  return {
    kubeconfig: get('kubeconfig'),
    watchNamespace,
    operatorNamespace: env.POD_NAMESPACE ?? '',
    metricsPort: integer('metrics-port', get('metricsPort'), 0),
    metricsHost: get('metricsHost'),
    metricsSecure: bool('metrics-secure', get('metricsSecure')),
    metricsCertDir: get('metricsCertDir'),
    healthProbePort: integer('health-probe-port', get('healthProbePort'), 0),
    leaderElection: {
      enabled: bool('leader-elect', get('leaderElect')),
      leaseName: get('leaseName'),
      leaseNamespace: get('leaseNamespace') || env.POD_NAMESPACE || watchNamespace || 'default',
      identity: get('identity') || `${hostname()}-${process.pid}`,
      leaseDurationMs,
      renewDeadlineMs,
      retryPeriodMs,
    },
    concurrency: integer('concurrency', get('concurrency'), 1),
    resyncPeriodMs: seconds('resync-period', get('resyncPeriod')),
    progressRequeueMs: seconds('progress-requeue', get('progressRequeue')),
    retryBaseMs,
    retryMaxMs,
    logLevel: logLevel as LogLevel,
    scaling: {
      prometheusUrl: get('prometheusUrl'),
      pollIntervalMs: seconds('metrics-poll-interval', get('metricsPoll')),
      externalMetricsService: serviceRef(get('externalMetricsService')),
      externalMetricsPort: integer('external-metrics-port', get('externalMetricsPort'), 0),
      externalMetricsHost: get('externalMetricsHost'),
      externalMetricsTakeOver: bool('external-metrics-take-over', get('externalMetricsTakeOver')),
    },
  };
}

/** `namespace/name[:port]` (port default 443), or undefined when empty. */
function serviceRef(raw: string): { namespace: string; name: string; port: number } | undefined {
  if (raw === '') return undefined;
  const match = /^([a-z0-9-]+)\/([a-z0-9-]+)(?::([0-9]+))?$/.exec(raw);
  if (!match) throw new Error(`external-metrics-service must be namespace/name[:port], got ${JSON.stringify(raw)}`);
  return {
    namespace: match[1] as string,
    name: match[2] as string,
    port: match[3] ? integer('external-metrics-service port', match[3], 1) : 443,
  };
}
