//! The command line, parsed by clap and resolved once into the options a run uses.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// earful: your contact center as a standing focus group.
///
/// Reads a night's call transcripts, finds what customers complain about again and again and what
/// they wish the product did, compares segments, and writes CSV files, an Excel workbook and a
/// manifest into one report folder.
#[derive(Debug, Parser)]
#[command(name = "earful", version, about, long_about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
// Parsed once per run: the size of the `mine` variant costs nothing worth a Box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Mine transcripts and write a report folder.
    ///
    /// Inputs are files or folders (read recursively, in sorted order), each format recognised
    /// from its content: JSON Lines, CSV, plain text, SRT and WebVTT subtitles, and one JSON
    /// document per file from Amazon Transcribe (and Call Analytics), Whisper / WhisperX,
    /// Deepgram, AssemblyAI, Google CCAI Insights (conversations and chat), Genesys Cloud, Twilio
    /// Voice Intelligence, or a [[formats.json]] mapping of the config; each optionally gzip or
    /// zstd compressed. Bad records and unrecognised files never stop the run: they go to
    /// rejects.csv with the file, line and reason. manifest.json says how speakers were mapped.
    #[command(after_long_help = "Exit codes: 0 report written; 1 failure (the previous report is kept); \
2 usage, config or taxonomy error; 3 report written but the reject rate passed --max-reject-rate.")]
    Mine(MineArgs),
    /// Write the synthetic sample corpus (seeded, reproducible).
    Sample(SampleArgs),
}

/// `earful mine`.
#[derive(Debug, Args)]
pub struct MineArgs {
    /// Transcript files or folders.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Report folder to write. Replaced atomically when the run succeeds; a failed run leaves the
    /// previous report as it was.
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,
    /// Config file (TOML): speaker labels, segments, bins, thresholds. See README.
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Taxonomy file (TOML) replacing the built-in one, or `none` for no taxonomy.
    #[arg(short, long, value_name = "FILE|none")]
    pub taxonomy: Option<String>,
    /// Worker threads (default: one per core). With 1, the whole run stays on one core: reading,
    /// extraction and writing take turns on a single thread.
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
    /// No progress bar and no summary line.
    #[arg(short, long)]
    pub quiet: bool,
    /// Replace --out even if it is not an earful report.
    #[arg(long)]
    pub force: bool,
    /// Write quotes as said, without redacting cards, emails, phone numbers and SSNs.
    #[arg(long)]
    pub no_redact: bool,
    /// Discover themes only from at least this many calls (default 8, or `discovery.min_calls`;
    /// for a few hundred calls or fewer, 3 to 5).
    #[arg(long, value_name = "N")]
    pub min_calls: Option<u64>,
    /// Do not look for themes beyond the taxonomy (no themes.csv, no `theme` column).
    #[arg(long)]
    pub no_discovery: bool,
    /// Keep each night's aggregates in this folder (one Parquet file per night) and report
    /// trends against the trailing nights: trends.csv and a Trends sheet.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
    /// The night this run belongs to (YYYY-MM-DD); default: the latest started_at date in the
    /// input, else today (UTC). Rerunning a night replaces its inputs, never double counts.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
    /// Exit with code 3 (after writing the report) when more than this fraction of the records
    /// read were rejected, e.g. 0.01 for 1%.
    #[arg(long, value_name = "FRACTION", value_parser = parse_fraction)]
    pub max_reject_rate: Option<f64>,
    /// Write the run's figures (records, calls, rejects, reject rate, follow-ups, status, exit
    /// code) as JSON to this file, for monitoring; written on failure too.
    #[arg(long, value_name = "FILE")]
    pub summary_json: Option<PathBuf>,
    /// CRM data to add to every call: a CSV with one row per customer, joined on --join-on. Its
    /// columns become call metadata, so they are segments like any other field.
    #[arg(long, value_name = "CSV", requires = "join_on")]
    pub metadata: Option<PathBuf>,
    /// The call metadata field (and --metadata column) to join on, e.g. customer_id. A call
    /// without it, or with a key not in the CSV, is kept with empty CRM fields and counted in the
    /// manifest; conflicting duplicate keys in the CSV are an error.
    #[arg(long, value_name = "FIELD", requires = "metadata")]
    pub join_on: Option<String>,
    /// Stop after a stage and write nothing (for the benchmark): parse, extract or all.
    #[arg(long, value_enum, default_value_t = Stage::All, hide = true)]
    pub stage: Stage,
}

fn parse_fraction(text: &str) -> Result<f64, String> {
    let value: f64 = text.parse().map_err(|_| format!("{text:?} is not a number"))?;
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{value} is not between 0 and 1"))
    }
}

/// How far `mine` goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Stage {
    /// Read and decode records only.
    Parse,
    /// Also normalize and extract, but write no report.
    Extract,
    /// The whole run.
    All,
}

/// `earful sample`.
#[derive(Debug, Args)]
pub struct SampleArgs {
    /// Number of records to generate (3 of them are deliberately damaged).
    #[arg(long, default_value_t = 2000)]
    pub calls: usize,
    /// Random seed: the same seed writes the same bytes.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Call length: 1 for the bundled sample (~1 KB per call), 3 for ~3 KB calls (benchmarks).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub length: u32,
    /// Folder to write into.
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,
}
