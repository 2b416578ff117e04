//! The run configuration: the TOML file users write ([`ConfigFile`]) and the checked form the
//! pipeline uses ([`Config`]).
//!
//! The file type mirrors what a user types, with `deny_unknown_fields` so that a misspelt key is
//! an error rather than a silently ignored setting. [`ConfigFile::build`] checks everything at
//! once and reports every problem, so one edit fixes them all.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use crate::ingest::vendor::mapping::{JsonMapping, MappingSpec};
use crate::ingest::vendor::roles::{AgentChannels, SpeakerOptions, Undiarized};
use crate::ingest::FormatOptions;
use crate::model::Role;

/// Errors found in a config file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The config file.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown keys.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The config file.
        path: String,
        /// 1-based line of the problem.
        line: usize,
        /// The parser's message.
        message: String,
    },
    /// The file parsed but some values make no sense; every problem is listed.
    #[error("{path}: invalid config:\n  {}", problems.join("\n  "))]
    Invalid {
        /// The config file.
        path: String,
        /// One line per problem.
        problems: Vec<String>,
    },
}

/// The config file as written by a user. Every section is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConfigFile {
    /// How speaker labels map to customer and agent.
    pub speakers: SpeakersFile,
    /// Which metadata fields become segments and how they are tested.
    pub segments: SegmentsFile,
    /// Sentiment thresholds for the happy / neutral / unhappy segment.
    pub sentiment: SentimentFile,
    /// Report options.
    pub report: ReportFile,
    /// Limits against hostile input.
    pub limits: LimitsFile,
    /// Which calls need a call back.
    pub follow_ups: FollowUpsFile,
    /// Night-over-night trends.
    pub trends: TrendsFile,
    /// Themes found without a taxonomy.
    pub discovery: DiscoveryFile,
    /// How vendor transcripts map speakers, and mappings for other JSON.
    pub formats: FormatsFile,
}

/// `[discovery]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiscoveryFile {
    /// Look for themes at all.
    pub enabled: bool,
    /// A theme needs at least this many calls.
    pub min_calls: u64,
    /// Terms used by more than this share of calls are too common to make a theme.
    pub max_share: f64,
    /// At most this many themes are reported.
    pub max_themes: usize,
    /// How strongly (cosine, 0..1) the leading terms of two themes must keep company for the themes
    /// to be joined.
    pub link: f64,
}

impl Default for DiscoveryFile {
    fn default() -> Self {
        let d = crate::aggregate::themes::ThemeRules::default();
        DiscoveryFile {
            enabled: true,
            min_calls: d.min_calls,
            max_share: d.max_share,
            max_themes: d.max_themes,
            link: d.link,
        }
    }
}

/// `[formats]`: speaker mapping of diarized formats and `[[formats.json]]` mappings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FormatsFile {
    /// A transcript without speakers: `reject` (default) or `customer` (all of it is the customer's).
    pub undiarized: String,
    /// Anonymous speakers without an agent opener: the first speaker is the `agent` (default) or
    /// the `customer`.
    pub first_speaker: String,
    /// Phrases that mark the agent when said in the first turns (replaces the built-in list; an
    /// empty list turns the opener rule off).
    pub agent_openers: Option<Vec<String>>,
    /// The agent's audio channel per vendor.
    pub agent_channel: AgentChannelFile,
    /// Mappings for other JSON transcripts.
    pub json: Vec<JsonMappingFile>,
}

impl Default for FormatsFile {
    fn default() -> Self {
        FormatsFile {
            undiarized: "reject".into(),
            first_speaker: "agent".into(),
            agent_openers: None,
            agent_channel: AgentChannelFile::default(),
            json: Vec::new(),
        }
    }
}

/// `[formats.agent_channel]`: each vendor's own channel numbering.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgentChannelFile {
    /// Amazon Transcribe `ch_N` (0-based).
    pub transcribe: u32,
    /// Deepgram channel index (0-based).
    pub deepgram: u32,
    /// AssemblyAI channel (1-based).
    pub assemblyai: u32,
    /// Twilio `media_channel` (1-based).
    pub twilio: u32,
    /// Google CCAI `channelTag` (1-based), when `callMetadata` does not say.
    pub ccai: u32,
}

impl Default for AgentChannelFile {
    fn default() -> Self {
        let d = AgentChannels::default();
        AgentChannelFile {
            transcribe: d.transcribe,
            deepgram: d.deepgram,
            assemblyai: d.assemblyai,
            twilio: d.twilio,
            ccai: d.ccai,
        }
    }
}

