# shellcheck shell=bash
# Mailpit for `make deps` (sourced by hack/deps.sh): SMTP and its HTTP API on loopback, mail kept in
# memory-backed SQLite under $DEPS_DIR/mailpit. The notification service's e-mail tests send through
# the SMTP port and read what arrived through the API (docs/notifications.md).
MAILPIT_SMTP_PORT=${KYC_MAILPIT_SMTP_PORT:-11025}
MAILPIT_HTTP_PORT=${KYC_MAILPIT_HTTP_PORT:-18025}

start_mailpit() {
  if pid_alive "$PIDS/mailpit.pid"; then return 0; fi
  "$HACK_DIR/build-mailpit.sh"
  port_free "$MAILPIT_SMTP_PORT" || die "port $MAILPIT_SMTP_PORT (Mailpit SMTP) is in use by another process; stop it or set KYC_MAILPIT_SMTP_PORT, then re-run"
  port_free "$MAILPIT_HTTP_PORT" || die "port $MAILPIT_HTTP_PORT (Mailpit HTTP) is in use by another process; stop it or set KYC_MAILPIT_HTTP_PORT, then re-run"
  mkdir -p "$DEPS_DIR/mailpit" "$LOGS"
  # Any SMTP login is accepted without TLS: the services' SMTP settings are exercised, not a password.
  start_daemon mailpit "$PIDS/mailpit.pid" "$LOGS/mailpit.log" "$CACHE_DIR/mailpit/$MAILPIT_VERSION/bin/mailpit" \
    --smtp "127.0.0.1:$MAILPIT_SMTP_PORT" --listen "127.0.0.1:$MAILPIT_HTTP_PORT" \
    --database "$DEPS_DIR/mailpit/mailpit.db" --max 5000 --smtp-auth-accept-any --smtp-auth-allow-insecure \
    --disable-version-check
  wait_for 30 mailpit mailpit_ready || { tail -10 "$LOGS/mailpit.log" >&2; die "Mailpit did not answer in 30 s (log $LOGS/mailpit.log)"; }
}

mailpit_ready() { ! port_free "$MAILPIT_SMTP_PORT" && curl -fsS "http://127.0.0.1:$MAILPIT_HTTP_PORT/api/v1/info" >/dev/null; }

stop_mailpit() { stop_pidfile "$PIDS/mailpit.pid" mailpit; }

# Lines for the connection settings (hack/deps.sh env).
mailpit_env() {
  printf 'MAILPIT_SMTP=127.0.0.1:%s\nMAILPIT_API=http://127.0.0.1:%s\n' "$MAILPIT_SMTP_PORT" "$MAILPIT_HTTP_PORT"
}
