// docs/api.md, generated from the same schema as the CRD (so the reference cannot drift from it).
import { ALLOWED_CALLERS, CALLS, COMPONENTS, DEPENDENCY_ENV } from './components.js';
import { PROFILE_PRESETS, STATIC_RESOURCES } from './defaults.js';
import { FEATURE_FLAGS, FEATURE_FLAG_NAMES } from './flags.js';
import { API_VERSION, KIND, PLURAL, SHORT_NAMES } from './group.js';
import type { Schema, ValidationRule } from './openapi.js';
import { RESERVED_ENV, kycPlatformSchema, printerColumns, specSchema, statusSchema } from './schema.js';

export const DOCS_PATH = 'docs/api.md';

interface Row {
  path: string;
  schema: Schema;
  required: boolean;
}

/** Every field under a schema, depth first; identical sub-schemas of all six components are shown once. */
function rows(schema: Schema, path: string, out: Row[], required = false): Row[] {
  if (path) out.push({ path, schema, required });
  const properties = Object.entries(schema.properties ?? {});
  const values = properties.map(([, s]) => s);
  const sameForAll = values.length > 1 && values.every((s) => s === values[0]);
  if (sameForAll && values[0]) {
    rows(values[0], `${path}.<component>`, out);
    return out;
  }
  const requiredSet = new Set(schema.required ?? []);
  for (const [key, child] of properties) rows(child, path ? `${path}.${key}` : key, out, requiredSet.has(key));
  if (schema.items) rows(schema.items, `${path}[]`, out);
  if (schema.additionalProperties) rows(schema.additionalProperties, `${path}.<key>`, out);
  return out;
}

function typeName(schema: Schema): string {
  if (schema['x-kubernetes-int-or-string']) return 'quantity';
  if (schema.type === 'array') return `[]${schema.items ? typeName(schema.items) : 'any'}`;
  if (schema.type === 'object' && schema.additionalProperties) return `map[string]${typeName(schema.additionalProperties)}`;
  return schema.type ?? 'any';
}

function constraints(schema: Schema): string {
  const parts: string[] = [];
  if (schema.enum) parts.push(`one of ${schema.enum.map((v) => `\`${v}\``).join(', ')}`);
  if (schema.minimum !== undefined) parts.push(`>= ${schema.minimum}`);
  if (schema.maximum !== undefined) parts.push(`<= ${schema.maximum}`);
  if (schema.minLength !== undefined && schema.minLength > 0) parts.push(`length >= ${schema.minLength}`);
  if (schema.maxLength !== undefined) parts.push(`length <= ${schema.maxLength}`);
  if (schema.maxItems !== undefined) parts.push(`at most ${schema.maxItems} items`);
  if (schema.maxProperties !== undefined) parts.push(`at most ${schema.maxProperties} entries`);
  if (schema.pattern !== undefined && !schema['x-kubernetes-int-or-string'])
    parts.push(`pattern \`${schema.pattern.replace(/\|/g, '\\|')}\``);
  return parts.join('; ');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function table(root: Schema, prefix: string): string {
  const lines = ['| field | type | default | constraints | description |', '|---|---|---|---|---|'];
  for (const { path, schema, required } of rows(root, '', [])) {
    const dflt = schema.default === undefined ? (required ? '*required*' : '') : `\`${JSON.stringify(schema.default)}\``;
    lines.push(`| \`${prefix}.${path}\` | ${typeName(schema)} | ${dflt} | ${cell(constraints(schema))} | ${cell(schema.description)} |`);
  }
  return lines.join('\n');
}

