// The one source of the KycPlatform API: the OpenAPI v3 structural schema of kyc.dev/v1alpha1 KycPlatform.
// crds/kycplatform.yaml and types.ts are generated from it (`make crds`); never edit those by hand.
// Every field carries a description because `kubectl explain` is the cluster admin's documentation.
import { COMPONENTS, isKafkaConsumer, KAFKA_CONSUMERS, type ComponentName } from './components.js';
import { named, type Schema, type ValidationRule } from './openapi.js';
import { FEATURE_FLAG_NAMES } from './flags.js';
import { TIME_ZONES } from './time-zones.js';

// ---- numbers shared with defaults.ts (the accessors apply the same defaults when a field is absent) ----
export const DEFAULT_IMAGE = 'kyc-operator/workloads';
export const DEFAULT_PROFILE = 'production';
export const AUTOSCALING_DEFAULTS = {
  minReplicas: 3,
  maxReplicas: 20,
  targetCPUUtilizationPercentage: 70,
  targetMemoryUtilizationPercentage: 80,
  scaleDownStabilizationSeconds: 300,
} as const;
export const RELEASE_DEFAULTS = {
  strategy: 'BlueGreen',
  autoPromote: true,
  scaleDownDelaySeconds: 30,
  progressDeadlineSeconds: 600,
  // /ready: the http port no longer serves the detailed /health (it moved to the metrics port, which no
  // Service exposes); /ready through the preview Service proves the Service reaches a ready pod of the
  // preview version, and gatewayPath proves the preview gateway reaches its upstreams.
  smokeCheckPath: '/ready',
  smokeCheckGatewayPath: '/api/v1/auth/me',
  smokeCheckTimeoutSeconds: 5,
  smokeCheckRetries: 3,
} as const;
export const SECRET_KEY_DEFAULTS = { postgres: 'url', redis: 'url', kafka: 'brokers' } as const;
/** The TCP port each dependency listens on when spec.dependencies.<name>.ports is absent (egress NetworkPolicy). */
export const DEPENDENCY_PORT_DEFAULTS = { postgres: 5432, redis: 6379, kafka: 9092 } as const;

/** Environment variables the operator sets itself; `components.*.env` may not override them. */
export const RESERVED_ENV = [
  'PORT',
  'METRICS_PORT',
  'GATEWAY_TRUSTED_PROXIES',
  'KYC_COMPONENT',
  'KYC_PLATFORM',
  'KYC_VERSION',
  'NODE_OPTIONS',
  'LIVE_SETTINGS_FILE',
  'KYC_TLS_DIR',
  'DATABASE_URL',
  'DATABASE_MIGRATIONS',
  'REDIS_URL',
  'KAFKA_BROKERS',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'AUTH_SIGNING_KEYS',
  'AUTH_JWKS_URL',
  'PII_ENCRYPTION_KEYS',
  'KMS_KEY_ID',
  'KMS_REGION',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_TRACES_SAMPLER_ARG',
  'KMS_ENDPOINT',
  'KMS_ACCESS_KEY_ID',
  'KMS_SECRET_ACCESS_KEY',
  'KMS_PARKING_KEY_ID',
  'SMTP_HOST',
  'SMTP_PORT',
  'SMTP_FROM',
  'SMTP_TLS',
  'SMTP_USERNAME',
  'SMTP_PASSWORD',
  'SMS_GATEWAY_URL',
  'SMS_GATEWAY_TOKEN',
  'NOTIFICATION_CONTACT_KEYS',
  'NOTIFICATION_WEBHOOK_ALLOW_HTTP',
  'ADMIN_EMAIL',
  'ADMIN_PASSWORD',
  'UPSTREAM_AUTH',
  'UPSTREAM_KYC',
  'UPSTREAM_NOTIFICATION',
  'UPSTREAM_ANALYTICS',
  'UPSTREAM_FRONTEND',
  'LB_STRATEGY',
  'LB_STICKY_SESSIONS',
] as const;

const IMAGE_TAG = '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$';
const IMAGE_REPOSITORY = '^([a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$';
const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const QUANTITY = '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
const CLOCK = '^([01][0-9]|2[0-3]):[0-5][0-9]$';

// ---- small builders: they keep the schema readable; each still demands a description ----
const str = (description: string, extra: Partial<Schema> = {}): Schema => ({ type: 'string', description, ...extra });
const int = (description: string, extra: Partial<Schema> = {}): Schema => ({ type: 'integer', description, ...extra });
const bool = (description: string, extra: Partial<Schema> = {}): Schema => ({ type: 'boolean', description, ...extra });
const obj = (description: string, properties: Record<string, Schema>, extra: Partial<Schema> = {}): Schema => ({
  type: 'object',
  description,
  properties,
  ...extra,
});

const quantity = (description: string): Schema =>
  named('Quantity', {
    description,
    'x-kubernetes-int-or-string': true,
    pattern: QUANTITY,
    'x-kubernetes-validations': [{ rule: 'isQuantity(string(self))', message: 'must be a Kubernetes quantity, e.g. 250m, 1, 512Mi' }],
  });

const resourceList = (which: 'requests' | 'limits'): Schema =>
  named(
    'ResourceList',
    obj(
      which === 'requests'
        ? 'What the scheduler reserves for each container. Absent fields come from the profile preset.'
        : 'The most each container may use. Absent fields come from the profile preset.',
      {
        cpu: quantity(`CPU ${which === 'requests' ? 'request' : 'limit'} per container, e.g. 250m.`),
        memory: quantity(
          which === 'requests'
            ? 'Memory request per container, e.g. 256Mi.'
            : 'Memory limit per container, e.g. 512Mi. The Node.js heap (NODE_OPTIONS=--max-old-space-size) is set to 75% of it.',
        ),
      },
    ),
  );

const resources = named(
  'ResourceRequirements',
  obj(
    'CPU and memory for each container of the component, overriding the profile preset field by field.',
    { requests: resourceList('requests'), limits: resourceList('limits') },
    {
      'x-kubernetes-validations': [
        {
          rule: '!has(self.limits) || !has(self.limits.memory) || quantity(string(self.limits.memory)).compareTo(quantity("64Mi")) >= 0',
          message: 'resources.limits.memory must be at least 64Mi (the Node.js heap is sized from it)',
          fieldPath: '.limits.memory',
        },
        {
          rule: '!has(self.requests) || !has(self.limits) || !has(self.requests.memory) || !has(self.limits.memory) || quantity(string(self.requests.memory)).compareTo(quantity(string(self.limits.memory))) <= 0',
          message: 'resources.requests.memory must not exceed resources.limits.memory',
          fieldPath: '.requests.memory',
        },
        {
          rule: '!has(self.requests) || !has(self.limits) || !has(self.requests.cpu) || !has(self.limits.cpu) || quantity(string(self.requests.cpu)).compareTo(quantity(string(self.limits.cpu))) <= 0',
          message: 'resources.requests.cpu must not exceed resources.limits.cpu',
          fieldPath: '.requests.cpu',
        },
      ],
    },
  ),
);

const envVar = named(
  'EnvVar',
  obj(
    'One environment variable for the component container.',
    {
      name: str('Variable name (a C identifier). Variables the operator manages (see docs/workload-contract.md) cannot be set here.', {
        maxLength: 128,
        pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
        'x-kubernetes-validations': [
          {
            rule: `!(self in [${RESERVED_ENV.map((n) => `'${n}'`).join(', ')}])`,
            messageExpression: "'env ' + self + ' is set by the operator and cannot be overridden'",
          },
        ],
      }),
      value: str('Literal value of the variable.', { maxLength: 4096 }),
    },
    { required: ['name'] },
  ),
);

const percent = (description: string, dflt?: number): Schema =>
  int(description, { minimum: 1, maximum: 100, ...(dflt === undefined ? {} : { default: dflt }) });

const scaleUpPolicy = (description: string): Schema =>
  named(
    'ScaleUpPolicy',
    obj(description, {
      stabilizationSeconds: int('Seconds of higher recommendations the HPA waits for before scaling up. Absent: 0 (at once).', {
        minimum: 0,
        maximum: 3600,
      }),
      maxPercentPerMinute: int(
        'Add at most this percentage of the current replicas per minute. Absent: the HPA default (double every 15 s, or 4 pods).',
        {
          minimum: 1,
          maximum: 1000,
        },
      ),
      maxPodsPerMinute: int('Add at most this many pods per minute. Absent: the HPA default. With both limits the larger one applies.', {
        minimum: 1,
        maximum: 1000,
      }),
    }),
  );

const componentList = (description: string): Schema => ({
  type: 'array',
  description,
  maxItems: COMPONENTS.length,
  'x-kubernetes-list-type': 'set',
  items: str('A component name.', { enum: COMPONENTS }),
});

// The custom metrics exist twice: in spec.autoscaling.metrics, where each names the components it applies
// to, and in components.<name>.autoscaling.metrics, where the component is implied and the list would be
// meaningless. One builder per metric makes both, so the two stay the same field for field.
type MetricScope = 'platform' | 'component';

const metricType = (
  scope: MetricScope,
  name: string,
  description: string,
  properties: Record<string, Schema>,
  appliesTo: string,
  required: string[],
): Schema =>
  named(
    scope === 'platform' ? name : `Component${name}`,
    obj(
      description,
      scope === 'platform'
        ? { ...properties, components: componentList(`Components this metric applies to. Absent: ${appliesTo}.`) }
        : properties,
      { required },
    ),
  );

