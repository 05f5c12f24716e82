# shellcheck shell=bash
# local-kms for `make deps` (sourced by hack/deps.sh): the AWS KMS API on loopback, so that the kyc
# service's AWS KMS adapter is what local runs and tests exercise (docs/security.md, "Keys held by a
# KMS"). Seeded once with one AES key behind the alias alias/kyc-pii; its key material is random, made
# at the first start and kept (with the KMS's own data) in $DEPS_DIR/kms. The RSA parking key behind
# alias/kyc-pii-parking (docs/security.md, "Writes while the KMS is away") is made through the KMS API
# instead, at every start if it is missing: local-kms reads its seed file only when it starts, so a
# running instance or an existing data directory would never pick up a new seed entry. local-kms checks
# no request signature: the credentials printed by `hack/deps.sh env` are placeholders.
KMS_PORT=${KYC_KMS_PORT:-14580}
KMS_REGION_LOCAL=ap-south-1
KMS_KEY_ALIAS=alias/kyc-pii
KMS_PARKING_ALIAS=alias/kyc-pii-parking

start_kms() {
  if pid_alive "$PIDS/kms.pid"; then
    kms_ensure_parking_key
    return 0
  fi
  "$HACK_DIR/build-local-kms.sh"
  port_free "$KMS_PORT" || die "port $KMS_PORT (local-kms) is in use by another process; stop it or set KYC_KMS_PORT, then re-run"
  local dir=$DEPS_DIR/kms
  mkdir -p "$dir" "$LOGS"
  if [[ ! -s $dir/seed.yaml ]]; then (umask 077 && kms_seed_file >"$dir/seed.yaml.tmp") && mv "$dir/seed.yaml.tmp" "$dir/seed.yaml"; fi
  # local-kms takes its settings from the environment only (hack/tools/local-kms/main.go).
  KMS_LISTEN=127.0.0.1:$KMS_PORT KMS_REGION=$KMS_REGION_LOCAL KMS_DATA_PATH=$dir/data KMS_SEED_PATH=$dir/seed.yaml \
    start_daemon kms "$PIDS/kms.pid" "$LOGS/kms.log" "$CACHE_DIR/local-kms/$LOCAL_KMS_VERSION/bin/local-kms"
  wait_for 30 kms kms_ready || { tail -10 "$LOGS/kms.log" >&2; die "local-kms did not answer in 30 s (log $LOGS/kms.log)"; }
  kms_ensure_parking_key
}

kms_call() {
  curl -fsS -X POST -H 'Content-Type: application/x-amz-json-1.1' -H "X-Amz-Target: TrentService.$1" -d "$2" "http://127.0.0.1:$KMS_PORT/"
}

# The asymmetric key the kyc pods wrap parked data keys with while the KMS is away: RSA 3072 for
# RSAES_OAEP_SHA_256; only its public key ever leaves the KMS. Made once, kept in local-kms's data.
kms_ensure_parking_key() {
  kms_call ListAliases '{}' | grep -q "\"$KMS_PARKING_ALIAS\"" && return 0
  local id
  id=$(kms_call CreateKey '{"KeySpec":"RSA_3072","KeyUsage":"ENCRYPT_DECRYPT","Description":"kyc PII parking key"}' |
    sed -n 's/.*"KeyId":"\([^"]*\)".*/\1/p') || true
  [[ -n $id ]] || die "local-kms did not create the RSA parking key (log $LOGS/kms.log)"
  kms_call CreateAlias "{\"AliasName\":\"$KMS_PARKING_ALIAS\",\"TargetKeyId\":\"$id\"}" >/dev/null ||
    die "local-kms did not create $KMS_PARKING_ALIAS (log $LOGS/kms.log)"
  log "local-kms: RSA parking key $id behind $KMS_PARKING_ALIAS"
}

# One AES key (256-bit backing key) and its alias; seeding leaves existing keys alone.
kms_seed_file() {
  local id material
  id=$(cat /proc/sys/kernel/random/uuid)
  material=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  printf 'Keys:\n  Symmetric:\n    Aes:\n      - Metadata:\n          KeyId: %s\n        BackingKeys:\n          - %s\nAliases:\n  - AliasName: %s\n    TargetKeyId: %s\n' \
    "$id" "$material" "$KMS_KEY_ALIAS" "$id"
}

kms_ready() { kms_call ListAliases '{}' | grep -q "\"$KMS_KEY_ALIAS\""; }

stop_kms() { stop_pidfile "$PIDS/kms.pid" kms; }

# Lines for the connection settings (hack/deps.sh env).
kms_env() {
  printf 'KMS_ENDPOINT=http://127.0.0.1:%s\nKMS_KEY_ID=%s\nKMS_REGION=%s\nKMS_ACCESS_KEY_ID=local\nKMS_SECRET_ACCESS_KEY=local\n' \
    "$KMS_PORT" "$KMS_KEY_ALIAS" "$KMS_REGION_LOCAL"
}