function rules(root: Schema, path: string, out: { path: string; rule: ValidationRule }[], seen = new Set<Schema>()): typeof out {
  if (seen.has(root)) return out;
  seen.add(root);
  for (const rule of root['x-kubernetes-validations'] ?? []) out.push({ path: path || '(object)', rule });
  const properties = Object.entries(root.properties ?? {});
  const values = properties.map(([, s]) => s);
  const sameForAll = values.length > 1 && values.every((s) => s === values[0]);
  if (sameForAll && values[0]) return rules(values[0], `${path}.<component>`, out, seen);
  for (const [key, child] of properties) rules(child, path ? `${path}.${key}` : key, out, seen);
  if (root.items) rules(root.items, `${path}[]`, out, seen);
  if (root.additionalProperties) rules(root.additionalProperties, `${path}.<key>`, out, seen);
  return out;
}

function ruleMessage(rule: ValidationRule): string {
  if (rule.message) return rule.message;
  // Messages built from the value read as text with the value as a placeholder.
  return (rule.messageExpression ?? '').replace(/' \+ self \+ '/g, '<value>').replace(/^'|'$/g, '');
}

function rulesTable(): string {
  const lines = ['| on | the API server rejects the object with |', '|---|---|'];
  const all = [...rules(kycPlatformSchema, '', [])];
  // The component rules repeat per component; show the gateway's once with <component>.
  const seen = new Set<string>();
  for (const { path, rule } of all) {
    const where = rule.fieldPath ? `${path}${rule.fieldPath}` : path === '(object)' ? 'metadata.name' : path;
    const perComponent = COMPONENTS.some((c) => where.includes(`components.${c}`));
    const generic = (text: string) =>
      perComponent
        ? COMPONENTS.reduce((t, c) => t.replaceAll(`components.${c}`, 'components.<component>').replaceAll(` ${c} `, ' <component> '), text)
        : text;
    const row = `| \`${generic(where)}\` | ${cell(generic(ruleMessage(rule)))} |`;
    if (!seen.has(row)) {
      seen.add(row);
      lines.push(row);
    }
  }
  return lines.join('\n');
}

function presets(): string {
  const lines = [
    '| profile | replicas | requests (cpu / memory) | limits (cpu / memory) | autoscaling by default |',
    '|---|---|---|---|---|',
  ];
  for (const [name, p] of Object.entries(PROFILE_PRESETS)) {
    const r = p.resources;
    lines.push(
      `| \`${name}\` | ${p.replicas} | ${r.requests.cpu} / ${r.requests.memory} | ${r.limits.cpu} / ${r.limits.memory} | ${p.autoscaling ? 'on' : 'off'} |`,
    );
  }
  return lines.join('\n');
}

function flagTable(): string {
  const lines = ['| flag | read by | what it switches |', '|---|---|---|'];
  for (const name of FEATURE_FLAG_NAMES)
    lines.push(`| \`${name}\` | ${FEATURE_FLAGS[name].component} | ${cell(FEATURE_FLAGS[name].effect)} |`);
  return lines.join('\n');
}

function networkMatrix(): string {
  const callers = [...new Set(Object.values(ALLOWED_CALLERS).flatMap((c) => (c === 'anywhere' ? [] : c)))];
  const header = ['to \\ from', 'anywhere', ...callers];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const component of COMPONENTS) {
    const allowed = ALLOWED_CALLERS[component];
    const cells = ['anywhere', ...callers].map((from) =>
      (allowed === 'anywhere' ? from === 'anywhere' : allowed.includes(from as never)) ? 'yes' : '',
    );
    lines.push(`| ${component} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function egressList(): string {
  const names: Record<string, string> = { postgres: 'PostgreSQL', redis: 'Redis', kafka: 'Kafka' };
  return COMPONENTS.map((c) => {
    const calls = CALLS[c].length > 0 ? `${CALLS[c].join(', ')} on 8080; ` : '';
    const uses = Object.entries(DEPENDENCY_ENV)
      .filter(([, d]) => d.readers.includes(c))
      .map(([name]) => names[name] ?? name);
    if (calls === '' && uses.length === 0) return `- \`${c}\`: DNS (53 UDP/TCP, \`security.dnsPeers\`) only.`;
    return `- \`${c}\`: DNS (53 UDP/TCP, \`security.dnsPeers\`); ${calls}${uses.join(', ')} (\`dependencies.<name>.networkPeers\` on \`ports\`).`;
  }).join('\n');
}

