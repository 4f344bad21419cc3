#!/usr/bin/env bash
# One command from a fresh machine to a full test run: installs what the tests need, then
# runs formatting and lint checks, the native unit/scenario/property tests, the browser
# binding tests (wasm-pack test in headless Chromium), and the end-to-end page tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

step() { printf '\n\033[1;34m== %s\033[0m\n' "$*"; }

step "format"
cargo fmt --check

step "lint (native and wasm32)"
cargo clippy --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown --lib --tests -- -D warnings

step "native tests"
cargo test

step "swarm: 500 seeded fault schedules, every checker on every history (release build)"
cargo test --release --test swarm -- --nocapture

step "binding tests in headless Chromium"
wasm-pack test --headless --chrome

step "wasm release build"
bash scripts/build.sh
wasm_bytes=$(gzip -9 -c www/pkg/replica_lab_bg.wasm | wc -c)
echo "replica_lab_bg.wasm: $(wc -c < www/pkg/replica_lab_bg.wasm) bytes, ${wasm_bytes} gzipped"

step "end-to-end page tests in headless Chromium"
# One file at a time: most steps run simulated time through the page's test hook, but the
# tests of the frame loop itself watch it run in real time, and two Chromiums on two cores
# would only slow each other down.
node --test --test-concurrency=1 --test-reporter=spec tests/e2e/
