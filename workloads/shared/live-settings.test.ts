import { describe, expect, it } from '@jest/globals';
import { FEATURE_FLAG_NAMES as OPERATOR_FLAGS } from '../../operator/src/api/flags.js';
import { createLogger, memoryDestination } from './logger.js';
import {
  ALL_ON,
  FEATURE_FLAG_NAMES,
  LiveSettings,
  colorIsActive,
  parseLiveSettings,
  type FeatureFlagName,
  type LiveSettingsOptions,
} from './live-settings.js';

function setup(initial: string | Error, color?: string, more: Pick<LiveSettingsOptions, 'sections' | 'onRejected'> = {}) {
  let content: string | Error = initial;
  const destination = memoryDestination();
  const settings = new LiveSettings({
    file: '/etc/kyc/live/live-settings.json',
    logger: createLogger({ component: 'unit', level: 'info', destination }),
    intervalMs: 60_000,
    color,
    read: () => (content instanceof Error ? Promise.reject(content) : Promise.resolve(content)),
    ...more,
  });
  const changes: FeatureFlagName[][] = [];
  settings.onChange((_flags, changed) => changes.push(changed));
  const activity: boolean[] = [];
  settings.onActiveChange((active) => activity.push(active));
  return { settings, changes, activity, destination, write: (next: string | Error) => (content = next) };
}

const file = (flags: Record<string, unknown>) => JSON.stringify({ featureFlags: flags });

describe('live settings (feature flags re-read while the service runs)', () => {
  it('knows exactly the flags the operator writes', () => {
    expect([...FEATURE_FLAG_NAMES]).toEqual([...OPERATOR_FLAGS]);
  });

  it('starts with the flags in the file, every flag it does not name on', async () => {
    const { settings, changes } = setup(file({ 'document-upload': false }));
    await settings.start();
    settings.stop();
    expect(settings.isOn('document-upload')).toBe(false);
    expect(settings.isOn('new-applications')).toBe(true);
    expect(changes).toEqual([]); // the first read is the starting state, not a change
  });

  it('tells its listeners which flags flipped, once per change', async () => {
    const { settings, changes, write } = setup(file({}));
    await settings.start();
    write(file({ 'automatic-checks': false, 'sanctions-screening': false }));
    await settings.refresh();
    await settings.refresh(); // the same content again: no second notice
    write(file({ 'sanctions-screening': false }));
    await settings.refresh();
    settings.stop();
    expect(changes).toEqual([['automatic-checks', 'sanctions-screening'], ['automatic-checks']]);
    expect(settings.isOn('automatic-checks')).toBe(true);
  });

  it('reads the forced mode (Normal when absent) and keeps the last good one when the mode is unknown', async () => {
    const { settings, write } = setup(file({}));
    await settings.start();
    expect(settings.mode()).toBe('Normal');
    write(JSON.stringify({ featureFlags: {}, mode: 'ReadOnly' }));
    await settings.refresh();
    expect(settings.mode()).toBe('ReadOnly');
    write(JSON.stringify({ featureFlags: {}, mode: 'Panic' }));
    await settings.refresh();
    expect(settings.mode()).toBe('ReadOnly');
    write(JSON.stringify({ featureFlags: {}, mode: 'Normal' }));
    await settings.refresh();
    settings.stop();
    expect(settings.mode()).toBe('Normal');
  });

  it('keeps the last good settings when the file is missing, half-written or wrong, and says so once', async () => {
    const { settings, changes, write, destination } = setup(file({ 'new-applications': false }));
    await settings.start();
    for (const bad of [new Error('ENOENT: no such file'), '{"featureFlags": {"new-app', file({ 'new-applications': 'no' }), '[]']) {
      write(bad);
      await settings.refresh();
      await settings.refresh();
      expect(settings.isOn('new-applications')).toBe(false);
    }
    settings.stop();
    expect(changes).toEqual([]);
    const warnings = destination.lines.filter((line) => line.includes('not applied'));
    expect(warnings).toHaveLength(4);
    expect(warnings.join('')).toMatch(/featureFlags.new-applications must be true or false/);
  });

  it('ignores a flag this version does not know, with a warning', () => {
    expect(parseLiveSettings(file({ 'video-kyc': false })).unknown).toEqual(['video-kyc']);
    expect(parseLiveSettings(file({ 'video-kyc': false })).flags).toEqual(ALL_ON);
  });

  it('leaves every flag on when no file is configured (a service run outside the operator)', async () => {
    const settings = new LiveSettings({
      file: undefined,
      logger: createLogger({ component: 'unit', level: 'silent', destination: memoryDestination() }),
    });
    await settings.start();
    expect(settings.current()).toEqual(ALL_ON);
  });
});

