//! Discovery end to end: a problem nobody put in the taxonomy, planted in a night of calls, comes
//! out as one theme with a readable label, quotes, a `theme` on each of its calls and segment
//! rows; what the taxonomy explains is left to the taxonomy; and the themes do not depend on the
//! thread count or the order of the input files.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use calamine::Reader;
use common::*;
use serde::Deserialize;

/// themes.csv
#[derive(Debug, Clone, Deserialize)]
struct ThemeRow {
    theme: String,
    kind: String,
    label: String,
    calls: u64,
    share: f64,
    phrases: String,
    quote_1: String,
    quote_2: String,
    quote_3: String,
}

fn themes(out: &Path) -> Vec<ThemeRow> {
    read_rows(&out.join("themes.csv"))
}

/// call_id -> theme, from calls.csv.
fn theme_of_calls(out: &Path) -> BTreeMap<String, String> {
    let (header, rows) = read_raw(&out.join("calls.csv"));
    let id = header.iter().position(|h| h == "call_id").unwrap();
    let theme = header.iter().position(|h| h == "theme").expect("calls.csv has a theme column");
    rows.iter().map(|r| (r[id].clone(), r[theme].clone())).collect()
}

/// Five wordings of one problem nobody put in the taxonomy. Each is a complaint in tone (a bad
/// event word), as complaints are; discovery takes complaint words from such sentences.
const DRONE: &[&str] = &[
    "Your delivery drone crashed into my garden fence and broke it.",
    "The drone dropped my parcel on the roof and it got damaged.",
    "A delivery drone hit my window this morning, the drone is annoying and far too low.",
    "Your drone left my parcel in the neighbours garden, so annoying.",
    "The drone delivery woke the baby, that drone is so annoying at six.",
];

const FILLER: &[&str] = &[
    "I was charged twice on my bill this month.",
    "The app keeps crashing when I open my account.",
    "My internet has been down since Tuesday.",
    "I want to change the address on my account.",
    "Can you tell me when my contract ends?",
];

/// 60 calls: 15 about delivery drones (worded five ways), the rest everyday calls; the region
/// differs so that the theme has segment rows. `files` splits the calls into that many files.
fn write_night(dir: &Path, files: usize) {
    fs::create_dir_all(dir).unwrap();
    let mut lines: Vec<Vec<String>> = vec![Vec::new(); files];
    for i in 0..60 {
        let (said, region) = if i < 15 {
            (DRONE[i % DRONE.len()].to_string(), "north")
        } else {
            (FILLER[i % FILLER.len()].to_string(), if i % 2 == 0 { "north" } else { "south" })
        };
        let line = serde_json::json!({
            "call_id": format!("c{i:02}"),
            "started_at": "2026-11-20T09:00:00Z",
            "metadata": {"region": region},
            "turns": [
                {"speaker": "agent", "text": "Thanks for calling, how can I help you today?"},
                {"speaker": "customer", "text": said},
                {"speaker": "agent", "text": "I am sorry to hear that, let me look into it."},
                {"speaker": "customer", "text": "Thank you, that is all."}
            ]
        });
        lines[i % files].push(line.to_string());
    }
    for (f, l) in lines.iter().enumerate() {
        fs::write(dir.join(format!("night-{f}.jsonl")), l.join("\n") + "\n").unwrap();
    }
}

#[test]
fn a_planted_unknown_problem_becomes_one_labelled_theme() {
    let tmp = tempfile::tempdir().unwrap();
    write_night(&tmp.path().join("in"), 1);
    let out = tmp.path().join("report");
    mine_into(&out, &[tmp.path().join("in").to_str().unwrap(), "--min-calls", "5"]);
    let rows = themes(&out);
    let drone = rows.iter().find(|t| t.label.contains("drone")).unwrap_or_else(|| panic!("no drone theme: {rows:#?}"));
    assert_eq!(drone.kind, "complaint");
    assert_eq!(drone.calls, 15, "{rows:#?}");
    assert!((drone.share - 15.0 / 60.0).abs() < 1e-3);
    assert!(drone.label.split(" / ").count() <= 3, "{}", drone.label);
    assert!(drone.phrases.contains("drone"));
    for q in [&drone.quote_1, &drone.quote_2, &drone.quote_3] {
        assert!(q.to_lowercase().contains("drone"), "quote {q:?}");
    }
    let assigned = theme_of_calls(&out);
    for i in 0..15 {
        assert_eq!(assigned[&format!("c{i:02}")], drone.theme, "c{i:02}");
    }
    assert!(assigned.iter().filter(|(_, t)| **t == drone.theme).count() == 15, "only the drone calls");
    // The theme is a segment category like the taxonomy's: all 15 drone calls are in the north.
    let seg = segments(&out);
    let north = seg.iter().find(|r| r.category == drone.theme && r.value == "north").expect("segment row");
    assert_eq!(north.calls, 15);
    assert!(north.lift > 1.0);
    assert_eq!(north.label, drone.label, "a theme's segment rows carry its label");
    // And so do its calls, next to its id.
    let (header, calls) = read_raw(&out.join("calls.csv"));
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (theme, label) = (at("theme"), at("theme_label"));
    assert!(calls.iter().all(|r| (r[theme] == drone.theme) == (r[label] == drone.label)), "theme_label follows theme");
    assert!(calls.iter().all(|r| r[theme].is_empty() == r[label].is_empty()));
    let m: serde_json::Value = serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let d = &m["discovery"];
    assert_eq!(d["min_calls"], 5);
    assert_eq!(d["themes"].as_u64().unwrap() as usize, rows.len());
    let unassigned = assigned.values().filter(|t| t.is_empty()).count();
    assert_eq!(d["unassigned_calls"].as_u64().unwrap() as usize, unassigned);
    assert!((d["unassigned_share"].as_f64().unwrap() - unassigned as f64 / 60.0).abs() < 1e-9);
    let book = workbook(&out);
    assert!(book.sheet_names().contains(&"Themes".to_string()));
}

