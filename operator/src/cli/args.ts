// The command line of `kubectl kyc` (docs/kubectl-plugin.md): parsed by hand, since six commands and a
// few kubectl-style flags do not justify a framework. Pure: argv in, an Invocation or a UsageError out
// (the entry point maps a UsageError to exit code 2, as kubectl does).
import { COMPONENTS, isComponentName, type ComponentName } from '../api/components.js';

export type Output = 'text' | 'json';

export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'status'; name: string; watch: boolean }
  | { kind: 'promote' | 'abort' | 'rollback'; name: string }
  | { kind: 'explain-scaling'; name: string; component: ComponentName | undefined };

/** Flags that every command takes (kubectl's names, so that `kubectl kyc -n team-a ...` reads as kubectl does). */
export interface GlobalOptions {
  /** -n/--namespace; undefined: the kubeconfig context's namespace, else `default`. */
  namespace: string | undefined;
  context: string | undefined;
  kubeconfig: string | undefined;
  output: Output;
  /** --no-color; colour is otherwise on for a terminal without NO_COLOR. */
  noColor: boolean;
}

export interface Invocation {
  command: Command;
  options: GlobalOptions;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: kubectl kyc COMMAND [flags]

Commands:
  status NAME [--watch]              the platform as a tree: components and their colours, replicas,
                                     release phase with timings, scaling decisions, conditions
  promote NAME                       promote the release waiting for promotion (kyc.dev/promote=true)
  abort NAME                         abort the release before the switch (kyc.dev/abort=true)
  rollback NAME                      set spec.version back to the rollback target (status.release)
  explain-scaling NAME [COMPONENT]   why each component has the replica count it has
  version                            the plugin's version and the operator's found in the cluster

Flags:
  -n, --namespace NS    the platform's namespace (default: the context's namespace)
  -o, --output FORMAT   text (default) or json
  -w, --watch           status: print again on every change until interrupted
      --context NAME    the kubeconfig context to use
      --kubeconfig PATH the kubeconfig file (default: KUBECONFIG, else ~/.kube/config)
      --no-color        no colours (also NO_COLOR=1; none when the output is not a terminal)
  -h, --help            this help

Exit codes: 0 done, 1 failed (or status of a Failed/Degraded platform or a failed release), 2 usage error.
`;

/** Flags that take a value, by every spelling. */
const VALUE_FLAGS: Readonly<Record<string, 'namespace' | 'output' | 'context' | 'kubeconfig'>> = {
  '-n': 'namespace',
  '--namespace': 'namespace',
  '-o': 'output',
  '--output': 'output',
  '--context': 'context',
  '--kubeconfig': 'kubeconfig',
};

const NAMED_COMMANDS = ['status', 'promote', 'abort', 'rollback', 'explain-scaling'] as const;

/** Parses the arguments after `kubectl kyc`; throws a UsageError that says what is wrong. */
export function parseArgs(argv: readonly string[]): Invocation {
  const options: GlobalOptions = { namespace: undefined, context: undefined, kubeconfig: undefined, output: 'text', noColor: false };
  const positional: string[] = [];
  let watch = false;
  let help = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    if (arg === '-h' || arg === '--help') help = true;
    else if (arg === '-w' || arg === '--watch') watch = true;
    else if (arg === '--no-color') options.noColor = true;
    else {
      const { flag, value, consumed } = flagValue(arg, argv[i + 1]);
      const key = VALUE_FLAGS[flag];
      if (!key) throw new UsageError(`unknown flag ${flag}`);
      if (key === 'output') options.output = output(value);
      else options[key] = value;
      i += consumed;
    }
  }
  if (help) return { command: { kind: 'help' }, options };
  const [verb, ...rest] = positional;
  if (verb === undefined) throw new UsageError('no command given');
  if (watch && verb !== 'status') throw new UsageError('--watch is a flag of status only');
  if (verb === 'help') return { command: { kind: 'help' }, options };
  if (verb === 'version') {
    expectArgs(verb, rest, 0, 0);
    return { command: { kind: 'version' }, options };
  }
  const named = NAMED_COMMANDS.find((c) => c === verb);
  if (!named) throw new UsageError(`unknown command ${JSON.stringify(verb)}`);
  const name = expectArgs(verb, rest, 1, named === 'explain-scaling' ? 2 : 1)[0] as string;
  switch (named) {
    case 'status':
      return { command: { kind: 'status', name, watch }, options };
    case 'explain-scaling':
      return { command: { kind: 'explain-scaling', name, component: component(rest[1]) }, options };
    default:
      return { command: { kind: named, name }, options };
  }
}

/** `-n ns`, `-nns`, `-n=ns`, `--namespace ns`, `--namespace=ns`. */
function flagValue(arg: string, next: string | undefined): { flag: string; value: string; consumed: number } {
  const eq = arg.indexOf('=');
  if (eq > 0) return { flag: arg.slice(0, eq), value: arg.slice(eq + 1), consumed: 0 };
  if (!arg.startsWith('--') && arg.length > 2) return { flag: arg.slice(0, 2), value: arg.slice(2), consumed: 0 };
  if (VALUE_FLAGS[arg] && (next === undefined || next === '')) throw new UsageError(`flag ${arg} needs a value`);
  return { flag: arg, value: next ?? '', consumed: 1 };
}

function output(value: string): Output {
  if (value === 'json' || value === 'text') return value;
  throw new UsageError(`--output must be text or json, got ${JSON.stringify(value)}`);
}

function expectArgs(verb: string, args: string[], min: number, max: number): string[] {
  if (args.length < min) throw new UsageError(`${verb} needs the platform's NAME`);
  if (args.length > max) throw new UsageError(`${verb} takes ${max === 0 ? 'no arguments' : `at most ${max}`}, got ${args.join(' ')}`);
  return args;
}

function component(value: string | undefined): ComponentName | undefined {
  if (value === undefined) return undefined;
  if (!isComponentName(value)) throw new UsageError(`unknown component ${JSON.stringify(value)}: one of ${COMPONENTS.join(', ')}`);
  return value;
}
