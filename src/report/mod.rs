//! Report: everything written into `--out`.
//!
//! A run writes into a staging folder beside `--out` ([`Staging`]) and renames it into place only
//! when every file is complete, so a crash leaves neither half a report nor a lost previous one.
//! Per-call rows stream to disk as calls are processed ([`ReportWriter`]); the small aggregate
//! tables, the XLSX workbook and the manifest are written at the end.

pub mod csv;
pub mod manifest;
pub mod sanitize;
mod sheet_xml;
pub mod table;
pub mod workbook;
pub mod xlsx;

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use self::csv::CsvStream;
use self::sanitize::cell_text;
use self::table::{Column, ColumnKind, Table};

/// Errors writing the report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The workbook could not be written.
    #[error("report.xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// `--out` is a folder that earful did not write.
    #[error("{0} exists and is not an earful report (no earful manifest.json); pass --force to replace it")]
    NotAReport(String),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io { path: path.display().to_string(), source }
}

/// Removes staging folders `PREFIX<pid>` left by killed runs: those whose process is gone. Only where
/// `/proc` tells which processes run (Linux); elsewhere they stay for the user to remove.
fn remove_abandoned_staging(parent: &Path, prefix: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(prefix)) else { continue };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            // Best effort: a folder that cannot be removed now is tried again on the next run.
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// A staging folder that becomes `--out` on [`Staging::commit`] and is removed if dropped.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

impl Staging {
    /// Checks `out` may be replaced and creates the staging folder beside it.
    pub fn new(out: &Path, force: bool) -> Result<Staging, ReportError> {
        if out.exists() && !force && !is_report(out) {
            return Err(ReportError::NotAReport(out.display().to_string()));
        }
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(io_err(&parent))?;
        let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("report");
        let prefix = format!(".{name}.earful-tmp-");
        remove_abandoned_staging(&parent, &prefix);
        let tmp = parent.join(format!("{prefix}{}", std::process::id()));
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(io_err(&tmp))?;
        }
        fs::create_dir(&tmp).map_err(io_err(&tmp))?;
        Ok(Staging { out: out.to_path_buf(), tmp, committed: false })
    }

    /// Where to write the files.
    pub fn dir(&self) -> &Path {
        &self.tmp
    }

    /// Moves the finished report into place, replacing the previous one.
    pub fn commit(mut self) -> Result<(), ReportError> {
        let old = self.tmp.with_file_name(format!(
            ".{}.earful-old-{}",
            self.out.file_name().and_then(|n| n.to_str()).unwrap_or("report"),
            std::process::id()
        ));
        let had_previous = self.out.exists();
        if had_previous {
            fs::rename(&self.out, &old).map_err(io_err(&self.out))?;
        }
        if let Err(source) = fs::rename(&self.tmp, &self.out) {
            if had_previous {
                let _ = fs::rename(&old, &self.out);
            }
            return Err(ReportError::Io { path: self.out.display().to_string(), source });
        }
        self.committed = true;
        if had_previous {
            let _ = if old.is_dir() { fs::remove_dir_all(&old) } else { fs::remove_file(&old) };
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Whether a path is a folder that earful wrote (or an empty folder).
pub fn is_report(path: &Path) -> bool {
    if !path.is_dir() {
        return false;
    }
    let empty = fs::read_dir(path).map(|mut d| d.next().is_none()).unwrap_or(false);
    let manifest = fs::read_to_string(path.join("manifest.json")).ok();
    let ours = manifest
        .and_then(|m| serde_json::from_str::<serde_json::Value>(&m).ok())
        .is_some_and(|v| v.get("tool").and_then(|t| t.as_str()) == Some(manifest::TOOL));
    empty || ours
}

/// One row of calls.csv.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallRow {
    /// Call id.
    pub call_id: String,
    /// Start time as given.
    pub started_at: Option<String>,
    /// Metadata in source order.
    pub metadata: Vec<(String, String)>,
    /// Turns in the call.
    pub turns: u32,
    /// Words said by the customer.
    pub customer_words: u32,
    /// Sentiment at the start.
    pub sentiment_start: f64,
    /// Sentiment at the end.
    pub sentiment_end: f64,
    /// Complaint mentions.
    pub complaints: u32,
    /// Idea mentions.
    pub ideas: u32,
    /// Primary category id or empty.
    pub primary_category: String,
    /// `;`-separated category ids.
    pub categories: String,
}

/// One row of mentions.csv.
#[derive(Debug, Clone, PartialEq)]
pub struct MentionRow<'a> {
    /// Call id.
    pub call_id: &'a str,
    /// complaint or idea.
    pub kind: &'static str,
    /// Category id.
    pub category: &'a str,
    /// The phrase matched, as written in the taxonomy.
    pub phrase: &'a str,
    /// 1-based turn number in the call.
    pub turn: u32,
    /// The customer's sentence (redacted by default).
    pub quote: &'a str,
}

