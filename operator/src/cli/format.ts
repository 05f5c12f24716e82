// `kubectl kyc status` as text: a tree of the platform's release, components (with their colours and
// scaling decisions) and conditions (pure: summary, clock and colours in, lines out).
import type { BackupStatus, ComponentScalingStatus, Condition, ReleaseStatus } from '../api/types.js';
import { colorName, duration, relative, type Paint, type Tone } from './paint.js';
import { NEGATIVE_CONDITIONS, type ColorSummary, type ComponentSummary, type PlatformSummary } from './summary.js';

export interface TreeNode {
  text: string;
  children?: TreeNode[];
}

/** Draws a tree the way `tree` and `kubectl argo rollouts get` do. */
export function renderTree(root: TreeNode): string[] {
  const lines = [root.text];
  const walk = (nodes: readonly TreeNode[], prefix: string): void => {
    nodes.forEach((node, i) => {
      const last = i === nodes.length - 1;
      lines.push(`${prefix}${last ? '└── ' : '├── '}${node.text}`);
      if (node.children?.length) walk(node.children, `${prefix}${last ? '    ' : '│   '}`);
    });
  };
  walk(root.children ?? [], '');
  return lines;
}

export function formatStatus(summary: PlatformSummary, now: Date, paint: Paint): string {
  const root: TreeNode = {
    text: header(summary, paint),
    children: [
      releaseNode(summary, now, paint),
      componentsNode(summary, paint),
      ...(summary.backup ? [backupNode(summary.backup, now, paint)] : []),
      conditionsNode(summary.conditions, now, paint),
    ],
  };
  return `${renderTree(root).join('\n')}\n`;
}

/** The last successful backup (status.backup, docs/backup.md): its id (a restore's argument), size and where it is. */
function backupNode(backup: BackupStatus, now: Date, paint: Paint): TreeNode {
  const when = relative(backup.lastSuccessfulTime, now);
  const size = backup.bytes === undefined ? undefined : `${(backup.bytes / 1_048_576).toFixed(1)} MiB`;
  const counts = backup.tables === undefined ? undefined : `${backup.tables} tables, ${backup.rows ?? 0} rows`;
  const text = [paint('bold', 'Backup'), backup.id ?? 'last success', size, counts, when && paint('muted', `(${when})`)]
    .filter((part) => part !== undefined)
    .join('  ');
  return { text, ...(backup.key && { children: [{ text: `s3://${backup.bucket ?? '?'}/${backup.key}` }] }) };
}

const PHASE_TONES: Readonly<Record<string, Tone>> = {
  Ready: 'good',
  Progressing: 'busy',
  Pending: 'busy',
  Degraded: 'bad',
  Failed: 'bad',
  Idle: 'good',
  Deploying: 'busy',
  Verifying: 'busy',
  AwaitingPromotion: 'busy',
  Switching: 'busy',
  ScalingDown: 'good',
  Aborted: 'bad',
};

function phase(paint: Paint, value: string | undefined): string {
  return value ? paint(PHASE_TONES[value] ?? 'bold', value) : paint('muted', 'Unknown');
}

function header(s: PlatformSummary, paint: Paint): string {
  const parts = [paint('bold', `KycPlatform ${s.namespace}/${s.name}`), phase(paint, s.phase)];
  const serving = s.activeVersion ?? '?';
  parts.push(`version ${serving}${s.activeColor ? ` (${colorName(paint, s.activeColor)})` : ''}`);
  if (s.version !== s.activeVersion) parts.push(paint('busy', `→ ${s.version}`));
  if (s.readyComponents) parts.push(`${s.readyComponents} components ready`);
  if (s.degradationMode && s.degradationMode !== 'Normal') parts.push(paint('busy', `mode ${s.degradationMode}`));
  if (s.observedGeneration !== s.generation) {
    parts.push(paint('busy', `status of generation ${s.observedGeneration ?? '-'}, spec at ${s.generation ?? '-'}`));
  }
  return parts.join('  ');
}

