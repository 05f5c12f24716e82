#!/usr/bin/env bash
# Builds the pinned Kubernetes binaries, etcd, KWOK and metrics-server from the Go module proxy into the
# cache.
# Idempotent: a binary that exists for this version is not built again.
source "$(dirname "$0")/lib.sh"

require_cmd go "install Go 1.24 or newer and re-run"

# One build at a time: a second `make cluster` waits for the first instead of racing it.
mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/build-tools.lock"
flock 9

build_k8s() {
  local want=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd) missing=()
  [[ ${WITH_NODE:-0} == 1 ]] && want+=(kubelet kube-proxy)
  for b in "${want[@]}"; do [[ -x $K8S_BIN/$b ]] || missing+=("$b"); done
  ((${#missing[@]})) || return 0
  log "building ${missing[*]} v$K8S_VERSION from the Go module proxy (cold: ~15 min on 2 cores)"
  mkdir -p "$K8S_BIN"
  local pkg ldflags minor=${K8S_VERSION#*.}; minor=${minor%%.*}
  local vpkgs=(k8s.io/component-base/version k8s.io/client-go/pkg/version)
  ldflags="-s -w"
  for p in "${vpkgs[@]}"; do
    ldflags+=" -X $p.gitVersion=v$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    ldflags+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  for b in "${missing[@]}"; do
    case $b in
      etcd) pkg=go.etcd.io/etcd/server/v3 ;;
      *) pkg=k8s.io/kubernetes/cmd/$b ;;
    esac
    log "  go build $pkg"
    (cd "$HACK_DIR/tools/k8s" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$K8S_BIN/$b.tmp" "$pkg") ||
      die "building $b failed (see the go output above); check that the Go module proxy is reachable and re-run"
    mv "$K8S_BIN/$b.tmp" "$K8S_BIN/$b"
  done
}

build_kwok() {
  [[ -x $KWOK_BIN/kwok ]] && return 0
  log "building kwok v$KWOK_VERSION from the Go module proxy"
  mkdir -p "$KWOK_BIN"
  (cd "$HACK_DIR/tools/kwok" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$KWOK_BIN/kwok.tmp" sigs.k8s.io/kwok/cmd/kwok) ||
    die "building kwok failed (see the go output above); check that the Go module proxy is reachable and re-run"
  mv "$KWOK_BIN/kwok.tmp" "$KWOK_BIN/kwok"
}

# metrics-server (the Resource metrics API: CPU/memory of pods and nodes for the HPA and `kubectl top`).
build_metrics_server() {
  local bin=$CACHE_DIR/metrics-server/v$METRICS_SERVER_VERSION/bin
  [[ -x $bin/metrics-server ]] && return 0
  [[ $(awk '$1 == "sigs.k8s.io/metrics-server" {print $2}' "$HACK_DIR/tools/metrics-server/go.mod") == "v$METRICS_SERVER_VERSION" ]] ||
    die "hack/tools/metrics-server/go.mod does not require sigs.k8s.io/metrics-server v$METRICS_SERVER_VERSION (hack/versions.env); run 'go get -tool sigs.k8s.io/metrics-server/cmd/metrics-server@v$METRICS_SERVER_VERSION' there"
  log "building metrics-server v$METRICS_SERVER_VERSION from the Go module proxy (cold: 8-25 min on 2 cores under load)"
  mkdir -p "$bin"
  local p=k8s.io/client-go/pkg/version
  (cd "$HACK_DIR/tools/metrics-server" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X $p.gitVersion=v$METRICS_SERVER_VERSION -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z" \
    -o "$bin/metrics-server.tmp" sigs.k8s.io/metrics-server/cmd/metrics-server) ||
    die "building metrics-server failed (see the go output above); check that the Go module proxy is reachable and re-run"
  mv "$bin/metrics-server.tmp" "$bin/metrics-server"
}

build_k8s
build_kwok
build_metrics_server