export function apiReference(): string {
  const columns = printerColumns.map((c) => `\`${c.name}\` (${c.jsonPath})`).join(', ');
  return `<!-- Generated from operator/src/api/schema.ts by \`make crds\`. Do not edit; change the schema. -->
# KycPlatform API reference (\`${API_VERSION}\`)

A \`${KIND}\` (plural \`${PLURAL}\`, short name \`${SHORT_NAMES.join(', ')}\`, namespaced) runs one KYC platform: the six
bundled components (${COMPONENTS.map((c) => `\`${c}\``).join(', ')}: the API's five services and the web app's
server) from one image, with their Services, PodDisruptionBudgets, ServiceAccounts, HorizontalPodAutoscalers, a
ConfigMap, NetworkPolicies and an optional Ingress.
Install the CRD with \`kubectl apply -f crds/\`; \`kubectl explain kycplatform.spec --recursive\` shows the same
descriptions as this page. \`kubectl get kycp\` prints ${columns}.

## A minimal platform

\`\`\`yaml
apiVersion: ${API_VERSION}
kind: ${KIND}
metadata:
  name: kyc-dev                # at most 40 characters: it prefixes every object name (kyc-dev-gateway, ...)
spec:
  version: "0.1.0"             # image tag of the bundled services; changing it rolls out the release
  profile: development         # 1 replica, small resources, no autoscaling
  dependencies:
    postgres: { secretRef: { name: kyc-dev-postgres } }   # key "url"
    redis:    { secretRef: { name: kyc-dev-redis } }      # key "url"
    kafka:    { secretRef: { name: kyc-dev-kafka } }      # key "brokers"
  secretsRef: { name: kyc-dev-platform }                  # token-signing-keys, pii-keys, admin-email, admin-password
\`\`\`

More in \`samples/\`: \`development.yaml\` (with \`secrets-development.yaml\`), \`production.yaml\`, \`blue-green.yaml\`,
\`custom-metrics.yaml\`.

## Profiles

Presets for every component that does not override them (\`components.<component>.replicas\` / \`.resources\`).
Production asks for requests 256Mi / 250m and limits 512Mi / 500m per container, and at least 3 replicas — one per
zone. The Node.js heap of every container (\`NODE_OPTIONS=--max-old-space-size\`) is 75 % of its memory limit.

${presets()}

The \`frontend\` (the web app's static files, served from memory) has a small preset of its own in every profile:
requests ${STATIC_RESOURCES.requests.cpu} / ${STATIC_RESOURCES.requests.memory}, limits ${STATIC_RESOURCES.limits.cpu} / ${STATIC_RESOURCES.limits.memory}; its replicas and autoscaling follow the profile like the others'.

## How defaults work

The API server writes the schema defaults below into the stored object (\`kubectl get kycp -o yaml\` shows them).
Some defaults depend on other fields and are therefore decided by the operator, never written into the spec:
\`autoscaling.enabled\` (on for staging and production, off for development), the per-component replica count and
resources (from the profile), and every \`components.<component>.autoscaling\` field (from \`spec.autoscaling\`).
A component is *autoscaled* when \`components.<component>.autoscaling.enabled\`, else \`autoscaling.enabled\`, else the
profile says so; an autoscaled component gets an HPA and its Deployment has no \`spec.replicas\` (the HPA owns it).

## Spec

${table(specSchema, 'spec')}

## Feature flags

\`spec.featureFlags\` switches features off while the platform runs, for an incident or a dependency a feature
relies on; every flag is on unless set to \`false\`, and the CRD refuses a name not in this table. A change restarts
nothing: the operator writes the flags in force to the platform ConfigMap (\`live-settings.json\`, mounted in every
pod at \`LIVE_SETTINGS_FILE\`) and marks each running pod with their digest (annotation \`kyc.dev/live-settings\`),
which makes the kubelet refresh the mounted file at once rather than at its next periodic sync (up to a minute).
The services re-read the file every second, so a switch takes effect within a few seconds. \`status.featureFlags\`
shows the flags in force.

${flagTable()}

## Degradation

The platform runs in one of three modes. \`spec.degradation.mode\` forces one; it travels like the feature flags
(the live settings, \`"mode"\` in \`live-settings.json\`), so every service follows within a few seconds and no pod
restarts. \`status.degradationMode\` shows the mode announced to the pods; each change is an Event \`ModeChanged\`.

| mode | API requests | answers carry |
|---|---|---|
| \`Normal\` | served | — |
| \`ReadOnly\` | GET, HEAD and OPTIONS served; every other method answers 503, \`Retry-After: 60\`, problem type \`https://kyc.dev/problems/read-only-mode\`, before its body is read | \`KYC-Service-Mode: ReadOnly\` |
| \`Maintenance\` | every request answers 503, \`Retry-After: 60\`, problem type \`https://kyc.dev/problems/maintenance\`, except \`GET /api/v1/status\` | \`KYC-Service-Mode: Maintenance\` |

The probes (\`/livez\`, \`/ready\`) and the metrics port answer in every mode, and consumers, relays and sweeps
keep running (the feature flags stop those). Under \`ReadOnly\`, signing in, refreshing and signing out stay open:
they write sessions, not KYC records, and a customer must be able to sign in to read.

Users are told through the gateway's public \`GET /api/v1/status\` (no token): \`{ mode, reducedFeatures, version }\`,
where \`reducedFeatures\` lists the feature flags that are off and what a forced mode reduces (\`writes\` under
ReadOnly, \`api\` under Maintenance), then, for 30 s after an answer of a service said so (header
\`KYC-Reduced-Features\`), what it serves reduced while it still answers: \`automatic-checks\` while kyc parks
applications because the KMS does not answer (with a parking key: applications are accepted with 2xx, their PII
sealed under a data key only the KMS unwraps, never in clear, and their automatic checks wait until the KMS is
back; docs/security.md, "Writes while the KMS is away"). docs/security.md says what the status reveals.

Besides a forced mode, the operator reads each pod's detailed \`/health\` (metrics port, docs/workload-contract.md)
at most every 15 s per platform and at most 10 platforms a second (so every 100 s at 1,000 platforms; 2 s timeout, 10 pods at a time, a round within 3 s, at most 50 pods), and while a pod reports a
dependency down the platform is \`Degraded\` with reason \`DependencyUnavailable\` and a message naming the
dependency, the components and pods, and what is reduced, for example \`postgres unreachable from kyc (2/2 pods):
writes refused with 503 + Retry-After, reads that need the database too\`; the phase is \`Degraded\` until the pods
report it back. A forced mode shows as \`Degraded\` with reason \`ReadOnlyMode\` or \`MaintenanceMode\` (the phase
stays as it is: nothing is broken). A rollout problem, when there is one, keeps the condition; each new reason is a
Warning Event, and the way back a Normal Event \`DependencyRecovered\`. So that a recovery (or an outage) is
seen without any object changing, a Ready platform is reconciled again when its next round is due (15 s after
the last round up to 150 platforms, whatever passes came in between), so a dependency away for longer than that is
always named.

## Validation rules

Besides the types, enums, bounds and patterns above, these rules (CEL, \`x-kubernetes-validations\`) are checked at
admission; the error names the field and says what to fix. Rules on \`components.<component>\` apply to each of the
six components. \`components.<component>.env\` may not set a variable the operator manages:
${RESERVED_ENV.map((n) => `\`${n}\``).join(', ')}.

