//! Property tests: accounting, determinism, redaction and cell sanitising hold for generated
//! input, not only for the fixtures. Case counts are kept small where a case runs the binary.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use earful::ingest::{parse_bytes, Format, Limits};
use earful::normalize::redact::redact;
use earful::report::sanitize::cell_text;
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

/// `cases` cases (or `PROPTEST_CASES` when set, for a longer run), and no regression files
/// written into the source tree on a failure (the failing input is printed: turn it into a
/// named test).
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(cases);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

// ---------------------------------------------------------------------------------------------
// Generated JSONL.

/// What a customer may say: complaints and ideas of the built-in taxonomy, negations, personal
/// data, formula-like text and small talk.
const SAID: &[&str] = &[
    "I was charged twice.",
    "My parcel never arrived.",
    "The app keeps crashing!",
    "I wish you had a dark mode.",
    "It would be great if you could add text alerts.",
    "Thanks, that is all.",
    "I was never charged twice.",
    "My internet is down again",
    "=1+1 I was double charged",
    "call me on 555-0142 about the refund",
    "I have been on hold for an hour",
    "Ça ne marche pas, the app won't load 😡",
];

/// A call that earful keeps (it has a customer turn), without its id.
#[derive(Debug, Clone)]
struct GenCall {
    region: &'static str,
    plan: &'static str,
    agent_first: bool,
    said: Vec<&'static str>,
}

impl GenCall {
    fn line(&self, id: &str) -> String {
        let mut turns = Vec::new();
        if self.agent_first {
            turns.push(serde_json::json!({"speaker": "agent", "text": "Thanks for calling, how can I help?"}));
        }
        for said in &self.said {
            turns.push(serde_json::json!({"speaker": "customer", "text": said}));
        }
        serde_json::json!({"call_id": id, "metadata": {"region": self.region, "plan": self.plan}, "turns": turns})
            .to_string()
    }
}

fn gen_call() -> impl Strategy<Value = GenCall> {
    (
        prop::sample::select(vec!["west", "east", "north"]),
        prop::sample::select(vec!["basic", "premium"]),
        any::<bool>(),
        prop::collection::vec(prop::sample::select(SAID), 1..4),
    )
        .prop_map(|(region, plan, agent_first, said)| GenCall { region, plan, agent_first, said })
}

/// One line of a generated JSONL file.
#[derive(Debug, Clone)]
enum GenLine {
    Call(GenCall),
    /// A valid call cut short.
    Truncated(GenCall, usize),
    /// Any bytes but line ends.
    Garbage(Vec<u8>),
    /// Spaces, tabs and form feeds only: not a record.
    Blank(String),
}

fn gen_line() -> impl Strategy<Value = GenLine> {
    prop_oneof![
        4 => gen_call().prop_map(GenLine::Call),
        1 => (gen_call(), 1usize..200).prop_map(|(c, n)| GenLine::Truncated(c, n)),
        2 => prop::collection::vec(any::<u8>().prop_filter("no line end", |b| *b != b'\n' && *b != b'\r'), 0..60)
            .prop_map(GenLine::Garbage),
        1 => "[ \t\u{c}]{0,4}".prop_map(GenLine::Blank),
    ]
}

/// A generated JSONL file: its bytes and, per line, whether it is a call that must be kept.
#[derive(Debug, Clone)]
struct GenFile {
    bytes: Vec<u8>,
    /// 1-based line numbers of the kept calls.
    calls: Vec<u64>,
}

