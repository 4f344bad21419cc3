#!/usr/bin/env python3
"""Serves www/ for scripts/serve.sh: a static server on 127.0.0.1 (port from argv[1])
that sends Access-Control-Allow-Origin: * with every file, as GitHub Pages does, so the
lab also works inside a sandboxed iframe (an opaque origin fetches the modules, the wasm
and the scenarios as CORS requests), and serves .wasm as application/wasm."""

import functools
import http.server
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm", ".js": "text/javascript", ".mjs": "text/javascript"}

    def end_headers(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    root = sys.argv[2] if len(sys.argv) > 2 else "www"
    handler = functools.partial(Handler, directory=root)
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as httpd:
        httpd.serve_forever()
