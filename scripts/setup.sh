#!/usr/bin/env bash
# Installs whatever this machine is missing to build (and, with --test, to test) Replica Lab.
# Idempotent: every step checks first and skips what is already there. Nothing is downloaded
# outside the package registries (crates.io, npm, Debian), as ../shared/TOOLCHAIN.md explains.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

# The wasm-bindgen CLI must match the crate exactly; Cargo.toml pins it with "=X.Y.Z".
bindgen_version=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p; s/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml | head -n1)
[ -n "$bindgen_version" ] || { echo "could not read the pinned wasm-bindgen version from Cargo.toml" >&2; exit 1; }

if [ ! -d "$(rustc --print sysroot)/lib/rustlib/wasm32-unknown-unknown" ]; then
  say "adding the wasm32-unknown-unknown target"
  timeout 600 rustup target add wasm32-unknown-unknown
fi

if ! command -v wasm-pack >/dev/null; then
  say "installing wasm-pack from crates.io (about 5 minutes on 2 cores)"
  cargo install wasm-pack --version '^0.15'
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " $bindgen_version\$"; then
  say "installing wasm-bindgen-cli $bindgen_version (about 4 minutes)"
  cargo install wasm-bindgen-cli --version "$bindgen_version" --force
fi

# npm packages: binaryen (wasm-opt, used by wasm-pack from PATH) and, for tests, playwright-core
# and axe-core (the accessibility scan).
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/axe-core ] || [ package.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi

if [ "$want_test" = 1 ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Debian's chromium and chromium-driver"
    export DEBIAN_FRONTEND=noninteractive
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi
say "tools ready"
