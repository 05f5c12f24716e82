#!/usr/bin/env bash
# `make up`: the product running on this machine, from nothing. Every step is idempotent, so a second
# run only checks (and rolls the platform when the tree changed).
#   1. the control plane (hack/cluster.sh), PostgreSQL/Redis/Kafka (hack/deps.sh), the real node (hack/node/up.sh)
#   2. the base image (hack/image/build.sh), the workloads and operator images from the Dockerfile
#      (hack/image/app.sh), loaded into the node's containerd — no registry
#   3. the CRD, RBAC and the operator Deployment (namespace kyc-system, on the real node)
#   4. the platform's Secrets (namespace kyc): pod-side dependency URLs, generated keys and admin password
#      (made once, kept mode 0600 under $RUN_DIR/up/)
#   5. samples/local-real-node.yaml with spec.version = the image tag, the gateway Service as a NodePort, and a
#      wait until the platform is Ready and the gateway answers; then the URL and a curl sequence. The
#      platform serves HTTPS (TLS 1.3) signed by its own CA, written to $RUN_DIR/up/ca.crt for curl
#      --cacert; KYC_UP_TLS=Disabled gives plain HTTP instead (docs/security.md).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=up/backup.sh
source "$(dirname "$0")/up/backup.sh"
cd "$REPO_DIR" || exit
export PATH=$K8S_BIN:$PATH KUBECONFIG=${KUBECONFIG:-$RUN_DIR/cluster/kubeconfig}

NS=${KYC_UP_NAMESPACE:-kyc}
PLATFORM=kyc-dev
NODE_IP=10.244.128.1            # the real node's bridge address (hack/node/common.sh)
NODE_PORT=${KYC_UP_NODE_PORT:-30080}
KAFKA_POD_PORT=$((${KYC_KAFKA_PORT:-19092} + 2))
UP_DIR=$RUN_DIR/up
START=$SECONDS
mkdir -p "$UP_DIR" && chmod 700 "$UP_DIR"

step() { log "[$((SECONDS - START))s] $*"; }

step "control plane (make cluster)"
hack/cluster.sh up >/dev/null
step "PostgreSQL, Redis, Kafka (make deps)"
hack/deps.sh up >/dev/null
step "real node (make node)"
hack/node/up.sh >/dev/null
step "base image (make base-image)"
hack/image/build.sh build >/dev/null
step "workloads and operator images from the Dockerfile (make image)"
VERSION=$(hack/image/app.sh build)
hack/image/app.sh load "$VERSION"
echo "$VERSION" >"$UP_DIR/version"

step "CRD, RBAC and the operator ($VERSION) in namespace kyc-system"
kubectl kustomize hack/up/operator | sed -e "s|image: kyc-operator/operator:.*|image: kyc-operator/operator:$VERSION|" -e "s|value: KYC_UP_NAMESPACE|value: $NS|" |
  kubectl apply --server-side --field-manager kyc-up --force-conflicts -f - >/dev/null
kubectl wait --for condition=Established --timeout 60s crd/kycplatforms.kyc.dev >/dev/null
# Its pods' readiness (caches synced), not the Deployment's status: that waits on the controller
# manager, which a busy cluster can keep minutes behind.
wait_for 600 "operator" kubectl -n kyc-system wait --for condition=Ready pod -l app.kubernetes.io/name=kyc-operator --timeout 5s ||
  die "the operator did not become ready: kubectl -n kyc-system describe pods; kubectl -n kyc-system logs deploy/kyc-operator"