/// Streams per-call rows to disk during the run.
///
/// calls.csv has a column per metadata field, and a field may first appear on the last call, so
/// rows go to a headerless body file with the fields known so far. At the end the header is
/// written and the body copied after it as it stands; if a field appeared after the first row,
/// the earlier rows get empty cells spliced in where the later fields go, and with themes every
/// row gets its theme's cells at its end (see [`self::csv::write_with_body_spliced`]).
pub struct ReportWriter {
    dir: PathBuf,
    mentions: CsvStream,
    body: ::csv::Writer<BufWriter<File>>,
    metadata_fields: Vec<String>,
    field_index: HashMap<String, usize>,
    kinds: Vec<table::ColumnKind>,
    /// Per metadata field: whether every value so far is a plain decimal number (`None` before
    /// its first value). Such a field is a number column in the Calls sheet.
    numeric: Vec<Option<bool>>,
    /// (row count, metadata field count) each time the field list grew after rows were written.
    growth: Vec<(u64, usize)>,
    /// Fields kept at most; later ones are left out of the rows.
    max_fields: usize,
    /// The fields left out, and the first few of them in the order seen.
    dropped: std::collections::HashSet<String>,
    dropped_names: Vec<String>,
    /// A score of the row being written.
    scratch: String,
    calls: u64,
}

/// A whole number in decimal, on the stack.
struct Digits {
    buf: [u8; 10],
    start: usize,
}

impl Digits {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[self.start..]).unwrap_or_default()
    }
}

fn itoa(mut n: u32) -> Digits {
    let mut d = Digits { buf: [0; 10], start: 10 };
    loop {
        d.start -= 1;
        d.buf[d.start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return d;
        }
    }
}

/// Names of left-out metadata fields kept for the manifest.
const DROPPED_NAMES: usize = 10;

/// The body of calls.csv while the run goes on.
const BODY: &str = ".calls.body.csv";

impl ReportWriter {
    /// Starts the streamed files in `dir`, keeping at most `max_fields` metadata fields.
    pub fn create(dir: &Path, max_fields: usize) -> Result<ReportWriter, ReportError> {
        let mentions_path = dir.join("mentions.csv");
        let mentions = CsvStream::create(&mentions_path, &table::mention_columns()).map_err(io_err(&mentions_path))?;
        let body_path = dir.join(BODY);
        let file = BufWriter::with_capacity(1 << 16, File::create(&body_path).map_err(io_err(&body_path))?);
        Ok(ReportWriter {
            dir: dir.to_path_buf(),
            mentions,
            body: ::csv::WriterBuilder::new().flexible(true).from_writer(file),
            metadata_fields: Vec::new(),
            field_index: HashMap::new(),
            kinds: table::call_columns(&[]).iter().map(|c| c.kind).collect(),
            numeric: Vec::new(),
            growth: Vec::new(),
            max_fields,
            dropped_names: Vec::new(),
            dropped: Default::default(),
            scratch: String::new(),
            calls: 0,
        })
    }

