//! End-to-end tests of the `earful` binary on the fixtures in tests/fixtures.
//!
//! What the fixtures plant (test taxonomy, tests/fixtures/taxonomy.toml):
//!
//! | call   | file        | customer says                                  | categories        |
//! |--------|-------------|------------------------------------------------|-------------------|
//! | call-7 | call-7.txt  | the app won't load                             | app_bug           |
//! | b01    | calls.jsonl | charged twice                                  | billing           |
//! | b02    | calls.jsonl | parcel never arrived                           | delivery          |
//! | b03    | calls.jsonl | app keeps crashing                             | app_bug           |
//! | b04    | calls.jsonl | the app is NOT crashing anymore (negated)      | -                 |
//! | b05    | calls.jsonl | (only the agent says "charged twice")          | -                 |
//! | b06    | calls.jsonl | =HYPERLINK(...) my internet is down            | outage            |
//! | b07    | calls.jsonl | I wish you had a dark mode                     | idea              |
//! | b08    | calls.jsonl | overcharged (card no.), double charged (email) | billing           |
//! | b09    | calls.jsonl | on hold for ..., double charged                | wait_time;billing |
//! | b10    | calls.jsonl | package is late, it would be great if ...      | delivery;idea     |
//! | b11    | calls.jsonl | internet is down (speakers `Rep 2`, `Caller`)  | outage            |
//! | b12    | calls.jsonl | nothing                                        | -                 |
//! | c01    | turns.csv   | wrong address, charged twice (rows apart)      | delivery;billing  |
//! | c02    | turns.csv   | you should add dark mode                       | idea              |
//! | c03    | turns.csv   | service is down                                | outage            |
//!
//! So over 16 calls: billing 4, delivery 3, outage 3, idea 3, app_bug 2, wait_time 1; ideas
//! `dark mode` (2 calls) and `text alert` (1 call).
//!
//! tests/fixtures/bad adds broken.jsonl (2 good lines, a truncated line, a line without turns, a
//! non-object line, an agent-only call, a blank line), an empty .txt, notes.docx and a CSV
//! without a text column: 7 rejects, 2 more calls.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::Path;

use calamine::{Data, Reader};
use common::*;

const BASIC_CALLS: usize = 16;

// ---------------------------------------------------------------------------------------------
// 1. The basic fixtures.

