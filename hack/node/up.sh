#!/usr/bin/env bash
# Starts a REAL node in the local cluster (idempotent): containerd + runc + CNI bridge from Debian,
# kubelet and kube-proxy built from the Go module proxy, CoreDNS (Go modules) behind the kube-dns
# Service, kube-network-policies (Go modules) enforcing NetworkPolicies on the node's pods, and the pause
# image made from Debian's static catatonit. The node is tainted
# kyc.dev/real-node=true:NoSchedule and labelled kyc.dev/node=real: only pods that tolerate the taint
# and select the label land on it; everything else keeps landing on the KWOK nodes.
#
# Needs root and the control plane from `make cluster`. State lives in $RUN_DIR/node; `make node-down`
# (hack/node/down.sh) stops everything this script starts and removes its devices and mounts.
source "$(dirname "$0")/common.sh"
# The daemons' configuration files and the node's cluster objects, filled in by lib.sh's render.
NODE_TEMPLATES=$HACK_DIR/node

[[ $(id -u) == 0 ]] || die "the real node needs root (containerd, runc, network namespaces, iptables); run as root"
[[ -f $ADMIN_KUBECONFIG ]] && kubectl_ get --raw /readyz >/dev/null 2>&1 ||
  die "the control plane is not running; run 'make cluster' first"

mkdir -p "$NODE_DIR" "$LOGS" "$PIDS"
exec 8>"$NODE_DIR/up.lock"
flock 8

install_packages() {
  local missing=() p
  for p in containerd:containerd runc:runc /usr/lib/cni/bridge:containernetworking-plugins \
    catatonit:catatonit iptables:iptables conntrack:conntrack socat:socat openssl:openssl; do
    if [[ ${p%%:*} == /* ]]; then [[ -e ${p%%:*} ]] || missing+=("${p#*:}"); else
      command -v "${p%%:*}" >/dev/null 2>&1 || missing+=("${p#*:}"); fi
  done
  ((${#missing[@]})) || return 0
  log "installing Debian packages: ${missing[*]}"
  # The package's own containerd service is not wanted (and cannot start without systemd): ours runs
  # with its own config, root and socket under $NODE_DIR.
  flock /tmp/kyc-apt.lock bash -c "apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${missing[*]} >/dev/null" ||
    die "apt-get install ${missing[*]} failed; run it by hand to see why, then re-run"
}

build_binaries() {
  # build-tools.sh queues behind any other build; skip it when the node's binaries are there.
  [[ -x $K8S_BIN/kubelet && -x $K8S_BIN/kube-proxy && -x $K8S_BIN/kubectl ]] || WITH_NODE=1 "$HACK_DIR/build-tools.sh"
  "$HACK_DIR/node/build.sh"
}

# Cgroup, kernel and sysctl prerequisites; the original values are kept so node-down restores them.
host_setup() {
  [[ -d /sys/fs/cgroup/memory || -f /sys/fs/cgroup/cgroup.controllers ]] ||
    die "no memory cgroup controller at /sys/fs/cgroup; the kubelet cannot run here"
  local key
  for key in net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables; do
    [[ -f $NODE_DIR/sysctl.$key ]] || sysctl -n "$key" >"$NODE_DIR/sysctl.$key" 2>/dev/null || true
    sysctl -qw "$key=1" || die "could not set $key=1 (needed for pod-to-Service traffic)"
  done
  # The bridge exists before the kubelet so that the node's address (the pods' gateway) is stable.
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    log "creating bridge $BRIDGE with $NODE_IP/${POD_CIDR#*/}"
    ip link add "$BRIDGE" type bridge
  fi
  ip -4 addr show dev "$BRIDGE" | grep "inet $NODE_IP/" >/dev/null || ip addr add "$NODE_IP/${POD_CIDR#*/}" dev "$BRIDGE"
  ip link set "$BRIDGE" up
}

# Client and serving certificates signed by the cluster CA; re-issued when the cluster's CA changes.
# A certificate missing from a node that was set up before it existed is issued on its own.
issue_certs() {
  local fp
  fp=$(openssl x509 -in "$CLUSTER_PKI/ca.crt" -noout -fingerprint -sha256 | cut -d= -f2)
  if [[ ! -f $PKI/.ca-fingerprint || $(cat "$PKI/.ca-fingerprint") != "$fp" ]]; then
    log "issuing the node's certificates (signed by the cluster CA)"
    rm -rf "$PKI"
  fi
  mkdir -p "$PKI"
  [[ -f $PKI/kubelet.crt ]] || sign kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
  [[ -f $PKI/kubelet-serving.crt ]] || sign kubelet-serving "/O=system:nodes/CN=system:node:$NODE_NAME" serverAuth "IP:$NODE_IP,IP:127.0.0.1,DNS:$NODE_NAME"
  [[ -f $PKI/kube-proxy.crt ]] || sign kube-proxy "/CN=system:kube-proxy" clientAuth
  [[ -f $PKI/coredns.crt ]] || sign coredns "/CN=kyc:coredns" clientAuth
  [[ -f $PKI/kube-network-policies.crt ]] || sign kube-network-policies "/CN=kyc:kube-network-policies" clientAuth
  echo "$fp" >"$PKI/.ca-fingerprint"
}

sign() { # sign NAME SUBJECT USAGE [SANS]
  local name=$1 subj=$2 usage=$3 sans=${4:-}
  openssl req -newkey rsa:2048 -nodes -keyout "$PKI/$name.key" -out "$PKI/$name.csr" -subj "$subj" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [[ -n $sans ]] && echo "subjectAltName=$sans"
  } >"$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$CLUSTER_PKI/ca.crt" -CAkey "$CLUSTER_PKI/ca.key" \
    -CAcreateserial -CAserial "$PKI/ca.srl" -out "$PKI/$name.crt" -days 3650 -extfile "$PKI/$name.ext" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
  chmod 600 "$PKI/$name.key"
}

