#!/usr/bin/env python3
"""Scores earful against the labelled corpora in ../shared/corpora (see README, "Evaluation").

For each corpus it runs `earful mine` (the binary given with --earful) and compares the report
with the labels kept in each call's metadata:

- twcs-airlines (`--taxonomy none --min-calls 3`): themes found, NMI, AMI and purity of the
  calls' primary theme against `issue` (unassigned calls form one group), and coverage: the share
  of labels other than OTHER with at least 10 threads for which some theme has precision >= 0.6
  and recall >= 0.3.
- complaints-twitter (taxonomy plus discovery): precision, recall, F1 and macro-F1 of "has a
  complaint", overall and per domain.
- suggestions-semeval2019 (taxonomy plus discovery): precision, recall and F1 of "has an idea",
  overall and per source file.

Only the Python standard library is used. Prints a Markdown report; --json writes the figures.
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
from collections import Counter, defaultdict

MIN_THREADS = 10
PRECISION_AT = 0.6
RECALL_AT = 0.3


CONFIG = []


def mine(earful, corpus_file, out, extra):
    cmd = [earful, "mine", corpus_file, "--out", out, "--force", "--quiet"] + CONFIG + extra
    subprocess.run(cmd, check=True)


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def labels_of(corpus_file, field):
    out = {}
    with open(corpus_file, encoding="utf-8") as f:
        for line in f:
            call = json.loads(line)
            out[call["call_id"]] = call["metadata"][field]
    return out


# --- clustering scores -------------------------------------------------------------------------

def entropy(counts, n):
    return -sum(c / n * math.log(c / n) for c in counts if c)


def mutual_info(pairs, n):
    joint = Counter(pairs)
    a = Counter(x for x, _ in pairs)
    b = Counter(y for _, y in pairs)
    return sum(c / n * math.log(c * n / (a[x] * b[y])) for (x, y), c in joint.items())


def expected_mutual_info(a_counts, b_counts, n):
    """E[MI] under the hypergeometric model of random labellings with these cluster sizes."""
    lg = math.lgamma
    emi = 0.0
    for ai in a_counts:
        for bj in b_counts:
            lo = max(1, ai + bj - n)
            hi = min(ai, bj)
            for nij in range(lo, hi + 1):
                term = nij / n * math.log(n * nij / (ai * bj))
                logp = (lg(ai + 1) + lg(bj + 1) + lg(n - ai + 1) + lg(n - bj + 1)
                        - lg(n + 1) - lg(nij + 1) - lg(ai - nij + 1) - lg(bj - nij + 1)
                        - lg(n - ai - bj + nij + 1))
                emi += term * math.exp(logp)
    return emi


def cluster_scores(truth, found):
    """NMI and AMI (arithmetic-mean normalisation, as scikit-learn's defaults) and purity."""
    n = len(truth)
    pairs = list(zip(truth, found))
    a = list(Counter(truth).values())
    b = list(Counter(found).values())
    mi = mutual_info(pairs, n)
    ha, hb = entropy(a, n), entropy(b, n)
    mean_h = (ha + hb) / 2
    nmi = mi / mean_h if mean_h > 0 else 1.0
    emi = expected_mutual_info(a, b, n)
    ami = (mi - emi) / (mean_h - emi) if mean_h - emi != 0 else 1.0
    by_found = defaultdict(Counter)
    for t, f in pairs:
        by_found[f][t] += 1
    purity = sum(c.most_common(1)[0][1] for c in by_found.values()) / n
    return nmi, ami, purity


def themes_eval(earful, root, work):
    corpus = os.path.join(root, "twcs-airlines", "twcs-airlines-dev.jsonl")
    out = os.path.join(work, "twcs-airlines")
    mine(earful, corpus, out, ["--taxonomy", "none", "--min-calls", "3"])
    labels = labels_of(corpus, "issue")
    calls = read_csv(os.path.join(out, "calls.csv"))
    themes = {t["theme"]: t for t in read_csv(os.path.join(out, "themes.csv"))}
    truth = [labels[c["call_id"]] for c in calls]
    found = [c["theme"] or "(none)" for c in calls]
    nmi, ami, purity = cluster_scores(truth, found)
    sizes = Counter(truth)
    eligible = sorted(l for l, k in sizes.items() if l != "OTHER" and k >= MIN_THREADS)
    theme_sizes = Counter(f for f in found if f != "(none)")
    both = Counter((t, f) for t, f in zip(truth, found) if f != "(none)")
    covered = {}
    for label in eligible:
        best = None
        for theme, size in theme_sizes.items():
            hit = both[(label, theme)]
            p, r = hit / size, hit / sizes[label]
            if p >= PRECISION_AT and r >= RECALL_AT and (best is None or r > best[2]):
                best = (theme, p, r)
        covered[label] = best
    coverage = sum(1 for v in covered.values() if v) / len(eligible) if eligible else 0.0
    unassigned = found.count("(none)") / len(found)
    # The theme that best matches each label, for reading the errors.
    matches = []
    for label in sorted(sizes, key=lambda l: -sizes[l]):
        cands = [(both[(label, th)], th) for th in theme_sizes if both[(label, th)]]
        cands.sort(reverse=True)
        top = ", ".join(f"{th} \"{themes[th]['label']}\" {k}/{theme_sizes[th]}" for k, th in cands[:3])
        matches.append((label, sizes[label], top))
    return {
        "threads": len(calls),
        "themes": len(themes),
        "nmi": nmi,
        "ami": ami,
        "purity": purity,
        "coverage": coverage,
        "unassigned_share": unassigned,
        "covered": {k: (v[0] if v else None) for k, v in covered.items()},
        "matches": matches,
        "labels": [t["label"] for t in themes.values()],
    }


# --- detection scores --------------------------------------------------------------------------

def prf(pairs):
    tp = sum(1 for t, p in pairs if t and p)
    fp = sum(1 for t, p in pairs if not t and p)
    fn = sum(1 for t, p in pairs if t and not p)
    tn = len(pairs) - tp - fp - fn
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    # macro-F1: the mean of the F1 of each class (positive and negative).
    pn = tn / (tn + fn) if tn + fn else 0.0
    rn = tn / (tn + fp) if tn + fp else 0.0
    f1n = 2 * pn * rn / (pn + rn) if pn + rn else 0.0
    return {"n": len(pairs), "precision": p, "recall": r, "f1": f1, "macro_f1": (f1 + f1n) / 2}


def detection(earful, root, work, folder, positive, kind, segment):
    corpus = os.path.join(root, folder, f"{folder}-dev.jsonl")
    out = os.path.join(work, folder)
    mine(earful, corpus, out, [])
    labels = labels_of(corpus, "label")
    domains = labels_of(corpus, "domain")
    themes = {t["theme"]: t["kind"] for t in read_csv(os.path.join(out, "themes.csv"))}
    column = "complaints" if kind == "complaint" else "ideas"
    rows = []
    for c in read_csv(os.path.join(out, "calls.csv")):
        said = int(c[column]) > 0 or themes.get(c.get("theme", "")) == kind
        rows.append((c["call_id"], labels[c["call_id"]] == positive, said))
    result = {"overall": prf([(t, p) for _, t, p in rows])}
    by = defaultdict(list)
    for cid, t, p in rows:
        by[domains[cid]].append((t, p))
    result[segment] = {d: prf(v) for d, v in sorted(by.items())}
    return result, rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--earful", default="target/release/earful")
    ap.add_argument("--corpora", default=os.path.join("..", "shared", "corpora"))
    ap.add_argument("--work", default=os.path.join("target", "eval"))
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--config", help="a config file passed to every run")
    ap.add_argument("--errors", type=int, default=0, help="print this many false positives and misses")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    if args.config:
        CONFIG.extend(["--config", args.config])

    th = themes_eval(args.earful, args.corpora, args.work)
    cp, cp_rows = detection(args.earful, args.corpora, args.work, "complaints-twitter", "complaint", "complaint", "domain")
    sg, sg_rows = detection(args.earful, args.corpora, args.work, "suggestions-semeval2019", "suggestion", "idea", "source")

    print("## Themes: twcs-airlines (--taxonomy none --min-calls 3)\n")
    print("| threads | themes | unassigned | NMI | AMI | purity | coverage |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {th['threads']} | {th['themes']} | {th['unassigned_share']:.0%} | {th['nmi']:.3f} | {th['ami']:.3f} "
          f"| {th['purity']:.3f} | {th['coverage']:.2f} |\n")
    print("| label | threads | best themes (label's threads / theme's calls) |")
    print("|---|---|---|")
    for label, n, top in th["matches"]:
        mark = " (covered)" if th["covered"].get(label) else ""
        print(f"| {label}{mark} | {n} | {top} |")
    print("\nTheme labels: " + "; ".join(th["labels"]) + "\n")

    for title, res, seg in [("Complaints: complaints-twitter (\"has a complaint\")", cp, "domain"),
                            ("Ideas: suggestions-semeval2019 (\"has an idea\")", sg, "source")]:
        print(f"## {title}\n")
        print(f"| {seg} | n | precision | recall | F1 | macro-F1 |")
        print("|---|---|---|---|---|---|")
        rows = [("**all**", res["overall"])] + list(res[seg].items())
        for name, m in rows:
            print(f"| {name} | {m['n']} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['macro_f1']:.3f} |")
        print()

    if args.errors:
        texts = {}
        for folder in ["complaints-twitter", "suggestions-semeval2019"]:
            with open(os.path.join(args.corpora, folder, f"{folder}-dev.jsonl"), encoding="utf-8") as f:
                for line in f:
                    c = json.loads(line)
                    texts[c["call_id"]] = c["turns"][0]["text"]
        for name, rows in [("complaints", cp_rows), ("ideas", sg_rows)]:
            fps = [cid for cid, t, p in rows if p and not t][: args.errors]
            fns = [cid for cid, t, p in rows if t and not p][: args.errors]
            print(f"### {name}: false positives\n")
            for cid in fps:
                print(f"- {texts[cid][:200]!r}")
            print(f"\n### {name}: misses\n")
            for cid in fns:
                print(f"- {texts[cid][:200]!r}")
            print()

    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"themes": {k: v for k, v in th.items() if k != "matches"}, "complaints": cp, "ideas": sg}, f, indent=2)


if __name__ == "__main__":
    sys.exit(main())
