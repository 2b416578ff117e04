//! The history of nights: per night, what each input file contributed to each category, kept as
//! one Parquet file per night in `--history DIR`.
//!
//! Storing contributions per input (path, size, content digest) is what makes reruns safe: when a
//! night is run again, an input already recorded (same path or same content) replaces its old
//! rows instead of adding to them, and a file added later is simply one more input. Files are
//! written to a temporary name and renamed, so a run killed half-way never damages a night.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use polars_io::prelude::{ParquetReader, ParquetWriter};
use polars_io::SerReader;

/// Errors reading or writing the history folder.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

fn err(path: &Path, message: impl std::fmt::Display) -> HistoryError {
    HistoryError::Io { path: path.display().to_string(), message: message.to_string() }
}

/// What one input file contributed to a night.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NightInput {
    /// The path as given on the command line.
    pub path: String,
    /// SHA-256 of the file's bytes.
    pub digest: String,
    /// Size on disk.
    pub bytes: u64,
    /// Calls processed from it.
    pub calls: u64,
    /// Category id -> calls from this input that mention it.
    pub categories: BTreeMap<String, u64>,
}

/// One night: its date and its inputs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Night {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The inputs, sorted by path.
    pub inputs: Vec<NightInput>,
}

impl Night {
    /// Calls of the night, all inputs.
    pub fn calls(&self) -> u64 {
        self.inputs.iter().map(|i| i.calls).sum()
    }

    /// Calls of the night that mention `category`.
    pub fn category_calls(&self, category: &str) -> u64 {
        self.inputs.iter().map(|i| i.categories.get(category).copied().unwrap_or(0)).sum()
    }

    /// Adds tonight's inputs: one already recorded under the same path or with the same content
    /// is replaced, never counted twice.
    pub fn merge(&mut self, inputs: Vec<NightInput>) {
        for input in inputs {
            self.inputs.retain(|old| old.path != input.path && old.digest != input.digest);
            self.inputs.push(input);
        }
        self.inputs.sort_by(|a, b| a.path.cmp(&b.path));
    }
}

/// A `--history` folder.
#[derive(Debug, Clone)]
pub struct History {
    dir: PathBuf,
}

/// Whether a string is a `YYYY-MM-DD` date.
pub fn is_date(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() && s.len() == 10
}

impl History {
    /// Opens (creating) a history folder.
    pub fn open(dir: &Path) -> Result<History, HistoryError> {
        fs::create_dir_all(dir).map_err(|e| err(dir, e))?;
        Ok(History { dir: dir.to_path_buf() })
    }

    fn path(&self, date: &str) -> PathBuf {
        self.dir.join(format!("{date}.parquet"))
    }

    /// The dates recorded, ascending.
    pub fn dates(&self) -> Result<Vec<String>, HistoryError> {
        let mut dates: Vec<String> = fs::read_dir(&self.dir)
            .map_err(|e| err(&self.dir, e))?
            .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".parquet").map(str::to_string))
            .filter(|d| is_date(d))
            .collect();
        dates.sort();
        Ok(dates)
    }

    /// Reads a night, or an empty night when it was never recorded.
    pub fn load(&self, date: &str) -> Result<Night, HistoryError> {
        let path = self.path(date);
        if !path.exists() {
            return Ok(Night { date: date.to_string(), inputs: Vec::new() });
        }
        let file = fs::File::open(&path).map_err(|e| err(&path, e))?;
        let df = ParquetReader::new(file).finish().map_err(|e| err(&path, e))?;
        from_frame(date, &df).map_err(|e| err(&path, e))
    }

    /// Writes a night atomically (temporary file, then rename).
    pub fn save(&self, night: &Night) -> Result<(), HistoryError> {
        let path = self.path(&night.date);
        let tmp = self.dir.join(format!(".{}.parquet.tmp-{}", night.date, std::process::id()));
        let mut df = to_frame(night).map_err(|e| err(&path, e))?;
        let file = fs::File::create(&tmp).map_err(|e| err(&tmp, e))?;
        ParquetWriter::new(file).finish(&mut df).map_err(|e| err(&tmp, e))?;
        fs::rename(&tmp, &path).map_err(|e| err(&path, e))
    }
}

