import { describe, expect, it } from '@jest/globals';
import { parseArgs, UsageError, USAGE } from './args.js';

describe('parseArgs', () => {
  it('reads status with its flags in any order, in every kubectl spelling', () => {
    for (const argv of [
      ['status', 'demo', '-n', 'team-a', '--watch', '-o', 'json'],
      ['-n', 'team-a', 'status', '-w', 'demo', '--output=json'],
      ['status', '--namespace=team-a', 'demo', '-ojson', '-w'],
      ['status', '-nteam-a', '--output', 'json', '--watch', 'demo'],
    ]) {
      expect(parseArgs(argv)).toEqual({
        command: { kind: 'status', name: 'demo', watch: true },
        options: { namespace: 'team-a', context: undefined, kubeconfig: undefined, output: 'json', noColor: false },
      });
    }
  });

  it('defaults to text output, no namespace (the context decides) and colour', () => {
    expect(parseArgs(['promote', 'demo'])).toEqual({
      command: { kind: 'promote', name: 'demo' },
      options: { namespace: undefined, context: undefined, kubeconfig: undefined, output: 'text', noColor: false },
    });
  });

  it('reads the kubeconfig flags and --no-color', () => {
    expect(parseArgs(['abort', 'demo', '--context', 'prod', '--kubeconfig=/tmp/kc', '--no-color']).options).toEqual({
      namespace: undefined,
      context: 'prod',
      kubeconfig: '/tmp/kc',
      output: 'text',
      noColor: true,
    });
  });

  it('reads rollback, version and explain-scaling with and without a component', () => {
    expect(parseArgs(['rollback', 'demo']).command).toEqual({ kind: 'rollback', name: 'demo' });
    expect(parseArgs(['version', '-o', 'json'])).toMatchObject({ command: { kind: 'version' }, options: { output: 'json' } });
    expect(parseArgs(['explain-scaling', 'demo']).command).toEqual({ kind: 'explain-scaling', name: 'demo', component: undefined });
    expect(parseArgs(['explain-scaling', 'demo', 'kyc']).command).toEqual({ kind: 'explain-scaling', name: 'demo', component: 'kyc' });
  });

  it('takes a name that looks like a flag after --', () => {
    expect(parseArgs(['status', '--', '-odd']).command).toEqual({ kind: 'status', name: '-odd', watch: false });
  });

  it('answers help for -h, --help (whatever else is there) and the help command', () => {
    expect(parseArgs(['-h']).command).toEqual({ kind: 'help' });
    expect(parseArgs(['status', '--help']).command).toEqual({ kind: 'help' });
    expect(parseArgs(['help']).command).toEqual({ kind: 'help' });
  });

  it.each([
    [[], /no command given/],
    [['launch', 'demo'], /unknown command "launch"/],
    [['status'], /status needs the platform's NAME/],
    [['status', 'a', 'b'], /status takes at most 1, got a b/],
    [['version', 'extra'], /version takes no arguments/],
    [['promote', 'demo', '--watch'], /--watch is a flag of status only/],
    [['status', 'demo', '-o', 'yaml'], /--output must be text or json, got "yaml"/],
    [['status', 'demo', '-n'], /flag -n needs a value/],
    [['status', 'demo', '--force'], /unknown flag --force/],
    [['explain-scaling', 'demo', 'frontdoor'], /unknown component "frontdoor": one of gateway, kyc, auth, notification, analytics/],
  ])('rejects %j: %s', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });

  it('documents every command and flag it parses', () => {
    for (const word of ['status', 'promote', 'abort', 'rollback', 'explain-scaling', 'version', '--namespace', '--output', '--watch']) {
      expect(USAGE).toContain(word);
    }
    for (const word of ['--context', '--kubeconfig', '--no-color', '--help']) expect(USAGE).toContain(word);
  });
});