const requestRateMetric = (scope: MetricScope): Schema =>
  metricType(
    scope,
    'RequestRateMetric',
    'Scale on HTTP requests per second (kyc_http_requests_total), summed over the pods; the HPA aims for targetPerReplica per pod.',
    { targetPerReplica: int('Requests per second each replica should serve on average.', { minimum: 1, maximum: 100000 }) },
    'all autoscaled components',
    ['targetPerReplica'],
  );

const latencyMetric = (scope: MetricScope): Schema =>
  metricType(
    scope,
    'LatencyMetric',
    'Scale on response latency (a percentile of kyc_http_request_duration_seconds over the last poll interval): replicas grow in proportion to latency / target.',
    {
      percentile: str('Latency percentile to track. Default p95.', { enum: ['p50', 'p90', 'p95', 'p99'], default: 'p95' }),
      targetMilliseconds: int('Latency (ms) above which the component scales out.', { minimum: 1, maximum: 600000 }),
    },
    'all autoscaled components',
    ['targetMilliseconds'],
  );

const queueLagMetric = (scope: MetricScope): Schema =>
  metricType(
    scope,
    'QueueLagMetric',
    "Scale event consumers on Kafka consumer-group lag: end offset minus committed offset, summed over the partitions of the topics (a partition without a committed offset counts from its earliest offset). Read from the platform's own Kafka: the brokers in the Secret spec.dependencies.kafka names, which the operator reads by name (and again every 60 s); without it, or unreachable from the operator, the metric fails and the fallback applies.",
    {
      targetLagPerReplica: int('Unprocessed messages each replica may have before the component scales out.', {
        minimum: 1,
        maximum: 10000000,
      }),
      consumerGroup: str(
        "Consumer group whose lag is measured. Absent: the component's own group (kyc: kyc-automatic-checks, notification: kyc-notification, analytics: kyc-analytics); gateway and auth have none.",
        { minLength: 1, maxLength: 249, pattern: '^[A-Za-z0-9._-]+$' },
      ),
      topics: {
        type: 'array',
        description:
          "Topics whose lag is summed. Absent: the component's own topics (kyc: kyc.events; notification: kyc.events, customer.events; analytics: every topic the group has committed offsets for).",
        maxItems: 32,
        'x-kubernetes-list-type': 'set',
        items: str('A Kafka topic name.', { minLength: 1, maxLength: 249, pattern: '^[A-Za-z0-9._-]+$' }),
      },
    },
    'the consumers (kyc, notification, analytics)',
    ['targetLagPerReplica'],
  );

const autoscalingMetrics = (scope: MetricScope, description: string): Schema =>
  named(
    scope === 'platform' ? 'AutoscalingMetrics' : 'ComponentAutoscalingMetrics',
    obj(description, { requestRate: requestRateMetric(scope), latency: latencyMetric(scope), queueLag: queueLagMetric(scope) }),
  );

const scalingFallback = (description: string): Schema =>
  named(
    'ScalingFallback',
    obj(
      description,
      {
        failureThreshold: int('Consecutive metric failures before falling back. Default 3.', { minimum: 1, maximum: 100, default: 3 }),
        replicas: int('Replica count held while metrics fail; within autoscaling min/max.', { minimum: 1, maximum: 1000 }),
      },
      { required: ['replicas'] },
    ),
  );

const FALLBACK_DESCRIPTION =
  'What to do when a custom metric cannot be read: after failureThreshold consecutive failures the component is held at replicas instead of flapping.';

const componentAutoscaling = named(
  'ComponentAutoscaling',
  obj(
    'Per-component override of spec.autoscaling. Every absent field falls back to spec.autoscaling.',
    {
      enabled: bool('Whether this component gets a HorizontalPodAutoscaler. Absent: spec.autoscaling.enabled.'),
      minReplicas: int('Lowest replica count the HPA may choose for this component. Absent: spec.autoscaling.minReplicas.', {
        minimum: 1,
        maximum: 1000,
      }),
      maxReplicas: int('Highest replica count the HPA may choose for this component. Absent: spec.autoscaling.maxReplicas.', {
        minimum: 1,
        maximum: 1000,
      }),
      targetCPUUtilizationPercentage: percent('Average CPU utilisation (percent of requests) the HPA aims for. Absent: spec.autoscaling.'),
      targetMemoryUtilizationPercentage: percent(
        'Average memory utilisation (percent of requests) the HPA aims for. Absent: spec.autoscaling.',
      ),
      scaleDownStabilizationSeconds: int(
        'Seconds of lower recommendations the HPA waits for before scaling down. Absent: spec.autoscaling.',
        {
          minimum: 0,
          maximum: 3600,
        },
      ),
      scaleUp: scaleUpPolicy('How fast the HPA may add replicas to this component. Absent: spec.autoscaling.scaleUp.'),
      metrics: autoscalingMetrics(
        'component',
        'Custom metrics of this component. When present they replace spec.autoscaling.metrics for this component entirely (the components lists there no longer apply to it); {} means no custom metrics. Absent: spec.autoscaling.metrics.',
      ),
      fallback: scalingFallback(
        `${FALLBACK_DESCRIPTION} Replaces spec.autoscaling.fallback for this component. Absent: spec.autoscaling.fallback.`,
      ),
    },
    {
      'x-kubernetes-validations': [
        {
          rule: '!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas',
          message: 'autoscaling.minReplicas must be less than or equal to autoscaling.maxReplicas',
          fieldPath: '.minReplicas',
        },
        {
          rule: '!has(self.fallback) || ((!has(self.minReplicas) || self.fallback.replicas >= self.minReplicas) && (!has(self.maxReplicas) || self.fallback.replicas <= self.maxReplicas))',
          message: "autoscaling.fallback.replicas must be within the component's autoscaling.minReplicas and autoscaling.maxReplicas",
          fieldPath: '.fallback.replicas',
        },
      ],
    },
  ),
);

const componentSpec = named(
  'ComponentSpec',
  obj('Overrides for one bundled service. Every absent field comes from the profile preset and the platform-wide settings.', {
    enabled: bool('Whether the operator runs this component. Default true.', { default: true }),
    replicas: int(
      'Fixed replica count. Allowed only when the component is not autoscaled (an HPA owns the count of an autoscaled component). Absent: the profile preset (development 1, staging 2, production 3).',
      { minimum: 1, maximum: 100 },
    ),
    resources,
    env: {
      type: 'array',
      description:
        'Extra environment variables for the component container (e.g. LOG_LEVEL). They are added after the ones the operator sets.',
      maxItems: 64,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: envVar,
    },
    autoscaling: componentAutoscaling,
  }),
);

const secretKeyRef = (what: string, defaultKey: string): Schema =>
  named(
    'SecretKeyRef',
    obj(
      `The Secret (in the platform's namespace) and key that hold ${what}.`,
      {
        name: str('Name of the Secret in the platform namespace.', { minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN }),
        key: str(`Key inside the Secret. Default "${defaultKey}".`, {
          default: defaultKey,
          minLength: 1,
          maxLength: 253,
          pattern: '^[-._a-zA-Z0-9]+$',
        }),
      },
      { required: ['name'] },
    ),
  );

const CIDR_RULE = { rule: 'isCIDR(self)', messageExpression: "self + ' is not a CIDR, e.g. 10.0.0.0/16 or 192.168.1.7/32'" };

const matchLabels = (description: string): Schema =>
  named(
    'LabelSelector',
    obj(description, {
      matchLabels: {
        type: 'object',
        description: 'Labels the object must carry (all of them). Empty or absent: every object.',
        maxProperties: 16,
        additionalProperties: str('Label value.', { maxLength: 63 }),
      },
    }),
  );

// A NetworkPolicy peer (networking.k8s.io/v1 NetworkPolicyPeer) restricted to what the operator renders:
// label selectors by matchLabels only.
const networkPeer = named(
  'NetworkPeer',
  obj(
    'One destination, as in a NetworkPolicy peer: either ipBlock (addresses outside the cluster, e.g. a managed database, or the node itself) or namespaceSelector and/or podSelector (pods in the cluster; podSelector alone means pods in the platform namespace).',
    {
      ipBlock: named(
        'IPBlock',
        obj(
          'A range of addresses. NetworkPolicies match the address a connection reaches after Service translation, so name the endpoints, not a ClusterIP.',
          {
            cidr: str('The range, e.g. 10.20.0.0/16 or 10.244.128.1/32.', { maxLength: 64, 'x-kubernetes-validations': [CIDR_RULE] }),
            except: {
              type: 'array',
              description: 'Ranges inside cidr that are not allowed.',
              maxItems: 16,
              'x-kubernetes-list-type': 'set',
              items: str('A CIDR inside cidr.', { maxLength: 64, 'x-kubernetes-validations': [CIDR_RULE] }),
            },
          },
          {
            required: ['cidr'],
            'x-kubernetes-validations': [
              {
                rule: '!has(self.except) || self.except.all(e, !isCIDR(e) || !isCIDR(self.cidr) || (cidr(self.cidr).containsCIDR(e) && cidr(e).prefixLength() > cidr(self.cidr).prefixLength()))',
                message: 'ipBlock.except ranges must lie inside ipBlock.cidr (and be smaller)',
                fieldPath: '.except',
              },
            ],
          },
        ),
      ),
      namespaceSelector: matchLabels('Namespaces whose pods are allowed, by label (kubernetes.io/metadata.name is the namespace name).'),
      podSelector: matchLabels('Pods that are allowed, by label; in the platform namespace unless namespaceSelector is set.'),
    },
    {
      'x-kubernetes-validations': [
        {
          rule: 'has(self.ipBlock) != (has(self.namespaceSelector) || has(self.podSelector))',
          message: 'a network peer is either an ipBlock or a namespaceSelector and/or podSelector (exactly one kind)',
        },
      ],
    },
  ),
);

