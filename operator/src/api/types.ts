// Generated from operator/src/api/schema.ts by `make crds` (operator/src/api/generate-crd.ts). Do not edit.
export { COMPONENTS, type ComponentName } from './components.js';

/** Object metadata as the operator reads it (a subset of metav1.ObjectMeta). */
export interface KycPlatformMetadata {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  finalizers?: string[];
}

/** KycPlatform runs one instance of the bank KYC platform (gateway, kyc, auth, notification, analytics, and the web app's frontend) with its autoscaling, network isolation and releases. */
export interface KycPlatform {
  apiVersion: 'kyc.dev/v1alpha1';
  kind: 'KycPlatform';
  metadata: KycPlatformMetadata;
  spec: KycPlatformSpec;
  status?: KycPlatformStatus;
}

/** The desired state of one KYC platform: which release of the bundled services runs, how big, and how it is exposed. */
export interface KycPlatformSpec {
  /** Release to run: the image tag of the bundled KYC services (e.g. 1.4.2). Changing it rolls out the new release. */
  version: string;
  /**
   * Image repository of the bundled services, without a tag (the tag is spec.version). Default kyc-operator/workloads.
   * @default "kyc-operator/workloads"
   */
  image?: string;
  /**
   * When the kubelet pulls the image. Default IfNotPresent.
   * @default "IfNotPresent"
   */
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /**
   * Size preset. development: 1 replica, 50m/128Mi requests, 500m/256Mi limits, no autoscaling. staging: 2 replicas, 100m/192Mi requests, 500m/384Mi limits, autoscaling on. production: at least 3 replicas, 250m/256Mi requests, 500m/512Mi limits, autoscaling on, and the platform Secret is checked before anything rolls out (refused with condition SecretsVerified=False while it holds the development sample values, all-zero or wrong-length keys, or an admin password under 12 characters), and tls.mode Disabled is refused (condition Ready=False, reason TLSRequired). Default production.
   * @default "production"
   */
  profile?: 'development' | 'staging' | 'production';
  /**
   * LOG_LEVEL of every component. Default info.
   * @default "info"
   */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Features an admin can switch off while the platform runs, name to on/off; every flag is on unless set to false here. The services pick a change up within seconds, without a restart (docs/api.md, "Feature flags"). The flags: analytics-ingestion, automatic-checks, document-upload, new-applications, notifications-email, notifications-sms, sanctions-screening. */
  featureFlags?: Record<string, boolean>;
  /**
   * A reduced-functionality mode an admin forces on the whole platform, for an incident, a failover or maintenance. The operator writes it to the live settings (the platform ConfigMap) and tells the pods, so every service follows within seconds and nothing restarts (docs/api.md, "Degradation"). While a mode other than Normal is in force, every API answer carries the header KYC-Service-Mode, GET /api/v1/status on the gateway says which mode and what it reduces, and the platform reports condition Degraded with reason ReadOnlyMode or MaintenanceMode.
   * @default {}
   */
  degradation?: Degradation;
  /** Per-component overrides for the six bundled components (the five services and the web app's frontend). A component that is absent runs with the profile preset (the frontend, which serves static files, with a small preset of its own). */
  components?: Components;
  /** Where the services find their backing stores. The operator passes each value to the containers through a secretKeyRef; of these Secrets it reads only the Kafka one, by name, for the brokers of queueLag metrics. */
  dependencies?: Dependencies;
  /** The platform Secret in the platform namespace with keys token-signing-keys (AUTH_SIGNING_KEYS, read by auth only: an Ed25519 key ring kid:base64(PKCS#8 DER)[,kid:...], the first key signs, every key is published), pii-keys (PII_ENCRYPTION_KEYS key ring), and optionally admin-email and admin-password (the first administrator) and contact-keys (NOTIFICATION_CONTACT_KEYS, read by notification only: the key ring kid:base64(32 bytes)[,...] that seals the recipients' addresses; required with dependencies.smtp or .sms). */
  secretsRef?: PlatformSecretsRef;
  /**
   * Horizontal autoscaling (autoscaling/v2 HPA per component) for every component; components.<name>.autoscaling overrides it per component.
   * @default {}
   */
  autoscaling?: Autoscaling;
  /**
   * How the gateway spreads requests over the pods of each upstream service. A live setting: the operator writes it to the live settings (the platform ConfigMap), and the running gateway pods follow a change within seconds, without a restart (docs/workloads.md, "Load balancing"). The gateway finds the ready pods of each upstream through a headless Service (<platform>-<upstream>-hl; per colour <platform>-<upstream>-<colour>-hl under blue-green), resolving its DNS name every 2 s and at once after a refused connection, so scale-outs, terminations and colour switches reach it within seconds (plus the cluster DNS cache: up to its TTL for headless records). DNS rather than watching EndpointSlices: the internet-facing gateway holds no Kubernetes credentials. A pod that fails 3 times in a row (refused, timed out or cut off) sits out 30 s. There are no weights: the pods of one upstream are alike, and traffic between versions is the release's to move (spec.release).
   * @default {}
   */
  loadBalancing?: LoadBalancing;
  /**
   * Network isolation of the platform and the addresses the gateway trusts.
   * @default {}
   */
  security?: Security;
  /** Exposes the gateway through an Ingress when host is set. */
  ingress?: IngressSpec;
  /**
   * TLS between the platform's components (docs/security.md, "TLS between the components"). BuiltIn (default): the operator keeps a CA per platform (Secret <platform>-tls-ca) and a certificate per component (Secret <platform>-<component>-tls, mounted at /var/run/kyc/tls), renews each at 2/3 of its life without restarting a pod, and every component serves HTTPS (TLS 1.3) and calls its peers over verified TLS. Changing the annotation kyc.dev/rotate-certificates (any new value) re-issues every certificate at once (the CA is kept).
   * @default {}
   */
  tls?: TlsSpec;
  /** Where the pods may run. Zone and host spreading is always on. */
  placement?: Placement;
  /** How a new spec.version is rolled out. Absent: a rolling update of each Deployment `<platform>-<component>`. Present (strategy BlueGreen): two Deployments per component, `<platform>-<component>-blue` and `-green`; a new version brings up the idle colour of every component, waits until all are Available and the smoke check passes, switches every active Service in one pass, and keeps the old colour for scaleDownDelaySeconds as the instant rollback target (docs/releases.md). Annotate the platform kyc.dev/promote=true to promote, kyc.dev/abort=true to abort; set spec.version back to roll back. */
  release?: Release;
  /** Encrypted automated backups of every service schema to S3-compatible storage, with retention (docs/backup.md). The operator renders a CronJob running `main.js backup` with the owner role of the PostgreSQL Secret. Absent: no backups. */
  backup?: Backup;
  /** What the platform reports besides its Prometheus metrics (docs/observability.md). */
  observability?: Observability;
  /** What the notification service reaches beyond its providers. */
  notifications?: Notifications;
}

/**
 * A reduced-functionality mode an admin forces on the whole platform, for an incident, a failover or maintenance. The operator writes it to the live settings (the platform ConfigMap) and tells the pods, so every service follows within seconds and nothing restarts (docs/api.md, "Degradation"). While a mode other than Normal is in force, every API answer carries the header KYC-Service-Mode, GET /api/v1/status on the gateway says which mode and what it reduces, and the platform reports condition Degraded with reason ReadOnlyMode or MaintenanceMode.
 * @default {}
 */
export interface Degradation {
  /**
   * Normal: everything served. ReadOnly: reads (GET, HEAD, OPTIONS) served; every other API request answers 503 with Retry-After and the problem type https://kyc.dev/problems/read-only-mode, before its body is read, so nothing is half-written; signing in, refreshing and signing out stay open (they touch sessions, not KYC records). Maintenance: every API request answers 503 with Retry-After and the problem type https://kyc.dev/problems/maintenance, except GET /api/v1/status; the probes keep answering, so no pod restarts. Consumers, relays and sweeps keep running in every mode (feature flags stop those). Default Normal.
   * @default "Normal"
   */
  mode?: 'Normal' | 'ReadOnly' | 'Maintenance';
}

