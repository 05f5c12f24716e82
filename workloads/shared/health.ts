// `/health` in the fixed format monitoring reads (docs/workload-contract.md): uptime, message, timestamp
// and checks {database, cache, externalAPIs}, 200 when every check is OK and 503 otherwise. A check a
// service does not need is reported OK.
export type CheckResult = 'OK' | 'ERROR';
export type HealthCheck = () => Promise<boolean> | boolean;

export interface HealthChecks {
  database?: HealthCheck;
  cache?: HealthCheck;
  externalAPIs?: HealthCheck;
}

export interface HealthReport {
  uptime: number;
  message: 'OK' | 'ERROR';
  timestamp: number;
  checks: { database: CheckResult; cache: CheckResult; externalAPIs: CheckResult };
}

async function run(check: HealthCheck | undefined, timeoutMs: number): Promise<CheckResult> {
  if (!check) return 'OK';
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    return (await Promise.race([Promise.resolve().then(check), timeout])) ? 'OK' : 'ERROR';
  } catch {
    return 'ERROR';
  } finally {
    clearTimeout(timer);
  }
}

export async function healthReport(checks: HealthChecks, timeoutMs = 1500, now: () => number = Date.now): Promise<HealthReport> {
  const [database, cache, externalAPIs] = await Promise.all([
    run(checks.database, timeoutMs),
    run(checks.cache, timeoutMs),
    run(checks.externalAPIs, timeoutMs),
  ]);
  const ok = database === 'OK' && cache === 'OK' && externalAPIs === 'OK';
  return { uptime: process.uptime(), message: ok ? 'OK' : 'ERROR', timestamp: now(), checks: { database, cache, externalAPIs } };
}
