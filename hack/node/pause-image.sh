#!/usr/bin/env bash
# Builds the pod sandbox ("pause") image from Debian's static catatonit as an OCI archive, by hand and
# reproducibly (fixed timestamps and owners), and prints "REFERENCE ARCHIVE".
#
#   hack/node/pause-image.sh OUT_DIR
#
# The image holds one file, /catatonit, and runs `catatonit -P` (pause mode: an init that only reaps
# and waits) as uid 65535, like the upstream pause image.
source "$(dirname "$0")/common.sh"

out=${1:?usage: $0 OUT_DIR}
[[ -x $CATATONIT ]] || die "$CATATONIT not found: apt-get install -y catatonit"
version=$(dpkg-query -W -f '${Version}' catatonit 2>/dev/null | tr '+~:' '---') || version=unknown
repo=docker.io/kyc-operator/pause
ref=$repo:catatonit-$version
archive=$out/pause-catatonit-$version.oci.tar
if [[ -f $archive ]]; then echo "$ref $archive"; exit 0; fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root" "$tmp/oci/blobs/sha256"
install -m 0755 "$CATATONIT" "$tmp/root/catatonit"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$tmp/root" -cf "$tmp/layer.tar" catatonit
diff_id=$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)
gzip -n -9 "$tmp/layer.tar"

blob() { # blob FILE: stores FILE under blobs/sha256 and prints "DIGEST SIZE"
  local d s
  d=$(sha256sum "$1" | cut -d' ' -f1); s=$(stat -c %s "$1")
  cp "$1" "$tmp/oci/blobs/sha256/$d"
  echo "$d $s"
}
read -r layer_digest layer_size < <(blob "$tmp/layer.tar.gz")
printf '%s' "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"User\":\"65535:65535\",\"Entrypoint\":[\"/catatonit\",\"-P\"],\"WorkingDir\":\"/\",\"Labels\":{\"org.opencontainers.image.title\":\"kyc-operator pause (catatonit $version)\"}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:$diff_id\"]},\"history\":[{\"created_by\":\"hack/node/pause-image.sh\"}]}" >"$tmp/config.json"
read -r config_digest config_size < <(blob "$tmp/config.json")
printf '%s' "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:$config_digest\",\"size\":$config_size},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$layer_digest\",\"size\":$layer_size}]}" >"$tmp/manifest.json"
read -r manifest_digest manifest_size < <(blob "$tmp/manifest.json")
printf '%s' "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:$manifest_digest\",\"size\":$manifest_size,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"},\"annotations\":{\"org.opencontainers.image.ref.name\":\"$ref\"}}]}" >"$tmp/oci/index.json"
printf '%s' '{"imageLayoutVersion":"1.0.0"}' >"$tmp/oci/oci-layout"
mkdir -p "$out"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$tmp/oci" -cf "$archive.tmp" oci-layout index.json blobs
mv "$archive.tmp" "$archive"
echo "$ref $archive"
