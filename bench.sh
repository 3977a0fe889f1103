#!/usr/bin/env bash
# Reproduces the speed table of the README: guide against its peers (../shared/peers: inkjs,
# handlebars, minijinja) on the naspi-like workload, in the same run, on this machine.
#
#   ./bench.sh              everything but ink (about 6 min, most of it building)
#   INK=1 ./bench.sh        also inkjs, on the first 20,000 recipients (npm install of inkjs)
#   RUNS=9 CPU=0 ./bench.sh nine timed runs of each (default 5), pinned to core 0
#
# Steps: build guide and the peers (copied out of ../shared, which is read-only), make the
# peers' 200,000 recipients, check that guide's texts equal the peers' for every recipient,
# time `guide render` pinned to one core against the peers' programs pinned to the same core
# (round robin, median of RUNS), time `guide render` on two cores, measure peak memory while
# rendering 2,000,000 recipients, run the Criterion benches (compile, check, evaluation,
# in-memory end to end with minijinja and handlebars), and print the table.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
PEERS=${PEERS:-$ROOT/../shared/peers}
WORK=${WORK:-$ROOT/target/bench}
RUNS=${RUNS:-5}
CPU=${CPU:-1}
INK=${INK:-0}
mkdir -p "$WORK/runs"
rm -f "$WORK"/runs/*

echo "== build guide (release)"
cargo build --release --quiet -p guide-cli
GUIDE=$ROOT/target/release/guide
"$GUIDE" build examples/naspi-peer -o "$WORK/naspi_peer.guidec" 2>/dev/null

echo "== build the peers (a copy of $PEERS)"
[ -d "$PEERS" ] || { echo "no peers at $PEERS (set PEERS=...)" >&2; exit 2; }
mkdir -p "$WORK/peers"
(cd "$PEERS" && tar cf - --exclude=./target --exclude=./data --exclude=./ink/node_modules .) \
  | (cd "$WORK/peers" && tar xf -)
chmod -R u+w "$WORK/peers"
(cd "$WORK/peers" && cargo build --release --quiet)
P=$WORK/peers/target/release

echo "== data: the peers' 200,000 and 2,000,000 recipients"
DATA=$WORK/recipients.jsonl
BIG=$WORK/recipients-2m.jsonl
[ -s "$DATA" ] || "$P/gen" "$DATA"
[ -s "$BIG" ] || "$P/gen" "$BIG" 2000000
echo "39b7fc98c873bebe71fca2e0a750c1437b5292f371ea02e3c3beb2fff66e4045  $DATA" | sha256sum -c --quiet

echo "== texts: guide against minijinja, all 200,000 recipients"
"$GUIDE" render "$WORK/naspi_peer.guidec" --data "$DATA" --out "$WORK/guide.jsonl" -q 2>/dev/null
"$P/mj" "$DATA" "$WORK/mj.jsonl" 2>/dev/null
python3 examples/naspi-peer/compare.py "$WORK/mj.jsonl" "$WORK/guide.jsonl" | tee "$WORK/runs/compare.txt"
rm -f "$WORK/guide.jsonl" "$WORK/mj.jsonl"

guide_run() { # threads, output file for the summary
  "$GUIDE" render "$WORK/naspi_peer.guidec" --data "$DATA" --out /dev/null \
    --rejects /dev/null --not-eligible /dev/null --threads "$1" -q 2>"$2"
}

if [ "$INK" = 1 ]; then
  echo "== inkjs (npm install)"
  npm ci --prefix "$WORK/peers/ink" --no-audit --no-fund --loglevel=error >/dev/null
fi

echo "== timed runs: $RUNS each, round robin, pinned to core $CPU"
for r in $(seq 1 "$RUNS"); do
  taskset -c "$CPU" bash -c "$(declare -f guide_run); GUIDE=$GUIDE WORK=$WORK DATA=$DATA guide_run 1 $WORK/runs/guide1.$r"
  taskset -c "$CPU" "$P/mj" "$DATA" /dev/null 2>"$WORK/runs/minijinja.$r"
  taskset -c "$CPU" "$P/hbs" "$DATA" /dev/null 2>"$WORK/runs/handlebars.$r"
  taskset -c "$CPU" "$P/floor" --mode parse-only "$DATA" /dev/null 2>"$WORK/runs/floor-parse-only.$r" || true
  guide_run 2 "$WORK/runs/guide2.$r"
  if [ "$INK" = 1 ]; then
    (cd "$WORK/peers" && taskset -c "$CPU" node ink/run.js "$DATA" /dev/null 20000 2>"$WORK/runs/ink.$r")
  fi
done

echo "== peak memory: 2,000,000 recipients, two threads"
/usr/bin/time -v "$GUIDE" render "$WORK/naspi_peer.guidec" --data "$BIG" --out /dev/null \
  --rejects /dev/null --not-eligible /dev/null -q 2>"$WORK/runs/memory.txt"

echo "== criterion: compile, check, evaluation, in-memory end to end (pinned to core $CPU)"
cargo bench --quiet -p guide-bench --no-run 2>/dev/null
GUIDE_BENCH_DATA=$DATA taskset -c "$CPU" cargo bench --quiet -p guide-bench -- --noplot 2>&1 \
  | grep -E "^[a-z_0-9]+/|time:|thrpt:" || true

echo "== table"
python3 - "$WORK" "$RUNS" "$INK" <<'PY'
import json, os, re, statistics, sys, subprocess
work, runs, ink = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
R = os.path.join(work, "runs")

def guide_ns(prefix):
    xs = []
    for r in range(1, runs + 1):
        text = open(os.path.join(R, f"{prefix}.{r}")).read()
        read = int(re.search(r"read\s+([\d,]+)", text).group(1).replace(",", ""))
        secs = float(re.search(r"time\s+([\d.]+) s", text).group(1))
        xs.append(secs * 1e9 / read)
    return statistics.median(xs)

def peer_ns(name):
    xs = []
    for r in range(1, runs + 1):
        path = os.path.join(R, f"{name}.{r}")
        if not os.path.exists(path):
            return None
        for line in open(path):
            if line.startswith("{"):
                xs.append(json.loads(line)["ns_per_rec"])
    return statistics.median(xs) if xs else None

def crit(group, name):
    p = os.path.join("target", "criterion", group, name, "new")
    try:
        est = json.load(open(os.path.join(p, "estimates.json")))["mean"]["point_estimate"]
        bench = json.load(open(os.path.join(p, "benchmark.json")))
        n = (bench.get("throughput") or {}).get("Elements") or 1
        return est / n
    except (OSError, KeyError, ValueError):
        return None

g1, g2 = guide_ns("guide1"), guide_ns("guide2")
mj, hbs, floor = peer_ns("minijinja"), peer_ns("handlebars"), peer_ns("floor-parse-only")
inkv = peer_ns("ink") if ink else None
mem = open(os.path.join(R, "memory.txt")).read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", mem).group(1)) / 1024
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
ncpu = os.cpu_count()
compare = open(os.path.join(R, "compare.txt")).read().strip()
ev = crit("evaluate", "naspi_peer")
red = crit("evaluate", "red2021_demos")
comp = crit("compile", "naspi_peer")
chk = crit("compile", "check_all_five")
e2e = {k: crit("end_to_end", k) for k in ("guide", "minijinja", "handlebars")}
date = subprocess.run(["date", "+%Y-%m-%d"], capture_output=True, text=True).stdout.strip()
f = lambda x, d=0: "–" if x is None else f"{x:,.{d}f}"
load = open("/proc/loadavg").read().split()[0]
print(f"\nnaspi-like guide, 200,000 recipients; {date}; {ncpu} cores ({cpu}); median of {runs} runs; load average at the end {load}")
print(f"texts: {compare}\n")
print("| measure | guide | target | met |")
print("|---|---:|---:|:-:|")
ok = lambda b: "yes" if b else "**no**"
print(f"| end to end, JSONL in → timeline JSONL out, 1 core (ns/recipient) | {f(g1)} | ≤ 1,000 | {ok(g1 <= 1000)} |")
if mj:
    print(f"| … minijinja in the same run (ns/recipient) / guide's speed-up | {f(mj)} / {mj/g1:.2f}× | ≥ 2× | {ok(mj/g1 >= 2)} |")
if hbs:
    print(f"| … handlebars in the same run (ns/recipient) / guide's speed-up | {f(hbs)} / {hbs/g1:.2f}× | | |")
if inkv:
    print(f"| … inkjs in the same run, 20,000 recipients (ns/recipient) / guide's speed-up | {f(inkv)} / {inkv/g1:.0f}× | ≥ 350× | {ok(inkv/g1 >= 350)} |")
if floor:
    print(f"| … the peers' floor: read + typed parse + copy a fixed output (ns/recipient) | {f(floor)} | | |")
print(f"| 2 cores (ns/recipient) / throughput over 1 core | {f(g2)} / {g1/g2:.2f}× | ≥ 1.8× | {ok(g1/g2 >= 1.8)} |")
if ev:
    print(f"| evaluation alone, record decoded, timeline in memory (ns/recipient) | {f(ev)} | ≤ 300 | {ok(ev <= 300)} |")
if red:
    print(f"| … red2021 demo recipients (narration, captions) (ns/recipient) | {f(red)} | | |")
if comp:
    print(f"| compile the naspi-like campaign (ms) | {comp/1e6:.2f} | ≤ 5 | {ok(comp/1e6 <= 5)} |")
if chk:
    print(f"| check the five campaigns (ms) | {chk/1e6:.2f} | ≤ 50 | {ok(chk/1e6 <= 50)} |")
print(f"| peak memory rendering 2,000,000 recipients, 2 threads (MiB) | {rss:.1f} | ≤ 16 | {ok(rss <= 16)} |")
if all(e2e.values()):
    print(f"| in memory (criterion), JSON line → JSON bytes: guide / minijinja / handlebars (ns/recipient) | {f(e2e['guide'])} / {f(e2e['minijinja'])} / {f(e2e['handlebars'])} | | |")
PY
