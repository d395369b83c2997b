"""The load benchmark's orchestration (run it through scripts/bench-load.sh, which installs and
builds what it needs). Every server runs on this machine at once, each on its own port; the runs
alternate between them at each load level, so drift in the machine affects all alike."""

import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
TOOLS = os.path.join(REPO, ".tools", "bin")
CP = os.environ["HOPGATE_BENCH_CP"]
RATES = [int(r) for r in os.environ.get("RATES", "500 1000 2000 4000").split()]
DURATION = int(os.environ.get("DURATION", "4"))        # seconds per fixed-rate run
MAX_N = int(os.environ.get("MAX_N", "12000"))          # requests of the run at maximum rate
CONC = int(os.environ.get("CONC", "16"))               # ghz workers
WARM_REUSABLE = int(os.environ.get("WARM_REUSABLE", "40000"))
WARM_ONCE = int(os.environ.get("WARM_ONCE", "40000"))
E2E = os.environ.get("E2E", "1") != "0"
E2E_DURATION = int(os.environ.get("E2E_DURATION", "8"))
# A hopgate.jar to compare with (an earlier build): run as "baseline-cedar" beside the others, with
# its own one-time tokens, and reported as ratios (this build / the baseline).
BASELINE = os.environ.get("BASELINE_JAR")
ENGINES = ["cedar", "opa-wasm"]
STAMP = datetime.now(timezone.utc).strftime("%Y-%m-%d-%H%M")
WORK = os.path.join(REPO, "tests", "target", "bench-load", STAMP)
OUT = os.path.join(REPO, "tests", "bench", "results")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, name, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"bench: {name} exited ({proc.returncode}); see {WORK}/{name}.log")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"bench: {name} did not listen on {port} within {timeout} s")


def java(*args, **kw):
    return ["java", f"-Dhopgate.repo.dir={REPO}", "-cp", CP, *args]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_kb(pid):
    rss = hwm = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    return rss, hwm


class Server:
    def __init__(self, name, argv, port, cwd, warm):
        self.name, self.port, self.warm = name, port, warm
        self.log = open(os.path.join(WORK, f"{name}.log"), "w")
        self.proc = subprocess.Popen(argv, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT)
        wait_port(port, self.proc, name)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def ghz(port, requests_file, n, rps=None, conc=CONC, out=None):
    argv = [os.path.join(TOOLS, "ghz"), "--insecure", "--protoset", os.path.join(WORK, "check.protoset"),
            "--call", "envoy.service.auth.v3.Authorization/Check", "--binary-file", requests_file,
            "-n", str(n), "-c", str(conc), "--connections", "2", "--timeout", "10s"]
    if rps:
        argv += ["--rps", str(rps)]
    if out:
        argv += ["-O", "json", "-o", out]
    else:
        argv += ["-O", "summary"]
    subprocess.run(argv + [f"127.0.0.1:{port}"], check=True, stdout=subprocess.DEVNULL if not out else None)


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def summarize(path):
    report = json.load(open(path))
    latencies = sorted(d["latency"] / 1e6 for d in report.get("details", []) if not d.get("error"))
    errors = sum(1 for d in report.get("details", []) if d.get("error"))
    return {"rps": report["rps"], "count": report["count"], "errors": errors,
            **{f"p{p}": percentile(latencies, p) for p in (50, 90, 99, 99.9)}}


