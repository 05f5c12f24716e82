// A cert-manager controller for the tests, run as a host process against the test cluster's API server.
// cert-manager's own controller binary (its cmd/controller module) is not served by the Go module proxy,
// so this wires the same pieces from the served module (github.com/cert-manager/cert-manager, Apache-2.0)
// the way upstream's binary does: a controller context from --kubeconfig, the named control loops (the
// certificate loops, the approver and the CA and SelfSigned issuers; no ACME, no Ingress or Gateway shims),
// the shared informers started after the loops registered theirs. No leader election (one process), no
// metrics or webhook server. The operator's cert-manager integration is in docs/security.md.
//
//	cert-manager-controller --kubeconfig=kubeconfig.yaml --cluster-resource-namespace=cert-manager
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cert-manager/cert-manager/pkg/controller"
	logf "github.com/cert-manager/cert-manager/pkg/logs"

	// Each of these registers its control loop (or issuer type) with the packages above.
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/approver"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/ca"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/selfsigned"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/issuing"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/keymanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/readiness"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/requestmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/revisionmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/trigger"
	_ "github.com/cert-manager/cert-manager/pkg/controller/clusterissuers"
	_ "github.com/cert-manager/cert-manager/pkg/controller/issuers"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/ca"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/selfsigned"
)

const defaultControllers = "issuers,clusterissuers,certificaterequests-approver," +
	"certificaterequests-issuer-ca,certificaterequests-issuer-selfsigned," +
	"certificates-trigger,certificates-issuing,certificates-key-manager,certificates-request-manager," +
	"certificates-readiness,certificates-revision-manager"

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the cluster to work on")
	namespace := flag.String("namespace", "", "watch only this namespace (default: all)")
	clusterResourceNamespace := flag.String("cluster-resource-namespace", "cert-manager", "where ClusterIssuers' Secrets are read")
	controllers := flag.String("controllers", defaultControllers, "comma-separated control loops to run")
	workers := flag.Int("workers", 2, "workers per control loop")
	// Upstream's defaults are 1h and 32h; a test wants a failed request retried soon.
	minBackoff := flag.Duration("min-backoff", 5*time.Second, "first retry delay after a failed CertificateRequest")
	maxBackoff := flag.Duration("max-backoff", time.Minute, "longest retry delay after failed CertificateRequests")
	flag.Parse()
	logf.InitLogs()
	defer logf.FlushLogs()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx = logf.NewContext(ctx, logf.Log)
	if err := run(ctx, *kubeconfig, *namespace, *clusterResourceNamespace, strings.Split(*controllers, ","), *workers, *minBackoff, *maxBackoff); err != nil {
		fmt.Fprintln(os.Stderr, "cert-manager-controller:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, kubeconfig, namespace, clusterResourceNamespace string, names []string, workers int, minBackoff, maxBackoff time.Duration) error {
	opts := controller.ContextOptions{
		Kubeconfig:         kubeconfig,
		Namespace:          namespace,
		KubernetesAPIQPS:   20,
		KubernetesAPIBurst: 50,
		IssuerOptions:      controller.IssuerOptions{ClusterResourceNamespace: clusterResourceNamespace},
		CertificateOptions: controller.CertificateOptions{
			CertificateRequestMinimumBackoffDuration: minBackoff,
			CertificateRequestMaximumBackoffDuration: maxBackoff,
		},
	}
	factory, err := controller.NewContextFactory(ctx, opts)
	if err != nil {
		return err
	}
	shared, err := factory.Build()
	if err != nil {
		return err
	}
	// Construct every loop before the informers start: constructing one registers its informers.
	loops := map[string]controller.Interface{}
	for _, name := range names {
		construct, ok := controller.Known()[name]
		if !ok {
			return fmt.Errorf("unknown control loop %q (known here: %s)", name, defaultControllers)
		}
		loop, err := construct(factory)
		if err != nil {
			return fmt.Errorf("constructing %s: %w", name, err)
		}
		loops[name] = loop
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(loops))
	for name, loop := range loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := loop.Run(workers, ctx); err != nil {
				errs <- fmt.Errorf("%s: %w", name, err)
			}
		}()
	}
	shared.KubeSharedInformerFactory.Start(ctx.Done())
	shared.SharedInformerFactory.Start(ctx.Done())
	logf.Log.Info("cert-manager controller running", "controllers", names)
	wg.Wait()
	close(errs)
	return <-errs
}
