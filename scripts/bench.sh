#!/usr/bin/env bash
# The reproducible benchmark of earful (issue 6). One command, rerunnable by anyone:
#
#   bash scripts/bench.sh            # full: ~1 GB corpus, median of 3 runs (10-15 minutes, plus
#                                    # 10-15 for the PGO build when the source changed)
#   bash scripts/bench.sh --quick    # ~100 MB corpus, 1 run each (about 1-2 minutes)
#
# Options: --runs N (runs per measurement, default 3, or 1 with --quick), --out FILE (default
# BENCHMARKS.md at the repository root), --no-pgo (full mode: leave out the PGO build's rows),
# --pgo (quick mode: add them), --help. Environment: EARFUL_BENCH_DIR (scratch dir),
# EARFUL_BENCH_CALLS (corpus size in records, for experiments), CARGO_TARGET_DIR, EARFUL_PGO_DIR.
#
# What it does, from any working directory:
#   1. builds earful in release (CARGO_TARGET_DIR, default ~/.cache/earful-target) and, in full
#      mode unless --no-pgo, the profile-guided build of scripts/pgo.sh (which needs rustup's
#      llvm-tools, installed on first use, and about 9 GB of disk in EARFUL_PGO_DIR);
#   2. generates the corpus with `earful sample --calls N --seed 7 --length 3` into
#      ~/.cache/earful-bench (EARFUL_BENCH_DIR overrides), reused while the parameters and
#      src/sample.rs are unchanged, plus its first quarter and first half (whole lines);
#   3. writes two taxonomies, 1,000 and 10,000 phrases (scripts/make_taxonomy.py);
#   4. installs pyahocorasick into a venv under the bench dir for the Python peer (scripts/peer.py);
#   5. times every run with /usr/bin/time -v (wall clock, peak RSS), files warm in the page cache,
#      and writes BENCHMARKS.md: machine facts, exact commands, results, targets met or not.
#
# Needs: cargo, python3 (3.11+, with venv), GNU time at /usr/bin/time, about 2 GB of free disk
# (and rustup and 9 GB more for the PGO build).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

die() { echo "bench: error: $*" >&2; exit 1; }
say() { echo "bench: $*" >&2; }

QUICK=0
RUNS=""
PGO=""
OUT_MD="$ROOT/BENCHMARKS.md"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --runs) [ $# -ge 2 ] || die "--runs needs a number"; RUNS=$2; shift ;;
    --runs=*) RUNS=${1#--runs=} ;;
    --out) [ $# -ge 2 ] || die "--out needs a file"; OUT_MD=$2; shift ;;
    --out=*) OUT_MD=${1#--out=} ;;
    --pgo) PGO=1 ;;
    --no-pgo) PGO=0 ;;
    -h|--help) sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
  shift
