#!/usr/bin/env bash
# The dashboard's figures on a large database: dashboard/examples/dashboard_scale.rs (release
# build) fills a SQLite file with EVENTS events through Store::record_events, as `guide serve`
# stores them, then times every figure of the campaign (the page and every export) three times.
#
#   bench/dashboard.sh                  10,000,000 events
#   EVENTS=1000000 bench/dashboard.sh
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-$(pwd)/target/bench}
EVENTS=${EVENTS:-10000000}
mkdir -p "$WORK"
cargo build --release --quiet -p guide-dashboard --example dashboard_scale
DB=$WORK/dashboard-scale.db
target/release/examples/dashboard_scale "$DB" "$EVENTS"
ls -l "$DB" | awk '{ printf "database: %.1f GB\n", $5 / 1e9 }'
[ -n "${KEEP:-}" ] || rm -f "$DB" "$DB-wal" "$DB-shm"
