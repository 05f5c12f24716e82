// The live settings a service re-reads while it runs: the feature flags an admin sets in the KycPlatform
// (docs/api.md, "Feature flags"). The operator writes them to the platform ConfigMap, mounted as the file
// LIVE_SETTINGS_FILE (docs/workload-contract.md), and makes the kubelet refresh it as soon as they change;
// this module re-reads the file every second and tells its listeners when a flag flips.
//
// The file also names the active colour of a blue-green release (docs/releases.md, "Blue-green isolation"):
// a pod of the other colour (KYC_COLOR) is a preview or a rollback target and must not consume live topics
// nor run side-effect sweeps; `isActive()` says which, and `onActiveChange` tells when the switch reaches it.
//
// The file also carries the reduced-functionality mode an admin forced (spec.degradation.mode, docs/api.md
// "Degradation"): `mode()` answers it, and the Service's mode gate (service-mode.ts) reads it per request.
//
// A service may read a part of the document of its own (the gateway's `loadBalancing`, docs/workloads.md
// "Load balancing"): it names the section and its parser when it starts, the section is parsed with the rest,
// and a bad section keeps the whole last good document in force, as a bad flag does.
//
// Failure rules: no file configured (a service run outside the operator) → every flag on; a file that cannot
// be read or parsed → the last good settings stay in force (a half-written or missing file must not switch
// features off), and the problem is logged once until it changes; a flag the file does not name → on; a
// name this version does not know → ignored (a newer operator may know more flags than an older service).
import { readFile } from 'node:fs/promises';
import type { Logger } from './logger.js';
import { isServiceMode, type ModeSource, type ServiceMode } from './service-mode.js';

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

export const ALL_ON: FeatureFlags = Object.freeze(
  Object.fromEntries(FEATURE_FLAG_NAMES.map((name) => [name, true])) as Record<FeatureFlagName, boolean>,
);

/** What a service asks: is this feature on now? (The domain ports of the services take this shape.) */
export interface FeatureSwitches {
  isOn(flag: FeatureFlagName): boolean;
}

/**
 * The colour whose pods run consumers and sweeps: blue or green, or legacy (the single pre-blue-green
 * Deployments, whose pods carry no KYC_COLOR). Absent (no blue-green release): every pod is active.
 */
export type ActiveColor = 'blue' | 'green' | 'legacy';
const ACTIVE_COLORS: readonly string[] = ['blue', 'green', 'legacy'];

/** Whether a pod of `ownColor` (KYC_COLOR; undefined: a pod without colour) is the active one. */
export function colorIsActive(activeColor: ActiveColor | undefined, ownColor: string | undefined): boolean {
  return activeColor === undefined || activeColor === (ownColor ?? 'legacy');
}

/** Parses a section's value (never undefined: an absent section is not parsed); throws with what is wrong. */
export type SectionParser = (value: unknown) => unknown;

/** Parses the file's JSON; throws with a message that says what is wrong. */
export function parseLiveSettings(
  text: string,
  sectionParsers: Readonly<Record<string, SectionParser>> = {},
): {
  flags: FeatureFlags;
  unknown: string[];
  activeColor: ActiveColor | undefined;
  mode: ServiceMode;
  sections: Readonly<Record<string, unknown>>;
} {
  const document: unknown = JSON.parse(text);
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    throw new Error('the live settings must be a JSON object');
  const activeColor = (document as { activeColor?: unknown }).activeColor;
  if (activeColor !== undefined && (typeof activeColor !== 'string' || !ACTIVE_COLORS.includes(activeColor)))
    throw new Error('activeColor must be blue, green or legacy');
  // Absent: Normal (an older operator writes no mode). An unknown mode is an error, so the last good
  // settings stay: guessing Normal could serve writes an admin meant to stop.
  const mode = (document as { mode?: unknown }).mode ?? 'Normal';
  if (!isServiceMode(mode)) throw new Error('mode must be Normal, ReadOnly or Maintenance');
  const raw = (document as { featureFlags?: unknown }).featureFlags ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error('featureFlags must be an object of name to true/false');
  const flags: Record<FeatureFlagName, boolean> = { ...ALL_ON };
  const unknown: string[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== 'boolean') throw new Error(`featureFlags.${name} must be true or false`);
    if ((FEATURE_FLAG_NAMES as readonly string[]).includes(name)) flags[name as FeatureFlagName] = value;
    else unknown.push(name);
  }
  const sections: Record<string, unknown> = {};
  for (const [key, parse] of Object.entries(sectionParsers)) {
    const value = (document as Record<string, unknown>)[key];
    if (value === undefined) continue;
    try {
      sections[key] = parse(value);
    } catch (error) {
      throw new Error(`${key}: ${(error as Error).message}`, { cause: error });
    }
  }
  return {
    flags: Object.freeze(flags),
    unknown,
    activeColor: activeColor as ActiveColor | undefined,
    mode,
    sections: Object.freeze(sections),
  };
}

export type FlagListener = (flags: FeatureFlags, changed: FeatureFlagName[]) => void;
export type ActiveListener = (active: boolean) => void;
export type SectionListener = (value: unknown) => void;