#[test]
fn basic_fixtures_give_the_planted_counts() {
    let (_tmp, out) = run_mine(&basic_args());
    let manifest = manifest(&out);
    let calls = calls(&out);
    assert_eq!(calls.len(), BASIC_CALLS);
    assert_eq!(calls.len() as u64, manifest.totals.calls);
    assert_eq!(manifest.totals.records, manifest.totals.calls);
    assert_eq!(manifest.totals.rejects, 0);
    assert!(rejects(&out).is_empty());

    // Files in sorted order, records in file order, CSV calls in order of their first row.
    let ids: Vec<&str> = calls.iter().map(|c| c.call_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "call-7", "b01", "b02", "b03", "b04", "b05", "b06", "b07", "b08", "b09", "b10", "b11", "b12", "c01", "c02",
            "c03"
        ]
    );

    let counts: BTreeMap<String, (String, u64, f64)> =
        categories(&out).into_iter().map(|c| (c.category, (c.kind, c.calls, c.share))).collect();
    let expected = [
        ("billing", "complaint", 4),
        ("delivery", "complaint", 3),
        ("outage", "complaint", 3),
        ("idea", "idea", 3),
        ("app_bug", "complaint", 2),
        ("wait_time", "complaint", 1),
    ];
    assert_eq!(counts.len(), expected.len(), "{counts:?}");
    for (id, kind, n) in expected {
        let (got_kind, got_calls, share) = &counts[id];
        assert_eq!((got_kind.as_str(), *got_calls), (kind, n), "category {id}");
        assert!((share - n as f64 / BASIC_CALLS as f64).abs() < 1e-4, "share of {id}: {share}");
    }
    // Most frequent first.
    let order: Vec<u64> = categories(&out).iter().map(|c| c.calls).collect();
    assert!(order.windows(2).all(|w| w[0] >= w[1]), "{order:?}");

    // Hard cases.
    assert!(
        !call(&calls, "b05").category_ids().contains(&"billing"),
        "agent-only complaint counted: {:?}",
        call(&calls, "b05")
    );
    assert!(
        !call(&calls, "b04").category_ids().contains(&"app_bug"),
        "negated complaint counted: {:?}",
        call(&calls, "b04")
    );
    assert!(call(&calls, "b04").category_ids().is_empty());
    assert_eq!(call(&calls, "b11").category_ids(), ["outage"], "speaker labels `Rep 2` / `Caller`");
    assert_eq!(call(&calls, "c01").turns, 3, "CSV rows of one call need not be adjacent");
    assert_eq!(call(&calls, "c01").category_ids(), ["billing", "delivery"]);
    assert_eq!(call(&calls, "b09").primary_category, "wait_time", "first complaint wins a tie");
    assert_eq!(call(&calls, "b08").complaints, 2);
    assert_eq!(call(&calls, "b10").category_ids(), ["delivery", "idea"]);
    assert_eq!((call(&calls, "b10").complaints, call(&calls, "b10").ideas), (1, 1));
    assert_eq!(call(&calls, "b10").primary_category, "delivery", "a complaint beats an idea");
    assert_eq!(call(&calls, "b07").primary_category, "idea");
    assert_eq!(call(&calls, "b01").started_at, "2026-03-02T09:00:00Z");
    assert_eq!((call(&calls, "b01").region.as_str(), call(&calls, "b01").plan.as_str()), ("west", "basic"));
    assert_eq!((call(&calls, "c03").region.as_str(), call(&calls, "c03").plan.as_str()), ("east", "basic"));
    for c in &calls {
        assert!((-1.0..=1.0).contains(&c.sentiment_start) && (-1.0..=1.0).contains(&c.sentiment_end), "{c:?}");
    }

    let mentions = mentions(&out);
    assert!(mentions.iter().all(|m| m.call_id != "b04" && m.call_id != "b05"), "{mentions:?}");
    let seven: Vec<_> = mentions.iter().filter(|m| m.call_id == "call-7").collect();
    assert_eq!(seven.len(), 1);
    assert_eq!((seven[0].category.as_str(), seven[0].phrase.as_str(), seven[0].turn), ("app_bug", "won't load", 2));
    assert_eq!(
        seven[0].quote, "The app won't load on my phone and it keeps asking me to log in.",
        "wrapped line joins the turn"
    );
    let b03: Vec<_> = mentions.iter().filter(|m| m.call_id == "b03").collect();
    assert_eq!(b03.len(), 1, "the longer phrase of a category wins: {b03:?}");
    assert_eq!(b03[0].phrase, "app keeps crashing");
    let b01 = mentions.iter().find(|m| m.call_id == "b01").unwrap();
    assert_eq!(
        (b01.kind.as_str(), b01.turn, b01.quote.as_str()),
        ("complaint", 2, "I was charged twice for my March bill.")
    );
    assert_eq!(mentions.iter().filter(|m| m.kind == "complaint").count() as u64, manifest.totals.complaint_mentions);
    assert_eq!(mentions.iter().filter(|m| m.kind == "idea").count() as u64, manifest.totals.idea_mentions);
    assert_eq!(manifest.totals.complaint_mentions, 14);
    assert_eq!(manifest.totals.idea_mentions, 3);
    assert_eq!(manifest.totals.calls_with_complaint, 11);
    assert_eq!(manifest.totals.calls_with_idea, 3);

    let ideas = ideas(&out);
    let dark =
        ideas.iter().find(|i| i.idea == "dark mode").unwrap_or_else(|| panic!("no `dark mode` idea in {ideas:?}"));
    assert_eq!((dark.category.as_str(), dark.calls), ("idea", 2));
    assert_eq!(dark.example_quote, "I wish you had a dark mode in the app.");
    let alert =
        ideas.iter().find(|i| i.idea == "text alert").unwrap_or_else(|| panic!("no `text alert` idea in {ideas:?}"));
    assert_eq!(alert.calls, 1);
    assert_eq!(ideas.len(), 2, "{ideas:?}");

    assert_eq!(manifest.tool, "earful");
    assert_eq!(manifest.version, env!("CARGO_PKG_VERSION"));
    assert!(manifest.redacted);
    assert_eq!(manifest.taxonomy, taxonomy());
    assert_eq!(manifest.taxonomy_digest.len(), 64);
    let formats: Vec<(&str, &str, u64)> =
        manifest.inputs.iter().map(|i| (i.path.rsplit('/').next().unwrap(), i.format.as_str(), i.calls)).collect();
    assert_eq!(formats, [("call-7.txt", "text", 1), ("calls.jsonl", "jsonl", 12), ("turns.csv", "csv", 3)]);
    assert!(manifest.inputs.iter().all(|i| !i.gzip && i.bytes > 0));
    let mut files = file_names(&out);
    files.retain(|f| f != "manifest.json");
    let mut listed = manifest.outputs.clone();
    listed.retain(|f| f != "manifest.json");
    assert_eq!(files, listed, "manifest outputs list the report's files");
    for name in CSV_OUTPUTS.iter().chain(&["report.xlsx", "manifest.json"]) {
        assert!(manifest.outputs.iter().any(|o| o == name), "{name} missing from {:?}", manifest.outputs);
        assert!(out.join(name).is_file(), "{name} not written");
    }
}

#[test]
fn metadata_columns_keep_first_seen_source_order() {
    // calls.jsonl writes `region` before `plan`, and b06 adds `note` then `balance`.
    let (_tmp, out) = run_mine(&basic_args());
    let (header, _) = read_raw(&out.join("calls.csv"));
    assert_eq!(
        header,
        [
            "call_id",
            "started_at",
            "region",
            "plan",
            "note",
            "balance",
            "turns",
            "customer_words",
            "sentiment_start",
            "sentiment_end",
            "complaints",
            "ideas",
            "primary_category",
            "categories",
            "theme",
            "theme_label"
        ]
    );
}

#[test]
fn summary_line_on_stderr_unless_quiet() {
    let tmp = tempfile::tempdir().unwrap();
    let loud = earful().arg("mine").args(basic_args()).arg("--out").arg(tmp.path().join("a")).output().unwrap();
    assert!(loud.status.success());
    let stderr = String::from_utf8_lossy(&loud.stderr);
    assert!(stderr.contains("16 calls, 0 rejected, 14 complaints, 3 ideas"), "{stderr}");
    assert!(loud.stdout.is_empty(), "nothing on stdout");
    let quiet =
        earful().arg("mine").args(basic_args()).arg("--out").arg(tmp.path().join("b")).arg("--quiet").output().unwrap();
    assert!(quiet.status.success());
    assert!(quiet.stderr.is_empty(), "{}", String::from_utf8_lossy(&quiet.stderr));
}

// ---------------------------------------------------------------------------------------------
// 2. Every record is accounted for.

