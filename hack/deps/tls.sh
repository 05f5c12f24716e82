# shellcheck shell=bash
# TLS to the data stores for `make deps` (sourced by hack/deps.sh; docs/security.md, "Data in transit to the
# stores"): a local CA and one server certificate under $DEPS_DIR/tls, made once and kept, that PostgreSQL,
# Redis and Kafka present. The certificate names every address a client reaches them by: 127.0.0.1 and
# localhost on this host, and the real node's bridge address, through which pods reach them (hack/node
# forwards it to loopback). TLS is added beside plaintext, never instead of it:
#   PostgreSQL  ssl=on on its one port: a client asks for TLS (sslmode=verify-full) or does not
#   Redis       tls-port (REDIS_PORT + 1) beside the plaintext port
#   Kafka       listener SSL (KAFKA_PORT + 3, advertised on 127.0.0.1) and PODS_SSL (KAFKA_PORT + 4,
#               advertised on the bridge address) beside the plaintext ones
# A store started before this existed keeps running without TLS until it is restarted once
# (hack/deps.sh stop NAME && hack/deps.sh start NAME, then make deps to rewrite the settings).
TLS_DIR=$DEPS_DIR/tls
DEPS_CA_FILE=$TLS_DIR/ca.crt
REDIS_TLS_PORT=$((REDIS_PORT + 1))
KAFKA_TLS_PORT=$((KAFKA_PORT + 3))
KAFKA_POD_TLS_PORT=$((KAFKA_PORT + 4))
# Days: the CA outlives many server certificates; a server certificate is made again 30 days before it ends.
TLS_CA_DAYS=3650
TLS_SERVER_DAYS=397

# tls_sans: the subjectAltName of the server certificate.
tls_sans() { printf 'IP:127.0.0.1,DNS:localhost,IP:%s' "$KAFKA_POD_ADDRESS"; }

