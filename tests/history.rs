//! Nightly operation over a history: trends night over night, `emerging` and `new`, reruns that
//! never double count, and a killed run that leaves the previous report and history intact.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use serde::Deserialize;

const TAXONOMY: &str = r#"
[[category]]
id = "outage"
kind = "complaint"
label = "Outages"
phrases = ["internet is down"]

[[category]]
id = "billing"
kind = "complaint"
label = "Billing"
phrases = ["charged twice"]

[[category]]
id = "recall"
kind = "complaint"
label = "Product recall"
phrases = ["battery swelled"]
"#;

// Every column is listed, read or not, so that a renamed column fails the test.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
struct TrendRow {
    category: String,
    kind: String,
    label: String,
    calls: u64,
    share: f64,
    trailing_mean: f64,
    trailing_share: f64,
    trailing_nights: u64,
    change: f64,
    p_value: Option<f64>,
    emerging: bool,
    new: bool,
}

/// A night of `n` calls: `outage_every`-th call reports an outage, every 10th a double charge,
/// and on `recall` nights call 1 and 2 report a swollen battery.
fn night_file(dir: &Path, day: u32, n: u32, outage_every: u32, recall: bool) -> PathBuf {
    let mut lines = String::new();
    for i in 0..n {
        let mut said = vec!["Hi, I have a question about my account."];
        if i % outage_every == 0 {
            said.push("My internet is down again.");
        }
        if i % 10 == 0 {
            said.push("I was charged twice.");
        }
        if recall && i < 2 {
            said.push("The battery swelled up.");
        }
        let turns: Vec<_> = said.iter().map(|t| serde_json::json!({"speaker": "customer", "text": t})).collect();
        let call = serde_json::json!({
            "call_id": format!("d{day}-{i}"),
            "started_at": format!("2026-11-{day:02}T10:00:00Z"),
            "metadata": {"region": if i % 2 == 0 { "west" } else { "east" }},
            "turns": turns,
        });
        lines.push_str(&call.to_string());
        lines.push('\n');
    }
    let path = dir.join(format!("night-{day:02}.jsonl"));
    fs::write(&path, lines).unwrap();
    path
}

struct Setup {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    taxonomy: PathBuf,
    history: PathBuf,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    let taxonomy = root.join("taxonomy.toml");
    fs::write(&taxonomy, TAXONOMY).unwrap();
    fs::create_dir(root.join("in")).unwrap();
    Setup { history: root.join("history"), taxonomy, root, _tmp: tmp }
}

fn mine_night(s: &Setup, inputs: &[&Path], out: &Path) -> Vec<TrendRow> {
    let mut args: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    args.extend([
        "--taxonomy".into(),
        s.taxonomy.display().to_string(),
        "--history".into(),
        s.history.display().to_string(),
    ]);
    mine_into(out, &args);
    read_rows(&out.join("trends.csv"))
}

fn row<'a>(rows: &'a [TrendRow], id: &str) -> &'a TrendRow {
    rows.iter().find(|r| r.category == id).unwrap_or_else(|| panic!("no trend row for {id}"))
}

#[test]
fn a_complaint_planted_to_rise_on_night_8_is_emerging_on_night_8_only() {
    let s = setup();
    for day in 1..=10u32 {
        // Outages: 1 call in 30 every night, 1 in 5 on night 8.
        let every = if day == 8 { 5 } else { 30 };
        let input = night_file(&s.root.join("in"), day, 300, every, day == 9);
        let out = s.root.join(format!("report-{day:02}"));
        let rows = mine_night(&s, &[&input], &out);
        let outage = row(&rows, "outage");
        assert_eq!(outage.emerging, day == 8, "night {day}: {outage:?}");
        assert!(!row(&rows, "billing").emerging, "night {day}: billing is flat");
        assert_eq!(row(&rows, "recall").new, day == 9, "night {day}: recall is new on night 9 only");
        assert_eq!(outage.trailing_nights, u64::from(day - 1).min(7));
        if day == 8 {
            assert_eq!(outage.calls, 60);
            assert!((outage.trailing_mean - 10.0).abs() < 1e-9, "{outage:?}");
            assert!(sheet_text(&out, "Overview").iter().any(|t| t == "outage"), "Overview lists the emerging outage");
        }
        assert!(sheet_text(&out, "Trends").iter().any(|t| t == "emerging"), "a Trends sheet");
    }
    let nights: Vec<_> = fs::read_dir(&s.history)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "parquet"))
        .collect();
    assert_eq!(nights.len(), 10);
}