def main():
    os.makedirs(WORK, exist_ok=True)
    os.makedirs(OUT, exist_ok=True)
    ports = {"hopgate-cedar": free_port(), "hopgate-opa-wasm": free_port(), "peer": free_port(),
             "noop": free_port(), "baseline-cedar": free_port()}
    # Each hopgate server and the prefix of its fixture files (the peer and the floor use cedar's).
    fixtures = {f"hopgate-{e}": e for e in ENGINES}
    if BASELINE:
        fixtures["baseline-cedar"] = "baseline"
    # One fixture: every hopgate run gets its own one-time tokens (the replay state is exercised on
    # every request); the peer and the floor replay hopgate-cedar's files (they keep no such state).
    specs = ["probe:4"]
    for e in fixtures.values():
        specs += [f"warm-{e}:{WARM_ONCE}", f"reuse-{e}:2000:reusable"]
        specs += [f"{e}-{r}:{r * DURATION}" for r in RATES] + [f"{e}-max:{MAX_N}"]
    if E2E:
        specs += ["e2e-hopgate:" + str(4000 * E2E_DURATION), "e2e-peer:" + str(4000 * E2E_DURATION)]
    print(f"bench: minting the fixture into {WORK} (one ES256 token per request: takes a while)")
    subprocess.run(java("dev.hopgate.bench.LoadFixture", WORK, *specs), check=True)

    jar = os.path.join(REPO, "envoy-ext-authz", "target", "hopgate.jar")
    servers = {}
    try:
        for e in ENGINES:
            name = f"hopgate-{e}"
            servers[name] = Server(name, ["java", "-jar", jar, "serve", "--config", "hopgate.yaml", "--engine", e,
                                          "--listen", f"127.0.0.1:{ports[name]}",
                                          "--set", f"decision_log.path=decisions-{e}.jsonl"],
                                   ports[name], WORK, warm=f"reuse-{e}")
        if BASELINE:
            servers["baseline-cedar"] = Server(
                "baseline-cedar", ["java", "-jar", BASELINE, "serve", "--config", "hopgate.yaml", "--engine", "cedar",
                                   "--listen", f"127.0.0.1:{ports['baseline-cedar']}",
                                   "--set", "decision_log.path=decisions-baseline.jsonl"],
                ports["baseline-cedar"], WORK, warm="reuse-baseline")
        servers["peer"] = Server("peer", [os.path.join(TOOLS, "opa-envoy-plugin"), "run", "--server",
                                          "--addr", f"127.0.0.1:{free_port()}",
                                          "--config-file", os.path.join(REPO, "tests/bench/peer/config.yaml"),
                                          "--set", f"plugins.envoy_ext_authz_grpc.addr=127.0.0.1:{ports['peer']}",
                                          os.path.join(REPO, "tests/bench/peer/policy.rego"),
                                          os.path.join(WORK, "peer", "data.json")],
                                 ports["peer"], WORK, warm="reuse-cedar")
        servers["noop"] = Server("noop", java("dev.hopgate.bench.NoopExtAuthz", str(ports["noop"])),
                                 ports["noop"], WORK, warm="reuse-cedar")
        for i, (name, s) in enumerate(servers.items()):
            subprocess.run(java("dev.hopgate.bench.CheckProbe", str(s.port),
                                os.path.join(WORK, "requests-probe.bin")), check=True)

        # Warm-up: the JVMs compile their hot paths (C2 spends tens of CPU seconds on hopgate's);
        # measuring before that measures the JIT. The Go peer needs little; it gets the same load.
        print("bench: warming up")
        for name, s in servers.items():
            ghz(s.port, os.path.join(WORK, f"requests-{s.warm}.bin"), WARM_REUSABLE)
            if name in fixtures:
                ghz(s.port, os.path.join(WORK, f"requests-warm-{fixtures[name]}.bin"), WARM_ONCE)

        runs = []
        order = ["hopgate-cedar"] + (["baseline-cedar"] if BASELINE else []) + ["peer", "hopgate-opa-wasm", "noop"]
        for rate in RATES + ["max"]:
            for name in order:
                s = servers[name]
                engine = fixtures.get(name, "cedar")
                requests = os.path.join(WORK, f"requests-{engine}-{rate}.bin")
                n = MAX_N if rate == "max" else rate * DURATION
                out = os.path.join(WORK, f"ghz-{name}-{rate}.json")
                cpu0, t0 = cpu_seconds(s.proc.pid), time.time()
                ghz(s.port, requests, n, rps=None if rate == "max" else rate, out=out)
                wall = time.time() - t0
                cpu = cpu_seconds(s.proc.pid) - cpu0
                rss, hwm = memory_kb(s.proc.pid)
                run = {"server": name, "rate": rate, "cpu_s": cpu, "wall_s": wall, "rss_kb": rss, "hwm_kb": hwm,
                       **summarize(out)}
                runs.append(run)
                print(f"bench: {name:17} {str(rate):>5}/s: {run['rps']:7.0f} rps  p50 {run['p50']:6.2f} ms"
                      f"  p99 {run['p99']:6.2f} ms  cpu {cpu / wall:4.2f} cores  rss {rss // 1024} MB")

        outcomes = {}
        for name, e in fixtures.items():
            counts = {}
            with open(os.path.join(WORK, f"decisions-{e}.jsonl")) as f:
                for line in f:
                    o = json.loads(line)["payload"]
                    if "outcome" not in o:
                        continue  # not a decision (an unreleased spend)
                    key = o["outcome"] + ("" if not o.get("codes") else " " + ",".join(o["codes"]))
                    counts[key] = counts.get(key, 0) + 1
            outcomes[name] = counts

        e2e = run_e2e(servers) if E2E else []
    finally:
        for s in servers.values():
            s.stop()

    raw = {"stamp": STAMP, "machine": machine(), "settings": {"rates": RATES, "duration_s": DURATION, "max_n": MAX_N,
           "concurrency": CONC, "warm_reusable": WARM_REUSABLE, "warm_once": WARM_ONCE}, "runs": runs,
           "hopgate_outcomes": outcomes, "e2e": e2e, "versions": versions()}
    json.dump(raw, open(os.path.join(OUT, f"{STAMP}-load.json"), "w"), indent=1)
    md = report(raw)
    open(os.path.join(OUT, f"{STAMP}-load.md"), "w").write(md)
    print(md)
    print(f"bench: report in tests/bench/results/{STAMP}-load.md")


