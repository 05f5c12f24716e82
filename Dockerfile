# NOT YET BUILDABLE — placeholder until the real-node issue lands.
# The plan: a multi-stage build (build -> runtime) on Node.js 24, production dependencies only,
# a non-root user, one image for the workloads and a target for the operator. Until then nothing
# builds or runs this file; `make up` runs everything on the local cluster without images.
FROM scratch
LABEL org.opencontainers.image.title="kyc-operator (placeholder, not buildable yet)"
