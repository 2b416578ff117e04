#!/usr/bin/env bash
# Builds earful with profile-guided optimisation (PGO), for the nightly job's binary:
#
#   bash scripts/pgo.sh              # prints the path of the optimised binary
#
# The code is the same as `cargo build --release`'s and so are the outputs, byte for byte; the
# compiler only lays it out by how often each branch runs. Measured on the benchmark's 1 GB
# corpus: 4-7% less CPU time (BENCHMARKS.md has rows for both builds).
#
# What it does:
#   1. builds an instrumented earful (RUSTFLAGS=-Cprofile-generate) in its own target dir;
#   2. runs it on a training night it generates itself: `earful sample --calls 30000 --seed 11
#      --length 3` mined with the built-in taxonomy, with and without discovery, and the bundled
#      sample (data/sample, with its damaged records) with discovery. The seed is not the
#      benchmark's (7), and the benchmark's taxonomies are not used;
#   3. merges the profiles with the toolchain's llvm-profdata (`rustup component add llvm-tools`,
#      done here when it is missing);
#   4. builds earful again with RUSTFLAGS=-Cprofile-use in a second target dir, and copies the
#      binary to $EARFUL_PGO_DIR/earful.
#
# Environment: EARFUL_PGO_DIR (default ~/.cache/earful-pgo: both target dirs, the profiles and
# the binary; reruns are warm). Needs cargo, rustup (or llvm-tools already installed) and about
# 4 GB of disk. A cold run takes about 15 minutes on 2 cores, mostly the two builds.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

die() { echo "pgo: error: $*" >&2; exit 1; }
say() { echo "pgo: $*" >&2; }

case "${1:-}" in
  -h|--help) sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) die "unknown option '$1' (try --help)" ;;
esac

PGO_DIR="${EARFUL_PGO_DIR:-$HOME/.cache/earful-pgo}"
mkdir -p "$PGO_DIR"
PGO_DIR=$(cd "$PGO_DIR" && pwd)

# llvm-profdata must be the one of rustc's own LLVM: another version cannot read its profiles.
HOST=$(rustc -vV | sed -n 's/^host: //p')
PROFDATA="$(rustc --print sysroot)/lib/rustlib/$HOST/bin/llvm-profdata"
if [ ! -x "$PROFDATA" ]; then
  say "installing the toolchain's llvm-tools (for llvm-profdata) ..."
  rustup component add llvm-tools >&2 || die "rustup component add llvm-tools failed"
  [ -x "$PROFDATA" ] || die "no llvm-profdata at $PROFDATA after installing llvm-tools"
fi

# 1. The instrumented build. Its flags never change, so a rerun rebuilds only what changed.
RAW="$PGO_DIR/raw"
say "building the instrumented binary ..."
CARGO_TARGET_DIR="$PGO_DIR/gen-target" RUSTFLAGS="-Cprofile-generate=$RAW" \
  cargo build --release --locked --quiet || die "instrumented build failed"
GEN="$PGO_DIR/gen-target/release/earful"

# 2. The training night, in a scratch dir removed at the end.
rm -rf -- "$RAW"
mkdir -p "$RAW"
WORK=$(mktemp -d)
trap 'rm -rf -- "$WORK"' EXIT
say "training on a generated night of 30,000 calls and on data/sample ..."
"$GEN" sample --calls 30000 --seed 11 --length 3 --out "$WORK/night" >/dev/null || die "earful sample failed"
"$GEN" mine "$WORK/night" --config data/earful.toml --no-discovery --quiet --force --out "$WORK/out1" \
  || die "training run 1 failed"
"$GEN" mine "$WORK/night" --config data/earful.toml --quiet --force --out "$WORK/out2" || die "training run 2 failed"
"$GEN" mine data/sample --config data/earful.toml --quiet --force --out "$WORK/out3" || die "training run 3 failed"

# 3. One profile.
PROFILE="$PGO_DIR/earful.profdata"
"$PROFDATA" merge -o "$PROFILE" "$RAW"/*.profraw || die "llvm-profdata merge failed"

# 4. The optimised build. Cargo does not see a new profile behind the same path, so earful
# itself is always rebuilt; the dependencies keep the profile they were built with, which only
# changes when their code (Cargo.lock) does, and then they are rebuilt anyway.
say "building the optimised binary ..."
USE_TARGET="$PGO_DIR/use-target"
CARGO_TARGET_DIR="$USE_TARGET" cargo clean --release --package earful --quiet 2>/dev/null || true
CARGO_TARGET_DIR="$USE_TARGET" RUSTFLAGS="-Cprofile-use=$PROFILE" \
  cargo build --release --locked --quiet || die "optimised build failed"
cp "$USE_TARGET/release/earful" "$PGO_DIR/earful"
say "done"
echo "$PGO_DIR/earful"
