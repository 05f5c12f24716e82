# shellcheck shell=bash
# kube-apiserver on loopback, with the aggregation layer (front-proxy certificates) that serves the
# metrics APIs, and no endpoint reconciler (the kubernetes Service gets its endpoint from the real node,
# hack/node/up.sh). KYC_APISERVER_EXTRA_ARGS adds flags (split into words).

# Secrets are encrypted at rest in etcd with aesgcm (docs/security.md, "Secrets at rest"): a random
# 256-bit key made once and kept beside the etcd data's certificates (`make clean` removes both together),
# identity second so that Secrets written before still read. A KMS v2 plugin is what a real cluster
# should use; none is built here. The flag applies when the API server (re)starts.
encryption_config() {
  local f=$PKI/encryption-config.yaml
  [[ -s $f ]] && return 0
  (umask 077 && printf '%s\n' 'apiVersion: apiserver.config.k8s.io/v1' 'kind: EncryptionConfiguration' 'resources:' \
    '  - resources: [secrets]' '    providers:' '      - aesgcm:' '          keys:' '            - name: key1' \
    "              secret: $(head -c 32 /dev/urandom | base64)" '      - identity: {}' >"$f.tmp") && mv "$f.tmp" "$f"
}

apiserver_up() {
  encryption_config
  # shellcheck disable=SC2086 # KYC_APISERVER_EXTRA_ARGS is a list of flags
  start apiserver "$APISERVER_PORT" "$K8S_BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --encryption-provider-config "$PKI/encryption-config.yaml" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$APISERVER_PORT" \
    --endpoint-reconciler-type none \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --client-ca-file "$PKI/ca.crt" \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types InternalIP,Hostname \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --authorization-mode Node,RBAC --allow-privileged=true \
    --requestheader-client-ca-file "$PKI/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "$PKI/front-proxy-client.crt" --proxy-client-key-file "$PKI/front-proxy-client.key" \
    --enable-aggregator-routing=true \
    --max-requests-inflight 1000 --max-mutating-requests-inflight 500 \
    ${KYC_APISERVER_EXTRA_ARGS:-}
  wait_for 90 apiserver kubectl_ get --raw /readyz || fail_with_log apiserver "kube-apiserver did not become ready in 90 s"
}
