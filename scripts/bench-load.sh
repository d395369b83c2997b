#!/usr/bin/env bash
# Load benchmark (issue 8): ghz drives envoy.service.auth.v3.Authorization/Check at fixed rates and
# at maximum against hopgate (each in-process engine), opa-envoy-plugin (the peer, a Rego policy of
# equivalent work) and a no-op Java ext_authz server (the floor), alternately in one run; then wrk
# through a real Envoy for hopgate and the peer. Writes tests/bench/results/<stamp>-load.md (and the
# raw JSON beside it). Not part of make test. Knobs (environment): RATES, DURATION, MAX_N, CONC,
# E2E_DURATION, E2E=0 to skip the Envoy part.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh
scripts/install-bench-tools.sh
[ -f envoy-ext-authz/target/hopgate.jar ] && [ -f policies/target/opa/policy.wasm ] \
  || mvn -B -ntp -q install -DskipTests
mvn -B -ntp -q -pl tests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
  -Dmdep.includeScope=test >/dev/null
export HOPGATE_BENCH_CP="$PWD/tests/target/test-classes:$PWD/tests/target/classes:$(cat tests/target/bench.classpath)"
exec python3 scripts/bench-load.py "$@"
