// The live settings a service re-reads while it runs: the feature flags an admin sets in the KycPlatform
// (docs/api.md, "Feature flags"). The operator writes them to the platform ConfigMap, mounted as the file
// LIVE_SETTINGS_FILE (docs/workload-contract.md), and makes the kubelet refresh it as soon as they change;
// this module re-reads the file every second and tells its listeners when a flag flips.
//
// Failure rules: no file configured (a service run outside the operator) → every flag on; a file that cannot
// be read or parsed → the last good settings stay in force (a half-written or missing file must not switch
// features off), and the problem is logged once until it changes; a flag the file does not name → on; a
// name this version does not know → ignored (a newer operator may know more flags than an older service).
import { readFile } from 'node:fs/promises';
import type { Logger } from './logger.js';

/** The flags of docs/api.md "Feature flags"; the operator's list (operator/src/api/flags.ts) is checked against it in the tests. */
export const FEATURE_FLAG_NAMES = [
  'analytics-ingestion',
  'automatic-checks',
  'document-upload',
  'new-applications',
  'notifications-email',
  'notifications-sms',
  'sanctions-screening',
] as const;

export type FeatureFlagName = (typeof FEATURE_FLAG_NAMES)[number];
export type FeatureFlags = Readonly<Record<FeatureFlagName, boolean>>;

export const ALL_ON: FeatureFlags = Object.freeze(Object.fromEntries(FEATURE_FLAG_NAMES.map((name) => [name, true])) as Record<FeatureFlagName, boolean>);

/** What a service asks: is this feature on now? (The domain ports of the services take this shape.) */
export interface FeatureSwitches {
  isOn(flag: FeatureFlagName): boolean;
}

/** Parses the file's JSON; throws with a message that says what is wrong. */
export function parseLiveSettings(text: string): { flags: FeatureFlags; unknown: string[] } {
  const document: unknown = JSON.parse(text);
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new Error('the live settings must be a JSON object');
  const raw = (document as { featureFlags?: unknown }).featureFlags ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('featureFlags must be an object of name to true/false');
  const flags: Record<FeatureFlagName, boolean> = { ...ALL_ON };
  const unknown: string[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== 'boolean') throw new Error(`featureFlags.${name} must be true or false`);
    if ((FEATURE_FLAG_NAMES as readonly string[]).includes(name)) flags[name as FeatureFlagName] = value;
    else unknown.push(name);
  }
  return { flags: Object.freeze(flags), unknown };
}

export type FlagListener = (flags: FeatureFlags, changed: FeatureFlagName[]) => void;

export interface LiveSettingsOptions {
  /** LIVE_SETTINGS_FILE; undefined: every flag stays on. */
  file: string | undefined;
  logger: Logger;
  /** How often the file is re-read (default 1 s). */
  intervalMs?: number;
  /** For tests: how the file is read. */
  read?: (file: string) => Promise<string>;
}

export class LiveSettings implements FeatureSwitches {
  private flags: FeatureFlags = ALL_ON;
  private readonly listeners: FlagListener[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastProblem: string | undefined;
  private lastText: string | undefined;
  private readonly read: (file: string) => Promise<string>;

  constructor(private readonly options: LiveSettingsOptions) {
    this.read = options.read ?? ((file) => readFile(file, 'utf8'));
  }

  isOn(flag: FeatureFlagName): boolean {
    return this.flags[flag];
  }

  current(): FeatureFlags {
    return this.flags;
  }

  /** Called with the new flags and the names that changed, after every change (not at the first read). */
  onChange(listener: FlagListener): void {
    this.listeners.push(listener);
  }

  /** Reads the file once (so the service starts with the settings in force), then every intervalMs. */
  async start(): Promise<void> {
    await this.refresh();
    if (this.options.file === undefined || this.timer) return;
    this.timer = setInterval(() => void this.refresh(), this.options.intervalMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One read of the file; exported for tests and for a caller that wants the newest value now. */
  async refresh(): Promise<void> {
    const file = this.options.file;
    if (file === undefined) return;
    let text: string;
    let parsed: ReturnType<typeof parseLiveSettings>;
    try {
      text = await this.read(file);
      if (text === this.lastText) return;
      parsed = parseLiveSettings(text);
    } catch (error) {
      this.problem(`live settings ${file} not applied, the previous ones stay in force: ${(error as Error).message}`);
      return;
    }
    this.lastText = text;
    this.lastProblem = undefined;
    if (parsed.unknown.length > 0) this.options.logger.warn({ flags: parsed.unknown }, 'live settings name feature flags this version does not know; ignored');
    const changed = FEATURE_FLAG_NAMES.filter((name) => parsed.flags[name] !== this.flags[name]);
    const first = this.timer === undefined;
    this.flags = parsed.flags;
    if (changed.length === 0) return;
    this.options.logger.info({ featureFlags: this.flags, changed }, first ? 'feature flags in force' : 'feature flags changed');
    if (first) return;
    for (const listener of this.listeners) {
      try {
        listener(this.flags, changed);
      } catch (error) {
        this.options.logger.error({ err: error }, 'a feature flag listener failed');
      }
    }
  }

  private problem(message: string): void {
    if (message === this.lastProblem) return;
    this.lastProblem = message;
    this.options.logger.warn(message);
  }
}
