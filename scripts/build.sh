#!/usr/bin/env bash
# Builds the WebAssembly package into www/pkg (release profile, wasm-opt -Oz), making www/
# a static site. Assumes scripts/setup.sh has run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
wasm-pack --quiet build --target web --out-dir www/pkg --release --no-pack