/** Per-component overrides for the six bundled components (the five services and the web app's frontend). A component that is absent runs with the profile preset (the frontend, which serves static files, with a small preset of its own). */
export interface Components {
  /** Overrides for one bundled service. Every absent field comes from the profile preset and the platform-wide settings. */
  gateway?: ComponentSpec;
  /** Overrides for one bundled service. Every absent field comes from the profile preset and the platform-wide settings. */
  kyc?: ComponentSpec;
  /** Overrides for one bundled service. Every absent field comes from the profile preset and the platform-wide settings. */
  auth?: ComponentSpec;
  /** Overrides for one bundled service. Every absent field comes from the profile preset and the platform-wide settings. */
  notification?: ComponentSpec;
  /** Overrides for one bundled service. Every absent field comes from the profile preset and the platform-wide settings. */
  analytics?: ComponentSpec;
  /** Overrides for one bundled service. Every absent field comes from the profile preset and the platform-wide settings. */
  frontend?: ComponentSpec;
}

/** Overrides for one bundled service. Every absent field comes from the profile preset and the platform-wide settings. */
export interface ComponentSpec {
  /**
   * Whether the operator runs this component. Default true.
   * @default true
   */
  enabled?: boolean;
  /** Fixed replica count. Allowed only when the component is not autoscaled (an HPA owns the count of an autoscaled component). Absent: the profile preset (development 1, staging 2, production 3). */
  replicas?: number;
  /** CPU and memory for each container of the component, overriding the profile preset field by field. */
  resources?: ResourceRequirements;
  /** Extra environment variables for the component container (e.g. LOG_LEVEL). They are added after the ones the operator sets. */
  env?: EnvVar[];
  /** Per-component override of spec.autoscaling. Every absent field falls back to spec.autoscaling. */
  autoscaling?: ComponentAutoscaling;
}

/** CPU and memory for each container of the component, overriding the profile preset field by field. */
export interface ResourceRequirements {
  /** What the scheduler reserves for each container. Absent fields come from the profile preset. */
  requests?: ResourceList;
  /** The most each container may use. Absent fields come from the profile preset. */
  limits?: ResourceList;
}

/** What the scheduler reserves for each container. Absent fields come from the profile preset. */
export interface ResourceList {
  /** CPU request per container, e.g. 250m. */
  cpu?: Quantity;
  /** Memory request per container, e.g. 256Mi. */
  memory?: Quantity;
}

/** CPU request per container, e.g. 250m. */
export type Quantity = string | number;

/** One environment variable for the component container. */
export interface EnvVar {
  /** Variable name (a C identifier). Variables the operator manages (see docs/workload-contract.md) cannot be set here. */
  name: string;
  /** Literal value of the variable. */
  value?: string;
}

/** Per-component override of spec.autoscaling. Every absent field falls back to spec.autoscaling. */
export interface ComponentAutoscaling {
  /** Whether this component gets a HorizontalPodAutoscaler. Absent: spec.autoscaling.enabled. */
  enabled?: boolean;
  /** Lowest replica count the HPA may choose for this component. Absent: spec.autoscaling.minReplicas. */
  minReplicas?: number;
  /** Highest replica count the HPA may choose for this component. Absent: spec.autoscaling.maxReplicas. */
  maxReplicas?: number;
  /** Average CPU utilisation (percent of requests) the HPA aims for. Absent: spec.autoscaling. */
  targetCPUUtilizationPercentage?: number;
  /** Average memory utilisation (percent of requests) the HPA aims for. Absent: spec.autoscaling. */
  targetMemoryUtilizationPercentage?: number;
  /** Seconds of lower recommendations the HPA waits for before scaling down. Absent: spec.autoscaling. */
  scaleDownStabilizationSeconds?: number;
  /** How fast the HPA may add replicas to this component. Absent: spec.autoscaling.scaleUp. */
  scaleUp?: ScaleUpPolicy;
  /** Custom metrics of this component. When present they replace spec.autoscaling.metrics for this component entirely (the components lists there no longer apply to it); {} means no custom metrics. Absent: spec.autoscaling.metrics. */
  metrics?: ComponentAutoscalingMetrics;
  /** What to do when a custom metric cannot be read: after failureThreshold consecutive failures the component is held at replicas instead of flapping. Replaces spec.autoscaling.fallback for this component. Absent: spec.autoscaling.fallback. */
  fallback?: ScalingFallback;
}

/** How fast the HPA may add replicas to this component. Absent: spec.autoscaling.scaleUp. */
export interface ScaleUpPolicy {
  /** Seconds of higher recommendations the HPA waits for before scaling up. Absent: 0 (at once). */
  stabilizationSeconds?: number;
  /** Add at most this percentage of the current replicas per minute. Absent: the HPA default (double every 15 s, or 4 pods). */
  maxPercentPerMinute?: number;
  /** Add at most this many pods per minute. Absent: the HPA default. With both limits the larger one applies. */
  maxPodsPerMinute?: number;
}

/** Custom metrics of this component. When present they replace spec.autoscaling.metrics for this component entirely (the components lists there no longer apply to it); {} means no custom metrics. Absent: spec.autoscaling.metrics. */
export interface ComponentAutoscalingMetrics {
  /** Scale on HTTP requests per second (kyc_http_requests_total), summed over the pods; the HPA aims for targetPerReplica per pod. */
  requestRate?: ComponentRequestRateMetric;
  /** Scale on response latency (a percentile of kyc_http_request_duration_seconds over the last poll interval): replicas grow in proportion to latency / target. */
  latency?: ComponentLatencyMetric;
  /** Scale event consumers on Kafka consumer-group lag: end offset minus committed offset, summed over the partitions of the topics (a partition without a committed offset counts from its earliest offset). Read from the platform's own Kafka: the brokers in the Secret spec.dependencies.kafka names, which the operator reads by name (and again every 60 s); without it, or unreachable from the operator, the metric fails and the fallback applies. */
  queueLag?: ComponentQueueLagMetric;
}

/** Scale on HTTP requests per second (kyc_http_requests_total), summed over the pods; the HPA aims for targetPerReplica per pod. */
export interface ComponentRequestRateMetric {
  /** Requests per second each replica should serve on average. */
  targetPerReplica: number;
}

/** Scale on response latency (a percentile of kyc_http_request_duration_seconds over the last poll interval): replicas grow in proportion to latency / target. */
export interface ComponentLatencyMetric {
  /**
   * Latency percentile to track. Default p95.
   * @default "p95"
   */
  percentile?: 'p50' | 'p90' | 'p95' | 'p99';
  /** Latency (ms) above which the component scales out. */
  targetMilliseconds: number;
}

/** Scale event consumers on Kafka consumer-group lag: end offset minus committed offset, summed over the partitions of the topics (a partition without a committed offset counts from its earliest offset). Read from the platform's own Kafka: the brokers in the Secret spec.dependencies.kafka names, which the operator reads by name (and again every 60 s); without it, or unreachable from the operator, the metric fails and the fallback applies. */
export interface ComponentQueueLagMetric {
  /** Unprocessed messages each replica may have before the component scales out. */
  targetLagPerReplica: number;
  /** Consumer group whose lag is measured. Absent: the component's own group (kyc: kyc-automatic-checks, notification: kyc-notification, analytics: kyc-analytics); gateway and auth have none. */
  consumerGroup?: string;
  /** Topics whose lag is summed. Absent: the component's own topics (kyc: kyc.events; notification: kyc.events, customer.events; analytics: every topic the group has committed offsets for). */
  topics?: string[];
}

