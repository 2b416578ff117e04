//! The nightly job's contract with its scheduler and its analysts: follow-ups to call back,
//! exit codes, and the --summary-json figures.

mod common;

use std::fs;
use std::path::Path;

use common::*;

/// One JSONL line of a call with the given customer turns.
fn call(id: &str, started_at: &str, customer: &[&str]) -> String {
    let mut turns = vec![serde_json::json!({"speaker": "agent", "text": "Thanks for calling, how can I help?"})];
    for text in customer {
        turns.push(serde_json::json!({"speaker": "customer", "text": text}));
        turns.push(serde_json::json!({"speaker": "agent", "text": "I understand."}));
    }
    serde_json::json!({"call_id": id, "started_at": started_at, "metadata": {"customer_id": format!("C-{id}")}, "turns": turns})
        .to_string()
}

fn write_calls(dir: &Path) -> std::path::PathBuf {
    let lines = [
        // Complained, threatened to cancel, ended angry: high priority.
        call(
            "f1",
            "2026-11-22T10:00:00Z",
            &["I was charged twice this month.", "If this isn't fixed I'm cancelling. This is ridiculous, useless."],
        ),
        // Complained and asked for a supervisor, ended calmly: medium.
        call("f2", "2026-11-22T09:00:00+02:00", &["My package never arrived.", "I want to speak to a manager please."]),
        // Complained but the call ended well: no follow-up.
        call(
            "f3",
            "2026-11-22T11:00:00Z",
            &["I was charged twice.", "Oh wonderful, thank you so much, that is perfect, I really appreciate it."],
        ),
        // Unhappy but no complaint: no follow-up.
        call(
            "f4",
            "2026-11-22T12:00:00Z",
            // (Anger at the company, "this is ridiculous", is a complaint of the built-in
            // taxonomy, `dissatisfaction`; grief is not.)
            &["Just a question about opening hours.", "Sorry, it has been a terrible, sad week, my dog died."],
        ),
        // Complained, ended badly, no start time: low priority and no respond-by.
        call("f5", "", &["The app keeps crashing.", "This is terrible, awful, I am furious and fed up."]),
    ];
    let path = dir.join("calls.jsonl");
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

#[test]
fn follow_ups_list_who_to_call_back_and_by_when() {
    let tmp = tempfile::tempdir().unwrap();
    let input = write_calls(tmp.path());
    let out = tmp.path().join("report");
    mine_into(&out, &[input.display().to_string()]);
    let rows = follow_ups(&out);
    let ids: Vec<&str> = rows.iter().map(|r| r.call_id.as_str()).collect();
    assert_eq!(ids, ["f1", "f2", "f5"], "{rows:#?}");
    let f1 = &rows[0];
    assert_eq!(f1.priority, "high");
    assert!(f1.reasons.contains("cancellation_threat") && f1.reasons.contains("unhappy_end"), "{}", f1.reasons);
    assert_eq!(f1.customer_id, "C-f1");
    assert_eq!(f1.respond_by, "2026-11-23T22:00:00Z");
    assert!(f1.quote.contains("cancelling"), "{}", f1.quote);
    let f2 = &rows[1];
    assert_eq!(f2.priority, "medium");
    assert_eq!(f2.reasons, "asked_for_supervisor");
    // 09:00 at +02:00 is 07:00 UTC; 36 hours later is 19:00 UTC the next day.
    assert_eq!(f2.respond_by, "2026-11-23T19:00:00Z");
    let f5 = &rows[2];
    assert_eq!((f5.priority.as_str(), f5.respond_by.as_str()), ("low", ""));
    assert!(sheet_names(&out).contains(&"Follow-ups".to_string()));
}

#[test]
fn respond_window_comes_from_the_config() {
    let tmp = tempfile::tempdir().unwrap();
    let input = write_calls(tmp.path());
    let config = tmp.path().join("earful.toml");
    fs::write(&config, "[follow_ups]\nrespond_within_hours = 24\n").unwrap();
    let out = tmp.path().join("report");
    mine_into(&out, &[input.display().to_string(), "--config".into(), config.display().to_string()]);
    assert_eq!(follow_ups(&out)[0].respond_by, "2026-11-23T10:00:00Z");
}

#[test]
fn reject_rate_over_the_limit_exits_3_after_writing_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    fs::create_dir(&input).unwrap();
    write_calls(&input);
    fs::write(input.join("broken.jsonl"), "{\"call_id\": \"x\"\n").unwrap();
    let out = tmp.path().join("report");
    let summary = tmp.path().join("summary.json");
    let run = |max: &str| {
        earful()
            .args(["mine", input.to_str().unwrap(), "--quiet", "--max-reject-rate", max, "--summary-json"])
            .arg(&summary)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap()
    };
    // 1 reject in 6 records is 16.7%.
    let strict = run("0.1");
    assert_eq!(strict.status.code(), Some(3), "{}", String::from_utf8_lossy(&strict.stderr));
    assert!(out.join("report.xlsx").exists(), "the report is written even when the reject rate is too high");
    let json: serde_json::Value = serde_json::from_str(&fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(json["status"], "too_many_rejects");
    assert_eq!(json["exit_code"], 3);
    assert_eq!(
        (json["records"].as_u64(), json["calls"].as_u64(), json["rejects"].as_u64()),
        (Some(6), Some(5), Some(1))
    );
    assert_eq!(json["follow_ups"].as_u64(), Some(3));
    let lenient = run("0.5");
    assert_eq!(lenient.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_str(&fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(json["status"], "ok");
}

#[test]
fn a_failed_run_still_writes_its_summary_json() {
    let tmp = tempfile::tempdir().unwrap();
    let bad_config = tmp.path().join("bad.toml");
    fs::write(&bad_config, "[segments]\nalpha = 7\n").unwrap();
    let summary = tmp.path().join("summary.json");
    let output = earful()
        .args(["mine", "data/sample", "--config"])
        .arg(&bad_config)
        .arg("--summary-json")
        .arg(&summary)
        .arg("--out")
        .arg(tmp.path().join("report"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_str(&fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(json["status"], "failed");
    assert_eq!(json["exit_code"], 2);
    assert!(json["error"].as_str().unwrap().contains("alpha"), "{json}");
}

fn sheet_names(out: &Path) -> Vec<String> {
    use calamine::Reader;
    workbook(out).sheet_names().to_vec()
}

#[test]
fn the_follow_up_list_keeps_the_most_urgent_and_counts_them_all() {
    let tmp = tempfile::tempdir().unwrap();
    let input = write_calls(tmp.path());
    let config = tmp.path().join("earful.toml");
    fs::write(&config, "[follow_ups]\nmax_rows = 2\n").unwrap();
    let out = tmp.path().join("report");
    mine_into(&out, &[input.display().to_string(), "--config".into(), config.display().to_string()]);
    let ids: Vec<String> = follow_ups(&out).into_iter().map(|r| r.call_id).collect();
    assert_eq!(ids, ["f1", "f2"], "the high and the medium one; the low one is counted, not listed");
    let m: serde_json::Value = serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["totals"]["follow_ups"], serde_json::json!([1, 1, 1]));
    assert_eq!(m["totals"]["follow_ups_listed"], 2);
}