step "platform Secrets in namespace $NS"
# secret NAME BYTES: random bytes in base64, made once, kept mode 0600.
secret() {
  local f=$UP_DIR/$1
  [[ -s $f ]] || (umask 077 && head -c "$2" /dev/urandom | base64 | tr -d '\n' >"$f")
  cat "$f"
}
# signing_keys NAME: the access-token key ring auth signs with (kid:base64 of a PKCS#8 DER Ed25519 key),
# made once, kept mode 0600. Only auth gets it; the other services fetch its public half (JWKS).
signing_keys() {
  local f=$UP_DIR/$1 key
  if [[ ! -s $f ]]; then
    command -v openssl >/dev/null || die "openssl is needed to make the token-signing key (apt-get install openssl)"
    key=$(openssl genpkey -algorithm ed25519 -outform DER | base64 | tr -d '\n') && [[ -n $key ]] || die "could not make an Ed25519 key"
    (umask 077 && printf 'k1:%s' "$key" >"$f")
  fi
  cat "$f"
}
SIGNING_KEYS=$(signing_keys token-signing-keys)
PII=$(secret pii-key 32)
ADMIN_PASSWORD=$(secret admin-password 18 | tr '+/' '-_')
ADMIN_EMAIL=admin@kyc.local
# The pods reach the dependencies through the node's bridge address (socat forwarders, Kafka's pod listener).
# Read as data, not evaluated: a value may hold shell syntax (DATABASE_TLS_URL's `&`).
while IFS='=' read -r key value; do [[ -n $key ]] && export "$key=$value"; done < <(hack/deps.sh env)
POD_DATABASE_URL=${DATABASE_URL/@127.0.0.1:/@$NODE_IP:}
POD_REDIS_URL=${REDIS_URL/@127.0.0.1:/@$NODE_IP:}
POD_KAFKA_BROKERS=$NODE_IP:$KAFKA_POD_PORT
kubectl create namespace "$NS" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
apply_secret() { # apply_secret NAME KEY=VALUE... (values never on a command line: a file per key)
  local name=$1 tmp args=(); shift
  tmp=$(mktemp -d) && chmod 700 "$tmp"
  local kv; for kv in "$@"; do (umask 077 && printf '%s' "${kv#*=}" >"$tmp/${kv%%=*}"); args+=("--from-file=${kv%%=*}=$tmp/${kv%%=*}"); done
  kubectl -n "$NS" create secret generic "$name" "${args[@]}" --dry-run=client -o yaml |
    kubectl label --local -f - -o yaml app.kubernetes.io/part-of=kyc-platform |
    kubectl apply -f - >/dev/null
  rm -rf "$tmp"
}
# Beside `url`, the per-service credentials of make deps (hack/deps/roles.sh), read only under
# `credentials: PerComponent` (docs/security.md, "Per-service credentials").
pg_keys=("url=$POD_DATABASE_URL" "migrate-url=${DATABASE_URL_MIGRATE/@127.0.0.1:/@$NODE_IP:}") redis_keys=("url=$POD_REDIS_URL")
for c in kyc auth notification analytics; do v=DATABASE_URL_${c^^}; pg_keys+=("$c-url=${!v/@127.0.0.1:/@$NODE_IP:}"); done
for c in gateway kyc auth notification analytics; do v=REDIS_URL_${c^^}; redis_keys+=("$c-url=${!v/@127.0.0.1:/@$NODE_IP:}"); done
# TLS to the stores (docs/security.md, "Data in transit to the stores"): KYC_UP_STORE_TLS=Required (the
# default) gives the pods make deps's TLS endpoints (PostgreSQL sslmode=verify-full, rediss:// on Redis's
# TLS port, Kafka's PODS_SSL listener), its CA as ca.crt in each Secret, and `tls: Required` in the sample.
# KYC_UP_STORE_TLS=Off keeps the plaintext endpoints (stores started before make deps served TLS).
kafka_keys=("brokers=$POD_KAFKA_BROKERS")
case ${KYC_UP_STORE_TLS:-Required} in
  Off) ;;
  Required)
    store_ca=$(cat "$DEPS_CA_FILE") || die "no CA of the stores at $DEPS_CA_FILE: run make deps"
    for i in "${!pg_keys[@]}"; do pg_keys[i]+="?sslmode=verify-full"; done
    for i in "${!redis_keys[@]}"; do
      kv=${redis_keys[i]/=redis:\/\//=rediss://}
      redis_keys[i]=${kv%:"${REDIS_URL##*:}"}:${REDIS_TLS_URL##*:}
    done
    kafka_keys=("brokers=$NODE_IP:$((${KYC_KAFKA_PORT:-19092} + 4))")
    pg_keys+=("ca.crt=$store_ca") redis_keys+=("ca.crt=$store_ca") kafka_keys+=("ca.crt=$store_ca")
    ;;
  *) die "KYC_UP_STORE_TLS must be Off or Required (got $KYC_UP_STORE_TLS)" ;;
esac
# Kafka's SCRAM principals (hack/deps/kafka-sasl.sh), read only under `credentials: PerComponent` (docs/security.md,
# "Kafka"). PerComponent (the default with TLS to the stores) gives the pods the SASL_SSL listener and the sample
# that field: each service reaches Kafka only as its own principal. KYC_UP_KAFKA_CREDENTIALS=Shared keeps the
# listener above without SASL (the default with KYC_UP_STORE_TLS=Off, since the SASL listener is SASL_SSL).
[[ ${KYC_UP_STORE_TLS:-Required} == Required ]] && kafka_credentials_default=PerComponent || kafka_credentials_default=Shared
KAFKA_CREDENTIALS=${KYC_UP_KAFKA_CREDENTIALS:-$kafka_credentials_default}
for c in kyc notification analytics lag-reader; do
  v=${c^^} v=${v//-/_} u=KAFKA_SASL_USERNAME_$v p=KAFKA_SASL_PASSWORD_$v
  if [[ -n ${!u:-} ]]; then kafka_keys+=("$c-username=${!u}" "$c-password=${!p}"); fi
done
case $KAFKA_CREDENTIALS in
  Shared) ;;
  PerComponent)
    [[ ${KYC_UP_STORE_TLS:-Required} == Required ]] || die "KYC_UP_KAFKA_CREDENTIALS=PerComponent needs KYC_UP_STORE_TLS=Required (the SASL listener is SASL_SSL)"
    [[ -n ${KAFKA_SASL_USERNAME_KYC:-} ]] || die "make deps printed no Kafka SASL users: run make deps (hack/deps/kafka-sasl.sh)"
    kafka_keys[0]="brokers=$NODE_IP:$((${KYC_KAFKA_PORT:-19092} + 6))"
    ;;
  *) die "KYC_UP_KAFKA_CREDENTIALS must be Shared or PerComponent (got $KAFKA_CREDENTIALS)" ;;
