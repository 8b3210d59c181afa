#!/usr/bin/env bash
# Builds kube-apiserver, kubectl and etcd from Go modules into the cache, once
# per version. `go install` cannot build kube-apiserver because k8s.io/kubernetes
# replaces its staging modules with local paths, so a throwaway wrapper module
# requires it and points every staging module at its published v0.X release;
# the commands are then built straight from their packages in that module.
# The DNS-01 webhook solver (go/webhook-solver) is ours, built per source hash.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
bin="$CERTOPS_CACHE/bin"
mkdir -p "$bin"

apiserver="$bin/kube-apiserver-$KUBERNETES_VERSION"
kubectl="$bin/kubectl-$KUBERNETES_VERSION"
etcd="$bin/etcd-$ETCD_VERSION"
# Keyed by main.go's content too: an edit to the solver rebuilds it.
solver_sha=$(sha256sum "$here/go/webhook-solver/main.go" | cut -c1-12)
solver="$bin/certops-webhook-solver-$solver_sha"
gateway_crds="$CERTOPS_CACHE/gateway-api-$GATEWAY_API_VERSION"

go_build() { # dir output package [ldflags]
  (cd "$1" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags="-s -w ${4:-}" -o "$2.tmp" "$3")
  mv "$2.tmp" "$2"
}

# What a release build stamps in, so the binaries report their real version.
kubernetes_ldflags() {
  local minor=${KUBERNETES_VERSION#v1.}; minor=${minor%%.*}
  local package flags=""
  for package in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $package.gitVersion=$KUBERNETES_VERSION -X $package.gitMajor=1 -X $package.gitMinor=$minor"
    flags+=" -X $package.gitTreeState=clean -X $package.buildDate=1970-01-01T00:00:00Z"
  done
  echo "$flags"
}

build_kubernetes() {
  local work gomod staging_version="v0.${KUBERNETES_VERSION#v1.}"
  work=$(mktemp -d)
  gomod=$(cd "$work" && go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  {
    printf 'module certops.local/kubernetes\n\ngo 1.26.0\n\nrequire k8s.io/kubernetes %s\n\nreplace (\n' "$KUBERNETES_VERSION"
    # Every `k8s.io/x => ./staging/...` line of the release's own go.mod.
    sed -n 's|^\s*\(k8s\.io/[a-z0-9-]*\) => ./staging/.*|\t\1 => \1 '"$staging_version"'|p' "$gomod"
    printf ')\n'
  } > "$work/go.mod"
  [ -x "$apiserver" ] || go_build "$work" "$apiserver" k8s.io/kubernetes/cmd/kube-apiserver "$(kubernetes_ldflags)"
  [ -x "$kubectl" ] || go_build "$work" "$kubectl" k8s.io/kubernetes/cmd/kubectl "$(kubernetes_ldflags)"
  rm -rf "$work"
}

build_etcd() {
  local work
  work=$(mktemp -d)
  printf 'module certops.local/etcd\n\ngo 1.26.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" > "$work/go.mod"
  cp "$here/go/etcd.go" "$work/main.go"
  go_build "$work" "$etcd" .
  rm -rf "$work"
}

# cert-manager's own go.mod pins what its packages need; `go mod tidy` in the
# throwaway module resolves the rest (and writes go.sum) for the solver's imports.
build_webhook_solver() {
  local work started=$SECONDS
  work=$(mktemp -d)
  printf 'module certops.local/webhook-solver\n\ngo 1.26.0\n\nrequire github.com/cert-manager/cert-manager %s\n' "$CERT_MANAGER_VERSION" > "$work/go.mod"
  cp "$here/go/webhook-solver/main.go" "$work/main.go"
  (cd "$work" && GOFLAGS=-mod=mod go mod tidy)
  go_build "$work" "$solver" .
  rm -rf "$work"
  echo "built the webhook solver in $(( SECONDS - started )) s"
}

# The published release's standard CRDs (Gateway, GatewayClass, HTTPRoute,
# ReferenceGrant), from the module the Go proxy serves: nothing is built.
fetch_gateway_crds() {
  local work dir
  work=$(mktemp -d)
  dir=$(cd "$work" && go mod download -json "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  mkdir -p "$gateway_crds.tmp"
  for kind in gatewayclasses gateways httproutes referencegrants; do
    cp "$dir/config/crd/standard/gateway.networking.k8s.io_$kind.yaml" "$gateway_crds.tmp/"
  done
  rm -rf "$gateway_crds" "$work"
  mv "$gateway_crds.tmp" "$gateway_crds"
}

# In if-bodies, not on the right of `||`: there set -e would not stop a failed build.
if [ ! -x "$etcd" ]; then echo "building etcd $ETCD_VERSION → $etcd"; build_etcd; fi
if [ ! -x "$apiserver" ] || [ ! -x "$kubectl" ]; then echo "building kube-apiserver and kubectl $KUBERNETES_VERSION → $bin"; build_kubernetes; fi
if [ ! -x "$solver" ]; then echo "building the webhook solver (cert-manager $CERT_MANAGER_VERSION) → $solver"; build_webhook_solver; fi
if [ ! -f "$gateway_crds/gateway.networking.k8s.io_httproutes.yaml" ]; then echo "fetching the Gateway API $GATEWAY_API_VERSION CRDs → $gateway_crds"; fetch_gateway_crds; fi
