#!/usr/bin/env bash
# Builds the WebAssembly package into www/pkg (release profile, wasm-opt -Oz), making www/
# a static site. www/pkg is also the npm package (package.json and types from wasm-pack;
# its README from npm/README.md): `npm install www/pkg`, or `npm pack` inside it. Assumes
# scripts/setup.sh has run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
wasm-pack --quiet build --target web --out-dir www/pkg --release
# wasm-pack copies the repository's README; the package gets its own.
cp npm/README.md www/pkg/README.md
node -e '
  const fs = require("fs");
  const file = "www/pkg/package.json";
  const p = JSON.parse(fs.readFileSync(file, "utf8"));
  p.keywords = ["replication", "database", "simulation", "raft", "webassembly", "teaching"];
  p.files = [...new Set([...(p.files ?? []), "replica_lab_bg.wasm.d.ts", "README.md"])];
  fs.writeFileSync(file, JSON.stringify(p, null, 2) + "\n");
'
