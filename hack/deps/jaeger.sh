# shellcheck shell=bash
# Jaeger for `make deps` (sourced by hack/deps.sh): the all-in-one binary of Jaeger (Apache-2.0), built
# from the Go module proxy (hack/tools/jaeger/go.mod pins it), with an OTLP/HTTP receiver and the query
# API on loopback and traces kept in memory. The tracing tests export the services' spans to it and read
# the assembled trace back (docs/observability.md, "Traces").
JAEGER_OTLP_PORT=${KYC_JAEGER_OTLP_PORT:-14318}
JAEGER_QUERY_PORT=${KYC_JAEGER_QUERY_PORT:-16686}
JAEGER_QUERY_GRPC_PORT=$((JAEGER_QUERY_PORT + 1))
# The OTLP receiver listens where the services send: loopback for host processes.
JAEGER_OTLP_ADDRESS=127.0.0.1
JAEGER_BIN=$CACHE_DIR/jaeger/$JAEGER_VERSION/bin

# build_jaeger: idempotent; a binary that exists for this version is not built again. A subshell, so
# that its lock and trap stay its own.
build_jaeger() (
  [[ -x $JAEGER_BIN/jaeger ]] && exit 0
  require_cmd go "install Go 1.24 or newer and re-run"
  # One build at a time: a second `make deps` waits for the first instead of racing it.
  mkdir -p "$CACHE_DIR"
  exec 9>"$CACHE_DIR/build-jaeger.lock"
  flock 9
  [[ -x $JAEGER_BIN/jaeger ]] && exit 0
  [[ $(awk '$1 == "github.com/jaegertracing/jaeger" { print $2 }' "$HACK_DIR/tools/jaeger/go.mod") == "$JAEGER_VERSION" ]] ||
    die "hack/tools/jaeger/go.mod does not require github.com/jaegertracing/jaeger $JAEGER_VERSION (hack/versions.env); run 'go get -tool github.com/jaegertracing/jaeger/cmd/jaeger@$JAEGER_VERSION' there"
  log "building jaeger $JAEGER_VERSION from the Go module proxy (cold: many minutes, it is a large program)"
  mkdir -p "$JAEGER_BIN"
  local tmp
  tmp=$(mktemp -d "$JAEGER_BIN/.build.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  (cd "$HACK_DIR/tools/jaeger" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger) ||
    die "building jaeger failed (see the go output above); check that the Go module proxy is reachable and re-run"
  mv "$tmp/jaeger" "$JAEGER_BIN/jaeger"
)

start_jaeger() {
  if pid_alive "$PIDS/jaeger.pid"; then return 0; fi
  build_jaeger
  local port
  for port in "$JAEGER_OTLP_PORT" "$JAEGER_QUERY_PORT" "$JAEGER_QUERY_GRPC_PORT"; do
    port_free "$port" || die "port $port (Jaeger) is in use by another process; stop it or set KYC_JAEGER_OTLP_PORT / KYC_JAEGER_QUERY_PORT, then re-run"
  done
  mkdir -p "$DEPS_DIR/jaeger" "$LOGS"
  render "$HACK_DIR/deps/jaeger.yaml" JAEGER_QUERY_PORT JAEGER_QUERY_GRPC_PORT JAEGER_OTLP_ADDRESS JAEGER_OTLP_PORT >"$DEPS_DIR/jaeger/config.yaml"
  start_daemon jaeger "$PIDS/jaeger.pid" "$LOGS/jaeger.log" "$JAEGER_BIN/jaeger" --config "$DEPS_DIR/jaeger/config.yaml"
  wait_for 60 jaeger jaeger_ready || { tail -10 "$LOGS/jaeger.log" >&2; die "Jaeger did not answer in 60 s (log $LOGS/jaeger.log)"; }
}

# Ready when the query API answers and the OTLP receiver accepts connections.
jaeger_ready() { ! port_free "$JAEGER_OTLP_PORT" && curl -fsS "http://127.0.0.1:$JAEGER_QUERY_PORT/api/services" >/dev/null; }

stop_jaeger() { stop_pidfile "$PIDS/jaeger.pid" jaeger; }

# Lines for the connection settings (hack/deps.sh env): where services export (OTLP/HTTP) and tests read.
jaeger_env() {
  printf 'OTLP_ENDPOINT=http://127.0.0.1:%s\nJAEGER_QUERY_URL=http://127.0.0.1:%s\n' "$JAEGER_OTLP_PORT" "$JAEGER_QUERY_PORT"
}
