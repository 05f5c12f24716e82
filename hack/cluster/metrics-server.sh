# shellcheck shell=bash
# metrics-server as a host process, registered as the APIService v1beta1.metrics.k8s.io: the aggregator
# reaches it through the selector-less Service kube-system/metrics-server, whose Endpoints carry this
# host's address (Endpoints refuse loopback, so it listens on that address). It scrapes the kubelets
# (KWOK for the fake nodes, the real kubelet for the real node) with its own client certificate and
# checks their serving certificates against the cluster CA. Its RBAC, Service, Endpoints and APIService:
# hack/cluster/metrics-server.yaml.

# The address metrics-server listens on and the Endpoints name: the host's first global IPv4 address
# (KYC_HOST_ADDRESS overrides it), the same one the scaling suites use for theirs.
host_address() {
  if [[ -n ${KYC_HOST_ADDRESS:-} ]]; then echo "$KYC_HOST_ADDRESS"; return; fi
  local address
  address=$(ip -4 -o addr show scope global 2>/dev/null | awk '{split($4, a, "/"); print a[1]; exit}')
  [[ -n $address ]] || address=$(hostname -I 2>/dev/null | awk '{print $1}')
  [[ -n $address ]] || die "this host has no non-loopback IPv4 address for metrics-server's Endpoints; set KYC_HOST_ADDRESS"
  echo "$address"
}

metrics_server_up() {
  local address ca_bundle
  address=$(host_address)
  ca_bundle=$(base64 -w0 "$PKI/ca.crt")
  # (kubectl's warning that v1 Endpoints are deprecated is dropped: the aggregator resolves them.)
  local out
  out=$(render "$CLUSTER_TEMPLATES/metrics-server.yaml" METRICS_SERVER_PORT address ca_bundle | kubectl_ apply --server-side --force-conflicts --field-manager kyc-cluster -f - 2>&1) || {
    echo "$out" >&2
    die "could not register metrics-server (RBAC, Service, Endpoints, APIService)"
  }
  local cmd=("$METRICS_SERVER_BIN/metrics-server" --kubeconfig "$CLUSTER_DIR/metrics-server.kubeconfig"
    --authentication-kubeconfig "$CLUSTER_DIR/metrics-server.kubeconfig"
    --authorization-kubeconfig "$CLUSTER_DIR/metrics-server.kubeconfig"
    --bind-address "$address" --secure-port "$METRICS_SERVER_PORT"
    --tls-cert-file "$PKI/metrics-server-serving.crt" --tls-private-key-file "$PKI/metrics-server-serving.key"
    --kubelet-certificate-authority "$PKI/ca.crt"
    --kubelet-client-certificate "$PKI/metrics-server.crt" --kubelet-client-key "$PKI/metrics-server.key"
    --kubelet-use-node-status-port --kubelet-preferred-address-types InternalIP --kubelet-request-timeout 5s
    --metric-resolution "$METRICS_RESOLUTION")
  restart_if_changed metrics-server "${cmd[@]}"
  START_ADDRESS=$address start metrics-server "$METRICS_SERVER_PORT" "${cmd[@]}"
  # Two scrapes make the first CPU rate; then the aggregator serves it.
  local deadline=$((SECONDS + 120))
  until kubectl_ top nodes >/dev/null 2>&1; do
    pid_alive "$PIDS/metrics-server.pid" || fail_with_log metrics-server "metrics-server exited"
    ((SECONDS < deadline)) || fail_with_log metrics-server "metrics-server did not serve node metrics in 120 s ('kubectl top nodes' fails)"
    sleep 1
  done
}