/** What to do when a custom metric cannot be read: after failureThreshold consecutive failures the component is held at replicas instead of flapping. Replaces spec.autoscaling.fallback for this component. Absent: spec.autoscaling.fallback. */
export interface ScalingFallback {
  /**
   * Consecutive metric failures before falling back. Default 3.
   * @default 3
   */
  failureThreshold?: number;
  /** Replica count held while metrics fail; within autoscaling min/max. */
  replicas: number;
}

/** Where the services find their backing stores. The operator passes each value to the containers through a secretKeyRef; of these Secrets it reads only the Kafka one, by name, for the brokers of queueLag metrics. */
export interface Dependencies {
  /** PostgreSQL, the system of record (read by kyc, auth, notification and analytics as DATABASE_URL). */
  postgres?: PostgresDependency;
  /** Redis: cache, sessions and rate limits (read by every component as REDIS_URL). */
  redis?: RedisDependency;
  /** Kafka, the event bus (read by kyc, notification and analytics as KAFKA_BROKERS, and by the operator for queueLag metrics; every broker of the cluster must be among the peers, the clients connect to each, and the operator's own NetworkPolicy must allow them too). */
  kafka?: KafkaDependency;
  /** A KMS holding the PII data keys (docs/security.md, "Keys held by a KMS"): the AWS KMS API, or one that speaks it (local-kms). kyc gets data keys made and unwrapped by it, stores them wrapped, and never sees the key-encryption key. Absent: the pii-keys ring of the platform Secret encrypts PII itself, as before. */
  kms?: KmsDependency;
  /** An SMTP server for e-mail notifications (docs/notifications.md). Absent: e-mails are only recorded, never sent (the development provider). With it, notification also needs contact-keys in the platform Secret (the key ring that seals the recipients' addresses). */
  smtp?: SmtpDependency;
  /** An HTTP SMS gateway for SMS notifications (docs/notifications.md): a JSON POST of {to, text, reference} with a bearer token and an Idempotency-Key. Absent: SMS messages are only recorded, never sent. With it, notification also needs contact-keys in the platform Secret. */
  sms?: SmsDependency;
}

/** PostgreSQL, the system of record (read by kyc, auth, notification and analytics as DATABASE_URL). */
export interface PostgresDependency {
  /** The Secret (in the platform's namespace) and key that hold the PostgreSQL URL (postgres://user:pass@host:port/db). */
  secretRef: SecretKeyRef;
  /** Shared (absent): every component reads the Secret's key above. PerComponent: each component reads the key `<component>-url` (its own role, e.g. kyc-url), and an init container `migrate` first runs its migrations with the key `migrate-url` (the role that owns the schemas), which the component's own container never gets (docs/security.md, "Per-service credentials"). */
  credentials?: 'Shared' | 'PerComponent';
  /** Required: the components (and the migration and backup steps) connect with TLS only, verifying the store's certificate (chain and host name) against the key `ca.crt` of the same Secret, which must exist. A component given a URL without sslmode=verify-full refuses to start and logs what to set. Disabled: plaintext, refused by the production profile (condition Ready=False, reason PlaintextDependency). Absent: as the URL says, unchecked (docs/security.md, "Data in transit to the stores"). */
  tls?: 'Required' | 'Disabled';
  /** Where it runs, for the egress NetworkPolicies (the operator never reads a URL in these Secrets; it reads only the Kafka broker list, for queueLag metrics): the components that use it may open connections to these peers on `ports`, and to nothing else but DNS and the components they call. Absent or empty: no component may reach it while security.networkPolicies is on (fail closed) — set it, e.g. [{ipBlock: {cidr: 10.20.0.5/32}}] for a managed database. */
  networkPeers?: NetworkPeer[];
  /** TCP ports of the peers. Default [5432]. */
  ports?: number[];
}

/** The Secret (in the platform's namespace) and key that hold the PostgreSQL URL (postgres://user:pass@host:port/db). */
export interface SecretKeyRef {
  /** Name of the Secret in the platform namespace. */
  name: string;
  /**
   * Key inside the Secret. Default "url".
   * @default "url"
   */
  key?: string;
}

/** One destination, as in a NetworkPolicy peer: either ipBlock (addresses outside the cluster, e.g. a managed database, or the node itself) or namespaceSelector and/or podSelector (pods in the cluster; podSelector alone means pods in the platform namespace). */
export interface NetworkPeer {
  /** A range of addresses. NetworkPolicies match the address a connection reaches after Service translation, so name the endpoints, not a ClusterIP. */
  ipBlock?: IPBlock;
  /** Namespaces whose pods are allowed, by label (kubernetes.io/metadata.name is the namespace name). */
  namespaceSelector?: LabelSelector;
  /** Pods that are allowed, by label; in the platform namespace unless namespaceSelector is set. */
  podSelector?: LabelSelector;
}

/** A range of addresses. NetworkPolicies match the address a connection reaches after Service translation, so name the endpoints, not a ClusterIP. */
export interface IPBlock {
  /** The range, e.g. 10.20.0.0/16 or 10.244.128.1/32. */
  cidr: string;
  /** Ranges inside cidr that are not allowed. */
  except?: string[];
}

/** Namespaces whose pods are allowed, by label (kubernetes.io/metadata.name is the namespace name). */
export interface LabelSelector {
  /** Labels the object must carry (all of them). Empty or absent: every object. */
  matchLabels?: Record<string, string>;
}

/** Redis: cache, sessions and rate limits (read by every component as REDIS_URL). */
export interface RedisDependency {
  /** The Secret (in the platform's namespace) and key that hold the Redis URL (redis://:pass@host:port). */
  secretRef: SecretKeyRef;
  /** Shared (absent): every component reads the Secret's key above. PerComponent: each component reads the key `<component>-url` (its own ACL user, e.g. gateway-url) (docs/security.md, "Per-service credentials"). */
  credentials?: 'Shared' | 'PerComponent';
  /** Required: the components (and the migration and backup steps) connect with TLS only, verifying the store's certificate (chain and host name) against the key `ca.crt` of the same Secret, which must exist. A component given a redis:// URL (not rediss://) refuses to start and logs what to set. Disabled: plaintext, refused by the production profile (condition Ready=False, reason PlaintextDependency). Absent: as the URL says, unchecked (docs/security.md, "Data in transit to the stores"). */
  tls?: 'Required' | 'Disabled';
  /** Where it runs, for the egress NetworkPolicies (the operator never reads a URL in these Secrets; it reads only the Kafka broker list, for queueLag metrics): the components that use it may open connections to these peers on `ports`, and to nothing else but DNS and the components they call. Absent or empty: no component may reach it while security.networkPolicies is on (fail closed) — set it, e.g. [{ipBlock: {cidr: 10.20.0.5/32}}] for a managed database. */
  networkPeers?: NetworkPeer[];
  /** TCP ports of the peers. Default [6379]. */
  ports?: number[];
}

/** Kafka, the event bus (read by kyc, notification and analytics as KAFKA_BROKERS, and by the operator for queueLag metrics; every broker of the cluster must be among the peers, the clients connect to each, and the operator's own NetworkPolicy must allow them too). */
export interface KafkaDependency {
  /** The Secret (in the platform's namespace) and key that hold the comma-separated Kafka broker list (host:port,...). */
  secretRef: SecretKeyRef;
  /** Shared (absent): every component reads the Secret's key above. PerComponent: kyc, notification and analytics each sign in as their own SCRAM-SHA-512 user, the keys `<component>-username` and `<component>-password` (e.g. kyc-username), and the operator's lag reader as a read-only one, `lag-reader-username` and `lag-reader-password`; the brokers listed must be SASL_SSL listeners (use tls: Required). gateway and auth get no Kafka credential (docs/security.md, "Per-service credentials"). */
  credentials?: 'Shared' | 'PerComponent';
  /** Required: the components (and the migration and backup steps) connect with TLS only, verifying the store's certificate (chain and host name) against the key `ca.crt` of the same Secret, which must exist. Every broker is reached over TLS: list the TLS listeners. Disabled: plaintext, refused by the production profile (condition Ready=False, reason PlaintextDependency). Absent: as the URL says, unchecked (docs/security.md, "Data in transit to the stores"). */
  tls?: 'Required' | 'Disabled';
  /** Where it runs, for the egress NetworkPolicies (the operator never reads a URL in these Secrets; it reads only the Kafka broker list, for queueLag metrics): the components that use it may open connections to these peers on `ports`, and to nothing else but DNS and the components they call. Absent or empty: no component may reach it while security.networkPolicies is on (fail closed) — set it, e.g. [{ipBlock: {cidr: 10.20.0.5/32}}] for a managed database. */
  networkPeers?: NetworkPeer[];
  /** TCP ports of the peers. Default [9092]. */
  ports?: number[];
}