/// Four wordings of one question, asked without complaint.
const WARRANTY: &[&str] = &[
    "Does the router come with a warranty?",
    "How long is the warranty on the router?",
    "Is my router still under warranty?",
    "Can I extend the warranty on my router?",
];

#[test]
fn a_question_asked_again_and_again_is_a_question_theme() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    fs::create_dir_all(&dir).unwrap();
    let lines: Vec<String> = (0..60)
        .map(|i| {
            let said = match i {
                0..15 => DRONE[i % DRONE.len()],
                15..27 => WARRANTY[i % WARRANTY.len()],
                _ => FILLER[i % FILLER.len()],
            };
            let turns = [("agent", "How can I help?"), ("customer", said), ("customer", "Thank you, that is all.")];
            let turns: Vec<_> = turns.iter().map(|(s, t)| serde_json::json!({"speaker": s, "text": t})).collect();
            serde_json::json!({"call_id": format!("c{i:02}"), "turns": turns}).to_string()
        })
        .collect();
    fs::write(dir.join("night.jsonl"), lines.join("\n") + "\n").unwrap();
    let out = tmp.path().join("report");
    mine_into(&out, &[dir.to_str().unwrap(), "--min-calls", "5"]);
    let rows = themes(&out);
    let kind_of = |word: &str| rows.iter().find(|t| t.label.contains(word)).map(|t| (t.kind.as_str(), t.calls));
    assert_eq!(kind_of("warranty"), Some(("question", 12)), "{rows:#?}");
    assert_eq!(kind_of("drone"), Some(("complaint", 15)), "{rows:#?}");
    let m: serde_json::Value = serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let questions = rows.iter().filter(|t| t.kind == "question").count();
    assert_eq!(m["discovery"]["question_themes"].as_u64(), Some(questions as u64));
}

#[test]
fn what_the_taxonomy_explains_is_not_discovered_again() {
    let tmp = tempfile::tempdir().unwrap();
    write_night(&tmp.path().join("in"), 1);
    let input = tmp.path().join("in");
    let with_taxonomy = tmp.path().join("a");
    mine_into(&with_taxonomy, &[input.to_str().unwrap(), "--min-calls", "5"]);
    let labels: Vec<String> = themes(&with_taxonomy).into_iter().map(|t| t.label).collect();
    // "charged twice on my bill" is billing in the built-in taxonomy: no theme of its own.
    assert!(labels.iter().all(|l| !l.contains("charged") && !l.contains("bill")), "{labels:?}");
    let alone = tmp.path().join("b");
    mine_into(&alone, &[input.to_str().unwrap(), "--min-calls", "5", "--taxonomy", "none"]);
    let labels: Vec<String> = themes(&alone).into_iter().map(|t| t.label).collect();
    assert!(labels.iter().any(|l| l.contains("charged") || l.contains("bill")), "{labels:?}");
    assert!(labels.iter().any(|l| l.contains("drone")), "{labels:?}");
}

#[test]
fn themes_do_not_depend_on_threads_or_file_order() {
    let tmp = tempfile::tempdir().unwrap();
    write_night(&tmp.path().join("one"), 1);
    write_night(&tmp.path().join("three"), 3);
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    mine_into(&a, &[tmp.path().join("one").to_str().unwrap(), "--min-calls", "5", "-j", "1"]);
    mine_into(&b, &[tmp.path().join("three").to_str().unwrap(), "--min-calls", "5", "-j", "2"]);
    assert_eq!(csv_body(&a.join("themes.csv")), csv_body(&b.join("themes.csv")));
    assert_eq!(theme_of_calls(&a), theme_of_calls(&b));
}

#[test]
fn no_discovery_writes_no_themes() {
    let tmp = tempfile::tempdir().unwrap();
    write_night(&tmp.path().join("in"), 1);
    let out = tmp.path().join("report");
    mine_into(&out, &[tmp.path().join("in").to_str().unwrap(), "--no-discovery"]);
    assert!(!out.join("themes.csv").exists());
    let (header, _) = read_raw(&out.join("calls.csv"));
    assert!(!header.contains(&"theme".to_string()));
    let m: serde_json::Value = serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert!(m.get("discovery").is_none());
    assert!(!workbook(&out).sheet_names().contains(&"Themes".to_string()));
}
