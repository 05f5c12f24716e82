# kyc-operator — entry points. `make up` runs the whole thing; `make test` passes the tests.
# Every target runs with the pinned Node.js 24 (installed into ~/.cache/kyc-operator when needed)
# and the pinned kubectl first on PATH.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

include hack/versions.env
CACHE_DIR ?= $(HOME)/.cache/kyc-operator
NODE_BIN := $(shell hack/ensure-node.sh)
ifeq ($(NODE_BIN),)
$(error could not provide Node.js $(NODE_VERSION); see the message above, fix it and re-run make)
endif
K8S_BIN := $(CACHE_DIR)/k8s/v$(K8S_VERSION)/bin
export PATH := $(NODE_BIN):$(K8S_BIN):$(PATH)
export KUBECONFIG ?= $(CACHE_DIR)/run/cluster/kubeconfig
JEST := NODE_OPTIONS=--experimental-vm-modules node_modules/.bin/jest
RESULTS := .test-results

.PHONY: help up down install build lint format typecheck audit unit integration test tools cluster cluster-down \
	cluster-clean cluster-status deps deps-down deps-env deps-status deps-clean clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

up: install ## run the whole thing: cluster + real node, deps, images, the operator in-cluster, a Ready sample platform
	hack/up.sh

down: ## stop everything `make up` started: the platform, the operator, the real node, the cluster and deps
	hack/down.sh

install: node_modules/.installed ## install the npm dependencies (npm ci)
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build: install ## compile TypeScript into dist/ and build the web app into dist/web (docs/frontend.md)
	node_modules/.bin/tsc -p tsconfig.build.json
	node_modules/.bin/vite build --config frontend/vite.config.ts --logLevel warn

# The kubectl plugin (docs/kubectl-plugin.md): a two-line launcher in PLUGIN_DIR that runs this checkout's
# operator/bin/kubectl-kyc with the pinned Node.js, whatever `node` the user's PATH holds.
PLUGIN_DIR ?= $(HOME)/.local/bin
.PHONY: kubectl-kyc
kubectl-kyc: build ## build the `kubectl kyc` plugin and install its launcher into PLUGIN_DIR (default ~/.local/bin)
	mkdir -p $(PLUGIN_DIR)
	printf '#!/bin/sh\nKYC_NODE="$${KYC_NODE:-%s}" exec %s "$$@"\n' "$(NODE_BIN)/node" "$(CURDIR)/operator/bin/kubectl-kyc" >$(PLUGIN_DIR)/kubectl-kyc
	chmod +x $(PLUGIN_DIR)/kubectl-kyc
	@echo "installed $(PLUGIN_DIR)/kubectl-kyc; with $(PLUGIN_DIR) on PATH: kubectl kyc --help"

# What Prettier formats (.prettierrc.json: 140 columns, single quotes; .prettierignore: generated files).
FORMATTED := 'operator/**/*.ts' 'workloads/**/*.ts' 'test/**/*.ts' 'hack/**/*.ts' '*.js' 'test/**/*.js' 'frontend/**/*.{ts,tsx,css,html}'

lint: install ## ESLint with no warnings, Prettier's formatting checked, and the generated API reference and chart README up to date
	node_modules/.bin/eslint --max-warnings 0 .
	node_modules/.bin/prettier --check --log-level warn $(FORMATTED)
	$(OPENAPI_GEN) --check
	node hack/chart-readme.ts --check

# The OpenAPI document and the typed client's types, from workloads/gateway/openapi.ts (docs/customer-api.md).
OPENAPI_GEN := node --import ./test/integration/workloads/ts-register.ts hack/openapi.ts
.PHONY: openapi
openapi: install ## regenerate docs/openapi.json and test/support/api/schema.ts from workloads/gateway/openapi.ts
	$(OPENAPI_GEN)

format: install ## rewrite the sources in Prettier's format (what make lint checks)
	node_modules/.bin/prettier --write --log-level warn $(FORMATTED)

typecheck: install ## strict TypeScript check of everything, tests included (the web app has its own tsconfig: DOM, JSX)
	node_modules/.bin/tsc -p tsconfig.json --noEmit
	node_modules/.bin/tsc -p frontend/tsconfig.json --noEmit

unit: install ## fast unit tests beside the code
	@mkdir -p $(RESULTS)
	$(JEST) --selectProjects unit --json --outputFile=$(RESULTS)/unit.json

integration: install cluster deps ## integration suites under test/integration (starts the cluster and deps)
	@mkdir -p $(RESULTS)
	hack/with-env.sh env $(JEST) --selectProjects integration --runInBand --forceExit --json --outputFile=$(RESULTS)/integration.json

