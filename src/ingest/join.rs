//! The metadata join: `--metadata customers.csv --join-on customer_id` adds CRM fields (tier,
//! lifetime value, tenure, ...) to each call by a key in its metadata, so that they become
//! segments like any other metadata field.
//!
//! The CSV is small next to the corpus, so it is loaded once, before the run, and checked then:
//! a missing key column, a reserved column name or conflicting duplicate keys stop the run with a
//! usage error naming the lines, before any transcript is read. Per call, nothing is ever
//! rejected for the join:
//! - a call without the key field (or with it empty) is kept, its CRM fields empty, and counted
//!   as `calls_missing_key`;
//! - a key that is not in the CSV is counted as `calls_unknown_key`, CRM fields empty;
//! - duplicate keys: identical rows are one row; rows that disagree are an error, because picking
//!   either would put calls in a segment on a coin toss;
//! - a CRM column named like a field the call already has: the call's own value is kept (it is
//!   what the source system said for this call) and the clash is counted per column.
//!
//! The CRM columns are added to every call, in CSV order, so calls.csv has the same columns
//! whether or not a call was joined.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Serialize;

use crate::model::Call;

/// Why the metadata file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JoinError {
    /// The file could not be read.
    #[error("--metadata {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The CSV is malformed.
    #[error("--metadata {path}:{line}: {message}")]
    Csv {
        /// The file.
        path: String,
        /// 1-based line.
        line: u64,
        /// The parser's message.
        message: String,
    },
    /// The file parsed, but cannot be joined; every problem is listed.
    #[error("--metadata {path}: cannot join:\n  {}", problems.join("\n  "))]
    Invalid {
        /// The file.
        path: String,
        /// One line per problem.
        problems: Vec<String>,
    },
}

/// A loaded CRM table, keyed by the join column.
#[derive(Debug, Clone)]
pub struct MetadataJoin {
    file: String,
    key: String,
    columns: Vec<String>,
    rows: HashMap<String, Vec<String>>,
}

/// What the join did to one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinOutcome {
    /// The key was found and the CRM fields added.
    Joined,
    /// The call has no (or an empty) key field.
    MissingKey,
    /// The key is not in the CSV.
    UnknownKey,
}

/// What the join did to one call, with the CRM columns (by index) whose name the call already had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Joined {
    /// The outcome.
    pub outcome: JoinOutcome,
    /// Indices into the CRM columns that clashed with the call's own fields.
    pub clashes: Vec<usize>,
}

impl MetadataJoin {
    /// Loads and checks `path`, keyed by the column `key`.
    pub fn load(path: &Path, key: &str) -> Result<MetadataJoin, JoinError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| JoinError::Read { path: shown.clone(), source })?;
        MetadataJoin::parse(&shown, &bytes, key)
    }

    /// Parses CSV bytes (see [`MetadataJoin::load`]).
    pub fn parse(shown: &str, bytes: &[u8], key: &str) -> Result<MetadataJoin, JoinError> {
        let csv_error = |e: csv::Error| JoinError::Csv {
            path: shown.to_string(),
            line: e.position().map_or(1, |p| p.line()),
            message: e.to_string(),
        };
        let mut rdr = csv::ReaderBuilder::new().from_reader(super::strip_bom(bytes));
        let headers: Vec<String> = rdr.headers().map_err(csv_error)?.iter().map(|h| h.trim().to_string()).collect();
        let mut problems = Vec::new();
        let Some(key_at) = headers.iter().position(|h| h == key) else {
            problems.push(format!("no column {key:?} to join on (columns: {})", headers.join(", ")));
            return Err(JoinError::Invalid { path: shown.to_string(), problems });
        };
        for h in &headers {
            if crate::model::CALL_REPORT_COLUMNS.contains(&h.as_str()) {
                problems.push(format!("column {h:?} is named like a calls.csv column: rename it"));
            } else if h.is_empty() {
                problems.push("a column has no name".to_string());
            }
        }
        let columns: Vec<String> =
            headers.iter().enumerate().filter(|(i, _)| *i != key_at).map(|(_, h)| h.clone()).collect();
        let mut rows: HashMap<String, (u64, Vec<String>)> = HashMap::new();
        let mut record = csv::StringRecord::new();
        while rdr.read_record(&mut record).map_err(csv_error)? {
            let line = record.position().map_or(0, |p| p.line());
            let id = record[key_at].trim().to_string();
            if id.is_empty() {
                continue;
            }
            let values: Vec<String> =
                record.iter().enumerate().filter(|(i, _)| *i != key_at).map(|(_, v)| v.trim().to_string()).collect();
            match rows.get(&id) {
                Some((first, earlier)) if *earlier != values => {
                    if problems.len() < 10 {
                        problems.push(format!("key {id:?} on lines {first} and {line} with different values"));
                    }
                }
                Some(_) => {}
                None => {
                    rows.insert(id, (line, values));
                }
            }
        }
        if !problems.is_empty() {
            return Err(JoinError::Invalid { path: shown.to_string(), problems });
        }
        let rows = rows.into_iter().map(|(k, (_, v))| (k, v)).collect();
        Ok(MetadataJoin { file: shown.to_string(), key: key.to_string(), columns, rows })
    }

    /// The CRM columns added to every call.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Adds the CRM fields to a call.
    pub fn apply(&self, call: &mut Call) -> Joined {
        let key = call.metadata.iter().find(|(k, _)| k == &self.key).map(|(_, v)| v.trim()).filter(|v| !v.is_empty());
        let (outcome, values) = match key {
            None => (JoinOutcome::MissingKey, None),
            Some(key) => match self.rows.get(key) {
                Some(values) => (JoinOutcome::Joined, Some(values)),
                None => (JoinOutcome::UnknownKey, None),
            },
        };
        let mut clashes = Vec::new();
        for (i, column) in self.columns.iter().enumerate() {
            if call.metadata.iter().any(|(k, _)| k == column) {
                clashes.push(i);
                continue;
            }
            let value = values.map(|v| v[i].clone()).unwrap_or_default();
            call.metadata.push((column.clone(), value));
        }
        Joined { outcome, clashes }
    }

    /// Empty counts for a run, naming the file, the key and the columns.
    pub fn stats(&self) -> JoinStats {
        JoinStats {
            file: self.file.clone(),
            join_on: self.key.clone(),
            rows: self.rows.len() as u64,
            columns: self.columns.clone(),
            ..JoinStats::default()
        }
    }
}

