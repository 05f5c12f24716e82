#!/usr/bin/env bash
# The local Kubernetes cluster: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, the
# KWOK controller with fake nodes and metrics-server, run on this host from binaries built by
# hack/build-tools.sh (everything on loopback except metrics-server, which listens on the host's
# address because the aggregator reaches it through Endpoints, and Endpoints refuse loopback).
#
#   hack/cluster.sh up      start whatever is not running (idempotent), wait until Ready
#   hack/cluster.sh down    stop every process this script started
#   hack/cluster.sh status  show each component
#   hack/cluster.sh clean   stop it and delete its state
#   hack/cluster.sh stop|kill|start apiserver   only the API server (the chaos suite, docs/benchmarks.md
#                           "Chaos"): stop is graceful, kill a crash, start waits until it is ready;
#                           each does nothing when already done
#
# One file per part under hack/cluster/ (settings and helpers in common.sh), with the manifests it
# applies beside it. State lives in $RUN_DIR/cluster (certificates, etcd data, logs, pid files,
# kubeconfig).
source "$(dirname "$0")/lib.sh"
for part in common certs etcd apiserver controllers kwok metrics-server; do
  # shellcheck source=/dev/null # one file per part of the cluster
  source "$HACK_DIR/cluster/$part.sh"
done

up() {
  WITH_NODE=0 "$HACK_DIR/build-tools.sh"
  certs_up
  etcd_up
  apiserver_up
  controllers_start
  kwok_up
  controllers_wait
  fake_nodes_up
  default_serviceaccount_wait
  metrics_server_up

  log "cluster ready: $(kubectl_ get nodes --no-headers | wc -l) nodes, server $("$K8S_BIN/kubectl" version --kubeconfig "$KUBECONFIG_PATH" -o json | sed -n 's/.*"gitVersion": "\(v[^"]*\)".*/\1/p' | tail -1)"
  echo "export KUBECONFIG=$KUBECONFIG_PATH"
  echo "export PATH=$K8S_BIN:\$PATH   # kubectl v$K8S_VERSION"
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

# apiserver_only stop|kill|start: the API server alone, the rest of the cluster left running.
apiserver_only() {
  case $1 in
    stop) stop_pidfile "$PIDS/apiserver.pid" apiserver ;;
    kill)
      if pid_alive "$PIDS/apiserver.pid"; then
        local pid; pid=$(cat "$PIDS/apiserver.pid")
        log "killing apiserver (pid $pid)"
        kill -KILL "$pid" 2>/dev/null || true
        for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      fi
      rm -f "$PIDS/apiserver.pid" ;;
    start) apiserver_up ;;
  esac
}

# One cluster operation at a time: concurrent `make cluster` calls queue instead of racing.
lock() { mkdir -p "$RUN_DIR"; exec 8>"$RUN_DIR/cluster.lock"; flock 8; }

case ${1:-} in
  up) lock; up ;;
  down) lock; down ;;
  status) status ;;
  clean) lock; clean ;;
  kubeconfig) echo "$KUBECONFIG_PATH" ;;
  stop | kill | start)
    [[ ${2:-} == apiserver ]] || die "usage: $0 $1 apiserver (only the API server is stopped or started alone)"
    lock; apiserver_only "$1" ;;
  *) die "usage: $0 up|down|status|clean|kubeconfig|stop apiserver|kill apiserver|start apiserver" ;;
esac
