// CPU/memory usage of pods on KWOK's fake nodes, for the Resource-metric suites. `make cluster` installs
// a KWOK ClusterResourceUsage that reports each container's usage from the pod annotations below; KWOK
// serves it as kubelet-style /metrics/resource, metrics-server scrapes it, and the HPA controller reads
// it from metrics.k8s.io like real usage (docs/autoscaling.md).
import { isNotFound, type KubeClient, type KubeResource, type ResourceType } from '../../../operator/src/runtime/kube.js';

export const POD: ResourceType = { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true };
export const CPU_USAGE_ANNOTATION = 'kwok.x-k8s.io/usage-cpu';
export const MEMORY_USAGE_ANNOTATION = 'kwok.x-k8s.io/usage-memory';

/** Per-container usage as Kubernetes quantities, e.g. `{ cpu: '200m', memory: '32Mi' }`. */
export interface EmulatedUsage {
  cpu: string;
  memory: string;
}

export interface UsageEmulation {
  /** Changes the usage of every matching pod; resolves once the pods present now carry it. */
  set: (usage: EmulatedUsage) => Promise<void>;
  /** Stops annotating (the pods keep their last usage). */
  stop: () => Promise<void>;
}

type PodResource = KubeResource & { metadata: { annotations?: Record<string, string> } };

/**
 * Keeps the emulated usage of every pod in `namespace` that matches `labelSelector` at the given
 * value, re-checking every `intervalMs` so that pods the HPA adds get it within a moment.
 */
export function emulateUsage(
  client: KubeClient,
  namespace: string,
  labelSelector: string,
  initial: EmulatedUsage,
  intervalMs = 1000,
): UsageEmulation {
  let usage = initial;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  const pass = async (): Promise<void> => {
    const pods = await client.list<PodResource>(POD, namespace, { labelSelector });
    const wanted = usage;
    for (const pod of pods.items) {
      const annotations = pod.metadata.annotations ?? {};
      if (annotations[CPU_USAGE_ANNOTATION] === wanted.cpu && annotations[MEMORY_USAGE_ANNOTATION] === wanted.memory) continue;
      try {
        await client.mergePatch(POD, namespace, pod.metadata.name, {
          metadata: { annotations: { [CPU_USAGE_ANNOTATION]: wanted.cpu, [MEMORY_USAGE_ANNOTATION]: wanted.memory } },
        });
      } catch (error) {
        // A pod deleted since the list (a scale-in) needs no usage.
        if (!isNotFound(error)) throw error;
      }
    }
  };
  const next = (): Promise<void> => {
    running = running.then(pass).catch(() => undefined);
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) void next();
  }, intervalMs);
  void next();

  return {
    set: async (value) => {
      usage = value;
      const done = running.then(pass);
      running = done.catch(() => undefined);
      await done;
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running.catch(() => undefined);
    },
  };
}

/** Bytes of a memory quantity as metrics-server prints it (`33554432`, `32768Ki`, `32Mi`). */
export function quantityBytes(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(quantity);
  if (!match) throw new Error(`unexpected memory quantity ${quantity}`);
  const factor = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[match[2] as 'Ki' | 'Mi' | 'Gi'] ?? 1;
  return Number(match[1]) * factor;
}
