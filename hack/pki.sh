#!/usr/bin/env bash
# Generates the local cluster's certificates with openssl into $1 (idempotent: an existing, complete
# set is kept, and certificates added to the set later are issued into it with its CA). A new set is
# written to a temporary directory first so that a half-made set never survives.
source "$(dirname "$0")/lib.sh"
require_cmd openssl "install it (apt-get install -y openssl) and re-run"

dir=$1

ca() { # ca NAME CN
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.crt" -days 3650 -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
}
# cert NAME CA SUBJECT USAGE [SANS]
cert() {
  local name=$1 ca=$2 subj=$3 usage=$4 sans=${5:-}
  openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "$subj" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [[ -n $sans ]] && echo "subjectAltName=$sans"
  } >"$name.ext"
  openssl x509 -req -in "$name.csr" -CA "$ca.crt" -CAkey "$ca.key" -CAcreateserial -out "$name.crt" \
    -days 3650 -extfile "$name.ext" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

# Certificates added to the set after its first version: issued into an existing set when missing, so
# a cluster made before them keeps its CA (and everything signed by it).
extra_certs() {
  # metrics-server: its client certificate (API server, kubelets) and its serving certificate for the
  # aggregator, which checks it against the APIService's caBundle under the Service's DNS name.
  cert_once metrics-server ca "/CN=system:metrics-server" clientAuth
  cert_once metrics-server-serving ca "/CN=metrics-server.kube-system.svc" serverAuth \
    "DNS:metrics-server.kube-system.svc,DNS:metrics-server.kube-system.svc.cluster.local,IP:127.0.0.1"
  # KWOK serves the fake nodes' kubelet endpoints (metrics, logs) on 127.0.0.1 with this certificate.
  cert_once kwok-serving ca "/CN=kwok-kubelet" serverAuth "IP:127.0.0.1,DNS:localhost"
}

cert_once() { # cert_once NAME ...: cert NAME ... unless NAME.crt exists
  [[ -f $1.crt ]] && return 0
  cert "$@"
  chmod 600 "$1.key"
}

if [[ -f $dir/.complete ]]; then
  cd "$dir" || exit 1
  extra_certs
  exit 0
fi
log "generating cluster certificates in $dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

ca ca kyc-local-ca
ca front-proxy-ca kyc-local-front-proxy-ca
cert apiserver ca "/CN=kube-apiserver" serverAuth \
  "IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
cert admin ca "/O=system:masters/CN=kubernetes-admin" clientAuth
cert controller-manager ca "/CN=system:kube-controller-manager" clientAuth
cert scheduler ca "/CN=system:kube-scheduler" clientAuth
cert kwok ca "/O=system:masters/CN=kwok-controller" clientAuth
cert apiserver-kubelet-client ca "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
cert front-proxy-client front-proxy-ca "/CN=front-proxy-client" clientAuth
extra_certs
openssl genrsa -out sa.key 2048 2>/dev/null
openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
chmod 600 ./*.key
touch .complete
rm -rf "$dir" && mkdir -p "$(dirname "$dir")" && cp -a "$tmp" "$dir"