kubeconfig() { # kubeconfig NAME
  kubeconfig_yaml "$1" "$PKI" "$CLUSTER_PKI/ca.crt" "https://127.0.0.1:$APISERVER_PORT" | put "$NODE_DIR/$1.kubeconfig"
}

# put FILE: writes stdin to FILE only when the content differs (kube-proxy exits when its
# configuration file is rewritten, and an unchanged file must not restart anything).
put() {
  local tmp; tmp=$(mktemp "$1.XXXXXX")
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv "$tmp" "$1"; fi
}

# put_template FILE TEMPLATE NAME...: puts the template hack/node/TEMPLATE with the named variables
# filled in (lib.sh's render); FILE is left alone when that fails.
put_template() {
  local _put_file=$1 _put_text; shift # (named so that they hide no variable a template names)
  _put_text=$(render "$NODE_TEMPLATES/$1" "${@:2}" && echo .) || die "could not write $_put_file from hack/node/$1"
  printf '%s' "${_put_text%.}" | put "$_put_file"
}

# The daemons' configuration files, from the templates beside this script: containerd with its own
# root, state and socket (never the system default); the CNI bridge network of the pods; the kubelet,
# kube-proxy and CoreDNS (which answers on the bridge address).
write_configs() {
  mkdir -p "$CONTAINERD_DIR" "$CNI_CONF_DIR" "$IPAM_DIR" "$KUBELET_ROOT" "$NODE_DIR/pod-logs" "$NODE_DIR/kube-proxy" "$NODE_DIR/coredns"
  for k in kubelet kube-proxy coredns kube-network-policies; do kubeconfig "$k"; done
  local pause_ref runc
  pause_ref=$(cat "$NODE_DIR/pause.ref")
  runc=$(command -v runc) || die "runc is not installed (install_packages installs it)"

  put_template "$CONTAINERD_DIR/config.toml" containerd.toml \
    CONTAINERD_DIR CONTAINERD_SOCK pause_ref runc CNI_BIN_DIR CNI_CONF_DIR
  put_template "$CNI_CONF_DIR/10-kyc-bridge.conflist" cni-bridge.conflist BRIDGE IPAM_DIR POD_CIDR NODE_IP
  put_template "$KUBELET_DIR/config.yaml" kubelet.yaml \
    NODE_IP CLUSTER_PKI PKI CONTAINERD_SOCK DNS_IP CLUSTER_DOMAIN POD_CIDR NODE_DIR KUBELET_DIR
  put_template "$NODE_DIR/kube-proxy/config.yaml" kube-proxy.yaml NODE_DIR NODE_NAME NODE_IP CLUSTER_CIDR
  put_template "$NODE_DIR/coredns/Corefile" Corefile NODE_IP CLUSTER_DOMAIN NODE_DIR
}