fn gen_file() -> impl Strategy<Value = GenFile> {
    (
        prop::collection::vec(gen_line(), 0..25),
        prop::sample::select(vec!["\n", "\r\n", "\r"]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(lines, end, bom, trailing)| {
            let mut bytes = Vec::new();
            if bom {
                bytes.extend_from_slice("\u{feff}".as_bytes());
            }
            let mut calls = Vec::new();
            for (i, line) in lines.iter().enumerate() {
                if i > 0 {
                    bytes.extend_from_slice(end.as_bytes());
                }
                match line {
                    GenLine::Call(c) => {
                        bytes.extend_from_slice(c.line(&format!("c{i}")).as_bytes());
                        calls.push(i as u64 + 1);
                    }
                    GenLine::Truncated(c, n) => {
                        let full = c.line(&format!("t{i}"));
                        let cut = (*n).min(full.len() - 1);
                        bytes.extend_from_slice(&full.as_bytes()[..cut]);
                    }
                    GenLine::Garbage(g) => bytes.extend_from_slice(g),
                    GenLine::Blank(b) => bytes.extend_from_slice(b.as_bytes()),
                }
            }
            if trailing && !lines.is_empty() {
                bytes.extend_from_slice(end.as_bytes());
            }
            GenFile { bytes, calls }
        })
}

/// The 1-based numbers of the lines that are records, as the JSONL format defines them: lines
/// end at LF (a CR before it is trimmed), or at CR in a file with no LF at all; a blank line is
/// not a record; a byte-order mark before line 1 is not part of it.
fn record_lines(bytes: &[u8]) -> Vec<u64> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let end = if !bytes.contains(&b'\n') && bytes.contains(&b'\r') { b'\r' } else { b'\n' };
    let mut lines: Vec<&[u8]> = bytes.split(|&b| b == end).collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.iter().enumerate().filter(|(_, l)| !l.trim_ascii().is_empty()).map(|(i, _)| i as u64 + 1).collect()
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn parse_bytes_gives_one_entry_per_non_blank_line(file in gen_file()) {
        let got = parse_bytes(Format::Jsonl, "gen.jsonl", &file.bytes, &Limits::default());
        let lines: Vec<u64> = got.iter().map(|(line, _)| *line).collect();
        prop_assert_eq!(&lines, &record_lines(&file.bytes));
        let kept: Vec<u64> = got.iter().filter(|(_, r)| r.is_ok()).map(|(line, _)| *line).collect();
        prop_assert_eq!(&kept, &file.calls, "valid calls decode, nothing else does");
        for (line, result) in &got {
            match result {
                Ok(call) => prop_assert_eq!(&call.call_id, &format!("c{}", line - 1)),
                Err(reason) => prop_assert!(!reason.trim().is_empty()),
            }
        }
    }
}

proptest! {
    // Each case runs the binary (about a second in a debug build).
    #![proptest_config(config(4))]

    #[test]
    fn the_binary_accounts_for_every_line(file in gen_file()) {
        let tmp = tempfile::tempdir().unwrap();
        let input = tmp.path().join("gen.jsonl");
        fs::write(&input, &file.bytes).unwrap();
        let out = tmp.path().join("report");
        mine_into(&out, &[input.as_os_str()]);
        let m = manifest(&out);
        let t = &m.totals;
        prop_assert_eq!(t.records, t.calls + t.rejects);
        prop_assert_eq!(t.records, record_lines(&file.bytes).len() as u64);
        prop_assert_eq!(t.calls, file.calls.len() as u64);
        prop_assert_eq!(rejects(&out).len() as u64, t.rejects);
        let (_, rows) = read_raw(&out.join("calls.csv"));
        prop_assert_eq!(rows.len() as u64, t.calls);
    }
}

// ---------------------------------------------------------------------------------------------
// The report does not depend on thread count or file order.

/// Three small JSONL files with ids unique across files.
fn gen_corpus() -> impl Strategy<Value = Vec<Vec<GenCall>>> {
    prop::collection::vec(prop::collection::vec(gen_call(), 1..30), 3)
}

fn write_corpus(dir: &Path, corpus: &[Vec<GenCall>]) -> Vec<PathBuf> {
    corpus
        .iter()
        .enumerate()
        .map(|(f, calls)| {
            let path = dir.join(format!("part{f}.jsonl"));
            let lines: Vec<String> = calls.iter().enumerate().map(|(i, c)| c.line(&format!("f{f}-{i}"))).collect();
            fs::write(&path, lines.join("\n") + "\n").unwrap();
            path
        })
        .collect()
}

fn sorted_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let (header, mut rows) = read_raw(path);
    rows.sort();
    (header, rows)
}

proptest! {
    #![proptest_config(config(2))]

    #[test]
    fn reports_do_not_depend_on_threads_or_file_order(corpus in gen_corpus()) {
        let tmp = tempfile::tempdir().unwrap();
        let files = write_corpus(tmp.path(), &corpus);
        let run = |name: &str, order: [usize; 3], threads: &str| -> PathBuf {
            let out = tmp.path().join(name);
            let mut args: Vec<std::ffi::OsString> = order.iter().map(|&i| files[i].clone().into_os_string()).collect();
            args.extend(["--threads".into(), threads.into()]);
            mine_into(&out, &args);
            out
        };
        let a = run("a", [0, 1, 2], "1");
        let b = run("b", [0, 1, 2], "2");
        let c = run("c", [2, 0, 1], "2");
        // Same order: every CSV byte for byte, whatever the thread count.
        for name in CSV_OUTPUTS {
            prop_assert!(fs::read(a.join(name)).unwrap() == fs::read(b.join(name)).unwrap(), "{} differs by --threads", name);
        }
        // Another order: the aggregate tables byte for byte, the per-call ones as sets of rows.
        for name in ["categories.csv", "segments.csv", "ideas.csv"] {
            let (x, y) = (fs::read_to_string(a.join(name)).unwrap(), fs::read_to_string(c.join(name)).unwrap());
            prop_assert!(x == y, "{} differs by file order:\n{}\n---\n{}", name, x, y);
        }
        for name in CSV_OUTPUTS.iter().filter(|n| !["categories.csv", "segments.csv", "ideas.csv"].contains(n)) {
            prop_assert_eq!(sorted_rows(&a.join(name)), sorted_rows(&c.join(name)), "{} differs by file order", name);
        }
        let (ta, tc) = (manifest(&a).totals, manifest(&c).totals);
        prop_assert_eq!((ta.records, ta.calls, ta.rejects), (tc.records, tc.calls, tc.rejects));
    }
}

