#!/usr/bin/env bash
# The Rego side of the build, run by the policies module (mvn) and usable alone:
#   1. opa check --strict against the input document's JSON Schema (a policy that can never match,
#      an unused variable, or a reference to an input field the schema does not have fails, named
#      with its file and line)
#   2. opa test with coverage, failing below the threshold
#   3. opa build -t wasm    (the in-process engine's module), into policies/target/opa/policy.wasm
set -euo pipefail
cd "$(dirname "$0")/.."
opa=.tools/bin/opa
[ -x "$opa" ] || { echo "hopgate: $opa missing: run scripts/install-tools.sh (make test does)." >&2; exit 1; }
threshold=${OPA_COVERAGE_THRESHOLD:-100}
out=policies/target/opa
mkdir -p "$out"

"$opa" check --strict --schema docs/input-document.schema.json policies/rego
"$opa" test policies/rego
"$opa" test --coverage policies/rego > "$out/coverage.json"
python3 - "$out/coverage.json" "$threshold" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
coverage, threshold = report.get("coverage", 0), float(sys.argv[2])
for name, f in sorted(report.get("files", {}).items()):
    for r in f.get("not_covered", []):
        print(f"not covered: {name}:{r['start']['row']}-{r['end']['row']}")
print(f"rego coverage {coverage:.1f}% (threshold {threshold:.0f}%)")
sys.exit(0 if coverage >= threshold else 1)
PY
"$opa" build -t wasm -e hopgate/gates/decision -o "$out/bundle.tar.gz" policies/rego
tar -xzf "$out/bundle.tar.gz" -C "$out" /policy.wasm 2>/dev/null || tar -xzf "$out/bundle.tar.gz" -C "$out" policy.wasm
echo "built $out/policy.wasm ($(wc -c < "$out/policy.wasm") bytes)"