#[test]
fn every_bad_record_is_rejected_and_counted() {
    let (_tmp, out) = run_mine(&basic_and_bad_args());
    let manifest = manifest(&out);
    let rejects = rejects(&out);
    for r in &rejects {
        assert!(!r.file.is_empty() && !r.reason.trim().is_empty(), "{r:?}");
    }
    let find = |file: &str, record: &str| {
        rejects
            .iter()
            .find(|r| r.file.ends_with(file) && r.record == record)
            .unwrap_or_else(|| panic!("no reject for {file} {record:?} in {rejects:#?}"))
    };
    assert!(find("broken.jsonl", "line 2").reason.contains("truncated JSON"));
    assert!(find("broken.jsonl", "line 3").reason.contains("missing field \"turns\""));
    assert!(find("broken.jsonl", "line 4").reason.contains("invalid JSON"));
    let agent_only = find("broken.jsonl", "line 5");
    assert!(agent_only.reason.contains("no customer turn") && agent_only.reason.contains("agent"), "{agent_only:?}");
    assert!(find("empty.txt", "").reason.contains("empty"));
    assert!(find("notes.docx", "").reason.contains("unrecognised format"));
    assert!(find("no_text.csv", "line 1").reason.contains("no text column"));
    assert_eq!(rejects.len(), 7, "{rejects:#?}");
    // The blank line 6 is not a record; lines 1 and 7 are calls.
    let calls = calls(&out);
    assert!(calls.iter().any(|c| c.call_id == "bad01") && calls.iter().any(|c| c.call_id == "bad07"));
    assert!(calls.iter().all(|c| !["bad02", "bad03", "bad05"].contains(&c.call_id.as_str())));

    let t = &manifest.totals;
    assert_eq!(t.calls as usize, calls.len());
    assert_eq!(t.calls as usize, BASIC_CALLS + 2);
    assert_eq!(t.rejects as usize, rejects.len());
    assert_eq!(t.records, t.calls + t.rejects, "{t:?}");
    for input in &manifest.inputs {
        assert_eq!(input.records, input.calls + input.rejects, "{input:?}");
    }
    let broken = manifest.inputs.iter().find(|i| i.path.ends_with("broken.jsonl")).unwrap();
    assert_eq!((broken.records, broken.calls, broken.rejects), (6, 2, 4));
    let empty = manifest.inputs.iter().find(|i| i.path.ends_with("empty.txt")).unwrap();
    assert_eq!((empty.records, empty.calls, empty.rejects), (1, 0, 1));
    let no_text = manifest.inputs.iter().find(|i| i.path.ends_with("no_text.csv")).unwrap();
    assert_eq!((no_text.records, no_text.calls, no_text.rejects), (1, 0, 1));
    assert!(manifest.inputs.iter().all(|i| !i.path.ends_with("notes.docx")), "an unreadable format is not an input");
    assert_eq!(calls.len() as u64, manifest.inputs.iter().map(|i| i.calls).sum::<u64>());
}

#[test]
fn missing_input_is_a_reject_not_a_failure() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("no-such-file.jsonl");
    let (_t, out) = run_mine(&[
        fixture("basic/calls.jsonl").as_os_str(),
        missing.as_os_str(),
        "--taxonomy".as_ref(),
        taxonomy().as_ref(),
    ]);
    let rejects = rejects(&out);
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    assert!(
        rejects[0].file.ends_with("no-such-file.jsonl") && rejects[0].reason.contains("cannot read input"),
        "{rejects:?}"
    );
    let t = manifest(&out).totals;
    assert_eq!((t.records, t.calls, t.rejects), (13, 12, 1));
}

// ---------------------------------------------------------------------------------------------
// 3. Formula injection.

#[test]
fn csv_cells_cannot_run_as_formulas() {
    let (_tmp, out) = run_mine(&basic_and_bad_args());
    for name in CSV_OUTPUTS {
        let (header, rows) = read_raw(&out.join(name));
        for cell in header.iter().chain(rows.iter().flatten()) {
            assert!(!is_dangerous(cell), "{name}: cell {cell:?} could run as a formula");
        }
    }
    let injected = mentions(&out).into_iter().find(|m| m.call_id == "b06").expect("b06's real complaint is mined");
    assert_eq!(injected.category, "outage");
    assert_eq!(injected.quote, "'=HYPERLINK(\"http://evil\",\"x\") my internet is down again");

    // Metadata: dangerous values get the apostrophe, a plain negative number does not.
    let (header, rows) = read_raw(&out.join("calls.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name} column"));
    let row = |id: &str| rows.iter().find(|r| r[0] == id).unwrap();
    assert_eq!(row("b06")[col("note")], "'@SUM(1+1)");
    assert_eq!(row("b06")[col("balance")], "-12.5");
    assert_eq!(row("b11")[col("note")], "'-2+3");
    assert_eq!(row("b12")[col("note")], "'\tcmd");
    let segments = segments(&out);
    assert!(segments.iter().any(|s| s.field == "note" && s.value == "'@SUM(1+1)"), "segment values are sanitised too");
    assert!(segments.iter().any(|s| s.field == "balance" && s.value == "-12.5"));
}

#[test]
fn xlsx_cells_cannot_run_as_formulas() {
    let (_tmp, out) = run_mine(&basic_and_bad_args());
    let mut book = workbook(&out);
    let mut strings = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        for s in sheet_strings(&range) {
            assert!(!is_dangerous(&s), "sheet {name}: cell {s:?} could run as a formula");
            strings.push(s);
        }
        let formulas = book.worksheet_formula(&name).unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "sheet {name} has formulas");
    }
    assert!(
        strings.iter().any(|s| s == "'=HYPERLINK(\"http://evil\",\"x\") my internet is down again"),
        "injected quote missing"
    );
    assert!(strings.iter().any(|s| s == "'@SUM(1+1)"));
}

// ---------------------------------------------------------------------------------------------
// 4. Redaction.