/** A KMS holding the PII data keys (docs/security.md, "Keys held by a KMS"): the AWS KMS API, or one that speaks it (local-kms). kyc gets data keys made and unwrapped by it, stores them wrapped, and never sees the key-encryption key. Absent: the pii-keys ring of the platform Secret encrypts PII itself, as before. */
export interface KmsDependency {
  /** The Secret (in the platform's namespace) with the KMS settings, passed to kyc only: key-id (KMS_KEY_ID: a key id, key ARN or alias such as alias/kyc-pii; required), and optionally region (KMS_REGION, required for AWS), endpoint (KMS_ENDPOINT: a VPC endpoint, local-kms), access-key-id and secret-access-key (static credentials; without them the AWS SDK's default chain applies, e.g. web identity), and parking-key-id (KMS_PARKING_KEY_ID: an RSA_3072 or RSA_4096 ENCRYPT_DECRYPT key such as alias/kyc-pii-parking; writes while the KMS does not answer are then parked under it instead of refused, docs/security.md). */
  secretRef: KmsSecretRef;
  /** Where the KMS endpoint is, for the egress NetworkPolicy of kyc: kyc may open connections to these peers on `ports`. Absent or empty: kyc cannot reach the KMS while security.networkPolicies is on (fail closed), and does not start. */
  networkPeers?: NetworkPeer[];
  /** TCP ports of the peers. Default [443]. */
  ports?: number[];
}

/** The Secret (in the platform's namespace) with the KMS settings, passed to kyc only: key-id (KMS_KEY_ID: a key id, key ARN or alias such as alias/kyc-pii; required), and optionally region (KMS_REGION, required for AWS), endpoint (KMS_ENDPOINT: a VPC endpoint, local-kms), access-key-id and secret-access-key (static credentials; without them the AWS SDK's default chain applies, e.g. web identity), and parking-key-id (KMS_PARKING_KEY_ID: an RSA_3072 or RSA_4096 ENCRYPT_DECRYPT key such as alias/kyc-pii-parking; writes while the KMS does not answer are then parked under it instead of refused, docs/security.md). */
export interface KmsSecretRef {
  /** Name of the Secret in the platform namespace. */
  name: string;
}

/** An SMTP server for e-mail notifications (docs/notifications.md). Absent: e-mails are only recorded, never sent (the development provider). With it, notification also needs contact-keys in the platform Secret (the key ring that seals the recipients' addresses). */
export interface SmtpDependency {
  /** The Secret (in the platform's namespace) with the SMTP settings, passed to notification only: host (SMTP_HOST) and from (SMTP_FROM, the sender, e.g. KYC <kyc@bank.example>) required; port (SMTP_PORT, default 587), tls (SMTP_TLS: none, starttls (default) or tls), username and password (SMTP_USERNAME, SMTP_PASSWORD, together) optional. */
  secretRef: SmtpDependencySecretRef;
  /** Where the provider is, for the egress NetworkPolicy of notification: notification may open connections to these peers on `ports`. Absent or empty: it cannot reach the provider while security.networkPolicies is on (fail closed), and its messages become dead letters. */
  networkPeers?: NetworkPeer[];
  /** TCP ports of the peers. Default [587]. */
  ports?: number[];
}

/** The Secret (in the platform's namespace) with the SMTP settings, passed to notification only: host (SMTP_HOST) and from (SMTP_FROM, the sender, e.g. KYC <kyc@bank.example>) required; port (SMTP_PORT, default 587), tls (SMTP_TLS: none, starttls (default) or tls), username and password (SMTP_USERNAME, SMTP_PASSWORD, together) optional. */
export interface SmtpDependencySecretRef {
  /** Name of the Secret in the platform namespace. */
  name: string;
}

/** An HTTP SMS gateway for SMS notifications (docs/notifications.md): a JSON POST of {to, text, reference} with a bearer token and an Idempotency-Key. Absent: SMS messages are only recorded, never sent. With it, notification also needs contact-keys in the platform Secret. */
export interface SmsDependency {
  /** The Secret (in the platform's namespace) with the gateway's url (SMS_GATEWAY_URL, http or https) and token (SMS_GATEWAY_TOKEN), passed to notification only. */
  secretRef: SmsDependencySecretRef;
  /** Where the provider is, for the egress NetworkPolicy of notification: notification may open connections to these peers on `ports`. Absent or empty: it cannot reach the provider while security.networkPolicies is on (fail closed), and its messages become dead letters. */
  networkPeers?: NetworkPeer[];
  /** TCP ports of the peers. Default [443]. */
  ports?: number[];
}

/** The Secret (in the platform's namespace) with the gateway's url (SMS_GATEWAY_URL, http or https) and token (SMS_GATEWAY_TOKEN), passed to notification only. */
export interface SmsDependencySecretRef {
  /** Name of the Secret in the platform namespace. */
  name: string;
}

/** The platform Secret in the platform namespace with keys token-signing-keys (AUTH_SIGNING_KEYS, read by auth only: an Ed25519 key ring kid:base64(PKCS#8 DER)[,kid:...], the first key signs, every key is published), pii-keys (PII_ENCRYPTION_KEYS key ring), and optionally admin-email and admin-password (the first administrator) and contact-keys (NOTIFICATION_CONTACT_KEYS, read by notification only: the key ring kid:base64(32 bytes)[,...] that seals the recipients' addresses; required with dependencies.smtp or .sms). */
export interface PlatformSecretsRef {
  /** Name of the platform Secret. */
  name: string;
}

/**
 * Horizontal autoscaling (autoscaling/v2 HPA per component) for every component; components.<name>.autoscaling overrides it per component.
 * @default {}
 */
export interface Autoscaling {
  /** Whether components get HorizontalPodAutoscalers. Absent: true for the staging and production profiles, false for development. */
  enabled?: boolean;
  /**
   * Lowest replica count per component. Default 3.
   * @default 3
   */
  minReplicas?: number;
  /**
   * Highest replica count per component. Default 20.
   * @default 20
   */
  maxReplicas?: number;
  /**
   * Average CPU utilisation (percent of requests) to aim for. Default 70.
   * @default 70
   */
  targetCPUUtilizationPercentage?: number;
  /**
   * Average memory utilisation (percent of requests) to aim for. Default 80.
   * @default 80
   */
  targetMemoryUtilizationPercentage?: number;
  /**
   * Seconds of lower recommendations the HPA waits for before scaling down. Default 300.
   * @default 300
   */
  scaleDownStabilizationSeconds?: number;
  /** How fast the HPAs may add replicas (autoscaling/v2 behavior.scaleUp). Absent: the HPA defaults (no stabilisation; double the replicas or add 4 pods every 15 s, whichever is more). */
  scaleUp?: ScaleUpPolicy;
  /** Whether the HPAs scale on CPU and memory utilisation (needs metrics-server). false: only on the custom metrics, for clusters without metrics-server; a component without custom metrics keeps CPU and memory. Default true. */
  resourceMetrics?: boolean;
  /** Custom metrics that the HPAs scale on in addition to CPU and memory. The operator reads them (Kafka, the pods' /metrics or Prometheus) and serves them to the HPA controller as external.metrics.k8s.io (docs/autoscaling.md). components.<name>.autoscaling.metrics replaces them for one component. */
  metrics?: AutoscalingMetrics;
  /** Business-hours windows that raise the replica floor (the HPA minReplicas) while they are open; the highest open window wins. */
  schedules?: ScalingSchedule[];
  /** What to do when a custom metric cannot be read: after failureThreshold consecutive failures the component is held at replicas instead of flapping. components.<name>.autoscaling.fallback replaces it for one component. */
  fallback?: ScalingFallback;
  /** Who scales the autoscaled components. builtin: an HPA per component, its custom metrics served by the operator as external.metrics.k8s.io. keda: a KEDA ScaledObject (keda.sh/v1alpha1) per component instead, for clusters where KEDA holds external.metrics.k8s.io (needs KEDA installed; docs/autoscaling.md). Default builtin. */
  provider?: 'builtin' | 'keda';
  /** Settings of provider keda. */
  keda?: {
    /** Prometheus base URL that KEDA's prometheus triggers query for requestRate and latency, e.g. http://prometheus.monitoring:9090. Required when provider is keda and a component has requestRate or latency metrics. */
    prometheusServerAddress?: string;
  };
}

