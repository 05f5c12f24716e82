#!/usr/bin/env bash
# The platform's dependencies on loopback: PostgreSQL and Redis from Debian packages, Apache Kafka
# (KRaft, one node) from its jars on Maven Central, local-kms from the Go module proxy (hack/deps/kms.sh),
# Mailpit (SMTP and its API, for the notification e-mail tests) likewise (hack/deps/mailpit.sh), and
# SeaweedFS (the S3 server of the backup tests, docs/backup.md) likewise (hack/deps/seaweedfs.sh), and
# Jaeger (OTLP in, the trace store of the tracing tests, docs/observability.md) likewise (hack/deps/jaeger.sh).
#
#   hack/deps.sh up      install what is missing, start what is not running, wait until healthy
#   hack/deps.sh down    stop them
#   hack/deps.sh env     print the connection settings (DATABASE_URL, REDIS_URL, KAFKA_BROKERS, and the
#                        per-service URLs of hack/deps/roles.sh: DATABASE_URL_<COMPONENT>, REDIS_URL_<COMPONENT>, ...)
#   hack/deps.sh status
#   hack/deps.sh prebuild   start the cold Go builds in the background (make test does, before lint)
#   hack/deps.sh stop|kill|start NAME   one of postgres, redis, kafka, kms, jaeger (the chaos suite, docs/benchmarks.md
#                                       "Chaos"): stop is graceful, kill a crash; both do nothing when it
#                                       is stopped already, start nothing when it runs
#
# The configuration files of Redis and Kafka and the connection settings are rendered from hack/deps/.
# Data, logs and pid files live in $RUN_DIR/deps. PostgreSQL runs as the `postgres` user when this
# script runs as root; its data then lives in /var/lib/kyc-operator (a home directory like /root is
# not readable by that user).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deps/roles.sh"
source "$(dirname "$0")/deps/kms.sh"
source "$(dirname "$0")/deps/mailpit.sh"
source "$(dirname "$0")/deps/seaweedfs.sh"
source "$(dirname "$0")/deps/jaeger.sh"
source "$(dirname "$0")/deps/cert-manager.sh"
source "$(dirname "$0")/deps/keda.sh"

DEPS_DIR=$RUN_DIR/deps
PIDS=$DEPS_DIR/pids
LOGS=$DEPS_DIR/logs
PG_PORT=${KYC_PG_PORT:-15432}
REDIS_PORT=${KYC_REDIS_PORT:-16379}
KAFKA_PORT=${KYC_KAFKA_PORT:-19092}
KAFKA_CONTROLLER_PORT=$((KAFKA_PORT + 1))
# Pods on the real node reach Kafka through a forwarder on the node bridge (hack/node); the broker
# advertises that address on a listener of its own so that host clients keep using 127.0.0.1.
KAFKA_POD_PORT=$((KAFKA_PORT + 2))
KAFKA_POD_ADDRESS=${KYC_KAFKA_POD_ADDRESS:-10.244.128.1}
PG_BIN=/usr/lib/postgresql/15/bin
KAFKA_LIBS=$CACHE_DIR/kafka/$KAFKA_VERSION/libs
ENV_FILE=$DEPS_DIR/env
# TLS beside plaintext on all three stores (hack/deps/tls.sh): it needs the ports above.
source "$(dirname "$0")/deps/tls.sh"
# SCRAM users and ACLs per service on Kafka (hack/deps/kafka-sasl.sh): it needs KAFKA_PORT.
source "$(dirname "$0")/deps/kafka-sasl.sh"

if [[ $(id -u) == 0 ]]; then
  PG_DIR=${KYC_PG_DIR:-/var/lib/kyc-operator/postgres}
  PG_USER=postgres
else
  PG_DIR=${KYC_PG_DIR:-$DEPS_DIR/postgres}
  PG_USER=$(id -un)
fi

as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi; }