const networkPeers = (description: string): Schema => ({
  type: 'array',
  description,
  maxItems: 16,
  'x-kubernetes-list-type': 'atomic',
  items: networkPeer,
});

/** What each store's URL must be under spec.dependencies.<name>.tls Required. */
const STORE_TLS_URL_FORMS = {
  postgres: 'A component given a URL without sslmode=verify-full refuses to start and logs what to set.',
  redis: 'A component given a redis:// URL (not rediss://) refuses to start and logs what to set.',
  kafka: 'Every broker is reached over TLS: list the TLS listeners.',
} as const;

const dependency = (
  name: keyof typeof DEPENDENCY_PORT_DEFAULTS,
  typeName: string,
  description: string,
  what: string,
  perComponent?: string,
): Schema =>
  named(
    typeName,
    obj(
      description,
      {
        secretRef: secretKeyRef(what, SECRET_KEY_DEFAULTS[name]),
        ...(perComponent
          ? {
              credentials: str(
                `Shared (absent): every component reads the Secret's key above. PerComponent: ${perComponent} (docs/security.md, "Per-service credentials").`,
                { enum: ['Shared', 'PerComponent'] },
              ),
            }
          : {}),
        tls: str(
          `Required: the components (and the migration and backup steps) connect with TLS only, verifying the store's certificate (chain and host name) against the key \`ca.crt\` of the same Secret, which must exist. ${STORE_TLS_URL_FORMS[name]} Disabled: plaintext, refused by the production profile (condition Ready=False, reason PlaintextDependency). Absent: as the URL says, unchecked (docs/security.md, "Data in transit to the stores").`,
          { enum: ['Required', 'Disabled'] },
        ),
        networkPeers: networkPeers(
          `Where it runs, for the egress NetworkPolicies (the operator never reads a URL in these Secrets; it reads only the Kafka broker list, for queueLag metrics): the components that use it may open connections to these peers on \`ports\`, and to nothing else but DNS and the components they call. Absent or empty: no component may reach it while security.networkPolicies is on (fail closed) — set it, e.g. [{ipBlock: {cidr: 10.20.0.5/32}}] for a managed database.`,
        ),
        ports: {
          type: 'array',
          description: `TCP ports of the peers. Default [${DEPENDENCY_PORT_DEFAULTS[name]}].`,
          maxItems: 8,
          'x-kubernetes-list-type': 'set',
          items: int('A TCP port.', { minimum: 1, maximum: 65535 }),
        },
      },
      { required: ['secretRef'] },
    ),
  );

/** The KMS port when spec.dependencies.kms.ports is absent: the AWS KMS API over HTTPS. */
export const KMS_PORT_DEFAULT = 443;

const kmsDependency = named(
  'KmsDependency',
  obj(
    'A KMS holding the PII data keys (docs/security.md, "Keys held by a KMS"): the AWS KMS API, or one that speaks it (local-kms). kyc gets data keys made and unwrapped by it, stores them wrapped, and never sees the key-encryption key. Absent: the pii-keys ring of the platform Secret encrypts PII itself, as before.',
    {
      secretRef: named(
        'KmsSecretRef',
        obj(
          "The Secret (in the platform's namespace) with the KMS settings, passed to kyc only: key-id (KMS_KEY_ID: a key id, key ARN or alias such as alias/kyc-pii; required), and optionally region (KMS_REGION, required for AWS), endpoint (KMS_ENDPOINT: a VPC endpoint, local-kms), access-key-id and secret-access-key (static credentials; without them the AWS SDK's default chain applies, e.g. web identity), and parking-key-id (KMS_PARKING_KEY_ID: an RSA_3072 or RSA_4096 ENCRYPT_DECRYPT key such as alias/kyc-pii-parking; writes while the KMS does not answer are then parked under it instead of refused, docs/security.md).",
          { name: str('Name of the Secret in the platform namespace.', { minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN }) },
          { required: ['name'] },
        ),
      ),
      networkPeers: networkPeers(
        'Where the KMS endpoint is, for the egress NetworkPolicy of kyc: kyc may open connections to these peers on `ports`. Absent or empty: kyc cannot reach the KMS while security.networkPolicies is on (fail closed), and does not start.',
      ),
      ports: {
        type: 'array',
        description: `TCP ports of the peers. Default [${KMS_PORT_DEFAULT}].`,
        maxItems: 8,
        'x-kubernetes-list-type': 'set',
        items: int('A TCP port.', { minimum: 1, maximum: 65535 }),
      },
    },
    { required: ['secretRef'] },
  ),
);

/** The ports of the notification providers when spec.dependencies.smtp|sms.ports is absent. */
export const NOTIFICATION_PROVIDER_PORT_DEFAULTS = { smtp: 587, sms: 443 } as const;

/** A notification provider the notification service alone calls: a Secret of settings, and where it runs. */
const providerDependency = (
  typeName: string,
  description: string,
  secret: string,
  name: keyof typeof NOTIFICATION_PROVIDER_PORT_DEFAULTS,
): Schema =>
  named(
    typeName,
    obj(
      description,
      {
        secretRef: named(
          `${typeName}SecretRef`,
          obj(
            secret,
            { name: str('Name of the Secret in the platform namespace.', { minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN }) },
            { required: ['name'] },
          ),
        ),
        networkPeers: networkPeers(
          'Where the provider is, for the egress NetworkPolicy of notification: notification may open connections to these peers on `ports`. Absent or empty: it cannot reach the provider while security.networkPolicies is on (fail closed), and its messages become dead letters.',
        ),
        ports: {
          type: 'array',
          description: `TCP ports of the peers. Default [${NOTIFICATION_PROVIDER_PORT_DEFAULTS[name]}].`,
          maxItems: 8,
          'x-kubernetes-list-type': 'set',
          items: int('A TCP port.', { minimum: 1, maximum: 65535 }),
        },
      },
      { required: ['secretRef'] },
    ),
  );

const dependencies = named(
  'Dependencies',
  obj(
    'Where the services find their backing stores. The operator passes each value to the containers through a secretKeyRef; of these Secrets it reads only the Kafka one, by name, for the brokers of queueLag metrics.',
    {
      postgres: dependency(
        'postgres',
        'PostgresDependency',
        'PostgreSQL, the system of record (read by kyc, auth, notification and analytics as DATABASE_URL).',
        'the PostgreSQL URL (postgres://user:pass@host:port/db)',
        "each component reads the key `<component>-url` (its own role, e.g. kyc-url), and an init container `migrate` first runs its migrations with the key `migrate-url` (the role that owns the schemas), which the component's own container never gets",
      ),
      redis: dependency(
        'redis',
        'RedisDependency',
        'Redis: cache, sessions and rate limits (read by every component as REDIS_URL).',
        'the Redis URL (redis://:pass@host:port)',
        'each component reads the key `<component>-url` (its own ACL user, e.g. gateway-url)',
      ),
      kafka: dependency(
        'kafka',
        'KafkaDependency',
        "Kafka, the event bus (read by kyc, notification and analytics as KAFKA_BROKERS, and by the operator for queueLag metrics; every broker of the cluster must be among the peers, the clients connect to each, and the operator's own NetworkPolicy must allow them too).",
        'the comma-separated Kafka broker list (host:port,...)',
        "kyc, notification and analytics each sign in as their own SCRAM-SHA-512 user, the keys `<component>-username` and `<component>-password` (e.g. kyc-username), and the operator's lag reader as a read-only one, `lag-reader-username` and `lag-reader-password`; the brokers listed must be SASL_SSL listeners (use tls: Required). gateway and auth get no Kafka credential",
      ),
      kms: kmsDependency,
      smtp: providerDependency(
        'SmtpDependency',
        "An SMTP server for e-mail notifications (docs/notifications.md). Absent: e-mails are only recorded, never sent (the development provider). With it, notification also needs contact-keys in the platform Secret (the key ring that seals the recipients' addresses).",
        "The Secret (in the platform's namespace) with the SMTP settings, passed to notification only: host (SMTP_HOST) and from (SMTP_FROM, the sender, e.g. KYC <kyc@bank.example>) required; port (SMTP_PORT, default 587), tls (SMTP_TLS: none, starttls (default) or tls), username and password (SMTP_USERNAME, SMTP_PASSWORD, together) optional.",
        'smtp',
      ),
      sms: providerDependency(
        'SmsDependency',
        'An HTTP SMS gateway for SMS notifications (docs/notifications.md): a JSON POST of {to, text, reference} with a bearer token and an Idempotency-Key. Absent: SMS messages are only recorded, never sent. With it, notification also needs contact-keys in the platform Secret.',
        "The Secret (in the platform's namespace) with the gateway's url (SMS_GATEWAY_URL, http or https) and token (SMS_GATEWAY_TOKEN), passed to notification only.",
        'sms',
      ),
    },
  ),
);

const secretsRef = named(
  'PlatformSecretsRef',
  obj(
    "The platform Secret in the platform namespace with keys token-signing-keys (AUTH_SIGNING_KEYS, read by auth only: an Ed25519 key ring kid:base64(PKCS#8 DER)[,kid:...], the first key signs, every key is published), pii-keys (PII_ENCRYPTION_KEYS key ring), and optionally admin-email and admin-password (the first administrator) and contact-keys (NOTIFICATION_CONTACT_KEYS, read by notification only: the key ring kid:base64(32 bytes)[,...] that seals the recipients' addresses; required with dependencies.smtp or .sms).",
    { name: str('Name of the platform Secret.', { minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN }) },
    { required: ['name'] },
  ),
);

