#!/usr/bin/env bash
# Publishing speed: `guide publish` of 2,200,000 naspi-like recipients (the peers' generator,
# as bench.sh makes the 200,000) into a new SQLite database, release build. Target: <= 60 s on
# the 2-core benchmark machine.
#
#   bench/publish.sh                 2,200,000 recipients
#   N=200000 bench/publish.sh        fewer
#   KEEP=1 bench/publish.sh          keep the database (target/bench/publish.db) afterwards
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PEERS=${PEERS:-$ROOT/../shared/peers}
[ -d "$PEERS" ] || PEERS=/work/shared/peers
WORK=${WORK:-$ROOT/target/bench}
N=${N:-2200000}
mkdir -p "$WORK"

echo "== build guide (release)"
cargo build --release --quiet -p guide-cli
GUIDE=$ROOT/target/release/guide

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
echo "== data: $N recipients"
[ -s "$DATA" ] || "$WORK/peers/target/release/gen" "$DATA" "$N"

DB=$WORK/publish.db
rm -f "$DB" "$DB-wal" "$DB-shm"
echo "== publish into a new SQLite database"
/usr/bin/time -v "$GUIDE" publish examples/naspi-peer --data "$DATA" --db "$DB" \
  --rejects /dev/null --not-eligible /dev/null 2>"$WORK/publish.txt" || true
grep -E "read|published|rejected|time  " "$WORK/publish.txt" | grep -v "Elapsed" || true
grep -E "Elapsed \(wall|Maximum resident" "$WORK/publish.txt"
ls -l "$DB" | awk '{printf "database: %.0f MB\n", $5 / 1e6}'
secs=$(sed -n 's/^  time *\([0-9.]*\) s.*/\1/p' "$WORK/publish.txt")
echo "publish of $N recipients: ${secs} s (target for 2,200,000: <= 60 s)"
[ "${KEEP:-0}" = 1 ] || rm -f "$DB" "$DB-wal" "$DB-shm"
