#!/usr/bin/env bash
# Loads images from buildah's local storage into the real node's containerd (namespace k8s.io), with no
# registry: buildah push to an OCI archive, then `ctr images import`. Idempotent per image digest.
#
#   hack/node/load-image.sh kyc-operator/workloads:0.3.0 [more images...]
#
# A pod then names the image exactly so (`image: kyc-operator/workloads:0.3.0`, which Kubernetes reads
# as docker.io/kyc-operator/workloads:0.3.0) with imagePullPolicy IfNotPresent or Never.
source "$(dirname "$0")/common.sh"

(($#)) || die "usage: $0 IMAGE[:TAG]..."
[[ -S $CONTAINERD_SOCK ]] && ctr_ version >/dev/null 2>&1 || die "the real node's containerd is not running; run 'make node' first"
require_cmd buildah "apt-get install -y buildah"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for image in "$@"; do
  [[ $image == *:* && ${image##*:} != latest ]] || die "$image: give a version tag (never latest)"
  repo=${image%:*}
  [[ $repo == */* ]] || repo=library/$repo
  [[ ${repo%%/*} == *.* ]] || repo=docker.io/$repo
  ref=$repo:${image##*:}
  id=$(buildah inspect --type image --format '{{.FromImageID}}' "$image" 2>/dev/null) ||
    die "$image is not in buildah's storage (buildah images); build it first"
  # A push recompresses the layers (a new manifest digest), so what was loaded is remembered by the
  # image ID (its config digest) beside the node's state.
  marker=$NODE_DIR/loaded/${ref//\//_}
  if [[ $(cat "$marker" 2>/dev/null) == "$id" ]] && ctr_ images ls -q "name==$ref" | grep -x "$ref" >/dev/null; then
    log "$ref is already in the node's containerd"
    continue
  fi
  log "loading $ref into the node's containerd"
  buildah push --quiet --format oci "$image" "oci-archive:$tmp/image.tar:$ref" >/dev/null || die "buildah push of $image failed"
  ctr_ images import --base-name "$repo" "$tmp/image.tar" >/dev/null || die "ctr images import of $image failed"
  rm -f "$tmp/image.tar"
  mkdir -p "$NODE_DIR/loaded" && echo "$id" >"$marker"
done
