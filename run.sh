#!/usr/bin/env bash
# The main job: builds the `guide` command and checks every campaign under campaigns/, then
# builds each one's bytecode into target/guidec/. Usage: ./run.sh
set -euo pipefail
cd "$(dirname "$0")"
command -v cargo >/dev/null || { echo "cargo is required (https://rustup.rs)" >&2; exit 2; }
cargo build --release --quiet -p guide-compiler
guide=./target/release/guide
mkdir -p target/guidec
for dir in campaigns/*/; do
  name=$(basename "$dir")
  [ "$name" = common ] && continue
  echo "== $name"
  "$guide" check "$dir"
  if "$guide" --help | grep -q '^  build'; then
    "$guide" build "$dir" -o "target/guidec/$name.guidec"
  fi
done
