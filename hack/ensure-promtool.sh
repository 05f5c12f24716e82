#!/usr/bin/env bash
# Prints the path of the pinned promtool, installing it into the cache first when it is not there.
# promtool (and the prometheus server beside it) come from Debian's `prometheus` package, fetched with
# `apt-get download` and unpacked with `dpkg-deb -x`: no root, nothing installed system-wide. The
# binaries are Go programs that need only libc (checked below). Idempotent and safe to run
# concurrently (flock). Progress goes to stderr; only the path goes to stdout.
#   hack/ensure-promtool.sh          install if needed, print .../bin/promtool
#   hack/ensure-promtool.sh --dir    install if needed, print the directory (promtool, prometheus)
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

dest=$CACHE_DIR/prometheus/$PROMETHEUS_DEB_VERSION
bin=$dest/bin

installed() { [[ -x $bin/promtool && -x $bin/prometheus ]] && "$bin/promtool" --version >/dev/null 2>&1; }

install_promtool() {
  installed && return 0
  require_cmd apt-get "promtool comes from Debian's prometheus package; run on Debian (bookworm) or put a promtool $PROMETHEUS_DEB_VERSION under $bin"
  require_cmd dpkg-deb "install dpkg (apt-get install -y dpkg)"
  require_cmd sha256sum "install coreutils"
  mkdir -p "$CACHE_DIR/prometheus"
  exec 9>"$CACHE_DIR/prometheus/install.lock"
  flock 9
  installed && return 0 # installed by whoever held the lock before us
  log "installing promtool from Debian's prometheus $PROMETHEUS_DEB_VERSION into $dest"
  tmp=$(mktemp -d) # global: the EXIT trap runs after this function has returned
  trap 'rm -rf "$tmp"' EXIT
  # apt-get download needs no root: it reads the machine's package lists and writes into the cwd.
  (cd "$tmp" && apt-get download -q "prometheus=$PROMETHEUS_DEB_VERSION" >&2) ||
    die "apt-get could not download prometheus=$PROMETHEUS_DEB_VERSION: refresh the package lists (as root: apt-get update) and re-run; if Debian has replaced that version (apt-cache policy prometheus), set PROMETHEUS_DEB_VERSION and PROMETHEUS_DEB_SHA256 in hack/versions.env to the candidate"
  local deb
  deb=$(echo "$tmp"/prometheus_*.deb)
  [[ -f $deb ]] || die "apt-get download left no prometheus .deb in $tmp"
  echo "$PROMETHEUS_DEB_SHA256  $deb" | sha256sum --check --quiet >&2 ||
    die "the downloaded prometheus .deb does not have the SHA-256 pinned in hack/versions.env (PROMETHEUS_DEB_SHA256)"
  dpkg-deb -x "$deb" "$tmp/x"
  mkdir -p "$tmp/bin"
  mv "$tmp/x/usr/bin/promtool" "$tmp/x/usr/bin/prometheus" "$tmp/bin/"
  # The only shared library the Debian build links is libc; a missing one shows here, not mid-test.
  if command -v ldd >/dev/null 2>&1 && ldd "$tmp/bin/promtool" | grep -q 'not found'; then
    die "promtool needs shared libraries this machine lacks: $(ldd "$tmp/bin/promtool" | grep 'not found' | tr '\n' ' ')"
  fi
  "$tmp/bin/promtool" --version >/dev/null 2>&1 || die "the unpacked promtool does not run on this machine"
  rm -rf "$dest" && mkdir -p "$dest" && mv "$tmp/bin" "$bin"
  exec 9>&-
}

install_promtool
case ${1:-} in
  --dir) echo "$bin" ;;
  *) echo "$bin/promtool" ;;
esac
