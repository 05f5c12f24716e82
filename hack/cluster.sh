#!/usr/bin/env bash
# The local Kubernetes cluster: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, the
# KWOK controller with fake nodes and metrics-server, run on this host from binaries built by
# hack/build-tools.sh (everything on loopback except metrics-server, which listens on the host's
# address because the aggregator reaches it through Endpoints, and Endpoints refuse loopback).
#
#   hack/cluster.sh up      start whatever is not running (idempotent), wait until Ready
#   hack/cluster.sh down    stop every process this script started
#   hack/cluster.sh status  show each component
#
# State lives in $RUN_DIR/cluster (certificates, etcd data, logs, pid files, kubeconfig).
source "$(dirname "$0")/lib.sh"

CLUSTER_DIR=$RUN_DIR/cluster
PKI=$CLUSTER_DIR/pki
LOGS=$CLUSTER_DIR/logs
PIDS=$CLUSTER_DIR/pids
KUBECONFIG_PATH=$CLUSTER_DIR/kubeconfig
APISERVER_PORT=${KYC_APISERVER_PORT:-16443}
ETCD_PORT=${KYC_ETCD_PORT:-12379}
ETCD_PEER_PORT=$((ETCD_PORT + 1))
CM_PORT=${KYC_CONTROLLER_MANAGER_PORT:-10257}
SCHED_PORT=${KYC_SCHEDULER_PORT:-10259}
KWOK_PORT=${KYC_KWOK_PORT:-10247}
METRICS_SERVER_PORT=${KYC_METRICS_SERVER_PORT:-14443}
# How often metrics-server scrapes the (fake and real) kubelets; 10 s is its minimum.
METRICS_RESOLUTION=${KYC_METRICS_RESOLUTION:-10s}
METRICS_SERVER_BIN=$CACHE_DIR/metrics-server/v$METRICS_SERVER_VERSION/bin
# The resource metrics KWOK serves for its fake nodes and the usage it emulates (docs/autoscaling.md).
KWOK_CRDS=(metrics resourceusages clusterresourceusages)
FAKE_NODES=${KYC_FAKE_NODES:-3}
# The HPA controller's sync period; tests and benchmarks of scaling reaction time read it from here.
HPA_SYNC_PERIOD=${KYC_HPA_SYNC_PERIOD:-15s}
SERVICE_CIDR=10.96.0.0/16

kubeconfig() { # kubeconfig FILE USER
  kubeconfig_yaml "$2" "$PKI" "$PKI/ca.crt" "https://127.0.0.1:$APISERVER_PORT" >"$1"
}

kubectl_() { "$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_PATH" "$@"; }

# ensure_port_ours NAME PORT [ADDRESS]: a port held by something other than our live process is a clear
# failure.
ensure_port_ours() {
  local name=$1 port=$2 address=${3:-127.0.0.1} var=${1^^}
  pid_alive "$PIDS/$name.pid" && return 0
  ! (exec 3<>"/dev/tcp/$address/$port") 2>/dev/null ||
    die "port $port (for $name) is already in use by another process; stop it (ss -ltnp | grep :$port) or set KYC_${var//-/_}_PORT, then re-run"
}

start() { # start NAME PORT CMD...
  local name=$1 port=$2; shift 2
  if pid_alive "$PIDS/$name.pid"; then return 0; fi
  ensure_port_ours "$name" "$port" "${START_ADDRESS:-127.0.0.1}"
  start_daemon "$name" "$PIDS/$name.pid" "$LOGS/$name.log" "$@"
}

# restart_if_changed NAME CMD...: stops a running component whose command line differs from CMD (its
# flags changed with this script), so that the `start` that follows runs it with the new ones.
restart_if_changed() {
  local name=$1; shift
  pid_alive "$PIDS/$name.pid" || return 0
  cmp -s <(printf '%s\0' "$@") "/proc/$(cat "$PIDS/$name.pid")/cmdline" && return 0
  log "restarting $name: its flags changed"
  stop_pidfile "$PIDS/$name.pid" "$name"
}