esac
apply_secret $PLATFORM-postgres "${pg_keys[@]}"
apply_secret $PLATFORM-redis "${redis_keys[@]}"
apply_secret $PLATFORM-kafka "${kafka_keys[@]}"
# The PII data keys are made and unwrapped by local-kms through the AWS KMS API (docs/security.md, "Keys held by a KMS").
# The Secret also names the RSA key make deps made, so that kyc parks new PII while the KMS does not answer
# (docs/security.md, "Writes while the KMS is away"); KYC_UP_KMS_PARKING=Off leaves it out (writes then answer 503).
kms_keys=("key-id=$KMS_KEY_ID" "region=$KMS_REGION" "endpoint=${KMS_ENDPOINT/127.0.0.1/$NODE_IP}"
  "access-key-id=$KMS_ACCESS_KEY_ID" "secret-access-key=$KMS_SECRET_ACCESS_KEY")
case ${KYC_UP_KMS_PARKING:-On} in
  On) kms_keys+=("parking-key-id=alias/kyc-pii-parking") ;;
  Off) ;;
  *) die "KYC_UP_KMS_PARKING must be On or Off (got $KYC_UP_KMS_PARKING)" ;;
esac
apply_secret $PLATFORM-kms "${kms_keys[@]}"
# Notifications are e-mailed through the host's Mailpit (make deps; its web UI on $MAILPIT_API), the
# recipients' addresses sealed under contact-keys (docs/notifications.md, "On make up's platform").
apply_secret $PLATFORM-smtp "host=$NODE_IP" "port=${MAILPIT_SMTP##*:}" "tls=none" "from=KYC <kyc@kyc.local>"
# Backups (off unless KYC_UP_BACKUP=On): the bucket and their Secrets (hack/up/backup.sh).
up_backup_secrets
apply_secret $PLATFORM-platform "token-signing-keys=$SIGNING_KEYS" "pii-keys=k1:$PII" "admin-email=$ADMIN_EMAIL" "admin-password=$ADMIN_PASSWORD" \
  "contact-keys=k1:$(secret contact-key 32)"

step "KycPlatform $NS/$PLATFORM (version $VERSION) and the gateway NodePort"
# The sample runs each service with its own PostgreSQL role and Redis user, migrations by the owner role
# in an init container (docs/security.md, "Per-service credentials"); KYC_UP_CREDENTIALS=Shared gives
# every service the one credential instead.
sample_edits=(-e "s|^  version: .*|  version: \"$VERSION\"|")
case ${KYC_UP_CREDENTIALS:-PerComponent} in
  PerComponent) ;;
  Shared) sample_edits+=(-e "/^      credentials: PerComponent\$/d") ;;
  *) die "KYC_UP_CREDENTIALS must be Shared or PerComponent (got $KYC_UP_CREDENTIALS)" ;;
