//! Helpers shared by the integration tests: running the binary, reading the report back into
//! typed rows (so that a renamed or missing column fails a test), and reading report.xlsx.

// Each row type lists every column, read or not, so that a renamed column fails a test.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Range, Reader, Xlsx};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tempfile::TempDir;

/// The UTF-8 byte-order mark every CSV output starts with.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The CSV files of a report.
pub const CSV_OUTPUTS: &[&str] = &[
    "calls.csv",
    "mentions.csv",
    "categories.csv",
    "segments.csv",
    "ideas.csv",
    "follow_ups.csv",
    "rejects.csv",
    "themes.csv",
];

/// The sheets of report.xlsx, in order.
pub const SHEETS: &[&str] =
    &["Overview", "Complaints", "Ideas", "Themes", "Segments", "Follow-ups", "Calls", "Mentions", "Rejects"];

/// A fixture file or folder under tests/fixtures.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)
}

/// The test taxonomy (independent of the built-in one).
pub fn taxonomy() -> String {
    fixture("taxonomy.toml").display().to_string()
}

/// The earful binary built for these tests.
pub fn earful() -> assert_cmd::Command {
    assert_cmd::Command::new(env!("CARGO_BIN_EXE_earful"))
}

/// Runs `earful mine <args> --out <tmp>/report --quiet`, asserts exit 0, returns the temp dir
/// (keep it alive) and the report folder.
pub fn run_mine<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> (TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("report");
    mine_into(&out, args);
    (tmp, out)
}

/// Runs `earful mine <args> --out <out> --quiet` and asserts exit 0.
pub fn mine_into<S: AsRef<std::ffi::OsStr>>(out: &Path, args: &[S]) {
    let output = earful().arg("mine").args(args).arg("--out").arg(out).arg("--quiet").output().expect("run earful");
    assert!(
        output.status.success(),
        "earful mine failed with {:?}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The basic fixtures mined with the test taxonomy.
pub fn basic_args() -> Vec<String> {
    vec![fixture("basic").display().to_string(), "--taxonomy".into(), taxonomy()]
}

/// The basic and bad fixtures mined with the test taxonomy.
pub fn basic_and_bad_args() -> Vec<String> {
    vec![fixture("basic").display().to_string(), fixture("bad").display().to_string(), "--taxonomy".into(), taxonomy()]
}

/// The bytes of a CSV output after its BOM (asserting that the BOM is there).
pub fn csv_body(path: &Path) -> Vec<u8> {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(bytes.starts_with(BOM), "{} does not start with a UTF-8 BOM", path.display());
    bytes[BOM.len()..].to_vec()
}

/// Reads a CSV output into typed rows.
pub fn read_rows<T: DeserializeOwned>(path: &Path) -> Vec<T> {
    let body = csv_body(path);
    let mut reader = csv::Reader::from_reader(body.as_slice());
    reader
        .deserialize()
        .enumerate()
        .map(|(i, r)| r.unwrap_or_else(|e| panic!("{} row {}: {e}", path.display(), i + 1)))
        .collect()
}

/// Reads a CSV output as its header and raw records.
pub fn read_raw(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let body = csv_body(path);
    let mut reader = csv::Reader::from_reader(body.as_slice());
    let headers = reader.headers().expect("header").iter().map(str::to_string).collect();
    let rows = reader.records().map(|r| r.expect("record").iter().map(str::to_string).collect()).collect();
    (headers, rows)
}

/// calls.csv (the fixed columns plus the fixtures' `region` and `plan` metadata).
#[derive(Debug, Clone, Deserialize)]
pub struct CallRow {
    pub call_id: String,
    pub started_at: String,
    pub region: String,
    pub plan: String,
    pub turns: u32,
    pub customer_words: u32,
    pub sentiment_start: f64,
    pub sentiment_end: f64,
    pub complaints: u32,
    pub ideas: u32,
    pub primary_category: String,
    pub categories: String,
}

impl CallRow {
    /// The `;`-separated category ids.
    pub fn category_ids(&self) -> Vec<&str> {
        self.categories.split(';').filter(|s| !s.is_empty()).collect()
    }
}

/// mentions.csv
#[derive(Debug, Clone, Deserialize)]
pub struct MentionRow {
    pub call_id: String,
    pub kind: String,
    pub category: String,
    pub phrase: String,
    pub turn: u32,
    pub quote: String,
}

/// categories.csv
#[derive(Debug, Clone, Deserialize)]
pub struct CategoryRow {
    pub category: String,
    pub kind: String,
    pub label: String,
    pub calls: u64,
    pub share: f64,
}

/// segments.csv
#[derive(Debug, Clone, Deserialize)]
pub struct SegmentRow {
    pub field: String,
    pub value: String,
    pub category: String,
    pub label: String,
    pub kind: String,
    pub segment_calls: u64,
    pub calls: u64,
    pub share: f64,
    pub overall_share: f64,
    pub lift: f64,
    pub p_value: Option<f64>,
    pub significant: bool,
}

/// ideas.csv
#[derive(Debug, Clone, Deserialize)]
pub struct IdeaRow {
    pub idea: String,
    pub category: String,
    pub calls: u64,
    pub example_quote: String,
}

/// rejects.csv
#[derive(Debug, Clone, Deserialize)]
pub struct RejectRow {
    pub file: String,
    pub record: String,
    pub reason: String,
}

/// follow_ups.csv
#[derive(Debug, Clone, Deserialize)]
pub struct FollowUpRow {
    pub call_id: String,
    pub customer_id: String,
    pub priority: String,
    pub reasons: String,
    pub categories: String,
    pub started_at: String,
    pub respond_by: String,
    pub sentiment_end: f64,
    pub quote: String,
}

/// The rows of follow_ups.csv.
pub fn follow_ups(out: &Path) -> Vec<FollowUpRow> {
    read_rows(&out.join("follow_ups.csv"))
}

/// manifest.json
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    pub tool: String,
    pub version: String,
    pub config_digest: String,
    pub taxonomy: String,
    pub taxonomy_digest: String,
    pub redacted: bool,
    pub inputs: Vec<InputEntry>,
    pub totals: Totals,
    pub skipped_segment_fields: Vec<String>,
    pub dropped_metadata_fields: DroppedFields,
    pub speaker_mapping: std::collections::BTreeMap<String, FormatSpeakers>,
    pub metadata_join: Option<JoinStats>,
    pub outputs: Vec<String>,
    pub timings: Timings,
}

/// The `dropped_metadata_fields` object of manifest.json.
#[derive(Debug, Clone, Deserialize)]
pub struct DroppedFields {
    pub count: u64,
    pub first: Vec<String>,
}

/// The `timings` object of manifest.json.
#[derive(Debug, Clone, Deserialize)]
pub struct Timings {
    pub read_and_extract: f64,
    pub tables_and_csv: f64,
    pub workbook: f64,
    pub wall: f64,
}

/// One `inputs` entry of manifest.json.
#[derive(Debug, Clone, Deserialize)]
pub struct InputEntry {
    pub path: String,
    pub format: String,
    pub gzip: bool,
    pub compression: String,
    pub bytes: u64,
    pub records: u64,
    pub calls: u64,
    pub rejects: u64,
}

/// One format's entry of `speaker_mapping` in manifest.json.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct FormatSpeakers {
    pub default: String,
    pub calls_by_rule: std::collections::BTreeMap<String, u64>,
    pub no_customer: u64,
}

