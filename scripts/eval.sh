#!/usr/bin/env bash
# Scores earful's discovery and detection against the labelled corpora in ../shared/corpora
# (see README, "Evaluation"). Builds the release binary, runs scripts/eval.py, and prints a
# Markdown report; pass --errors N to also list N false positives and misses per task.
set -euo pipefail
cd "$(dirname "$0")/.."
corpora="${EARFUL_CORPORA:-../shared/corpora}"
if [ ! -d "$corpora" ]; then
    echo "eval: no corpora at $corpora (set EARFUL_CORPORA)" >&2
    exit 2
fi
cargo build --release --quiet
target="${CARGO_TARGET_DIR:-target}"
exec python3 scripts/eval.py --earful "$target/release/earful" --corpora "$corpora" --work "$target/eval" "$@"
