#!/usr/bin/env bash
# The main job: builds `guide`, checks every campaign under campaigns/, compiles each one's
# bytecode into target/guidec/, then serves them all in the browser with live reload
# (`guide preview campaigns/`). Extra arguments go to `guide preview` (e.g. --port 8080).
set -euo pipefail
cd "$(dirname "$0")"
command -v cargo >/dev/null || { echo "cargo is required (https://rustup.rs)" >&2; exit 2; }
cargo build --release --quiet -p guide-cli
guide=./target/release/guide
mkdir -p target/guidec
for dir in campaigns/*/; do
  name=$(basename "$dir")
  [ "$name" = common ] && continue
  "$guide" check "$dir"
  "$guide" build "$dir" -o "target/guidec/$name.guidec" >/dev/null
done
exec "$guide" preview campaigns/ "$@"
