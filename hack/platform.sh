#!/usr/bin/env bash
# The five KYC services and the web app's frontend as local processes on loopback, against the
# dependencies of `make deps`.
#
#   hack/platform.sh up      start (idempotent) gateway, auth, kyc (PLATFORM_KYC_REPLICAS instances),
#                            notification, analytics and frontend (dist/web) from dist/ (run `make build`
#                            first); prints the URL
#   hack/platform.sh down    stop them (SIGTERM: graceful drain)
#   hack/platform.sh status
#
# Ports: PLATFORM_PORT (default 18400) is the gateway; auth +1, notification +2, analytics +3, frontend +4,
# kyc instances +10, +11, ...; each service's metrics port (/metrics, /health) is its port + 100.
# State (generated secrets, pids, logs) lives in $RUN_DIR/platform.
source "$(dirname "$0")/lib.sh"

DIR=$RUN_DIR/platform
PIDS=$DIR/pids
LOGS=$DIR/logs
BASE=${PLATFORM_PORT:-18400}
KYC_REPLICAS=${PLATFORM_KYC_REPLICAS:-2}
NODE=$("$HACK_DIR/ensure-node.sh")/node
ENTRY=$REPO_DIR/dist/workloads/main.js

secret() { # secret NAME BYTES [hex]: random, base64 (or hex), made once and kept (mode 600)
  local f=$DIR/$1
  if [[ ! -s $f ]]; then
    mkdir -p "$DIR"
    if [[ ${3:-} == hex ]]; then (umask 077 && head -c "$2" /dev/urandom | od -An -tx1 | tr -d ' \n' >"$f")
    else (umask 077 && head -c "$2" /dev/urandom | base64 | tr -d '\n' >"$f"); fi
  fi
  cat "$f"
}

signing_keys() { # signing_keys NAME: an Ed25519 token-signing key ring (kid:base64 PKCS#8 DER), made once, mode 600
  local f=$DIR/$1 key
  if [[ ! -s $f ]]; then
    mkdir -p "$DIR"
    command -v openssl >/dev/null || die "openssl is needed to make the token-signing key (apt-get install openssl)"
    key=$(openssl genpkey -algorithm ed25519 -outform DER | base64 | tr -d '\n') && [[ -n $key ]] || die "could not make an Ed25519 key"
    (umask 077 && printf 'k1:%s' "$key" >"$f")
  fi
  cat "$f"
}

services() { # name port component
  echo "auth $((BASE + 1)) auth"
  for i in $(seq 0 $((KYC_REPLICAS - 1))); do echo "kyc-$i $((BASE + 10 + i)) kyc"; done
  echo "notification $((BASE + 2)) notification"
  echo "analytics $((BASE + 3)) analytics"
  echo "frontend $((BASE + 4)) frontend"
  echo "gateway $BASE gateway"
}

