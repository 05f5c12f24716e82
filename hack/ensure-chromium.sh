#!/usr/bin/env bash
# Prints the path of a headless-capable Chromium for the web app's browser suite (test/e2e/frontend.test.ts),
# installing Debian's `chromium` package first when there is none. playwright-core drives it; no browser is
# ever downloaded by a test tool (docs/frontend.md, "The browser suite"). Idempotent and safe to run
# concurrently (flock). Progress goes to stderr; only the path goes to stdout.
#   CHROMIUM=/path/to/chrome hack/ensure-chromium.sh   use that browser instead (checked, not installed)
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

works() { [[ -x $1 ]] && "$1" --headless --no-sandbox --version >/dev/null 2>&1; }

if [[ -n ${CHROMIUM:-} ]]; then
  works "$CHROMIUM" || die "CHROMIUM=$CHROMIUM does not run (--version failed); unset it to use Debian's chromium"
  echo "$CHROMIUM"
  exit 0
fi

browser=/usr/bin/chromium
if ! works "$browser"; then
  require_cmd apt-get "the browser suite uses Debian's chromium package; on another system set CHROMIUM to a Chromium or Chrome binary"
  [[ $(id -u) == 0 ]] || die "chromium is not installed; install it with sudo apt-get install -y chromium and re-run"
  mkdir -p "$CACHE_DIR"
  exec 9>"$CACHE_DIR/chromium-install.lock"
  flock 9
  if ! works "$browser"; then
    log "installing Debian's chromium (headless browser for the web app's browser suite)"
    apt-get update -qq >/dev/null || die "apt-get update failed; check the network and re-run"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null ||
      die "apt-get install chromium failed; see the apt output above and re-run"
    works "$browser" || die "chromium was installed but $browser --headless --version fails"
  fi
fi
echo "$browser"
