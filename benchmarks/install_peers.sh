#!/usr/bin/env bash
# Install the peer tools OUTSIDE the repo, with their registries' own clients:
# linkinator and broken-link-checker (npm), LinkChecker (PyPI, in its own venv).
# Usage: bash benchmarks/install_peers.sh   (PEERS=/tmp/govmon-peers)
set -euo pipefail
PEERS=${PEERS:-/tmp/govmon-peers}
mkdir -p "$PEERS"
if [ ! -x "$PEERS/node_modules/.bin/linkinator" ] || [ ! -x "$PEERS/node_modules/.bin/blc" ]; then
  command -v npm >/dev/null || { echo "npm missing: apt-get install -y nodejs npm" >&2; exit 1; }
  npm install --prefix "$PEERS" --no-audit --no-fund linkinator@7.6.1 broken-link-checker@0.7.8
fi
if [ ! -x "$PEERS/venv/bin/linkchecker" ]; then
  python3 -m venv "$PEERS/venv"
  "$PEERS/venv/bin/pip" install -q linkchecker==10.6.0
fi
echo "peers in $PEERS"
