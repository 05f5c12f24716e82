#!/usr/bin/env bash
# Shows the real node's processes and, when the control plane answers, its Node object.
source "$(dirname "$0")/common.sh"

for c in containerd coredns kubelet kube-proxy kube-network-policies; do
  if pid_alive "$PIDS/$c.pid"; then echo "$c: running (pid $(cat "$PIDS/$c.pid"))"; else echo "$c: stopped"; fi
done
if iptables -t mangle -C POSTROUTING -j "$KNP_CHAIN" 2>/dev/null && iptables -t mangle -C INPUT -j "$KNP_CHAIN-IN" 2>/dev/null; then
  echo "NetworkPolicy enforcement: new pod connections go to NFQUEUE $KNP_QUEUE"
else
  echo "NetworkPolicy enforcement: off (no NFQUEUE rules; make node adds them)"
fi
for port in $FORWARD_PORTS; do
  if pid_alive "$PIDS/forward-$port.pid"; then echo "forward $NODE_IP:$port -> 127.0.0.1:$port: running"; else echo "forward $NODE_IP:$port: stopped"; fi
done
if [[ -f $ADMIN_KUBECONFIG ]] && kubectl_ get node "$NODE_NAME" >/dev/null 2>&1; then
  kubectl_ get node "$NODE_NAME" -o wide
else
  echo "node $NODE_NAME: not registered"
fi