const schedule = named(
  'ScalingSchedule',
  obj(
    'A recurring window (e.g. business hours) during which the replica floor is raised.',
    {
      name: str('Name of the window, unique in the list (shown in status).', { maxLength: 63, pattern: DNS_LABEL }),
      timezone: str('IANA time zone of start and end, e.g. Asia/Kolkata. Default UTC.', {
        default: 'UTC',
        maxLength: 64,
        pattern: '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$',
        // Checked against the tz database at admission (an enum would print all ~600 names on a typo).
        'x-kubernetes-validations': [
          {
            rule: `self in [${TIME_ZONES.map((zone) => `'${zone}'`).join(',')}]`,
            messageExpression:
              "'unknown time zone ' + self + ': use an IANA name from the tz database, e.g. Asia/Kolkata, Europe/London or UTC'",
          },
        ],
      }),
      days: {
        type: 'array',
        description: 'Days of the week the window applies to. Absent: every day.',
        maxItems: 7,
        'x-kubernetes-list-type': 'set',
        items: str('A day of the week.', { enum: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] }),
      },
      start: str(
        'Start of the window, HH:MM (24-hour) wall-clock time in the time zone (DST-aware: a start inside a skipped hour opens at the end of the gap).',
        { pattern: CLOCK },
      ),
      end: str(
        'End of the window (exclusive), HH:MM (24-hour) in the time zone. An end earlier than start makes an overnight window that closes on the next day; days and holidays refer to the day it opens.',
        { pattern: CLOCK },
      ),
      holidays: {
        type: 'array',
        description: 'Dates (YYYY-MM-DD, in the time zone) on which the window does not open.',
        maxItems: 366,
        'x-kubernetes-list-type': 'set',
        items: str('A date, YYYY-MM-DD.', { pattern: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' }),
      },
      minReplicas: int('Replica floor while the window is open.', { minimum: 1, maximum: 1000 }),
      components: componentList('Components the window applies to. Absent: all autoscaled components.'),
    },
    {
      required: ['name', 'start', 'end', 'minReplicas'],
      'x-kubernetes-validations': [
        {
          rule: 'self.start != self.end',
          message: 'schedule start and end must differ (an end before start is an overnight window)',
          fieldPath: '.end',
        },
      ],
    },
  ),
);

const autoscaling = named(
  'Autoscaling',
  obj(
    'Horizontal autoscaling (autoscaling/v2 HPA per component) for every component; components.<name>.autoscaling overrides it per component.',
    {
      enabled: bool(
        'Whether components get HorizontalPodAutoscalers. Absent: true for the staging and production profiles, false for development.',
      ),
      minReplicas: int(`Lowest replica count per component. Default ${AUTOSCALING_DEFAULTS.minReplicas}.`, {
        minimum: 1,
        maximum: 1000,
        default: AUTOSCALING_DEFAULTS.minReplicas,
      }),
      maxReplicas: int(`Highest replica count per component. Default ${AUTOSCALING_DEFAULTS.maxReplicas}.`, {
        minimum: 1,
        maximum: 1000,
        default: AUTOSCALING_DEFAULTS.maxReplicas,
      }),
      targetCPUUtilizationPercentage: percent(
        `Average CPU utilisation (percent of requests) to aim for. Default ${AUTOSCALING_DEFAULTS.targetCPUUtilizationPercentage}.`,
        AUTOSCALING_DEFAULTS.targetCPUUtilizationPercentage,
      ),
      targetMemoryUtilizationPercentage: percent(
        `Average memory utilisation (percent of requests) to aim for. Default ${AUTOSCALING_DEFAULTS.targetMemoryUtilizationPercentage}.`,
        AUTOSCALING_DEFAULTS.targetMemoryUtilizationPercentage,
      ),
      scaleDownStabilizationSeconds: int(
        `Seconds of lower recommendations the HPA waits for before scaling down. Default ${AUTOSCALING_DEFAULTS.scaleDownStabilizationSeconds}.`,
        { minimum: 0, maximum: 3600, default: AUTOSCALING_DEFAULTS.scaleDownStabilizationSeconds },
      ),
      scaleUp: scaleUpPolicy(
        'How fast the HPAs may add replicas (autoscaling/v2 behavior.scaleUp). Absent: the HPA defaults (no stabilisation; double the replicas or add 4 pods every 15 s, whichever is more).',
      ),
      resourceMetrics: bool(
        'Whether the HPAs scale on CPU and memory utilisation (needs metrics-server). false: only on the custom metrics, for clusters without metrics-server; a component without custom metrics keeps CPU and memory. Default true.',
      ),
      metrics: autoscalingMetrics(
        'platform',
        "Custom metrics that the HPAs scale on in addition to CPU and memory. The operator reads them (Kafka, the pods' /metrics or Prometheus) and serves them to the HPA controller as external.metrics.k8s.io (docs/autoscaling.md). components.<name>.autoscaling.metrics replaces them for one component.",
      ),
      schedules: {
        type: 'array',
        description:
          'Business-hours windows that raise the replica floor (the HPA minReplicas) while they are open; the highest open window wins.',
        maxItems: 16,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        items: schedule,
      },
      fallback: scalingFallback(`${FALLBACK_DESCRIPTION} components.<name>.autoscaling.fallback replaces it for one component.`),
      provider: str(
        'Who scales the autoscaled components. builtin: an HPA per component, its custom metrics served by the operator as external.metrics.k8s.io. keda: a KEDA ScaledObject (keda.sh/v1alpha1) per component instead, for clusters where KEDA holds external.metrics.k8s.io (needs KEDA installed; docs/autoscaling.md). Default builtin.',
        { enum: ['builtin', 'keda'] },
      ),
      keda: obj('Settings of provider keda.', {
        prometheusServerAddress: str(
          "Prometheus base URL that KEDA's prometheus triggers query for requestRate and latency, e.g. http://prometheus.monitoring:9090. Required when provider is keda and a component has requestRate or latency metrics.",
          { maxLength: 512, pattern: '^https?://' },
        ),
      }),
    },
    {
      default: {},
      'x-kubernetes-validations': [
        {
          rule: '!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas',
          message: 'autoscaling.minReplicas must be less than or equal to autoscaling.maxReplicas',
          fieldPath: '.minReplicas',
        },
        {
          rule: '!has(self.fallback) || !has(self.minReplicas) || !has(self.maxReplicas) || (self.fallback.replicas >= self.minReplicas && self.fallback.replicas <= self.maxReplicas)',
          message: 'autoscaling.fallback.replicas must be within autoscaling.minReplicas and autoscaling.maxReplicas',
          fieldPath: '.fallback.replicas',
        },
        {
          rule: '!has(self.schedules) || !has(self.maxReplicas) || self.schedules.all(s, s.minReplicas <= self.maxReplicas)',
          message: 'autoscaling.schedules[].minReplicas must not exceed autoscaling.maxReplicas',
          fieldPath: '.schedules',
        },
      ],
    },
  ),
);

const loadBalancing = named(
  'LoadBalancing',
  obj(
    'How the gateway spreads requests over the pods of each upstream service. A live setting: the operator writes it to the live settings (the platform ConfigMap), and the running gateway pods follow a change within seconds, without a restart (docs/workloads.md, "Load balancing"). The gateway finds the ready pods of each upstream through a headless Service (<platform>-<upstream>-hl; per colour <platform>-<upstream>-<colour>-hl under blue-green), resolving its DNS name every 2 s and at once after a refused connection, so scale-outs, terminations and colour switches reach it within seconds (plus the cluster DNS cache: up to its TTL for headless records). DNS rather than watching EndpointSlices: the internet-facing gateway holds no Kubernetes credentials. A pod that fails 3 times in a row (refused, timed out or cut off) sits out 30 s. There are no weights: the pods of one upstream are alike, and traffic between versions is the release\'s to move (spec.release).',
    {
      strategy: str(
        'Balancing strategy over the pods of an upstream: round-robin; least-connections (the pod with the fewest requests in flight from this gateway pod); ip-hash (a client address stays on one pod; when pods come or go only the clients of those pods move). Default round-robin.',
        {
          enum: ['round-robin', 'least-connections', 'ip-hash'],
          default: 'round-robin',
        },
      ),
      stickySessions: bool(
        'Pin a client to one pod of each upstream with a cookie (kyc_affinity), whatever the strategy; a client whose pod is gone or ejected is placed again. Default false.',
        { default: false },
      ),
    },
    { default: {} },
  ),
);

const degradation = named(
  'Degradation',
  obj(
    'A reduced-functionality mode an admin forces on the whole platform, for an incident, a failover or maintenance. The operator writes it to the live settings (the platform ConfigMap) and tells the pods, so every service follows within seconds and nothing restarts (docs/api.md, "Degradation"). While a mode other than Normal is in force, every API answer carries the header KYC-Service-Mode, GET /api/v1/status on the gateway says which mode and what it reduces, and the platform reports condition Degraded with reason ReadOnlyMode or MaintenanceMode.',
    {
      mode: str(
        'Normal: everything served. ReadOnly: reads (GET, HEAD, OPTIONS) served; every other API request answers 503 with Retry-After and the problem type https://kyc.dev/problems/read-only-mode, before its body is read, so nothing is half-written; signing in, refreshing and signing out stay open (they touch sessions, not KYC records). Maintenance: every API request answers 503 with Retry-After and the problem type https://kyc.dev/problems/maintenance, except GET /api/v1/status; the probes keep answering, so no pod restarts. Consumers, relays and sweeps keep running in every mode (feature flags stop those). Default Normal.',
        { enum: ['Normal', 'ReadOnly', 'Maintenance'], default: 'Normal' },
      ),
    },
    { default: {} },
  ),
);

const security = named(
  'Security',
  obj(
    'Network isolation of the platform and the addresses the gateway trusts.',
    {
      networkPolicies: bool(
        "Create NetworkPolicies: deny all ingress and egress of the platform pods except the gateway's http port (8080, from anywhere), the calls each service makes to another (see docs/api.md), the metrics port (9090) from the operator and security.monitoring, DNS (security.dnsPeers), the dependencies (dependencies.<name>.networkPeers) and the traces' OTLP receiver (observability.tracing.networkPeers). Default true.",
        { default: true },
      ),
      monitoring: named(
        'Monitoring',
        obj(
          'Who may scrape the metrics port (9090: /metrics and the detailed /health) of every component, besides the operator. Absent: only the operator.',
          {
            namespace: str('Namespace of the monitoring system (e.g. Prometheus), e.g. monitoring.', {
              minLength: 1,
              maxLength: 63,
              pattern: DNS_LABEL,
            }),
            podSelector: matchLabels('Only these pods of the namespace, by label. Absent: every pod of the namespace.'),
          },
          { required: ['namespace'] },
        ),
      ),
      dnsPeers: networkPeers(
        'Where the pods resolve names (egress on port 53, UDP and TCP). Absent: the cluster DNS pods, labelled k8s-app=kube-dns in kube-system. Set it where DNS is not such a pod, e.g. [{ipBlock: {cidr: 169.254.20.10/32}}] for NodeLocal DNSCache or the node address when CoreDNS runs on the node.',
      ),
      trustedProxies: {
        type: 'array',
        description:
          "Addresses (or CIDRs) of the proxies in front of the gateway whose X-Forwarded-For the gateway believes: the Ingress controller's pods, the load balancer. The client address for rate limits and login backoff is the right-most address in X-Forwarded-For that is not a trusted proxy. Absent or empty: no proxy is trusted and the connection's address is the client's (the NodePort path, with externalTrafficPolicy Local). Passed to the gateway as GATEWAY_TRUSTED_PROXIES.",
        maxItems: 32,
        'x-kubernetes-list-type': 'set',
        items: str('An IP address or a CIDR, e.g. 10.0.0.0/8.', {
          maxLength: 64,
          'x-kubernetes-validations': [
            { rule: 'isIP(self) || isCIDR(self)', messageExpression: "self + ' is neither an IP address nor a CIDR'" },
          ],
        }),
      },
    },
    { default: {} },
  ),
);

const ingress = named(
  'IngressSpec',
  obj(
    'Exposes the gateway through an Ingress when host is set.',
    {
      host: str('Public host name of the KYC API, e.g. kyc.example.com.', { maxLength: 253, pattern: DNS_SUBDOMAIN }),
      tlsSecretName: str('Secret of type kubernetes.io/tls for host; absent means plain HTTP. Requires host.', {
        maxLength: 253,
        pattern: DNS_SUBDOMAIN,
      }),
      className: str('IngressClass to use; absent means the cluster default class.', { maxLength: 253, pattern: DNS_SUBDOMAIN }),
    },
    {
      'x-kubernetes-validations': [
        {
          rule: '!has(self.tlsSecretName) || has(self.host)',
          message: 'ingress.tlsSecretName requires ingress.host',
          fieldPath: '.tlsSecretName',
        },
        { rule: '!has(self.className) || has(self.host)', message: 'ingress.className requires ingress.host', fieldPath: '.className' },
      ],
    },
  ),
);

/** The defaults of spec.tls (docs/security.md, "TLS between the components"). */
export const TLS_DEFAULTS = { mode: 'BuiltIn', certificateValidity: '720h' } as const;

const tls = named(
  'TlsSpec',
  obj(
    'TLS between the platform\'s components (docs/security.md, "TLS between the components"). BuiltIn (default): the operator keeps a CA per platform (Secret <platform>-tls-ca) and a certificate per component (Secret <platform>-<component>-tls, mounted at /var/run/kyc/tls), renews each at 2/3 of its life without restarting a pod, and every component serves HTTPS (TLS 1.3) and calls its peers over verified TLS. Changing the annotation kyc.dev/rotate-certificates (any new value) re-issues every certificate at once (the CA is kept).',
    {
      mode: str(
        "BuiltIn: the operator's CA and certificates, HTTPS everywhere. Disabled: plain HTTP between the components, refused by the production profile (condition Ready=False, reason TLSRequired). Default BuiltIn.",
        { enum: ['BuiltIn', 'Disabled'], default: TLS_DEFAULTS.mode },
      ),
      publicNames: {
        type: 'array',
        description:
          "Extra names on the gateway's certificate: the DNS names and IP addresses clients reach it by (NodePort, load balancer), e.g. [localhost, 127.0.0.1]. ingress.host is added by itself.",
        maxItems: 16,
        items: str('A DNS name or an IP address.', {
          maxLength: 253,
          pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*|[0-9a-fA-F:.]+)$',
        }),
      },
      certificateValidity: str(
        "Validity of each component's certificate, in hours (and minutes), e.g. 720h or 1h30m; renewed at 2/3 of it. At least 1h, at most 9999h. Default 720h.",
        { pattern: '^[1-9][0-9]{0,3}h([0-5]?[0-9]m)?$', default: TLS_DEFAULTS.certificateValidity },
      ),
      issuerRef: named(
        'TlsIssuerRef',
        obj(
          'A cert-manager Issuer or ClusterIssuer that issues the components\' certificates instead of the built-in CA (docs/security.md, "Certificates from cert-manager"): the operator writes a cert-manager Certificate per component (Secret <platform>-<component>-tls, the same names, certificateValidity, renewed at 2/3 of it) and the trust bundle from the Secrets\' ca.crt into <platform>-tls-ca. Where the Certificate CRD is not installed, CertificatesReady is False with reason CertManagerNotInstalled and nothing rolls out. Absent: the built-in CA.',
          {
            name: str("Name of the Issuer (in the platform's namespace) or ClusterIssuer.", { maxLength: 253 }),
            kind: str('Issuer or ClusterIssuer. Default Issuer.', { enum: ['Issuer', 'ClusterIssuer'], default: 'Issuer' }),
            group: str('API group of the issuer. Default cert-manager.io (an external issuer names its own).', {
              maxLength: 253,
              default: 'cert-manager.io',
            }),
          },
          { required: ['name'] },
        ),
      ),
    },
    {
      default: {},
      'x-kubernetes-validations': [
        {
          rule: "!has(self.issuerRef) || !has(self.mode) || self.mode != 'Disabled'",
          message: 'tls.issuerRef requires tls.mode BuiltIn',
          fieldPath: '.issuerRef',
        },
      ],
    },
  ),
);