function releaseNode(s: PlatformSummary, now: Date, paint: Paint): TreeNode {
  const release = s.release;
  if (!release) return { text: `${paint('bold', 'Release')}  ${paint('muted', 'not blue-green: each component rolls in place')}` };
  const children: TreeNode[] = [];
  if (release.message) children.push({ text: release.message });
  const timings = releaseTimings(release, now);
  if (timings) children.push({ text: paint('muted', timings) });
  if (release.failureReason && release.phase === 'Aborted') children.push({ text: paint('bad', `failed: ${release.failureReason}`) });
  if (release.smokeCheckFailures) children.push({ text: paint('busy', `smoke check failed ${release.smokeCheckFailures} time(s)`) });
  for (const request of s.pendingRequests) children.push({ text: paint('busy', `${request}=true requested, not yet acted upon`) });
  const hint = nextStep(s, release, now);
  if (hint) children.push({ text: paint('muted', hint) });
  return { text: `${paint('bold', 'Release')}  ${phase(paint, release.phase)}  ${colours(release, paint)}`, children };
}

function colours(release: ReleaseStatus, paint: Paint): string {
  const parts = [`active ${colorName(paint, release.activeColor ?? 'legacy')} ${release.activeVersion ?? ''}`.trimEnd()];
  if (release.previewColor && release.phase !== 'Idle') {
    parts.push(`preview ${colorName(paint, release.previewColor)} ${release.previewVersion ?? ''}`.trimEnd());
  }
  if (release.previousColor) parts.push(`previous ${colorName(paint, release.previousColor)} ${release.previousVersion ?? ''}`.trimEnd());
  return parts.join(' · ');
}

/** started 5m12s ago · preview ready +41s · verified +45s · switched +52s · scale-down in 24s · in ScalingDown for 12s */
export function releaseTimings(release: ReleaseStatus, now: Date): string | undefined {
  const start = Date.parse(release.startedAt ?? '');
  const parts: string[] = [];
  const add = (label: string, time: string | undefined, fromStart = false): void => {
    const at = Date.parse(time ?? '');
    if (Number.isNaN(at)) return;
    // Steps of the current release read best as offsets from its start; the others relative to now.
    if (fromStart && !Number.isNaN(start) && at >= start) parts.push(`${label} +${duration(at - start)}`);
    else parts.push(`${label} ${relative(time, now) ?? ''}`);
  };
  add('started', release.startedAt);
  add('preview ready', release.previewReadyAt, true);
  add('verified', release.verifiedAt, true);
  add('switched', release.switchedAt, true);
  add('scale-down', release.scaleDownAt);
  if (release.phase !== 'ScalingDown') add('finished', release.finishedAt);
  const phaseStart = Date.parse(release.phaseStartedAt ?? '');
  if (release.phase !== 'Idle' && !Number.isNaN(phaseStart)) parts.push(`in ${release.phase} for ${duration(now.getTime() - phaseStart)}`);
  return parts.length ? parts.join(' · ') : undefined;
}

/** What the SRE can do now, in the plugin's words (docs/releases.md). */
function nextStep(s: PlatformSummary, release: ReleaseStatus, now: Date): string | undefined {
  switch (release.phase) {
    case 'AwaitingPromotion':
      return `next: kubectl kyc promote ${s.name} (or abort)`;
    case 'Deploying':
    case 'Verifying':
    case 'Switching':
      return `abort with: kubectl kyc abort ${s.name}`;
    case 'ScalingDown':
      return release.previousColor !== 'legacy' && release.scaleDownAt && Date.parse(release.scaleDownAt) > now.getTime()
        ? `roll back instantly until scale-down: kubectl kyc rollback ${s.name}`
        : undefined;
    case 'Aborted':
      return `retry with: kubectl kyc promote ${s.name}; or return to ${release.activeVersion ?? 'the active version'}: kubectl kyc rollback ${s.name}`;
    default:
      return undefined;
  }
}

function componentsNode(s: PlatformSummary, paint: Paint): TreeNode {
  const width = Math.max(0, ...s.components.map((c) => c.name.length));
  return {
    text: paint('bold', 'Components'),
    children: s.components.length
      ? s.components.map((c) => componentNode(c, width, paint))
      : [{ text: paint('muted', 'none reported yet') }],
  };
}

