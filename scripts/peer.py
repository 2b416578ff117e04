#!/usr/bin/env python3
"""The Python peer of the benchmark: the obvious script an analyst would write instead of earful.

    python3 scripts/peer.py CORPUS.jsonl TAXONOMY.toml OUT.csv

Reads JSON Lines calls with the standard `json` module, finds the taxonomy's phrases in what the
customer said (turns whose speaker is customer, caller, client, ...), case-insensitively and on
whole words, with one pyahocorasick automaton, and counts calls per category for every value of
every metadata field (nested objects flattened to parent.child). Like earful, a field with more
than 50 distinct values (an id, an amount) is not a segment and is dropped. Writes
`field,value,category,segment_calls,calls` rows, sorted, to OUT.csv and a summary to stderr.

It is deliberately simpler than earful: no negation, no exclude lists, no sentiment, no ideas,
no statistics, no spreadsheet. So the comparison flatters the peer, not earful.
Needs `pip install pyahocorasick` (scripts/bench.sh installs it into its own venv).
"""

import csv
import json
import sys
import time
import tomllib

import ahocorasick

CUSTOMER = {
    "customer", "caller", "client", "user", "member", "consumer", "buyer", "guest", "patient",
    "subscriber", "visitor",
}
MAX_VALUES = 50


def speaker_is_customer(label):
    word = label.strip().lower().rstrip("0123456789 _-")
    return word in CUSTOMER


def flatten(metadata, prefix=""):
    for key, value in metadata.items():
        name = prefix + key
        if isinstance(value, dict):
            yield from flatten(value, name + ".")
        elif value is not None:
            yield name, str(value)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    corpus, taxonomy, out = sys.argv[1:]
    started = time.perf_counter()
    with open(taxonomy, "rb") as f:
        categories = tomllib.load(f)["category"]
    automaton = ahocorasick.Automaton()
    for c in categories:
        for phrase in c["phrases"]:
            phrase = " ".join(phrase.split()).lower()
            if phrase not in automaton:
                automaton.add_word(phrase, (len(phrase), c["id"]))
    automaton.make_automaton()

    calls = rejects = 0
    values = {}  # field -> set of values seen; None once the field has too many
    counts = {}  # (field, value) -> [calls in segment, {category: calls}]
    with open(corpus, "rb") as f:
        for line in f:
            try:
                call = json.loads(line)
                turns = call["turns"]
                said = [t["text"] for t in turns if speaker_is_customer(t.get("speaker", ""))]
            except (ValueError, KeyError, TypeError, AttributeError):
                rejects += 1
                continue
            if not said:
                rejects += 1
                continue
            calls += 1
            text = "\n".join(said).lower()
            found = set()
            for end, (length, category) in automaton.iter(text):
                start = end - length + 1
                if start > 0 and text[start - 1].isalnum():
                    continue
                if end + 1 < len(text) and text[end + 1].isalnum():
                    continue
                found.add(category)
            for field, value in flatten(call.get("metadata") or {}):
                seen = values.setdefault(field, set())
                if seen is None:
                    continue
                seen.add(value)
                if len(seen) > MAX_VALUES:
                    values[field] = None
                    for key in [k for k in counts if k[0] == field]:
                        del counts[key]
                    continue
                entry = counts.get((field, value))
                if entry is None:
                    entry = counts[(field, value)] = [0, {}]
                entry[0] += 1
                for category in found:
                    entry[1][category] = entry[1].get(category, 0) + 1

    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["field", "value", "category", "segment_calls", "calls"])
        for (field, value), (segment_calls, by_category) in sorted(counts.items()):
            for category in sorted(by_category):
                writer.writerow([field, value, category, segment_calls, by_category[category]])
    seconds = time.perf_counter() - started
    skipped = sorted(field for field, seen in values.items() if seen is None)
    print(
        f"peer: {calls} calls, {rejects} rejected, {len(automaton)} phrases, "
        f"skipped fields {skipped}, {seconds:.1f} s -> {out}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