// ---------------------------------------------------------------------------------------------
// Redaction.

fn luhn_ok(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// A Luhn-valid 16-digit number: 15 digits and their check digit.
fn gen_card() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(0u8..10, 15).prop_map(|mut digits| {
        let check = (0..10).find(|c| luhn_ok(&[digits.as_slice(), &[*c]].concat())).expect("a check digit exists");
        digits.push(check);
        digits
    })
}

/// Every 16-digit number written in the output, each digit followed by at most one space or dash,
/// that passes the Luhn check.
fn cards_left(text: &str) -> Vec<String> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| regex::Regex::new(r"^(?:\d[ -]?){15}\d").unwrap());
    let bytes = text.as_bytes();
    (0..bytes.len())
        .filter(|&i| bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit()))
        .filter_map(|i| re.find(&text[i..]).map(|m| m.as_str().to_string()))
        .filter(|found| luhn_ok(&found.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect::<Vec<_>>()))
        .collect()
}

const WORDS: [&str; 10] = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn redact_leaves_no_card_number(
        card in gen_card(),
        sep in prop::sample::select(vec!["", " ", "-"]),
        before in "[a-zA-Z0-9 ,.:$@'-]{0,30}",
        after in "[a-zA-Z0-9 ,.:$@'-]{0,30}",
    ) {
        let written: Vec<String> = card.chunks(4).map(|g| g.iter().map(|d| char::from(b'0' + d)).collect()).collect();
        let written = written.join(sep);
        let text = format!("{before} {written} {after}");
        let out = redact(&text);
        prop_assert!(!out.contains(&written), "{:?} -> {:?}", text, out);
        let left = cards_left(&out);
        prop_assert!(left.is_empty(), "{:?} -> {:?} still has {:?}", text, out, left);
    }

    #[test]
    fn redact_leaves_no_spoken_card_number(
        card in gen_card(),
        oh in prop::collection::vec(any::<bool>(), 16),
        group_sep in prop::sample::select(vec![" ", ", ", " - "]),
        before in "[a-zA-Z ,.']{0,30}",
        after in "[a-zA-Z ,.']{0,30}",
    ) {
        let word = |i: usize| if card[i] == 0 && oh[i] { "oh" } else { WORDS[card[i] as usize] };
        let groups: Vec<String> = (0..4).map(|g| (g * 4..g * 4 + 4).map(word).collect::<Vec<_>>().join(" ")).collect();
        let spoken = groups.join(group_sep);
        let text = format!("{before} {spoken} {after}");
        let out = redact(&text);
        prop_assert!(out.contains("[CARD]") && !out.contains(&spoken), "{:?} -> {:?}", text, out);
    }

    #[test]
    fn redact_keeps_text_without_digits(text in "[a-zA-Z ,.!?']{0,80}") {
        // No digit, no digit word with 13 of them in a row: nothing to redact.
        prop_assert_eq!(redact(&text), text);
    }
}

// ---------------------------------------------------------------------------------------------
// Cell sanitising.

fn gen_cell() -> impl Strategy<Value = String> {
    let lead = prop::sample::select(vec!["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠", "'", " ", ""]);
    prop_oneof![
        any::<String>(),
        (lead.clone(), any::<String>()).prop_map(|(l, s)| format!("{l}{s}")),
        (lead.clone(), "[0-9.eE+-]{0,8}").prop_map(|(l, s)| format!("{l}{s}")),
        (lead, "[-+]?[0-9]{1,6}(\\.[0-9]{0,3})?").prop_map(|(l, s)| format!("{l}{s}")),
    ]
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn cell_text_never_starts_a_formula(text in gen_cell()) {
        let out = cell_text(&text);
        prop_assert!(!is_dangerous(&out), "{:?} -> {:?}", text, out);
        // Either untouched or one apostrophe in front: nothing else changes.
        prop_assert!(out == text || out.strip_prefix('\'') == Some(text.as_str()), "{:?} -> {:?}", text, out);
        // A plain number such as -12.5 stays a number.
        let plain = text.strip_prefix(['-', '+']).unwrap_or(&text);
        if !plain.is_empty() && plain.chars().all(|c| c.is_ascii_digit()) {
            prop_assert_eq!(out.as_ref(), text.as_str());
        }
    }
}