#[test]
fn quotes_redact_card_numbers() {
    let (_tmp, out) = run_mine(&basic_args());
    let b08: Vec<String> = mentions(&out).into_iter().filter(|m| m.call_id == "b08").map(|m| m.quote).collect();
    assert!(b08.iter().any(|q| q == "I was overcharged on card [CARD] last week."), "{b08:?}");
    let everything = all_text(&out);
    assert!(!everything.contains("4111 1111 1111 1111"), "raw card number in the report");
    let mentions_sheet = sheet_strings(&sheet(&out, "Mentions"));
    assert!(mentions_sheet.iter().any(|q| q.contains("[CARD]")), "{mentions_sheet:?}");
    assert!(!mentions_sheet.iter().any(|q| q.contains("4111 1111")));
}

#[test]
fn quotes_redact_email_addresses() {
    // b08: "I was double charged too, email me at mia_lopez@example.com please."
    let (_tmp, out) = run_mine(&basic_args());
    let quote = mentions(&out).into_iter().find(|m| m.call_id == "b08" && m.phrase == "double charged").unwrap().quote;
    assert_eq!(quote, "I was double charged too, email me at [EMAIL] please.");
    let everything = all_text(&out);
    assert!(!everything.contains("mia_lopez"), "(part of) the raw email address is in the report");
    let mentions_sheet = sheet_strings(&sheet(&out, "Mentions"));
    assert!(mentions_sheet.iter().any(|q| q.contains("[EMAIL]")), "{mentions_sheet:?}");
    assert!(!mentions_sheet.iter().any(|q| q.contains("mia_lopez")));
}

#[test]
fn mentions_in_one_sentence_share_its_quote_and_the_next_sentence_has_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("calls.jsonl");
    let said = "I was charged twice and the app keeps crashing, card 4111 1111 1111 1111. \
                My package is late. It never arrived, reach me at mia@example.com.";
    let call = serde_json::json!({"call_id": "q1", "turns": [
        {"speaker": "agent", "text": "How can I help?"},
        {"speaker": "customer", "text": said},
        {"speaker": "customer", "text": "The app keeps crashing."},
    ]});
    fs::write(&input, format!("{call}\n")).unwrap();
    let (_tmp, out) = run_mine(&[input.display().to_string(), "--taxonomy".into(), taxonomy()]);
    let quotes: Vec<(String, u32, String)> = mentions(&out).into_iter().map(|m| (m.phrase, m.turn, m.quote)).collect();
    let first = "I was charged twice and the app keeps crashing, card [CARD].";
    let want = [
        ("charged twice", 2, first),
        ("app keeps crashing", 2, first),
        ("package is late", 2, "My package is late."),
        ("never arrived", 2, "It never arrived, reach me at [EMAIL]."),
        ("app keeps crashing", 3, "The app keeps crashing."),
    ];
    let want: Vec<(String, u32, String)> = want.iter().map(|(p, t, q)| (p.to_string(), *t, q.to_string())).collect();
    assert_eq!(quotes, want);
}

#[test]
fn no_redact_keeps_quotes_as_said() {
    let mut args = basic_args();
    args.push("--no-redact".into());
    let (_tmp, out) = run_mine(&args);
    assert!(!manifest(&out).redacted);
    let b08: Vec<String> = mentions(&out).into_iter().filter(|m| m.call_id == "b08").map(|m| m.quote).collect();
    assert!(b08.iter().any(|q| q.contains("4111 1111 1111 1111")), "{b08:?}");
    assert!(b08.iter().all(|q| !q.contains("[CARD]") && !q.contains("[EMAIL]")), "{b08:?}");
    assert!(b08.iter().any(|q| q.contains("mia_lopez@example.com")), "raw email missing with --no-redact: {b08:?}");
}

/// Every text of the CSV outputs and every string of the workbook, one per line.
fn all_text(out: &Path) -> String {
    let mut text = String::new();
    for name in CSV_OUTPUTS {
        text.push_str(&String::from_utf8_lossy(&csv_body(&out.join(name))));
    }
    let mut book = workbook(out);
    for name in book.sheet_names() {
        for s in sheet_strings(&book.worksheet_range(&name).unwrap()) {
            text.push_str(&s);
            text.push('\n');
        }
    }
    text
}

// ---------------------------------------------------------------------------------------------
// 5. Determinism.

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus.jsonl");
    write_segment_corpus(&corpus);
    let mut args = basic_and_bad_args();
    args.push(corpus.display().to_string());
    let one = tmp.path().join("one");
    let two = tmp.path().join("two");
    let with_threads = |out: &Path, n: &str| {
        let mut a = args.clone();
        a.extend(["--threads".to_string(), n.to_string()]);
        mine_into(out, &a);
    };
    with_threads(&one, "1");
    with_threads(&two, "2");
    for name in CSV_OUTPUTS.iter().chain(&["report.xlsx"]) {
        let a = fs::read(one.join(name)).unwrap();
        let b = fs::read(two.join(name)).unwrap();
        assert!(a == b, "{name} differs between --threads 1 and --threads 2");
    }
    let strip = |dir: &Path| -> serde_json::Value {
        let mut value: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
        value.as_object_mut().unwrap().remove("timings").expect("manifest has timings");
        value
    };
    assert_eq!(strip(&one), strip(&two));
    assert_eq!(manifest(&one).totals.calls as usize, BASIC_CALLS + 2 + 400);
}

// ---------------------------------------------------------------------------------------------
// 6. The workbook.