/** Custom metrics that the HPAs scale on in addition to CPU and memory. The operator reads them (Kafka, the pods' /metrics or Prometheus) and serves them to the HPA controller as external.metrics.k8s.io (docs/autoscaling.md). components.<name>.autoscaling.metrics replaces them for one component. */
export interface AutoscalingMetrics {
  /** Scale on HTTP requests per second (kyc_http_requests_total), summed over the pods; the HPA aims for targetPerReplica per pod. */
  requestRate?: RequestRateMetric;
  /** Scale on response latency (a percentile of kyc_http_request_duration_seconds over the last poll interval): replicas grow in proportion to latency / target. */
  latency?: LatencyMetric;
  /** Scale event consumers on Kafka consumer-group lag: end offset minus committed offset, summed over the partitions of the topics (a partition without a committed offset counts from its earliest offset). Read from the platform's own Kafka: the brokers in the Secret spec.dependencies.kafka names, which the operator reads by name (and again every 60 s); without it, or unreachable from the operator, the metric fails and the fallback applies. */
  queueLag?: QueueLagMetric;
}

/** Scale on HTTP requests per second (kyc_http_requests_total), summed over the pods; the HPA aims for targetPerReplica per pod. */
export interface RequestRateMetric {
  /** Requests per second each replica should serve on average. */
  targetPerReplica: number;
  /** Components this metric applies to. Absent: all autoscaled components. */
  components?: ('gateway' | 'kyc' | 'auth' | 'notification' | 'analytics' | 'frontend')[];
}

/** Scale on response latency (a percentile of kyc_http_request_duration_seconds over the last poll interval): replicas grow in proportion to latency / target. */
export interface LatencyMetric {
  /**
   * Latency percentile to track. Default p95.
   * @default "p95"
   */
  percentile?: 'p50' | 'p90' | 'p95' | 'p99';
  /** Latency (ms) above which the component scales out. */
  targetMilliseconds: number;
  /** Components this metric applies to. Absent: all autoscaled components. */
  components?: ('gateway' | 'kyc' | 'auth' | 'notification' | 'analytics' | 'frontend')[];
}

/** Scale event consumers on Kafka consumer-group lag: end offset minus committed offset, summed over the partitions of the topics (a partition without a committed offset counts from its earliest offset). Read from the platform's own Kafka: the brokers in the Secret spec.dependencies.kafka names, which the operator reads by name (and again every 60 s); without it, or unreachable from the operator, the metric fails and the fallback applies. */
export interface QueueLagMetric {
  /** Unprocessed messages each replica may have before the component scales out. */
  targetLagPerReplica: number;
  /** Consumer group whose lag is measured. Absent: the component's own group (kyc: kyc-automatic-checks, notification: kyc-notification, analytics: kyc-analytics); gateway and auth have none. */
  consumerGroup?: string;
  /** Topics whose lag is summed. Absent: the component's own topics (kyc: kyc.events; notification: kyc.events, customer.events; analytics: every topic the group has committed offsets for). */
  topics?: string[];
  /** Components this metric applies to. Absent: the consumers (kyc, notification, analytics). */
  components?: ('gateway' | 'kyc' | 'auth' | 'notification' | 'analytics' | 'frontend')[];
}

/** A recurring window (e.g. business hours) during which the replica floor is raised. */
export interface ScalingSchedule {
  /** Name of the window, unique in the list (shown in status). */
  name: string;
  /**
   * IANA time zone of start and end, e.g. Asia/Kolkata. Default UTC.
   * @default "UTC"
   */
  timezone?: string;
  /** Days of the week the window applies to. Absent: every day. */
  days?: ('Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri' | 'Sat' | 'Sun')[];
  /** Start of the window, HH:MM (24-hour) wall-clock time in the time zone (DST-aware: a start inside a skipped hour opens at the end of the gap). */
  start: string;
  /** End of the window (exclusive), HH:MM (24-hour) in the time zone. An end earlier than start makes an overnight window that closes on the next day; days and holidays refer to the day it opens. */
  end: string;
  /** Dates (YYYY-MM-DD, in the time zone) on which the window does not open. */
  holidays?: string[];
  /** Replica floor while the window is open. */
  minReplicas: number;
  /** Components the window applies to. Absent: all autoscaled components. */
  components?: ('gateway' | 'kyc' | 'auth' | 'notification' | 'analytics' | 'frontend')[];
}

/**
 * How the gateway spreads requests over the pods of each upstream service. A live setting: the operator writes it to the live settings (the platform ConfigMap), and the running gateway pods follow a change within seconds, without a restart (docs/workloads.md, "Load balancing"). The gateway finds the ready pods of each upstream through a headless Service (<platform>-<upstream>-hl; per colour <platform>-<upstream>-<colour>-hl under blue-green), resolving its DNS name every 2 s and at once after a refused connection, so scale-outs, terminations and colour switches reach it within seconds (plus the cluster DNS cache: up to its TTL for headless records). DNS rather than watching EndpointSlices: the internet-facing gateway holds no Kubernetes credentials. A pod that fails 3 times in a row (refused, timed out or cut off) sits out 30 s. There are no weights: the pods of one upstream are alike, and traffic between versions is the release's to move (spec.release).
 * @default {}
 */
export interface LoadBalancing {
  /**
   * Balancing strategy over the pods of an upstream: round-robin; least-connections (the pod with the fewest requests in flight from this gateway pod); ip-hash (a client address stays on one pod; when pods come or go only the clients of those pods move). Default round-robin.
   * @default "round-robin"
   */
  strategy?: 'round-robin' | 'least-connections' | 'ip-hash';
  /**
   * Pin a client to one pod of each upstream with a cookie (kyc_affinity), whatever the strategy; a client whose pod is gone or ejected is placed again. Default false.
   * @default false
   */
  stickySessions?: boolean;
}

/**
 * Network isolation of the platform and the addresses the gateway trusts.
 * @default {}
 */