${rulesTable()}

## Status

Written by the operator only (the \`status\` subresource).

${table(statusSchema, 'status')}

## What the operator creates

For each enabled component \`<component>\` of platform \`<name>\`: Deployment, Service (ClusterIP, port 8080 \`http\`),
ServiceAccount (no token mounted) and PodDisruptionBudget (\`maxUnavailable: 1\`), all named \`<name>-<component>\`, and
an autoscaling/v2 HorizontalPodAutoscaler of the same name when the component is autoscaled (a KEDA ScaledObject
instead with \`autoscaling.provider: keda\`, written only where KEDA is installed: docs/autoscaling.md). Per platform: the
ConfigMap \`<name>-config\` (feature flags, load-balancing settings), the NetworkPolicies \`<name>-default-deny\` and
\`<name>-<component>\` (when \`security.networkPolicies\`), the Ingress \`<name>-gateway\` (when \`ingress.host\`), and with
\`autoscaling.provider: keda\` and a Kafka behind TLS or SCRAM the TriggerAuthentication \`<name>-kafka-lag\` of its kafka triggers.
Every object is labelled \`app.kubernetes.io/{name=kyc-platform, instance=<name>, component, version,
managed-by=kyc-operator}\` and owned by the KycPlatform (deleting it deletes them). Pods are selected by
\`app.kubernetes.io/instance\` and \`app.kubernetes.io/component\` only.

Why \`maxUnavailable: 1\` and not \`minAvailable\`: it stays right while the HPA moves the replica count, lets a node
drain when a development component has a single replica, and with production's three or more replicas never evicts
more than one replica of a component at a time. Pods are spread over zones and hosts (\`ScheduleAnyway\`), run as
user 10001 with a read-only root filesystem, no privilege escalation, all capabilities dropped and the
RuntimeDefault seccomp profile, with probes on \`/ready\` (readiness) and \`/livez\` (startup and liveness) on the \`http\`
port. Every container has a second port, \`metrics\` (9090, \`METRICS_PORT\`): \`/metrics\` and the detailed \`/health\`
(dependency checks) are served only there, and no Service, NodePort or Ingress exposes it.

## Per-service credentials

\`spec.dependencies.postgres.credentials\` and \`spec.dependencies.redis.credentials\` say how many credentials the
dependency Secret holds (docs/security.md, "Per-service credentials", says what each may do):

| credentials | PostgreSQL Secret keys | Redis Secret keys | what the pods get |
|---|---|---|---|
| \`Shared\` (absent) | \`url\` (or \`secretRef.key\`) | \`url\` (or \`secretRef.key\`) | every component reads the one URL and migrates its own schema as it starts |
| \`PerComponent\` | \`migrate-url\`, \`kyc-url\`, \`auth-url\`, \`notification-url\`, \`analytics-url\` | \`gateway-url\`, \`kyc-url\`, \`auth-url\`, \`notification-url\`, \`analytics-url\` | each component reads \`<component>-url\` as DATABASE_URL / REDIS_URL |

Under \`PerComponent\` PostgreSQL credentials, each of kyc, auth, notification and analytics gets an init container
\`migrate\` (same image, limits and hardening) that runs \`main.js migrate <component>\` with \`migrate-url\` as
DATABASE_URL and \`<component>-url\` as DATABASE_APP_URL: it migrates the component's schema as the owner role and grants
the component's own role its rows. The component's container then starts with \`DATABASE_MIGRATIONS=external\`: it
checks that every migration it knows is recorded and refuses to start otherwise, and it never gets \`migrate-url\`.
A missing key stops the pod at \`CreateContainerConfigError\` (the kubelet names the key). The two settings are
independent: PostgreSQL may be \`PerComponent\` while Redis stays \`Shared\`. \`make deps\` creates the roles and users,
and \`make up\` puts their URLs in its Secrets beside \`url\` (hack/deps/roles.sh).

\`spec.dependencies.kafka.credentials\` does the same for Kafka's SCRAM-SHA-512 principals (docs/security.md, "Kafka"):

| credentials | Kafka Secret keys | what the pods and the operator get |
|---|---|---|
| \`Shared\` (absent) | \`brokers\` (or \`secretRef.key\`) | kyc, notification and analytics read KAFKA_BROKERS; no SASL |
| \`PerComponent\` | \`brokers\`, \`kyc-username\`, \`kyc-password\`, \`notification-username\`, \`notification-password\`, \`analytics-username\`, \`analytics-password\`, \`lag-reader-username\`, \`lag-reader-password\` | each of kyc, notification and analytics reads KAFKA_BROKERS and its own \`<component>-username\` / \`<component>-password\` as KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD; the operator's queue-lag reader signs in with \`lag-reader-*\`; gateway and auth get nothing of Kafka |

The brokers listed must then be SASL_SSL listeners (with \`tls: Required\`, and \`ca.crt\` in the same Secret). A missing
key stops the pod at \`CreateContainerConfigError\`, and fails the lag reader's read naming the key. \`make deps\` creates
the users and their ACLs (hack/deps/kafka-sasl.sh), and \`make up\` puts them in its Kafka Secret.

## Network policies

With \`security.networkPolicies\` (default on), \`<name>-default-deny\` denies all ingress and egress of the platform's
pods, and \`<name>-<component>\` allows exactly the connections the services make. Ingress on the \`http\` port (8080):

${networkMatrix()}

plus the operator's pods (label \`app.kubernetes.io/name=kyc-operator\` in the operator's namespace) on every http port:
the release smoke checks call the preview Services. Auth accepts every service because each fetches its public keys
(JWKS) to verify tokens. Ingress on the \`metrics\` port (9090): the operator's pods (the request-rate and latency scrapes
for autoscaling) and \`security.monitoring\` (e.g. Prometheus); nobody else — without \`security.monitoring\` only the
operator scrapes.

Egress of each component, and nothing else:

${egressList()}

With \`observability.tracing\`, every component but the frontend (static files, no traces) also reaches the traces'
OTLP receiver (\`observability.tracing.networkPeers\`, on the endpoint's port; none: unreachable).

A NetworkPolicy matches the address a connection reaches after Service translation, so peers name pods or endpoint
addresses, never ClusterIPs. The operator never reads the dependency URLs (they are in Secrets it passes through), so
it cannot derive their addresses: **a dependency without \`networkPeers\` is unreachable** (fail closed) — set them to
where PostgreSQL, Redis and every Kafka broker run. DNS defaults to the kube-dns pods in kube-system; set
\`security.dnsPeers\` where DNS runs elsewhere (NodeLocal DNSCache, or CoreDNS on the node as on \`make up\`'s real node).

## Client addresses

The gateway takes the client address for its rate limits and login backoff from the connection, or from
\`X-Forwarded-For\` only as far as the hops are \`security.trustedProxies\` (\`GATEWAY_TRUSTED_PROXIES\`): list the Ingress
controller's pods or the load balancer there. Exposing the gateway Service as a NodePort or LoadBalancer yourself, set
\`externalTrafficPolicy: Local\` on it so that kube-proxy does not replace the client's address with a node's.

## Production secrets

For a platform with profile \`production\` the operator reads the platform Secret (\`secretsRef\`; the only Secret it
reads, with \`get\`) before it renders anything, and refuses it when \`pii-keys\` has a key that is all zero, not exactly
32 bytes or the development sample, when \`token-signing-keys\` is the sample or does not parse as Ed25519 PKCS#8, or
when \`admin-password\` is the sample or shorter than 12 characters. While refused: \`SecretsVerified=False\`,
\`Ready=False\` and \`Degraded=True\` with reason \`InsecureSecrets\`, phase \`Failed\`, a Warning Event naming the keys and
what to fix (never a value), and no Deployment is created or changed. Fix the Secret and the platform rolls out within
seconds (\`SecretsVerified=True\`, reason \`SecretsAccepted\`). Development and staging platforms are not checked.
`;
}