esac
# Every hop is TLS 1.3 under the platform's own CA, the gateway's NodePort too (its certificate names
# the node's address, localhost and 127.0.0.1: the sample's spec.tls.publicNames); KYC_UP_TLS=Disabled
# serves plain HTTP everywhere instead (allowed for the development profile only).
case ${KYC_UP_TLS:-BuiltIn} in
  BuiltIn) ;;
  Disabled) sample_edits+=(-e "s|^    mode: BuiltIn\$|    mode: Disabled|") ;;
  *) die "KYC_UP_TLS must be BuiltIn or Disabled (got $KYC_UP_TLS)" ;;
esac
# The stores declared TLS (KYC_UP_STORE_TLS above), and the egress policies on their TLS ports.
if [[ ${KYC_UP_STORE_TLS:-Required} == Required ]]; then
  sample_edits+=(-e '/^        name: kyc-dev-\(postgres\|redis\|kafka\)$/a\      tls: Required'
    -e "s|^      ports: \[${REDIS_URL##*:}\]\$|      ports: [${REDIS_TLS_URL##*:}]|"
    -e "s|^      ports: \[$KAFKA_POD_PORT\]\$|      ports: [$((${KYC_KAFKA_PORT:-19092} + 4))]|")
fi
# Kafka's principal per service (above): the field, and the egress policies on the SASL_SSL port.
if [[ $KAFKA_CREDENTIALS == PerComponent ]]; then
  sample_edits+=(-e '/^        name: kyc-dev-kafka$/a\      credentials: PerComponent'
    -e "s|^      ports: \[$((${KYC_KAFKA_PORT:-19092} + 4))\]\$|      ports: [$((${KYC_KAFKA_PORT:-19092} + 6))]|")
fi
mapfile -t backup_edits < <(up_backup_sample_edits)
sample_edits+=("${backup_edits[@]}")
sed "${sample_edits[@]}" samples/local-real-node.yaml | kubectl -n "$NS" apply -f - >/dev/null
# The gateway from the host: the operator's active gateway Service made a NodePort on the real node
# (kube-proxy serves NodePorts on $NODE_IP). Through the operator's own Service, the NodePort follows
# every blue-green switch; `make up` only owns its type, nodePort and label (server-side apply of
# hack/up/gateway-nodeport.yaml).
kubectl -n "$NS" delete service "$PLATFORM-gateway-nodeport" --ignore-not-found >/dev/null # before: a Service of its own
wait_for 120 "Service $PLATFORM-gateway" kubectl -n "$NS" get service "$PLATFORM-gateway" ||
  die "the operator did not create Service $NS/$PLATFORM-gateway: kubectl -n kyc-system logs deploy/kyc-operator"
render hack/up/gateway-nodeport.yaml PLATFORM NODE_PORT |
  kubectl -n "$NS" apply --server-side --field-manager kyc-up -f - >/dev/null

step "waiting for the platform to be Ready (the first start migrates the databases)"
deadline=$((SECONDS + ${KYC_UP_TIMEOUT:-600})) last=
while :; do
  line=$(kubectl -n "$NS" get kycp $PLATFORM -o jsonpath='{.status.phase} {.status.readyComponents} {.status.activeVersion}' 2>/dev/null || true)
  [[ $line != "$last" ]] && { log "[$((SECONDS - START))s]   $PLATFORM: ${line:-no status yet}"; last=$line; }
  # Every component the spec runs is ready ("Ready 6/6", fewer when some are disabled) at the version.
  [[ $line =~ ^Ready\ ([0-9]+)/([0-9]+)\ (.+)$ && ${BASH_REMATCH[1]} == "${BASH_REMATCH[2]}" && ${BASH_REMATCH[3]} == "$VERSION" ]] && break
  if ((SECONDS > deadline)); then
    kubectl -n "$NS" get pods -o wide >&2 || true
    die "the platform is not Ready after ${KYC_UP_TIMEOUT:-600}s: kubectl -n $NS describe kycp $PLATFORM; kubectl -n $NS logs deploy/$PLATFORM-kyc"
  fi
  sleep 2
