// The migration step of a component under PerComponent PostgreSQL credentials (docs/security.md,
// "Per-service credentials"): an init container of the component's own pod, with the same image, limits
// and hardening as the component's container, runs `main.js migrate <component>` as the role that owns
// the schemas (the Secret's `migrate-url`) and grants the component's own role (`<component>-url`) its
// rows. The component's container starts only after it succeeded, and never gets `migrate-url`. An init
// container rather than a Job: it runs exactly when a pod of a new version starts (blue-green included),
// and the pod's egress NetworkPolicy already allows PostgreSQL.
import type { ComponentName } from '../api/components.js';
import { MIGRATE_CREDENTIAL_KEY, componentDependencySecret, dependencySecret, hasPerComponentCredentials } from '../api/defaults.js';
import type { KycPlatform } from '../api/types.js';
import { usesDatabase, type EnvVar } from './env.js';
import { storeCaVolumeMounts } from './store-tls.js';

/** What the init container takes from the component's own container. */
export interface MainContainer {
  image: string;
  imagePullPolicy: string;
  env: EnvVar[];
  resources: unknown;
  securityContext: unknown;
}

/** Variables of the component's container the migration step reads too. */
const SHARED_ENV = new Set([
  'KYC_COMPONENT',
  'KYC_PLATFORM',
  'KYC_VERSION',
  'LOG_LEVEL',
  'NODE_OPTIONS',
  'DATABASE_TLS',
  'DATABASE_CA_FILE',
]);

/** The pod's init containers: the migration step, or none (Shared credentials, or a component without a database). */
export function migrationInitContainers(platform: KycPlatform, component: ComponentName, main: MainContainer): object[] {
  const spec = platform.spec;
  const owner = dependencySecret(spec, 'postgres');
  const own = componentDependencySecret(spec, 'postgres', component);
  if (!owner || !own || !hasPerComponentCredentials(spec, 'postgres') || !usesDatabase(platform, component)) return [];
  return [
    {
      name: 'migrate',
      image: main.image,
      imagePullPolicy: main.imagePullPolicy,
      args: ['migrate', component],
      env: [
        ...main.env.filter((e) => SHARED_ENV.has(e.name)),
        { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: owner.name, key: MIGRATE_CREDENTIAL_KEY } } },
        // Read for its user name only: the role the migration grants the component's rows to.
        { name: 'DATABASE_APP_URL', valueFrom: { secretKeyRef: { name: own.name, key: own.key } } },
      ],
      resources: main.resources,
      securityContext: main.securityContext,
      // The store's CA, when PostgreSQL is declared tls: Required (render/store-tls.ts).
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...storeCaVolumeMounts(spec, component, ['postgres'])],
    },
  ];
}