#[test]
fn big_sheets_stop_at_the_row_cap_and_match_the_csv_up_to_it() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("earful.toml");
    fs::write(&config, "[report]\nxlsx_max_rows = 2\n").unwrap();
    let mut args = basic_args();
    args.extend(["--config".to_string(), config.display().to_string()]);
    let (_tmp, out) = run_mine(&args);
    // The Follow-ups sheet is filled from its CSV the same way, but `follow_ups.max_rows` caps it,
    // not this.
    for (sheet_name, file, capped) in
        [("Calls", "calls.csv", true), ("Mentions", "mentions.csv", true), ("Follow-ups", "follow_ups.csv", false)]
    {
        let (header, rows) = read_raw(&out.join(file));
        assert!(rows.len() > 2, "{file} has more rows than the cap");
        let range = sheet(&out, sheet_name);
        let want_rows = if capped { 2 } else { rows.len() };
        assert_eq!(range.height(), want_rows + 1, "{sheet_name}: header and the rows");
        let first: Vec<String> = range.rows().next().unwrap().iter().map(|d| d.to_string()).collect();
        assert_eq!(first, header, "{sheet_name} header");
        // Every cell of the first rows reads back as the CSV has it (numbers as numbers).
        for (got, want) in range.rows().skip(1).zip(&rows) {
            for (c, value) in want.iter().enumerate() {
                let cell = got.get(c).cloned().unwrap_or(Data::Empty);
                let text = match &cell {
                    Data::Float(v) => value.parse::<f64>().map_or(format!("{v}"), |w| {
                        if w == *v {
                            value.clone()
                        } else {
                            format!("{v}")
                        }
                    }),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                };
                // Text stays text: an id such as "007" is no number.
                let text_column = !(sheet_name == "Follow-ups" && header[c] == "sentiment_end");
                if sheet_name == "Follow-ups" && text_column && !value.is_empty() {
                    assert!(matches!(cell, Data::String(_)), "Follow-ups {}: {cell:?}", header[c]);
                }
                assert_eq!(&text, value, "{sheet_name} column {} ({})", header[c], c);
            }
        }
    }
    let overview = sheet_strings(&sheet(&out, "Overview"));
    assert!(overview.iter().any(|s| s.starts_with("first 2 of ")), "the Overview says the sheet was cut");
}

#[test]
fn workbook_has_the_documented_sheets_and_numbers() {
    let (_tmp, out) = run_mine(&basic_and_bad_args());
    assert_eq!(workbook(&out).sheet_names(), SHEETS);

    // The sheets of the CSVs: as many rows, same header.
    for (sheet_name, file) in [
        ("Calls", "calls.csv"),
        ("Mentions", "mentions.csv"),
        ("Follow-ups", "follow_ups.csv"),
        ("Rejects", "rejects.csv"),
        ("Segments", "segments.csv"),
        ("Ideas", "ideas.csv"),
    ] {
        let (header, rows) = read_raw(&out.join(file));
        let range = sheet(&out, sheet_name);
        assert_eq!(range.start(), Some((0, 0)), "{sheet_name}");
        assert_eq!(range.height(), rows.len() + 1, "{sheet_name} rows vs {file}");
        let first: Vec<String> = range.rows().next().unwrap().iter().map(|d| d.to_string()).collect();
        assert_eq!(first, header, "{sheet_name} header");
    }

    // Complaints: the complaint rows of categories.csv, numbers stored as numbers.
    let complaints: Vec<CategoryRow> = categories(&out).into_iter().filter(|c| c.kind == "complaint").collect();
    let range = sheet(&out, "Complaints");
    let rows: Vec<&[Data]> = range.rows().collect();
    let header: Vec<String> = rows[0].iter().map(|d| d.to_string()).collect();
    assert_eq!(header, ["category", "kind", "label", "calls", "share"]);
    assert_eq!(rows.len() - 1, complaints.len());
    for (row, want) in rows[1..].iter().zip(&complaints) {
        assert_eq!(row[0], Data::String(want.category.clone()));
        assert_eq!(row[2], Data::String(want.label.clone()));
        assert_eq!(number(&row[3]), Some(want.calls as f64), "calls of {} is {:?}", want.category, row[3]);
        let share = number(&row[4]).unwrap_or_else(|| panic!("share of {} is {:?}", want.category, row[4]));
        assert!((share - want.share).abs() < 1e-4);
    }

    // Calls: counts and scores are numbers, ids are text.
    let range = sheet(&out, "Calls");
    let rows: Vec<&[Data]> = range.rows().collect();
    let col = |name: &str| rows[0].iter().position(|d| matches!(d, Data::String(s) if s == name)).unwrap();
    for row in &rows[1..] {
        assert!(matches!(row[col("call_id")], Data::String(_)));
        for name in ["turns", "customer_words", "sentiment_start", "sentiment_end", "complaints", "ideas"] {
            assert!(number(&row[col(name)]).is_some(), "Calls {name} = {:?}", row[col(name)]);
        }
    }

    // Segments: counts numeric, significant boolean.
    let range = sheet(&out, "Segments");
    let rows: Vec<&[Data]> = range.rows().collect();
    let col = |name: &str| rows[0].iter().position(|d| matches!(d, Data::String(s) if s == name)).unwrap();
    for row in &rows[1..] {
        assert!(number(&row[col("segment_calls")]).is_some() && number(&row[col("calls")]).is_some());
        assert!(number(&row[col("share")]).is_some() && number(&row[col("lift")]).is_some());
        assert!(matches!(row[col("significant")], Data::Bool(_)), "{:?}", row[col("significant")]);
    }

    // Mentions: turn is a number.
    let range = sheet(&out, "Mentions");
    assert!(range.rows().skip(1).all(|r| number(&r[4]).is_some()));

    // Overview: the run's facts.
    let range = sheet(&out, "Overview");
    let fact = |label: &str| -> Data {
        range
            .rows()
            .find(|r| r.first().is_some_and(|d| matches!(d, Data::String(s) if s == label)))
            .unwrap_or_else(|| panic!("no {label:?} on Overview"))[1]
            .clone()
    };
    assert_eq!(number(&fact("Calls processed")), Some((BASIC_CALLS + 2) as f64));
    assert_eq!(number(&fact("Records rejected (see Rejects)")), Some(7.0));
    assert_eq!(fact("Quotes redacted"), Data::String("yes".into()));
}

