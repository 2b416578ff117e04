#!/usr/bin/env bash
# Builds earful with profile-guided optimisation (PGO), for the nightly job's binary:
#
#   bash scripts/pgo.sh              # prints the path of the optimised binary (last line)
#
# It is built from the same source as `cargo build --release`, and its outputs are byte-identical;
# the compiler uses the counts of a training run to guide inlining and code layout. On the
# benchmark's 1 GB corpus it used 6-8% less CPU time than the release build (medians of runs
# taken in turns; BENCHMARKS.md has rows for both builds).
#
# What it does:
#   1. builds an instrumented earful (RUSTFLAGS=-Cprofile-generate) in its own target dir;
#   2. runs it on a training night it generates itself: `earful sample --calls 30000 --seed 11
#      --length 3` mined with the built-in taxonomy, with and without discovery, and the bundled
#      sample (data/sample, with its damaged records) with discovery. It is the benchmark's
#      generator (another seed: 11, not 7), without the benchmark's taxonomies;
#   3. merges the profiles with the toolchain's llvm-profdata (`rustup component add llvm-tools`,
#      done here when it is missing);
#   4. builds earful again with RUSTFLAGS=-Cprofile-use in a second target dir, and puts the
#      binary at $EARFUL_PGO_DIR/earful (copy it to where the nightly job runs it).
# A rerun with the same source, Cargo.lock and rustc prints the binary it built last time.
#
# Environment: EARFUL_PGO_DIR (default ~/.cache/earful-pgo: both target dirs, the profile and
# the binary), RUSTFLAGS (kept, the PGO flag added). Needs cargo, rustup (or llvm-tools already
# installed) and about 9 GB of disk. A cold run takes about 15 minutes on 2 cores, mostly the two
# builds; after a change to the source, about 10 (rustc records the profile it read, so a new
# profile rebuilds every crate).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

die() { echo "pgo: error: $*" >&2; exit 1; }
say() { echo "pgo: $*" >&2; }

case "${1:-}" in
  -h|--help) sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) die "unknown option '$1' (try --help)" ;;
esac

PGO_DIR="${EARFUL_PGO_DIR:-$HOME/.cache/earful-pgo}"
case "$PGO_DIR" in /*) ;; *) PGO_DIR="$OLDPWD/$PGO_DIR" ;; esac
mkdir -p "$PGO_DIR"
PGO_DIR=$(cd "$PGO_DIR" && pwd)
# CARGO_ENCODED_RUSTFLAGS would override RUSTFLAGS, and with it the PGO flags.
unset CARGO_ENCODED_RUSTFLAGS
FLAGS="${RUSTFLAGS:+$RUSTFLAGS }"

# What the binary is built from: the files compiled or trained on, this script, the user's flags
# and the compiler. The same stamp as last time: the same binary.
STAMP=$( {
  find src data Cargo.toml Cargo.lock scripts/pgo.sh -type f -print0 | sort -z | xargs -0 sha256sum
  echo "$FLAGS"
  rustc -vV
} | sha256sum | cut -c1-16)
if [ -x "$PGO_DIR/earful" ] && [ "$(cat "$PGO_DIR/stamp" 2>/dev/null)" = "$STAMP" ]; then
  say "the source has not changed since the last build: reusing it"
  echo "$PGO_DIR/earful"
  exit 0
fi

# llvm-profdata must be the one of rustc's own LLVM: another version cannot read its profiles.
HOST=$(rustc -vV | sed -n 's/^host: //p')
PROFDATA="$(rustc --print sysroot)/lib/rustlib/$HOST/bin/llvm-profdata"
if [ ! -x "$PROFDATA" ]; then
  say "installing the toolchain's llvm-tools (for llvm-profdata) ..."
  rustup component add llvm-tools >&2 || die "rustup component add llvm-tools failed"
  [ -x "$PROFDATA" ] || die "no llvm-profdata at $PROFDATA after installing llvm-tools"
fi

# 1. The instrumented build. Its flags change only with RUSTFLAGS, so a rerun rebuilds only what
# changed.
RAW="$PGO_DIR/raw"
say "building the instrumented binary ..."
CARGO_TARGET_DIR="$PGO_DIR/gen-target" RUSTFLAGS="$FLAGS-Cprofile-generate=$RAW" \
  cargo build --release --locked --quiet || die "instrumented build failed"
GEN="$PGO_DIR/gen-target/release/earful"

# 2. The training night, in a scratch dir removed at the end.
rm -rf -- "$RAW"
mkdir -p "$RAW"
WORK=$(mktemp -d)
trap 'rm -rf -- "$WORK"' EXIT
say "training on a generated night of 30,000 calls and on data/sample ..."
"$GEN" sample --calls 30000 --seed 11 --length 3 --out "$WORK/night" >&2 || die "earful sample failed"
"$GEN" mine "$WORK/night" --config data/earful.toml --no-discovery --quiet --force --out "$WORK/out1" >&2 \
  || die "training run 1 failed"
"$GEN" mine "$WORK/night" --config data/earful.toml --quiet --force --out "$WORK/out2" >&2 || die "training run 2 failed"
"$GEN" mine data/sample --config data/earful.toml --quiet --force --out "$WORK/out3" >&2 || die "training run 3 failed"

# 3. One profile.
PROFILE="$PGO_DIR/earful.profdata"
"$PROFDATA" merge -o "$PROFILE" "$RAW"/*.profraw >&2 || die "llvm-profdata merge failed"

# 4. The optimised build. rustc lists the profile among each crate's inputs, so a new profile
# rebuilds every crate with it.
say "building the optimised binary ..."
USE_TARGET="$PGO_DIR/use-target"
CARGO_TARGET_DIR="$USE_TARGET" RUSTFLAGS="$FLAGS-Cprofile-use=$PROFILE" \
  cargo build --release --locked --quiet || die "optimised build failed"
# Replaced in one step: a nightly job may be running the previous binary.
cp "$USE_TARGET/release/earful" "$PGO_DIR/earful.tmp"
mv -f "$PGO_DIR/earful.tmp" "$PGO_DIR/earful"
echo "$STAMP" >"$PGO_DIR/stamp"
say "done"
echo "$PGO_DIR/earful"
