# syntax=docker/dockerfile:1
# kyc-operator images: one for the bundled KYC services (target `workloads`) and one for the
# operator (target `operator`), from the same tree.
#
#   hack/image/app.sh build    (what `make image` runs: stages the context, then buildah build)
#
# BASE_IMAGE is the project's own Node.js 24 image (`make base-image`: a debootstrap Debian rootfs plus
# the pinned Node.js binary from the npm registry). It sits in buildah's local storage, so nothing is
# pulled from a registry (`buildah build --pull=never`).
#
# Dependencies: the base image carries the Node.js binary only (no npm) and the build runs without
# network, so the npm packages are installed on the host, from this repository's package-lock.json, by
# hack/image/app.sh, which stages the build context: the sources, `node_modules/` (`npm ci`: everything,
# the TypeScript compiler included, for the build stage) and `prod_modules/node_modules/`
# (`npm ci --omit=dev --ignore-scripts`: production dependencies only, for the runtime stage). No
# package needs an install script, so nothing is compiled for the host's platform.
ARG BASE_IMAGE

# ---- build: compile TypeScript with the full dependency tree ----
FROM ${BASE_IMAGE} AS build
USER root
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY node_modules/ node_modules/
COPY operator/ operator/
COPY workloads/ workloads/
COPY frontend/ frontend/
# Data files the compiled code reads beside itself (the shipped sanctions watchlist, the API reference's
# Redoc bundle and its licence notices: workloads/gateway/reference.ts); no source maps. The web app
# (frontend/, Vite) is built into dist/web: hashed files the gateway serves at / (docs/frontend.md).
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json \
 && node node_modules/vite/bin/vite.js build --config frontend/vite.config.ts --logLevel warn \
 && cp -r workloads/kyc/data dist/workloads/kyc/data \
 && mkdir dist/workloads/gateway/reference \
 && cp node_modules/redoc/bundles/redoc.standalone.js node_modules/redoc/bundles/redoc.standalone.js.LICENSE.txt dist/workloads/gateway/reference/ \
 && find dist -name '*.map' -delete

# ---- runtime: production dependencies and compiled JavaScript only, owned by root, run as 10001 ----
FROM ${BASE_IMAGE} AS runtime
USER root
# uid/gid 10001 is what the operator renders (runAsUser/runAsGroup/fsGroup 10001, runAsNonRoot) and
# what operator/deploy/deployment.yaml uses; the image says the same so that it is non-root anywhere.
RUN groupadd --gid 10001 kyc && useradd --uid 10001 --gid kyc --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin kyc
WORKDIR /app
ENV NODE_ENV=production
COPY package.json ./package.json
COPY prod_modules/node_modules/ ./node_modules/
COPY --from=build /src/dist/ ./dist/
# The code is read-only for the process (files stay root-owned); pods run with readOnlyRootFilesystem
# and an emptyDir on /tmp.
USER 10001:10001
# Signals: Node.js is PID 1 and handles SIGTERM/SIGINT itself — the services start a graceful drain
# (workloads/shared/lifecycle.ts) and the operator releases its Lease (operator/src/main.ts). PID 1
# gets no default signal actions, which is fine because both install handlers; neither forks child
# processes, so there are no zombies to reap and no init (catatonit, in the base image) is needed.
# This keeps the entry point exactly the one of docs/workload-contract.md.
STOPSIGNAL SIGTERM

# ---- the bundled KYC services: the component is the container's argument (gateway, kyc, ...) ----
FROM runtime AS workloads
LABEL org.opencontainers.image.title="kyc-operator workloads" \
      org.opencontainers.image.description="The bundled KYC services: node dist/workloads/main.js <component>"
# 8080: the API, /ready and /livez; 9090: /metrics and the detailed /health (METRICS_PORT).
EXPOSE 8080 9090
ENTRYPOINT ["node", "dist/workloads/main.js"]

# ---- the operator ----
FROM runtime AS operator
LABEL org.opencontainers.image.title="kyc-operator" \
      org.opencontainers.image.description="The KycPlatform operator"
EXPOSE 8080
ENTRYPOINT ["node", "dist/operator/src/main.js"]