/// The join over a run, for the manifest.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct JoinStats {
    /// The `--metadata` file.
    pub file: String,
    /// The `--join-on` field.
    pub join_on: String,
    /// Distinct keys in the file.
    pub rows: u64,
    /// CRM columns added to every call.
    pub columns: Vec<String>,
    /// Calls whose key was found.
    pub calls_joined: u64,
    /// Calls without the key field (or with it empty): kept, CRM fields empty.
    pub calls_missing_key: u64,
    /// Calls whose key is not in the file: kept, CRM fields empty.
    pub calls_unknown_key: u64,
    /// Per CRM column, calls that already had a field of that name (their own value was kept).
    pub clashes: BTreeMap<String, u64>,
}

impl JoinStats {
    /// Counts one call.
    pub fn add(&mut self, joined: &Joined) {
        match joined.outcome {
            JoinOutcome::Joined => self.calls_joined += 1,
            JoinOutcome::MissingKey => self.calls_missing_key += 1,
            JoinOutcome::UnknownKey => self.calls_unknown_key += 1,
        }
        for &i in &joined.clashes {
            if let Some(column) = self.columns.get(i) {
                *self.clashes.entry(column.clone()).or_default() += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(meta: &[(&str, &str)]) -> Call<'static> {
        Call {
            call_id: "c".into(),
            metadata: meta.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ..Call::default()
        }
    }

    const CRM: &str =
        "\u{feff}customer_id,tier,lifetime_value,region\nC-1,gold,1200,west\nC-2,silver,80,east\nC-1,gold,1200,west\n";

    #[test]
    fn joins_by_key_and_counts_every_case() {
        let join = MetadataJoin::parse("crm.csv", CRM.as_bytes(), "customer_id").unwrap();
        assert_eq!(join.columns(), ["tier", "lifetime_value", "region"]);
        let mut stats = join.stats();
        type Case<'a> = (&'a [(&'a str, &'a str)], JoinOutcome, &'a [(&'a str, &'a str)]);
        let cases: &[Case] = &[
            (
                &[("customer_id", "C-1")],
                JoinOutcome::Joined,
                &[("tier", "gold"), ("lifetime_value", "1200"), ("region", "west")],
            ),
            (
                &[("customer_id", "C-9")],
                JoinOutcome::UnknownKey,
                &[("tier", ""), ("lifetime_value", ""), ("region", "")],
            ),
            (&[("customer_id", " ")], JoinOutcome::MissingKey, &[("tier", "")]),
            (&[], JoinOutcome::MissingKey, &[("tier", "")]),
            // The call's own region is kept.
            (
                &[("customer_id", "C-2"), ("region", "north")],
                JoinOutcome::Joined,
                &[("tier", "silver"), ("region", "north")],
            ),
        ];
        for (meta, outcome, expect) in cases {
            let mut c = call(meta);
            let joined = join.apply(&mut c);
            assert_eq!(joined.outcome, *outcome, "{meta:?}");
            for (k, v) in *expect {
                assert!(c.metadata.contains(&(k.to_string(), v.to_string())), "{k}={v} missing in {:?}", c.metadata);
            }
            stats.add(&joined);
        }
        assert_eq!((stats.calls_joined, stats.calls_unknown_key, stats.calls_missing_key), (2, 1, 2));
        assert_eq!(stats.clashes["region"], 1);
        assert_eq!(stats.rows, 2, "identical duplicate rows are one row");
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        let err = MetadataJoin::parse("crm.csv", b"id,tier\n1,a\n", "customer_id").unwrap_err().to_string();
        assert!(err.contains("no column \"customer_id\"") && err.contains("id, tier"), "{err}");
        let err = MetadataJoin::parse("crm.csv", b"customer_id,tier,turns\nC-1,a,1\nC-1,b,1\n", "customer_id")
            .unwrap_err()
            .to_string();
        assert!(err.contains("named like a calls.csv column"), "{err}");
        assert!(err.contains("key \"C-1\" on lines 2 and 3 with different values"), "{err}");
        let err = MetadataJoin::parse("crm.csv", b"customer_id,theme\nC-1,a\n", "customer_id").unwrap_err();
        assert!(err.to_string().contains("column \"theme\" is named like a calls.csv column"), "{err}");
        let err = MetadataJoin::parse("crm.csv", b"customer_id,tier\nC-1,a,extra\n", "customer_id").unwrap_err();
        assert!(matches!(err, JoinError::Csv { line: 2, .. }), "{err}");
    }
}
