#!/bin/sh
# Runs the W3C SPARQL 1.1 query-evaluation tests and the protocol checks of the shared runner
# against `eukg serve --data`, one server per data file, and compares with the Oxigraph server.
#
#   bench/w3c_conformance.sh            # JOBS=2 by default
#   EUKG_W3C_SUITE=/path/to/w3c JOBS=4 bench/w3c_conformance.sh
#
# Oxigraph keeps typed literals in canonical form ("01"^^xsd:integer as "1"), so the data files
# are served with --allow-normalised-literals, as the Oxigraph server peer serves them.
#
# Results go to bench/results/ (not committed): eukg.json / eukg.txt (query evaluation, with
# the failures), eukg-protocol.json / .txt, comparison.md. Exit code: the runner's.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
W3C=${EUKG_W3C_SUITE:-$ROOT/../shared/w3c}
PY=${PYTHON:-$ROOT/.venv/bin/python}
JOBS=${JOBS:-2}
OUT=$ROOT/bench/results

if [ ! -f "$W3C/run_suite.py" ]; then
    echo "w3c_conformance: no run_suite.py in $W3C (set EUKG_W3C_SUITE)" >&2
    exit 2
fi
mkdir -p "$OUT"

# {data}, {base} and {port} are filled in (and quoted) by the runner.
CMD="'$PY' -m eukg serve --data {data} --data-base {base} --allow-normalised-literals --workers 1 --host 127.0.0.1 --port {port} --log-level warning"
URL='http://127.0.0.1:{port}/sparql'
LABEL="eukg serve --data ($(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo unversioned))"

cd "$ROOT"
echo "query evaluation: $CMD" >&2
status=0
"$PY" "$W3C/run_suite.py" --cmd "$CMD" --url "$URL" --jobs "$JOBS" --label "$LABEL" \
    --out "$OUT/eukg.json" --show-failures >"$OUT/eukg.txt" 2>&1 || status=$?
echo "protocol checks" >&2
"$PY" "$W3C/run_suite.py" --protocol --cmd "$CMD" --url "$URL" --label "$LABEL" \
    --out "$OUT/eukg-protocol.json" >"$OUT/eukg-protocol.txt" 2>&1 || status=$?
peers=""
for p in oxigraph oxigraph-protocol; do
    [ -f "$W3C/peer-results/$p.json" ] && peers="$peers $W3C/peer-results/$p.json"
done
# shellcheck disable=SC2086
"$PY" "$W3C/run_suite.py" --compare "$OUT/eukg.json" "$OUT/eukg-protocol.json" $peers \
    >"$OUT/comparison.md" 2>&1 || true

echo "query evaluation: $(tail -n 1 "$OUT/eukg.txt")   (Oxigraph server 0.5.13: 421 passed, 47 failed, 47 skipped)"
echo "protocol checks:  $(tail -n 1 "$OUT/eukg-protocol.txt")   (Oxigraph server: 33 of 35)"
echo "details: $OUT/eukg.txt, $OUT/comparison.md"
exit "$status"