# ensure_tls: the CA (made once) and a server certificate it signed for tls_sans; a certificate naming
# other addresses, near its end, or from another CA is made again. Idempotent, and nothing is left half
# written: each file is made beside and moved into place.
ensure_tls() {
  require_cmd openssl "install the Debian package openssl and re-run"
  mkdir -p "$TLS_DIR"
  chmod 700 "$TLS_DIR"
  if [[ ! -s $TLS_DIR/ca.key || ! -s $DEPS_CA_FILE ]]; then
    log "making the dependencies' local CA in $TLS_DIR"
    (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TLS_DIR/ca.key.tmp" 2>/dev/null) ||
      die "openssl could not make the CA key in $TLS_DIR"
    openssl req -x509 -new -key "$TLS_DIR/ca.key.tmp" -sha256 -days "$TLS_CA_DAYS" -subj "/CN=kyc-operator dependencies CA" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -out "$TLS_DIR/ca.crt.tmp" 2>/dev/null ||
      die "openssl could not make the CA certificate in $TLS_DIR"
    mv "$TLS_DIR/ca.key.tmp" "$TLS_DIR/ca.key"
    mv "$TLS_DIR/ca.crt.tmp" "$DEPS_CA_FILE"
    rm -f "$TLS_DIR/server.crt"
  fi
  if tls_server_current; then return 0; fi
  log "making the dependencies' server certificate for $(tls_sans)"
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TLS_DIR/server.key.tmp" 2>/dev/null) ||
    die "openssl could not make the server key in $TLS_DIR"
  openssl req -new -key "$TLS_DIR/server.key.tmp" -subj "/CN=kyc-operator dependencies" -out "$TLS_DIR/server.csr" 2>/dev/null ||
    die "openssl could not make the certificate request in $TLS_DIR"
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' \
    "$(tls_sans)" >"$TLS_DIR/server.ext"
  openssl x509 -req -in "$TLS_DIR/server.csr" -CA "$DEPS_CA_FILE" -CAkey "$TLS_DIR/ca.key" -CAcreateserial -sha256 \
    -days "$TLS_SERVER_DAYS" -extfile "$TLS_DIR/server.ext" -out "$TLS_DIR/server.crt.tmp" 2>/dev/null ||
    die "openssl could not sign the server certificate in $TLS_DIR"
  # Kafka reads one PEM file with the key (PKCS#8, unencrypted) and the certificate.
  (umask 077 && cat "$TLS_DIR/server.key.tmp" "$TLS_DIR/server.crt.tmp" >"$TLS_DIR/server.pem.tmp")
  mv "$TLS_DIR/server.key.tmp" "$TLS_DIR/server.key"
  mv "$TLS_DIR/server.pem.tmp" "$TLS_DIR/server.pem"
  mv "$TLS_DIR/server.crt.tmp" "$TLS_DIR/server.crt"
  rm -f "$TLS_DIR/server.csr"
}

# tls_server_current: the server certificate exists, the CA signed it, it names tls_sans and has 30 days left.
tls_server_current() {
  [[ -s $TLS_DIR/server.crt && -s $TLS_DIR/server.key && -s $TLS_DIR/server.pem ]] || return 1
  openssl verify -CAfile "$DEPS_CA_FILE" "$TLS_DIR/server.crt" >/dev/null 2>&1 || return 1
  openssl x509 -in "$TLS_DIR/server.crt" -noout -checkend $((30 * 86400)) >/dev/null 2>&1 || return 1
  local want have
  want=$(tls_sans | tr ',' '\n' | sed 's/^IP:/IP Address:/' | sort | tr '\n' ',')
  have=$(openssl x509 -in "$TLS_DIR/server.crt" -noout -ext subjectAltName 2>/dev/null | tail -n +2 | tr ',' '\n' | sed 's/^ *//' | sort | tr '\n' ',')
  [[ $want == "$have" ]]
}

# postgres_tls_args: the `-c` settings that turn TLS on in PostgreSQL. Its key must belong to the user it
# runs as (0600), and as root that user cannot read the cache: the pair is copied beside its data.
postgres_tls_args() {
  local dir=$PG_DIR/tls
  mkdir -p "$dir"
  install -m 600 "$TLS_DIR/server.key" "$dir/server.key"
  install -m 644 "$TLS_DIR/server.crt" "$dir/server.crt"
  [[ $(id -u) == 0 ]] && chown -R "$PG_USER" "$dir"
  printf '%s\n' -c ssl=on -c "ssl_cert_file=$dir/server.crt" -c "ssl_key_file=$dir/server.key" -c ssl_min_protocol_version=TLSv1.2
}

# Lines for redis.conf (rendered by start_redis).
redis_tls_conf() {
  printf 'tls-port %s\ntls-cert-file %s\ntls-key-file %s\ntls-ca-cert-file %s\ntls-auth-clients no\ntls-protocols "TLSv1.2 TLSv1.3"\n' \
    "$REDIS_TLS_PORT" "$TLS_DIR/server.crt" "$TLS_DIR/server.key" "$DEPS_CA_FILE"
}

# redis_tls_ping: Redis answers PING on its TLS port, verifying its certificate against the CA.
redis_tls_ping() {
  REDISCLI_AUTH=$(secret redis) redis-cli --tls --cacert "$DEPS_CA_FILE" -h 127.0.0.1 -p "$REDIS_TLS_PORT" --no-auth-warning ping | grep -q PONG
}

# Lines for the connection settings (hack/deps.sh env): the TLS URLs beside the plaintext ones. psql and
# node-postgres read sslrootcert; the services verify the name as well (sslmode=verify-full).
tls_env() {
  printf 'DEPS_CA_FILE=%s\n' "$DEPS_CA_FILE"
  printf 'DATABASE_TLS_URL=postgres://kyc:%s@127.0.0.1:%s/kyc?sslmode=verify-full&sslrootcert=%s\n' "$(secret postgres)" "$PG_PORT" "$DEPS_CA_FILE"
  printf 'REDIS_TLS_URL=rediss://:%s@127.0.0.1:%s\n' "$(secret redis)" "$REDIS_TLS_PORT"
  printf 'KAFKA_TLS_BROKERS=127.0.0.1:%s\n' "$KAFKA_TLS_PORT"
}

# tls_warn_plaintext_only: a store that runs but does not speak TLS yet was started before TLS existed here;
# says how to restart it (once).
tls_warn_plaintext_only() {
  local missing=()
  PGPASSWORD=$(secret postgres) psql "host=127.0.0.1 port=$PG_PORT user=kyc dbname=postgres sslmode=verify-full sslrootcert=$DEPS_CA_FILE" \
    -tAc 'select 1' >/dev/null 2>&1 || missing+=(postgres)
  redis_tls_ping >/dev/null 2>&1 || missing+=(redis)
  port_free "$KAFKA_TLS_PORT" && missing+=(kafka)
  ((${#missing[@]})) || return 0
  log "warning: ${missing[*]} run(s) without TLS (started before hack/deps/tls.sh): restart once with" \
    "'for s in ${missing[*]}; do hack/deps.sh stop \$s && hack/deps.sh start \$s; done && make deps' (docs/security.md)"
}