/// A general category (how customers feel) said in most calls is listed after the specific
/// problems, in categories.csv, on the Complaints sheet and in the Overview's top complaints;
/// within each group the most frequent comes first.
#[test]
fn general_categories_rank_after_specific_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let taxonomy = tmp.path().join("taxonomy.toml");
    fs::write(
        &taxonomy,
        r#"
[[category]]
id = "unhappy"
kind = "complaint"
label = "Unhappy in general"
general = true
phrases = ["fed up"]

[[category]]
id = "outage"
kind = "complaint"
label = "Outage"
phrases = ["internet is down"]

[[category]]
id = "billing"
kind = "complaint"
label = "Billing"
phrases = ["charged twice"]
"#,
    )
    .unwrap();
    let said = [
        "I am fed up.",
        "I am fed up with this.",
        "Honestly I am fed up.",
        "I was charged twice and I am fed up.",
        "I was charged twice, fed up.",
        "The internet is down.",
    ];
    let lines: Vec<String> = said
        .iter()
        .enumerate()
        .map(|(i, text)| {
            serde_json::json!({"call_id": format!("g{i}"), "turns": [{"speaker": "customer", "text": text}]})
                .to_string()
        })
        .collect();
    let input = tmp.path().join("calls.jsonl");
    fs::write(&input, lines.join("\n") + "\n").unwrap();
    let out = tmp.path().join("report");
    mine_into(&out, &[input.to_str().unwrap(), "--taxonomy", taxonomy.to_str().unwrap(), "--no-discovery"]);

    let order: Vec<(String, u64)> = categories(&out).into_iter().map(|c| (c.category, c.calls)).collect();
    let want = [("billing".to_string(), 2), ("outage".to_string(), 1), ("unhappy".to_string(), 5)];
    assert_eq!(order, want);
    let complaints: Vec<String> = sheet(&out, "Complaints").rows().skip(1).map(|r| r[0].to_string()).collect();
    assert_eq!(complaints, ["billing", "outage", "unhappy"]);
    // The Overview's "Top complaints" section lists the ids in the same order.
    let overview = sheet_strings(&sheet(&out, "Overview"));
    let top = overview.iter().position(|s| s == "Top complaints").expect("a Top complaints section");
    let ids: Vec<&str> =
        overview[top..].iter().map(String::as_str).filter(|s| ["billing", "outage", "unhappy"].contains(s)).collect();
    assert_eq!(ids, ["billing", "outage", "unhappy"], "{overview:?}");
}

fn number(d: &Data) -> Option<f64> {
    match d {
        Data::Float(f) => Some(*f),
        Data::Int(i) => Some(*i as f64),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// 7. The report folder is replaced safely.

#[test]
fn refuses_to_replace_a_foreign_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("precious");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("thesis.docx"), "four years of work").unwrap();
    let output = earful().arg("mine").args(basic_args()).arg("--out").arg(&out).arg("--quiet").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not an earful report") && stderr.contains("--force"), "{stderr}");
    assert_eq!(fs::read_to_string(out.join("thesis.docx")).unwrap(), "four years of work");
    assert_eq!(file_names(&out), ["thesis.docx"]);
    assert_eq!(file_names(tmp.path()), ["precious"], "no staging folder left behind");

    mine_into(&out, &[basic_args(), vec!["--force".into()]].concat());
    assert!(out.join("manifest.json").is_file());
    assert!(!out.join("thesis.docx").exists(), "--force replaces the folder");
    assert_eq!(file_names(tmp.path()), ["precious"], "no staging folder left behind");
}

#[test]
fn a_second_run_replaces_the_previous_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report");
    mine_into(&out, &basic_and_bad_args());
    assert_eq!(manifest(&out).totals.rejects, 7);
    fs::write(out.join("stale-notes.csv"), "left over").unwrap();
    mine_into(&out, &basic_args());
    assert!(!out.join("stale-notes.csv").exists(), "old extra file survived the replacement");
    assert_eq!(manifest(&out).totals.rejects, 0, "the new report replaced the old one");
    assert!(rejects(&out).is_empty());
    assert_eq!(file_names(tmp.path()), ["report"], "no staging or old folder left behind");
}

#[test]
fn an_empty_existing_folder_is_used() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report");
    fs::create_dir(&out).unwrap();
    mine_into(&out, &basic_args());
    assert!(out.join("calls.csv").is_file());
}

// ---------------------------------------------------------------------------------------------
// 8. Usage errors exit 2.

fn expect_usage_error(args: &[String], out: &Path) -> String {
    let output = earful().arg("mine").args(args).arg("--out").arg(out).arg("--quiet").output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "args {args:?}\nstderr: {stderr}");
    assert!(!out.exists(), "a usage error wrote {}", out.display());
    stderr
}

#[test]
fn misspelt_config_key_is_a_usage_error_naming_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("earful.toml");
    fs::write(&config, "# my settings\n[segments]\nmin_suport = 3\n").unwrap();
    let stderr = expect_usage_error(
        &[basic_args(), vec!["--config".into(), config.display().to_string()]].concat(),
        &tmp.path().join("out"),
    );
    assert!(stderr.contains(&format!("{}:3", config.display())), "stderr should name file and line 3: {stderr}");
    assert!(stderr.contains("min_suport"), "{stderr}");
}

#[test]
fn invalid_config_value_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("earful.toml");
    fs::write(&config, "[segments]\nalpha = 2.0\n").unwrap();
    let stderr = expect_usage_error(
        &[basic_args(), vec!["--config".into(), config.display().to_string()]].concat(),
        &tmp.path().join("out"),
    );
    assert!(stderr.contains(&config.display().to_string()) && stderr.contains("alpha"), "{stderr}");
}

