#!/usr/bin/env bash
# The main job: the whole system on this machine.
#  1. builds `guide`, checks every campaign under campaigns/ and compiles its bytecode into
#     target/guidec/;
#  2. publishes every campaign's demo recipients (campaigns/*/demo/*.json) into a fresh SQLite
#     file, target/demo/recipients.db, writes their notifications (app IO, SMS, e-mail) into
#     target/demo/outbox/CAMPAIGN/, and prints each one's personal link;
#  3. starts `guide serve` on that database (port SERVE_PORT, default 8090) viewing the guides as
#     on AS_OF (default `first-day`: each recipient's guide as on the first day of their own
#     window, since the demo windows lie in 2024 and no one day falls in all of them; or a day,
#     AS_OF=2024-07-01. --as-of is for demos only: in production the server's clock decides)
#     and `guide preview campaigns/` (port PREVIEW_PORT, default 8080), both with the campaigns'
#     pictures and, when espeak-ng and opusenc are installed, the voice; and the staff's
#     `guide dashboard` on the same database (port DASHBOARD_PORT, default 8091), fed by the
#     events the recipients' players report; and keeps all three running until Ctrl-C.
# PROFILE=debug ./run.sh builds without optimisation (faster to build, slower to serve).
set -euo pipefail
cd "$(dirname "$0")"
command -v cargo >/dev/null || { echo "cargo is required (https://rustup.rs)" >&2; exit 2; }
PROFILE=${PROFILE:-release}
SERVE_PORT=${SERVE_PORT:-8090}
PREVIEW_PORT=${PREVIEW_PORT:-8080}
DASHBOARD_PORT=${DASHBOARD_PORT:-8091}
AS_OF=${AS_OF:-first-day}
if [ "$PROFILE" = release ]; then
  cargo build --release --quiet -p guide-cli
else
  cargo build --quiet -p guide-cli
fi
guide=./target/$PROFILE/guide
mkdir -p target/guidec target/demo
db=target/demo/recipients.db
rm -rf "$db" "$db-wal" "$db-shm" target/demo/*.jsonl target/demo/*.csv target/demo/outbox
mkdir -p target/demo/outbox
for dir in campaigns/*/; do
  name=$(basename "$dir")
  [ "$name" = common ] && continue
  "$guide" check "$dir"
  "$guide" build "$dir" -o "target/guidec/$name.guidec" >/dev/null
  [ -d "$dir/demo" ] || continue
  data=target/demo/$name.jsonl
  for f in "$dir"demo/*.json; do
    # One record per line: the demo files are pretty-printed JSON objects.
    tr -d '\n' < "$f"; echo
  done > "$data"
  "$guide" publish "$dir" --data "$data" --db "$db" --links "target/demo/$name.csv" \
    --base-url "http://127.0.0.1:$SERVE_PORT" --outbox "target/demo/outbox/$name" >/dev/null 2>&1
done
echo
echo "Personal links of the demo recipients (viewed as on $AS_OF):"
for links in target/demo/*.csv; do
  echo "  $(basename "$links" .csv)"
  tail -n +2 "$links" | while IFS=, read -r key url from until _; do
    state="plays"
    if [ "$AS_OF" = first-day ]; then
      if [ -n "$from" ]; then state="plays (as on $from)"
      elif [ -n "$until" ]; then state="plays (as on the day before $until)"; fi
    else
      if [ -n "$from" ] && [[ "$AS_OF" < "$from" ]]; then state="not yet (from $from)"; fi
      if [ -n "$until" ] && ! [[ "$AS_OF" < "$until" ]]; then state="closed (410)"; fi
    fi
    printf '    %-50s %s\n' "$url" "$state"
  done
done
echo
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT INT TERM
# The campaigns' pictures, and the voice when espeak-ng and opusenc are installed
# (apt-get install espeak-ng opus-tools; ./test.sh installs them).
serve_voice=() preview_voice=()
if command -v espeak-ng >/dev/null && command -v opusenc >/dev/null; then
  serve_voice=(--audio-cache target/demo/audio) preview_voice=(--voice)
else
  echo "no voice: install espeak-ng and opus-tools to hear the guides" >&2
fi
"$guide" serve --db "$db" --port "$SERVE_PORT" --as-of "$AS_OF" --visuals campaigns/ "${serve_voice[@]}" &
pids+=($!)
"$guide" preview campaigns/ --port "$PREVIEW_PORT" "${preview_voice[@]}" "$@" &
pids+=($!)
"$guide" dashboard --db "$db" --port "$DASHBOARD_PORT" &
pids+=($!)
echo "The notifications of every demo recipient (app IO, SMS, e-mail): target/demo/outbox/CAMPAIGN/"
echo "guide serve on http://127.0.0.1:$SERVE_PORT/g/TOKEN, the preview on http://127.0.0.1:$PREVIEW_PORT/,"
echo "the staff's dashboard on http://127.0.0.1:$DASHBOARD_PORT/ (Ctrl-C stops all three)"
wait