const toleration = named(
  'Toleration',
  obj(
    'A taint the pods tolerate (same meaning as a Pod toleration).',
    {
      key: str('Taint key; empty with operator Exists matches every taint.', { maxLength: 253 }),
      operator: str('Exists or Equal. Default Equal.', { enum: ['Exists', 'Equal'], default: 'Equal' }),
      value: str('Taint value for operator Equal.', { maxLength: 63 }),
      effect: str('Taint effect to match; absent matches all effects.', { enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] }),
      tolerationSeconds: int('For NoExecute: how long the pod stays bound after the taint appears.', { minimum: 0, maximum: 86400 }),
    },
    {
      'x-kubernetes-validations': [
        {
          rule: "self.operator != 'Exists' || !has(self.value)",
          message: 'tolerations[].value must be empty when operator is Exists',
          fieldPath: '.value',
        },
        {
          rule: "!has(self.tolerationSeconds) || (has(self.effect) && self.effect == 'NoExecute')",
          message: 'tolerations[].tolerationSeconds requires effect NoExecute',
          fieldPath: '.tolerationSeconds',
        },
      ],
    },
  ),
);

const placement = named(
  'Placement',
  obj('Where the pods may run. Zone and host spreading is always on.', {
    nodeSelector: {
      type: 'object',
      description: 'Node labels every pod requires.',
      maxProperties: 32,
      additionalProperties: str('Required label value.', { maxLength: 63 }),
    },
    tolerations: {
      type: 'array',
      description: 'Taints the pods tolerate.',
      maxItems: 16,
      'x-kubernetes-list-type': 'atomic',
      items: toleration,
    },
  }),
);

const smokeCheck = named(
  'SmokeCheck',
  obj(
    'HTTP GETs the operator sends to the preview Services once every preview Deployment is Available: `path` on each component (2xx wanted), and `gatewayPath` through the preview gateway (any answer below 500: the preview gateway answers through its routing and token check; its `/ready` says it has found a pod of every preview upstream). A response with an X-KYC-Version other than the preview version fails too. A failed round is retried every few seconds; after `retries` failed rounds the release is aborted.',
    {
      enabled: bool('Run the smoke check. Default true.', { default: true }),
      path: str(`Path requested on each preview Service. Default ${RELEASE_DEFAULTS.smokeCheckPath}.`, {
        default: RELEASE_DEFAULTS.smokeCheckPath,
        maxLength: 256,
        pattern: '^/[A-Za-z0-9/._~%-]*$',
      }),
      gatewayPath: str(`Path read through the preview gateway. Default ${RELEASE_DEFAULTS.smokeCheckGatewayPath}.`, {
        default: RELEASE_DEFAULTS.smokeCheckGatewayPath,
        maxLength: 256,
        pattern: '^/[A-Za-z0-9/._~%-]*$',
      }),
      timeoutSeconds: int(`Timeout per request. Default ${RELEASE_DEFAULTS.smokeCheckTimeoutSeconds}.`, {
        minimum: 1,
        maximum: 60,
        default: RELEASE_DEFAULTS.smokeCheckTimeoutSeconds,
      }),
      retries: int(`Failed rounds tolerated before the release is aborted. Default ${RELEASE_DEFAULTS.smokeCheckRetries}.`, {
        minimum: 0,
        maximum: 100,
        default: RELEASE_DEFAULTS.smokeCheckRetries,
      }),
    },
  ),
);

