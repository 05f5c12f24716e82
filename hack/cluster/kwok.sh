# shellcheck shell=bash
# KWOK: the fake nodes (spread over three zones), their kubelet-style resource metrics and the usage it
# emulates for their pods (docs/autoscaling.md). Manifests: hack/cluster/kwok-metric.yaml,
# kwok-usage.yaml and fake-node.yaml.

# The KWOK module's source (its CRDs and its kubelet-style resource Metric), from the Go module cache.
kwok_source() {
  local dir
  dir=$(cd "$HACK_DIR/tools/kwok" && go mod download -json "sigs.k8s.io/kwok@v$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -d $dir/kustomize ]] || die "the source of sigs.k8s.io/kwok@v$KWOK_VERSION is not in the Go module cache (go mod download failed)"
  echo "$dir"
}

kwok_up() {
  # KWOK reads its resource Metric and the emulated usage from these CRDs, so they exist before it starts.
  local kwok_src crd
  kwok_src=$(kwok_source)
  for crd in "${KWOK_CRDS[@]}"; do
    kubectl_ apply --server-side --field-manager kyc-cluster -f "$kwok_src/kustomize/crd/bases/kwok.x-k8s.io_$crd.yaml" >/dev/null ||
      die "could not install KWOK's $crd CRD"
  done
  local names=()
  for crd in "${KWOK_CRDS[@]}"; do names+=("crd/$crd.kwok.x-k8s.io"); done
  wait_for 60 kwok-crds kubectl_ wait --for condition=Established --timeout 5s "${names[@]}" ||
    fail_with_log apiserver "KWOK's CRDs were not established in 60 s"
  # KWOK's kubelet-style resource metrics and the usage it reports for a pod (docs/autoscaling.md). KWOK
  # adds a Metric's route when it sees it but cannot change it: a changed Metric restarts KWOK.
  local before after
  before=$(kubectl_ get metrics.kwok.x-k8s.io kyc-kubelet-resource-metrics -o jsonpath='{.metadata.generation}' 2>/dev/null || true)
  kwok_objects | kubectl_ apply --server-side --field-manager kyc-cluster -f - >/dev/null ||
    die "could not create KWOK's resource Metric and ClusterResourceUsage"
  after=$(kubectl_ get metrics.kwok.x-k8s.io kyc-kubelet-resource-metrics -o jsonpath='{.metadata.generation}')
  if [[ -n $before && $before != "$after" ]] && pid_alive "$PIDS/kwok.pid"; then
    log "restarting kwok: its resource Metric changed"
    stop_pidfile "$PIDS/kwok.pid" kwok
  fi
  # The fake nodes' kubelet endpoint is KWOK's server: 127.0.0.1:$KWOK_PORT over TLS (the cluster CA),
  # serving /metrics/nodes/<node>/metrics/resource like a kubelet's /metrics/resource.
  local kwok_cmd=("$KWOK_BIN/kwok" --kubeconfig "$CLUSTER_DIR/kwok.kubeconfig"
    --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake
    --node-lease-duration-seconds 40 --server-address "127.0.0.1:$KWOK_PORT"
    --node-ip 127.0.0.1 --node-port "$KWOK_PORT"
    --tls-cert-file "$PKI/kwok-serving.crt" --tls-private-key-file "$PKI/kwok-serving.key"
    --enable-crds "Metric,ClusterResourceUsage,ResourceUsage")
  restart_if_changed kwok "${kwok_cmd[@]}"
  start kwok "$KWOK_PORT" "${kwok_cmd[@]}"
}

# kwok-metric.yaml is what a kubelet's /metrics/resource says, for each fake node at
# /metrics/nodes/<node>/metrics/resource: the containers' emulated usage (CPU as a counter of
# core-seconds, memory as a working set), and for the node that of its pods plus 100m CPU and 256Mi for
# the node itself (metrics-server drops a node that reports no CPU or memory at all, as an empty node
# would). kwok-usage.yaml is the emulated usage of every pod on a fake node: each container uses what the
# pod's annotations kwok.x-k8s.io/usage-cpu and kwok.x-k8s.io/usage-memory say (Kubernetes quantities),
# else 1m CPU and 16Mi of memory. A ResourceUsage named like a pod overrides this for that pod.
kwok_objects() {
  render "$CLUSTER_TEMPLATES/kwok-metric.yaml" && echo --- && render "$CLUSTER_TEMPLATES/kwok-usage.yaml"
}

fake_nodes_up() {
  fake_nodes | kubectl_ apply -f - >/dev/null || die "could not create the fake nodes"
  wait_for 60 nodes nodes_ready || fail_with_log kwok "the fake nodes did not become Ready in 60 s"
  fake_node_endpoints || die "could not point the fake nodes' kubelet endpoint at KWOK"
  # KWOK can miss a Metric that exists when it starts (it only adds routes on changes it sees): a
  # change makes it add the route.
  if ! wait_for 10 kwok-metrics kwok_metrics_served; then
    kubectl_ annotate metrics.kwok.x-k8s.io kyc-kubelet-resource-metrics --overwrite "kyc.dev/resync=$(date +%s%N)" >/dev/null
    wait_for 30 kwok-metrics kwok_metrics_served || fail_with_log kwok "KWOK does not serve the fake nodes' resource metrics (/metrics/nodes/kwok-node-0/metrics/resource)"
  fi
}

# Fake nodes spread over three zones so that topology spread constraints have something to spread over.
fake_nodes() {
  local i name zone pod_cidr zones=(a b c)
  for ((i = 0; i < FAKE_NODES; i++)); do
    name=kwok-node-$i zone=${zones[i % 3]} pod_cidr=10.244.$((i * 16)).0/20
    render "$CLUSTER_TEMPLATES/fake-node.yaml" name zone pod_cidr || return 1
  done
}

# Each fake node's InternalIP and kubelet port name KWOK's server (KWOK keeps addresses a node has, so
# nodes made before --node-ip are set here).
fake_node_endpoints() {
  local i
  for ((i = 0; i < FAKE_NODES; i++)); do
    kubectl_ patch node "kwok-node-$i" --subresource status --type merge -p "{\"status\": {
      \"addresses\": [{\"type\": \"InternalIP\", \"address\": \"127.0.0.1\"}, {\"type\": \"Hostname\", \"address\": \"kwok-node-$i\"}],
      \"daemonEndpoints\": {\"kubeletEndpoint\": {\"Port\": $KWOK_PORT}}}}" >/dev/null || return 1
  done
}

kwok_metrics_served() {
  curl -fsS --cacert "$PKI/ca.crt" "https://127.0.0.1:$KWOK_PORT/metrics/nodes/kwok-node-0/metrics/resource" -o /dev/null
}

nodes_ready() {
  local ready
  ready=$(kubectl_ get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c True)
  ((ready >= FAKE_NODES))
}