    /// Records one call. Metadata fields first seen after the first `max_fields` are taken out
    /// of the row, so that what is counted of it next (segments) leaves them out too.
    pub fn call(&mut self, row: &mut CallRow) -> Result<(), ReportError> {
        let before = self.metadata_fields.len();
        let mut full = false;
        for (position, (field, _)) in row.metadata.iter().enumerate() {
            // Most calls list their fields in the order first seen: no lookup needed then.
            if self.metadata_fields.get(position) == Some(field) {
                continue;
            }
            if !self.field_index.contains_key(field) {
                if self.metadata_fields.len() == self.max_fields {
                    full = true;
                    continue;
                }
                self.field_index.insert(field.clone(), self.metadata_fields.len());
                self.metadata_fields.push(field.clone());
            }
        }
        if full {
            self.drop_unknown_fields(&mut row.metadata);
        }
        if self.metadata_fields.len() != before {
            self.kinds = table::call_columns(&self.metadata_fields).iter().map(|c| c.kind).collect();
            self.numeric.resize(self.metadata_fields.len(), None);
            if self.calls > 0 {
                self.growth.push((self.calls, before));
            }
        }
        // Cells are written straight from the row: text borrowed (a copy only where a formula
        // lead is neutralised), whole numbers on the stack, scores into one reused string.
        let fields = self.metadata_fields.len();
        let mut meta: Vec<&str> = vec![""; fields];
        for (position, (k, v)) in row.metadata.iter().enumerate() {
            // Most calls list their fields in the order first seen: no lookup needed then.
            let i = match self.metadata_fields.get(position) {
                Some(name) if name == k => Some(position),
                _ => self.field_index.get(k).copied(),
            };
            if let Some(i) = i {
                meta[i] = v;
            }
        }
        let (start_kind, end_kind) = (self.kinds[2 + fields + 2], self.kinds[2 + fields + 3]);
        // The path is made only when writing fails.
        let dir = &self.dir;
        let io = |e: ::csv::Error| ReportError::Io { path: dir.join(BODY).display().to_string(), source: e.into() };
        let body = &mut self.body;
        body.write_field(cell_text(&row.call_id).as_bytes()).map_err(io)?;
        body.write_field(cell_text(row.started_at.as_deref().unwrap_or_default()).as_bytes()).map_err(io)?;
        for (v, numeric) in meta.into_iter().zip(&mut self.numeric) {
            if !v.is_empty() && *numeric != Some(false) {
                *numeric = Some(sheet_xml::is_plain_decimal(v));
            }
            body.write_field(cell_text(v).as_bytes()).map_err(io)?;
        }
        body.write_field(itoa(row.turns).as_str()).map_err(io)?;
        body.write_field(itoa(row.customer_words).as_str()).map_err(io)?;
        for (value, kind) in [(row.sentiment_start, start_kind), (row.sentiment_end, end_kind)] {
            self.scratch.clear();
            self::csv::push_number(&mut self.scratch, value, kind);
            body.write_field(&self.scratch).map_err(io)?;
        }
        body.write_field(itoa(row.complaints).as_str()).map_err(io)?;
        body.write_field(itoa(row.ideas).as_str()).map_err(io)?;
        body.write_field(cell_text(&row.primary_category).as_bytes()).map_err(io)?;
        body.write_field(cell_text(&row.categories).as_bytes()).map_err(io)?;
        body.write_record(None::<&[u8]>).map_err(io)?;
        self.calls += 1;
        Ok(())
    }

    /// Takes out of `metadata` the fields that have no column, noting them.
    fn drop_unknown_fields(&mut self, metadata: &mut Vec<(String, String)>) {
        metadata.retain(|(field, _)| {
            if self.field_index.contains_key(field) {
                return true;
            }
            if !self.dropped.contains(field) {
                self.dropped.insert(field.clone());
                if self.dropped_names.len() < DROPPED_NAMES {
                    self.dropped_names.push(field.clone());
                }
            }
            false
        });
    }

    /// The metadata fields left out (past `max_fields`): how many, and the first few names.
    pub fn dropped_fields(&self) -> (u64, &[String]) {
        (self.dropped.len() as u64, &self.dropped_names)
    }