const release = named(
  'Release',
  obj(
    'How a new spec.version is rolled out. Absent: a rolling update of each Deployment `<platform>-<component>`. Present (strategy BlueGreen): two Deployments per component, `<platform>-<component>-blue` and `-green`; a new version brings up the idle colour of every component, waits until all are Available and the smoke check passes, switches every active Service in one pass, and keeps the old colour for scaleDownDelaySeconds as the instant rollback target (docs/releases.md). Annotate the platform kyc.dev/promote=true to promote, kyc.dev/abort=true to abort; set spec.version back to roll back.',
    {
      strategy: str(
        'BlueGreen brings up the idle colour of every component and switches all Services at once; RollingUpdate updates in place. Default BlueGreen.',
        {
          enum: ['BlueGreen', 'RollingUpdate'],
          default: RELEASE_DEFAULTS.strategy,
        },
      ),
      autoPromote: bool(
        'Switch traffic automatically once the preview is Available and the smoke check passed. false: wait in AwaitingPromotion for the annotation kyc.dev/promote=true. Default true.',
        {
          default: RELEASE_DEFAULTS.autoPromote,
        },
      ),
      autoPromotionSeconds: int('Seconds to wait after the preview is ready before an automatic switch. Requires autoPromote.', {
        minimum: 0,
        maximum: 86400,
      }),
      scaleDownDelaySeconds: int(
        'Seconds the previous colour stays up after the switch (rollback target; at least 30 for kube-proxy propagation). Default 30.',
        {
          minimum: 30,
          maximum: 86400,
          default: RELEASE_DEFAULTS.scaleDownDelaySeconds,
        },
      ),
      previewReplicas: int('Replicas per component of the preview colour. Absent: the active replica count.', { minimum: 1, maximum: 100 }),
      progressDeadlineSeconds: int(
        'Seconds the preview may take to become Available and pass the smoke check (and, at the switch, to reach the active replica count) before the release is aborted with the active colour untouched. Default 600.',
        {
          minimum: 30,
          maximum: 86400,
          default: RELEASE_DEFAULTS.progressDeadlineSeconds,
        },
      ),
      smokeCheck,
    },
    {
      'x-kubernetes-validations': [
        {
          rule: '!has(self.autoPromotionSeconds) || !has(self.autoPromote) || self.autoPromote',
          message: 'release.autoPromotionSeconds requires release.autoPromote: true',
          fieldPath: '.autoPromotionSeconds',
        },
      ],
    },
  ),
);

// ---- cross-field rules that need the whole spec (profile and platform-wide defaults) ----
function componentRules(name: ComponentName): ValidationRule[] {
  const c = `self.components.${name}`;
  const has = `has(self.components) && has(${c})`;
  const autoscaled =
    `(${has} && has(${c}.autoscaling) && has(${c}.autoscaling.enabled) ? ${c}.autoscaling.enabled : ` +
    `(has(self.autoscaling) && has(self.autoscaling.enabled) ? self.autoscaling.enabled : self.profile != 'development'))`;
  const min = `(has(${c}.autoscaling.minReplicas) ? ${c}.autoscaling.minReplicas : (has(self.autoscaling) && has(self.autoscaling.minReplicas) ? self.autoscaling.minReplicas : ${AUTOSCALING_DEFAULTS.minReplicas}))`;
  const max = `(has(${c}.autoscaling.maxReplicas) ? ${c}.autoscaling.maxReplicas : (has(self.autoscaling) && has(self.autoscaling.maxReplicas) ? self.autoscaling.maxReplicas : ${AUTOSCALING_DEFAULTS.maxReplicas}))`;
  return [
    {
      rule: `!(${has} && has(${c}.replicas)) || !${autoscaled}`,
      message: `components.${name}.replicas cannot be set while ${name} is autoscaled; set components.${name}.autoscaling.enabled: false (or autoscaling.enabled: false) to pin the replica count`,
      fieldPath: `.components.${name}.replicas`,
    },
    {
      rule: `self.profile != 'production' || !(${has} && has(${c}.replicas)) || ${c}.replicas >= 3`,
      message: `components.${name}.replicas must be at least 3 in the production profile (one per zone)`,
      fieldPath: `.components.${name}.replicas`,
    },
    {
      rule: `self.profile != 'production' || !(${has} && has(${c}.autoscaling) && has(${c}.autoscaling.minReplicas)) || ${c}.autoscaling.minReplicas >= 3`,
      message: `components.${name}.autoscaling.minReplicas must be at least 3 in the production profile (one per zone)`,
      fieldPath: `.components.${name}.autoscaling.minReplicas`,
    },
    {
      rule: `!(${has} && has(${c}.autoscaling)) || ${min} <= ${max}`,
      message: `components.${name}.autoscaling: the effective minReplicas must be less than or equal to the effective maxReplicas (absent fields come from spec.autoscaling)`,
      fieldPath: `.components.${name}.autoscaling`,
    },
    // A consumer falls back to its own group; any other component has no lag to measure without one.
    ...(isKafkaConsumer(name)
      ? []
      : [
          {
            rule: `!(${has} && has(${c}.autoscaling) && has(${c}.autoscaling.metrics) && has(${c}.autoscaling.metrics.queueLag)) || has(${c}.autoscaling.metrics.queueLag.consumerGroup)`,
            message: `components.${name}.autoscaling.metrics.queueLag needs a consumerGroup: the components with a group of their own are ${KAFKA_CONSUMERS.join(', ')}`,
            fieldPath: `.components.${name}.autoscaling.metrics.queueLag`,
          },
        ]),
  ];
}

const components = named(
  'Components',
  obj(
    "Per-component overrides for the six bundled components (the five services and the web app's frontend). A component that is absent runs with the profile preset (the frontend, which serves static files, with a small preset of its own).",
    Object.fromEntries(COMPONENTS.map((name) => [name, componentSpec])),
  ),
);

const backup = named(
  'Backup',
  obj(
    'Encrypted automated backups of every service schema to S3-compatible storage, with retention (docs/backup.md). The operator renders a CronJob running `main.js backup` with the owner role of the PostgreSQL Secret. Absent: no backups.',
    {
      schedule: str('When backups run: a standard five-field cron expression, e.g. "30 2 * * *".', {
        maxLength: 100,
        pattern: '^(\\S+\\s+){4}\\S+$',
      }),
      timeZone: str('IANA time zone of the schedule (CronJob spec.timeZone), e.g. Asia/Kolkata. Default UTC.', {
        default: 'UTC',
        maxLength: 64,
        pattern: '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$',
      }),
      suspend: bool('Stop scheduling new backups (the CronJob is suspended). Default false.'),
      retentionCount: int('How many complete backups to keep; older ones are deleted after each backup. Default 7.', {
        minimum: 1,
        maximum: 1000,
        default: 7,
      }),
      retentionDays: int('Backups older than this are deleted too (the newest is always kept). Absent: only the count applies.', {
        minimum: 1,
        maximum: 3650,
      }),
      staleAfterMinutes: int(
        'Condition BackupHealthy turns False when the last successful backup is older than this (or none succeeded this long after the first schedule). Default 1560 (26 hours, a daily schedule with slack).',
        { minimum: 5, maximum: 527040, default: 1560 },
      ),
      bucket: str('Bucket the backups go to.', { minLength: 3, maxLength: 63 }),
      prefix: str('Key prefix inside the bucket. Default the platform name.', { maxLength: 200, pattern: '^[-._/a-zA-Z0-9]*$' }),
      endpoint: str(
        'S3 endpoint URL for S3-compatible storage (e.g. SeaweedFS, Ceph RGW); path-style addressing is used. Absent: AWS S3 of the region.',
        { maxLength: 512, pattern: '^https?://' },
      ),
      region: str('Region of the bucket. Default us-east-1.', { default: 'us-east-1', maxLength: 64 }),
      credentialsSecretRef: named(
        'BackupCredentialsSecretRef',
        obj(
          'The Secret with the keys access-key-id and secret-access-key. Absent: the AWS SDK default chain (e.g. web identity).',
          { name: str('Name of the Secret in the platform namespace.', { minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN }) },
          { required: ['name'] },
        ),
      ),
      encryptionKeySecretRef: secretKeyRef('the backup data key (32 bytes, base64; AES-256-GCM)', 'backup-key'),
      networkPeers: networkPeers(
        "Where the S3 endpoint is, for the backup pods' egress NetworkPolicy (they also reach PostgreSQL and DNS). Absent: the backup cannot reach storage while security.networkPolicies is on.",
      ),
      ports: {
        type: 'array',
        description: 'TCP ports of the S3 peers. Default [443].',
        maxItems: 8,
        'x-kubernetes-list-type': 'set',
        items: int('A TCP port.', { minimum: 1, maximum: 65535 }),
      },
    },
    { required: ['schedule', 'bucket', 'encryptionKeySecretRef'] },
  ),
);

