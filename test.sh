#!/usr/bin/env bash
# Runs every check the project has, from a fresh clone: formatting, lints, all tests, the
# embedding example. Installs what the tests need first. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")"

echo "== setup"
command -v cargo >/dev/null || { echo "cargo is required (https://rustup.rs)" >&2; exit 2; }
rustup component list --installed 2>/dev/null | grep -q rustfmt || rustup component add rustfmt clippy

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings

echo "== cargo test"
cargo test --workspace --quiet 2>&1 | tee /tmp/guide-test.log

echo "== embedding example"
cargo run --quiet -p guide-embed-example

echo "== every campaign checks"
for dir in campaigns/*/; do
  name=$(basename "$dir")
  [ "$name" = common ] && continue
  ./target/debug/guide check "$dir" >/dev/null 2>&1 || { ./target/debug/guide check "$dir"; exit 1; }
done
echo "all checks passed"
