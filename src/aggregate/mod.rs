//! Aggregate: count calls per category, per segment value and per idea while calls stream by,
//! then turn the counts into the report tables with polars.
//!
//! [`Counts`] is all the run remembers about calls once they are written out, so memory grows
//! with the number of categories, segment values and distinct ideas, never with the number of
//! calls. It implements `AddAssign`, so partial counts can be merged like ripgrep's `Stats`.

pub mod segments;
pub mod stats;
pub mod themes;
pub mod trends;

use std::collections::BTreeMap;
use std::ops::AddAssign;

use polars::prelude::*;

use crate::config::Config;
use crate::extract::Taxonomy;
use crate::model::Kind;
pub use segments::{segment_values, SegmentRow};

/// Per-segment-value counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValueCounts {
    /// Calls with this value.
    pub calls: u64,
    /// Calls with this value that mention each category.
    pub category_calls: Vec<u64>,
}

/// Counts for one segment field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldCounts {
    /// Counts per value.
    pub values: BTreeMap<String, ValueCounts>,
    /// Set when the field had too many distinct values to be a segment (ids, free text).
    pub too_many_values: bool,
}

/// One idea: how many calls asked for it, and in which words.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IdeaCounts {
    /// Calls that asked for it.
    pub calls: u64,
    /// The first quote that asked for it (redacted when redaction is on).
    pub example_quote: String,
    /// Each normalised wording and the calls that used it; the most used names the idea.
    pub forms: BTreeMap<String, u64>,
}

impl IdeaCounts {
    /// The wording that names the idea: the most used, then the shortest, then the first.
    pub fn name(&self) -> &str {
        self.forms
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.len().cmp(&a.0.len())).then_with(|| b.0.cmp(a.0)))
            .map_or("", |(form, _)| form.as_str())
    }
}

/// One idea of one call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallIdea {
    /// Idea category index.
    pub category: u16,
    /// Grouping key (see `extract::idea::group_key`).
    pub key: String,
    /// The thing asked for, as normalised.
    pub form: String,
    /// The customer's sentence.
    pub quote: String,
}

/// Everything counted over the calls of a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    /// Calls processed.
    pub calls: u64,
    /// Calls that mention each category.
    pub category_calls: Vec<u64>,
    /// Mentions of each category.
    pub category_mentions: Vec<u64>,
    /// Segment field -> counts.
    pub fields: BTreeMap<String, FieldCounts>,
    /// (category index, grouping key) -> counts.
    pub ideas: BTreeMap<(u16, String), IdeaCounts>,
    /// Complaint mentions.
    pub complaint_mentions: u64,
    /// Idea mentions.
    pub idea_mentions: u64,
    /// Calls with at least one complaint.
    pub calls_with_complaint: u64,
    /// Calls with at least one idea.
    pub calls_with_idea: u64,
}

/// What one call contributes to the counts.
#[derive(Debug, Clone, Default)]
pub struct CallCounts<'a> {
    /// (segment field, value) pairs of the call.
    pub segments: &'a [(&'a str, &'a str)],
    /// Distinct categories mentioned.
    pub categories: &'a [u16],
    /// (category, mentions in the call) pairs.
    pub mentions: &'a [(u16, u32)],
    /// The call's ideas, one per grouping key.
    pub ideas: &'a [CallIdea],
    /// Complaint mentions in the call.
    pub complaint_mentions: u32,
    /// Idea mentions in the call.
    pub idea_mentions: u32,
}

impl Counts {
    /// Empty counts for a taxonomy of `categories` categories.
    pub fn new(categories: usize) -> Counts {
        Counts { category_calls: vec![0; categories], category_mentions: vec![0; categories], ..Counts::default() }
    }

