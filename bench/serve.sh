#!/usr/bin/env bash
# Serving speed: `guide serve` (release build) on N naspi-like recipients (the peers'
# generator, as bench/publish.sh), 256 keep-alive connections asking for random personal links
# for SECONDS, then the same server's constant answer (`/healthz`) in the same run: the ratio is
# the figure (how much of the server's capacity a guide view costs). Both are closed loads (each
# connection asks again as soon as it is answered): their latency is connections / throughput.
# Then the latency that counts: an open load of RATE views/s (default 5,000) over the same
# connections, each request timed from when it was due. The load generator is
# server/examples/serve_load.rs, one thread; it shares the machine's cores with the server.
#
#   bench/serve.sh                     100,000 recipients, 256 connections, 10 s each
#   N=1000000 C=512 DURATION=20 bench/serve.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PEERS=${PEERS:-$ROOT/../shared/peers}
[ -d "$PEERS" ] || PEERS=/work/shared/peers
WORK=${WORK:-$ROOT/target/bench}
N=${N:-100000}
C=${C:-256}
RATE=${RATE:-5000}
SECONDS_EACH=${DURATION:-10}
PORT=${PORT:-18190}
mkdir -p "$WORK"

# PROFILE=debug only to try the script itself: the figures are release ones.
PROFILE=${PROFILE:-release}
echo "== build guide and the load generator ($PROFILE)"
if [ "$PROFILE" = release ]; then
  cargo build --release --quiet -p guide-cli
  cargo build --release --quiet -p guide-server --example serve_load
else
  cargo build --quiet -p guide-cli
  cargo build --quiet -p guide-server --example serve_load
fi
GUIDE=$ROOT/target/$PROFILE/guide
LOAD=$ROOT/target/$PROFILE/examples/serve_load

echo "== the peers' generator (a copy of $PEERS)"
if [ ! -x "$WORK/peers/target/release/gen" ]; then
  [ -d "$PEERS" ] || { echo "no peers at $PEERS (set PEERS=...)" >&2; exit 2; }
  mkdir -p "$WORK/peers"
  (cd "$PEERS" && tar cf - --exclude=./target --exclude=./data --exclude=./ink/node_modules .) \
    | (cd "$WORK/peers" && tar xf -)
  chmod -R u+w "$WORK/peers"
  (cd "$WORK/peers" && cargo build --release --quiet --bin gen)
fi
DATA=$WORK/recipients-$N.jsonl
[ -s "$DATA" ] || "$WORK/peers/target/release/gen" "$DATA" "$N"

DB=$WORK/serve.db
rm -f "$DB" "$DB-wal" "$DB-shm"
echo "== publish $N recipients"
"$GUIDE" publish examples/naspi-peer --data "$DATA" --db "$DB" --links "$WORK/serve-links.csv" \
  --base-url https://guide.example --rejects /dev/null --not-eligible /dev/null 2>&1 \
  | grep -E "published|time  "
# The day of the views: the first recipient's first day; the tokens whose window holds it.
AS_OF=$(sed -n 2p "$WORK/serve-links.csv" | cut -d, -f3)
tail -n +2 "$WORK/serve-links.csv" \
  | awk -F, -v d="$AS_OF" '($3 == "" || $3 <= d) && ($4 == "" || d < $4) { n = split($2, p, "/"); print p[n] }' \
  > "$WORK/serve-tokens.txt"
echo "views as on ${AS_OF:-today}: $(wc -l < "$WORK/serve-tokens.txt") recipients in their window"
as_of=()
[ -n "$AS_OF" ] && as_of=(--as-of "$AS_OF")

"$GUIDE" serve --db "$DB" --port "$PORT" "${as_of[@]}" --quiet --max-per-address $((C + 8)) \
  > "$WORK/serve.out" 2> "$WORK/serve.err" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$WORK/serve.out" ] && break; sleep 0.1; done
[ -s "$WORK/serve.out" ] || { cat "$WORK/serve.err" >&2; exit 2; }
ADDR=127.0.0.1:$PORT

echo "== warm-up (2 s)"
"$LOAD" "$ADDR" "$WORK/serve-tokens.txt" "$C" 2 >/dev/null
echo "== guide views: GET /g/TOKEN, random tokens, $C connections, $SECONDS_EACH s"
views=$("$LOAD" "$ADDR" "$WORK/serve-tokens.txt" "$C" "$SECONDS_EACH")
echo "$views"
echo "== constant body: GET /healthz, $C connections, $SECONDS_EACH s"
constant=$("$LOAD" "$ADDR" -/healthz "$C" "$SECONDS_EACH")
echo "$constant"
v=$(echo "$views" | sed -n 's/.*: \([0-9]*\) requests\/s.*/\1/p')
k=$(echo "$constant" | sed -n 's/.*: \([0-9]*\) requests\/s.*/\1/p')
echo "== guide views at $RATE/s offered (open load), $C connections, $SECONDS_EACH s"
"$LOAD" "$ADDR" "$WORK/serve-tokens.txt" "$C" "$SECONDS_EACH" "$RATE"
awk -v v="$v" -v k="$k" 'BEGIN { printf "guide views / constant body: %d / %d = %.2f\n", v, k, v / k }'
