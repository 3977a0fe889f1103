#!/usr/bin/env bash
# Event ingestion speed: `guide serve` (release build) on N NASpI recipients (Chiara's demo
# record, each with their own codice fiscale), C keep-alive connections posting batches of E
# events (`POST /g/TOKEN/eventi`, tokens in turn) for SECONDS into SQLite; then the events
# stored are counted in the database. The load generator is server/examples/events_load.rs; it
# shares the machine's cores with the server.
#
#   bench/events.sh                      20,000 recipients, 64 connections, 25 events, 10 s
#   N=50000 C=128 E=10 DURATION=20 bench/events.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=${WORK:-$ROOT/target/bench}
N=${N:-20000}
C=${C:-64}
E=${E:-25}
SECONDS_EACH=${DURATION:-10}
PORT=${PORT:-18191}
mkdir -p "$WORK"

PROFILE=${PROFILE:-release}
echo "== build guide and the load generator ($PROFILE)"
if [ "$PROFILE" = release ]; then
  cargo build --release --quiet -p guide-cli
  cargo build --release --quiet -p guide-server --example events_load
else
  cargo build --quiet -p guide-cli
  cargo build --quiet -p guide-server --example events_load
fi
GUIDE=$ROOT/target/$PROFILE/guide
LOAD=$ROOT/target/$PROFILE/examples/events_load

DATA=$WORK/events-recipients-$N.jsonl
[ -s "$DATA" ] || python3 - "$DATA" "$N" <<'PY'
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
base = json.load(open("campaigns/naspi/demo/chiara.json"))
with open(path, "w") as f:
    for i in range(n):
        r = dict(base, codice_fiscale="BNC%08dK42F839" % i)
        f.write(json.dumps(r) + "\n")
PY
DB=$WORK/events.db
rm -f "$DB" "$DB-wal" "$DB-shm"
echo "== publish $N recipients"
"$GUIDE" publish campaigns/naspi --data "$DATA" --db "$DB" --links "$WORK/events-links.csv" \
  --base-url https://guide.example 2>&1 | grep -E "published" || true
tail -n +2 "$WORK/events-links.csv" | cut -d, -f2 | sed 's|.*/||' > "$WORK/events-tokens.txt"

"$GUIDE" serve --db "$DB" --port "$PORT" --as-of 2024-07-01 --quiet \
  --max-per-address $((C + 8)) --event-batches-per-minute 100000000 \
  > "$WORK/events-serve.out" 2> "$WORK/events-serve.err" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$WORK/events-serve.out" ] && break; sleep 0.1; done
[ -s "$WORK/events-serve.out" ] || { cat "$WORK/events-serve.err" >&2; exit 2; }
ADDR=127.0.0.1:$PORT

echo "== event batches: $C connections, $E events a batch, $SECONDS_EACH s"
"$LOAD" "$ADDR" "$WORK/events-tokens.txt" "$C" "$SECONDS_EACH" "$E"
kill $pid; wait $pid 2>/dev/null || true
trap - EXIT
echo "events in the database: $(sqlite3 "$DB" 'SELECT COUNT(*) FROM events')"