/// One row per (input, category); an input with no category gets one row with an empty category
/// so that its calls are kept.
fn to_frame(night: &Night) -> PolarsResult<DataFrame> {
    let (mut path, mut digest, mut bytes, mut calls, mut category, mut category_calls) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for input in &night.inputs {
        let rows: Vec<(&str, u64)> = if input.categories.is_empty() {
            vec![("", 0)]
        } else {
            input.categories.iter().map(|(c, n)| (c.as_str(), *n)).collect()
        };
        for (c, n) in rows {
            path.push(input.path.as_str());
            digest.push(input.digest.as_str());
            bytes.push(input.bytes);
            calls.push(input.calls);
            category.push(c);
            category_calls.push(n);
        }
    }
    df!(
        "input_path" => path,
        "input_digest" => digest,
        "input_bytes" => bytes,
        "input_calls" => calls,
        "category" => category,
        "calls" => category_calls,
    )
}

fn from_frame(date: &str, df: &DataFrame) -> PolarsResult<Night> {
    let path = df.column("input_path")?.str()?;
    let digest = df.column("input_digest")?.str()?;
    let bytes = df.column("input_bytes")?.u64()?;
    let calls = df.column("input_calls")?.u64()?;
    let category = df.column("category")?.str()?;
    let category_calls = df.column("calls")?.u64()?;
    let mut inputs: BTreeMap<String, NightInput> = BTreeMap::new();
    for i in 0..df.height() {
        let p = path.get(i).unwrap_or_default().to_string();
        let input = inputs.entry(p.clone()).or_insert_with(|| NightInput {
            path: p,
            digest: digest.get(i).unwrap_or_default().to_string(),
            bytes: bytes.get(i).unwrap_or(0),
            calls: calls.get(i).unwrap_or(0),
            categories: BTreeMap::new(),
        });
        let c = category.get(i).unwrap_or_default();
        if !c.is_empty() {
            input.categories.insert(c.to_string(), category_calls.get(i).unwrap_or(0));
        }
    }
    Ok(Night { date: date.to_string(), inputs: inputs.into_values().collect() })
}

/// SHA-256 of a file's content, streamed.
pub fn file_digest(path: &Path) -> Result<String, HistoryError> {
    use sha2::Digest;
    let mut file = fs::File::open(path).map_err(|e| err(path, e))?;
    let mut hasher = sha2::Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| err(path, e))?;
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(path: &str, digest: &str, calls: u64, cats: &[(&str, u64)]) -> NightInput {
        NightInput {
            path: path.into(),
            digest: digest.into(),
            bytes: 10,
            calls,
            categories: cats.iter().map(|(c, n)| (c.to_string(), *n)).collect(),
        }
    }

    #[test]
    fn a_night_round_trips_through_parquet() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::open(dir.path()).unwrap();
        let night = Night {
            date: "2026-11-22".into(),
            inputs: vec![input("a.jsonl", "d1", 100, &[("billing", 7), ("outage", 3)]), input("b.csv", "d2", 5, &[])],
        };
        history.save(&night).unwrap();
        assert_eq!(history.load("2026-11-22").unwrap(), night);
        assert_eq!(history.dates().unwrap(), ["2026-11-22"]);
        assert_eq!(history.load("2026-11-23").unwrap().inputs.len(), 0);
    }

    #[test]
    fn rerun_replaces_and_a_late_file_adds() {
        let mut night =
            Night { date: "2026-11-22".into(), inputs: vec![input("a.jsonl", "d1", 100, &[("billing", 7)])] };
        night.merge(vec![input("a.jsonl", "d1", 100, &[("billing", 7)])]);
        assert_eq!((night.calls(), night.category_calls("billing")), (100, 7));
        night.merge(vec![input("late.jsonl", "d3", 50, &[("billing", 2)])]);
        assert_eq!((night.calls(), night.category_calls("billing")), (150, 9));
        // The same content under another name is the same input.
        night.merge(vec![input("renamed.jsonl", "d3", 50, &[("billing", 2)])]);
        assert_eq!(night.calls(), 150);
    }
}