install_packages() {
  local missing=()
  [[ -x $PG_BIN/postgres ]] || missing+=(postgresql-15)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null || missing+=(maven)
  ((${#missing[@]})) || return 0
  [[ $(id -u) == 0 ]] || die "missing Debian packages: ${missing[*]}; install them with sudo apt-get install -y ${missing[*]} and re-run"
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq >/dev/null || die "apt-get update failed; check the network and re-run"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install ${missing[*]} failed; see the apt output above and re-run"
}

fetch_kafka() {
  [[ -f $KAFKA_LIBS/.complete ]] && return 0
  log "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central into $KAFKA_LIBS"
  rm -rf "$KAFKA_LIBS"
  mvn -q -B -Dstyle.color=never -f "$HACK_DIR/kafka/pom.xml" -Dmaven.repo.local="$CACHE_DIR/m2" \
    -Dkafka.version="$KAFKA_VERSION" -Dscala.binary.version="$SCALA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS" ||
    die "could not resolve org.apache.kafka:kafka_$SCALA_VERSION:$KAFKA_VERSION from Maven Central; check the network and re-run"
  touch "$KAFKA_LIBS/.complete"
}

secret() { # secret NAME: a random password kept in the deps directory, made once
  local f=$DEPS_DIR/$1.password
  [[ -s $f ]] || (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$f")
  cat "$f"
}

start_postgres() {
  if pid_alive "$PIDS/postgres.pid"; then return 0; fi
  port_free "$PG_PORT" || die "port $PG_PORT (PostgreSQL) is in use by another process; stop it or set KYC_PG_PORT, then re-run"
  local pw tls_args; pw=$(secret postgres)
  ensure_tls
  if [[ ! -f $PG_DIR/data/PG_VERSION ]]; then
    log "initialising PostgreSQL in $PG_DIR/data"
    mkdir -p "$PG_DIR"
    rm -rf "$PG_DIR/data"
    local pwfile="$PG_DIR/.pw"
    (umask 077 && printf '%s\n' "$pw" >"$pwfile")
    [[ $(id -u) == 0 ]] && chown -R "$PG_USER" "$PG_DIR"
    as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U kyc --pwfile "$pwfile" --auth scram-sha-256 -E UTF8 --locale C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 ||
      { rm -f "$pwfile"; tail -5 "$PG_DIR/initdb.log" >&2; die "initdb failed (log $PG_DIR/initdb.log)"; }
    rm -f "$pwfile"
  fi
  [[ $(id -u) == 0 ]] && touch "$PG_DIR/postgres.log" && chown "$PG_USER" "$PG_DIR/postgres.log"
  mapfile -t tls_args < <(postgres_tls_args)
  mkdir -p "$PIDS"
  # postgres is started directly (not through pg_ctl) so that its pid is ours to stop.
  if [[ $(id -u) == 0 ]]; then
    setsid setpriv --reuid "$PG_USER" --regid "$PG_USER" --init-groups "$PG_BIN/postgres" -D "$PG_DIR/data" -c listen_addresses=127.0.0.1 -c port="$PG_PORT" \
      -c unix_socket_directories= -c max_connections=300 -c shared_buffers=128MB -c fsync=on "${tls_args[@]}" \
      >>"$PG_DIR/postgres.log" 2>&1 </dev/null 8>&- 9>&- &
  else
    setsid "$PG_BIN/postgres" -D "$PG_DIR/data" -c listen_addresses=127.0.0.1 -c port="$PG_PORT" \
      -c unix_socket_directories= -c max_connections=300 -c shared_buffers=128MB "${tls_args[@]}" \
      >>"$PG_DIR/postgres.log" 2>&1 </dev/null 8>&- 9>&- &
  fi
  echo $! >"$PIDS/postgres.pid"
  log "started postgres on 127.0.0.1:$PG_PORT as $PG_USER (log $PG_DIR/postgres.log)"
  wait_for 60 postgres "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" ||
    { tail -10 "$PG_DIR/postgres.log" >&2; die "PostgreSQL did not accept connections in 60 s (log $PG_DIR/postgres.log)"; }
  PGPASSWORD=$pw psql_ -tAc "select 1 from pg_database where datname='kyc'" | grep -q 1 ||
    PGPASSWORD=$pw psql_ -c "create database kyc" >/dev/null || die "could not create the kyc database"
}

psql_() { psql -h 127.0.0.1 -p "$PG_PORT" -U kyc -d postgres -v ON_ERROR_STOP=1 "$@"; }

start_redis() {
  if pid_alive "$PIDS/redis.pid"; then return 0; fi
  port_free "$REDIS_PORT" || die "port $REDIS_PORT (Redis) is in use by another process; stop it or set KYC_REDIS_PORT, then re-run"
  port_free "$REDIS_TLS_PORT" || die "port $REDIS_TLS_PORT (Redis TLS) is in use by another process; stop it or set KYC_REDIS_PORT, then re-run"
  mkdir -p "$DEPS_DIR/redis" "$LOGS"
  local conf=$DEPS_DIR/redis/redis.conf redis_password
  redis_password=$(secret redis)
  ensure_tls
  (umask 077 && render "$HACK_DIR/deps/redis.conf" REDIS_PORT DEPS_DIR redis_password >"$conf" && redis_acl_users >>"$conf" && redis_tls_conf >>"$conf")
  start_daemon redis "$PIDS/redis.pid" "$LOGS/redis.log" redis-server "$conf"
  wait_for 30 redis redis_ping || { tail -10 "$LOGS/redis.log" >&2; die "Redis did not answer PING in 30 s (log $LOGS/redis.log)"; }
  wait_for 10 redis-tls redis_tls_ping || { tail -10 "$LOGS/redis.log" >&2; die "Redis did not answer PING over TLS on port $REDIS_TLS_PORT in 10 s (log $LOGS/redis.log)"; }
}

redis_ping() { REDISCLI_AUTH=$(secret redis) redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping | grep -q PONG; }

start_kafka() {
  if pid_alive "$PIDS/kafka.pid"; then return 0; fi
  port_free "$KAFKA_PORT" || die "port $KAFKA_PORT (Kafka) is in use by another process; stop it or set KYC_KAFKA_PORT, then re-run"
  port_free "$KAFKA_CONTROLLER_PORT" || die "port $KAFKA_CONTROLLER_PORT (Kafka controller) is in use by another process; stop it and re-run"
  port_free "$KAFKA_POD_PORT" || die "port $KAFKA_POD_PORT (Kafka pod listener) is in use by another process; stop it and re-run"
  port_free "$KAFKA_TLS_PORT" || die "port $KAFKA_TLS_PORT (Kafka TLS listener) is in use by another process; stop it and re-run"
  port_free "$KAFKA_POD_TLS_PORT" || die "port $KAFKA_POD_TLS_PORT (Kafka pod TLS listener) is in use by another process; stop it and re-run"
  port_free "$KAFKA_SASL_PORT" && port_free "$KAFKA_POD_SASL_PORT" || die "port $KAFKA_SASL_PORT or $KAFKA_POD_SASL_PORT (Kafka SASL listeners) is in use by another process; stop it and re-run"
  ensure_tls
  local dir=$DEPS_DIR/kafka
  mkdir -p "$dir" "$LOGS"
  render "$HACK_DIR/deps/kafka-server.properties" KAFKA_CONTROLLER_PORT KAFKA_PORT KAFKA_POD_PORT KAFKA_POD_ADDRESS dir \
    KAFKA_TLS_PORT KAFKA_POD_TLS_PORT TLS_DIR DEPS_CA_FILE KAFKA_SASL_PORT KAFKA_POD_SASL_PORT \
    >"$dir/server.properties"
  render "$HACK_DIR/deps/kafka-log4j.properties" >"$dir/log4j.properties"
  local java_opts=(-Xms256m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true -Dlog4j.configuration="file:$dir/log4j.properties")
  if [[ ! -f $dir/data/meta.properties ]]; then
    log "formatting Kafka storage in $dir/data"
    rm -rf "$dir/data"
    java "${java_opts[@]}" -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool format -t "$(kafka_cluster_id)" \
      -c "$dir/server.properties" >"$LOGS/kafka-format.log" 2>&1 ||
      { tail -5 "$LOGS/kafka-format.log" >&2; die "formatting Kafka storage failed (log $LOGS/kafka-format.log)"; }
  fi
  : >"$LOGS/kafka.log"
  start_daemon kafka "$PIDS/kafka.pid" "$LOGS/kafka.log" java "${java_opts[@]}" -cp "$KAFKA_LIBS/*" kafka.Kafka "$dir/server.properties"
  # 180 s: on two busy cores (an image build, lint and type checks beside it) the broker has been measured
  # at ~100 s from start to unfenced while it reloads the partitions of earlier runs.
  wait_for 180 kafka kafka_ready || { tail -15 "$LOGS/kafka.log" >&2; die "Kafka did not start in 180 s (log $LOGS/kafka.log)"; }
  # The users and ACLs outlive a restart (KRaft metadata): `up` sets them; a start alone only when asked
  # (hack/deps/kafka-private.sh), so that the chaos suite's restarts stay quick.
  [[ ${KYC_KAFKA_ACCESS_ON_START:-} != 1 ]] || kafka_apply_access
}

# A stable cluster id (22 characters of URL-safe base64) kept beside the data.
kafka_cluster_id() {
  local f=$DEPS_DIR/kafka/cluster.id
  [[ -s $f ]] || head -c 16 /dev/urandom | base64 | tr '/+' '_-' | cut -c1-22 >"$f"
  cat "$f"
}

# Ready when the broker has logged its start-up and its listener accepts connections.
kafka_ready() {
  pid_alive "$PIDS/kafka.pid" || return 1
  grep -q "Kafka Server started" "$LOGS/kafka.log" && ! port_free "$KAFKA_PORT"
}

write_env() {
  local postgres_password redis_password
  postgres_password=$(secret postgres)
  redis_password=$(secret redis)
  (umask 077 && render "$HACK_DIR/deps/connection.env" postgres_password PG_PORT redis_password REDIS_PORT KAFKA_PORT >"$ENV_FILE" && roles_env >>"$ENV_FILE" && kms_env >>"$ENV_FILE" && mailpit_env >>"$ENV_FILE" && seaweedfs_env >>"$ENV_FILE" && jaeger_env >>"$ENV_FILE" && tls_env >>"$ENV_FILE" && kafka_sasl_env >>"$ENV_FILE")
}

up() {
  install_packages
  fetch_kafka
  mkdir -p "$PIDS" "$LOGS"
  start_postgres
  start_redis
  local kafka_was_up=false
  pid_alive "$PIDS/kafka.pid" && kafka_was_up=true
  start_kafka
  if $kafka_was_up; then kafka_apply_access warn; else kafka_apply_access; fi
  # Just started: no test is running, so the topics earlier test runs left can go (prune-test-topics.ts).
  if ! $kafka_was_up && [[ -f $REPO_DIR/node_modules/kafkajs/package.json ]]; then
    log "Kafka: $(cd "$REPO_DIR" && "$("$HACK_DIR/ensure-node.sh")/node" hack/deps/prune-test-topics.ts "127.0.0.1:$KAFKA_PORT" 2>&1 | tail -1)"
  fi
  start_kms
  start_mailpit
  start_jaeger
  # Not a daemon: the cert-manager suite runs the controller itself (hack/deps/cert-manager.sh).
  build_cert_manager
  seaweedfs_up
  postgres_roles
  redis_apply_acls
  write_env
  tls_warn_plaintext_only
  log "dependencies ready; connection settings in $ENV_FILE (make deps-env prints them)"
}

down() {
  seaweedfs_down
  stop_jaeger
  stop_mailpit
  stop_kms
  stop_pidfile "$PIDS/kafka.pid" kafka
  stop_pidfile "$PIDS/redis.pid" redis
  stop_pidfile "$PIDS/postgres.pid" postgres
}

# stop_one NAME: a graceful stop of one dependency. PostgreSQL gets SIGINT (its "fast" shutdown: SIGTERM
# would wait for every pooled client to disconnect).
stop_one() {
  case $1 in
    postgres) pid_alive "$PIDS/postgres.pid" && kill -INT "$(cat "$PIDS/postgres.pid")" 2>/dev/null || true
      stop_pidfile "$PIDS/postgres.pid" postgres ;;
    *) stop_pidfile "$PIDS/$1.pid" "$1" ;;
  esac
}

# kill_one NAME: a crash of one dependency. PostgreSQL gets SIGQUIT (immediate shutdown, crash recovery
# at the next start): a SIGKILLed postmaster would leave its backends running on the shared memory.
kill_one() {
  local pidfile=$PIDS/$1.pid pid
  pid_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  pid=$(cat "$pidfile")
  log "killing $1 (pid $pid)"
  if [[ $1 == postgres ]]; then kill -QUIT "$pid" 2>/dev/null || true; else kill -KILL "$pid" 2>/dev/null || true; fi
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

start_one() {
  mkdir -p "$PIDS" "$LOGS"
  "start_$1"
}

one() { # one stop|kill|start NAME
  case ${2:-} in
    postgres | redis | kafka | kms | jaeger) ;;
    *) die "usage: $0 $1 postgres|redis|kafka|kms|jaeger" ;;
  esac
  "$1_one" "$2"
}

status() {
  for c in postgres redis kafka kms mailpit seaweedfs jaeger; do
    if pid_alive "$PIDS/$c.pid"; then echo "$c: running (pid $(cat "$PIDS/$c.pid"))"; else echo "$c: stopped"; fi
  done
}

clean() {
  down
  rm -rf "$DEPS_DIR" "$PG_DIR"
  log "removed $DEPS_DIR and $PG_DIR"
}

# One operation at a time: concurrent `make deps` calls queue instead of racing.
lock() { mkdir -p "$RUN_DIR"; exec 8>"$RUN_DIR/deps.lock"; flock 8; }

case ${1:-} in
  up) lock; up ;;
  # The slowest cold builds (Jaeger, ~10-16 min on 2 cores; the cert-manager controller, ~10 min; KEDA, ~35 min at load 7-12) started
  # in the background by `make test` before lint and the unit tests, so that they overlap them; their locks make
  # `up` (and the KEDA suite, which builds KEDA itself if missing) wait.
  prebuild)
    mkdir -p "$LOGS"
    (build_jaeger >"$LOGS/prebuild-jaeger.log" 2>&1 &)
    (build_cert_manager >"$LOGS/prebuild-cert-manager.log" 2>&1 &)
    (build_keda >"$LOGS/prebuild-keda.log" 2>&1 &)
    ;;
  down) lock; down ;;
  status) status ;;
  clean) lock; clean ;;
  stop | kill | start) lock; one "$1" "${2:-}" ;;
  env) [[ -f $ENV_FILE ]] || die "dependencies not started yet: run 'make deps'"; cat "$ENV_FILE" ;;
  *) die "usage: $0 up|down|status|env|clean|prebuild|stop NAME|kill NAME|start NAME" ;;
esac
