import { describe, expect, it } from '@jest/globals';
import { FEATURE_FLAG_NAMES as OPERATOR_FLAGS } from '../../operator/src/api/flags.js';
import { createLogger, memoryDestination } from './logger.js';
import { ALL_ON, FEATURE_FLAG_NAMES, LiveSettings, parseLiveSettings, type FeatureFlagName } from './live-settings.js';

function setup(initial: string | Error) {
  let content: string | Error = initial;
  const destination = memoryDestination();
  const settings = new LiveSettings({
    file: '/etc/kyc/live/live-settings.json',
    logger: createLogger({ component: 'unit', level: 'info', destination }),
    intervalMs: 60_000,
    read: () => (content instanceof Error ? Promise.reject(content) : Promise.resolve(content)),
  });
  const changes: FeatureFlagName[][] = [];
  settings.onChange((_flags, changed) => changes.push(changed));
  return { settings, changes, destination, write: (next: string | Error) => (content = next) };
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
    const settings = new LiveSettings({ file: undefined, logger: createLogger({ component: 'unit', level: 'silent', destination: memoryDestination() }) });
    await settings.start();
    expect(settings.current()).toEqual(ALL_ON);
  });
});
