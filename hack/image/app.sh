#!/usr/bin/env bash
# The project's images, built from the repository's Dockerfile with buildah on the base image of
# `make base-image` (no registry, no pull), and loaded into the real node's containerd.
#
#   hack/image/app.sh version          print the version (= image tag) of the current tree
#   hack/image/app.sh build            build kyc-operator/workloads:<version> and kyc-operator/operator:<version>
#   hack/image/app.sh load             load both into the real node (hack/node/load-image.sh)
#   hack/image/app.sh tag NEW [FROM]   give the workloads image of version FROM (default: this tree's) a
#                                      second tag NEW and load it (the e2e version roll)
#
# The version is <package.json version>-<10 hex of a hash of the build inputs> (Dockerfile, package
# files, tsconfigs, operator/, workloads/, frontend/ as they are in the work tree): a tag names one content, never
# `latest`, and does not move when unrelated files (docs, tests elsewhere) are committed. A tag already
# in buildah's storage is not built again (warm `make up`); the image's revision label holds the commit.
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"

WORKLOADS_REPO=kyc-operator/workloads
OPERATOR_REPO=kyc-operator/operator
# What goes into the images (the same selection as .dockerignore): the version hashes exactly these.
INPUTS=(Dockerfile .dockerignore package.json package-lock.json tsconfig.json tsconfig.build.json operator workloads frontend
  ':(exclude)operator/deploy' ':(exclude,glob)**/*.test.ts' ':(exclude,glob)**/*.test.tsx' ':(exclude,glob)**/bench/**')

version() {
  local base h
  base=$(node -p 'require("./package.json").version')
  # Hash of the work-tree content of every input file (tracked or new, ignored ones excluded).
  h=$(git ls-files -co --exclude-standard -- "${INPUTS[@]}" | LC_ALL=C sort | while read -r f; do
    [[ -f $f ]] && printf '%s %s\n' "$(sha256sum <"$f" | cut -c1-64)" "$f"; done | sha256sum | cut -c1-10)
  echo "$base-$h"
}

# stage DIR: the build context — the inputs as they are in the work tree, node_modules (npm ci, all
# dependencies; hard links to a copy cached per lockfile) and prod_modules/node_modules (npm ci
# --omit=dev). Both trees come from package-lock.json only, never from the developer's node_modules.
stage() {
  local dir=$1 lock full prod
  lock=$(cat package.json package-lock.json | sha256sum | cut -c1-12)
  full=$IMAGE_DIR/npm-$lock/full prod=$IMAGE_DIR/npm-$lock/prod
  local kind
  for kind in full prod; do
    local d=$IMAGE_DIR/npm-$lock/$kind
    [[ -f $d/.done ]] && continue
    log "npm ci ($kind) from package-lock.json for the image"
    rm -rf "$d" && mkdir -p "$d" && cp package.json package-lock.json "$d/"
    local omit=(); [[ $kind == prod ]] && omit=(--omit=dev)
    (cd "$d" && npm ci "${omit[@]}" --ignore-scripts --no-audit --no-fund --loglevel=error) >"$IMAGE_DIR/npm-$kind.log" 2>&1 ||
      { tail -n 20 "$IMAGE_DIR/npm-$kind.log" >&2; die "npm ci ($kind) for the image failed"; }
    touch "$d/.done"
  done
  # Earlier lockfiles' trees go.
  local old; for old in "$IMAGE_DIR"/npm-*; do [[ $old == "$IMAGE_DIR/npm-$lock" ]] || rm -rf "$old"; done
  rm -rf "$dir" && mkdir -p "$dir/prod_modules"
  git ls-files -co --exclude-standard -- "${INPUTS[@]}" | while read -r f; do
    [[ -f $f ]] && { mkdir -p "$dir/$(dirname "$f")"; cp -p "$f" "$dir/$f"; }
  done
  cp -al "$full/node_modules" "$dir/node_modules"
  cp -al "$prod/node_modules" "$dir/prod_modules/node_modules"
}

build() {
  local v base
  v=$(version)
  base=$("$REPO_DIR"/hack/image/build.sh tag)
  buildah inspect --type image "$base" >/dev/null 2>&1 || die "base image $base is not built; run make base-image"
  local target repo
  for target in workloads operator; do
    repo=kyc-operator/$target
    if buildah inspect --type image "$repo:$v" >/dev/null 2>&1; then
      log "$repo:$v is already built"
      continue
    fi
    [[ -d $IMAGE_DIR/context-$v ]] || stage "$IMAGE_DIR/context-$v"
    log "building $repo:$v (Dockerfile target $target, FROM $base)"
    buildah build --quiet --pull=never --network=none --layers \
      --build-arg BASE_IMAGE="$base" --target "$target" \
      --label org.opencontainers.image.version="$v" \
      --label org.opencontainers.image.revision="$(git rev-parse HEAD)" \
      -t "$repo:$v" -f "$IMAGE_DIR/context-$v/Dockerfile" "$IMAGE_DIR/context-$v" >"$IMAGE_DIR/build-$target.log" 2>&1 ||
      { tail -n 30 "$IMAGE_DIR/build-$target.log" >&2; die "buildah build of $repo:$v failed (log above, full log $IMAGE_DIR/build-$target.log)"; }
  done
  rm -rf "$IMAGE_DIR"/context-*
  echo "$v"
}

load() {
  local v; v=${1:-$(version)}
  "$REPO_DIR"/hack/node/load-image.sh "$WORKLOADS_REPO:$v" "$OPERATOR_REPO:$v"
}

IMAGE_DIR=$CACHE_DIR/image
mkdir -p "$IMAGE_DIR"
cd "$REPO_DIR" || exit
case ${1:-} in
  version) version ;;
  build) exec 9>"$IMAGE_DIR/app-build.lock"; flock 9; build ;;
  load) load "${2:-}" ;;
  tag)
    [[ -n ${2:-} && $2 != latest ]] || die "usage: $0 tag NEW_VERSION [FROM_VERSION] (not latest)"
    v=${3:-$(version)}
    # Only the workloads image: spec.version names the services' tag, the operator keeps its own.
    buildah tag "$WORKLOADS_REPO:$v" "$WORKLOADS_REPO:$2" || die "$WORKLOADS_REPO:$v is not built; run make image"
    "$REPO_DIR"/hack/node/load-image.sh "$WORKLOADS_REPO:$2" ;;
  *) die "usage: $0 version|build|load [VERSION]|tag NEW [FROM]" ;;
esac
