# hopgate: the two commands are `make run` and `make test`. Both install what they need (pinned,
# into .tools/) and build what is stale.
SHELL := /bin/bash
MVN   ?= mvn -B -ntp
JAR   := envoy-ext-authz/target/hopgate.jar
SOURCES := $(shell find pom.xml */pom.xml grpc-api/src pdp-adapter/src envoy-ext-authz/src policies/rego -type f 2>/dev/null)
CONFIG ?= examples/hopgate.yaml

.PHONY: run test demo bench-micro bench-load tools build envoy headers clean

## run: start hopgate on the embedded default (in-process Cedar, example keys, gRPC on 127.0.0.1:9191)
run: tools $(JAR)
	@echo "hopgate: point Envoy's ext_authz at 127.0.0.1:9191 (gRPC). A ready config: examples/envoy.yaml"
	@echo "         in another shell: make envoy    then: curl -i -H @<(make -s headers) http://127.0.0.1:10000/inventory/reserve"
	java -jar $(JAR) serve --config $(CONFIG)

## test: build and run every test, unit to end-to-end (real Envoy), as CI does; prints its run time
test:
	@start=$$(date +%s); status=0; scripts/install-tools.sh && $(MVN) verify || status=$$?; \
	  s=$$(( $$(date +%s) - start )); \
	  echo "make test: $$([ $$status -eq 0 ] && echo passed || echo FAILED) in $$((s / 60)) min $$((s % 60)) s"; \
	  exit $$status

## demo: the checkout story across six services, each behind its own Envoy and hopgate, with the
## token service; printed in plain words (the same scenario is DemoIT in make test)
demo: tools $(JAR)
	@$(MVN) -q -pl tests test-compile exec:java -Dexec.mainClass=dev.hopgate.demo.Demo \
	  -Dexec.classpathScope=test -Dexec.cleanupDaemonThreads=false \
	  -Dhopgate.repo.dir=$(CURDIR) -Dhopgate.tools.dir=$(CURDIR)/.tools -Dhopgate.jar=$(CURDIR)/$(JAR)

## bench-micro: JMH microbenchmarks (crypto, engines, the whole decision); results as JSON and a
## markdown table under tests/bench/results/. Not part of make test. BENCH=regex narrows them.
BENCH ?= .
bench-micro: tools $(JAR)
	@scripts/bench-micro.sh "$(BENCH)"

## bench-load: ghz load on Check (hopgate's engines, opa-envoy-plugin, a no-op floor, alternately),
## then wrk through Envoy; report under tests/bench/results/. About 10 minutes. Not part of make test.
bench-load: tools
	@scripts/bench-load.sh

tools:
	@scripts/install-tools.sh

build: $(JAR)

$(JAR): $(SOURCES)
	$(MVN) -q -DskipTests install

## envoy: run the pinned Envoy with examples/envoy.yaml (listener 127.0.0.1:10000, admin 127.0.0.1:9901)
envoy: tools
	.tools/venv/bin/envoy -c examples/envoy.yaml --disable-hot-restart --concurrency 1 -l info

## headers: mint a demo origin token and hop token for COMPONENT (curl -H @<(make -s headers) ...),
## declaring PROCESS (a process definition file) as the txn's intent when set
COMPONENT ?= spiffe://shop.example/inventory
PROCESS ?=
AUTHORITY ?= urn:shop:step:reserve-stock,urn:shop:step:confirm-address,urn:shop:step:charge-card,urn:shop:step:schedule-shipping,urn:ops:step:drop-production-database
headers: $(JAR)
	@txn=txn-$$RANDOM$$RANDOM; \
	echo "Txn-Token: $$(java -jar $(JAR) token mint origin --key examples/keys/txn-token-service.private.jwk.json \
	  --iss https://txn-tokens.shop.example --sub alice@shop.example --aud shop.example --txn $$txn \
	  --origin-wl spiffe://shop.example/planner --authority $(AUTHORITY) --ttl 5m $(if $(PROCESS),--process $(PROCESS)))"; \
	echo "Authorization: Bearer $$(java -jar $(JAR) token mint hop --key examples/keys/token-service.private.jwk.json \
	  --iss https://tokens.shop.example --sub alice@shop.example --aud $(COMPONENT) --txn $$txn $(if $(PROCESS),--process $(PROCESS)))"

clean:
	$(MVN) -q clean