    /// Adds one call. Fields with more than `max_values` distinct values stop being counted.
    pub fn add(&mut self, call: &CallCounts<'_>, max_values: usize) {
        let n = self.category_calls.len();
        self.calls += 1;
        self.complaint_mentions += u64::from(call.complaint_mentions);
        self.idea_mentions += u64::from(call.idea_mentions);
        self.calls_with_complaint += u64::from(call.complaint_mentions > 0);
        self.calls_with_idea += u64::from(call.idea_mentions > 0);
        for &c in call.categories {
            self.category_calls[c as usize] += 1;
        }
        for &(c, k) in call.mentions {
            self.category_mentions[c as usize] += u64::from(k);
        }
        for &(field, value) in call.segments {
            // Looked up first: the keys repeat on every call and need no fresh copy. One lookup
            // where the key is there (a lookup and then a get walked the tree twice).
            let fc = match self.fields.get_mut(field) {
                Some(fc) => fc,
                None => self.fields.entry(field.to_string()).or_default(),
            };
            if fc.too_many_values {
                continue;
            }
            let full = fc.values.len() >= max_values;
            let vc = match fc.values.get_mut(value) {
                Some(vc) => vc,
                None if full => {
                    fc.too_many_values = true;
                    fc.values.clear();
                    continue;
                }
                None => {
                    fc.values.entry(value.to_string()).or_insert(ValueCounts { calls: 0, category_calls: vec![0; n] })
                }
            };
            vc.calls += 1;
            for &c in call.categories {
                vc.category_calls[c as usize] += 1;
            }
        }
        for idea in call.ideas {
            let entry = self.ideas.entry((idea.category, idea.key.clone())).or_default();
            if entry.calls == 0 {
                entry.example_quote = idea.quote.clone();
            }
            entry.calls += 1;
            *entry.forms.entry(idea.form.clone()).or_default() += 1;
        }
    }
}

impl AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        let add_vec = |a: &mut Vec<u64>, b: &[u64]| {
            a.resize(a.len().max(b.len()), 0);
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        };
        self.calls += other.calls;
        self.complaint_mentions += other.complaint_mentions;
        self.idea_mentions += other.idea_mentions;
        self.calls_with_complaint += other.calls_with_complaint;
        self.calls_with_idea += other.calls_with_idea;
        add_vec(&mut self.category_calls, &other.category_calls);
        add_vec(&mut self.category_mentions, &other.category_mentions);
        for (field, fc) in other.fields {
            let mine = self.fields.entry(field).or_default();
            mine.too_many_values |= fc.too_many_values;
            for (value, vc) in fc.values {
                let slot = mine.values.entry(value).or_default();
                slot.calls += vc.calls;
                add_vec(&mut slot.category_calls, &vc.category_calls);
            }
            if mine.too_many_values {
                mine.values.clear();
            }
        }
        for (key, ic) in other.ideas {
            let slot = self.ideas.entry(key).or_default();
            if slot.calls == 0 {
                slot.example_quote = ic.example_quote;
            }
            slot.calls += ic.calls;
            for (form, n) in ic.forms {
                *slot.forms.entry(form).or_default() += n;
            }
        }
    }
}

/// One row of categories.csv.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryRow {
    /// Category id.
    pub category: String,
    /// Complaint or idea (or question, for a discovered theme).
    pub kind: Kind,
    /// Human label.
    pub label: String,
    /// Calls that mention it.
    pub calls: u64,
    /// calls / all calls.
    pub share: f64,
}

/// One row of ideas.csv.
#[derive(Debug, Clone, PartialEq)]
pub struct IdeaRow {
    /// The thing asked for, normalised; `(unspecified)` when the cue had nothing after it.
    pub idea: String,
    /// Idea category id.
    pub category: String,
    /// Calls that asked for it.
    pub calls: u64,
    /// One customer sentence asking for it.
    pub example_quote: String,
}

/// The aggregate tables of a run.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    /// Categories by calls, most first, the `general` ones after the specific ones.
    pub categories: Vec<CategoryRow>,
    /// Segment value x category rows.
    pub segments: Vec<SegmentRow>,
    /// Ideas by calls, most first.
    pub ideas: Vec<IdeaRow>,
    /// Fields left out of segments because they had too many distinct values.
    pub skipped_fields: Vec<String>,
    /// Discovered themes, when discovery is on.
    pub discovery: Option<Discovery>,
}

