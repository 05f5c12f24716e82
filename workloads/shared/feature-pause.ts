// A consumer that waits while a feature is switched off (docs/api.md, "Feature flags"): the kyc checks
// consumer under `automatic-checks`, the analytics consumer under `analytics-ingestion`. Paused, its events
// wait in Kafka; back on, they are handled in order.
import type { FeatureFlagName, FlagListener } from './live-settings.js';
import type { Logger } from './logger.js';

/** What the live settings offer (LiveSettings). */
export interface FlagSource {
  isOn(flag: FeatureFlagName): boolean;
  onChange(listener: FlagListener): void;
}

/** What can wait (RunningConsumer). */
export interface Pausable {
  pause(): void;
  resume(): void;
}

export interface FeaturePause {
  /** Follows `consumer` from now on: paused at once if the feature is off. A consumer may start late (kyc's connects in the background). */
  attach(consumer: Pausable): void;
}

/** Pauses the attached consumers while `flag` is off, and resumes them when it is back on. */
export function pauseWhileOff(settings: FlagSource, flag: FeatureFlagName, logger: Logger): FeaturePause {
  const consumers: Pausable[] = [];
  settings.onChange((flags, changed) => {
    if (!changed.includes(flag)) return;
    for (const consumer of consumers) {
      if (flags[flag]) consumer.resume();
      else consumer.pause();
    }
    if (consumers.length > 0)
      logger.info(
        { flag },
        flags[flag] ? 'feature back on: consumer resumed' : 'feature switched off: consumer paused, events wait in Kafka',
      );
  });
  return {
    attach(consumer) {
      consumers.push(consumer);
      if (settings.isOn(flag)) return;
      consumer.pause();
      logger.info({ flag }, 'feature switched off: consumer starts paused, events wait in Kafka');
    },
  };
}
