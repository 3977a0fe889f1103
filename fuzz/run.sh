#!/usr/bin/env bash
# Fuzzes every target in turn, each for SECONDS (default 60), with a time limit per input.
#
#   fuzz/run.sh                  60 s per target (about 4 min, plus the first build)
#   fuzz/run.sh 3600             an hour per target: what to run before a release
#   fuzz/run.sh 60 guide_source  one target
#
# For each target: first replay every committed finding in regressions/TARGET/ (each must now
# pass within the limits), then fuzz from the working corpus (corpus/TARGET, ignored by git)
# and the committed seeds (seeds/TARGET). Exits non-zero on any crash, timeout or slow unit;
# libFuzzer saves the input in artifacts/TARGET/ (crash-*, timeout-*, slow-unit-*): copy it to
# regressions/TARGET/, add a test under compiler/tests/ (or runtime/tests/), then fix.
#
# Limits per input: TIMEOUT seconds (default 5) fails the run as a timeout; an input slower
# than SLOW seconds (default 3) is saved as a slow unit and fails the run too. The slowest seed,
# neopensionati (13 kB), takes about 0.3 s through guide_source (check, compile, enumerate the
# variants, reproduce each witness, render every diagnostic), the others far less; the fuzzer's
# inputs are at most about that size. Ten times the slowest seed is super-linear work (the
# parser's exponential recovery on unclosed `{` was found this way: hundreds of seconds), not
# a slow machine; 1 s was too tight on this shared 2-core machine (mutants of neopensionati
# were flagged at 1-2 s while other builds ran). RSS is capped at 2 GB.
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`); RUSTC_BOOTSTRAP=1 lets the stable toolchain
# build with the nightly flags it uses. SANITIZER (default none): the code has no `unsafe`, and
# without AddressSanitizer builds and runs are several times faster; SANITIZER=address to use it.
set -uo pipefail
cd "$(dirname "$0")"
SECS=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(guide_source schema bytecode record recipient_page)
TIMEOUT=${TIMEOUT:-5}
SLOW=${SLOW:-3}
SANITIZER=${SANITIZER:-none}
export RUSTC_BOOTSTRAP=1
LIMITS=(-timeout="$TIMEOUT" -report_slow_units="$SLOW" -rss_limit_mb=2048)

command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz missing: cargo install cargo-fuzz" >&2; exit 2; }

failed=()
for t in "${TARGETS[@]}"; do
  echo "== $t: build"
  cargo fuzz build -s "$SANITIZER" "$t" || { failed+=("$t: build"); continue; }
  mkdir -p "corpus/$t" "artifacts/$t"
  marker=artifacts/$t/.run-started
  touch "$marker"

  regressions=(regressions/"$t"/*)
  if [ -e "${regressions[0]}" ]; then
    echo "== $t: replay ${#regressions[@]} regression(s)"
    cargo fuzz run -s "$SANITIZER" "$t" "${regressions[@]}" -- "${LIMITS[@]}" \
      || failed+=("$t: a regression fails again")
  fi

  echo "== $t: fuzz for ${SECS} s"
  log=artifacts/$t/last-run.log
  cargo fuzz run -s "$SANITIZER" "$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$SECS" "${LIMITS[@]}" -print_final_stats=1 >"$log" 2>&1
  status=$?
  grep -E "^#[0-9]+[[:space:]]+(INITED|DONE)|ERROR|Slowest unit|SUMMARY|stat::number_of_executed_units" "$log"
  [ "$status" -eq 0 ] || failed+=("$t: crash or timeout (exit $status, see fuzz/$log)")
  slow=$(find "artifacts/$t" -name 'slow-unit-*' -newer "$marker" | wc -l)
  [ "$slow" -eq 0 ] || failed+=("$t: $slow slow unit(s) in fuzz/artifacts/$t")
done

if [ ${#failed[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "all targets clean"
