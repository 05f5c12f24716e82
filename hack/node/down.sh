#!/usr/bin/env bash
# Stops the real node: its pods first (through the kubelet, so that the CNI releases their addresses
# and veths), then NetworkPolicy enforcement (its NFQUEUE rules first, then kube-network-policies), the
# kubelet, kube-proxy, CoreDNS, the forwarders and containerd; then removes what
# they leave behind on the host (mounts under $NODE_DIR, network namespaces of its pods, kube-proxy's
# iptables rules, the bridge) and its objects in the cluster. Images and certificates are kept in
# $NODE_DIR and the cache so that the next `make node` is warm. Never touches the control plane.
source "$(dirname "$0")/common.sh"

[[ $(id -u) == 0 ]] || die "run as root (the node's processes, mounts and devices are root's)"
mkdir -p "$NODE_DIR"
exec 8>"$NODE_DIR/up.lock"
flock 8

api_up() { [[ -f $ADMIN_KUBECONFIG ]] && kubectl_ get --raw /readyz >/dev/null 2>&1; }
running_tasks() { ctr_ tasks ls -q 2>/dev/null | grep -c . || true; }

drain_pods() {
  pid_alive "$PIDS/kubelet.pid" && api_up || return 0
  kubectl_ get node "$NODE_NAME" >/dev/null 2>&1 || return 0
  log "deleting the pods on $NODE_NAME"
  kubectl_ cordon "$NODE_NAME" >/dev/null 2>&1 || true
  kubectl_ delete pods --all-namespaces --field-selector "spec.nodeName=$NODE_NAME" --wait=false --grace-period 5 >/dev/null 2>&1 || true
  # The kubelet stops each sandbox (CNI DEL) once its containers are gone.
  local deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)) && [[ -S $CONTAINERD_SOCK ]] && (($(running_tasks) > 0)); do sleep 1; done
}

# Processes whose command line names our containerd socket (its shims), found by pid, never by name.
our_shims() {
  local p
  for p in /proc/[0-9]*; do
    tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -- "-address $CONTAINERD_SOCK " >/dev/null && echo "${p#/proc/}"
  done
}

stop_containerd_and_shims() {
  local pid
  if [[ -S $CONTAINERD_SOCK ]] && (($(running_tasks) > 0)); then
    log "killing $(running_tasks) remaining container task(s)"
    for t in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -s KILL "$t" >/dev/null 2>&1 || true; done
    sleep 2
  fi
  stop_pidfile "$PIDS/containerd.pid" containerd
  for pid in $(our_shims); do kill -KILL "$pid" 2>/dev/null || true; done
}

