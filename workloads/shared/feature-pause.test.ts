import { describe, expect, it } from '@jest/globals';
import { pauseWhileOff } from './feature-pause.js';
import { ALL_ON, type FeatureFlagName, type FeatureFlags, type FlagListener } from './live-settings.js';
import { createLogger, memoryDestination } from './logger.js';

const logger = createLogger({ component: 'unit', level: 'silent', destination: memoryDestination() });

/** Flags an admin flips by hand, telling the listeners as LiveSettings does. */
function flags() {
  let current: FeatureFlags = ALL_ON;
  const listeners: FlagListener[] = [];
  return {
    isOn: (flag: FeatureFlagName) => current[flag],
    onChange: (listener: FlagListener) => void listeners.push(listener),
    set(flag: FeatureFlagName, on: boolean) {
      current = { ...current, [flag]: on };
      for (const listener of listeners) listener(current, [flag]);
    },
  };
}

function consumer() {
  const calls: string[] = [];
  return { calls, pause: () => void calls.push('pause'), resume: () => void calls.push('resume') };
}

describe('pauseWhileOff', () => {
  it('when the feature is switched off, then the consumer pauses, and it resumes when the feature is back on', () => {
    const settings = flags();
    const checks = consumer();
    pauseWhileOff(settings, 'automatic-checks', logger).attach(checks);
    expect(checks.calls).toEqual([]);
    settings.set('automatic-checks', false);
    settings.set('analytics-ingestion', false); // another flag: nothing happens
    settings.set('automatic-checks', true);
    expect(checks.calls).toEqual(['pause', 'resume']);
  });

  it('when a consumer starts while the feature is off, then it starts paused and follows later flips', () => {
    const settings = flags();
    const gate = pauseWhileOff(settings, 'analytics-ingestion', logger);
    settings.set('analytics-ingestion', false);
    const late = consumer();
    gate.attach(late);
    settings.set('analytics-ingestion', true);
    expect(late.calls).toEqual(['pause', 'resume']);
  });
});