audit: install ## fail on a production dependency with a known high/critical vulnerability (npm audit; registry fallback: docs/security.md)
	node hack/audit.ts

test: prebuild lint typecheck audit rules unit integration e2e-up ## everything CI runs: lint, types, audit, alerting rules, unit, integration, then make up and the e2e suites

.PHONY: prebuild
prebuild: ## start the slow cold builds of the test servers (Jaeger, the cert-manager controller) in the background; make deps waits for them
	@hack/deps.sh prebuild

.PHONY: rules
rules: ## promtool check rules + promtool test rules on operator/deploy/alerts (installs promtool: hack/ensure-promtool.sh)
	@promtool=$$(hack/ensure-promtool.sh) && $$promtool check rules operator/deploy/alerts/kyc-operator.rules.yaml && \
		cd operator/deploy/alerts && $$promtool test rules kyc-operator.test.yaml

.PHONY: e2e-up
e2e-up: up ## make up, then the e2e suites against the platform it runs
	$(MAKE) --no-print-directory e2e

tools: ## build the pinned Kubernetes binaries, etcd and KWOK into the cache
	hack/build-tools.sh

# CLUSTER=kind uses kind on a host with Docker instead of the loopback control plane (hack/kind.sh).
CLUSTER ?= local
CLUSTER_SCRIPT := $(if $(filter kind,$(CLUSTER)),hack/kind.sh,hack/cluster.sh)
cluster: ## start the local Kubernetes cluster (loopback, KWOK nodes; CLUSTER=kind on a Docker host) and print the KUBECONFIG line
	$(CLUSTER_SCRIPT) up

cluster-down: ## stop every cluster process (CLUSTER=kind: delete the kind cluster)
	$(CLUSTER_SCRIPT) down

cluster-status: ## show the cluster's processes
	hack/cluster.sh status

cluster-clean: ## stop the cluster and delete its state (certificates, etcd data)
	hack/cluster.sh clean

deps: ## start PostgreSQL, Redis, Kafka and local-kms on loopback
	hack/deps.sh up

deps-down: ## stop PostgreSQL, Redis, Kafka and local-kms
	hack/deps.sh down

deps-env: ## print DATABASE_URL, REDIS_URL and KAFKA_BROKERS, their TLS twins and DEPS_CA_FILE
	@hack/deps.sh env

deps-status: ## show the dependencies' processes
	hack/deps.sh status

deps-clean: ## stop the dependencies and delete their data
	hack/deps.sh clean

clean: ## remove build output and test results
	rm -rf dist $(RESULTS) coverage

# ---- KycPlatform API (operator/src/api) ----
CRDGEN_DIR := dist/.crdgen
.PHONY: crds
crds: ## regenerate crds/kycplatform.yaml (and its copy operator/deploy/crd.yaml) and operator/src/api/types.ts from operator/src/api/schema.ts
	rm -rf $(CRDGEN_DIR)
	node_modules/.bin/tsc --rootDir . --outDir $(CRDGEN_DIR) --module NodeNext --moduleResolution NodeNext \
		--target ES2023 --strict --skipLibCheck --esModuleInterop --types node operator/src/api/generate-crd.ts
	node $(CRDGEN_DIR)/operator/src/api/generate-crd.js
	cp crds/kycplatform.yaml operator/deploy/crd.yaml

.PHONY: time-zones
time-zones: ## regenerate operator/src/api/time-zones.ts from this machine's tz database (Debian tzdata), then run make crds
	node hack/time-zones.ts

# --- The real node (docs/real-node.md): containerd + kubelet + kube-proxy + CoreDNS, and the base image.
.PHONY: node node-down node-status base-image

node: cluster ## start a real node in the local cluster (root; tainted, only tolerating pods land on it)
	hack/node/up.sh

node-down: ## stop the real node and remove its processes, mounts, network devices and cluster objects
	hack/node/down.sh

node-status: ## show the real node's processes and its Node object
	hack/node/status.sh

base-image: ## build the base image (debootstrap rootfs + Node.js 24) with buildah; imports it into the node
	hack/image/build.sh build

# ---- Operator runtime (operator/src/runtime, operator/src/reconcile) ----
.PHONY: run-operator bench-operator bench
BENCH_PLATFORMS ?= 100
run-operator: build ## run the operator against the current kubeconfig (installs the CRD first); flags via OPERATOR_ARGS
	kubectl apply --server-side --field-manager kyc-operator-install -f crds/kycplatform.yaml
	kubectl wait --for condition=Established --timeout 60s crd/kycplatforms.kyc.dev
	node dist/operator/src/main.js $(OPERATOR_ARGS)

