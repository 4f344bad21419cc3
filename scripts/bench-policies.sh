#!/usr/bin/env bash
# Prints a Markdown table of write latency (exact percentiles over the run) and throughput per acknowledgement policy, from
# the headless runner (simulated time, so the figures do not depend on this machine).
# Usage: bash scripts/bench-policies.sh [SCENARIO.json] [--until 60s]
set -euo pipefail
cd "$(dirname "$0")/.."
scenario="${1:-www/scenarios/backup-band.json}"
shift || true
cargo build -q --release --example run
policies=(
  'async'
  '{"replicas": 1, "select": "any", "point": "received"}'
  '{"replicas": 1, "select": "any", "point": "flushed"}'
  '{"replicas": 1, "select": "first", "point": "flushed"}'
  'majority'
  '{"replicas": "all", "point": "flushed"}'
  '{"replicas": "all", "point": "applied"}'
)
echo "| policy | writes/s | reads/s | write p50 ms | p95 ms | p99 ms | stale reads |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for p in "${policies[@]}"; do
  target/release/examples/run "$scenario" --ack "$p" "$@" | node -e '
    let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
      const r = JSON.parse(s), l = r.writeLatencyMs || {};
      const policy = (r.writeLatencyByPolicy[0] || {}).policy;
      console.log(`| ${policy} | ${r.writesPerSec} | ${r.readsPerSec} | ${l.p50} | ${l.p95} | ${l.p99} | ${r.staleReads} (${(100 * r.staleReadRate).toFixed(1)}%) |`);
    });'
done
