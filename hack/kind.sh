#!/usr/bin/env bash
# The local cluster on a host WITH Docker: kind instead of the loopback control plane + KWOK.
# `make cluster CLUSTER=kind` / `make cluster-down CLUSTER=kind`. Not runnable on machines without a
# Docker engine (this script says so and stops); the e2e suites take this cluster's kubeconfig like
# any other.
#
#   hack/kind.sh up     build kind from the Go module proxy (cached), create the cluster, write the kubeconfig
#   hack/kind.sh down   delete the cluster
source "$(dirname "$0")/lib.sh"

KIND_VERSION=${KIND_VERSION:-0.33.0}
KIND_BIN=$CACHE_DIR/kind/v$KIND_VERSION/kind
CLUSTER_NAME=${KYC_KIND_CLUSTER:-kyc-operator}
KUBECONFIG_PATH=$RUN_DIR/cluster/kubeconfig
# kind's own default node image for its release unless pinned, e.g. KIND_NODE_IMAGE=kindest/node:v1.33.<patch>
KIND_NODE_IMAGE=${KIND_NODE_IMAGE:-}

need_docker() {
  require_cmd docker "kind needs Docker; on a machine without it use plain 'make cluster' (loopback control plane + KWOK)"
  docker info >/dev/null 2>&1 || die "no Docker engine answers 'docker info'; start it, or use plain 'make cluster' (loopback control plane + KWOK)"
}

ensure_kind() {
  [[ -x $KIND_BIN ]] && return 0
  require_cmd go "install Go 1.24 or newer and re-run"
  log "building kind v$KIND_VERSION from the Go module proxy"
  mkdir -p "$(dirname "$KIND_BIN")"
  GOBIN=$(dirname "$KIND_BIN") go install "sigs.k8s.io/kind@v$KIND_VERSION" ||
    die "building kind v$KIND_VERSION failed; check that the Go module proxy is reachable and re-run"
}

up() {
  need_docker
  ensure_kind
  mkdir -p "$(dirname "$KUBECONFIG_PATH")"
  if ! "$KIND_BIN" get clusters 2>/dev/null | grep -qx "$CLUSTER_NAME"; then
    # Three workers in three zones (hack/kind.yaml), like the KWOK nodes, so that topology spread has
    # zones to use.
    "$KIND_BIN" create cluster --name "$CLUSTER_NAME" ${KIND_NODE_IMAGE:+--image "$KIND_NODE_IMAGE"} \
      --kubeconfig "$KUBECONFIG_PATH" --wait 120s --config "$HACK_DIR/kind.yaml" ||
      die "kind create cluster failed (see above); 'make cluster-down CLUSTER=kind' and re-run"
  fi
  "$KIND_BIN" export kubeconfig --name "$CLUSTER_NAME" --kubeconfig "$KUBECONFIG_PATH" >/dev/null
  log "kind cluster $CLUSTER_NAME ready"
  echo "export KUBECONFIG=$KUBECONFIG_PATH"
}

down() {
  need_docker
  ensure_kind
  "$KIND_BIN" delete cluster --name "$CLUSTER_NAME"
}

case ${1:-} in
  up) up ;;
  down) down ;;
  *) die "usage: $0 up|down" ;;
esac