def run_e2e(servers):
    """wrk through a real Envoy: hopgate-cedar, then the peer, each behind its own Envoy."""
    results = []
    envoy = os.path.join(REPO, ".tools", "venv", "bin", "envoy")
    template = open(os.path.join(REPO, "tests/bench/envoy-e2e.yaml")).read()
    for name, tokens in (("hopgate-cedar", "e2e-hopgate"), ("peer", "e2e-peer")):
        listener, admin = free_port(), free_port()
        config = template
        for k, v in {"LISTENER_PORT": listener, "ADMIN_PORT": admin, "AUTHZ_PORT": servers[name].port}.items():
            config = config.replace("${" + k + "}", str(v))
        path = os.path.join(WORK, f"envoy-{name}.yaml")
        open(path, "w").write(config)
        log = open(os.path.join(WORK, f"envoy-{name}.log"), "w")
        proc = subprocess.Popen([envoy, "-c", path, "--concurrency", "1", "--log-level", "warn",
                                 "--base-id", str(admin)], stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_port(listener, proc, f"envoy-{name}")
            env = dict(os.environ, TOKENS=os.path.join(WORK, f"{tokens}.tokens"),
                       ORIGIN=os.path.join(WORK, f"{tokens}.origin"), THREADS="2")
            cpu0 = cpu_seconds(servers[name].proc.pid)
            out = subprocess.run(["wrk", "-t2", "-c16", f"-d{E2E_DURATION}s", "--latency", "-s",
                                  os.path.join(REPO, "tests/bench/wrk-hop.lua"), f"http://127.0.0.1:{listener}"],
                                 env=env, check=True, capture_output=True, text=True).stdout
            cpu = cpu_seconds(servers[name].proc.pid) - cpu0
            open(os.path.join(WORK, f"wrk-{name}.txt"), "w").write(out)
            results.append({"server": name, "cpu_s": cpu, **parse_wrk(out)})
            print(f"bench: e2e {name}: {results[-1]}")
        finally:
            proc.terminate()
            proc.wait(20)
    return results


def parse_wrk(text):
    result = {"non_2xx": 0}
    for line in text.splitlines():
        parts = line.split()
        if line.strip().startswith(("50%", "75%", "90%", "99%")) and len(parts) == 2:
            result["p" + parts[0].rstrip("%")] = to_ms(parts[1])
        elif line.startswith("Requests/sec:"):
            result["rps"] = float(parts[1])
        elif "Non-2xx or 3xx responses:" in line:
            result["non_2xx"] = int(parts[-1])
        elif "requests in" in line:
            result["requests"] = int(parts[0])
    return result


def to_ms(value):
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if value.endswith(unit):
            return float(value[: -len(unit)]) * factor
    return float(value)


def machine():
    return f"{os.cpu_count()} cores, {platform.platform()}, {platform.processor() or platform.machine()}"


def versions():
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    return {"java": java, "ghz": open(os.path.join(REPO, ".tools", "ghz.version")).read().strip(),
            "opa-envoy-plugin": open(os.path.join(REPO, ".tools", "opa-envoy-plugin.version")).read().strip()}


def report(raw):
    runs = {(r["server"], str(r["rate"])): r for r in raw["runs"]}
    s = raw["settings"]
    lines = [f"# Load benchmark, {raw['stamp']} (UTC)", "",
             f"Machine: {raw['machine']}. {raw['versions']['java']}; ghz {raw['versions']['ghz']}; "
             f"opa-envoy-plugin {raw['versions']['opa-envoy-plugin']}.", "",
             "Reproduce: `make bench-load` (scripts/bench-load.sh). Each request is the third hop of one txn "
             "(planner -> agent -> inventory -> payments): an origin token, a two-transition chain, two completion "
             "records and its own one-time hop token, all ES256 (the one algorithm OPA's `io.jwt` and hopgate both "
             "verify). The peer, opa-envoy-plugin, runs tests/bench/peer/policy.rego: the same signatures verified "
             "(with OPA's io.jwt cache on), the chain linked, the four gates; it keeps no one-time-token state, "
             "writes no decision log and mints no transition, all of which hopgate does on every request. The floor "
             "is a grpc-java server that allows without reading. ghz and every server share the machine's "
             f"cores; runs alternate between servers at each level; {s['duration_s']} s per fixed rate, "
             f"{s['max_n']} requests at maximum, {s['concurrency']} ghz workers over 2 connections; each server "
             f"warmed with {s['warm_reusable']} requests (+{s['warm_once']} with one-time tokens) first.", "",
             "## gRPC Check (ghz)", "",
             "| server | offered | achieved rps | p50 ms | p90 ms | p99 ms | p99.9 ms | CPU cores | CPU us/req | RSS MB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in raw["runs"]:
        n = max(1, r["count"])
        lines.append(f"| {r['server']} | {r['rate']} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p90']:.2f} | "
                     f"{r['p99']:.2f} | {r['p99.9']:.2f} | {r['cpu_s'] / r['wall_s']:.2f} | "
                     f"{r['cpu_s'] * 1e6 / n:.0f} | {r['rss_kb'] / 1024:.0f} |")
    lines += ["", "## Ratios", "", "| | " + " | ".join(f"hopgate-{e}" for e in ENGINES) + " | target |",
              "|---|" + "---:|" * len(ENGINES) + "---|"]

    def ratio(a, b):
        return f"{a / b:.2f}" if b else "n/a"

    lines.append("| max throughput / peer | " + " | ".join(
        ratio(runs[(f"hopgate-{e}", "max")]["rps"], runs[("peer", "max")]["rps"]) for e in ENGINES) + " | >= 1.5 |")
    for rate in raw["settings"]["rates"]:
        lines.append(f"| p99 / peer p99 at {rate}/s | " + " | ".join(
            ratio(runs[(f"hopgate-{e}", str(rate))]["p99"], runs[("peer", str(rate))]["p99"]) for e in ENGINES)
            + " | <= 0.5 |")
    for rate in raw["settings"]["rates"]:
        lines.append(f"| p50 / floor p50 at {rate}/s | " + " | ".join(
            ratio(runs[(f"hopgate-{e}", str(rate))]["p50"], runs[("noop", str(rate))]["p50"]) for e in ENGINES)
            + " | <= 3 |")
    if 2000 in raw["settings"]["rates"]:
        lines.append("| p99 ms at 2000/s | " + " | ".join(
            f"{runs[(f'hopgate-{e}', '2000')]['p99']:.2f}" for e in ENGINES) + " | <= 1 |")
    lines.append("| CPU us per request at max / peer | " + " | ".join(
        ratio(runs[(f"hopgate-{e}", "max")]["cpu_s"] / runs[(f"hopgate-{e}", "max")]["count"],
              runs[("peer", "max")]["cpu_s"] / runs[("peer", "max")]["count"]) for e in ENGINES) + " | |")
    if ("baseline-cedar", "max") in runs:
        lines += ["", "## This build against the baseline jar (hopgate-cedar / baseline-cedar, same run)", "",
                  "| | ratio |", "|---|---:|",
                  "| max throughput | " + ratio(runs[("hopgate-cedar", "max")]["rps"],
                                              runs[("baseline-cedar", "max")]["rps"]) + " |",
                  "| CPU us per request at max | " + ratio(
                      runs[("hopgate-cedar", "max")]["cpu_s"] / runs[("hopgate-cedar", "max")]["count"],
                      runs[("baseline-cedar", "max")]["cpu_s"] / runs[("baseline-cedar", "max")]["count"]) + " |"]
        for rate in raw["settings"]["rates"]:
            for q in ("p50", "p99"):
                lines.append(f"| {q} at {rate}/s | " + ratio(runs[("hopgate-cedar", str(rate))][q],
                                                             runs[("baseline-cedar", str(rate))][q]) + " |")
    lines += ["", "hopgate's decisions (its decision logs, warm-up included): " + "; ".join(
        f"{k}: " + ", ".join(f"{o} {c}" for o, c in v.items()) for k, v in raw["hopgate_outcomes"].items()), ""]
    if raw["e2e"]:
        lines += ["## Through Envoy (wrk, 2 threads, 16 connections, first hops with one-time tokens)", "",
                  "| server | rps | p50 ms | p90 ms | p99 ms | non-2xx | authz CPU cores |", "|---|---:|---:|---:|---:|---:|---:|"]
        for r in raw["e2e"]:
            lines.append(f"| {r['server']} | {r.get('rps', 0):.0f} | {r.get('p50', 0):.2f} | {r.get('p90', 0):.2f} | "
                         f"{r.get('p99', 0):.2f} | {r['non_2xx']} | {r['cpu_s'] / E2E_DURATION:.2f} |")
        lines.append("")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