/// `[[formats.json]]`: how to read another JSON transcript format. Paths are dotted keys.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JsonMappingFile {
    /// The format's name in the manifest.
    pub name: String,
    /// A path whose presence identifies the format.
    pub detect: String,
    /// Where the array of turns is.
    pub turns: String,
    /// The speaker field of a turn.
    pub speaker: String,
    /// The text field of a turn.
    pub text: String,
    /// The call id (default: the file stem).
    pub call_id: Option<String>,
    /// When the call started.
    pub started_at: Option<String>,
    /// A turn's start offset in seconds.
    pub start: Option<String>,
    /// An object whose fields become call metadata.
    pub metadata: Option<String>,
    /// Speaker values meaning the customer.
    pub customer: Vec<String>,
    /// Speaker values meaning the agent (default: every value not in `customer`).
    pub agent: Vec<String>,
}

impl FormatsFile {
    /// Checks the section, pushing every problem.
    fn build(self, problems: &mut Vec<String>) -> FormatOptions {
        let undiarized = match self.undiarized.to_ascii_lowercase().as_str() {
            "reject" => Undiarized::Reject,
            "customer" => Undiarized::Customer,
            other => {
                problems.push(format!("formats.undiarized = {other:?}: expected reject or customer"));
                Undiarized::Reject
            }
        };
        let first_speaker = match self.first_speaker.to_ascii_lowercase().as_str() {
            "agent" => Role::Agent,
            "customer" => Role::Customer,
            other => {
                problems.push(format!("formats.first_speaker = {other:?}: expected agent or customer"));
                Role::Agent
            }
        };
        let defaults = SpeakerOptions::default();
        let openers = match self.agent_openers {
            Some(list) => {
                if list.iter().any(|o| o.trim().is_empty()) {
                    problems.push("formats.agent_openers: an opener is empty".to_string());
                }
                list.iter().map(|o| o.trim().to_ascii_lowercase()).filter(|o| !o.is_empty()).collect()
            }
            None => defaults.openers,
        };
        let c = self.agent_channel;
        let agent_channel = AgentChannels {
            transcribe: c.transcribe,
            deepgram: c.deepgram,
            assemblyai: c.assemblyai,
            twilio: c.twilio,
            ccai: c.ccai,
        };
        let mut mappings: Vec<JsonMapping> = Vec::new();
        for (i, m) in self.json.into_iter().enumerate() {
            let spec = MappingSpec {
                name: m.name,
                detect: m.detect,
                turns: m.turns,
                speaker: m.speaker,
                text: m.text,
                call_id: m.call_id,
                started_at: m.started_at,
                start: m.start,
                metadata: m.metadata,
                customer: m.customer,
                agent: m.agent,
            };
            let where_ = format!("formats.json[{i}] ({:?})", spec.name);
            if let Some(mapping) = JsonMapping::new(spec, &where_, problems) {
                if mappings.iter().any(|other| other.name.eq_ignore_ascii_case(&mapping.name)) {
                    problems.push(format!("{where_}: another mapping has this name"));
                }
                mappings.push(mapping);
            }
        }
        FormatOptions { speakers: SpeakerOptions { undiarized, first_speaker, openers, agent_channel }, mappings }
    }
}

/// `[trends]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrendsFile {
    /// Trailing nights in the baseline.
    pub window: usize,
    /// Calls tonight needed before a rise can be emerging.
    pub min_calls: u64,
    /// Nights of baseline needed before a rise can be emerging.
    pub min_nights: usize,
    /// Significance level after correction (the correction is `segments.correction`).
    pub alpha: f64,
}

impl Default for TrendsFile {
    fn default() -> Self {
        let d = crate::aggregate::trends::TrendRules::default();
        TrendsFile { window: d.window, min_calls: d.min_calls, min_nights: d.min_nights, alpha: d.alpha }
    }
}

/// `[follow_ups]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FollowUpsFile {
    /// Respond by the call's start plus this many hours.
    pub respond_within_hours: f64,
    /// Metadata fields that hold the customer's id, first found wins.
    pub customer_id_fields: Vec<String>,
    /// Categories that mean the customer threatened to leave.
    pub cancellation_categories: Vec<String>,
    /// Categories that mean the customer had to contact the company again.
    pub repeat_categories: Vec<String>,
    /// At most this many follow-ups are listed, the most urgent first (all are counted): a list
    /// nobody can work through in 36 hours helps nobody, and it would grow with the night.
    pub max_rows: usize,
}

