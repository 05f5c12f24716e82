# shellcheck shell=bash
# shellcheck disable=SC2034 # settings used by the other files of hack/cluster
# The local cluster's settings and the helpers every part of it uses (sourced by hack/cluster.sh after
# hack/lib.sh). Each port can be moved with its KYC_*_PORT variable (docs/development.md).

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
# The manifests applied by the parts of the cluster (rendered by lib.sh's render).
CLUSTER_TEMPLATES=$HACK_DIR/cluster

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

# fail_with_log NAME WHAT: prints the tail of a component's log with a clear message and exits.
fail_with_log() {
  echo "--- last lines of $LOGS/$1.log ---" >&2
  tail -n 15 "$LOGS/$1.log" >&2 || true
  die "$2 (log: $LOGS/$1.log); run 'make cluster-down && make cluster' to start over"
}
