#!/usr/bin/env bash
# Runs `make test` while a CPU hog keeps one of the machine's cores busy, as another build sharing the
# machine would. The hog is a plain busy loop, started here and stopped here by its PID; `timeout`
# bounds it even if this script is killed without running its trap.
#
#   scripts/test-under-load.sh              # make test beside one busy core
#   HOG_CORES=2 scripts/test-under-load.sh  # beside two
set -euo pipefail
cd "$(dirname "$0")/.."

HOG_CORES=${HOG_CORES:-1}
HOG_MAX_SECONDS=${HOG_MAX_SECONDS:-3600}   # the hog's own bound: longer than the suite's 30-minute budget

hogs=()
stop_hogs() {
  for pid in "${hogs[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${hogs[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap stop_hogs EXIT INT TERM

for _ in $(seq "$HOG_CORES"); do
  timeout "$HOG_MAX_SECONDS" bash -c 'while :; do :; done' &
  hogs+=("$!")
done
# Prove the hogs run before the suite starts: each must be alive and burning CPU.
for pid in "${hogs[@]}"; do
  kill -0 "$pid" || { echo "test-under-load: the CPU hog $pid did not start" >&2; exit 1; }
done
echo "test-under-load: ${HOG_CORES} CPU hog(s) running (pid ${hogs[*]}, at most ${HOG_MAX_SECONDS} s)"

start=$(date +%s)
status=0
make test || status=$?
elapsed=$(( $(date +%s) - start ))

# What the hogs burnt: user CPU seconds of each busy loop (the child of its timeout), from /proc.
burnt=""
for pid in "${hogs[@]}"; do
  for child in $(pgrep -P "$pid" 2>/dev/null); do
    ticks=$(awk '{print $14}' "/proc/$child/stat" 2>/dev/null || echo 0)
    burnt+=" $(( ticks / $(getconf CLK_TCK) ))s"
  done
done
echo "test-under-load: make test $([ "$status" -eq 0 ] && echo passed || echo FAILED) in $((elapsed / 60)) min $((elapsed % 60)) s; the hog(s) used${burnt:- (unknown)} of CPU"
exit "$status"