ip_to_int() { local IFS=.; read -r a b c d <<<"$1"; echo $(((a << 24) | (b << 16) | (c << 8) | d)); }
in_pod_cidr() { # in_pod_cidr IP
  local net bits=${POD_CIDR#*/} mask
  net=$(ip_to_int "${POD_CIDR%/*}")
  mask=$(((0xffffffff << (32 - bits)) & 0xffffffff))
  (($(($(ip_to_int "$1") & mask)) == net))
}

# Network namespaces of this node's pods that a killed sandbox left behind (an address in our pod CIDR).
clean_netns() {
  local ns addr
  for ns in /var/run/netns/cni-*; do
    [[ -e $ns ]] || continue
    for addr in $(ip netns exec "${ns##*/}" ip -4 -o addr show scope global 2>/dev/null | awk '{print $4}'); do
      in_pod_cidr "${addr%/*}" || continue
      log "removing the leftover network namespace ${ns##*/} ($addr)"
      ip netns delete "${ns##*/}" 2>/dev/null || { umount "$ns" 2>/dev/null; rm -f "$ns"; }
      break
    done
  done
}

unmount_all() {
  local m
  # Deepest first; lazily only when a plain unmount is refused.
  while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done < <(awk '{print $5}' /proc/self/mountinfo | grep -F "$NODE_DIR/" | sort -r)
}

# kube-proxy --cleanup removes its service rules; the kubelet's and kube-proxy's remaining KUBE-* chains
# (canaries, KUBE-FIREWALL, KUBE-MARK-MASQ) and the jumps into them go too. Only this node's kubelet and
# kube-proxy create KUBE-* chains on this host.
clean_iptables() {
  if [[ -x $K8S_BIN/kube-proxy ]] && iptables -t nat -nL KUBE-SERVICES >/dev/null 2>&1; then
    "$K8S_BIN/kube-proxy" --cleanup >>"$LOGS/kube-proxy-cleanup.log" 2>&1 || true
  fi
  local ipt table rule chain
  for ipt in iptables ip6tables; do
    command -v "$ipt" >/dev/null || continue
    for table in filter nat mangle; do
      while read -r rule; do
        # shellcheck disable=SC2086 # the rule's words are the arguments
        [[ -n $rule ]] && $ipt -t "$table" -D ${rule#-A } 2>/dev/null || true
      done < <($ipt -t "$table" -S 2>/dev/null | grep -E '^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) .*-j KUBE-' || true)
      for chain in $($ipt -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ {print $2}'); do
        $ipt -t "$table" -F "$chain" 2>/dev/null || true
      done
      for chain in $($ipt -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ {print $2}'); do
        $ipt -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  done
  # The CNI portmap plugin's top-level chains, when no rule refers to them any more.
  for chain in CNI-HOSTPORT-DNAT CNI-HOSTPORT-SNAT CNI-HOSTPORT-MASQ CNI-HOSTPORT-SETMARK; do
    iptables -t nat -F "$chain" 2>/dev/null && iptables -t nat -X "$chain" 2>/dev/null || true
  done
}

# The rules that send new pod connections to kube-network-policies' queue go before the controller
# does: with no reader on the queue, those connections would be dropped.
stop_network_policies() {
  local hook chain
  if command -v iptables >/dev/null; then
    for hook in POSTROUTING:$KNP_CHAIN INPUT:$KNP_CHAIN-IN; do
      while iptables -t mangle -D "${hook%%:*}" -j "${hook#*:}" 2>/dev/null; do :; done
    done
    for chain in "$KNP_CHAIN" "$KNP_CHAIN-IN"; do
      iptables -t mangle -F "$chain" 2>/dev/null && iptables -t mangle -X "$chain" 2>/dev/null || true
    done
  fi
  stop_pidfile "$PIDS/kube-network-policies.pid" kube-network-policies
}

delete_objects() {
  api_up || return 0
  kubectl_ delete node "$NODE_NAME" --ignore-not-found >/dev/null 2>&1 || true
  kubectl_ -n kube-system delete endpointslice kube-dns-real-node --ignore-not-found >/dev/null 2>&1 || true
  kubectl_ -n kube-system delete service kube-dns --ignore-not-found >/dev/null 2>&1 || true
  kubectl_ -n default delete endpointslice kubernetes-real-node --ignore-not-found >/dev/null 2>&1 || true
}

restore_sysctls() {
  local f key
  for f in "$NODE_DIR"/sysctl.*; do
    [[ -f $f ]] || continue
    key=${f##*/sysctl.}
    sysctl -qw "$key=$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
  done
}

drain_pods
stop_network_policies
stop_pidfile "$PIDS/kubelet.pid" kubelet
stop_pidfile "$PIDS/kube-proxy.pid" kube-proxy
stop_pidfile "$PIDS/coredns.pid" coredns
for f in "$PIDS"/forward-*.pid; do [[ -f $f ]] && stop_pidfile "$f" "$(basename "$f" .pid)" group; done
stop_containerd_and_shims
clean_netns
unmount_all
clean_iptables
# No sandbox survives containerd's stop, so no address in the IPAM store is in use any more.
rm -rf "$IPAM_DIR"
if ip link show "$BRIDGE" >/dev/null 2>&1; then log "deleting bridge $BRIDGE"; ip link del "$BRIDGE"; fi
delete_objects
restore_sysctls
log "real node stopped (images and certificates kept in $NODE_DIR)"
