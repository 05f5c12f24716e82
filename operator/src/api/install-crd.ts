// Installs (or updates) the KycPlatform CRD on a cluster and waits until it serves objects. Idempotent:
// server-side apply with its own field manager, so suites, benchmarks and `make` can all call it at once.
import * as k8s from '@kubernetes/client-node';
import { crdObject } from './generate.js';
import { CRD_NAME } from './group.js';

export const CRD_FIELD_MANAGER = 'kyc-operator-crd';

export async function ensureCrd(kc: k8s.KubeConfig, timeoutMs = 60_000): Promise<void> {
  const extensions = kc.makeApiClient(k8s.ApiextensionsV1Api);
  // Through the typed API with an untyped body: KubernetesObjectApi would serialise the CRD through
  // client-node's models, which only know camel-cased names and silently drop every x-kubernetes-* key.
  await extensions.patchCustomResourceDefinition(
    { name: CRD_NAME, body: crdObject(), fieldManager: CRD_FIELD_MANAGER, force: true },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const crd = await extensions.readCustomResourceDefinition({ name: CRD_NAME });
    const established = crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    // observedGeneration (where the server reports it) says the schema just applied is the one in force.
    const observed = crd.status?.observedGeneration;
    if (established && (observed === undefined || observed === crd.metadata?.generation)) return;
    if (Date.now() > deadline) throw new Error(`CRD ${CRD_NAME} not Established within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