# The address metrics-server listens on and the Endpoints name: the host's first global IPv4 address
# (KYC_HOST_ADDRESS overrides it), the same one the scaling suites use for theirs.
host_address() {
  if [[ -n ${KYC_HOST_ADDRESS:-} ]]; then echo "$KYC_HOST_ADDRESS"; return; fi
  local address
  address=$(ip -4 -o addr show scope global 2>/dev/null | awk '{split($4, a, "/"); print a[1]; exit}')
  [[ -n $address ]] || address=$(hostname -I 2>/dev/null | awk '{print $1}')
  [[ -n $address ]] || die "this host has no non-loopback IPv4 address for metrics-server's Endpoints; set KYC_HOST_ADDRESS"
  echo "$address"
}

# The KWOK module's source (its CRDs and its kubelet-style resource Metric), from the Go module cache.
kwok_source() {
  local dir
  dir=$(cd "$HACK_DIR/tools/kwok" && go mod download -json "sigs.k8s.io/kwok@v$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -d $dir/kustomize ]] || die "the source of sigs.k8s.io/kwok@v$KWOK_VERSION is not in the Go module cache (go mod download failed)"
  echo "$dir"
}

# fail_with_log NAME WHAT: prints the tail of a component's log with a clear message and exits.
fail_with_log() {
  echo "--- last lines of $LOGS/$1.log ---" >&2
  tail -n 15 "$LOGS/$1.log" >&2 || true
  die "$2 (log: $LOGS/$1.log); run 'make cluster-down && make cluster' to start over"
}

up() {
  WITH_NODE=0 "$HACK_DIR/build-tools.sh"
  "$HACK_DIR/pki.sh" "$PKI"
  mkdir -p "$LOGS" "$PIDS" "$CLUSTER_DIR/etcd"
  for c in admin controller-manager scheduler kwok metrics-server; do kubeconfig "$CLUSTER_DIR/$c.kubeconfig" "$c"; done
  cp "$CLUSTER_DIR/admin.kubeconfig" "$KUBECONFIG_PATH"

  start etcd "$ETCD_PORT" "$K8S_BIN/etcd" --name kyc-local --data-dir "$CLUSTER_DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "kyc-local=http://127.0.0.1:$ETCD_PEER_PORT" --listen-metrics-urls "" \
    --quota-backend-bytes 4294967296 --snapshot-count 10000
  wait_for 30 etcd curl -fsS "http://127.0.0.1:$ETCD_PORT/health" || fail_with_log etcd "etcd did not become healthy in 30 s"

  start apiserver "$APISERVER_PORT" "$K8S_BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$APISERVER_PORT" \
    --endpoint-reconciler-type none \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --client-ca-file "$PKI/ca.crt" \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types InternalIP,Hostname \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --authorization-mode Node,RBAC --allow-privileged=true \
    --requestheader-client-ca-file "$PKI/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "$PKI/front-proxy-client.crt" --proxy-client-key-file "$PKI/front-proxy-client.key" \
    --enable-aggregator-routing=true \
    --max-requests-inflight 1000 --max-mutating-requests-inflight 500 \
    ${KYC_APISERVER_EXTRA_ARGS:-}
  wait_for 90 apiserver kubectl_ get --raw /readyz || fail_with_log apiserver "kube-apiserver did not become ready in 90 s"

  start controller-manager "$CM_PORT" "$K8S_BIN/kube-controller-manager" \
    --kubeconfig "$CLUSTER_DIR/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$CLUSTER_DIR/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$CLUSTER_DIR/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$CM_PORT" --leader-elect=false \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --use-service-account-credentials=true --controllers '*' \
    --horizontal-pod-autoscaler-sync-period "$HPA_SYNC_PERIOD" \
    --kube-api-qps 200 --kube-api-burst 400 --concurrent-deployment-syncs 10 --concurrent-replicaset-syncs 10

  start scheduler "$SCHED_PORT" "$K8S_BIN/kube-scheduler" \
    --kubeconfig "$CLUSTER_DIR/scheduler.kubeconfig" \
    --authentication-kubeconfig "$CLUSTER_DIR/scheduler.kubeconfig" \
    --authorization-kubeconfig "$CLUSTER_DIR/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$SCHED_PORT" --leader-elect=false \
    --kube-api-qps 200 --kube-api-burst 400

  # KWOK reads its resource Metric and the emulated usage from these CRDs, so they exist before it starts.
  local kwok_src crd
  kwok_src=$(kwok_source)
  for crd in "${KWOK_CRDS[@]}"; do
    kubectl_ apply --server-side --field-manager kyc-cluster -f "$kwok_src/kustomize/crd/bases/kwok.x-k8s.io_$crd.yaml" >/dev/null ||
      die "could not install KWOK's $crd CRD"
  done
  local names=()
  for crd in "${KWOK_CRDS[@]}"; do names+=("crd/$crd.kwok.x-k8s.io"); done
  wait_for 60 kwok-crds kubectl_ wait --for condition=Established --timeout 5s "${names[@]}" ||
    fail_with_log apiserver "KWOK's CRDs were not established in 60 s"
  # KWOK's kubelet-style resource metrics and the usage it reports for a pod (docs/autoscaling.md). KWOK
  # adds a Metric's route when it sees it but cannot change it: a changed Metric restarts KWOK.
  local before after
  before=$(kubectl_ get metrics.kwok.x-k8s.io kyc-kubelet-resource-metrics -o jsonpath='{.metadata.generation}' 2>/dev/null || true)
  { resource_metrics; echo ---; usage_from_annotations; } | kubectl_ apply --server-side --field-manager kyc-cluster -f - >/dev/null ||
    die "could not create KWOK's resource Metric and ClusterResourceUsage"
  after=$(kubectl_ get metrics.kwok.x-k8s.io kyc-kubelet-resource-metrics -o jsonpath='{.metadata.generation}')
  if [[ -n $before && $before != "$after" ]] && pid_alive "$PIDS/kwok.pid"; then
    log "restarting kwok: its resource Metric changed"
    stop_pidfile "$PIDS/kwok.pid" kwok
  fi
  # The fake nodes' kubelet endpoint is KWOK's server: 127.0.0.1:$KWOK_PORT over TLS (the cluster CA),
  # serving /metrics/nodes/<node>/metrics/resource like a kubelet's /metrics/resource.
  local kwok_cmd=("$KWOK_BIN/kwok" --kubeconfig "$CLUSTER_DIR/kwok.kubeconfig"
    --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake
    --node-lease-duration-seconds 40 --server-address "127.0.0.1:$KWOK_PORT"
    --node-ip 127.0.0.1 --node-port "$KWOK_PORT"
    --tls-cert-file "$PKI/kwok-serving.crt" --tls-private-key-file "$PKI/kwok-serving.key"
    --enable-crds "Metric,ClusterResourceUsage,ResourceUsage")
  restart_if_changed kwok "${kwok_cmd[@]}"
  start kwok "$KWOK_PORT" "${kwok_cmd[@]}"

  wait_for 30 controller-manager curl -fsSk "https://127.0.0.1:$CM_PORT/healthz" ||
    fail_with_log controller-manager "kube-controller-manager did not become healthy in 30 s"
  wait_for 30 scheduler curl -fsSk "https://127.0.0.1:$SCHED_PORT/healthz" ||
    fail_with_log scheduler "kube-scheduler did not become healthy in 30 s"

  fake_nodes | kubectl_ apply -f - >/dev/null || die "could not create the fake nodes"
  wait_for 60 nodes nodes_ready || fail_with_log kwok "the fake nodes did not become Ready in 60 s"
  fake_node_endpoints || die "could not point the fake nodes' kubelet endpoint at KWOK"
  # KWOK can miss a Metric that exists when it starts (it only adds routes on changes it sees): a
  # change makes it add the route.
  if ! wait_for 10 kwok-metrics kwok_metrics_served; then
    kubectl_ annotate metrics.kwok.x-k8s.io kyc-kubelet-resource-metrics --overwrite "kyc.dev/resync=$(date +%s%N)" >/dev/null
    wait_for 30 kwok-metrics kwok_metrics_served || fail_with_log kwok "KWOK does not serve the fake nodes' resource metrics (/metrics/nodes/kwok-node-0/metrics/resource)"
  fi
  # The default ServiceAccount must exist before pods can be created in a namespace.
  wait_for 30 serviceaccounts kubectl_ -n default get serviceaccount default ||
    fail_with_log controller-manager "the default ServiceAccount was not created in 30 s"

  metrics_server

  log "cluster ready: $(kubectl_ get nodes --no-headers | wc -l) nodes, server $("$K8S_BIN/kubectl" version --kubeconfig "$KUBECONFIG_PATH" -o json | sed -n 's/.*"gitVersion": "\(v[^"]*\)".*/\1/p' | tail -1)"
  echo "export KUBECONFIG=$KUBECONFIG_PATH"
  echo "export PATH=$K8S_BIN:\$PATH   # kubectl v$K8S_VERSION"
}

# Fake nodes spread over three zones so that topology spread constraints have something to spread over.
fake_nodes() {
  local i zones=(a b c)
  for ((i = 0; i < FAKE_NODES; i++)); do
    cat <<YAML
---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    metrics.k8s.io/resource-metrics-path: /metrics/nodes/kwok-node-$i/metrics/resource
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/hostname: kwok-node-$i
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    kubernetes.io/role: agent
    node-role.kubernetes.io/agent: ""
    type: kwok
    topology.kubernetes.io/zone: zone-${zones[i % 3]}
spec:
  podCIDR: 10.244.$((i * 16)).0/20
status:
  allocatable: {cpu: "64", memory: 256Gi, pods: "1000"}
  capacity: {cpu: "64", memory: 256Gi, pods: "1000"}
YAML
  done
}

# Each fake node's InternalIP and kubelet port name KWOK's server (KWOK keeps addresses a node has, so
# nodes made before --node-ip are set here).
fake_node_endpoints() {
  local i
  for ((i = 0; i < FAKE_NODES; i++)); do
    kubectl_ patch node "kwok-node-$i" --subresource status --type merge -p "{\"status\": {
      \"addresses\": [{\"type\": \"InternalIP\", \"address\": \"127.0.0.1\"}, {\"type\": \"Hostname\", \"address\": \"kwok-node-$i\"}],
      \"daemonEndpoints\": {\"kubeletEndpoint\": {\"Port\": $KWOK_PORT}}}}" >/dev/null || return 1
  done
}

kwok_metrics_served() {
  curl -fsS --cacert "$PKI/ca.crt" "https://127.0.0.1:$KWOK_PORT/metrics/nodes/kwok-node-0/metrics/resource" -o /dev/null
}

# metrics-server as a host process, registered as the APIService v1beta1.metrics.k8s.io: the aggregator
# reaches it through the selector-less Service kube-system/metrics-server, whose Endpoints carry this
# host's address. It scrapes the kubelets (KWOK for the fake nodes, the real kubelet for the real node)
# with its own client certificate and checks their serving certificates against the cluster CA.
metrics_server() {
  local address
  address=$(host_address)
  # (kubectl's warning that v1 Endpoints are deprecated is dropped: the aggregator resolves them.)
  local out
  out=$(metrics_server_objects "$address" | kubectl_ apply --server-side --force-conflicts --field-manager kyc-cluster -f - 2>&1) || {
    echo "$out" >&2
    die "could not register metrics-server (RBAC, Service, Endpoints, APIService)"
  }
  local cmd=("$METRICS_SERVER_BIN/metrics-server" --kubeconfig "$CLUSTER_DIR/metrics-server.kubeconfig"
    --authentication-kubeconfig "$CLUSTER_DIR/metrics-server.kubeconfig"
    --authorization-kubeconfig "$CLUSTER_DIR/metrics-server.kubeconfig"
    --bind-address "$address" --secure-port "$METRICS_SERVER_PORT"
    --tls-cert-file "$PKI/metrics-server-serving.crt" --tls-private-key-file "$PKI/metrics-server-serving.key"
    --kubelet-certificate-authority "$PKI/ca.crt"
    --kubelet-client-certificate "$PKI/metrics-server.crt" --kubelet-client-key "$PKI/metrics-server.key"
    --kubelet-use-node-status-port --kubelet-preferred-address-types InternalIP --kubelet-request-timeout 5s
    --metric-resolution "$METRICS_RESOLUTION")
  restart_if_changed metrics-server "${cmd[@]}"
  START_ADDRESS=$address start metrics-server "$METRICS_SERVER_PORT" "${cmd[@]}"
  # Two scrapes make the first CPU rate; then the aggregator serves it.
  local deadline=$((SECONDS + 120))
  until kubectl_ top nodes >/dev/null 2>&1; do
    pid_alive "$PIDS/metrics-server.pid" || fail_with_log metrics-server "metrics-server exited"
    ((SECONDS < deadline)) || fail_with_log metrics-server "metrics-server did not serve node metrics in 120 s ('kubectl top nodes' fails)"
    sleep 1
  done
}

# What a kubelet's /metrics/resource says, for each fake node at /metrics/nodes/<node>/metrics/resource:
# the containers' emulated usage (CPU as a counter of core-seconds, memory as a working set), and for the
# node that of its pods plus 100m CPU and 256Mi for the node itself (metrics-server drops a node that
# reports no CPU or memory at all, as an empty node would).
resource_metrics() {
  local pod_labels="[{name: namespace, value: pod.metadata.namespace}, {name: pod, value: pod.metadata.name}]"
  local container_labels="[{name: container, value: container.name}, {name: namespace, value: pod.metadata.namespace}, {name: pod, value: pod.metadata.name}]"
  cat <<YAML
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Metric
metadata:
  name: kyc-kubelet-resource-metrics
spec:
  path: /metrics/nodes/{nodeName}/metrics/resource
  metrics:
  - {name: scrape_error, kind: gauge, dimension: node, help: "1 if getting the node's metrics failed", value: "0"}
  - name: node_cpu_usage_seconds_total
    kind: counter
    dimension: node
    help: Cumulative CPU time of the node in core-seconds
    value: 'node.CumulativeUsage("cpu") + node.SinceSecond() * 0.1'
  - name: node_memory_working_set_bytes
    kind: gauge
    dimension: node
    help: Working set of the node in bytes
    value: 'node.Usage("memory") + 268435456.0'
  - name: pod_cpu_usage_seconds_total
    kind: counter
    dimension: pod
    help: Cumulative CPU time of the pod in core-seconds
    labels: $pod_labels
    value: 'pod.CumulativeUsage("cpu")'
  - name: pod_memory_working_set_bytes
    kind: gauge
    dimension: pod
    help: Working set of the pod in bytes
    labels: $pod_labels
    value: 'pod.Usage("memory")'
  - name: container_cpu_usage_seconds_total
    kind: counter
    dimension: container
    help: Cumulative CPU time of the container in core-seconds
    labels: $container_labels
    value: 'pod.CumulativeUsage("cpu", container.name)'
  - name: container_memory_working_set_bytes
    kind: gauge
    dimension: container
    help: Working set of the container in bytes
    labels: $container_labels
    value: 'pod.Usage("memory", container.name)'
YAML
}

# The emulated usage of every pod on a fake node: each container uses what the pod's annotations
# kwok.x-k8s.io/usage-cpu and kwok.x-k8s.io/usage-memory say (Kubernetes quantities), else 1m CPU and
# 16Mi of memory. A ResourceUsage named like a pod overrides this for that pod.
usage_from_annotations() {
  cat <<'YAML'
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterResourceUsage
metadata:
  name: kyc-usage-from-annotations
spec:
  usages:
  - usage:
      cpu:
        expression: >-
          "kwok.x-k8s.io/usage-cpu" in pod.metadata.annotations
          ? Quantity(pod.metadata.annotations["kwok.x-k8s.io/usage-cpu"]) : Quantity("1m")
      memory:
        expression: >-
          "kwok.x-k8s.io/usage-memory" in pod.metadata.annotations
          ? Quantity(pod.metadata.annotations["kwok.x-k8s.io/usage-memory"]) : Quantity("16Mi")
YAML
}

# metrics_server_objects ADDRESS: its RBAC, Service, Endpoints and APIService.
metrics_server_objects() {
  cat <<YAML
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: kyc:metrics-server
rules:
- apiGroups: [""]
  resources: [nodes/metrics]
  verbs: [get]
- apiGroups: [""]
  resources: [pods, nodes]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: kyc:metrics-server
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kyc:metrics-server}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: system:metrics-server}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: kyc:metrics-server:auth-delegator
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:auth-delegator}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: system:metrics-server}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: kyc:metrics-server:auth-reader
  namespace: kube-system
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: extension-apiserver-authentication-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: system:metrics-server}]
---
# Who may read pod and node metrics: whoever has view/edit/admin.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: kyc:aggregated-metrics-reader
  labels:
    rbac.authorization.k8s.io/aggregate-to-view: "true"
    rbac.authorization.k8s.io/aggregate-to-edit: "true"
    rbac.authorization.k8s.io/aggregate-to-admin: "true"