#[test]
fn rerunning_a_night_changes_nothing_and_a_late_file_is_added_once() {
    let s = setup();
    let first = night_file(&s.root.join("in"), 5, 200, 20, false);
    let out = s.root.join("report");
    mine_night(&s, &[&first], &out);
    let parquet = s.history.join("2026-11-05.parquet");
    let once = fs::read(&parquet).unwrap();
    let rows = mine_night(&s, &[&first], &out);
    assert_eq!(fs::read(&parquet).unwrap(), once, "the same night run twice gives the same history");
    assert_eq!(row(&rows, "billing").calls, 20);
    // A file that arrives later for the same night is taken in without counting the first again.
    let late_dir = s.root.join("late");
    fs::create_dir(&late_dir).unwrap();
    let late = night_file(&late_dir, 5, 100, 20, false);
    let late = {
        let renamed = late_dir.join("night-05-late.jsonl");
        let text = fs::read_to_string(&late).unwrap().replace("\"d5-", "\"late-");
        fs::write(&renamed, text).unwrap();
        renamed
    };
    let rows = mine_night(&s, &[&late], &out);
    assert_eq!(row(&rows, "billing").calls, 30, "20 from the first file and 10 from the late one");
    let rows = mine_night(&s, &[&first, &late], &out);
    assert_eq!(row(&rows, "billing").calls, 30, "both again: still counted once");
}

#[test]
fn a_run_killed_in_the_middle_leaves_the_previous_report_and_history_intact() {
    let s = setup();
    let small = night_file(&s.root.join("in"), 3, 50, 10, false);
    let out = s.root.join("report");
    mine_night(&s, &[&small], &out);
    let manifest_before = fs::read(out.join("manifest.json")).unwrap();
    let history_before = fs::read(s.history.join("2026-11-03.parquet")).unwrap();
    // A night big enough to still be running when it is killed.
    let big_dir = s.root.join("big");
    fs::create_dir(&big_dir).unwrap();
    let big = night_file(&big_dir, 3, 150_000, 10, false);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_earful"))
        .args(["mine", big.to_str().unwrap(), "--quiet", "--taxonomy", s.taxonomy.to_str().unwrap(), "--history"])
        .arg(&s.history)
        .arg("--out")
        .arg(&out)
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the run was killed before it finished");
    assert_eq!(fs::read(out.join("manifest.json")).unwrap(), manifest_before, "previous report intact");
    assert_eq!(fs::read(s.history.join("2026-11-03.parquet")).unwrap(), history_before, "history intact");
    let staging = |root: &Path| -> Vec<String> {
        fs::read_dir(root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("earful-tmp"))
            .collect()
    };
    assert_eq!(staging(&s.root).len(), 1, "the killed run left its staging folder");
    // And the next run works, and removes what the killed run left.
    mine_night(&s, &[&small], &out);
    assert_eq!(staging(&s.root), Vec::<String>::new(), "abandoned staging folder removed");
}

fn sheet_text(out: &Path, name: &str) -> Vec<String> {
    sheet(out, name).rows().flat_map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>()).collect()
}

#[test]
fn a_discovered_theme_is_tracked_night_over_night_under_a_lasting_id() {
    let s = setup();
    let dir = s.root.join("in");
    for day in 1..=6u32 {
        let mut input = fs::read_to_string(night_file(&dir, day, 100, 30, false)).unwrap();
        // From night 5, a problem nobody put in the taxonomy: the self-checkout scanner.
        if day >= 5 {
            for i in 0..20 {
                let call = serde_json::json!({
                    "call_id": format!("s{day}-{i}"),
                    "started_at": format!("2026-11-{day:02}T11:00:00Z"),
                    "turns": [{"speaker": "customer", "text": "The self-checkout scanner froze again and beeped at me, so annoying."}],
                });
                input.push_str(&call.to_string());
                input.push('\n');
            }
        }
        let path = dir.join(format!("night-{day:02}.jsonl"));
        fs::write(&path, input).unwrap();
        let out = s.root.join(format!("report-{day:02}"));
        let mut args: Vec<String> = vec![path.display().to_string()];
        args.extend(
            ["--taxonomy", s.taxonomy.to_str().unwrap(), "--history", s.history.to_str().unwrap()].map(String::from),
        );
        args.extend(["--min-calls".to_string(), "5".to_string()]);
        mine_into(&out, &args);
        let rows: Vec<TrendRow> = read_rows(&out.join("trends.csv"));
        let scanner: Vec<&TrendRow> =
            rows.iter().filter(|r| r.category.starts_with("theme:") && r.label.contains("scanner")).collect();
        if day < 5 {
            assert!(scanner.is_empty(), "night {day}: {scanner:?}");
            continue;
        }
        assert_eq!(scanner.len(), 1, "night {day}: {rows:?}");
        let theme = scanner[0];
        assert_eq!(theme.calls, 20, "night {day}");
        assert_eq!(theme.new, day == 5, "night {day}: new on its first night only: {theme:?}");
        assert_eq!(theme.kind, "complaint");
    }
}
