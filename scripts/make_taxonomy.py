#!/usr/bin/env python3
"""Writes a benchmark taxonomy with exactly N phrases, in earful's TOML format.

    python3 scripts/make_taxonomy.py --phrases 1000 --out tax-1000.toml
    python3 scripts/make_taxonomy.py --phrases 10000 --out tax-10000.toml

The phrases start from earful's built-in taxonomy (data/taxonomy.toml, 3,139 phrases in twelve
categories):

* N at most the built-in count: each category keeps its first phrases, in file order, in
  proportion to its size (largest remainder), so the mix of categories stays the same;
* N above it: every built-in phrase, plus realistic generated complaints for the eleven complaint
  categories, made of a product or service noun, optionally "my"/"the"/"your", and a problem
  ("my router keeps dropping", "the refund still hasn't arrived"), taken round-robin across
  categories. The idea category keeps its built-in cues.

Exclude lists are kept as they are in the built-in taxonomy. Phrases are cleaned the way earful
cleans them (lowercase, single spaces) and are distinct across the whole file, so "N phrases"
means N distinct patterns. The output depends on nothing but N and the built-in file: no
randomness, no hash order.
"""

import argparse
import json
import pathlib
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent

DETERMINERS = ["", "my", "the", "your"]

# Per complaint category: nouns and problems. Every noun + problem reads as a complaint.
GENERATED = {
    "billing": (
        ["bill", "invoice", "statement", "monthly bill", "direct debit", "card payment",
         "autopay payment", "account balance", "latest invoice", "service charge",
         "payment", "phone bill"],
        ["is wrong", "was taken twice", "is way too high", "doesn't add up", "has an extra fee",
         "went out twice", "shows a charge i don't recognise", "is higher than it should be",
         "came out early", "has a mystery charge", "was charged again", "is incorrect again",
         "has a fee i never agreed to", "was billed twice"],
    ),
    "refund": (
        ["refund", "money back", "credit", "return credit", "refund payment", "reimbursement",
         "refund for the return", "store credit", "partial refund", "deposit",
         "refund request", "cashback"],
        ["still hasn't arrived", "never came through", "is still missing", "is taking forever",
         "was never paid", "is weeks late", "got lost", "was rejected for no reason",
         "is still pending", "disappeared", "hasn't shown up", "was only partly paid",
         "is overdue", "never reached my card"],
    ),
    "delivery": (
        ["parcel", "package", "order", "delivery", "replacement", "box", "shipment",
         "new router", "spare part", "courier", "tracking", "second parcel"],
        ["never arrived", "arrived damaged", "is missing", "was left outside in the rain",
         "went to the wrong address", "is stuck in transit", "turned up broken",
         "was delivered to a neighbour", "is a week late", "came without the charger",
         "was lost by the courier", "was marked delivered but never came",
         "arrived crushed", "is still not here"],
    ),
    "outage": (
        ["internet", "wifi", "broadband", "connection", "signal", "tv service", "landline",
         "fibre line", "mobile data", "home phone", "hotspot", "service"],
        ["is down again", "keeps dropping out", "stopped working", "is not working",
         "cuts out every evening", "has been off since yesterday", "goes down every night",
         "keeps disconnecting", "is completely dead", "drops every few minutes",
         "has been out all day", "is down for the whole street", "keeps going off",
         "died again"],
    ),
    "app_bug": (
        ["app", "website", "checkout page", "login page", "payment page", "account page",
         "mobile app", "online form", "customer portal", "bill page", "tracking page",
         "latest update"],
        ["keeps crashing", "won't load", "freezes every time", "shows an error",
         "logs me out constantly", "is broken again", "just spins forever",
         "crashes at checkout", "throws error codes", "goes blank", "times out",
         "won't accept my card", "keeps glitching", "is full of bugs"],
    ),
    "wait_time": (
        ["hold time", "queue", "wait", "call queue", "chat queue", "phone line",
         "callback", "hold music", "waiting time", "support line", "helpline", "response time"],
        ["was over an hour", "is ridiculous", "took forever", "lasted forty minutes",
         "is far too long", "never moves", "went on for ages", "is always so long",
         "is unacceptable", "kept me waiting all morning", "was endless",
         "took over half an hour", "is getting longer every time", "wasted my whole lunch break"],
    ),
    "repeat_contact": (
        ["ticket", "case", "complaint", "issue", "request", "claim", "fault report",
         "escalation", "query", "follow up", "case number", "open ticket"],
        ["was closed without a fix", "is still not resolved", "keeps getting closed",
         "was never followed up", "has been open for weeks", "went nowhere",
         "got lost again", "was ignored", "needs chasing every week",
         "was passed around again", "is still unresolved", "was never actioned",
         "keeps being reopened", "has not moved in weeks"],
    ),
    "staff": (
        ["agent", "advisor", "rep", "manager", "supervisor", "engineer", "technician",
         "store staff", "last agent", "driver", "person on the phone", "team leader"],
        ["was rude to me", "hung up on me", "was really dismissive", "was condescending",
         "gave me wrong information", "laughed at me", "was unprofessional",
         "didn't listen at all", "lied to me", "was so unhelpful", "shouted at me",
         "ignored what i said", "was sarcastic", "treated me like an idiot"],
    ),
    "cancellation": (
        ["contract", "account", "subscription", "plan", "membership", "service",
         "broadband contract", "phone contract", "package", "direct debit",
         "tv package", "line rental"],
        ["needs to be cancelled", "is getting cancelled", "can be closed today",
         "ends today as far as i'm concerned", "needs to end now",
         "has to go", "is being cancelled this week", "is not worth keeping",
         "is done", "will be terminated", "goes at the end of the month",
         "is being moved to another provider", "is being cancelled today",
         "should be closed immediately"],
    ),
    "price": (
        ["price", "monthly cost", "bill", "plan", "subscription", "package", "price rise",
         "renewal price", "contract price", "monthly fee", "tariff", "deal"],
        ["is too expensive", "went up again", "is way too high", "is a rip off",
         "is not worth the money", "doubled overnight", "keeps going up",
         "is more than everyone else charges", "is daylight robbery", "is overpriced",
         "jumped without warning", "is too much for what i get",
         "is higher than competitors", "is ridiculous for this service"],
    ),
    "account_access": (
        ["account", "password", "login", "verification code", "online account",
         "reset link", "two factor code", "username", "security code", "app login",
         "email login", "pin"],
        ["is locked", "doesn't work", "keeps getting rejected", "never arrives",
         "has expired again", "won't let me in", "is blocked", "was suspended",
         "keeps saying invalid", "is not recognised", "stopped working overnight",
         "locks me out", "fails every time", "is broken"],
    ),
}


