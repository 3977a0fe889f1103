#!/usr/bin/env bash
# Runs every check the project has, from a fresh clone: formatting, lints, all tests, the
# embedding example. Installs what the tests need first. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")"

echo "== setup"
command -v cargo >/dev/null || { echo "cargo is required (https://rustup.rs)" >&2; exit 2; }
rustup component list --installed 2>/dev/null | grep -q rustfmt || rustup component add rustfmt clippy
# The end-to-end test of `guide preview` drives Debian's Chromium with playwright-core (Node).
apt_install() {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
[ -x /usr/bin/chromium ] || apt_install chromium
command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
# The voice (guide-voice's audio test, guide serve --audio-cache): espeak-ng speaks, opusenc
# encodes, opusdec checks the length.
command -v espeak-ng >/dev/null && command -v opusenc >/dev/null && command -v opusdec >/dev/null \
  || apt_install espeak-ng opus-tools
(cd cli/tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
(cd editors/vscode && npm ci --no-audit --no-fund --loglevel=error)

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings

echo "== cargo test"
# [publish] A throwaway PostgreSQL for the store tests (GUIDE_TEST_POSTGRES), stopped and removed
# on exit, also on failure.
PGDIR=$(mktemp -d -u "${TMPDIR:-/tmp}/guide-pg.XXXXXX")
trap 'scripts/postgres.sh stop "$PGDIR"' EXIT
eval "$(scripts/postgres.sh start "$PGDIR")"
# [/publish]
cargo test --workspace --quiet

echo "== runtime docs (public items documented, links resolve, with and without the json feature)"
RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps -p guide-runtime --no-default-features
RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps -p guide-runtime --all-features
echo "== every crate's docs (links resolve)"
RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps --workspace --exclude guide-runtime

echo "== embedding example: a program that depends only on the runtime"
mkdir -p target/guidec
./target/debug/guide build campaigns/red2021 -o target/guidec/red2021.guidec
cargo run --quiet -p guide-embed-example -- target/guidec/red2021.guidec \
  codice_fiscale=RSSMRA41S42H501F nome=Maria sesso=F \
  prestazioni=quattordicesima,importo_aggiuntivo contatti_aggiornati=false

echo "== the campaigns, campaigns/common and the spec's examples are formatted (guide fmt --check)"
./target/debug/guide fmt --check campaigns language-spec/examples

echo "== VS Code extension: grammar test, extension and manifest checks (no display needed)"
(cd editors/vscode && npm test --silent)

echo "== every campaign checks"
for dir in campaigns/*/; do
  name=$(basename "$dir")
  [ "$name" = common ] && continue
  ./target/debug/guide check "$dir" >/dev/null 2>&1 || { ./target/debug/guide check "$dir"; exit 1; }
done
echo "all checks passed"
