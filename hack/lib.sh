#!/usr/bin/env bash
# Shared helpers for the hack/ scripts: paths, logging, failure messages, waiting.
set -euo pipefail

HACK_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$HACK_DIR/.." && pwd)
# shellcheck source=versions.env
source "$HACK_DIR/versions.env"

CACHE_DIR=${KYC_CACHE_DIR:-$HOME/.cache/kyc-operator}
# Run state (data, logs, pids, certs) lives outside the clone so that two clones share one cluster.
RUN_DIR=${KYC_RUN_DIR:-$CACHE_DIR/run}
K8S_BIN=$CACHE_DIR/k8s/v$K8S_VERSION/bin
KWOK_BIN=$CACHE_DIR/kwok/v$KWOK_VERSION/bin

export GOMODCACHE=$CACHE_DIR/go/mod GOCACHE=$CACHE_DIR/go/build GOFLAGS=-mod=mod GOTOOLCHAIN=local

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

require_cmd() { # require_cmd CMD "what to do"
  command -v "$1" >/dev/null 2>&1 || die "$1 not found: $2"
}

# wait_for SECONDS DESCRIPTION CMD...: polls CMD every half second; fails with a clear line on timeout.
wait_for() {
  local timeout=$1 what=$2; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then return 1; fi
    sleep 0.5
  done
}

# port_free PORT: true when nothing listens on 127.0.0.1:PORT.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pid_alive PIDFILE: true when the pid file names a running process of ours. Every daemon we start
# names a project path in its arguments, which tells it apart from an unrelated process that reused a
# stale pid after a reboot.
pid_alive() {
  local pid
  [[ -f $1 ]] || return 1
  pid=$(cat "$1")
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qE "kyc-operator|$CACHE_DIR|$RUN_DIR"
}

# stop_pidfile PIDFILE NAME [group]: TERM, wait up to 20 s, then KILL; removes the pid file. With
# `group`, the signals go to the daemon's whole process group (start_daemon makes each daemon a group
# leader with setsid), for daemons that fork helpers of their own.
stop_pidfile() {
  local pidfile=$1 name=$2 scope=${3:-} pid
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $name (pid $pid)"
    signal_daemon TERM "$pid" "$scope"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    signal_daemon KILL "$pid" "$scope"
  fi
  rm -f "$pidfile"
}

signal_daemon() { # signal_daemon SIGNAL PID [group]
  if [[ $3 == group ]]; then kill "-$1" -- "-$2" 2>/dev/null && return 0; fi
  kill "-$1" "$2" 2>/dev/null || true
}

# render TEMPLATE NAME...: TEMPLATE (a manifest or configuration file beside the script that uses it)
# on stdout, each ${NAME} in it replaced by the value of the shell variable NAME. Only the names given
# are replaced, and nothing in a template is evaluated (no eval, no command substitution: envsubst would
# do, but Debian's minimal images lack it); a ${...} left over is a name the caller forgot, a failure.
# Nothing is printed when it fails. Its own locals start with _render_ so that they never hide a
# caller's variable of the same name.
render() {
  local _render_template=$1 _render_text='' _render_name; shift
  [[ -f $_render_template && -r $_render_template ]] || { echo "render: cannot read $_render_template" >&2; return 1; }
  IFS= read -r -d '' _render_text <"$_render_template" || true # read stops at the end of the file with status 1
  for _render_name in "$@"; do
    [[ $_render_name != _render_* ]] || { echo "render: $_render_name is a name of render itself" >&2; return 1; }
    _render_text=${_render_text//"\${$_render_name}"/"${!_render_name}"}
  done
  if [[ $_render_text =~ \$\{[A-Za-z_][A-Za-z0-9_]*\} ]]; then
    echo "render: $_render_template: ${BASH_REMATCH[0]} is not among the names given ($*)" >&2
    return 1
  fi
  printf '%s' "$_render_text"
}

# kubeconfig_yaml USER CERT_DIR CA_FILE SERVER: a kubeconfig for the local cluster using USER's client
# certificate ($CERT_DIR/USER.crt and .key), on stdout (hack/kubeconfig.yaml).
kubeconfig_yaml() {
  local user=$1 cert_dir=$2 ca_file=$3 server=$4
  render "$HACK_DIR/kubeconfig.yaml" user cert_dir ca_file server
}

# start_daemon NAME PIDFILE LOGFILE CMD...: starts CMD detached from this shell, in its own session.
start_daemon() {
  local name=$1 pidfile=$2 logfile=$3; shift 3
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$logfile")"
  # Lock descriptors (8, 9) are closed so that a daemon never holds a script lock.
  setsid "$@" >>"$logfile" 2>&1 </dev/null 8>&- 9>&- &
  echo $! >"$pidfile"
  log "started $name (pid $!, log $logfile)"
}
