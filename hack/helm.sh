#!/usr/bin/env bash
# The pinned Helm CLI, built from the Go module proxy (hack/tools/helm/go.mod names the version) into
# $CACHE_DIR/helm/<version>/bin/helm. Idempotent and safe to run concurrently (flock): an existing
# binary is not built again. The chart needs no sync step: its CRD and RBAC files are links into
# crds/ and operator/deploy/.
#   hack/helm.sh path        build if needed, print the binary's path
#   hack/helm.sh ARGS...     build if needed, run helm ARGS...
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

HELM_MOD_DIR=$HACK_DIR/tools/helm
HELM_VERSION=$(awk '$1 == "helm.sh/helm/v3" { print $2; exit }' "$HELM_MOD_DIR/go.mod")
[[ -n $HELM_VERSION ]] || die "no helm.sh/helm/v3 version in $HELM_MOD_DIR/go.mod"
HELM_BIN=$CACHE_DIR/helm/$HELM_VERSION/bin/helm

build_helm() {
  [[ -x $HELM_BIN ]] && return 0
  require_cmd go "install Go 1.24 or newer and re-run"
  mkdir -p "$CACHE_DIR"
  exec 9>"$CACHE_DIR/helm.lock"
  flock 9
  [[ -x $HELM_BIN ]] && return 0 # built by whoever held the lock before us
  log "building helm $HELM_VERSION from the Go module proxy (cold: a few minutes on 2 cores)"
  mkdir -p "$(dirname "$HELM_BIN")"
  local ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  (cd "$HELM_MOD_DIR" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$HELM_BIN.tmp" helm.sh/helm/v3/cmd/helm) ||
    die "building helm failed (see the go output above); check that the Go module proxy is reachable and re-run"
  mv "$HELM_BIN.tmp" "$HELM_BIN"
  exec 9>&-
}

case ${1:-} in
  path)
    build_helm
    echo "$HELM_BIN"
    ;;
  *)
    build_helm
    exec "$HELM_BIN" "$@"
    ;;
esac
