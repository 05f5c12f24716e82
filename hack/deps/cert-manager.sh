#!/usr/bin/env bash
# shellcheck shell=bash
# cert-manager for the operator's spec.tls.issuerRef test (docs/security.md, "Certificates from
# cert-manager"): a controller built from the pinned github.com/cert-manager/cert-manager (Apache-2.0) on
# the Go module proxy (hack/tools/cert-manager: upstream's cmd/controller module is not served, so a small
# main wires the same control loops), and the module's CRDs (deploy/crds) with its LICENSE beside them, both
# under $CACHE_DIR/cert-manager/$CERT_MANAGER_VERSION. The test starts the controller itself, out of the
# cluster against the local API server, and stops it after; nothing here runs a daemon.
#
# Sourced by hack/deps.sh (build_cert_manager: `make deps` and the background prebuild), or run:
#   hack/deps/cert-manager.sh   build if missing, then print the directory (bin/cert-manager-controller, crds/)
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then source "$(dirname "$0")/../lib.sh"; fi
CERT_MANAGER_DIR=$CACHE_DIR/cert-manager/$CERT_MANAGER_VERSION

# build_cert_manager: idempotent; a version already built is not built again. A subshell, so that its lock
# and trap stay its own.
build_cert_manager() (
  [[ -x $CERT_MANAGER_DIR/bin/cert-manager-controller && -f $CERT_MANAGER_DIR/crds/LICENSE ]] && exit 0
  require_cmd go "install Go 1.26 or newer and re-run"
  # One build at a time: the test waits for the background prebuild instead of racing it.
  mkdir -p "$CACHE_DIR"
  exec 9>"$CACHE_DIR/build-cert-manager.lock"
  flock 9
  [[ -x $CERT_MANAGER_DIR/bin/cert-manager-controller && -f $CERT_MANAGER_DIR/crds/LICENSE ]] && exit 0
  local tools=$HACK_DIR/tools/cert-manager
  [[ $(awk '$1 == "require" && $2 == "github.com/cert-manager/cert-manager" { print $3 }' "$tools/go.mod") == "$CERT_MANAGER_VERSION" ]] ||
    die "hack/tools/cert-manager/go.mod does not require github.com/cert-manager/cert-manager $CERT_MANAGER_VERSION (hack/versions.env); run 'go get github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION && go mod tidy' there"
  log "building the cert-manager controller $CERT_MANAGER_VERSION from the Go module proxy (cold: many minutes)"
  mkdir -p "$CERT_MANAGER_DIR"
  local tmp module
  tmp=$(mktemp -d "$CERT_MANAGER_DIR/.build.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tools" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/bin/cert-manager-controller" .) ||
    die "building the cert-manager controller failed (see the go output above); check that the Go module proxy is reachable and re-run"
  # The CRDs of the same version, from the module just downloaded (checked against go.sum).
  module=$(cd "$tools" && go list -m -f '{{.Dir}}' github.com/cert-manager/cert-manager) ||
    die "cannot find github.com/cert-manager/cert-manager in the module cache"
  mkdir -p "$tmp/crds"
  cp "$module"/deploy/crds/*.yaml "$module/LICENSE" "$tmp/crds/"
  chmod -R u+w "$tmp"
  rm -rf "$CERT_MANAGER_DIR/bin" "$CERT_MANAGER_DIR/crds"
  mv "$tmp/bin" "$tmp/crds" "$CERT_MANAGER_DIR/"
)

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  build_cert_manager
  echo "$CERT_MANAGER_DIR"
fi