rules:
- apiGroups: [metrics.k8s.io]
  resources: [pods, nodes]
  verbs: [get, list, watch]
---
apiVersion: v1
kind: Service
metadata:
  name: metrics-server
  namespace: kube-system
spec:
  ports: [{name: https, port: 443, targetPort: $METRICS_SERVER_PORT, protocol: TCP}]
---
apiVersion: v1
kind: Endpoints
metadata:
  name: metrics-server
  namespace: kube-system
subsets:
- addresses: [{ip: "$1"}]
  ports: [{name: https, port: $METRICS_SERVER_PORT, protocol: TCP}]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1beta1.metrics.k8s.io
spec:
  group: metrics.k8s.io
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 100
  service: {namespace: kube-system, name: metrics-server, port: 443}
  caBundle: $(base64 -w0 "$PKI/ca.crt")
YAML
}

nodes_ready() {
  local ready
  ready=$(kubectl_ get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c True)
  ((ready >= FAKE_NODES))
}

down() {
  for c in metrics-server kwok scheduler controller-manager apiserver etcd; do stop_pidfile "$PIDS/$c.pid" "$c"; done
  log "cluster stopped (state kept in $CLUSTER_DIR; 'make cluster-clean' removes it)"
}

status() {
  for c in etcd apiserver controller-manager scheduler kwok metrics-server; do
    if pid_alive "$PIDS/$c.pid"; then echo "$c: running (pid $(cat "$PIDS/$c.pid"))"; else echo "$c: stopped"; fi
  done
}

clean() {
  down
  rm -rf "$CLUSTER_DIR"
  log "removed $CLUSTER_DIR"
}

# One cluster operation at a time: concurrent `make cluster` calls queue instead of racing.
lock() { mkdir -p "$RUN_DIR"; exec 8>"$RUN_DIR/cluster.lock"; flock 8; }

case ${1:-} in
  up) lock; up ;;
  down) lock; down ;;
  status) status ;;
  clean) lock; clean ;;
  kubeconfig) echo "$KUBECONFIG_PATH" ;;
  *) die "usage: $0 up|down|status|clean|kubeconfig" ;;
esac