export interface Security {
  /**
   * Create NetworkPolicies: deny all ingress and egress of the platform pods except the gateway's http port (8080, from anywhere), the calls each service makes to another (see docs/api.md), the metrics port (9090) from the operator and security.monitoring, DNS (security.dnsPeers), the dependencies (dependencies.<name>.networkPeers) and the traces' OTLP receiver (observability.tracing.networkPeers). Default true.
   * @default true
   */
  networkPolicies?: boolean;
  /** Who may scrape the metrics port (9090: /metrics and the detailed /health) of every component, besides the operator. Absent: only the operator. */
  monitoring?: Monitoring;
  /** Where the pods resolve names (egress on port 53, UDP and TCP). Absent: the cluster DNS pods, labelled k8s-app=kube-dns in kube-system. Set it where DNS is not such a pod, e.g. [{ipBlock: {cidr: 169.254.20.10/32}}] for NodeLocal DNSCache or the node address when CoreDNS runs on the node. */
  dnsPeers?: NetworkPeer[];
  /** Addresses (or CIDRs) of the proxies in front of the gateway whose X-Forwarded-For the gateway believes: the Ingress controller's pods, the load balancer. The client address for rate limits and login backoff is the right-most address in X-Forwarded-For that is not a trusted proxy. Absent or empty: no proxy is trusted and the connection's address is the client's (the NodePort path, with externalTrafficPolicy Local). Passed to the gateway as GATEWAY_TRUSTED_PROXIES. */
  trustedProxies?: string[];
}

/** Who may scrape the metrics port (9090: /metrics and the detailed /health) of every component, besides the operator. Absent: only the operator. */
export interface Monitoring {
  /** Namespace of the monitoring system (e.g. Prometheus), e.g. monitoring. */
  namespace: string;
  /** Only these pods of the namespace, by label. Absent: every pod of the namespace. */
  podSelector?: LabelSelector;
}

/** Exposes the gateway through an Ingress when host is set. */
export interface IngressSpec {
  /** Public host name of the KYC API, e.g. kyc.example.com. */
  host?: string;
  /** Secret of type kubernetes.io/tls for host; absent means plain HTTP. Requires host. */
  tlsSecretName?: string;
  /** IngressClass to use; absent means the cluster default class. */
  className?: string;
}

/**
 * TLS between the platform's components (docs/security.md, "TLS between the components"). BuiltIn (default): the operator keeps a CA per platform (Secret <platform>-tls-ca) and a certificate per component (Secret <platform>-<component>-tls, mounted at /var/run/kyc/tls), renews each at 2/3 of its life without restarting a pod, and every component serves HTTPS (TLS 1.3) and calls its peers over verified TLS. Changing the annotation kyc.dev/rotate-certificates (any new value) re-issues every certificate at once (the CA is kept).
 * @default {}
 */
export interface TlsSpec {
  /**
   * BuiltIn: the operator's CA and certificates, HTTPS everywhere. Disabled: plain HTTP between the components, refused by the production profile (condition Ready=False, reason TLSRequired). Default BuiltIn.
   * @default "BuiltIn"
   */
  mode?: 'BuiltIn' | 'Disabled';
  /** Extra names on the gateway's certificate: the DNS names and IP addresses clients reach it by (NodePort, load balancer), e.g. [localhost, 127.0.0.1]. ingress.host is added by itself. */
  publicNames?: string[];
  /**
   * Validity of each component's certificate, in hours (and minutes), e.g. 720h or 1h30m; renewed at 2/3 of it. At least 1h, at most 9999h. Default 720h.
   * @default "720h"
   */
  certificateValidity?: string;
  /** A cert-manager Issuer or ClusterIssuer that issues the components' certificates instead of the built-in CA (docs/security.md, "Certificates from cert-manager"): the operator writes a cert-manager Certificate per component (Secret <platform>-<component>-tls, the same names, certificateValidity, renewed at 2/3 of it) and the trust bundle from the Secrets' ca.crt into <platform>-tls-ca. Where the Certificate CRD is not installed, CertificatesReady is False with reason CertManagerNotInstalled and nothing rolls out. Absent: the built-in CA. */
  issuerRef?: TlsIssuerRef;
}

/** A cert-manager Issuer or ClusterIssuer that issues the components' certificates instead of the built-in CA (docs/security.md, "Certificates from cert-manager"): the operator writes a cert-manager Certificate per component (Secret <platform>-<component>-tls, the same names, certificateValidity, renewed at 2/3 of it) and the trust bundle from the Secrets' ca.crt into <platform>-tls-ca. Where the Certificate CRD is not installed, CertificatesReady is False with reason CertManagerNotInstalled and nothing rolls out. Absent: the built-in CA. */
export interface TlsIssuerRef {
  /** Name of the Issuer (in the platform's namespace) or ClusterIssuer. */
  name: string;
  /**
   * Issuer or ClusterIssuer. Default Issuer.
   * @default "Issuer"
   */
  kind?: 'Issuer' | 'ClusterIssuer';
  /**
   * API group of the issuer. Default cert-manager.io (an external issuer names its own).
   * @default "cert-manager.io"
   */
  group?: string;
}

/** Where the pods may run. Zone and host spreading is always on. */
export interface Placement {
  /** Node labels every pod requires. */
  nodeSelector?: Record<string, string>;
  /** Taints the pods tolerate. */
  tolerations?: Toleration[];
}

/** A taint the pods tolerate (same meaning as a Pod toleration). */
export interface Toleration {
  /** Taint key; empty with operator Exists matches every taint. */
  key?: string;
  /**
   * Exists or Equal. Default Equal.
   * @default "Equal"
   */
  operator?: 'Exists' | 'Equal';
  /** Taint value for operator Equal. */
  value?: string;
  /** Taint effect to match; absent matches all effects. */
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  /** For NoExecute: how long the pod stays bound after the taint appears. */
  tolerationSeconds?: number;
}

/** How a new spec.version is rolled out. Absent: a rolling update of each Deployment `<platform>-<component>`. Present (strategy BlueGreen): two Deployments per component, `<platform>-<component>-blue` and `-green`; a new version brings up the idle colour of every component, waits until all are Available and the smoke check passes, switches every active Service in one pass, and keeps the old colour for scaleDownDelaySeconds as the instant rollback target (docs/releases.md). Annotate the platform kyc.dev/promote=true to promote, kyc.dev/abort=true to abort; set spec.version back to roll back. */
export interface Release {
  /**
   * BlueGreen brings up the idle colour of every component and switches all Services at once; RollingUpdate updates in place. Default BlueGreen.
   * @default "BlueGreen"
   */
  strategy?: 'BlueGreen' | 'RollingUpdate';
  /**
   * Switch traffic automatically once the preview is Available and the smoke check passed. false: wait in AwaitingPromotion for the annotation kyc.dev/promote=true. Default true.
   * @default true
   */
  autoPromote?: boolean;
  /** Seconds to wait after the preview is ready before an automatic switch. Requires autoPromote. */
  autoPromotionSeconds?: number;
  /**
   * Seconds the previous colour stays up after the switch (rollback target; at least 30 for kube-proxy propagation). Default 30.
   * @default 30
   */
  scaleDownDelaySeconds?: number;
  /** Replicas per component of the preview colour. Absent: the active replica count. */
  previewReplicas?: number;
  /**
   * Seconds the preview may take to become Available and pass the smoke check (and, at the switch, to reach the active replica count) before the release is aborted with the active colour untouched. Default 600.
   * @default 600
   */
  progressDeadlineSeconds?: number;
  /** HTTP GETs the operator sends to the preview Services once every preview Deployment is Available: `path` on each component (2xx wanted), and `gatewayPath` through the preview gateway (any answer below 500: the preview gateway answers through its routing and token check; its `/ready` says it has found a pod of every preview upstream). A response with an X-KYC-Version other than the preview version fails too. A failed round is retried every few seconds; after `retries` failed rounds the release is aborted. */
  smokeCheck?: SmokeCheck;
}