function componentNode(c: ComponentSummary, width: number, paint: Paint): TreeNode {
  const { desired = 0, ready = 0, updated, available } = c.replicas;
  const counts = `${ready}/${desired} ready`;
  const extra = [
    updated !== undefined && updated !== desired && `${updated} updated`,
    available !== undefined && available !== ready && `${available} available`,
  ]
    .filter(Boolean)
    .join(', ');
  const text = [
    `${c.ready ? paint('good', '✔') : paint('bad', '✖')} ${c.name.padEnd(width)}`,
    paint(c.ready ? 'good' : 'bad', counts) + (extra ? ` (${extra})` : ''),
    c.scaling ? scalingLine(c.scaling, paint) : '',
  ]
    .filter(Boolean)
    .join('  ');
  return { text, children: c.colors.map((color) => colorNode(color, paint)) };
}

/** Autoscaled 3–20 (HPA 4 → 5): reason — or Fixed 2: reason. */
export function scalingLine(scaling: ComponentScalingStatus, paint: Paint): string {
  const { mode, minReplicas: min, maxReplicas: max, currentReplicas: current, desiredReplicas: wanted } = scaling;
  const range = min === max ? `${min ?? '?'}` : `${min ?? '?'}–${max ?? '?'}`;
  const hpa = mode === 'Autoscaled' && (current !== undefined || wanted !== undefined) ? ` (HPA ${current ?? '?'} → ${wanted ?? '?'})` : '';
  const fallback = scaling.fallback ? ` ${paint('bad', 'FALLBACK')}` : '';
  const reason = scaling.reason ? `: ${paint('muted', scaling.reason)}` : '';
  return `${mode ?? 'Unknown'} ${range}${hpa}${fallback}${reason}`;
}

function colorNode(c: ColorSummary, paint: Paint): TreeNode {
  const name = c.color === 'single' ? c.deployment : paint(c.color, c.color.padEnd(5));
  const counts = `${c.ready}/${c.desired}`;
  const role = c.role === 'idle' ? '' : `  ${paint(c.role === 'active' ? 'bold' : 'muted', c.role)}`;
  const rolling = c.rolledOut || c.desired === 0 ? '' : `  ${paint('busy', 'rolling out')}`;
  return { text: `${name}  ${paint(c.ready >= c.desired ? 'good' : 'busy', counts)}  ${c.version ?? '?'}${role}${rolling}` };
}

function conditionsNode(conditions: readonly Condition[], now: Date, paint: Paint): TreeNode {
  const width = Math.max(0, ...conditions.map((c) => c.type.length));
  return {
    text: paint('bold', 'Conditions'),
    children: conditions.length
      ? conditions.map((c) => ({ text: conditionLine(c, width, now, paint) }))
      : [{ text: paint('muted', 'none reported yet') }],
  };
}

export function conditionTone(c: Pick<Condition, 'type' | 'status'> & { reason?: string }): Tone {
  if (c.status === 'Unknown') return 'busy';
  // Nothing is autoscaled: not a failure, just nothing to report.
  if (c.type === 'ScalingActive' && c.reason === 'NotAutoscaled') return 'muted';
  if (c.type === 'Progressing' || c.type === 'ReleaseProgressing') return c.status === 'True' ? 'busy' : 'good';
  const good = NEGATIVE_CONDITIONS.has(c.type) ? c.status === 'False' : c.status === 'True';
  return good ? 'good' : 'bad';
}

const ICONS: Partial<Record<Tone, string>> = { good: '✔', bad: '✖', muted: '-' };

function conditionLine(c: Condition, width: number, now: Date, paint: Paint): string {
  const tone = conditionTone(c);
  const icon = paint(tone, ICONS[tone] ?? '●');
  const since = relative(c.lastTransitionTime, now);
  return `${icon} ${c.type.padEnd(width)}  ${paint(tone, c.status.padEnd(5))}  ${c.reason}: ${c.message}${since ? paint('muted', ` (${since})`) : ''}`;
}
