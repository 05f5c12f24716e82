#!/usr/bin/env bash
# Builds the pinned local-kms (github.com/nsmithuk/local-kms, MIT; started through hack/tools/local-kms/main.go,
# which binds it to one address) from the Go module proxy into the cache:
# the AWS KMS API on loopback for local runs and the KMS adapter's tests (docs/security.md).
# Idempotent: a binary that exists for this version is not built again.
source "$(dirname "$0")/lib.sh"

require_cmd go "install Go 1.24 or newer and re-run"

LOCAL_KMS_BIN=$CACHE_DIR/local-kms/$LOCAL_KMS_VERSION/bin
[[ -x $LOCAL_KMS_BIN/local-kms ]] && exit 0

# One build at a time: a second `make deps` waits for the first instead of racing it.
mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/build-local-kms.lock"
flock 9
[[ -x $LOCAL_KMS_BIN/local-kms ]] && exit 0

[[ $(awk '{ for (i = 1; i < NF; i++) if ($i == "github.com/nsmithuk/local-kms") print $(i + 1) }' "$HACK_DIR/tools/local-kms/go.mod") == "$LOCAL_KMS_VERSION" ]] ||
  die "hack/tools/local-kms/go.mod does not require github.com/nsmithuk/local-kms $LOCAL_KMS_VERSION (hack/versions.env); run 'go get github.com/nsmithuk/local-kms@$LOCAL_KMS_VERSION' there"
log "building local-kms $LOCAL_KMS_VERSION from the Go module proxy"
mkdir -p "$LOCAL_KMS_BIN"
(cd "$HACK_DIR/tools/local-kms" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$LOCAL_KMS_BIN/local-kms.tmp" .) ||
  die "building local-kms failed (see the go output above); check that the Go module proxy is reachable and re-run"
mv "$LOCAL_KMS_BIN/local-kms.tmp" "$LOCAL_KMS_BIN/local-kms"
