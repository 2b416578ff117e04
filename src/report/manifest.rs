//! manifest.json: what a run read, what it made of it, and how long it took. Monitoring and the
//! next night's run read it; it also marks a folder as an earful report (see `Staging`).

use serde::Serialize;

use crate::ingest::join::JoinStats;
use crate::ingest::vendor::roles::SpeakerReport;

/// The manifest's `tool` value, which marks a folder as an earful report.
pub const TOOL: &str = "earful";

/// One input file's ledger.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct InputEntry {
    /// The path as given.
    pub path: String,
    /// jsonl, csv, text, srt, webvtt, or the detected format of a JSON document (transcribe,
    /// whisper, deepgram, ...; `json` when it was not recognised).
    pub format: String,
    /// Whether it was gzip-compressed (kept for readers of older manifests; see `compression`).
    pub gzip: bool,
    /// `gzip`, `zstd`, or empty.
    pub compression: String,
    /// Size on disk.
    pub bytes: u64,
    /// Records read (lines, calls, files).
    pub records: u64,
    /// Records that became calls.
    pub calls: u64,
    /// Records rejected.
    pub rejects: u64,
}

/// Run totals.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Totals {
    /// Records read, all files. Always `calls + rejects`.
    pub records: u64,
    /// Calls processed.
    pub calls: u64,
    /// Records rejected (including whole files).
    pub rejects: u64,
    /// Complaint mentions.
    pub complaint_mentions: u64,
    /// Idea mentions.
    pub idea_mentions: u64,
    /// Calls with at least one complaint.
    pub calls_with_complaint: u64,
    /// Calls with at least one idea.
    pub calls_with_idea: u64,
    /// Turns whose speaker label is not mapped to customer or agent (not mined).
    pub unknown_speaker_turns: u64,
    /// Calls to call back: high, medium and low priority (all of them, listed or not).
    pub follow_ups: [u64; 3],
    /// Follow-ups listed in follow_ups.csv (at most `follow_ups.max_rows`, the most urgent).
    pub follow_ups_listed: u64,
}

/// What discovery did, when it was on.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct DiscoveryEntry {
    /// The minimum calls of a theme.
    pub min_calls: u64,
    /// Themes reported.
    pub themes: usize,
    /// Complaint themes.
    pub complaint_themes: usize,
    /// Idea themes.
    pub idea_themes: usize,
    /// Question themes: complaint themes whose calls mostly only asked.
    pub question_themes: usize,
    /// Calls with a theme.
    pub assigned_calls: u64,
    /// Calls with no theme.
    pub unassigned_calls: u64,
    /// unassigned_calls / calls.
    pub unassigned_share: f64,
    /// Distinct terms (stemmed words and word pairs) seen in customer talk.
    pub distinct_terms: usize,
    /// Terms frequent enough, and not too common, to make themes.
    pub candidate_terms: usize,
}

/// Seconds spent per phase of the run.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Timings {
    /// Reading, decoding, extracting and streaming per-call rows.
    pub read_and_extract: f64,
    /// Grouping the calls into themes (discovery), after reading; part of `tables_and_csv`.
    pub discovery: f64,
    /// Aggregate tables and the small CSVs, and calls.csv from its spool.
    pub tables_and_csv: f64,
    /// report.xlsx.
    pub workbook: f64,
    /// The whole run.
    pub wall: f64,
}

/// Metadata fields past the limit: how many, and the first names.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DroppedFields {
    /// Distinct fields left out.
    pub count: u64,
    /// The first of them, in the order first seen (at most 10).
    pub first: Vec<String>,
}

/// The whole manifest.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// Always `earful`.
    pub tool: &'static str,
    /// earful's version.
    pub version: &'static str,
    /// SHA-256 of the config file (of nothing for the defaults).
    pub config_digest: String,
    /// Where the taxonomy came from.
    pub taxonomy: String,
    /// SHA-256 of the taxonomy text.
    pub taxonomy_digest: String,
    /// Whether quotes were redacted.
    pub redacted: bool,
    /// The night the run belongs to (`--date`, else the latest call date, else today).
    pub night: String,
    /// The `--history` folder, when used.
    pub history: Option<String>,
    /// Discovery's figures; absent when discovery is off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovery: Option<DiscoveryEntry>,
    /// Every input file.
    pub inputs: Vec<InputEntry>,
    /// Totals.
    pub totals: Totals,
    /// Metadata fields left out of segments (too many distinct values).
    pub skipped_segment_fields: Vec<String>,
    /// Metadata fields left out of calls.csv, the Calls sheet and segments, first seen after
    /// `limits.max_metadata_fields` others.
    pub dropped_metadata_fields: DroppedFields,
    /// How speakers were mapped, per diarized format: its default rule, calls per rule, and
    /// records rejected because no customer could be found.
    pub speaker_mapping: SpeakerReport,
    /// The `--metadata` join, when used: file, key, columns and counts.
    pub metadata_join: Option<JoinStats>,
    /// Files in the report folder.
    pub outputs: Vec<String>,
    /// Where the time went, in seconds: the only part that changes between identical runs.
    pub timings: Timings,
}

impl Manifest {
    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}
