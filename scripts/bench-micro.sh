#!/usr/bin/env bash
# JMH microbenchmarks of tests/src/test/java/dev/hopgate/bench, run on this machine; writes
# tests/bench/results/<date>-jmh.json and a markdown table beside it. Usage: bench-micro.sh [regex]
set -euo pipefail
cd "$(dirname "$0")/.."
filter=${1:-.}
out=tests/bench/results
mkdir -p "$out"
stamp=$(date -u +%Y-%m-%d-%H%M)
mvn -B -ntp -q -pl tests -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
  -Dmdep.includeScope=test >/dev/null
cp=tests/target/test-classes:tests/target/classes:$(cat tests/target/bench.classpath)
java -Dhopgate.repo.dir="$PWD" -cp "$cp" org.openjdk.jmh.Main -rf json -rff "$out/$stamp-jmh.json" \
  -jvmArgs "-Dhopgate.repo.dir=$PWD" "$filter"
python3 - "$out/$stamp-jmh.json" "$out/$stamp-jmh.md" <<'PY'
import json, sys, platform, os
results = json.load(open(sys.argv[1]))
lines = [f"# JMH microbenchmarks, {os.path.basename(sys.argv[1])[:15]}", "",
         f"Machine: {os.cpu_count()} cores, {platform.platform()}; one fork, 3 x 1 s warm-up, 5 x 1 s measurement.",
         "Average time per operation (lower is better); error is the 99.9 % confidence half-width.", "",
         "| benchmark | params | us/op | error |", "|---|---|---:|---:|"]
for r in results:
    params = ", ".join(f"{k}={v}" for k, v in (r.get("params") or {}).items())
    m = r["primaryMetric"]
    lines.append(f"| {r['benchmark'].split('.')[-2]}.{r['benchmark'].split('.')[-1]} | {params} | {m['score']:.1f} | {m['scoreError']:.1f} |")
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