/** HTTP GETs the operator sends to the preview Services once every preview Deployment is Available: `path` on each component (2xx wanted), and `gatewayPath` through the preview gateway (any answer below 500: the preview gateway answers through its routing and token check; its `/ready` says it has found a pod of every preview upstream). A response with an X-KYC-Version other than the preview version fails too. A failed round is retried every few seconds; after `retries` failed rounds the release is aborted. */
export interface SmokeCheck {
  /**
   * Run the smoke check. Default true.
   * @default true
   */
  enabled?: boolean;
  /**
   * Path requested on each preview Service. Default /ready.
   * @default "/ready"
   */
  path?: string;
  /**
   * Path read through the preview gateway. Default /api/v1/auth/me.
   * @default "/api/v1/auth/me"
   */
  gatewayPath?: string;
  /**
   * Timeout per request. Default 5.
   * @default 5
   */
  timeoutSeconds?: number;
  /**
   * Failed rounds tolerated before the release is aborted. Default 3.
   * @default 3
   */
  retries?: number;
}

/** Encrypted automated backups of every service schema to S3-compatible storage, with retention (docs/backup.md). The operator renders a CronJob running `main.js backup` with the owner role of the PostgreSQL Secret. Absent: no backups. */
export interface Backup {
  /** When backups run: a standard five-field cron expression, e.g. "30 2 * * *". */
  schedule: string;
  /**
   * IANA time zone of the schedule (CronJob spec.timeZone), e.g. Asia/Kolkata. Default UTC.
   * @default "UTC"
   */
  timeZone?: string;
  /** Stop scheduling new backups (the CronJob is suspended). Default false. */
  suspend?: boolean;
  /**
   * How many complete backups to keep; older ones are deleted after each backup. Default 7.
   * @default 7
   */
  retentionCount?: number;
  /** Backups older than this are deleted too (the newest is always kept). Absent: only the count applies. */
  retentionDays?: number;
  /**
   * Condition BackupHealthy turns False when the last successful backup is older than this (or none succeeded this long after the first schedule). Default 1560 (26 hours, a daily schedule with slack).
   * @default 1560
   */
  staleAfterMinutes?: number;
  /** Bucket the backups go to. */
  bucket: string;
  /** Key prefix inside the bucket. Default the platform name. */
  prefix?: string;
  /** S3 endpoint URL for S3-compatible storage (e.g. SeaweedFS, Ceph RGW); path-style addressing is used. Absent: AWS S3 of the region. */
  endpoint?: string;
  /**
   * Region of the bucket. Default us-east-1.
   * @default "us-east-1"
   */
  region?: string;
  /** The Secret with the keys access-key-id and secret-access-key. Absent: the AWS SDK default chain (e.g. web identity). */
  credentialsSecretRef?: BackupCredentialsSecretRef;
  /** The Secret (in the platform's namespace) and key that hold the backup data key (32 bytes, base64; AES-256-GCM). */
  encryptionKeySecretRef: SecretKeyRef;
  /** Where the S3 endpoint is, for the backup pods' egress NetworkPolicy (they also reach PostgreSQL and DNS). Absent: the backup cannot reach storage while security.networkPolicies is on. */
  networkPeers?: NetworkPeer[];
  /** TCP ports of the S3 peers. Default [443]. */
  ports?: number[];
}

/** The Secret with the keys access-key-id and secret-access-key. Absent: the AWS SDK default chain (e.g. web identity). */
export interface BackupCredentialsSecretRef {
  /** Name of the Secret in the platform namespace. */
  name: string;
}

/** What the platform reports besides its Prometheus metrics (docs/observability.md). */
export interface Observability {
  /** OpenTelemetry traces of every component, exported over OTLP/HTTP (docs/observability.md, "Traces"). Absent: no traces. */
  tracing?: Tracing;
  /** Prometheus Operator PodMonitors (monitoring.coreos.com/v1), one per component, scraping its metrics port (9090; HTTPS verified with the platform CA unless tls.mode is Disabled). Written only where the PodMonitor CRD is installed; otherwise the Event PodMonitorNotInstalled says so. Let the scraper in with security.monitoring (docs/observability.md). Absent: none. */
  podMonitor?: PodMonitor;
}

/** OpenTelemetry traces of every component, exported over OTLP/HTTP (docs/observability.md, "Traces"). Absent: no traces. */
export interface Tracing {
  /** Base URL of an OTLP/HTTP receiver (an OpenTelemetry Collector, Jaeger); spans are posted to <otlpEndpoint>/v1/traces. E.g. http://otel-collector.monitoring:4318. */
  otlpEndpoint: string;
  /** Share of new traces recorded, 0 to 1, decided at the gateway by the trace id (a client cannot force it) and followed by every component after it. Default 1. */
  sampleRatio?: number;
  /** Where the OTLP receiver is, for every component's egress NetworkPolicy (on the endpoint's port). Absent: the spans cannot leave the pods while security.networkPolicies is on. */
  networkPeers?: NetworkPeer[];
}

/** Prometheus Operator PodMonitors (monitoring.coreos.com/v1), one per component, scraping its metrics port (9090; HTTPS verified with the platform CA unless tls.mode is Disabled). Written only where the PodMonitor CRD is installed; otherwise the Event PodMonitorNotInstalled says so. Let the scraper in with security.monitoring (docs/observability.md). Absent: none. */
export interface PodMonitor {
  /**
   * Write the PodMonitors. Default true when podMonitor is given.
   * @default true
   */
  enabled?: boolean;
  /** Extra labels of the PodMonitors, e.g. the release label kube-prometheus-stack's Prometheus selects by. */
  labels?: Record<string, string>;
  /** Scrape interval, e.g. 30s. Absent: the Prometheus default. */
  interval?: string;
}

/** What the notification service reaches beyond its providers. */
export interface Notifications {
  /** Outbound webhooks for integrators (docs/customer-api.md, "Webhooks"), registered by admins through the API. The service refuses private, loopback and link-local destinations whatever this says. */
  webhooks?: WebhookEgress;
}

/** Outbound webhooks for integrators (docs/customer-api.md, "Webhooks"), registered by admins through the API. The service refuses private, loopback and link-local destinations whatever this says. */
export interface WebhookEgress {
  /** Where registered webhooks may be delivered: notification's egress NetworkPolicy lets it open connections to these peers on `ports` (e.g. the integrators' address ranges; 0.0.0.0/0 with except for any public address). Absent or empty: webhooks cannot leave the cluster while security.networkPolicies is on (fail closed), and their deliveries end as dead letters. */
  egress?: NetworkPeer[];
  /** TCP ports of the webhook receivers. Default [443]. */
  ports?: number[];
}

/** The observed state of the platform, written by the operator. */
export interface KycPlatformStatus {
  /** The metadata.generation this status describes. */
  observedGeneration?: number;
  /** Summary: Pending (nothing ready yet), Progressing (rolling out), Ready, Degraded (running with fewer ready replicas or components than desired, or pods report a dependency down; a mode forced in spec.degradation leaves the phase as it is), Failed (cannot proceed without a change to the spec, or to the platform Secret when SecretsVerified is False). */
  phase?: 'Pending' | 'Progressing' | 'Ready' | 'Degraded' | 'Failed';
  /** Standard conditions: Ready, Progressing, Degraded (also True with reason DependencyUnavailable while pods report a dependency down in their /health, naming it, the components and what they refuse, and with reason ReadOnlyMode or MaintenanceMode while spec.degradation.mode forces one); ScalingActive (HPAs exist and their custom metrics are served) and ScalingDegraded (a metric source fails; fallback in force); ReleaseProgressing and ReleaseFailed (strategy BlueGreen); SecretsVerified (profile production: False with reason InsecureSecrets while the platform Secret holds sample, all-zero or wrong-length keys or a short admin password, and nothing is rolled out); CertificatesReady (tls.mode BuiltIn: True once the CA and every component certificate are in their Secrets, naming the first to expire; False with reason IssueFailed and the error; with tls.issuerRef False with reason CertManagerNotInstalled or CertificatesPending, when nothing is rolled out, or Issuing while cert-manager re-issues). Ready is False with reason TLSRequired while a production platform sets tls.mode Disabled (nothing is rolled out). */
  conditions?: Condition[];
  /** Replica counts per component. */
  components?: ComponentStatuses;
  /** Ready components over enabled components, e.g. 6/6. */
  readyComponents?: string;
  /** The feature flags in force, every flag with its value (spec.featureFlags over the defaults), as last written to the platform ConfigMap and announced to the pods. */
  featureFlags?: Record<string, boolean>;
  /** The reduced-functionality mode in force (spec.degradation.mode), as last written to the platform ConfigMap and announced to the pods. */
  degradationMode?: 'Normal' | 'ReadOnly' | 'Maintenance';
  /** The version that serves traffic. */
  activeVersion?: string;
  /** The last successful backup (spec.backup), as its Job reported it in its termination message (docs/backup.md, "Status"). The operator reads the pods of the backup Jobs, never the bucket. */
  backup?: BackupStatus;
  /** The platform's CA and certificates (spec.tls.mode BuiltIn; docs/security.md, "TLS between the components"), as the operator last wrote or read them; with tls.issuerRef the issuer's CA and the certificates read from the Secrets cert-manager wrote. */
  certificates?: CertificateStatus[];
  /** The colour (blue or green) that serves traffic under the BlueGreen strategy. */
  activeColor?: 'blue' | 'green';
  /** Blue-green release state (strategy BlueGreen). The operator resumes from it after a restart, so every step is recorded here before the next is taken. */
  release?: ReleaseStatus;
  /** Why each component has the replica count it has, per component (filled by the scaling logic). */
  scaling?: Record<string, ComponentScalingStatus>;
}