def clean(phrase):
    return " ".join(phrase.split()).lower()


def distinct(phrases, taken):
    """Cleaned phrases in order, without repeats within the list or of anything in `taken`."""
    out = []
    for p in map(clean, phrases):
        if p and p not in taken:
            taken.add(p)
            out.append(p)
    return out


def generated(category):
    """Noun x problem x determiner combinations, most varied first (by index sum)."""
    nouns, problems = GENERATED[category]
    combos = [
        (d + n + p, d, n, p)
        for d in range(len(DETERMINERS))
        for n in range(len(nouns))
        for p in range(len(problems))
    ]
    combos.sort()
    for _, d, n, p in combos:
        yield " ".join(w for w in (DETERMINERS[d], nouns[n], problems[p]) if w)


def build(total, base_path):
    base = tomllib.loads(base_path.read_text(encoding="utf-8"))["category"]
    taken = set()
    for c in base:
        c["phrases"] = distinct(c["phrases"], taken)
        c["exclude"] = [clean(x) for x in c.get("exclude", [])]
    base_total = sum(len(c["phrases"]) for c in base)
    if total <= base_total:
        exact = [total * len(c["phrases"]) / base_total for c in base]
        quota = [int(x) for x in exact]
        by_remainder = sorted(range(len(base)), key=lambda i: (-(exact[i] - quota[i]), i))
        for i in by_remainder[: total - sum(quota)]:
            quota[i] += 1
        for c, q in zip(base, quota):
            c["phrases"] = c["phrases"][:q]
    else:
        streams = [(c, generated(c["id"])) for c in base if c["id"] in GENERATED]
        need = total - base_total
        while need > 0:
            progressed = False
            for c, stream in streams:
                if need == 0:
                    break
                for phrase in stream:
                    if phrase not in taken:
                        taken.add(phrase)
                        c["phrases"].append(phrase)
                        need -= 1
                        progressed = True
                        break
            if not progressed:
                sys.exit(f"make_taxonomy: can generate at most {total - need} phrases")
    return base


def toml_list(items, indent="  "):
    if not items:
        return "[]"
    lines, line = [], indent
    for item in items:
        piece = json.dumps(item, ensure_ascii=False) + ", "
        if len(line) + len(piece) > 100 and line.strip():
            lines.append(line.rstrip())
            line = indent
        line += piece
    lines.append(line.rstrip().rstrip(","))
    return "[\n" + "\n".join(lines) + "\n]"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phrases", type=int, required=True, help="number of distinct phrases")
    parser.add_argument("--out", type=pathlib.Path, required=True, help="TOML file to write")
    parser.add_argument("--base", type=pathlib.Path, default=ROOT / "data" / "taxonomy.toml")
    args = parser.parse_args()
    if args.phrases < 12:
        sys.exit("make_taxonomy: --phrases must be at least 12 (one per category)")
    categories = build(args.phrases, args.base)
    count = sum(len(c["phrases"]) for c in categories)
    assert count == args.phrases, (count, args.phrases)
    parts = [
        f"# Benchmark taxonomy: {count} phrases, written by scripts/make_taxonomy.py "
        f"--phrases {args.phrases}.\n# Built from data/taxonomy.toml; do not edit by hand.\n"
    ]
    for c in categories:
        block = (
            f"\n[[category]]\nid = {json.dumps(c['id'])}\nkind = {json.dumps(c['kind'])}\n"
            f"label = {json.dumps(c['label'], ensure_ascii=False)}\n"
            f"phrases = {toml_list(c['phrases'])}\n"
        )
        if c["exclude"]:
            block += f"exclude = {toml_list(c['exclude'])}\n"
        parts.append(block)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text("".join(parts), encoding="utf-8")
    tmp.replace(args.out)
    print(f"make_taxonomy: wrote {count} phrases in {len(categories)} categories to {args.out}")


if __name__ == "__main__":
    main()