/// `metadata_join` of manifest.json.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct JoinStats {
    pub file: String,
    pub join_on: String,
    pub rows: u64,
    pub columns: Vec<String>,
    pub calls_joined: u64,
    pub calls_missing_key: u64,
    pub calls_unknown_key: u64,
    pub clashes: std::collections::BTreeMap<String, u64>,
}

/// `totals` of manifest.json.
#[derive(Debug, Clone, Deserialize)]
pub struct Totals {
    pub records: u64,
    pub calls: u64,
    pub rejects: u64,
    pub complaint_mentions: u64,
    pub idea_mentions: u64,
    pub calls_with_complaint: u64,
    pub calls_with_idea: u64,
    pub unknown_speaker_turns: u64,
}

pub fn calls(out: &Path) -> Vec<CallRow> {
    read_rows(&out.join("calls.csv"))
}

pub fn mentions(out: &Path) -> Vec<MentionRow> {
    read_rows(&out.join("mentions.csv"))
}

pub fn categories(out: &Path) -> Vec<CategoryRow> {
    read_rows(&out.join("categories.csv"))
}

pub fn segments(out: &Path) -> Vec<SegmentRow> {
    read_rows(&out.join("segments.csv"))
}

pub fn ideas(out: &Path) -> Vec<IdeaRow> {
    read_rows(&out.join("ideas.csv"))
}

pub fn rejects(out: &Path) -> Vec<RejectRow> {
    read_rows(&out.join("rejects.csv"))
}

pub fn manifest(out: &Path) -> Manifest {
    let text = fs::read_to_string(out.join("manifest.json")).expect("manifest.json");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("manifest.json: {e}\n{text}"))
}

/// The call with this id.
pub fn call<'a>(rows: &'a [CallRow], id: &str) -> &'a CallRow {
    rows.iter().find(|c| c.call_id == id).unwrap_or_else(|| panic!("no call {id:?} in calls.csv"))
}

/// Opens report.xlsx.
pub fn workbook(out: &Path) -> Xlsx<std::io::BufReader<fs::File>> {
    open_workbook(out.join("report.xlsx")).expect("open report.xlsx")
}

/// One sheet of report.xlsx.
pub fn sheet(out: &Path, name: &str) -> Range<Data> {
    workbook(out).worksheet_range(name).unwrap_or_else(|e| panic!("sheet {name}: {e}"))
}

/// A sheet's rows as displayed text (numbers as Rust formats them), for searching.
pub fn sheet_strings(range: &Range<Data>) -> Vec<String> {
    range.used_cells().filter_map(|(_, _, d)| if let Data::String(s) = d { Some(s.clone()) } else { None }).collect()
}

/// Whether a spreadsheet could read this text as a formula: it starts with one of the
/// dangerous characters and is not a plain number such as `-12.5`.
pub fn is_dangerous(text: &str) -> bool {
    let lead = text.chars().next();
    let dangerous = lead.is_some_and(|c| ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'].contains(&c));
    dangerous && !is_plain_number(text)
}

fn is_plain_number(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    !body.is_empty()
        && body.parse::<f64>().is_ok()
        && body.chars().all(|c| c.is_ascii_digit() || c == '.' || c == 'e' || c == '-')
}

/// Names of the files in a folder, sorted.
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