done
# The trust anchor for clients outside the cluster: the CA bundle the operator puts beside the gateway's
# certificate. No Secret (TLS Disabled, or an operator that issues no certificates): plain HTTP.
CA_FILE=$UP_DIR/ca.crt CACERT=
rm -f "$CA_FILE"
if [[ ${KYC_UP_TLS:-BuiltIn} == BuiltIn ]]; then
  if kubectl -n "$NS" get secret "$PLATFORM-gateway-tls" -o jsonpath='{.data.ca\.crt}' 2>/dev/null | base64 -d >"$CA_FILE.tmp" && [[ -s $CA_FILE.tmp ]]; then
    mv "$CA_FILE.tmp" "$CA_FILE" && CACERT="--cacert $CA_FILE"
  else
    rm -f "$CA_FILE.tmp"
    log "no Secret $NS/$PLATFORM-gateway-tls with a ca.crt: this operator serves plain HTTP"
  fi
fi
URL=$([[ -n $CACERT ]] && echo https || echo http)://$NODE_IP:$NODE_PORT
# shellcheck disable=SC2086 # CACERT is empty or two words
wait_for 120 "gateway" curl -fsS $CACERT -o /dev/null "$URL/ready" || die "the gateway does not answer on $URL/ready"
step "ready"

# The CA line is made here, not as a multi-line ${CACERT:+...} inside the here-document: bash then drops the
# double quotes of every later line, and the copy-paste commands below would not run.
ca_note=
[[ -n $CACERT ]] && ca_note="CA: $CA_FILE  (the platform's own, TLS 1.3 only: curl --cacert it; a browser warns until it is imported)
"
cat <<EOF

kyc-operator is up: the operator runs in kyc-system, KycPlatform $NS/$PLATFORM runs version $VERSION
on the real node. Gateway: $URL  (NodePort $NODE_PORT of Service $NS/$PLATFORM-gateway)
Web app: $URL/  (customers register and apply there; staff sign in there for the review queue)
${ca_note}  export KUBECONFIG=$KUBECONFIG PATH=$K8S_BIN:\$PATH
  kubectl get kycp,pods -n $NS -o wide
  Admin: $ADMIN_EMAIL, password in $UP_DIR/admin-password (mode 0600)

Try it (copy-paste):

G=$URL/api/v1
CA="$CACERT"
J='content-type: application/json'
EMAIL=asha.\$RANDOM@example.com
curl -s \$CA -X POST \$G/auth/register -H "\$J" -d "{\"email\":\"\$EMAIL\",\"password\":\"a-long-password-1\"}"; echo
AT=\$(curl -s \$CA -X POST \$G/auth/login -H "\$J" -d "{\"email\":\"\$EMAIL\",\"password\":\"a-long-password-1\"}" | sed -E 's/.*"accessToken":"([^"]+)".*/\1/')
APP=\$(curl -s \$CA -X POST \$G/applications -H "authorization: Bearer \$AT" -H "\$J" -H "Idempotency-Key: \$(cat /proc/sys/kernel/random/uuid)" \\
  -d '{"consent":{"purposes":["kyc_verification"],"noticeVersion":"v1"}}' | sed -E 's/^\{"id":"([^"]+)".*/\1/'); echo "application \$APP"
curl -s \$CA -X PATCH \$G/applications/\$APP -H "authorization: Bearer \$AT" -H "\$J" -d '{"name":"Asha Verma","dateOfBirth":"1990-04-12",
  "pan":"ABCPV1234F","aadhaar":"234123412346","address":{"line1":"12 MG Road","city":"Pune","state":"Maharashtra","pincode":"411001"}}'; echo
PDF=\$(printf '%%PDF-1.4\nsample\n' | base64 -w0)
for T in passport pan_card; do curl -s \$CA -X POST \$G/applications/\$APP/documents -H "authorization: Bearer \$AT" -H "\$J" \\
  -d "{\"type\":\"\$T\",\"contentType\":\"application/pdf\",\"content\":\"\$PDF\"}"; echo; done
curl -s \$CA -X POST \$G/applications/\$APP/submit -H "authorization: Bearer \$AT"; echo
curl -s \$CA -i \$G/applications/\$APP -H "authorization: Bearer \$AT" | grep -iE '^(HTTP|x-kyc-version)|"state"'

'make down' stops everything. 'make e2e' runs the end-to-end suite against this platform.
EOF