#[test]
fn unknown_taxonomy_key_is_a_usage_error_naming_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let tax = tmp.path().join("tax.toml");
    fs::write(&tax, "[[category]]\nid = \"billing\"\nkind = \"complaint\"\nlabel = \"Billing\"\nphrases = [\"charged twice\"]\nphrase = [\"overcharged\"]\n").unwrap();
    let args = vec![fixture("basic").display().to_string(), "--taxonomy".into(), tax.display().to_string()];
    let stderr = expect_usage_error(&args, &tmp.path().join("out"));
    assert!(stderr.contains(&format!("{}:6", tax.display())), "stderr should name file and line 6: {stderr}");
}

#[test]
fn invalid_taxonomy_is_a_usage_error_listing_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let tax = tmp.path().join("tax.toml");
    fs::write(&tax, "[[category]]\nid = \"a\"\nkind = \"complaint\"\nlabel = \"A\"\nphrases = []\n\n[[category]]\nid = \"a\"\nkind = \"idea\"\nlabel = \"A again\"\nphrases = [\"i wish\"]\n").unwrap();
    let args = vec![fixture("basic").display().to_string(), "--taxonomy".into(), tax.display().to_string()];
    let stderr = expect_usage_error(&args, &tmp.path().join("out"));
    assert!(stderr.contains(&tax.display().to_string()), "{stderr}");
    assert!(stderr.contains("line 1") && stderr.contains("line 7"), "{stderr}");
}

#[test]
fn missing_taxonomy_file_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let tax = tmp.path().join("nope.toml");
    let args = vec![fixture("basic").display().to_string(), "--taxonomy".into(), tax.display().to_string()];
    let stderr = expect_usage_error(&args, &tmp.path().join("out"));
    assert!(stderr.contains("nope.toml"), "{stderr}");
}

#[test]
fn zero_threads_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let stderr =
        expect_usage_error(&[basic_args(), vec!["--threads".into(), "0".into()]].concat(), &tmp.path().join("out"));
    assert!(stderr.contains("--threads"), "{stderr}");
}

#[test]
fn command_line_mistakes_are_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    // No --out.
    earful().arg("mine").arg(fixture("basic")).assert().code(2);
    // No input.
    earful().arg("mine").arg("--out").arg(tmp.path().join("out")).assert().code(2);
    // Unknown flag.
    earful().arg("mine").arg(fixture("basic")).arg("--out").arg(tmp.path().join("out")).arg("--fast").assert().code(2);
    // Not a number.
    earful()
        .arg("mine")
        .arg(fixture("basic"))
        .arg("--out")
        .arg(tmp.path().join("out"))
        .args(["--threads", "two"])
        .assert()
        .code(2);
    assert!(!tmp.path().join("out").exists());
}

// ---------------------------------------------------------------------------------------------
// 9. No taxonomy.

#[test]
fn taxonomy_none_finds_nothing() {
    let (_tmp, out) = run_mine(&[fixture("basic").display().to_string(), "--taxonomy".into(), "none".into()]);
    let (header, rows) = read_raw(&out.join("categories.csv"));
    assert_eq!(header, ["category", "kind", "label", "calls", "share"]);
    assert!(rows.is_empty(), "{rows:?}");
    assert!(mentions(&out).is_empty());
    assert!(ideas(&out).is_empty());
    let calls = calls(&out);
    assert_eq!(calls.len(), BASIC_CALLS);
    assert!(calls.iter().all(|c| c.categories.is_empty() && c.primary_category.is_empty() && c.complaints == 0));
    let manifest = manifest(&out);
    assert_eq!(manifest.taxonomy, "none");
    assert_eq!((manifest.totals.complaint_mentions, manifest.totals.idea_mentions), (0, 0));
}

// ---------------------------------------------------------------------------------------------
// 10. Segments.

/// 400 calls: `west` (100) says "internet is down" in 40% of calls, `east` and `north` (150 each)
/// in about 5%; "charged twice" in exactly 10% of every region. `customer_id` is unique per call.
fn write_segment_corpus(path: &Path) {
    let mut file = std::io::BufWriter::new(fs::File::create(path).unwrap());
    for i in 0..400usize {
        let (region, j) = match i {
            0..100 => ("west", i),
            100..250 => ("east", i - 100),
            _ => ("north", i - 250),
        };
        let outage = match region {
            "west" => j < 40,
            "east" => j % 20 == 0,
            _ => j % 20 == 5,
        };
        let mut said = vec!["Hello, I would like to ask about my contract renewal.".to_string()];
        if outage {
            said.push("Also my internet is down again since this morning.".into());
        }
        if i % 10 == 0 {
            said.push("And I was charged twice on my last bill.".into());
        }
        let call = serde_json::json!({
            "call_id": format!("s{i:03}"),
            "started_at": format!("2026-04-01T{:02}:{:02}:00Z", 8 + i / 60, i % 60),
            "metadata": {"region": region, "customer_id": format!("C-{i:04}")},
            "turns": [
                {"speaker": "agent", "text": "Thank you for calling, how can I help?"},
                {"speaker": "customer", "text": said.join(" ")}
            ]
        });
        writeln!(file, "{call}").unwrap();
    }
    file.flush().unwrap();
}

