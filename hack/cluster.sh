#!/usr/bin/env bash
# The local Kubernetes cluster: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and the
# KWOK controller with fake nodes, all on loopback, run from binaries built by hack/build-tools.sh.
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
FAKE_NODES=${KYC_FAKE_NODES:-3}
# The HPA controller's sync period; tests and benchmarks of scaling reaction time read it from here.
HPA_SYNC_PERIOD=${KYC_HPA_SYNC_PERIOD:-15s}
SERVICE_CIDR=10.96.0.0/16

kubeconfig() { # kubeconfig FILE USER
  kubeconfig_yaml "$2" "$PKI" "$PKI/ca.crt" "https://127.0.0.1:$APISERVER_PORT" >"$1"
}

kubectl_() { "$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_PATH" "$@"; }

# ensure_port_ours NAME PORT: a port held by something other than our live process is a clear failure.
ensure_port_ours() {
  local name=$1 port=$2
  pid_alive "$PIDS/$name.pid" && return 0
  port_free "$port" || die "port $port (for $name) is already in use by another process; stop it (ss -ltnp | grep :$port) or set KYC_${name^^}_PORT, then re-run"
}

start() { # start NAME PORT CMD...
  local name=$1 port=$2; shift 2
  if pid_alive "$PIDS/$name.pid"; then return 0; fi
  ensure_port_ours "$name" "$port"
  start_daemon "$name" "$PIDS/$name.pid" "$LOGS/$name.log" "$@"
}

# fail_with_log NAME WHAT: prints the tail of a component's log with a clear message and exits.
fail_with_log() {
  echo "--- last lines of $LOGS/$1.log ---" >&2
  tail -n 15 "$LOGS/$1.log" >&2 || true
  die "$2; run 'make cluster-down && make cluster' to start over"
}

up() {
  WITH_NODE=0 "$HACK_DIR/build-tools.sh"
  "$HACK_DIR/pki.sh" "$PKI"
  mkdir -p "$LOGS" "$PIDS" "$CLUSTER_DIR/etcd"
  for c in admin controller-manager scheduler kwok; do kubeconfig "$CLUSTER_DIR/$c.kubeconfig" "$c"; done
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

  start kwok "$KWOK_PORT" "$KWOK_BIN/kwok" --kubeconfig "$CLUSTER_DIR/kwok.kubeconfig" \
    --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --node-lease-duration-seconds 40 --server-address "127.0.0.1:$KWOK_PORT"

  wait_for 30 controller-manager curl -fsSk "https://127.0.0.1:$CM_PORT/healthz" ||
    fail_with_log controller-manager "kube-controller-manager did not become healthy in 30 s"
  wait_for 30 scheduler curl -fsSk "https://127.0.0.1:$SCHED_PORT/healthz" ||
    fail_with_log scheduler "kube-scheduler did not become healthy in 30 s"

  fake_nodes | kubectl_ apply -f - >/dev/null || die "could not create the fake nodes"
  wait_for 60 nodes nodes_ready || fail_with_log kwok "the fake nodes did not become Ready in 60 s"
  # The default ServiceAccount must exist before pods can be created in a namespace.
  wait_for 30 serviceaccounts kubectl_ -n default get serviceaccount default ||
    fail_with_log controller-manager "the default ServiceAccount was not created in 30 s"

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

nodes_ready() {
  local ready
  ready=$(kubectl_ get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c True)
  ((ready >= FAKE_NODES))
}

down() {
  for c in kwok scheduler controller-manager apiserver etcd; do stop_pidfile "$PIDS/$c.pid" "$c"; done
  log "cluster stopped (state kept in $CLUSTER_DIR; 'make cluster-clean' removes it)"
}

status() {
  for c in etcd apiserver controller-manager scheduler kwok; do
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