impl Default for FollowUpsFile {
    fn default() -> Self {
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        FollowUpsFile {
            respond_within_hours: 36.0,
            customer_id_fields: strings(&[
                "customer_id",
                "customer",
                "account_id",
                "account",
                "client_id",
                "member_id",
                "customer_number",
            ]),
            cancellation_categories: strings(&["cancellation"]),
            repeat_categories: strings(&["repeat_contact"]),
            max_rows: 10_000,
        }
    }
}

/// Metadata fields kept by default: far more than any CRM export has columns, far fewer than a
/// sheet can hold (16,384 columns).
pub const DEFAULT_MAX_METADATA_FIELDS: usize = 1000;

/// The most metadata fields `limits.max_metadata_fields` may keep: with the Calls sheet's other
/// columns, as many as a sheet holds.
pub const MAX_METADATA_FIELDS: usize = 16_000;

/// Data rows a workbook sheet may hold: Excel's limit is 1,048,576 rows, header included; a little
/// is left spare.
const SHEET_ROWS: usize = 1_048_000;

/// `[limits]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsFile {
    /// A record (JSONL line, text transcript) longer than this many bytes is rejected unread.
    pub max_record_bytes: usize,
    /// A compressed file may expand to this many times its size (past 256 MiB) before it is
    /// treated as a decompression bomb.
    pub max_expansion: u64,
    /// calls.csv, the Calls sheet and segments.csv have a column or a segment per metadata
    /// field: fields first seen after this many are left out of them, and listed in the manifest.
    pub max_metadata_fields: usize,
}

impl Default for LimitsFile {
    fn default() -> Self {
        let d = crate::ingest::Limits::default();
        LimitsFile {
            max_record_bytes: d.max_record_bytes,
            max_expansion: d.max_expansion,
            max_metadata_fields: DEFAULT_MAX_METADATA_FIELDS,
        }
    }
}

/// `[speakers]`: labels are compared case-insensitively, surrounding space ignored.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpeakersFile {
    /// Extra labels that mean the customer.
    pub customer: Vec<String>,
    /// Extra labels that mean the company's side.
    pub agent: Vec<String>,
    /// Keep the built-in labels (customer, caller, client, ... / agent, rep, ...).
    pub defaults: bool,
}

impl Default for SpeakersFile {
    fn default() -> Self {
        SpeakersFile { customer: Vec::new(), agent: Vec::new(), defaults: true }
    }
}

/// `[segments]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SegmentsFile {
    /// Only these metadata fields are segments (default: all of them).
    pub fields: Option<Vec<String>>,
    /// Metadata fields never used as segments (ids, free text).
    pub exclude_fields: Vec<String>,
    /// A field with more distinct values than this is not a segment (it is an id or free text).
    pub max_values: usize,
    /// A segment value needs this many calls before any difference is called significant.
    pub min_segment_calls: u64,
    /// A category needs this many calls in the segment before a difference is significant.
    pub min_calls: u64,
    /// Significance level after correction.
    pub alpha: f64,
    /// Multiple-comparison correction: `benjamini-hochberg`, `bonferroni` or `none`.
    pub correction: String,
    /// Numeric fields cut into named bins.
    pub bins: Vec<BinsFile>,
}

impl Default for SegmentsFile {
    fn default() -> Self {
        SegmentsFile {
            fields: None,
            exclude_fields: Vec::new(),
            max_values: 50,
            min_segment_calls: 30,
            min_calls: 5,
            alpha: 0.05,
            correction: "benjamini-hochberg".to_string(),
            bins: Vec::new(),
        }
    }
}

/// `[[segments.bins]]`: `labels[i]` holds values below `edges[i]`, the last label the rest.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BinsFile {
    /// The numeric metadata field.
    pub field: String,
    /// The segment's name in reports (default: the field's name).
    pub name: Option<String>,
    /// Ascending cut points.
    pub edges: Vec<f64>,
    /// One more label than edges.
    pub labels: Vec<String>,
}

/// `[sentiment]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SentimentFile {
    /// A call whose final customer sentiment is at least this is `happy`.
    pub happy_at: f64,
    /// A call whose final customer sentiment is at most this is `unhappy`.
    pub unhappy_at: f64,
}

