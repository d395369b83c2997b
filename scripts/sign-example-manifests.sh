#!/usr/bin/env bash
# Signs examples/manifests/src/*.json with the demo registry key into examples/manifests/*.jws,
# as a manifest registry would. Run after editing a manifest source (needs the built hopgate.jar).
set -euo pipefail
cd "$(dirname "$0")/.."
jar=envoy-ext-authz/target/hopgate.jar
[ -f "$jar" ] || { echo "build first: make build" >&2; exit 1; }
for src in examples/manifests/src/*.json; do
  name=$(basename "$src" .json)
  java -jar "$jar" manifest sign --key examples/keys/registry.private.jwk.json \
    --iss https://registry.shop.example "$src" > "examples/manifests/$name.jws"
  echo "signed examples/manifests/$name.jws"
done