done
case "$OUT_MD" in /*) ;; *) OUT_MD="$OLDPWD/$OUT_MD" ;; esac

# Corpus sizes: length-3 calls average about 3 KB of JSON, so these give ~1 GB and ~100 MB.
SEED=7
LENGTH=3
if [ "$QUICK" = 1 ]; then
  MODE=quick; CALLS=${EARFUL_BENCH_CALLS:-32400}; RUNS=${RUNS:-1}; PGO=${PGO:-0}
else
  MODE=full; CALLS=${EARFUL_BENCH_CALLS:-323500}; RUNS=${RUNS:-3}; PGO=${PGO:-1}
fi
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive number, got '$RUNS'"

for tool in cargo python3 sha256sum awk; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done
[ -x /usr/bin/time ] || die "GNU time is needed at /usr/bin/time (apt-get install time)"
python3 -c 'import sys, tomllib, venv; sys.exit(0)' 2>/dev/null || die "python3 3.11+ with venv is needed"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/earful-target}"
BENCH_DIR="${EARFUL_BENCH_DIR:-$HOME/.cache/earful-bench}"
mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
# How the scratch dir is written in BENCHMARKS.md.
if [ "$BENCH_DIR" = "$HOME/.cache/earful-bench" ]; then BENCH_SHOWN='~/.cache/earful-bench'; else BENCH_SHOWN=$BENCH_DIR; fi
say "mode $MODE, $RUNS run(s) per measurement, scratch dir $BENCH_DIR"

# 1. Build.
say "building earful (release) ..."
cargo build --release --locked --quiet || die "cargo build --release failed"
EARFUL="$CARGO_TARGET_DIR/release/earful"
[ -x "$EARFUL" ] || die "no binary at $EARFUL"
# The same code built with profile-guided optimisation. Without it (no llvm-tools, say) the
# benchmark still runs, and BENCHMARKS.md says why those rows are missing.
EARFUL_PGO=""
PGO_NOTE=""
if [ "$PGO" = 1 ]; then
  say "building earful with PGO (scripts/pgo.sh) ..."
  if EARFUL_PGO=$(bash scripts/pgo.sh | tail -n 1) && [ -x "$EARFUL_PGO" ]; then
    :
  else
    EARFUL_PGO=""
    PGO_NOTE="scripts/pgo.sh failed (see the benchmark's stderr), so the PGO build was not measured."
    say "$PGO_NOTE"
  fi
elif [ "$QUICK" = 1 ]; then
  PGO_NOTE="The PGO build was not measured (a quick run measures it only with --pgo)."
else
  PGO_NOTE="The PGO build was not measured (--no-pgo)."
fi

# 2. Corpus, reused when calls, seed, length and the generator are the same.
GEN=$(sha256sum src/sample.rs | cut -c1-12)
CORPUS_NAME="corpus-c$CALLS-s$SEED-l$LENGTH-g$GEN"
CORPUS_DIR="$BENCH_DIR/$CORPUS_NAME"
for stale in "$BENCH_DIR"/corpus-*; do
  [ -d "$stale" ] || continue
  case "$(basename "$stale")" in
    "$CORPUS_NAME") ;;
    corpus-c*-s$SEED-l$LENGTH-g$GEN) ;;  # the other mode's corpus, still current
    *) say "removing stale corpus $stale"; rm -rf -- "$stale" ;;
  esac
done
if [ ! -f "$CORPUS_DIR/.complete" ]; then
  say "generating $CALLS calls (seed $SEED, length $LENGTH) into $CORPUS_DIR ..."
  rm -rf -- "$CORPUS_DIR"
  "$EARFUL" sample --calls "$CALLS" --seed "$SEED" --length "$LENGTH" --out "$CORPUS_DIR/sample" \
    || die "earful sample failed"
  BIG="$CORPUS_DIR/sample/calls.jsonl"
  SIZE=$(stat -c %s "$BIG")
  # First quarter and first half, cut at a line end (the partial last line is dropped).
  head -c $((SIZE / 4)) "$BIG" | sed '$d' >"$CORPUS_DIR/quarter.jsonl"
  head -c $((SIZE / 2)) "$BIG" | sed '$d' >"$CORPUS_DIR/half.jsonl"
  touch "$CORPUS_DIR/.complete"
else
  say "reusing corpus $CORPUS_DIR"
fi
FULL="$CORPUS_DIR/sample/calls.jsonl"
QUARTER="$CORPUS_DIR/quarter.jsonl"
HALF="$CORPUS_DIR/half.jsonl"

# 3. Taxonomies (cheap and deterministic: always rewritten).
T1K="$BENCH_DIR/taxonomy-1000.toml"
T10K="$BENCH_DIR/taxonomy-10000.toml"
python3 scripts/make_taxonomy.py --phrases 1000 --out "$T1K" >&2
python3 scripts/make_taxonomy.py --phrases 10000 --out "$T10K" >&2

# 4. The Python peer's venv.
VENV="$BENCH_DIR/venv"
if ! "$VENV/bin/python" -c 'import ahocorasick' 2>/dev/null; then
  say "installing pyahocorasick into $VENV ..."
  rm -rf -- "$VENV"
  python3 -m venv "$VENV" || die "python3 -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check pyahocorasick \
    || die "pip install pyahocorasick failed (is PyPI reachable?)"
fi
PEER_PY="$VENV/bin/python"

# 5. Measurements.
WORK="$BENCH_DIR/work"
rm -rf -- "$WORK"
mkdir -p "$WORK/out"
RESULTS="$WORK/results.tsv"
COMMANDS="$WORK/commands.tsv"
: >"$RESULTS"
: >"$COMMANDS"

# plan NAME INPUT -- COMMAND...: adds a measurement; `run_rounds` runs them.
PLANNED=()
declare -A SHOWN
plan() {
  local name=$1 input=$2
  shift 3
  local shown="$*"
  [ -z "$EARFUL_PGO" ] || shown=${shown//"$EARFUL_PGO"/earful-pgo}
  shown=${shown//"$BENCH_DIR"/$BENCH_SHOWN}
  shown=${shown//"$CARGO_TARGET_DIR/release/earful"/earful}
  shown=${shown//$ROOT\//}
  printf '%s\t%s\n' "$name" "$shown" >>"$COMMANDS"
  SHOWN[$name]=$shown
  PLANNED+=("$name $(printf '%q' "$input") $(printf '%q ' "$@")")
}

# run_once NAME RUN INPUT COMMAND...: one timed run under /usr/bin/time -v, into $RESULTS.
run_once() {
  local name=$1 i=$2 input=$3
  shift 3
  say "$name: run $i of $RUNS"
  local t="$WORK/$name.$i.time" err="$WORK/$name.$i.stderr"
  if ! /usr/bin/time -v -o "$t" "$@" >"$WORK/$name.$i.stdout" 2>"$err"; then
    echo "bench: error: '${SHOWN[$name]}' failed; the end of its stderr:" >&2
    tail -n 20 "$err" >&2
    [ -f "$t" ] && grep -E 'Exit status|Command terminated' "$t" >&2
    exit 1
  fi
  awk -v name="$name" -v run="$i" -v bytes="$(stat -c %s "$input")" -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, p, ":"); wall = (n == 3) ? p[1]*3600 + p[2]*60 + p[3] : p[1]*60 + p[2] }
    /Maximum resident set size/ { rss = $2 }
    /User time/ { user = $2 }
    /System time/ { sys = $2 }
    END { printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", name, run, bytes, wall, rss, user, sys }
  ' "$t" >>"$RESULTS"
}

# run_rounds: runs every planned measurement once per round, $RUNS rounds, so that a slow spell
# of the machine (a shared host's neighbours) falls on all of them alike and the ratios compared
# (threads, discovery, peer) come from runs taken side by side.
run_rounds() {
  local i entry
  for i in $(seq 1 "$RUNS"); do
    for entry in "${PLANNED[@]}"; do
      eval "set -- $entry"
      local name=$1 input=$2
      shift 2
      cat -- "$input" >/dev/null  # into the page cache: every run reads warm
      run_once "$name" "$i" "$input" "$@"
    done
  done
}

{
  printf 'corpus\tearful sample --calls %s --seed %s --length %s --out %s/sample\n' "$CALLS" "$SEED" "$LENGTH" "$CORPUS_DIR"
  printf 'first quarter and half, whole lines (in the corpus folder)\tSIZE=$(stat -c %%s sample/calls.jsonl); head -c $((SIZE / 4)) sample/calls.jsonl | sed %s > quarter.jsonl; head -c $((SIZE / 2)) sample/calls.jsonl | sed %s > half.jsonl\n' "'\$d'" "'\$d'"
  printf 'taxonomies\tpython3 scripts/make_taxonomy.py --phrases 1000 --out %s; python3 scripts/make_taxonomy.py --phrases 10000 --out %s\n' "$T1K" "$T10K"
  printf 'peer venv\tpython3 -m venv %s && %s/bin/pip install pyahocorasick\n' "$VENV" "$VENV"
  [ -z "$EARFUL_PGO" ] || printf 'PGO build (earful-pgo)\tbash scripts/pgo.sh\n'
} | sed "s|$BENCH_DIR|$BENCH_SHOWN|g" >>"$COMMANDS"

# The issue's runs 2, 4 and 5 are "no discovery"; run 3 is the same as 2 with discovery on.
MINE=("$EARFUL" mine --config data/earful.toml --quiet --force --no-discovery)
DISCOVER=("$EARFUL" mine --config data/earful.toml --quiet --force)
plan parse "$FULL" -- "$EARFUL" mine "$FULL" --out "$WORK/out/parse" --stage parse --quiet --force
plan mine1k "$FULL" -- "${MINE[@]}" "$FULL" --taxonomy "$T1K" --out "$WORK/out/mine1k"
plan discover "$FULL" -- "${DISCOVER[@]}" "$FULL" --taxonomy "$T1K" --out "$WORK/out/discover"
plan mine10k "$FULL" -- "${MINE[@]}" "$FULL" --taxonomy "$T10K" --out "$WORK/out/mine10k"
plan threads1 "$FULL" -- "${MINE[@]}" "$FULL" --taxonomy "$T1K" --threads 1 --out "$WORK/out/threads1"
plan threads2 "$FULL" -- "${MINE[@]}" "$FULL" --taxonomy "$T1K" --threads 2 --out "$WORK/out/threads2"
plan peer "$FULL" -- "$PEER_PY" scripts/peer.py "$FULL" "$T1K" "$WORK/out/peer.csv"
plan rss_quarter "$QUARTER" -- "${MINE[@]}" "$QUARTER" --taxonomy "$T1K" --out "$WORK/out/quarter"
plan rss_half "$HALF" -- "${MINE[@]}" "$HALF" --taxonomy "$T1K" --out "$WORK/out/half"
if [ -n "$EARFUL_PGO" ]; then
  MINE_PGO=("$EARFUL_PGO" "${MINE[@]:1}")
  DISCOVER_PGO=("$EARFUL_PGO" "${DISCOVER[@]:1}")
  plan mine1k_pgo "$FULL" -- "${MINE_PGO[@]}" "$FULL" --taxonomy "$T1K" --out "$WORK/out/mine1k_pgo"
  plan discover_pgo "$FULL" -- "${DISCOVER_PGO[@]}" "$FULL" --taxonomy "$T1K" --out "$WORK/out/discover_pgo"
  plan mine10k_pgo "$FULL" -- "${MINE_PGO[@]}" "$FULL" --taxonomy "$T10K" --out "$WORK/out/mine10k_pgo"
fi
# The machine's state from here, after the builds: the whole machine's CPU time from here to the
# end, less this script's own (`times`, less what it had used so far), tells whether anything
# else ran meanwhile; the load average at the end would count the benchmark.
sync
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
times > "$WORK/times-before.txt"  # in this shell, as below
OWN_BEFORE=$(tail -1 "$WORK/times-before.txt")
STAT_START=$(head -1 /proc/stat)
SECS_START=$(date +%s.%N)
run_rounds
# Each measurement writes its own folder: the manifests of the last round.
cp "$WORK/out/mine1k/manifest.json" "$WORK/manifest-full.json"
cp "$WORK/out/discover/manifest.json" "$WORK/manifest-discover.json"
cp "$WORK/out/quarter/manifest.json" "$WORK/manifest-quarter.json"
cp "$WORK/out/half/manifest.json" "$WORK/manifest-half.json"

# 6. BENCHMARKS.md.
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
STAT_END=$(head -1 /proc/stat)
SECS_END=$(date +%s.%N)
times > "$WORK/times.txt"  # in this shell: a subshell's `times` would not count the runs
OWN_CPU=$(tail -1 "$WORK/times.txt")
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
# BENCHMARKS.md itself (the previous run's table) is not a change to what is measured.
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null | grep -v ' BENCHMARKS.md$')" ]; then
    COMMIT="$COMMIT (with uncommitted changes)"
fi
export BENCH_SHOWN MODE RUNS CALLS SEED LENGTH LOAD_START LOAD_END COMMIT RESULTS COMMANDS WORK OUT_MD
export STAT_START STAT_END SECS_START SECS_END OWN_CPU OWN_BEFORE PGO_NOTE
export RUSTC_VERSION="$(rustc --version)"
export EARFUL_VERSION="$("$EARFUL" --version)"
export NPROC="$(nproc)"
export CPU_MODEL="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
export MEM_TOTAL="$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
export KERNEL="$(uname -sr)"
export DATE="$(date -u '+%Y-%m-%d %H:%M UTC')"
export PEER_PYTHON="$("$PEER_PY" --version 2>&1), pyahocorasick $("$PEER_PY" -c 'import importlib.metadata as m; print(m.version("pyahocorasick"))')"
python3 - <<'PY' || die "writing $OUT_MD failed"
import json, os, statistics

E = os.environ
rows = {}
for line in open(E["RESULTS"]):
    name, run, size, wall, rss, user, sys_ = line.rstrip("\n").split("\t")
    rows.setdefault(name, []).append(
        {"bytes": int(size), "wall": float(wall), "rss": int(rss) * 1024, "cpu": float(user) + float(sys_)})
commands = dict(line.rstrip("\n").split("\t", 1) for line in open(E["COMMANDS"]))

def manifest(which):
    with open(os.path.join(E["WORK"], f"manifest-{which}.json")) as f:
        return json.load(f)["totals"]

calls = {"full": manifest("full")["calls"], "quarter": manifest("quarter")["calls"], "half": manifest("half")["calls"]}
records = {"full": manifest("full")["records"]}

def med(name, key):
    return statistics.median(r[key] for r in rows[name])

def mbs(name):
    return rows[name][0]["bytes"] / 1e6 / med(name, "wall")

def fmt(x, digits=1):
    return f"{x:,.{digits}f}"

runs, quick = int(E["RUNS"]), E["MODE"] == "quick"
full_bytes = rows["parse"][0]["bytes"]

def busy_seconds(stat):
    # cpu user nice system idle iowait irq softirq steal ...: the time some process ran.
    v = [int(x) for x in stat.split()[1:8]]
    return (v[0] + v[1] + v[2] + v[5] + v[6]) / os.sysconf("SC_CLK_TCK")

def shell_seconds(text):
    # `times`' second line, the children's: "0m12.345s 0m1.234s".
    total = 0.0
    for part in text.split():
        m, sec = part.rstrip("s").split("m")
        total += int(m) * 60 + float(sec)
    return total

elapsed = float(E["SECS_END"]) - float(E["SECS_START"])
own = shell_seconds(E["OWN_CPU"]) - shell_seconds(E["OWN_BEFORE"])
other_cores = max(0.0, busy_seconds(E["STAT_END"]) - busy_seconds(E["STAT_START"]) - own) / elapsed
busy = other_cores >= 0.1

def line(label, name, input_calls):
    wall = med(name, "wall")
    cpu = med(name, "cpu") / wall * 100
    walls = [r["wall"] for r in rows[name]]
    return (f"| {label} | {fmt(rows[name][0]['bytes'] / 1e6, 0)} | {fmt(wall, 2)} | {fmt(min(walls), 2)}-{fmt(max(walls), 2)} | "
            f"{fmt(mbs(name))} | {fmt(input_calls / wall, 0)} | {fmt(med(name, 'rss') / 1e6)} | {cpu:.0f}% |")

out = []
w = out.append
w("# Benchmarks")
w("")
w("Written by `bash scripts/bench.sh" + (" --quick" if quick else "") + "`; rerun it to reproduce (see the script's header"
  " for options). Do not edit by hand.")
w("")
if quick:
    w(f"**Quick run**: a ~{fmt(full_bytes / 1e6, 0)} MB corpus and {runs} run per measurement, to check that the"
      " benchmark works. The issue's targets are stated for a 1 GB corpus: run `bash scripts/bench.sh` for the"
      " real figures.")
    w("")
if busy:
    w(f"**Measured on a busy machine**: other processes used {other_cores:.2f} cores on average during the run"
      " (other builds and tests were running on the same cores). Throughput figures are lower, and noisier, than on"
      " an idle machine; thread scaling in particular cannot be judged from this run.")
    w("")
w("## Machine")
w("")
w(f"- date: {E['DATE']}")
w(f"- CPU: {E['CPU_MODEL']}, {E['NPROC']} logical cores (`nproc`)")
w(f"- memory: {E['MEM_TOTAL']}")
w(f"- OS: {E['KERNEL']}")
w(f"- load average (1, 5, 15 min): {E['LOAD_START']} at the start, {E['LOAD_END']} at the end (the end counts"
  " the benchmark's own runs)")
w(f"- other processes during the run: {other_cores:.2f} cores on average (the machine's CPU time from /proc/stat,"
  " less the benchmark's own)")
pgo = "mine1k_pgo" in rows
w(f"- {E['RUSTC_VERSION']}; {E['EARFUL_VERSION']}, commit {E['COMMIT']}, release profile"
  + ("; rows marked PGO: the same source built by `scripts/pgo.sh` (profile-guided optimisation, trained on"
     " 30,000 calls of the same generator with another seed and the built-in taxonomy, and on data/sample)"
     if pgo else ""))
w(f"- peer: {E['PEER_PYTHON']}")
w("")
w("## Corpus")
w("")
w(f"`earful sample --calls {E['CALLS']} --seed {E['SEED']} --length {E['LENGTH']}`, its `calls.jsonl` only:"
  f" {fmt(full_bytes / 1e6, 0)} MB, {records['full']:,} JSON Lines records ({calls['full']:,} calls, 3 deliberately"
  f" damaged records rejected), {fmt(full_bytes / records['full'], 0)} bytes per record. The memory check also"
  " uses its first quarter and first half (whole lines). Taxonomies: `scripts/make_taxonomy.py --phrases 1000` and"
  " `--phrases 10000` (the built-in taxonomy's phrases, cut proportionally or extended with generated"
  " noun + problem complaints). Config: `data/earful.toml` (bins for lifetime value and orders).")
w("")
w("## Method")
w("")
w(f"Each command runs {runs} time{'s' if runs > 1 else ''} under `/usr/bin/time -v`, in rounds (every command once"
  " per round), so that a slow spell of the machine falls on all of them alike; the table shows the median wall"
  " time, the range of the runs' wall times, and the median peak resident set size. The input is read just before"
  " each run, so every run reads it from the page cache (the figures measure earful, not the disk). MB is 10^6 bytes; MB/s is input bytes over wall"
  " time; calls/s counts accepted calls; CPU is (user + system) / wall, 200% = both cores busy. `mine` runs write"
  " the whole report (CSVs, report.xlsx, manifest) with sentiment on.")
w("")
w("## Results")
w("")
w("| # | run | input MB | wall s | wall range s | MB/s | calls/s | peak RSS MB | CPU |")
w("|---|---|---:|---:|---:|---:|---:|---:|---:|")
w(line("1 | parse only (`--stage parse`)", "parse", calls["full"]))
w(line("2 | mine, 1,000 phrases", "mine1k", calls["full"]))
w(line("3 | mine, 1,000 phrases, with discovery", "discover", calls["full"]))
w(line("4 | mine, 10,000 phrases", "mine10k", calls["full"]))
w(line("5a | mine, 1,000 phrases, `--threads 1`", "threads1", calls["full"]))
w(line("5b | mine, 1,000 phrases, `--threads 2`", "threads2", calls["full"]))
w(line("6 | Python peer (json + pyahocorasick), 1,000 phrases", "peer", calls["full"]))
w(line("7a | mine, 1,000 phrases, first quarter", "rss_quarter", calls["quarter"]))
w(line("7b | mine, 1,000 phrases, first half", "rss_half", calls["half"]))
w(line("7c | mine, 1,000 phrases, whole corpus (= row 2)", "mine1k", calls["full"]))
if pgo:
    w(line("8a | mine, 1,000 phrases, PGO build", "mine1k_pgo", calls["full"]))
    w(line("8b | mine, 1,000 phrases, with discovery, PGO build", "discover_pgo", calls["full"]))
    w(line("8c | mine, 10,000 phrases, PGO build", "mine10k_pgo", calls["full"]))
w("")
if E["PGO_NOTE"]:
    w(E["PGO_NOTE"])
    w("")
with open(os.path.join(E["WORK"], "manifest-full.json")) as f:
    timings = json.load(f).get("timings", {})
if timings:
    w("Where the time goes in row 2 (phase timings from its `manifest.json`, last run): "
      + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items() if isinstance(v, (int, float))) + ".")
    w("")
with open(os.path.join(E["WORK"], "manifest-discover.json")) as f:
    disc = json.load(f)
d = disc.get("discovery", {})
w(f"Discovery in row 3: {d.get('themes', 0)} themes, {d.get('unassigned_share', 0) * 100:.0f}% of calls unassigned,"
  f" {d.get('distinct_terms', 0):,} distinct terms; grouping after reading took {disc.get('timings', {}).get('discovery', 0):.2f} s;"
  f" peak RSS {fmt(med('discover', 'rss') / 1e6)} MB against {fmt(med('mine1k', 'rss') / 1e6)} MB without discovery.")
w("")
thread_ratio = med("threads1", "wall") / med("threads2", "wall")
peer_ratio = mbs("mine1k") / mbs("peer")
w(f"Thread scaling: 2 threads are {thread_ratio:.2f}x as fast as 1 thread. earful vs the Python peer (same corpus,"
  f" same 1,000 phrases): {peer_ratio:.1f}x the throughput, although the peer does far less (no negation, excludes,"
  " sentiment, ideas, statistics or report).")
w("")
w("## Targets (issue 6)")
w("")
w("| target | measured | status |")
w("|---|---|---|")
def status(ok):
    return "met" if ok else "**not met**"
def both(name, floor, unit="MB/s"):
    # The release build's figure, and the PGO build's when it ran; the status of each.
    if not pgo:
        return f"{fmt(mbs(name))} {unit} | {status(mbs(name) >= floor)}"
    p = mbs(name + "_pgo")
    return (f"{fmt(mbs(name))} {unit} (release), {fmt(p)} {unit} (PGO) |"
            f" release: {status(mbs(name) >= floor)}; PGO: {status(p >= floor)}")
w(f"| mine, 1,000 phrases: >= 600 MB/s | {both('mine1k', 600)} |")
w(f"| mine, 10,000 phrases: >= 350 MB/s | {both('mine10k', 350)} |")
if pgo:
    pgo_ratio = mbs("mine1k_pgo") / mbs("peer")
    w(f"| >= 10x the Python peer | {peer_ratio:.1f}x (release), {pgo_ratio:.1f}x (PGO) |"
      f" release: {status(peer_ratio >= 10)}; PGO: {status(pgo_ratio >= 10)} |")
else:
    w(f"| >= 10x the Python peer | {peer_ratio:.1f}x | {status(peer_ratio >= 10)} |")
w(f"| 2 threads >= 1.7x 1 thread | {thread_ratio:.2f}x | {status(thread_ratio >= 1.7)} |")
rss_full = med("mine1k", "rss") / 1e6
if full_bytes >= 0.9e9:
    w(f"| peak RSS <= 200 MB for 1 GB of input | {fmt(rss_full)} MB at {fmt(full_bytes / 1e9, 2)} GB | {status(rss_full <= 200)} |")
else:
    w(f"| peak RSS <= 200 MB for 1 GB of input | {fmt(rss_full)} MB at {fmt(full_bytes / 1e9, 2)} GB only |"
      " not measured (quick run: no 1 GB input) |")
disc_ratio = mbs("discover") / mbs("mine1k")
w(f"| discovery: at least half the throughput without it | {disc_ratio:.2f}x ({fmt(mbs('discover'))} vs {fmt(mbs('mine1k'))} MB/s) | {status(disc_ratio >= 0.5)} |")
if pgo:
    d = mbs("discover_pgo") / mbs("mine1k_pgo")
    w(f"| discovery, PGO build | {d:.2f}x ({fmt(mbs('discover_pgo'))} vs {fmt(mbs('mine1k_pgo'))} MB/s) | {status(d >= 0.5)} |")
w("")
w("## Commands")
w("")
w(f"Paths: the corpus and taxonomies live in `{E['BENCH_SHOWN']}`, `earful` is the release binary"
  + (", `earful-pgo` the one `scripts/pgo.sh` builds." if pgo else "."))
w("")
w("```sh")
labels = {"parse": "1", "mine1k": "2", "discover": "3", "mine10k": "4", "threads1": "5a", "threads2": "5b", "peer": "6",
          "rss_quarter": "7a", "rss_half": "7b", "mine1k_pgo": "8a", "discover_pgo": "8b", "mine10k_pgo": "8c"}
for name, cmd in commands.items():
    w(f"# {labels.get(name, name)}")
    w(cmd)
w("```")
w("")
with open(E["OUT_MD"], "w") as f:
    f.write("\n".join(out))
PY
say "wrote $OUT_MD"