impl Default for SentimentFile {
    fn default() -> Self {
        SentimentFile { happy_at: 0.2, unhappy_at: -0.2 }
    }
}

/// `[report]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportFile {
    /// Redact cards, emails, phone numbers and SSNs in quotes.
    pub redact: bool,
    /// Rows shown per list on the Overview sheet.
    pub overview_rows: usize,
    /// Rows at most in the Calls and Mentions sheets (not Follow-ups: `follow_ups.max_rows` caps its
    /// list); the CSVs are always complete. A sheet of a million rows is slow to write and unusable
    /// in a spreadsheet, so the default is 100,000 (Excel's hard limit is 1,048,576).
    pub xlsx_max_rows: usize,
}

impl Default for ReportFile {
    fn default() -> Self {
        ReportFile { redact: true, overview_rows: 10, xlsx_max_rows: 100_000 }
    }
}

/// Multiple-comparison correction applied to the segment tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Correction {
    /// Controls the false discovery rate (default): fewer misses than Bonferroni.
    BenjaminiHochberg,
    /// Controls the family-wise error rate: conservative.
    Bonferroni,
    /// Raw p-values.
    None,
}

/// A numeric field cut into bins.
#[derive(Debug, Clone)]
pub struct Bins {
    /// The metadata field read.
    pub field: String,
    /// The segment's name in reports.
    pub name: String,
    /// Ascending cut points.
    pub edges: Vec<f64>,
    /// `edges.len() + 1` labels.
    pub labels: Vec<String>,
}

impl Bins {
    /// The label for a metadata value, or `None` when it is not a number.
    pub fn label(&self, value: &str) -> Option<&str> {
        let v: f64 = value.trim().parse().ok().filter(|v: &f64| v.is_finite())?;
        let i = self.edges.iter().take_while(|&&e| v >= e).count();
        Some(&self.labels[i])
    }
}

/// The checked configuration the pipeline runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// Lowercased labels that mean the customer.
    pub customer_labels: BTreeSet<String>,
    /// Lowercased labels that mean the agent.
    pub agent_labels: BTreeSet<String>,
    /// Segment fields chosen by the user, if any.
    pub segment_fields: Option<Vec<String>>,
    /// Fields never used as segments.
    pub exclude_fields: BTreeSet<String>,
    /// Distinct values above which a field is not a segment.
    pub max_values: usize,
    /// Minimum calls in a segment value for significance.
    pub min_segment_calls: u64,
    /// Minimum category calls in a segment value for significance.
    pub min_calls: u64,
    /// Significance level.
    pub alpha: f64,
    /// Multiple-comparison correction.
    pub correction: Correction,
    /// Binned numeric fields.
    pub bins: Vec<Bins>,
    /// Happy threshold on final sentiment.
    pub happy_at: f64,
    /// Unhappy threshold on final sentiment.
    pub unhappy_at: f64,
    /// Redact personal data in quotes.
    pub redact: bool,
    /// Rows per Overview list.
    pub overview_rows: usize,
    /// Row cap of the large XLSX sheets.
    pub xlsx_max_rows: usize,
    /// Limits against hostile input.
    pub limits: crate::ingest::Limits,
    /// Metadata fields that get a column and segments; later ones are left out.
    pub max_metadata_fields: usize,
    /// Follow-up rules.
    pub follow_ups: FollowUpsFile,
    /// Trend rules.
    pub trends: crate::aggregate::trends::TrendRules,
    /// Discovery rules; `None` when discovery is off.
    pub discovery: Option<crate::aggregate::themes::ThemeRules>,
    /// How vendor formats map speakers, and `[[formats.json]]` mappings.
    pub formats: FormatOptions,
    /// Hex SHA-256 of the config file's bytes (empty file for the defaults).
    pub digest: String,
}

/// Built-in labels for the customer's side.
pub const DEFAULT_CUSTOMER_LABELS: &[&str] = &[
    "customer",
    "caller",
    "client",
    "user",
    "member",
    "consumer",
    "buyer",
    "guest",
    "patient",
    "subscriber",
    "visitor",
    "end_user",
    "end user",
    "cust",
    "c",
];

