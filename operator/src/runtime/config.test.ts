import { describe, expect, it } from '@jest/globals';
import { helpText, loadConfig, OPTIONS } from './config.js';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const config = loadConfig([], {});
    expect(config.watchNamespace).toBe('');
    expect(config.metricsPort).toBe(8080);
    // Secure by default, probes apart (docs/security.md, "The operator's /metrics").
    expect(config).toMatchObject({ metricsSecure: true, metricsCertDir: '', healthProbePort: 8081 });
    expect(config.concurrency).toBe(16);
    expect(config.leaderElection).toMatchObject({
      enabled: true,
      leaseName: 'kyc-operator-leader',
      leaseNamespace: 'default',
      leaseDurationMs: 15_000,
    });
    expect(config.leaderElection.identity).not.toBe('');
  });

  it('reads the environment, and flags win over it', () => {
    const config = loadConfig(['--concurrency=8', '--log-level', 'debug', '--leader-elect=false'], {
      WATCH_NAMESPACE: 'team-a',
      CONCURRENCY: '2',
      METRICS_PORT: '9100',
    });
    expect(config).toMatchObject({ watchNamespace: 'team-a', concurrency: 8, metricsPort: 9100, logLevel: 'debug' });
    expect(config.leaderElection.enabled).toBe(false);
    expect(config.leaderElection.leaseNamespace).toBe('team-a');
  });

  it("leaves another server's external metrics APIService alone unless told to take it over", () => {
    expect(loadConfig([], {}).scaling.externalMetricsTakeOver).toBe(false);
    expect(loadConfig([], { EXTERNAL_METRICS_TAKE_OVER: 'true' }).scaling.externalMetricsTakeOver).toBe(true);
    expect(loadConfig(['--external-metrics-take-over=false'], { EXTERNAL_METRICS_TAKE_OVER: 'true' }).scaling.externalMetricsTakeOver).toBe(
      false,
    );
  });

  it('takes the Lease namespace from POD_NAMESPACE when running in a Pod', () => {
    expect(loadConfig([], { POD_NAMESPACE: 'kyc-system' }).leaderElection.leaseNamespace).toBe('kyc-system');
    expect(loadConfig([], { POD_NAMESPACE: 'kyc-system' }).operatorNamespace).toBe('kyc-system');
    expect(loadConfig([], {}).operatorNamespace).toBe('');
  });

  it.each([
    [['--concurrency=0'], {}, /concurrency/],
    [['--log-level=loud'], {}, /log-level/],
    [['--bogus=1'], {}, /unknown flag --bogus/],
    [[], { LEASE_DURATION_SECONDS: '5', RENEW_DEADLINE_SECONDS: '10' }, /retry-period < renew-deadline < lease-duration/],
    [['--resync-period=-3'], {}, /resync-period/],
    [['positional'], {}, /unexpected argument/],
  ])('rejects %j %j', (argv, env, message) => {
    expect(() => loadConfig(argv, env)).toThrow(message);
  });
});

describe('helpText', () => {
  it('lists every flag with its environment variable, and --help and --version', () => {
    const help = helpText('kyc-operator');
    expect(help).toMatch(/^Usage: kyc-operator /);
    for (const option of Object.values(OPTIONS)) {
      expect(help).toMatch(new RegExp(`^  --${option.flag} .*env ${option.env}`, 'm'));
    }
    expect(help).toMatch(/^ {2}--help +print this help/m);
    expect(help).toMatch(/^ {2}--version +print the version/m);
    expect(help).toContain('default 8080');
  });
});