# Objects in the cluster (hack/node/cluster-objects.yaml): CoreDNS's and kube-network-policies' read
# access, the kube-dns Service at a fixed ClusterIP, and EndpointSlices that put the bridge address
# behind kube-dns and behind the kubernetes Service (the API server runs with
# --endpoint-reconciler-type none, so nothing else gives that Service an endpoint).
apply_objects() {
  render "$NODE_TEMPLATES/cluster-objects.yaml" MANAGED_BY DNS_IP NODE_IP APISERVER_PORT | kubectl_ apply -f - >/dev/null ||
    die "could not create the node's cluster objects (RBAC, kube-dns)"
}

# start NAME "FILES" CMD...: starts a daemon unless it already runs with the same command line and the
# same contents of FILES (its configuration and certificates); a changed one is restarted. Restarting
# containerd or the kubelet leaves running pods alone.
start() {
  local name=$1 files=$2 want; shift 2
  # shellcheck disable=SC2086 # FILES is a list
  want=$({ printf '%s\n' "$*"; [[ -z $files ]] || cat $files; } | sha256sum | cut -c1-16)
  if pid_alive "$PIDS/$name.pid"; then
    [[ $(cat "$PIDS/$name.hash" 2>/dev/null) == "$want" ]] && return 0
    log "the configuration of $name changed: restarting it"
    # socat forks a child per connection: its whole process group goes; the others by their pid only
    # (containerd's shims must survive a containerd restart).
    if [[ $name == forward-* ]]; then stop_pidfile "$PIDS/$name.pid" "$name" group; else stop_pidfile "$PIDS/$name.pid" "$name"; fi
  fi
  start_daemon "$name" "$PIDS/$name.pid" "$LOGS/$name.log" "$@" 8>&- # not the lock
  echo "$want" >"$PIDS/$name.hash"
}

fail_with_log() { # fail_with_log NAME WHAT
  echo "--- last lines of $LOGS/$1.log ---" >&2
  tail -n 20 "$LOGS/$1.log" >&2 || true
  die "$2; 'make node-down && make node' starts over"
}

listening() { [[ -n $(ss -Hltn "src $1 and sport = :$2") ]]; }

start_containerd() {
  start containerd "$CONTAINERD_DIR/config.toml" containerd --config "$CONTAINERD_DIR/config.toml"
  wait_for 60 containerd ctr_ version || fail_with_log containerd "containerd did not answer on $CONTAINERD_SOCK in 60 s"
}

build_pause() {
  "$HACK_DIR/node/pause-image.sh" "$CACHE_DIR/node-images" >"$NODE_DIR/pause.image" || die "building the pause image failed"
  cut -d' ' -f1 "$NODE_DIR/pause.image" >"$NODE_DIR/pause.ref"
}

import_pause() {
  local ref archive
  read -r ref archive <"$NODE_DIR/pause.image"
  ctr_ images ls -q | grep -x "$ref" >/dev/null && return 0
  log "importing the pause image $ref"
  ctr_ images import --base-name "${ref%:*}" "$archive" >/dev/null || die "ctr images import of $archive failed"
  ctr_ images ls -q | grep -x "$ref" >/dev/null || die "the pause image $ref is not in containerd after the import"
}

