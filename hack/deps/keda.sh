#!/usr/bin/env bash
# shellcheck shell=bash
# KEDA for the provider-keda integration test (docs/autoscaling.md, "Living beside KEDA and
# prometheus-adapter"): its operator and its metrics API server (the adapter), built from the pinned
# github.com/kedacore/keda/v2 (Apache-2.0) on the Go module proxy as tools of hack/tools/keda (a
# `go install …@version` is refused: KEDA's go.mod has a replace directive, copied there), and the CRDs of
# the same release (config/crd/bases) with its LICENSE beside them, all under $CACHE_DIR/keda/$KEDA_VERSION.
# The test starts both processes itself, out of the cluster against the local API server, and stops them
# after; nothing here runs a daemon.
#
# Sourced by hack/deps.sh (build_keda: the background prebuild), or run:
#   hack/deps/keda.sh   build if missing, then print the directory (bin/keda-operator, bin/keda-adapter, crds/)
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then source "$(dirname "$0")/../lib.sh"; fi
KEDA_DIR=$CACHE_DIR/keda/$KEDA_VERSION

keda_built() { [[ -x $KEDA_DIR/bin/keda-operator && -x $KEDA_DIR/bin/keda-adapter && -f $KEDA_DIR/crds/LICENSE ]]; }

# build_keda: idempotent; a version already built is not built again. A subshell, so that its lock and
# trap stay its own.
build_keda() (
  keda_built && exit 0
  require_cmd go "install Go 1.26 or newer and re-run"
  # One build at a time: the test waits for the background prebuild instead of racing it.
  mkdir -p "$CACHE_DIR"
  exec 9>"$CACHE_DIR/build-keda.lock"
  flock 9
  keda_built && exit 0
  local tools=$HACK_DIR/tools/keda
  # The module is a tool's, so tidy lists it in the require block (// indirect), not on a require line of its own.
  [[ $(awk '$1 == "github.com/kedacore/keda/v2" { print $2 }' "$tools/go.mod") == "$KEDA_VERSION" ]] ||
    die "hack/tools/keda/go.mod does not require github.com/kedacore/keda/v2 $KEDA_VERSION (hack/versions.env); run 'go get github.com/kedacore/keda/v2@$KEDA_VERSION && go mod tidy' there"
  log "building KEDA $KEDA_VERSION (operator and metrics API server) from the Go module proxy (cold: ~35 min on 2 busy cores)"
  mkdir -p "$KEDA_DIR"
  local tmp module
  tmp=$(mktemp -d "$KEDA_DIR/.build.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  # Both in one go build: they share almost every package (every scaler's client).
  (cd "$tools" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/bin/" \
    github.com/kedacore/keda/v2/cmd/operator github.com/kedacore/keda/v2/cmd/adapter) ||
    die "building KEDA failed (see the go output above); check that the Go module proxy is reachable and re-run"
  mv "$tmp/bin/operator" "$tmp/bin/keda-operator"
  mv "$tmp/bin/adapter" "$tmp/bin/keda-adapter"
  # The CRDs of the same version, from the module just downloaded (checked against go.sum).
  module=$(cd "$tools" && go list -m -f '{{.Dir}}' github.com/kedacore/keda/v2) ||
    die "cannot find github.com/kedacore/keda/v2 in the module cache"
  mkdir -p "$tmp/crds"
  cp "$module"/config/crd/bases/*.yaml "$module/LICENSE" "$tmp/crds/"
  chmod -R u+w "$tmp"
  rm -rf "$KEDA_DIR/bin" "$KEDA_DIR/crds"
  mv "$tmp/bin" "$tmp/crds" "$KEDA_DIR/"
)

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  build_keda
  echo "$KEDA_DIR"
fi
