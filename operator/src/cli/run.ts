// One run of `kubectl kyc`: parse, talk to the cluster, print, and answer the exit code (0 done, 1
// failed, 2 usage error). The terminal, the clock and the cluster are handed in, so the unit tests drive
// every command against a fake cluster and the integration suite against the real API server.
import { desiredComponentNames } from '../api/defaults.js';
import type { KycPlatform } from '../api/types.js';
import { packageVersion } from '../version.js';
import { parseArgs, UsageError, USAGE, type Command, type Invocation } from './args.js';
import type { PlatformCluster } from './cluster.js';
import { explainScaling, formatExplanation } from './explain.js';
import { formatStatus } from './format.js';
import { painter, type Paint } from './paint.js';
import { decideRequest } from './requests.js';
import { summarize, type PlatformSummary } from './summary.js';
import { formatVersions, type OperatorDeployment } from './versions.js';

export interface Terminal {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
  now(): Date;
  /** Ends `status --watch` (SIGINT in main.ts). */
  signal?: AbortSignal;
  /** How often `status --watch` reads the platform again. */
  watchIntervalMs?: number;
}

export type Connect = (options: Invocation['options']) => PlatformCluster;

/** A failure the user should read as it is (no stack): exit code 1. */
class Failure extends Error {}

export async function run(argv: readonly string[], terminal: Terminal, connect: Connect): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    terminal.stderr.write(`kubectl kyc: ${error.message}\nRun 'kubectl kyc --help' for usage.\n`);
    return 2;
  }
  const { command, options } = invocation;
  const paint = painter(!options.noColor && !terminal.env.NO_COLOR && terminal.stdout.isTTY === true && options.output === 'text');
  const context: CommandContext = { terminal, paint, json: options.output === 'json', connect: () => connect(options) };
  try {
    return await execute(command, context);
  } catch (error) {
    terminal.stderr.write(`kubectl kyc: ${(error as Error).message}\n`);
    return 1;
  }
}

interface CommandContext {
  terminal: Terminal;
  paint: Paint;
  json: boolean;
  connect: () => PlatformCluster;
}

async function execute(command: Command, ctx: CommandContext): Promise<number> {
  const { terminal, paint, json } = ctx;
  switch (command.kind) {
    case 'help':
      terminal.stdout.write(USAGE);
      return 0;
    case 'version': {
      const plugin = packageVersion();
      // The plugin's own version is printed even when the cluster cannot be reached (then exit 1).
      let operators: OperatorDeployment[];
      try {
        operators = await ctx.connect().operatorDeployments();
      } catch (error) {
        terminal.stdout.write(json ? `${JSON.stringify({ plugin }, null, 2)}\n` : `kubectl-kyc ${plugin}\n`);
        throw error;
      }
      const report = { plugin, operators };
      terminal.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatVersions(report, paint));
      return 0;
    }
    case 'status':
      return command.watch ? watchStatus(command.name, ctx) : printStatus(command.name, ctx);
    case 'promote':
    case 'abort':
    case 'rollback': {
      const cluster = ctx.connect();
      const platform = await mustGet(cluster, command.name);
      const decision = decideRequest(command.kind, platform, terminal.now());
      if (!decision.ok) throw new Failure(decision.message);
      await cluster.change(command.name, decision.change);
      const result = {
        platform: `${cluster.namespace}/${command.name}`,
        request: command.kind,
        change: decision.change,
        message: decision.message,
      };
      terminal.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${decision.message}\n`);
      return 0;
    }
    case 'explain-scaling': {
      const platform = await mustGet(ctx.connect(), command.name);
      const enabled = desiredComponentNames(platform.spec);
      if (command.component && !enabled.includes(command.component)) {
        throw new Failure(
          `component ${command.component} is not enabled in KycPlatform ${platform.metadata.namespace ?? ''}/${command.name}`,
        );
      }
      const explanation = explainScaling(platform, command.component ? [command.component] : enabled, terminal.now());
      terminal.stdout.write(json ? `${JSON.stringify(explanation, null, 2)}\n` : formatExplanation(explanation, paint));
      return 0;
    }
  }
}

async function mustGet(cluster: PlatformCluster, name: string): Promise<KycPlatform> {
  const platform = await cluster.getPlatform(name);
  if (!platform) throw new Failure(`KycPlatform ${cluster.namespace}/${name} not found`);
  return platform;
}

async function readSummary(cluster: PlatformCluster, name: string): Promise<PlatformSummary> {
  const platform = await mustGet(cluster, name);
  return summarize(platform, await cluster.listDeployments(name));
}

function render(summary: PlatformSummary, ctx: CommandContext, compact = false): string {
  if (ctx.json) return `${JSON.stringify(summary, null, compact ? undefined : 2)}\n`;
  return formatStatus(summary, ctx.terminal.now(), ctx.paint);
}

/** Exits 1 for a Failed or Degraded platform or a failed release, so that scripts can test it. */
async function printStatus(name: string, ctx: CommandContext): Promise<number> {
  const summary = await readSummary(ctx.connect(), name);
  ctx.terminal.stdout.write(render(summary, ctx));
  return summary.healthy ? 0 : 1;
}

/**
 * Prints the status again whenever it changes, until the signal ends the watch (exit 0). Polling, not a
 * watch: level-based like the operator, nothing to resume after a dropped connection, and the relative
 * times of a terminal's frame move on anyway. A pipe (or -o json: one line per change) gets a new frame
 * only when the platform changed; a terminal is redrawn in place every interval.
 */
async function watchStatus(name: string, ctx: CommandContext): Promise<number> {
  const { terminal } = ctx;
  const cluster = ctx.connect();
  const redraw = terminal.stdout.isTTY === true && !ctx.json;
  let last = '';
  while (!terminal.signal?.aborted) {
    try {
      const summary = await readSummary(cluster, name);
      const key = JSON.stringify(summary);
      if (redraw) terminal.stdout.write(`\x1b[H\x1b[2J${render(summary, ctx)}`);
      else if (key !== last) terminal.stdout.write(ctx.json ? render(summary, ctx, true) : `${last ? '\n' : ''}${render(summary, ctx)}`);
      last = key;
    } catch (error) {
      if (error instanceof Failure) throw error; // the platform is gone
      terminal.stderr.write(`kubectl kyc: ${(error as Error).message} (retrying)\n`);
    }
    await sleep(terminal.watchIntervalMs ?? 2000, terminal.signal);
  }
  return 0;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