start_forwarders() {
  local port
  for port in $FORWARD_PORTS; do
    start "forward-$port" "" socat -lf "$LOGS/forward-$port.log" "TCP-LISTEN:$port,bind=$NODE_IP,fork,reuseaddr" "TCP:127.0.0.1:$port"
  done
  for port in $FORWARD_PORTS; do
    wait_for 20 "forward-$port" listening "$NODE_IP" "$port" || fail_with_log "forward-$port" "the forwarder $NODE_IP:$port -> 127.0.0.1:$port did not start"
  done
}

node_registered() { kubectl_ get node "$NODE_NAME" >/dev/null 2>&1; }
node_ready() { [[ $(kubectl_ get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}') == True ]]; }

start_kubelet() {
  # A kubelet registers its Node once, at start: if the Node is gone (a new cluster, or someone deleted
  # it) a running kubelet is restarted so that it registers again.
  if pid_alive "$PIDS/kubelet.pid" && ! node_registered; then
    log "node $NODE_NAME is not registered: restarting the kubelet"
    stop_pidfile "$PIDS/kubelet.pid" kubelet
  fi
  start kubelet "$KUBELET_DIR/config.yaml $NODE_DIR/kubelet.kubeconfig $PKI/kubelet.crt $PKI/kubelet-serving.crt" "$K8S_BIN/kubelet" --config "$KUBELET_DIR/config.yaml" \
    --kubeconfig "$NODE_DIR/kubelet.kubeconfig" --root-dir "$KUBELET_ROOT" \
    --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" --node-labels kyc.dev/node=real \
    --pod-infra-container-image "$(cat "$NODE_DIR/pause.ref")"
  wait_for 60 kubelet curl -fsS http://127.0.0.1:10248/healthz || fail_with_log kubelet "the kubelet did not become healthy in 60 s"
  wait_for 90 kubelet node_registered || fail_with_log kubelet "the kubelet did not register node $NODE_NAME in 90 s"
  # The controller-manager does not allocate node CIDRs here; the node's range is set once, by us.
  if [[ -z $(kubectl_ get node "$NODE_NAME" -o jsonpath='{.spec.podCIDR}') ]]; then
    kubectl_ patch node "$NODE_NAME" --type merge -p "{\"spec\":{\"podCIDR\":\"$POD_CIDR\",\"podCIDRs\":[\"$POD_CIDR\"]}}" >/dev/null
  fi
}

start_kube_proxy() {
  start kube-proxy "$NODE_DIR/kube-proxy/config.yaml $NODE_DIR/kube-proxy.kubeconfig $PKI/kube-proxy.crt" "$K8S_BIN/kube-proxy" --config "$NODE_DIR/kube-proxy/config.yaml"
  wait_for 60 kube-proxy curl -fsS http://127.0.0.1:10256/livez || fail_with_log kube-proxy "kube-proxy did not become healthy in 60 s"
}

start_coredns() {
  start coredns "$NODE_DIR/coredns/Corefile $NODE_DIR/coredns.kubeconfig $PKI/coredns.crt" "$COREDNS_BIN" -conf "$NODE_DIR/coredns/Corefile"
  wait_for 60 coredns curl -fsS http://127.0.0.1:18181/ready || fail_with_log coredns "CoreDNS did not become ready in 60 s"
}

# NetworkPolicy enforcement. kube-network-policies takes the first packet of every new connection from
# its NFQUEUE and accepts or drops it by the policies of the pods at either end. Upstream it programs
# the nftables rules that feed its queue itself, but this kernel has no nftables `queue` expression
# (CONFIG_NFT_QUEUE is not set, and modules cannot be loaded): its rules are refused (it logs
# "syncing nftables rules" with the error and keeps evaluating whatever reaches its queue). The rules
# below feed the queue with the xtables NFQUEUE target (built in), mirroring upstream's: established
# and related packets and the host's own root processes (kubelet probes, the API server, the
# forwarders) pass; every other new connection from or to a pod address is queued, on POSTROUTING
# (pod to pod, also across the bridge, and pod to elsewhere, after kube-proxy's DNAT) and on INPUT
# (pod to an address of this host: the deps' forwarders, CoreDNS, the API server's forwarder, which
# upstream's POSTROUTING-only rules would never see). No --queue-bypass: with the controller down, new
# pod connections are dropped (fail closed, upstream's default).
knp_rules() { # the wanted contents of the two chains, as iptables -S prints them (hack/node/netpol.rules)
  render "$NODE_TEMPLATES/netpol.rules" KNP_CHAIN KNP_QUEUE POD_CIDR BRIDGE
}

queue_bound() { awk -v q="$KNP_QUEUE" '$1 == q {found = 1} END {exit !found}' /proc/net/netfilter/nfnetlink_queue; }

steer_to_network_policies() {
  local have
  have=$({ iptables -t mangle -S "$KNP_CHAIN" && iptables -t mangle -S "$KNP_CHAIN-IN"; } 2>/dev/null || true)
  if [[ $have != "$(knp_rules)" ]]; then
    log "sending new pod connections to kube-network-policies (NFQUEUE $KNP_QUEUE)"
    local chain rule
    for chain in "$KNP_CHAIN" "$KNP_CHAIN-IN"; do
      iptables -t mangle -N "$chain" 2>/dev/null || iptables -t mangle -F "$chain"
    done
    while read -r rule; do
      [[ $rule == -A* ]] || continue
      # shellcheck disable=SC2086 # the rule's words are the arguments
      iptables -t mangle $rule || die "iptables -t mangle $rule failed (needs the xtables NFQUEUE target, conntrack and owner matches)"
    done < <(knp_rules)
  fi
  iptables -t mangle -C POSTROUTING -j "$KNP_CHAIN" 2>/dev/null || iptables -t mangle -I POSTROUTING -j "$KNP_CHAIN"
  iptables -t mangle -C INPUT -j "$KNP_CHAIN-IN" 2>/dev/null || iptables -t mangle -I INPUT -j "$KNP_CHAIN-IN"
}

start_network_policies() {
  start kube-network-policies "$NODE_DIR/kube-network-policies.kubeconfig $PKI/kube-network-policies.crt" "$KNP_BIN" \
    --kubeconfig "$NODE_DIR/kube-network-policies.kubeconfig" --hostname-override "$NODE_NAME" \
    --nfqueue-id "$KNP_QUEUE" --metrics-bind-address "127.0.0.1:$KNP_METRICS_PORT" -v=2
  # The queue must have its reader before any packet is sent to it (fail closed drops them otherwise).
  wait_for 60 kube-network-policies queue_bound || fail_with_log kube-network-policies "kube-network-policies did not bind NFQUEUE $KNP_QUEUE in 60 s"
  steer_to_network_policies
}

started=$SECONDS
install_packages
build_binaries
host_setup
issue_certs
build_pause
write_configs
start_containerd
import_pause
apply_objects
start_forwarders
start_coredns
start_kubelet
start_kube_proxy
start_network_policies
wait_for 120 node node_ready || fail_with_log kubelet "node $NODE_NAME did not become Ready in 120 s"
# The project's base image, when it has been built (make base-image), is imported as well.
if [[ -f $CACHE_DIR/image/node-base.ref ]]; then "$HACK_DIR/image/build.sh" import; fi
log "real node $NODE_NAME Ready in $((SECONDS - started)) s (pods $POD_CIDR on $BRIDGE, DNS $DNS_IP, NetworkPolicies enforced, taint kyc.dev/real-node=true:NoSchedule)"
echo "pods land on it with: nodeSelector {kyc.dev/node: real} and toleration {key: kyc.dev/real-node, operator: Exists, effect: NoSchedule}"