describe('live settings: the active colour of a blue-green release (docs/releases.md)', () => {
  const colored = (activeColor: string | undefined, flags: Record<string, unknown> = {}) =>
    JSON.stringify({ featureFlags: flags, ...(activeColor && { activeColor }) });

  it('a pod is active when no colour is named, when it is the named colour, and a colourless pod only when legacy is named', () => {
    expect(colorIsActive(undefined, 'green')).toBe(true);
    expect(colorIsActive(undefined, undefined)).toBe(true);
    expect(colorIsActive('blue', 'blue')).toBe(true);
    expect(colorIsActive('blue', 'green')).toBe(false);
    expect(colorIsActive('blue', undefined)).toBe(false);
    expect(colorIsActive('legacy', undefined)).toBe(true);
    expect(colorIsActive('legacy', 'blue')).toBe(false);
  });

  it('when the preview colour starts, then it is inactive from the first read, and no change is announced', async () => {
    const { settings, activity, destination } = setup(colored('blue'), 'green');
    await settings.start();
    settings.stop();
    expect(settings.isActive()).toBe(false);
    expect(activity).toEqual([]);
    expect(destination.lines.join('')).toMatch(/not the active one/);
  });

  it('when the switch names its colour, then the listeners hear active, and the old colour hears inactive', async () => {
    const green = setup(colored('blue'), 'green');
    const blue = setup(colored('blue'), 'blue');
    await green.settings.start();
    await blue.settings.start();
    for (const pod of [green, blue]) {
      pod.write(colored('green'));
      await pod.settings.refresh();
      await pod.settings.refresh(); // the same content again: no second notice
      pod.settings.stop();
    }
    expect(green.activity).toEqual([true]);
    expect(blue.activity).toEqual([false]);
    expect(green.changes).toEqual([]); // no flag changed
  });

  it('a flag change alone does not touch the active state, and an unknown colour is refused (the last good settings stay)', async () => {
    const { settings, activity, changes, write } = setup(colored('green'), 'green');
    await settings.start();
    write(colored('green', { 'automatic-checks': false }));
    await settings.refresh();
    write(colored('purple'));
    await settings.refresh();
    settings.stop();
    expect(activity).toEqual([]);
    expect(changes).toEqual([['automatic-checks']]);
    expect(settings.isActive()).toBe(true);
    expect(() => parseLiveSettings(colored('purple'))).toThrow('activeColor must be blue, green or legacy');
  });

  it('when a colour pod cannot read the file at start, then it stays inactive until a good read names its colour', async () => {
    const { settings, activity, write } = setup(new Error('ENOENT: no such file'), 'green');
    await settings.start();
    expect(settings.isActive()).toBe(false);
    write(colored('green'));
    await settings.refresh();
    settings.stop();
    expect(settings.isActive()).toBe(true);
    expect(activity).toEqual([true]);
    const outside = new LiveSettings({
      file: undefined,
      color: 'green',
      logger: createLogger({ component: 'unit', level: 'silent', destination: memoryDestination() }),
    });
    await outside.start();
    expect(outside.isActive()).toBe(true); // no file (run outside the operator): active
  });
});

describe("live settings: a section one service reads (the gateway's loadBalancing)", () => {
  const port = (value: unknown): number => {
    if (typeof value !== 'number' || value < 1) throw new Error('must be a positive number');
    return value;
  };
  const doc = (section: unknown, flags: Record<string, unknown> = {}) =>
    JSON.stringify({ featureFlags: flags, ...(section !== undefined && { port: section }) });

  it('parses the section with the document, and tells its listeners only when it changes', async () => {
    const { settings, write } = setup(doc(1), undefined, { sections: { port } });
    const seen: unknown[] = [];
    await settings.start();
    settings.onSectionChange('port', (value) => seen.push(value));
    expect(settings.section('port')).toBe(1);
    write(doc(1, { 'document-upload': false }));
    await settings.refresh();
    write(doc(2, { 'document-upload': false }));
    await settings.refresh();
    write(doc(undefined, { 'document-upload': false }));
    await settings.refresh();
    settings.stop();
    expect(seen).toEqual([2, undefined]);
    expect(settings.section('port')).toBeUndefined();
  });

  it('when the section is bad, then the whole last good document stays, said once in the log and to onRejected', async () => {
    const rejected: string[] = [];
    const { settings, write, destination } = setup(doc(1), undefined, {
      sections: { port },
      onRejected: (reason) => rejected.push(reason),
    });
    await settings.start();
    write(doc(-1, { 'document-upload': false }));
    await settings.refresh();
    await settings.refresh();
    settings.stop();
    expect([settings.section('port'), settings.isOn('document-upload')]).toEqual([1, true]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatch(/port: must be a positive number/);
    expect(destination.lines.filter((line) => line.includes('not applied'))).toHaveLength(1);
  });
});
