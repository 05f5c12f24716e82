#!/usr/bin/env bash
# SeaweedFS (Apache-2.0), the S3-compatible object store of the backup tests and of local backup runs
# (docs/backup.md): built from the Go module proxy into the cache, run as one `weed server -s3` on
# loopback. Sourced by hack/deps.sh (which has sourced lib.sh); it can also be run alone:
#   hack/deps/seaweedfs.sh build|up|down|status|env
# The version is SEAWEEDFS_VERSION in hack/versions.env, required by hack/tools/seaweedfs/go.mod.

SEAWEEDFS_BIN=$CACHE_DIR/seaweedfs/$SEAWEEDFS_VERSION/bin/weed
S3_PORT=${KYC_S3_PORT:-18333}
# The master, volume and filer servers listen on the next ports; each also takes its port + 10000 for gRPC.
S3_MASTER_PORT=$((S3_PORT + 1))
S3_VOLUME_PORT=$((S3_PORT + 2))
S3_FILER_PORT=$((S3_PORT + 3))

seaweedfs_build() {
  [[ -x $SEAWEEDFS_BIN ]] && return 0
  require_cmd go "install Go 1.26 or newer and re-run"
  [[ $(awk '$1 == "github.com/seaweedfs/seaweedfs" {print $2}' "$HACK_DIR/tools/seaweedfs/go.mod") == "$SEAWEEDFS_VERSION" ]] ||
    die "hack/tools/seaweedfs/go.mod does not require github.com/seaweedfs/seaweedfs $SEAWEEDFS_VERSION (hack/versions.env); run 'go get -tool github.com/seaweedfs/seaweedfs/weed@$SEAWEEDFS_VERSION' there"
  mkdir -p "$CACHE_DIR"
  (
    exec 7>"$CACHE_DIR/seaweedfs-build.lock"
    flock 7
    [[ -x $SEAWEEDFS_BIN ]] && exit 0
    log "building SeaweedFS $SEAWEEDFS_VERSION from the Go module proxy (cold: ~45 min on 2 busy cores, plus ~2 min of module downloads)"
    mkdir -p "$(dirname "$SEAWEEDFS_BIN")"
    (cd "$HACK_DIR/tools/seaweedfs" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$SEAWEEDFS_BIN.tmp" github.com/seaweedfs/seaweedfs/weed) ||
      die "building SeaweedFS failed (see the go output above); check that the Go module proxy is reachable and re-run"
    mv "$SEAWEEDFS_BIN.tmp" "$SEAWEEDFS_BIN"
  )
}

# The S3 credentials: made once, kept beside the data.
seaweedfs_keys() {
  local f=$DEPS_DIR/seaweedfs/keys
  if [[ ! -s $f ]]; then
    mkdir -p "$DEPS_DIR/seaweedfs"
    (umask 077 && printf '%s %s\n' "kyc$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
      "$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" >"$f")
  fi
  cat "$f"
}

seaweedfs_up() {
  seaweedfs_build
  if pid_alive "$PIDS/seaweedfs.pid"; then return 0; fi
  for p in "$S3_PORT" "$S3_MASTER_PORT" "$S3_VOLUME_PORT" "$S3_FILER_PORT"; do
    port_free "$p" || die "port $p (SeaweedFS) is in use by another process; stop it or set KYC_S3_PORT, then re-run"
  done
  local dir=$DEPS_DIR/seaweedfs access secret
  read -r access secret < <(seaweedfs_keys)
  mkdir -p "$dir/data" "$LOGS" "$PIDS"
  (umask 077 && printf '{"identities":[{"name":"kyc","credentials":[{"accessKey":"%s","secretKey":"%s"}],"actions":["Admin","Read","Write","List","Tagging"]}]}\n' \
    "$access" "$secret" >"$dir/s3.json")
  start_daemon seaweedfs "$PIDS/seaweedfs.pid" "$LOGS/seaweedfs.log" "$SEAWEEDFS_BIN" server -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -dir="$dir/data" -master.port="$S3_MASTER_PORT" -volume.port="$S3_VOLUME_PORT" -filer.port="$S3_FILER_PORT" \
    -master.volumeSizeLimitMB=64 -volume.max=0 -s3 -s3.port="$S3_PORT" -s3.config="$dir/s3.json"
  wait_for 90 seaweedfs seaweedfs_ready || { tail -15 "$LOGS/seaweedfs.log" >&2; die "SeaweedFS S3 did not answer in 90 s (log $LOGS/seaweedfs.log)"; }
}

# Ready when the S3 endpoint answers an anonymous request (403: it runs and checks credentials).
seaweedfs_ready() {
  pid_alive "$PIDS/seaweedfs.pid" || return 1
  [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$S3_PORT/") =~ ^(200|403)$ ]]
}

seaweedfs_down() { stop_pidfile "$PIDS/seaweedfs.pid" seaweedfs group; }

seaweedfs_status() {
  if pid_alive "$PIDS/seaweedfs.pid"; then echo "seaweedfs: running (pid $(cat "$PIDS/seaweedfs.pid"))"; else echo "seaweedfs: stopped"; fi
}

# The settings of the backup program and its tests (docs/backup.md).
seaweedfs_env() {
  local access secret
  read -r access secret < <(seaweedfs_keys)
  printf 'S3_ENDPOINT=http://127.0.0.1:%s\nS3_ACCESS_KEY_ID=%s\nS3_SECRET_ACCESS_KEY=%s\n' "$S3_PORT" "$access" "$secret"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  source "$(dirname "$0")/../lib.sh"
  DEPS_DIR=$RUN_DIR/deps PIDS=$RUN_DIR/deps/pids LOGS=$RUN_DIR/deps/logs
  SEAWEEDFS_BIN=$CACHE_DIR/seaweedfs/$SEAWEEDFS_VERSION/bin/weed
  case ${1:-} in
    build) seaweedfs_build ;;
    up) seaweedfs_up ;;
    down) seaweedfs_down ;;
    status) seaweedfs_status ;;
    env) seaweedfs_env ;;
    *) die "usage: $0 build|up|down|status|env" ;;
  esac
fi
