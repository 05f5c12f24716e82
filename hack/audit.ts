// `make audit`: fails when a production dependency has a known high or critical vulnerability.
//
// First choice is `npm audit --omit=dev --audit-level=high`. On machines whose network reaches only
// the registry's package documents (the advisory endpoint answers 405 or 404 there), it falls back to
// what the registry still tells us about every production package in package-lock.json:
//   - the version is deprecated with a message about security (a CVE, "vulnerab", "security") → fail;
//     other deprecations are printed as warnings;
//   - the tarball integrity recorded in the lock file differs from the registry's → fail (a tampered
//     or re-published package).
// The fallback cannot see advisories that came without a deprecation: docs/security.md says so.
// Runs on Node 24's type stripping (no build step), hence erasable TypeScript only.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

interface LockEntry {
  version?: string;
  integrity?: string;
  dev?: boolean;
  devOptional?: boolean;
  link?: boolean;
}

interface Finding {
  pkg: string;
  problem: string;
  fatal: boolean;
}

type AuditOutcome = { kind: 'report'; high: number; critical: number; names: string[] } | { kind: 'unreachable'; reason: string };

async function npmAudit(): Promise<AuditOutcome> {
  let stdout: string;
  try {
    ({ stdout } = await run('npm', ['audit', '--omit=dev', '--json'], { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }));
  } catch (error) {
    // npm audit exits non-zero both when it found vulnerabilities and when it could not ask.
    stdout = (error as { stdout?: string }).stdout ?? '';
  }
  let report: {
    message?: string;
    error?: { summary?: string };
    metadata?: { vulnerabilities?: Record<string, number> };
    vulnerabilities?: Record<string, { severity: string }>;
  };
  try {
    report = JSON.parse(stdout) as typeof report;
  } catch {
    return { kind: 'unreachable', reason: 'npm audit printed no JSON report' };
  }
  const counts = report.metadata?.vulnerabilities;
  if (report.error || !counts)
    return { kind: 'unreachable', reason: report.message ?? (report.error?.summary || 'no vulnerability counts in the report') };
  const names = Object.entries(report.vulnerabilities ?? {})
    .filter(([, v]) => v.severity === 'high' || v.severity === 'critical')
    .map(([name, v]) => `${name} (${v.severity})`);
  return { kind: 'report', high: counts.high ?? 0, critical: counts.critical ?? 0, names };
}

function productionPackages(lockPath: string): Array<{ name: string; version: string; integrity?: string }> {
  const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as { packages: Record<string, LockEntry> };
  const out: Array<{ name: string; version: string; integrity?: string }> = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev || entry.devOptional || entry.link || !entry.version) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    out.push({ name, version: entry.version, ...(entry.integrity && { integrity: entry.integrity }) });
  }
  return out;
}

const SECURITY_WORDS = /security|vulnerab|CVE-\d{4}-\d+|GHSA-/i;

async function registryCheck(registry: string, pkg: { name: string; version: string; integrity?: string }): Promise<Finding[]> {
  const url = `${registry.replace(/\/+$/, '')}/${pkg.name.replace('/', '%2f')}/${pkg.version}`;
  let manifest: { deprecated?: string; dist?: { integrity?: string } } | undefined;
  for (let attempt = 0; attempt < 3 && !manifest; attempt += 1) {
    try {
      const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(20_000) });
      if (response.ok) manifest = (await response.json()) as typeof manifest;
      else if (response.status === 404) return [{ pkg: `${pkg.name}@${pkg.version}`, problem: 'not found in the registry', fatal: true }];
    } catch {
      // retried below; a registry that never answers fails the check
    }
  }
  if (!manifest) return [{ pkg: `${pkg.name}@${pkg.version}`, problem: 'the registry did not answer', fatal: true }];
  const findings: Finding[] = [];
  if (manifest.deprecated) {
    findings.push({
      pkg: `${pkg.name}@${pkg.version}`,
      problem: `deprecated: ${manifest.deprecated}`,
      fatal: SECURITY_WORDS.test(manifest.deprecated),
    });
  }
  const published = manifest.dist?.integrity;
  if (pkg.integrity && published && pkg.integrity !== published) {
    findings.push({
      pkg: `${pkg.name}@${pkg.version}`,
      problem: `integrity ${pkg.integrity} in package-lock.json, ${published} in the registry`,
      fatal: true,
    });
  }
  return findings;
}

async function fallback(): Promise<number> {
  const { stdout } = await run('npm', ['config', 'get', 'registry']);
  const registry = stdout.trim() || 'https://registry.npmjs.org/';
  const packages = productionPackages(process.argv[2] ?? 'package-lock.json');
  const findings: Finding[] = [];
  const queue = [...packages];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let pkg = queue.shift(); pkg; pkg = queue.shift()) findings.push(...(await registryCheck(registry, pkg)));
    }),
  );
  for (const f of findings) console.log(`${f.fatal ? 'FAIL' : 'warn'} ${f.pkg}: ${f.problem}`);
  const fatal = findings.filter((f) => f.fatal).length;
  console.log(
    `audit (registry fallback): ${packages.length} production packages checked, ${fatal} failing, ${findings.length - fatal} warnings`,
  );
  return fatal === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  const outcome = await npmAudit();
  if (outcome.kind === 'report') {
    for (const name of outcome.names) console.log(`FAIL ${name}`);
    console.log(`audit (npm audit --omit=dev): ${outcome.high} high, ${outcome.critical} critical`);
    return outcome.high + outcome.critical === 0 ? 0 : 1;
  }
  console.log(
    `npm audit could not ask the advisory database (${outcome.reason}); checking deprecations and integrity in the registry instead`,
  );
  return fallback();
}

process.exitCode = await main();
