// Which colour's pods are members of the platform's Kafka consumer groups, read from outside as an SRE
// would (the broker's group descriptions; each member's client id ends in its pod's name, workloads/shared/kafka.ts).
// The rollout suite uses it to show blue-green isolation on the real node: until the switch the preview
// colour joins no group (docs/releases.md, "Blue-green isolation").
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { NAMESPACE, PLATFORM, core } from './support.js';

/** One of `make deps`'s connection settings: from the environment, else from its settings file. */
export function depsSetting(name: string): string {
  if (process.env[name]) return process.env[name];
  const runDir = process.env.KYC_RUN_DIR ?? join(process.env.KYC_CACHE_DIR ?? join(homedir(), '.cache/kyc-operator'), 'run');
  const file = join(runDir, 'deps/env');
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}=`));
  if (!line) throw new Error(`no ${name} in ${file}: run make up`);
  return line.slice(name.length + 1);
}

export interface GroupMember {
  group: string;
  /** The member pod's colour (`none` for a pod without one). */
  color: string;
  pod: string;
}

export class ConsumerGroups {
  private readonly admin: Admin;

  constructor() {
    const kafka = new Kafka({
      clientId: 'e2e-consumer-groups',
      brokers: depsSetting('KAFKA_BROKERS').split(','),
      logLevel: logLevel.NOTHING,
    });
    this.admin = kafka.admin();
  }

  connect(): Promise<void> {
    return this.admin.connect();
  }

  disconnect(): Promise<void> {
    return this.admin.disconnect();
  }

  /** Every member of every group that is a pod of the platform, with its colour (services name their pod in clientId). */
  async members(): Promise<GroupMember[]> {
    const pods = await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: `app.kubernetes.io/instance=${PLATFORM}` });
    const colorOf = new Map(pods.items.map((pod) => [pod.metadata?.name ?? '', pod.metadata?.labels?.['kyc.dev/color'] ?? 'none']));
    const { groups } = await this.admin.listGroups();
    if (groups.length === 0) return [];
    const { groups: described } = await this.admin.describeGroups(groups.map((g) => g.groupId));
    return described.flatMap((group) =>
      group.members
        .map((member) => member.clientId.slice(member.clientId.lastIndexOf('@') + 1))
        .filter((pod) => colorOf.has(pod))
        .map((pod) => ({ group: group.groupId, color: colorOf.get(pod) ?? 'unknown', pod })),
    );
  }
}