    /// Records one mention.
    pub fn mention(&mut self, m: &MentionRow<'_>) -> Result<(), ReportError> {
        let turn = itoa(m.turn);
        let row = [
            cell_text(m.call_id),
            cell_text(m.kind),
            cell_text(m.category),
            cell_text(m.phrase),
            std::borrow::Cow::Borrowed(turn.as_str()),
            cell_text(m.quote),
        ];
        // The path is made only when writing fails.
        self.mentions
            .write_raw_bytes(row.iter().map(|c| c.as_bytes()))
            .map_err(|e| io_err(&self.dir.join("mentions.csv"))(e))
    }

    /// Closes the streamed files, writes calls.csv, and returns the calls.csv columns. With
    /// `themes` (one theme id and label, or two "", per call, in the order the calls were
    /// recorded), calls.csv gets two last columns, `theme` and `theme_label`.
    pub fn finish(self, themes: Option<&[[&str; 2]]>) -> Result<Vec<Column>, ReportError> {
        let mentions_path = self.dir.join("mentions.csv");
        self.mentions.finish().map_err(io_err(&mentions_path))?;
        let body_path = self.dir.join(BODY);
        let mut body = self
            .body
            .into_inner()
            .map_err(|e| ReportError::Io { path: body_path.display().to_string(), source: e.into_error() })?;
        body.flush().map_err(io_err(&body_path))?;
        drop(body);
        let mut columns = table::call_columns(&self.metadata_fields);
        for (col, numeric) in columns[2..].iter_mut().zip(&self.numeric) {
            if *numeric == Some(true) {
                col.kind = ColumnKind::Number;
            }
        }
        if themes.is_some() {
            columns.extend(table::theme_columns());
        }
        let calls_path = self.dir.join("calls.csv");
        let mut input = File::open(&body_path).map_err(io_err(&body_path))?;
        if self.growth.is_empty() && themes.is_none() {
            self::csv::write_with_body(&calls_path, &columns, &mut input).map_err(io_err(&calls_path))?;
        } else {
            let total = self.metadata_fields.len();
            // A row written before a field was first seen: the fields known then, the first growth
            // after it tells how many.
            let growth = &self.growth;
            let pad = |row: usize| {
                let known = growth.iter().find(|(at, _)| (row as u64) < *at).map(|&(_, n)| n)?;
                Some((2 + known, total - known))
            };
            let last = |row: usize| themes.map_or(&[][..], |t| t.get(row).map_or(&["", ""][..], |cells| &cells[..]));
            self::csv::write_with_body_spliced(&calls_path, &columns, &mut input, pad, last)
                .map_err(io_err(&calls_path))?;
        }
        fs::remove_file(&body_path).map_err(io_err(&body_path))?;
        Ok(columns)
    }
}

/// Writes the small tables as CSV files.
pub fn write_tables(dir: &Path, tables: &[(&str, Table)]) -> Result<(), ReportError> {
    for (stem, table) in tables {
        let path = dir.join(format!("{stem}.csv"));
        csv::write_table(&path, table).map_err(io_err(&path))?;
    }
    Ok(())
}

