// Jest's own order (failed first, then slowest first), except that suites which restart shared
// infrastructure (the API server; the chaos suite also kills the dependencies, the KMS-parking suite
// stops the KMS) run last, so they cannot disturb the suites around them.
import Sequencer from '@jest/test-sequencer';

const DefaultSequencer = Sequencer.default ?? Sequencer;
const LAST = [/[/]resilience\.test\.ts$/, /[/]kms-parking\.test\.ts$/, /[/]chaos\.test\.ts$/];

export default class LastDisruptiveSequencer extends DefaultSequencer {
  sort(tests) {
    const ordered = super.sort(tests);
    const disruptive = (test) => LAST.some((pattern) => pattern.test(test.path));
    return [...ordered.filter((test) => !disruptive(test)), ...ordered.filter(disruptive)];
  }
}