#[test]
fn segments_find_the_region_with_more_outages() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus.jsonl");
    write_segment_corpus(&corpus);
    let (_t, out) = run_mine(&[corpus.display().to_string(), "--taxonomy".into(), taxonomy()]);
    let segments = segments(&out);
    let row = |value: &str, category: &str| {
        segments
            .iter()
            .find(|s| s.field == "region" && s.value == value && s.category == category)
            .unwrap_or_else(|| panic!("no region={value} {category} row in segments.csv"))
            .clone()
    };
    let west = row("west", "outage");
    assert_eq!((west.segment_calls, west.calls), (100, 40));
    assert_eq!(west.kind, "complaint");
    assert_eq!(west.label, "Service outage");
    assert!((west.share - 0.4).abs() < 1e-4);
    assert!((west.overall_share - 56.0 / 400.0).abs() < 1e-4, "{west:?}");
    assert!(west.lift > 2.0, "{west:?}");
    assert!(west.p_value.is_some_and(|p| p < 0.001), "{west:?}");
    assert!(west.significant, "{west:?}");

    let east = row("east", "outage");
    assert_eq!((east.segment_calls, east.calls), (150, 8));
    assert!(!east.significant || east.lift < 1.0, "{east:?}");
    assert!(east.lift < 1.0, "{east:?}");

    // Billing is spread evenly: no difference anywhere.
    for region in ["west", "east", "north"] {
        let billing = row(region, "billing");
        assert!((billing.lift - 1.0).abs() < 1e-4, "{billing:?}");
        assert!(!billing.significant, "{billing:?}");
    }
    // An id is not a segment.
    assert!(segments.iter().all(|s| s.field != "customer_id"));
    assert_eq!(manifest(&out).skipped_segment_fields, ["customer_id"]);
    // Every call is in exactly one sentiment value.
    let mut sentiment_calls: BTreeMap<&str, u64> = BTreeMap::new();
    for s in segments.iter().filter(|s| s.field == "sentiment" && s.category == "outage") {
        sentiment_calls.insert(&s.value, s.segment_calls);
    }
    assert_eq!(sentiment_calls.values().sum::<u64>(), 400, "{sentiment_calls:?}");
    // The Overview lists the difference.
    let overview = sheet_strings(&sheet(&out, "Overview"));
    assert!(overview.iter().any(|s| s == "region = west"), "{overview:?}");
}

// ---------------------------------------------------------------------------------------------
// 11. Help.

#[test]
fn help_mentions_the_options() {
    let top = earful().arg("--help").output().unwrap();
    assert!(top.status.success());
    let text = String::from_utf8_lossy(&top.stdout);
    assert!(text.contains("mine") && text.contains("sample"), "`earful --help`:\n{text}");

    let mine = earful().args(["mine", "--help"]).output().unwrap();
    assert!(mine.status.success());
    let text = String::from_utf8_lossy(&mine.stdout);
    for flag in ["--out", "--taxonomy", "--threads", "--quiet", "--force", "--no-redact", "--config"] {
        assert!(text.contains(flag), "`earful mine --help` does not mention {flag}:\n{text}");
    }

    let version = earful().arg("--version").output().unwrap();
    assert!(version.status.success());
    assert!(String::from_utf8_lossy(&version.stdout).contains(env!("CARGO_PKG_VERSION")));
}

// ---------------------------------------------------------------------------------------------
// The built-in taxonomy and the other input forms.

#[test]
fn builtin_taxonomy_has_the_documented_categories() {
    let (_tmp, out) = run_mine(&[fixture("basic")]);
    let ids: Vec<String> = categories(&out).into_iter().map(|c| c.category).collect();
    for id in ["billing", "delivery", "app_bug"] {
        assert!(ids.iter().any(|i| i == id), "built-in taxonomy lacks {id}: {ids:?}");
    }
    let manifest = manifest(&out);
    assert_eq!(manifest.taxonomy, "built-in");
    let calls = calls(&out);
    assert!(!call(&calls, "b05").category_ids().contains(&"billing"), "agent-only complaint counted");
    assert!(call(&calls, "b01").category_ids().contains(&"billing"));
}

#[test]
fn gzip_input_reads_like_the_plain_file() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = fs::read(fixture("basic/calls.jsonl")).unwrap();
    // Named without .gz: gzip is recognised from the bytes.
    for name in ["calls.jsonl.gz", "calls-packed.jsonl"] {
        let gz = tmp.path().join(name);
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&plain).unwrap();
        fs::write(&gz, enc.finish().unwrap()).unwrap();
        let (_a, packed) = run_mine(&[gz.display().to_string(), "--taxonomy".into(), taxonomy()]);
        let (_b, unpacked) =
            run_mine(&[fixture("basic/calls.jsonl").display().to_string(), "--taxonomy".into(), taxonomy()]);
        for file in ["calls.csv", "mentions.csv", "categories.csv"] {
            assert_eq!(fs::read(packed.join(file)).unwrap(), fs::read(unpacked.join(file)).unwrap(), "{name}: {file}");
        }
        let input = &manifest(&packed).inputs[0];
        assert!(input.gzip && input.format == "jsonl" && input.calls == 12, "{input:?}");
    }
}

#[test]
fn csv_without_speaker_column_is_all_customer() {
    let tmp = tempfile::tempdir().unwrap();
    let survey = tmp.path().join("survey.csv");
    fs::write(&survey, "comment,channel\n\"My internet is down, again.\",web\nLove the service.,app\n\"I wish you had a dark mode\",app\n").unwrap();
    let (_t, out) = run_mine(&[survey.display().to_string(), "--taxonomy".into(), taxonomy()]);
    let calls = calls_with_channel(&out);
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[0].0, "survey:2");
    assert_eq!(calls[0].1, "web");
    assert_eq!(calls[0].2, "outage");
    assert_eq!(calls[2].2, "idea");
    assert_eq!(ideas(&out)[0].idea, "dark mode");
}

fn calls_with_channel(out: &Path) -> Vec<(String, String, String)> {
    #[derive(serde::Deserialize)]
    struct Row {
        call_id: String,
        channel: String,
        categories: String,
    }
    read_rows::<Row>(&out.join("calls.csv")).into_iter().map(|r| (r.call_id, r.channel, r.categories)).collect()
}
