// renderPlatform: every object one KycPlatform needs, in a stable order (provisional stub).
import type { KycPlatform } from '../api/types.js';
import type { KubeObject } from './types.js';
export type { KubeObject } from './types.js';

export function renderPlatform(_platform: KycPlatform): KubeObject[] {
  return [];
}