/** Where notification may deliver the integrators' webhooks (docs/customer-api.md, "Webhooks"). */
const notifications = named(
  'Notifications',
  obj('What the notification service reaches beyond its providers.', {
    webhooks: named(
      'WebhookEgress',
      obj(
        'Outbound webhooks for integrators (docs/customer-api.md, "Webhooks"), registered by admins through the API. The service refuses private, loopback and link-local destinations whatever this says.',
        {
          egress: networkPeers(
            "Where registered webhooks may be delivered: notification's egress NetworkPolicy lets it open connections to these peers on `ports` (e.g. the integrators' address ranges; 0.0.0.0/0 with except for any public address). Absent or empty: webhooks cannot leave the cluster while security.networkPolicies is on (fail closed), and their deliveries end as dead letters.",
          ),
          ports: {
            type: 'array',
            description: 'TCP ports of the webhook receivers. Default [443].',
            maxItems: 8,
            'x-kubernetes-list-type': 'set',
            items: int('A TCP port.', { minimum: 1, maximum: 65535 }),
          },
        },
      ),
    ),
  }),
);

const observability = named(
  'Observability',
  obj('What the platform reports besides its Prometheus metrics (docs/observability.md).', {
    tracing: named(
      'Tracing',
      obj(
        'OpenTelemetry traces of every component, exported over OTLP/HTTP (docs/observability.md, "Traces"). Absent: no traces.',
        {
          otlpEndpoint: str(
            'Base URL of an OTLP/HTTP receiver (an OpenTelemetry Collector, Jaeger); spans are posted to <otlpEndpoint>/v1/traces. E.g. http://otel-collector.monitoring:4318.',
            { minLength: 1, maxLength: 512, pattern: '^https?://' },
          ),
          sampleRatio: {
            type: 'number',
            description:
              'Share of new traces recorded, 0 to 1, decided at the gateway by the trace id (a client cannot force it) and followed by every component after it. Default 1.',
            minimum: 0,
            maximum: 1,
          },
          networkPeers: networkPeers(
            "Where the OTLP receiver is, for every component's egress NetworkPolicy (on the endpoint's port). Absent: the spans cannot leave the pods while security.networkPolicies is on.",
          ),
        },
        { required: ['otlpEndpoint'] },
      ),
    ),
    podMonitor: named(
      'PodMonitor',
      obj(
        'Prometheus Operator PodMonitors (monitoring.coreos.com/v1), one per component, scraping its metrics port (9090; HTTPS verified with the platform CA unless tls.mode is Disabled). Written only where the PodMonitor CRD is installed; otherwise the Event PodMonitorNotInstalled says so. Let the scraper in with security.monitoring (docs/observability.md). Absent: none.',
        {
          enabled: bool('Write the PodMonitors. Default true when podMonitor is given.', { default: true }),
          labels: {
            type: 'object',
            description: "Extra labels of the PodMonitors, e.g. the release label kube-prometheus-stack's Prometheus selects by.",
            maxProperties: 16,
            additionalProperties: str('Label value.', { maxLength: 63 }),
          },
          interval: str('Scrape interval, e.g. 30s. Absent: the Prometheus default.', { pattern: '^[0-9]+(ms|s|m|h)$', maxLength: 16 }),
        },
      ),
    ),
  }),
);

export const specSchema: Schema = named(
  'KycPlatformSpec',
  obj(
    'The desired state of one KYC platform: which release of the bundled services runs, how big, and how it is exposed.',
    {
      version: str('Release to run: the image tag of the bundled KYC services (e.g. 1.4.2). Changing it rolls out the new release.', {
        minLength: 1,
        maxLength: 128,
        'x-kubernetes-validations': [
          {
            rule: `self.matches('${IMAGE_TAG}')`,
            message: 'version must be a valid image tag: letters, digits, _ . - (at most 128, not starting with . or -)',
          },
        ],
      }),
      image: str(`Image repository of the bundled services, without a tag (the tag is spec.version). Default ${DEFAULT_IMAGE}.`, {
        default: DEFAULT_IMAGE,
        maxLength: 255,
        'x-kubernetes-validations': [
          {
            rule: `self.matches('${IMAGE_REPOSITORY}')`,
            message:
              'image must be a repository without tag or digest, e.g. registry.example.com/kyc/workloads (the tag comes from spec.version)',
          },
        ],
      }),
      imagePullPolicy: str('When the kubelet pulls the image. Default IfNotPresent.', {
        enum: ['Always', 'IfNotPresent', 'Never'],
        default: 'IfNotPresent',
      }),
      profile: str(
        'Size preset. development: 1 replica, 50m/128Mi requests, 500m/256Mi limits, no autoscaling. staging: 2 replicas, 100m/192Mi requests, 500m/384Mi limits, autoscaling on. production: at least 3 replicas, 250m/256Mi requests, 500m/512Mi limits, autoscaling on, and the platform Secret is checked before anything rolls out (refused with condition SecretsVerified=False while it holds the development sample values, all-zero or wrong-length keys, or an admin password under 12 characters), and tls.mode Disabled is refused (condition Ready=False, reason TLSRequired). Default production.',
        { enum: ['development', 'staging', 'production'], default: DEFAULT_PROFILE },
      ),
      logLevel: str('LOG_LEVEL of every component. Default info.', { enum: ['debug', 'info', 'warn', 'error'], default: 'info' }),
      featureFlags: {
        type: 'object',
        description: `Features an admin can switch off while the platform runs, name to on/off; every flag is on unless set to false here. The services pick a change up within seconds, without a restart (docs/api.md, "Feature flags"). The flags: ${FEATURE_FLAG_NAMES.join(', ')}.`,
        maxProperties: FEATURE_FLAG_NAMES.length,
        additionalProperties: bool('Whether the feature is on.'),
        'x-kubernetes-validations': [
          {
            rule: `self.all(k, k in [${FEATURE_FLAG_NAMES.map((name) => `'${name}'`).join(', ')}])`,
            message: `unknown feature flag: featureFlags accepts only ${FEATURE_FLAG_NAMES.join(', ')}`,
          },
        ],
      },
      degradation,
      components,
      dependencies,
      secretsRef,
      autoscaling,
      loadBalancing,
      security,
      ingress,
      tls,
      placement,
      release,
      backup,
      observability,
      notifications,
    },
    {
      required: ['version'],
      'x-kubernetes-validations': COMPONENTS.flatMap(componentRules).concat([
        {
          rule: "self.profile != 'production' || !has(self.autoscaling) || !has(self.autoscaling.minReplicas) || self.autoscaling.minReplicas >= 3",
          message: 'autoscaling.minReplicas must be at least 3 in the production profile (one per zone)',
          fieldPath: '.autoscaling.minReplicas',
        },
        {
          rule: '!has(self.components) || !has(self.components.gateway) || !has(self.components.gateway.enabled) || self.components.gateway.enabled || !has(self.ingress) || !has(self.ingress.host)',
          message: 'ingress.host requires the gateway component (components.gateway.enabled is false)',
          fieldPath: '.ingress.host',
        },
      ]),
    },
  ),
);

// ---- status: written only by the operator ----
const condition = named(
  'Condition',
  obj(
    'A standard metav1.Condition: Ready, Progressing, Degraded, and under the BlueGreen strategy ReleaseProgressing and ReleaseFailed.',
    {
      type: str('Condition type in CamelCase, e.g. Ready.', {
        maxLength: 316,
        pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
      }),
      status: str('True, False or Unknown.', { enum: ['True', 'False', 'Unknown'] }),
      observedGeneration: int('The metadata.generation the condition was computed from.', { format: 'int64', minimum: 0 }),
      lastTransitionTime: str('When status last changed.', { format: 'date-time' }),
      reason: str('Machine-readable CamelCase cause of the last transition.', {
        minLength: 1,
        maxLength: 1024,
        pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
      }),
      message: str('Human-readable detail of the last transition.', { maxLength: 32768 }),
    },
    { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] },
  ),
);

const componentStatus = named(
  'ComponentStatus',
  obj('Replica counts of one component, from its Deployment(s).', {
    desired: int('Replicas wanted (Deployment spec.replicas, as set by the operator or the HPA).', { minimum: 0 }),
    ready: int('Replicas whose readiness probe passes.', { minimum: 0 }),
    updated: int('Replicas running the current pod template (spec.version).', { minimum: 0 }),
    available: int('Replicas ready for at least minReadySeconds.', { minimum: 0 }),
  }),
);