/// Writes manifest.json.
pub fn write_manifest(dir: &Path, manifest: &manifest::Manifest) -> Result<(), ReportError> {
    let path = dir.join("manifest.json");
    fs::write(&path, manifest.to_json()).map_err(io_err(&path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_replaces_a_report_and_keeps_it_on_failure() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("report");
        let s = Staging::new(&out, false).unwrap();
        fs::write(s.dir().join("manifest.json"), "{\"tool\":\"earful\"}").unwrap();
        s.commit().unwrap();
        assert!(is_report(&out));
        // A run that fails (staging dropped) leaves the previous report untouched.
        let s = Staging::new(&out, false).unwrap();
        fs::write(s.dir().join("half.csv"), "x").unwrap();
        drop(s);
        assert!(out.join("manifest.json").exists());
        assert!(!out.join("half.csv").exists());
        let leftovers: Vec<_> = fs::read_dir(root.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
    }

    #[test]
    fn a_metadata_field_seen_late_pads_the_earlier_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = ReportWriter::create(dir.path(), 100).unwrap();
        let row = |id: &str, meta: &[(&str, &str)]| CallRow {
            call_id: id.into(),
            metadata: meta.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ..CallRow::default()
        };
        w.call(&mut row("c1", &[("region", "west")])).unwrap();
        w.call(&mut row("c2", &[("region", "east"), ("plan", "basic")])).unwrap();
        w.call(&mut row("c3", &[("plan", "plus")])).unwrap();
        // With themes, their ids and labels close each row.
        let themes = [["T01", "lost bag"], ["", ""], ["T02", "=wifi, slow"]];
        let columns = w.finish(Some(&themes)).unwrap();
        assert!(columns.iter().all(|c| c.kind != ColumnKind::Number), "no field holds numbers");
        let text = fs::read_to_string(dir.path().join("calls.csv")).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert!(lines[0].starts_with("call_id,started_at,region,plan,turns,"), "{}", lines[0]);
        assert!(lines[0].ends_with(",theme,theme_label"), "{}", lines[0]);
        assert!(lines[1].starts_with("c1,,west,,0,") && lines[1].ends_with(",T01,lost bag"), "{}", lines[1]);
        assert!(lines[2].starts_with("c2,,east,basic,0,") && lines[2].ends_with(",,"), "{}", lines[2]);
        assert!(lines[3].starts_with("c3,,,plus,0,") && lines[3].ends_with(",T02,\"'=wifi, slow\""), "{}", lines[3]);
        assert!(!dir.path().join(BODY).exists());
    }

    #[test]
    fn fields_past_the_limit_are_taken_out_of_the_row_and_counted_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = ReportWriter::create(dir.path(), 2).unwrap();
        let row = |meta: &[(&str, &str)]| CallRow {
            call_id: "c".into(),
            metadata: meta.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ..CallRow::default()
        };
        let mut first = row(&[("region", "west"), ("plan", "basic"), ("zone", "1")]);
        w.call(&mut first).unwrap();
        let kept: Vec<&str> = first.metadata.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(kept, ["region", "plan"]);
        let mut second = row(&[("zone", "2"), ("plan", "plus"), ("tier", "a")]);
        w.call(&mut second).unwrap();
        assert_eq!(second.metadata, [("plan".to_string(), "plus".to_string())]);
        // A row of known fields only is left as it is.
        let mut third = row(&[("plan", "x"), ("region", "y")]);
        w.call(&mut third).unwrap();
        assert_eq!(third.metadata.len(), 2);
        assert_eq!(w.dropped_fields(), (2, ["zone".to_string(), "tier".to_string()].as_slice()));
        w.finish(None).unwrap();
        let text = fs::read_to_string(dir.path().join("calls.csv")).unwrap();
        assert!(text.trim_start_matches('\u{feff}').starts_with("call_id,started_at,region,plan,turns,"), "{text}");
    }

    #[test]
    fn a_metadata_field_of_plain_numbers_is_a_number_column() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = ReportWriter::create(dir.path(), 100).unwrap();
        let fields = ["value", "zip", "orders", "note", "empty"];
        for values in
            [["24.94", "02134", "2", "12", ""], ["-3.50", "10001", "", "n/a", ""], ["0", "94105", "17", "7", ""]]
        {
            let metadata = fields.iter().zip(values).map(|(k, v)| (k.to_string(), v.to_string())).collect();
            w.call(&mut CallRow { call_id: "c".into(), metadata, ..CallRow::default() }).unwrap();
        }
        let columns = w.finish(None).unwrap();
        let kind = |name: &str| columns.iter().find(|c| c.name == name).map(|c| c.kind);
        assert_eq!(kind("value"), Some(ColumnKind::Number));
        assert_eq!(kind("orders"), Some(ColumnKind::Number));
        // An id with a leading zero, a value that is not a number, and no value at all stay text.
        assert_eq!(kind("zip"), Some(ColumnKind::Text));
        assert_eq!(kind("note"), Some(ColumnKind::Text));
        assert_eq!(kind("empty"), Some(ColumnKind::Text));
        assert_eq!(kind("turns"), Some(ColumnKind::Int));
    }

    #[test]
    fn refuses_to_replace_a_foreign_folder() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("precious");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("thesis.docx"), "x").unwrap();
        assert!(matches!(Staging::new(&out, false), Err(ReportError::NotAReport(_))));
        assert!(Staging::new(&out, true).is_ok());
    }
}
