#!/usr/bin/env bash
# Runs the swarm over N seeds (default 10000) in a release build, starting at seed FIRST
# (default 0), and prints how many failed, what each found, and seeds per second.
# Usage: bash scripts/swarm.sh [N] [FIRST]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
first="${2:-0}"
cargo build -q --release --tests
start=$(date +%s.%N)
status=0
SWARM_SEEDS="$n" SWARM_FIRST="$first" cargo test -q --release --test swarm -- --nocapture || status=$?
end=$(date +%s.%N)
awk -v n="$n" -v s="$start" -v e="$end" 'BEGIN { printf "%d seeds in %.1f s: %.0f seeds/s\n", n, e - s, n / (e - s) }'
exit "$status"