export const statusSchema: Schema = named(
  'KycPlatformStatus',
  obj('The observed state of the platform, written by the operator.', {
    observedGeneration: int('The metadata.generation this status describes.', { format: 'int64', minimum: 0 }),
    phase: str(
      'Summary: Pending (nothing ready yet), Progressing (rolling out), Ready, Degraded (running with fewer ready replicas or components than desired, or pods report a dependency down; a mode forced in spec.degradation leaves the phase as it is), Failed (cannot proceed without a change to the spec, or to the platform Secret when SecretsVerified is False).',
      {
        enum: ['Pending', 'Progressing', 'Ready', 'Degraded', 'Failed'],
      },
    ),
    conditions: {
      type: 'array',
      description:
        'Standard conditions: Ready, Progressing, Degraded (also True with reason DependencyUnavailable while pods report a dependency down in their /health, naming it, the components and what they refuse, and with reason ReadOnlyMode or MaintenanceMode while spec.degradation.mode forces one); ScalingActive (HPAs exist and their custom metrics are served) and ScalingDegraded (a metric source fails; fallback in force); ReleaseProgressing and ReleaseFailed (strategy BlueGreen); SecretsVerified (profile production: False with reason InsecureSecrets while the platform Secret holds sample, all-zero or wrong-length keys or a short admin password, and nothing is rolled out); CertificatesReady (tls.mode BuiltIn: True once the CA and every component certificate are in their Secrets, naming the first to expire; False with reason IssueFailed and the error; with tls.issuerRef False with reason CertManagerNotInstalled or CertificatesPending, when nothing is rolled out, or Issuing while cert-manager re-issues). Ready is False with reason TLSRequired while a production platform sets tls.mode Disabled (nothing is rolled out).',
      maxItems: 32,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
      items: condition,
    },
    components: named(
      'ComponentStatuses',
      obj('Replica counts per component.', Object.fromEntries(COMPONENTS.map((name) => [name, componentStatus]))),
    ),
    readyComponents: str('Ready components over enabled components, e.g. 6/6.', { maxLength: 16 }),
    featureFlags: {
      type: 'object',
      description:
        'The feature flags in force, every flag with its value (spec.featureFlags over the defaults), as last written to the platform ConfigMap and announced to the pods.',
      maxProperties: FEATURE_FLAG_NAMES.length,
      additionalProperties: bool('Whether the feature is on.'),
    },
    degradationMode: str(
      'The reduced-functionality mode in force (spec.degradation.mode), as last written to the platform ConfigMap and announced to the pods.',
      {
        enum: ['Normal', 'ReadOnly', 'Maintenance'],
      },
    ),
    activeVersion: str('The version that serves traffic.', { maxLength: 128 }),
    backup: named(
      'BackupStatus',
      obj(
        'The last successful backup (spec.backup), as its Job reported it in its termination message (docs/backup.md, "Status"). The operator reads the pods of the backup Jobs, never the bucket.',
        {
          lastSuccessfulTime: str("The backup CronJob's last successful run.", { format: 'date-time' }),
          id: str('The backup id (its UTC start time), the argument of a restore.', { maxLength: 64 }),
          bucket: str('Bucket it went to.', { maxLength: 63 }),
          key: str('Object key of the encrypted dump (data.kycbak) in the bucket.', { maxLength: 1024 }),
          bytes: int('Size of the encrypted dump in bytes.', { format: 'int64', minimum: 0 }),
          tables: int('Tables in the dump.', { minimum: 0 }),
          rows: int('Rows in the dump.', { format: 'int64', minimum: 0 }),
        },
      ),
    ),
    certificates: {
      type: 'array',
      description:
        'The platform\'s CA and certificates (spec.tls.mode BuiltIn; docs/security.md, "TLS between the components"), as the operator last wrote or read them; with tls.issuerRef the issuer\'s CA and the certificates read from the Secrets cert-manager wrote.',
      maxItems: COMPONENTS.length + 1,
      items: named(
        'CertificateStatus',
        obj(
          'One certificate.',
          {
            name: str('ca (the platform CA) or the component.', { enum: ['ca', ...COMPONENTS] }),
            notAfter: str('When it expires; renewed at 2/3 of its life.', { format: 'date-time' }),
            serialNumber: str('Its serial number, hex.', { maxLength: 64 }),
          },
          { required: ['name', 'notAfter'] },
        ),
      ),
    },
    activeColor: str('The colour (blue or green) that serves traffic under the BlueGreen strategy.', { enum: ['blue', 'green'] }),
    release: named(
      'ReleaseStatus',
      obj(
        'Blue-green release state (strategy BlueGreen). The operator resumes from it after a restart, so every step is recorded here before the next is taken.',
        {
          phase: str(
            'Release step: Idle (one colour serves), Deploying (the preview colour comes up), Verifying (smoke check), AwaitingPromotion (waiting for kyc.dev/promote=true or autoPromotionSeconds), Switching (preview scaled to the active replica count, then every active Service switched), ScalingDown (the old colour stays up as the rollback target until scaleDownAt), Aborted (the preview is scaled down; the active colour never changed).',
            { enum: ['Idle', 'Deploying', 'Verifying', 'AwaitingPromotion', 'Switching', 'ScalingDown', 'Aborted'] },
          ),
          activeColor: str(
            'The colour the active Services select. Absent: the platform still runs its single pre-blue-green Deployment per component.',
            { enum: ['blue', 'green'] },
          ),
          activeVersion: str('The version of the active colour.', { maxLength: 128 }),
          previewColor: str('The colour being brought up (Deploying to Switching, Aborted).', { enum: ['blue', 'green'] }),
          previewVersion: str('The version being brought up.', { maxLength: 128 }),
          previousColor: str(
            'During ScalingDown: what served before the switch (the rollback target); legacy is the pre-blue-green Deployment.',
            { enum: ['blue', 'green', 'legacy'] },
          ),
          previousVersion: str('During ScalingDown: the version of previousColor; setting spec.version to it switches back at once.', {
            maxLength: 128,
          }),
          startedAt: str('When the current release started.', { format: 'date-time' }),
          phaseStartedAt: str('When the current phase began (the Switching deadline counts from it).', { format: 'date-time' }),
          previewReadyAt: str('When every preview Deployment was first Available.', { format: 'date-time' }),
          verifiedAt: str('When the smoke check passed.', { format: 'date-time' }),
          switchedAt: str('When the active Services were last switched.', { format: 'date-time' }),
          scaleDownAt: str('During ScalingDown: when the previous colour is scaled to zero.', { format: 'date-time' }),
          finishedAt: str('When the last release ended (switched and scaled down, or aborted).', { format: 'date-time' }),
          smokeCheckFailures: int('Failed smoke-check rounds in this release.', { minimum: 0 }),
          failureReason: str(
            'Why the last release was aborted: ProgressDeadlineExceeded, SmokeCheckFailed, AbortRequested or MigrationRefused (a preview pod refused a migration the active version cannot run beside; message carries its reason).',
            {
              maxLength: 64,
            },
          ),
          message: str('Why the release is where it is.', { maxLength: 4096 }),
        },
      ),
    ),
    scaling: {
      type: 'object',
      description: 'Why each component has the replica count it has, per component (filled by the scaling logic).',
      maxProperties: COMPONENTS.length,
      additionalProperties: named(
        'ComponentScalingStatus',
        obj(
          'Scaling decision for one component.',
          {
            mode: str('Fixed (spec replicas) or Autoscaled (HPA).', { enum: ['Fixed', 'Autoscaled'] }),
            minReplicas: int('Effective replica floor.', { minimum: 0 }),
            maxReplicas: int('Effective replica ceiling.', { minimum: 0 }),
            currentReplicas: int('Replicas the HPA last observed (HPA status.currentReplicas).', { minimum: 0 }),
            desiredReplicas: int('Replicas the HPA last asked for (HPA status.desiredReplicas).', { minimum: 0 }),
            reason: str(
              'Why the floor/ceiling/count is what it is, e.g. kafka lag 4200 / 100 per pod → 20 (max); business-hours window active → min 6.',
              {
                maxLength: 1024,
              },
            ),
            metrics: {
              type: 'array',
              description: 'The custom metrics of this component as last read by the operator.',
              maxItems: 8,
              items: named(
                'ScalingMetricStatus',
                obj('One custom metric: its value, its target and what it asks for.', {
                  name: str('Metric name in external.metrics.k8s.io, e.g. kafka-consumer-lag.', { maxLength: 128 }),
                  value: str('Last value read (a decimal number), absent while it cannot be read.', { maxLength: 64 }),
                  target: str('Target: per pod (AverageValue) or for the whole component (Value).', { maxLength: 64 }),
                  replicas: int('Replicas this metric alone asks for, within min/max.', { minimum: 0 }),
                  message: str('The reading in words, or why it failed.', { maxLength: 1024 }),
                }),
              ),
            },
            fallback: bool('True while the fallback replica count is in force because metrics keep failing.'),
          },
          { 'x-kubernetes-preserve-unknown-fields': true },
        ),
      ),
    },
  }),
);

export const kycPlatformSchema: Schema = obj(
  "KycPlatform runs one instance of the bank KYC platform (gateway, kyc, auth, notification, analytics, and the web app's frontend) with its autoscaling, network isolation and releases.",
  {
    apiVersion: str('Versioned schema of this object: kyc.dev/v1alpha1.'),
    kind: str('Kind of this object: KycPlatform.'),
    // The API server forbids anything but type here (metadata is validated by the server itself), so this
    // one node has no description; generate.test.ts checks that every other node has one.
    metadata: { type: 'object' } as Schema,
    spec: specSchema,
    status: statusSchema,
  },
  {
    required: ['spec'],
    'x-kubernetes-validations': [
      {
        // Service names are DNS-1035 labels (63 characters); the longest derived name is
        // <name>-notification-preview, so the platform name must leave room for it.
        rule: "self.metadata.name.size() <= 40 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
        message:
          'metadata.name must start with a letter, contain only lower-case letters, digits and -, and be at most 40 characters (it prefixes the Service names, e.g. <name>-notification)',
      },
    ],
  },
);

export const printerColumns = [
  { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Summary phase of the platform.' },
  { name: 'Version', type: 'string', jsonPath: '.status.activeVersion', description: 'Version that serves traffic.' },
  { name: 'Active', type: 'string', jsonPath: '.status.activeColor', description: 'Colour that serves traffic (blue-green).' },
  { name: 'Release', type: 'string', jsonPath: '.status.release.phase', description: 'Blue-green release step.' },
  { name: 'Ready', type: 'string', jsonPath: '.status.readyComponents', description: 'Ready components over enabled components.' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since creation.' },
] as const;