/// What discovery found, as the report shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Discovery {
    /// Themes by calls, most first.
    pub themes: Vec<themes::Theme>,
    /// Calls with no theme.
    pub unassigned_calls: u64,
    /// unassigned_calls / all calls.
    pub unassigned_share: f64,
    /// Distinct terms seen and those that met the candidate rules.
    pub distinct_terms: usize,
    /// Terms that met the candidate rules.
    pub candidate_terms: usize,
}

/// Adds the themes to the tables: their own table, and their segment rows after the categories'.
pub fn add_themes(tables: &mut Tables, found: &themes::Themes, config: &Config) -> Result<(), AggregateError> {
    let taxonomy = found.as_taxonomy();
    tables.segments.extend(segments::table(&found.counts, &taxonomy, config)?);
    let unassigned_calls = found.assignment.iter().filter(|a| a.is_none()).count() as u64;
    tables.discovery = Some(Discovery {
        themes: found.themes.clone(),
        unassigned_calls,
        unassigned_share: found.unassigned_share(),
        distinct_terms: found.distinct_terms,
        candidate_terms: found.candidate_terms,
    });
    Ok(())
}

/// Errors from the aggregation stage.
#[derive(Debug, thiserror::Error)]
pub enum AggregateError {
    /// polars failed on a table.
    #[error("aggregation failed: {0}")]
    Polars(#[from] PolarsError),
}

/// Builds the report tables from the counts.
pub fn tables(counts: &Counts, taxonomy: &Taxonomy, config: &Config) -> Result<Tables, AggregateError> {
    let categories = category_table(counts, taxonomy)?;
    let segments = segments::table(counts, taxonomy, config)?;
    let mut ideas: Vec<IdeaRow> = counts
        .ideas
        .iter()
        .map(|((c, _), ic)| IdeaRow {
            idea: if ic.name().is_empty() { "(unspecified)".into() } else { ic.name().to_string() },
            category: taxonomy.categories[*c as usize].id.clone(),
            calls: ic.calls,
            example_quote: ic.example_quote.clone(),
        })
        .collect();
    ideas.sort_by(|a, b| {
        b.calls.cmp(&a.calls).then_with(|| a.idea.cmp(&b.idea)).then_with(|| a.category.cmp(&b.category))
    });
    let skipped_fields = counts.fields.iter().filter(|(_, f)| f.too_many_values).map(|(k, _)| k.clone()).collect();
    Ok(Tables { categories, segments, ideas, skipped_fields, discovery: None })
}

/// categories.csv: calls and share of calls per category, most frequent first, with the
/// `general` categories (how customers feel rather than what about) after the specific ones: an
/// analyst reading "top complaints" wants the problems to act on first, and a general category
/// such as `dissatisfaction` rides along with many of them. Ties keep the taxonomy's order.
fn category_table(counts: &Counts, taxonomy: &Taxonomy) -> PolarsResult<Vec<CategoryRow>> {
    let order: Vec<u32> = (0..taxonomy.categories.len() as u32).collect();
    let calls: Vec<u64> = counts.category_calls.clone();
    let total = counts.calls.max(1) as f64;
    let df = df!("category" => &order, "calls" => &calls)?
        .lazy()
        .with_columns([(col("calls").cast(DataType::Float64) / lit(total)).alias("share")])
        .sort_by_exprs(
            [col("calls"), col("category")],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
        .collect()?;
    let idx = df.column("category")?.u32()?;
    let calls = df.column("calls")?.u64()?;
    let share = df.column("share")?.f64()?;
    let mut ranked: Vec<((u32, u64), f64)> =
        idx.into_no_null_iter().zip(calls.into_no_null_iter()).zip(share.into_no_null_iter()).collect();
    // A stable sort: within each group the order by calls stays.
    ranked.sort_by_key(|((i, _), _)| taxonomy.categories[*i as usize].general);
    let rows = ranked
        .into_iter()
        .map(|((i, calls), share)| {
            let c = &taxonomy.categories[i as usize];
            let share = if counts.calls == 0 { 0.0 } else { share };
            CategoryRow { category: c.id.clone(), kind: c.kind, label: c.label.clone(), calls, share }
        })
        .collect();
    Ok(rows)
}