bench-operator: build cluster ## operator benchmark: BENCH_PLATFORMS (default 100) platforms at once vs direct apply
	node dist/operator/bench/bench.js $(BENCH_PLATFORMS)

bench: bench-operator bench-scaling bench-api bench-frontend bench-kafka ## every benchmark: the operator at scale, the external metrics API, the KYC API, the web app's first load, the Kafka clients

# ---- The KYC services as local processes (workloads/, docs/workloads.md) ----
.PHONY: platform platform-down platform-status bench-api bench-frontend bench-kafka
platform: build deps ## run the five KYC services on loopback against `make deps`; prints the gateway URL
	hack/platform.sh up

platform-down: ## stop the services `make platform` started (graceful SIGTERM)
	hack/platform.sh down

platform-status: ## show the services `make platform` started
	hack/platform.sh status

bench-api: build deps ## API benchmark (autocannon): bare express vs GET (and its floor) and POST through the gateway
	hack/with-env.sh node dist/workloads/gateway/bench/bench-api.js

bench-kafka: build deps ## the Kafka clients side by side: kafkajs vs @platformatic/kafka on the outbox relay's produce path and a consumer (BENCH_KAFKA_MESSAGES, BENCH_KAFKA_ROUNDS)
	hack/with-env.sh node dist/workloads/shared/bench/kafka-clients.js

bench-frontend: build deps ## the web app's first load in headless Chromium: JS/CSS bytes gzipped, FCP, TTI (median of BENCH_FRONTEND_RUNS; BENCH_FRONTEND_URL for a platform's gateway)
	hack/with-env.sh node dist/workloads/gateway/bench/bench-frontend.js

# ---- The product running (hack/up.sh, docs/development.md "make up") ----
.PHONY: image
image: install ## build kyc-operator/{workloads,operator}:<version> from the Dockerfile (buildah) and load them into the real node
	hack/image/build.sh build >/dev/null
	hack/image/app.sh build
	hack/image/app.sh load

.PHONY: e2e
E2E_VERSION = $(shell cat $(CACHE_DIR)/run/up/version 2>/dev/null)
E2E_ROLL_VERSION ?= $(E2E_VERSION)-e2e
e2e: install ## end-to-end suites against the platform `make up` runs (needs `make up`; see docs/development.md)
	@test -n "$(E2E_VERSION)" || { echo "error: no platform from make up (run make up first)" >&2; exit 1; }
	@mkdir -p $(RESULTS)
	hack/image/app.sh tag $(E2E_ROLL_VERSION) $(E2E_VERSION)
	E2E_ROLL_VERSION=$(E2E_ROLL_VERSION) $(JEST) --selectProjects e2e --runInBand --forceExit --json --outputFile=$(RESULTS)/e2e.json

.PHONY: chaos
chaos: install ## the chaos suite alone (also the last of make e2e): kills PostgreSQL, Redis, Kafka, pods, the API server under load; figures in .test-results/chaos-figures.json (docs/benchmarks.md)
	@test -n "$(E2E_VERSION)" || { echo "error: no platform from make up (run make up first)" >&2; exit 1; }
	@mkdir -p $(RESULTS)
	$(JEST) --selectProjects e2e --runInBand --forceExit --testPathPatterns test/e2e/chaos --json --outputFile=$(RESULTS)/chaos.json

# ---- Helm chart (charts/kyc-operator, docs/operator.md "Install with Helm") ----
.PHONY: helm
helm: ## build the pinned helm from the Go module proxy into the cache (once) and print its path
	hack/helm.sh path

.PHONY: chart
chart: ## package charts/kyc-operator into dist/charts/ (what the chart's links point at is stored as files; docs/install.md)
	@mkdir -p dist/charts
	hack/helm.sh package charts/kyc-operator --destination dist/charts

.PHONY: sbom
sbom: install ## the images' npm packages as a CycloneDX SBOM in dist/sbom/ (npm sbom from the lock; docs/install.md)
	node hack/sbom.ts

.PHONY: chart-readme
chart-readme: ## regenerate charts/kyc-operator/README.md from its values.yaml (make lint checks it)
	node hack/chart-readme.ts

# ---- Autoscaling (docs/autoscaling.md) ----
.PHONY: test-scaling bench-scaling
test-scaling: install cluster deps ## the autoscaling suites: Kafka lag, fallback, schedules and CPU (metrics-server + KWOK usage) with the real HPA controller
	hack/with-env.sh env $(JEST) --selectProjects integration --runInBand --testPathPatterns test/integration/scaling

bench-scaling: build cluster ## external metrics API latency through the aggregator, 100 platforms at one query/s per HPA (BENCH_SECONDS)
	node dist/operator/bench/external-metrics.js
