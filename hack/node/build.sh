#!/usr/bin/env bash
# Builds CoreDNS (the plugins the real node needs, see tools/coredns/main.go) from the Go module proxy
# into the cache. Idempotent: an existing binary for the pinned version is kept.
source "$(dirname "$0")/common.sh"

[[ -x $COREDNS_BIN ]] && exit 0
require_cmd go "install Go 1.25 or newer and re-run"
mkdir -p "$(dirname "$COREDNS_BIN")"
exec 9>"$CACHE_DIR/build-coredns.lock"
flock 9
[[ -x $COREDNS_BIN ]] && exit 0
log "building CoreDNS v$COREDNS_VERSION from the Go module proxy (cold: ~5 min on 2 cores)"
(cd "$HACK_DIR/node/tools/coredns" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$COREDNS_BIN.tmp" .) ||
  die "building CoreDNS failed (see the go output above); check that the Go module proxy is reachable and re-run"
mv "$COREDNS_BIN.tmp" "$COREDNS_BIN"
