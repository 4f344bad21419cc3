#!/usr/bin/env bash
# One command from a fresh machine to the page: installs what is missing, builds the wasm
# package, and serves www/ on localhost (PORT, default 8000), printing the URL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
port="${PORT:-8000}"
echo
echo "  Replica Lab is at  http://127.0.0.1:${port}/   (Ctrl-C stops the server)"
echo
exec python3 scripts/serve.py "$port" www