/// Built-in labels for the company's side.
pub const DEFAULT_AGENT_LABELS: &[&str] = &[
    "agent",
    "rep",
    "representative",
    "advisor",
    "adviser",
    "operator",
    "associate",
    "csr",
    "specialist",
    "support",
    "staff",
    "employee",
    "bot",
    "virtual agent",
    "ivr",
    "system",
    "assistant",
    "a",
];

impl Default for Config {
    fn default() -> Self {
        ConfigFile::default()
            .build("(defaults)", b"")
            .unwrap_or_else(|e| unreachable!("built-in defaults are valid: {e}"))
    }
}

impl Config {
    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| ConfigError::Read { path: shown.clone(), source })?;
        let text = String::from_utf8_lossy(&bytes);
        let file: ConfigFile = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: shown.clone(),
            line: e.span().map_or(1, |s| line_of(&text, s.start)),
            message: e.message().to_string(),
        })?;
        file.build(&shown, &bytes)
    }
}

/// 1-based line number of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

impl ConfigFile {
    /// Checks the values and compiles the runtime config, listing every problem at once.
    pub fn build(self, path: &str, bytes: &[u8]) -> Result<Config, ConfigError> {
        let mut problems = Vec::new();
        let seg = self.segments;
        let correction = match seg.correction.to_ascii_lowercase().as_str() {
            "benjamini-hochberg" | "bh" | "fdr" => Correction::BenjaminiHochberg,
            "bonferroni" => Correction::Bonferroni,
            "none" => Correction::None,
            other => {
                problems
                    .push(format!("segments.correction = {other:?}: expected benjamini-hochberg, bonferroni or none"));
                Correction::None
            }
        };
        if !(seg.alpha > 0.0 && seg.alpha < 1.0) {
            problems.push(format!("segments.alpha = {}: must be between 0 and 1", seg.alpha));
        }
        if seg.max_values < 2 {
            problems.push("segments.max_values must be at least 2".to_string());
        }
        let mut bins = Vec::new();
        for b in seg.bins {
            let sorted = b.edges.windows(2).all(|w| w[0] < w[1]);
            if b.edges.is_empty() || !sorted || b.edges.iter().any(|e| !e.is_finite()) {
                problems
                    .push(format!("segments.bins for {:?}: edges must be finite, ascending and not empty", b.field));
            }
            if b.labels.len() != b.edges.len() + 1 {
                problems.push(format!(
                    "segments.bins for {:?}: {} edges need {} labels, found {}",
                    b.field,
                    b.edges.len(),
                    b.edges.len() + 1,
                    b.labels.len()
                ));
            }
            let name = b.name.unwrap_or_else(|| b.field.clone());
            bins.push(Bins { field: b.field, name, edges: b.edges, labels: b.labels });
        }
        let s = self.sentiment;
        let ordered = s.unhappy_at < s.happy_at;
        if !ordered || s.unhappy_at < -1.0 || s.happy_at > 1.0 {
            problems.push(format!(
                "sentiment: need -1 <= unhappy_at < happy_at <= 1, found {} and {}",
                s.unhappy_at, s.happy_at
            ));
        }
        let labels = |extra: Vec<String>, defaults: &[&str]| -> BTreeSet<String> {
            let builtin = defaults.iter().filter(|_| self.speakers.defaults).map(|s| s.to_string());
            builtin.chain(extra.into_iter().map(|s| s.trim().to_lowercase())).collect()
        };
        let customer_labels = labels(self.speakers.customer.clone(), DEFAULT_CUSTOMER_LABELS);
        let agent_labels = labels(self.speakers.agent.clone(), DEFAULT_AGENT_LABELS);
        for both in customer_labels.intersection(&agent_labels) {
            problems.push(format!("speakers: {both:?} is listed as both customer and agent"));
        }
        if self.limits.max_record_bytes < 1024 || self.limits.max_expansion < 2 {
            problems.push("limits: max_record_bytes must be at least 1024 and max_expansion at least 2".to_string());
        }
        if !(1..=MAX_METADATA_FIELDS).contains(&self.limits.max_metadata_fields) {
            problems.push(format!(
                "limits: max_metadata_fields must be between 1 and {MAX_METADATA_FIELDS} (found {})",
                self.limits.max_metadata_fields
            ));
        }
        let limits = crate::ingest::Limits {
            max_record_bytes: self.limits.max_record_bytes,
            max_expansion: self.limits.max_expansion,
            ..crate::ingest::Limits::default()
        };
        let t = &self.trends;
        if t.window == 0 || t.min_nights > t.window || !(t.alpha > 0.0 && t.alpha < 1.0) {
            problems.push(format!(
                "trends: need window >= 1, min_nights <= window and 0 < alpha < 1 (found {}, {}, {})",
                t.window, t.min_nights, t.alpha
            ));
        }
        let trends = crate::aggregate::trends::TrendRules {
            window: t.window,
            min_calls: t.min_calls,
            min_nights: t.min_nights,
            alpha: t.alpha,
        };
        let d = &self.discovery;
        let valid = d.min_calls >= 2
            && d.max_share > 0.0
            && d.max_share <= 1.0
            && (1..=1000).contains(&d.max_themes)
            && d.link > 0.0
            && d.link <= 1.0;
        if !valid {
            problems.push(format!(
                "discovery: need min_calls >= 2, 0 < max_share <= 1, 1 <= max_themes <= 1000 and 0 < link <= 1 (found {}, {}, {}, {})",
                d.min_calls, d.max_share, d.max_themes, d.link
            ));
        }
        let discovery = d.enabled.then_some(crate::aggregate::themes::ThemeRules {
            min_calls: d.min_calls,
            max_share: d.max_share,
            max_themes: d.max_themes,
            link: d.link,
        });
        let formats = self.formats.build(&mut problems);
        // The list is a sheet of the workbook, whole: it must fit in one.
        if !(1..=SHEET_ROWS).contains(&self.follow_ups.max_rows) {
            problems.push(format!(
                "follow_ups.max_rows = {}: must be between 1 and {SHEET_ROWS} (the Follow-ups sheet lists them all)",
                self.follow_ups.max_rows
            ));
        }
        let hours = self.follow_ups.respond_within_hours;
        // A year at most: past that a follow-up is no longer a call back, and a window of 1e300
        // hours is past any date a timestamp can hold.
        if !(hours.is_finite() && hours > 0.0 && hours <= 8760.0) {
            problems.push(format!(
                "follow_ups.respond_within_hours = {hours:?}: must be a number of hours above 0 and at most 8760 (a year)"
            ));
        }
        if !problems.is_empty() {
            return Err(ConfigError::Invalid { path: path.to_string(), problems });
        }
        Ok(Config {
            customer_labels,
            agent_labels,
            segment_fields: seg.fields,
            exclude_fields: seg.exclude_fields.into_iter().collect(),
            max_values: seg.max_values,
            min_segment_calls: seg.min_segment_calls,
            min_calls: seg.min_calls,
            alpha: seg.alpha,
            correction,
            bins,
            happy_at: s.happy_at,
            unhappy_at: s.unhappy_at,
            redact: self.report.redact,
            overview_rows: self.report.overview_rows,
            xlsx_max_rows: self.report.xlsx_max_rows.min(SHEET_ROWS),
            limits,
            max_metadata_fields: self.limits.max_metadata_fields,
            follow_ups: self.follow_ups,
            trends,
            discovery,
            formats,
            digest: hex_sha256(bytes),
        })
    }
}

