#!/usr/bin/env bash
# Builds the real node's own Go programs from the Go module proxy into the cache: CoreDNS (the plugins
# the node needs, see tools/coredns/main.go) and kube-network-policies (tools/kube-network-policies).
# Idempotent: an existing binary for the pinned version is kept.
source "$(dirname "$0")/common.sh"

[[ -x $COREDNS_BIN && -x $KNP_BIN ]] && exit 0
require_cmd go "install Go 1.25 or newer and re-run"

build_coredns() {
  [[ -x $COREDNS_BIN ]] && return 0
  mkdir -p "$(dirname "$COREDNS_BIN")"
  log "building CoreDNS v$COREDNS_VERSION from the Go module proxy (cold: ~5 min on 2 cores)"
  (cd "$HACK_DIR/node/tools/coredns" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$COREDNS_BIN.tmp" .) ||
    die "building CoreDNS failed (see the go output above); check that the Go module proxy is reachable and re-run"
  mv "$COREDNS_BIN.tmp" "$COREDNS_BIN"
}

build_knp() {
  [[ -x $KNP_BIN ]] && return 0
  local mod=$HACK_DIR/node/tools/kube-network-policies
  [[ $(awk '$1 == "sigs.k8s.io/kube-network-policies" {print $2}' "$mod/go.mod") == "v$KNP_VERSION" ]] ||
    die "hack/node/tools/kube-network-policies/go.mod does not require sigs.k8s.io/kube-network-policies v$KNP_VERSION (KNP_VERSION in hack/node/common.sh); run 'go get sigs.k8s.io/kube-network-policies@v$KNP_VERSION' there"
  mkdir -p "$(dirname "$KNP_BIN")"
  log "building kube-network-policies v$KNP_VERSION from the Go module proxy (cold: ~2 min on 2 cores)"
  (cd "$mod" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$KNP_BIN.tmp" .) ||
    die "building kube-network-policies failed (see the go output above); check that the Go module proxy is reachable and re-run"
  mv "$KNP_BIN.tmp" "$KNP_BIN"
}

exec 9>"$CACHE_DIR/build-node.lock"
flock 9
build_coredns
build_knp