/** A standard metav1.Condition: Ready, Progressing, Degraded, and under the BlueGreen strategy ReleaseProgressing and ReleaseFailed. */
export interface Condition {
  /** Condition type in CamelCase, e.g. Ready. */
  type: string;
  /** True, False or Unknown. */
  status: 'True' | 'False' | 'Unknown';
  /** The metadata.generation the condition was computed from. */
  observedGeneration?: number;
  /** When status last changed. */
  lastTransitionTime: string;
  /** Machine-readable CamelCase cause of the last transition. */
  reason: string;
  /** Human-readable detail of the last transition. */
  message: string;
}

/** Replica counts per component. */
export interface ComponentStatuses {
  /** Replica counts of one component, from its Deployment(s). */
  gateway?: ComponentStatus;
  /** Replica counts of one component, from its Deployment(s). */
  kyc?: ComponentStatus;
  /** Replica counts of one component, from its Deployment(s). */
  auth?: ComponentStatus;
  /** Replica counts of one component, from its Deployment(s). */
  notification?: ComponentStatus;
  /** Replica counts of one component, from its Deployment(s). */
  analytics?: ComponentStatus;
  /** Replica counts of one component, from its Deployment(s). */
  frontend?: ComponentStatus;
}

/** Replica counts of one component, from its Deployment(s). */
export interface ComponentStatus {
  /** Replicas wanted (Deployment spec.replicas, as set by the operator or the HPA). */
  desired?: number;
  /** Replicas whose readiness probe passes. */
  ready?: number;
  /** Replicas running the current pod template (spec.version). */
  updated?: number;
  /** Replicas ready for at least minReadySeconds. */
  available?: number;
}

/** The last successful backup (spec.backup), as its Job reported it in its termination message (docs/backup.md, "Status"). The operator reads the pods of the backup Jobs, never the bucket. */
export interface BackupStatus {
  /** The backup CronJob's last successful run. */
  lastSuccessfulTime?: string;
  /** The backup id (its UTC start time), the argument of a restore. */
  id?: string;
  /** Bucket it went to. */
  bucket?: string;
  /** Object key of the encrypted dump (data.kycbak) in the bucket. */
  key?: string;
  /** Size of the encrypted dump in bytes. */
  bytes?: number;
  /** Tables in the dump. */
  tables?: number;
  /** Rows in the dump. */
  rows?: number;
}

/** One certificate. */
export interface CertificateStatus {
  /** ca (the platform CA) or the component. */
  name: 'ca' | 'gateway' | 'kyc' | 'auth' | 'notification' | 'analytics' | 'frontend';
  /** When it expires; renewed at 2/3 of its life. */
  notAfter: string;
  /** Its serial number, hex. */
  serialNumber?: string;
}

/** Blue-green release state (strategy BlueGreen). The operator resumes from it after a restart, so every step is recorded here before the next is taken. */
export interface ReleaseStatus {
  /** Release step: Idle (one colour serves), Deploying (the preview colour comes up), Verifying (smoke check), AwaitingPromotion (waiting for kyc.dev/promote=true or autoPromotionSeconds), Switching (preview scaled to the active replica count, then every active Service switched), ScalingDown (the old colour stays up as the rollback target until scaleDownAt), Aborted (the preview is scaled down; the active colour never changed). */
  phase?: 'Idle' | 'Deploying' | 'Verifying' | 'AwaitingPromotion' | 'Switching' | 'ScalingDown' | 'Aborted';
  /** The colour the active Services select. Absent: the platform still runs its single pre-blue-green Deployment per component. */
  activeColor?: 'blue' | 'green';
  /** The version of the active colour. */
  activeVersion?: string;
  /** The colour being brought up (Deploying to Switching, Aborted). */
  previewColor?: 'blue' | 'green';
  /** The version being brought up. */
  previewVersion?: string;
  /** During ScalingDown: what served before the switch (the rollback target); legacy is the pre-blue-green Deployment. */
  previousColor?: 'blue' | 'green' | 'legacy';
  /** During ScalingDown: the version of previousColor; setting spec.version to it switches back at once. */
  previousVersion?: string;
  /** When the current release started. */
  startedAt?: string;
  /** When the current phase began (the Switching deadline counts from it). */
  phaseStartedAt?: string;
  /** When every preview Deployment was first Available. */
  previewReadyAt?: string;
  /** When the smoke check passed. */
  verifiedAt?: string;
  /** When the active Services were last switched. */
  switchedAt?: string;
  /** During ScalingDown: when the previous colour is scaled to zero. */
  scaleDownAt?: string;
  /** When the last release ended (switched and scaled down, or aborted). */
  finishedAt?: string;
  /** Failed smoke-check rounds in this release. */
  smokeCheckFailures?: number;
  /** Why the last release was aborted: ProgressDeadlineExceeded, SmokeCheckFailed, AbortRequested or MigrationRefused (a preview pod refused a migration the active version cannot run beside; message carries its reason). */
  failureReason?: string;
  /** Why the release is where it is. */
  message?: string;
}

/** Scaling decision for one component. */
export interface ComponentScalingStatus {
  /** Fixed (spec replicas) or Autoscaled (HPA). */
  mode?: 'Fixed' | 'Autoscaled';
  /** Effective replica floor. */
  minReplicas?: number;
  /** Effective replica ceiling. */
  maxReplicas?: number;
  /** Replicas the HPA last observed (HPA status.currentReplicas). */
  currentReplicas?: number;
  /** Replicas the HPA last asked for (HPA status.desiredReplicas). */
  desiredReplicas?: number;
  /** Why the floor/ceiling/count is what it is, e.g. kafka lag 4200 / 100 per pod → 20 (max); business-hours window active → min 6. */
  reason?: string;
  /** The custom metrics of this component as last read by the operator. */
  metrics?: ScalingMetricStatus[];
  /** True while the fallback replica count is in force because metrics keep failing. */
  fallback?: boolean;
  [k: string]: unknown;
}

/** One custom metric: its value, its target and what it asks for. */
export interface ScalingMetricStatus {
  /** Metric name in external.metrics.k8s.io, e.g. kafka-consumer-lag. */
  name?: string;
  /** Last value read (a decimal number), absent while it cannot be read. */
  value?: string;
  /** Target: per pod (AverageValue) or for the whole component (Value). */
  target?: string;
  /** Replicas this metric alone asks for, within min/max. */
  replicas?: number;
  /** The reading in words, or why it failed. */
  message?: string;
}
