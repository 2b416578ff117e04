//! The data that flows between stages: a [`Call`] as ingest decodes it.
//!
//! These types are deliberately plain: every input format decodes into them, so the later stages
//! never know which format a call came from.

use std::borrow::Cow;

/// One call (or chat, or survey answer) as decoded from an input file. The turns may borrow their
/// text from the bytes read (`'a`), so that a well-formed JSON line is not copied a second time;
/// the fields that outlive the call's processing are owned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Call<'a> {
    /// The call's id as given by the source (file stem for plain text).
    pub call_id: String,
    /// When the call started, as written in the source (ISO 8601 expected, not enforced).
    pub started_at: Option<String>,
    /// Call metadata in source order: flat `field -> value` pairs, values rendered as text.
    pub metadata: Vec<(String, String)>,
    /// The turns in order.
    pub turns: Vec<Turn<'a>>,
}

impl Call<'_> {
    /// The call with its turns' text copied out of the bytes it was read from.
    pub fn into_owned(self) -> Call<'static> {
        let turns = self
            .turns
            .into_iter()
            .map(|t| Turn {
                speaker: Cow::Owned(t.speaker.into_owned()),
                text: Cow::Owned(t.text.into_owned()),
                start: t.start,
                end: t.end,
                role: t.role,
                control_free: t.control_free,
            })
            .collect();
        Call { call_id: self.call_id, started_at: self.started_at, metadata: self.metadata, turns }
    }
}

/// One turn of talk, with the speaker label exactly as the source wrote it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Turn<'a> {
    /// Speaker label as written (`customer`, `Agent`, `rep`, ...); mapped to a role in normalize.
    pub speaker: Cow<'a, str>,
    /// What was said.
    pub text: Cow<'a, str>,
    /// Offset from the start of the call in seconds, when known.
    pub start: Option<f64>,
    /// End offset in seconds, when known.
    pub end: Option<f64>,
    /// The role, when the source itself says who is talking (a vendor's participant role, an audio
    /// channel, a config mapping). `None` leaves it to the speaker labels of the config.
    pub role: Option<Role>,
    /// The text is known to hold no control character but tab and newline, so normalize need not
    /// look for one: only the JSON Lines scanner sets it, checking a text it has just read. Code
    /// that changes `text` must set it false.
    pub control_free: bool,
}

/// Who is talking, after speaker labels are mapped through the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// The customer: the only voice earful mines.
    Customer,
    /// The company's side: agents, bots, IVR.
    Agent,
    /// A label the config does not map; not mined, counted in the manifest.
    Unknown,
}

/// Whether a category is a complaint or a product idea, or a discovered theme a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Something the customer is unhappy about.
    Complaint,
    /// Something the customer wishes the product did.
    Idea,
    /// Something the customer asks without complaining ("does my plan include calls abroad?"):
    /// only discovery finds these, and a taxonomy may not name the kind.
    #[serde(skip_deserializing)]
    Question,
}

impl Kind {
    /// The word used in every report.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Complaint => "complaint",
            Kind::Idea => "idea",
            Kind::Question => "question",
        }
    }
}

/// The segment of how the call ended (happy, neutral, unhappy), beside the metadata fields.
pub const SENTIMENT_SEGMENT: &str = "sentiment";

/// Whether a metadata field would be taken for a column or segment earful computes (see
/// [`CALL_REPORT_COLUMNS`] and [`SENTIMENT_SEGMENT`]): such a field is renamed `metadata.<name>`
/// when the call is normalized.
pub fn is_reserved_field(name: &str) -> bool {
    name == SENTIMENT_SEGMENT || CALL_REPORT_COLUMNS.contains(&name)
}

/// The columns of calls.csv that earful computes, whatever the metadata: a metadata field may
/// not take one of these names (`report::table` lays the columns out; a test there keeps the two
/// in step).
pub const CALL_REPORT_COLUMNS: &[&str] = &[
    "call_id",
    "started_at",
    "turns",
    "customer_words",
    "sentiment_start",
    "sentiment_end",
    "complaints",
    "ideas",
    "primary_category",
    "categories",
    "theme",
    "theme_label",
];
