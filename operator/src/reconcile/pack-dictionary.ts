// The preset dictionaries of the owned kinds' packed caches (runtime/informer.ts, `packed`): what every
// platform's objects of a kind have in common is most of their text (keys, images, probes, ports, labels'
// names, policies), so zlib, given that text up front, keeps of each object little more than its names
// and numbers. The text comes from rendering one sample platform with every component, plus the fields
// the API server adds to every object. It only has to stay the same while the process runs: the caches
// live in memory and are filled again at each start.
import { platform } from '../api/fixtures.js';
import { renderPlatform } from '../render/index.js';

/** zlib uses at most the last 32 KiB of a dictionary. */
const WINDOW_BYTES = 32 * 1024;

/** Any valid platform with the default components serves: only what platforms share matters. */
const SAMPLE = platform();

/** Fields the server (and the controllers) write on objects, closest to the end: cheapest for zlib to refer to. */
const SERVER_FIELDS = JSON.stringify({
  metadata: { uid: '', resourceVersion: '', generation: 1, creationTimestamp: '' },
  status: {
    observedGeneration: 1,
    replicas: 1,
    updatedReplicas: 1,
    readyReplicas: 1,
    availableReplicas: 1,
    currentReplicas: 1,
    desiredReplicas: 1,
    currentHealthy: 1,
    desiredHealthy: 1,
    disruptionsAllowed: 1,
    expectedPods: 1,
    loadBalancer: {},
    conditions: [
      {
        type: 'Available',
        status: 'True',
        lastUpdateTime: '',
        lastTransitionTime: '',
        reason: 'MinimumReplicasAvailable',
        message: 'Deployment has minimum availability.',
      },
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "" has successfully progressed.' },
      { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale' },
      { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound' },
      { type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods' },
    ],
  },
  spec: {
    progressDeadlineSeconds: 600,
    revisionHistoryLimit: 10,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    template: {
      spec: {
        restartPolicy: 'Always',
        dnsPolicy: 'ClusterFirst',
        schedulerName: 'default-scheduler',
        terminationGracePeriodSeconds: 30,
        containers: [{ terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' }],
      },
    },
    clusterIP: '',
    clusterIPs: [''],
    internalTrafficPolicy: 'Cluster',
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
    sessionAffinity: 'None',
    type: 'ClusterIP',
    policyTypes: ['Ingress', 'Egress'],
  },
});

/** A dictionary per kind (by `kind`), for the kinds a sample platform renders. */
export function packDictionaries(): Map<string, Buffer> {
  const texts = new Map<string, string>();
  for (const object of renderPlatform(SAMPLE)) texts.set(object.kind, (texts.get(object.kind) ?? '') + JSON.stringify(object));
  const dictionaries = new Map<string, Buffer>();
  for (const [kind, text] of texts) {
    const bytes = Buffer.from(text + SERVER_FIELDS);
    dictionaries.set(kind, bytes.subarray(Math.max(0, bytes.length - WINDOW_BYTES)));
  }
  return dictionaries;
}
