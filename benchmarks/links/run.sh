#!/usr/bin/env bash
# Issue 4: govmon audit vs LinkChecker vs linkinator on the 5,003-page sitegen `big`
# portal (6,014 dead links, ground truth) served by nginx on 127.0.0.1.
# Usage: bash benchmarks/links/run.sh [--concurrency 8] [--idle 2] [--pages 5000]
#        (PEERS=/tmp/govmon-peers; PY= the Python with govmon installed, default .venv/bin/python
#         as the README's commands make it, else python3)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${PY:-}" ]; then
  if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi
for tool in /usr/sbin/nginx /usr/bin/wrk; do
  [ -x "$tool" ] || { echo "missing $tool: apt-get install -y nginx-light wrk" >&2; exit 1; }
done
bash benchmarks/install_peers.sh
exec "$PY" benchmarks/links/bench_links.py "$@"