up() {
  [[ -f $ENTRY ]] || die "$ENTRY is missing; run make build first"
  [[ -f $RUN_DIR/deps/env ]] || die "the dependencies are not set up; run make deps first"
  mkdir -p "$PIDS" "$LOGS"
  local env_file=$RUN_DIR/deps/env database_url redis_url kafka_brokers
  database_url=$(grep '^DATABASE_URL=' "$env_file" | cut -d= -f2-)
  redis_url=$(grep '^REDIS_URL=' "$env_file" | cut -d= -f2-)
  kafka_brokers=$(grep '^KAFKA_BROKERS=' "$env_file" | cut -d= -f2-)
  # A database of its own, so the platform never mixes with test databases.
  local platform_url=${database_url%/*}/kyc_platform
  psql "$database_url" -tAc "SELECT 1 FROM pg_database WHERE datname = 'kyc_platform'" | grep -q 1 ||
    psql "$database_url" -qc 'CREATE DATABASE kyc_platform' || die "could not create the kyc_platform database"
  local signing_keys pii admin_password kyc_urls=()
  signing_keys=$(signing_keys token-signing-keys)
  pii=$(secret pii-key 32)
  admin_password=$(secret admin-password-hex 16 hex)
  for i in $(seq 0 $((KYC_REPLICAS - 1))); do kyc_urls+=("http://127.0.0.1:$((BASE + 10 + i))"); done
  local common=(
    "KYC_PLATFORM=local" "KYC_VERSION=${KYC_VERSION:-0.1.0-local}" "LOG_LEVEL=${LOG_LEVEL:-info}" "HOST=127.0.0.1"
    "DATABASE_URL=$platform_url" "REDIS_URL=$redis_url" "KAFKA_BROKERS=$kafka_brokers"
    "KAFKA_TOPIC_PREFIX=platform." "REDIS_KEY_PREFIX=platform:" "PII_ENCRYPTION_KEYS=k1:$pii" "AUTH_JWKS_URL=http://127.0.0.1:$((BASE + 1))/.well-known/jwks.json"
    "ADMIN_EMAIL=admin@kyc.local" "ADMIN_PASSWORD=$admin_password"
    "UPSTREAM_AUTH=http://127.0.0.1:$((BASE + 1))" "UPSTREAM_KYC=$(IFS=,; echo "${kyc_urls[*]}")"
    "UPSTREAM_NOTIFICATION=http://127.0.0.1:$((BASE + 2))" "UPSTREAM_ANALYTICS=http://127.0.0.1:$((BASE + 3))"
    "UPSTREAM_FRONTEND=http://127.0.0.1:$((BASE + 4))"
    "LB_STRATEGY=${LB_STRATEGY:-round-robin}" "RATE_LIMIT_REQUESTS=${RATE_LIMIT_REQUESTS:-600}"
  )
  local name port component
  while read -r name port component; do
    if pid_alive "$PIDS/$name.pid"; then continue; fi
    port_free "$port" || die "port $port ($name) is in use; stop it or set PLATFORM_PORT"
    # The cache path of the node binary in the command line lets pid_alive recognise our processes.
    # Only auth holds the token-signing keys; the others verify with its JWKS (AUTH_JWKS_URL).
    local own=() shared=("${common[@]}")
    [[ $component == auth ]] && own=("AUTH_SIGNING_KEYS=$signing_keys")
    # The frontend serves static files: no store, key or password of the others reaches it.
    [[ $component == frontend ]] && shared=("${common[@]:0:4}")
    start_daemon "$name" "$PIDS/$name.pid" "$LOGS/$name.log" env "${shared[@]}" "${own[@]}" "PORT=$port" "METRICS_PORT=$((port + 100))" "KYC_COMPONENT=$component" "$NODE" "$ENTRY" "$component"
    # The first auth/kyc start runs migrations; later ones wait on the advisory lock, so start in order.
    wait_for 60 "$name ready" curl -fsS "http://127.0.0.1:$port/ready" ||
      { tail -20 "$LOGS/$name.log" >&2; die "$name did not become ready (log $LOGS/$name.log)"; }
  done < <(services)
  cat <<MSG

The KYC platform runs on loopback:
  gateway       http://127.0.0.1:$BASE/api/v1   (OpenAPI: http://127.0.0.1:$BASE/api/v1/openapi.json)
  web app       http://127.0.0.1:$BASE/
  admin         admin@kyc.local / password in $DIR/admin-password-hex
  logs          $LOGS/<service>.log      stop with: make platform-down
Try:
  curl -s -X POST http://127.0.0.1:$BASE/api/v1/auth/register -H 'content-type: application/json' \\
       -d '{"email":"asha@example.com","password":"a-long-password"}'
MSG
  echo "GATEWAY_URL=http://127.0.0.1:$BASE"
}

down() {
  local name _port _component
  # The gateway first, so no request reaches a stopped service.
  while read -r name _port _component; do stop_pidfile "$PIDS/$name.pid" "$name"; done < <(services | tac)
}

status() {
  local name port _component
  while read -r name port _component; do
    if pid_alive "$PIDS/$name.pid"; then echo "$name: running (pid $(cat "$PIDS/$name.pid"), port $port)"; else echo "$name: stopped"; fi
  done < <(services)
}

case ${1:-} in
  up) up ;;
  down) down ;;
  status) status ;;
  *) die "usage: $0 up|down|status" ;;
esac
