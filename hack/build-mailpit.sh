#!/usr/bin/env bash
# Builds the pinned Mailpit (github.com/axllent/mailpit, MIT) from the Go module proxy into the cache: an
# SMTP server with an HTTP API that the notification service's e-mail tests read the delivered mail from
# (docs/notifications.md).
# Idempotent: a binary that exists for this version is not built again.
source "$(dirname "$0")/lib.sh"

require_cmd go "install Go 1.24 or newer and re-run"

MAILPIT_BIN=$CACHE_DIR/mailpit/$MAILPIT_VERSION/bin
[[ -x $MAILPIT_BIN/mailpit ]] && exit 0

# One build at a time: a second `make deps` waits for the first instead of racing it.
mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/build-mailpit.lock"
flock 9
[[ -x $MAILPIT_BIN/mailpit ]] && exit 0

# `go install module@version` builds with the module's own go.mod and go.sum (no replace directives in
# it), checked against the checksum database like every module download.
log "building mailpit $MAILPIT_VERSION from the Go module proxy (cold: a few minutes)"
mkdir -p "$MAILPIT_BIN"
tmp=$(mktemp -d "$MAILPIT_BIN/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
GOFLAGS= GOBIN=$tmp CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" "github.com/axllent/mailpit@$MAILPIT_VERSION" ||
  die "building mailpit failed (see the go output above); check that the Go module proxy is reachable and re-run"
mv "$tmp/mailpit" "$MAILPIT_BIN/mailpit"
