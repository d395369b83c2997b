#!/usr/bin/env bash
# Installs what the load benchmark (scripts/bench-load.sh) drives and compares against, pinned in
# scripts/versions.env, into .tools/bin; wrk from Debian. Idempotent. Not needed by make test.
#   ghz               gRPC load generator (go install)
#   opa-envoy-plugin  the peer: OPA's Envoy ext_authz plugin
#   wrk               HTTP load through Envoy (Debian)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/versions.env
TOOLS="$PWD/.tools"
mkdir -p "$TOOLS/bin"

# A go-installed ghz reports its version as "dev": a marker file records what was installed.
if ! [ -x "$TOOLS/bin/ghz" ] || ! grep -qx "$GHZ_VERSION" "$TOOLS/ghz.version" 2>/dev/null; then
  echo "installing ghz $GHZ_VERSION (go install) into .tools/bin"
  GOBIN="$TOOLS/bin" GOFLAGS=-mod=mod go install "github.com/bojand/ghz/cmd/ghz@$GHZ_VERSION"
  echo "$GHZ_VERSION" > "$TOOLS/ghz.version"
fi

# `go install module@version` asks the proxy for the module's version list (for deprecation
# notices), which the proxy here refuses for opa-envoy-plugin; building it as the dependency of a
# throwaway module asks only for the pinned version.
if ! [ -x "$TOOLS/bin/opa-envoy-plugin" ] || ! grep -qx "$OPA_ENVOY_PLUGIN_VERSION" "$TOOLS/opa-envoy-plugin.version" 2>/dev/null; then
  echo "installing opa-envoy-plugin $OPA_ENVOY_PLUGIN_VERSION (Go module proxy) into .tools/bin; this compiles it once"
  build=$(mktemp -d)
  trap 'rm -rf "$build"' EXIT
  cat > "$build/go.mod" <<MOD
module hopgate.dev/bench/peer

go 1.24

require github.com/open-policy-agent/opa-envoy-plugin $OPA_ENVOY_PLUGIN_VERSION
MOD
  printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/open-policy-agent/opa-envoy-plugin/cmd/opa-envoy-plugin"\n' > "$build/tools.go"
  (cd "$build" && GOFLAGS=-mod=mod go mod tidy >/dev/null 2>&1 \
    && GOFLAGS=-mod=mod GOBIN="$TOOLS/bin" go install github.com/open-policy-agent/opa-envoy-plugin/cmd/opa-envoy-plugin)
  echo "$OPA_ENVOY_PLUGIN_VERSION" > "$TOOLS/opa-envoy-plugin.version"
fi

if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing wrk (Debian) with apt-get"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  fi
  command -v wrk >/dev/null 2>&1 || { echo "hopgate: wrk not found: install it (Debian: apt-get install wrk)." >&2; exit 1; }
fi