/// Lowercase hex SHA-256 of some bytes.
pub fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(text: &str) -> Result<Config, ConfigError> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: "t".into(),
            line: 0,
            message: e.to_string(),
        })?;
        file.build("t.toml", text.as_bytes())
    }

    #[test]
    fn defaults_are_valid() {
        let c = Config::default();
        assert!(c.customer_labels.contains("caller"));
        assert!(c.agent_labels.contains("rep"));
        assert_eq!(c.correction, Correction::BenjaminiHochberg);
    }

    #[test]
    fn unknown_key_is_an_error() {
        assert!(build("[segments]\nmin_suport = 3\n").is_err());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let err = build(
            "[segments]\nalpha = 2.0\ncorrection = \"holm\"\n[[segments.bins]]\nfield = \"ltv\"\nedges = [10.0, 5.0]\nlabels = [\"a\"]\n",
        )
        .unwrap_err();
        let ConfigError::Invalid { problems, .. } = err else { panic!("wrong error {err}") };
        assert_eq!(problems.len(), 4, "{problems:?}");
    }

    #[test]
    fn the_metadata_field_limit_fits_a_sheet() {
        assert_eq!(Config::default().max_metadata_fields, DEFAULT_MAX_METADATA_FIELDS);
        assert_eq!(build("[limits]\nmax_metadata_fields = 16000\n").unwrap().max_metadata_fields, 16_000);
        for bad in [0, 16_001] {
            let err = build(&format!("[limits]\nmax_metadata_fields = {bad}\n")).unwrap_err();
            let ConfigError::Invalid { problems, .. } = err else { panic!("wrong error {err}") };
            assert!(problems[0].contains("max_metadata_fields must be between 1 and 16000"), "{problems:?}");
        }
    }

    #[test]
    fn the_follow_up_list_fits_a_sheet() {
        assert_eq!(build("[follow_ups]\nmax_rows = 1048000\n").unwrap().follow_ups.max_rows, 1_048_000);
        for bad in [0, 1_048_001] {
            let err = build(&format!("[follow_ups]\nmax_rows = {bad}\n")).unwrap_err();
            let ConfigError::Invalid { problems, .. } = err else { panic!("wrong error {err}") };
            assert!(problems[0].contains("must be between 1 and 1048000"), "{problems:?}");
        }
    }

    #[test]
    fn the_follow_up_window_is_at_most_a_year() {
        assert_eq!(
            build("[follow_ups]\nrespond_within_hours = 8760\n").unwrap().follow_ups.respond_within_hours,
            8760.0
        );
        for bad in ["0", "-1", "8760.5", "3e9", "1e300", "nan", "inf"] {
            let err = build(&format!("[follow_ups]\nrespond_within_hours = {bad}\n")).unwrap_err();
            let ConfigError::Invalid { problems, .. } = err else { panic!("wrong error {err}") };
            assert!(problems[0].contains("at most 8760"), "{bad}: {problems:?}");
        }
    }

    #[test]
    fn bins_cut_at_edges() {
        let c = build("[[segments.bins]]\nfield = \"ltv\"\nname = \"buyer\"\nedges = [1, 100]\nlabels = [\"prospect\", \"light\", \"heavy\"]\n").unwrap();
        let b = &c.bins[0];
        assert_eq!(b.name, "buyer");
        assert_eq!(b.label("0"), Some("prospect"));
        assert_eq!(b.label("1"), Some("light"));
        assert_eq!(b.label("99.5"), Some("light"));
        assert_eq!(b.label("100"), Some("heavy"));
        assert_eq!(b.label("n/a"), None);
    }

    #[test]
    fn formats_section_is_checked_all_at_once() {
        let c = build(
            "[formats]\nundiarized = \"customer\"\nfirst_speaker = \"customer\"\nagent_openers = [\"Welcome to Acme\"]\n\
             [formats.agent_channel]\ntranscribe = 1\n\
             [[formats.json]]\nname = \"acme\"\ndetect = \"conversation.messages\"\nturns = \"conversation.messages\"\n\
             speaker = \"from.role\"\ntext = \"body\"\ncustomer = [\"client\"]\n",
        )
        .unwrap();
        let f = &c.formats;
        assert_eq!((f.speakers.undiarized, f.speakers.first_speaker), (Undiarized::Customer, Role::Customer));
        assert_eq!(f.speakers.openers, ["welcome to acme"]);
        assert_eq!((f.speakers.agent_channel.transcribe, f.speakers.agent_channel.twilio), (1, 1));
        assert_eq!(f.mappings[0].turns, ["conversation", "messages"]);

        let err = build(
            "[formats]\nundiarized = \"maybe\"\n[[formats.json]]\nname = \"acme\"\nturns = \"a\"\n\
             [[formats.json]]\nname = \"acme\"\ndetect = \"x\"\nturns = \"x\"\nspeaker = \"s\"\ntext = \"t\"\ncustomer = [\"c\"]\nagent = [\"C\"]\n",
        )
        .unwrap_err();
        let ConfigError::Invalid { problems, .. } = err else { panic!("wrong error {err}") };
        let all = problems.join("\n");
        for expect in [
            "formats.undiarized",
            "detect is missing",
            "speaker is missing",
            "customer must list",
            "both customer and agent",
        ] {
            assert!(all.contains(expect), "{expect:?} missing from\n{all}");
        }
        assert!(build("[formats.agent_channel]\nfreeswitch = 1\n").is_err(), "unknown vendor key");
        assert!(build("[[formats.json]]\nname = \"x\"\nturn = \"a\"\n").is_err(), "unknown mapping key");
    }

    #[test]
    fn label_in_both_roles_is_rejected() {
        assert!(build("[speakers]\ncustomer = [\"Agent\"]\n").is_err());
    }
}