export interface LiveSettingsOptions {
  /** LIVE_SETTINGS_FILE; undefined: every flag stays on. */
  file: string | undefined;
  logger: Logger;
  /** How often the file is re-read (default 1 s). */
  intervalMs?: number;
  /** KYC_COLOR: this pod's colour under a blue-green release; undefined: no colour (active unless the file names another). */
  color?: string | undefined;
  /** For tests: how the file is read. */
  read?: (file: string) => Promise<string>;
  /** The sections of the document this service reads, by key, with their parsers. */
  sections?: Readonly<Record<string, SectionParser>>;
  /** Called once per new problem (the log line's twin: a metric counts them). */
  onRejected?: (reason: string) => void;
}

export class LiveSettings implements FeatureSwitches, ModeSource {
  private flags: FeatureFlags = ALL_ON;
  private currentMode: ServiceMode = 'Normal';
  private readonly listeners: FlagListener[] = [];
  private readonly activeListeners: ActiveListener[] = [];
  private readonly sectionListeners: { key: string; listener: SectionListener }[] = [];
  private currentSections: Readonly<Record<string, unknown>> = {};
  private active: boolean;
  private timer: NodeJS.Timeout | undefined;
  private lastProblem: string | undefined;
  private lastText: string | undefined;
  private readonly read: (file: string) => Promise<string>;

  constructor(private readonly options: LiveSettingsOptions) {
    this.read = options.read ?? ((file) => readFile(file, 'utf8'));
    // A colour pod waits for a good read of the file before it consumes: if it cannot read it, it might be
    // the preview (events wait in Kafka, nothing happens twice). Without a file or a colour: active.
    this.active = options.file === undefined || options.color === undefined;
  }

  isOn(flag: FeatureFlagName): boolean {
    return this.flags[flag];
  }

  current(): FeatureFlags {
    return this.flags;
  }

  /** The reduced-functionality mode in force (Normal without a file). */
  mode(): ServiceMode {
    return this.currentMode;
  }

  /** Whether this pod's colour is the active one (docs/releases.md, "Blue-green isolation"). */
  isActive(): boolean {
    return this.active;
  }

  /** A section's parsed value in force; undefined when the document does not hold it (or no file). */
  section(key: string): unknown {
    return this.currentSections[key];
  }

  /** Called with a section's new parsed value (undefined: it left the document) after it changes (not at the first read). */
  onSectionChange(key: string, listener: SectionListener): void {
    this.sectionListeners.push({ key, listener });
  }

  /** Called with the new answer of isActive() after every change (not at the first read). */
  onActiveChange(listener: ActiveListener): void {
    this.activeListeners.push(listener);
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
      parsed = parseLiveSettings(text, this.options.sections);
    } catch (error) {
      this.problem(`live settings ${file} not applied, the previous ones stay in force: ${(error as Error).message}`);
      return;
    }
    this.lastText = text;
    this.lastProblem = undefined;
    if (parsed.unknown.length > 0)
      this.options.logger.warn({ flags: parsed.unknown }, 'live settings name feature flags this version does not know; ignored');
    const changed = FEATURE_FLAG_NAMES.filter((name) => parsed.flags[name] !== this.flags[name]);
    const first = this.timer === undefined;
    this.flags = parsed.flags;
    if (parsed.mode !== this.currentMode || (first && parsed.mode !== 'Normal')) {
      this.options.logger.warn({ mode: parsed.mode, was: this.currentMode }, first ? 'service mode in force' : 'service mode changed');
    }
    this.currentMode = parsed.mode;
    this.applyActive(colorIsActive(parsed.activeColor, this.options.color), parsed.activeColor, first);
    this.applySections(parsed.sections, first);
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

  private applyActive(active: boolean, activeColor: ActiveColor | undefined, first: boolean): void {
    const wasActive = this.active;
    this.active = active;
    if (first) {
      if (!active)
        this.options.logger.info(
          { color: this.options.color, activeColor },
          'this colour is not the active one: consumers and sweeps wait for the switch',
        );
      return;
    }
    if (active === wasActive) return;
    this.options.logger.info(
      { color: this.options.color, activeColor, active },
      active ? 'this colour became the active one' : 'this colour is no longer the active one',
    );
    for (const listener of this.activeListeners) {
      try {
        listener(active);
      } catch (error) {
        this.options.logger.error({ err: error }, 'an active-colour listener failed');
      }
    }
  }

  private applySections(sections: Readonly<Record<string, unknown>>, first: boolean): void {
    const previous = this.currentSections;
    this.currentSections = sections;
    if (first) return;
    for (const { key, listener } of this.sectionListeners) {
      if (JSON.stringify(previous[key]) === JSON.stringify(sections[key])) continue;
      try {
        listener(sections[key]);
      } catch (error) {
        this.options.logger.error({ err: error, section: key }, 'a live-settings section listener failed');
      }
    }
  }

  private problem(message: string): void {
    if (message === this.lastProblem) return;
    this.lastProblem = message;
    this.options.logger.warn(message);
    this.options.onRejected?.(message);
  }
}
