// Command kube-network-policies enforces NetworkPolicies on the real node: the controller of
// sigs.k8s.io/kube-network-policies (the library kind's own network plugin builds on), wired to a
// kubeconfig instead of the in-cluster configuration, because it runs as a host process like
// kube-proxy (hack/node/up.sh) and not as a pod with a ServiceAccount.
//
// The controller evaluates the first packet of each connection in userspace and gives the verdict
// through NFQUEUE. It also tries to program its own nftables rules that send those packets to its
// queue; this machine's kernel lacks the nftables `queue` expression (CONFIG_NFT_QUEUE), so those
// rules are refused and up.sh sends the packets to the queue with the xtables NFQUEUE target instead
// (docs/real-node.md, "Network policies, enforced").
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sys/unix"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/component-base/logs"
	logsapi "k8s.io/component-base/logs/api/v1"
	"k8s.io/klog/v2"
	"sigs.k8s.io/kube-network-policies/pkg/networkpolicy"
)

func main() { os.Exit(run()) }

func run() int {
	var (
		kubeconfig     = flag.String("kubeconfig", "", "kubeconfig of the node's client identity (required)")
		nodeName       = flag.String("hostname-override", "", "name of the Node whose pods are enforced (required)")
		queueID        = flag.Int("nfqueue-id", 100, "NFQUEUE number the node's steering rules send new connections to")
		metricsAddress = flag.String("metrics-bind-address", "127.0.0.1:9080", "address of the /metrics listener")
		failOpen       = flag.Bool("fail-open", false, "accept a packet the controller cannot parse (default: drop it)")
		// Kernels from 6.12 on have the conntrack fix, so DNS needs no special path.
		bug1766Fix = flag.Bool("netfilter-bug-1766-fix", false, "queue DNS on PREROUTING (only for kernels before 6.12)")
	)
	c := logsapi.NewLoggingConfiguration()
	logsapi.AddGoFlags(c, flag.CommandLine)
	flag.Parse()
	logs.InitLogs()
	if err := logsapi.ValidateAndApply(c, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if *kubeconfig == "" || *nodeName == "" {
		fmt.Fprintln(os.Stderr, "--kubeconfig and --hostname-override are required")
		return 2
	}
	if _, _, err := net.SplitHostPort(*metricsAddress); err != nil {
		fmt.Fprintf(os.Stderr, "--metrics-bind-address: %v\n", err)
		return 2
	}

	// The scripts stop daemons with SIGTERM: the controller must shut down (and release its queue) then.
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, unix.SIGTERM)
	defer cancel()
	logger := klog.FromContext(ctx)

	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		logger.Error(err, "reading the kubeconfig", "path", *kubeconfig)
		return 1
	}
	config.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	config.ContentType = "application/vnd.kubernetes.protobuf"
	config.UserAgent = "kube-network-policies/" + *nodeName
	clientset, err := kubernetes.NewForConfig(config)
	if err != nil {
		logger.Error(err, "creating the client")
		return 1
	}
	factory := informers.NewSharedInformerFactory(clientset, 0)

	http.Handle("/metrics", promhttp.Handler())
	go func() { utilruntime.HandleError(http.ListenAndServe(*metricsAddress, nil)) }()

	controller, err := networkpolicy.NewController(
		clientset,
		factory.Networking().V1().NetworkPolicies(),
		factory.Core().V1().Namespaces(),
		factory.Core().V1().Pods(),
		nil, nil, nil, nil, // no (Baseline)AdminNetworkPolicy: the platform renders NetworkPolicies only
		networkpolicy.Config{
			FailOpen:            *failOpen,
			QueueID:             *queueID,
			NodeName:            *nodeName,
			NetfilterBug1766Fix: *bug1766Fix,
		},
	)
	if err != nil {
		logger.Error(err, "creating the network policy controller")
		return 1
	}
	done := make(chan error, 1)
	go func() { done <- controller.Run(ctx) }()
	factory.Start(ctx.Done())

	select {
	case <-ctx.Done():
		// Run returns once the queue is closed; give it the time it takes (bounded).
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
		return 0
	case err := <-done:
		// Run returns early only when it could not open or listen on its queue.
		logger.Error(err, "the network policy controller stopped")
		return 1
	}
}
