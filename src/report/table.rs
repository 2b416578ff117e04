//! The output tables and their columns, defined once: the CSV writer, the XLSX writer and the
//! README describe the same lists.

use crate::aggregate::{CategoryRow, IdeaRow, SegmentRow, Tables};
use crate::ingest::Reject;

/// What a column holds, which decides how the XLSX shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Free text (sanitised against formula injection).
    Text,
    /// Whole number.
    Int,
    /// A share between 0 and 1, shown as a percentage in the XLSX.
    Share,
    /// A ratio such as lift.
    Ratio,
    /// A p-value.
    PValue,
    /// A score between -1 and 1.
    Score,
    /// true / false.
    Bool,
    /// A number as the input gave it, shown as written: a metadata field whose every value is a
    /// plain decimal number (see `sheet_xml::is_plain_decimal`).
    Number,
}

/// A column: its name in the CSV header and the XLSX, its kind and its XLSX width.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header.
    pub name: String,
    /// Kind.
    pub kind: ColumnKind,
    /// Width in the XLSX, in characters.
    pub width: f64,
}

/// A value in a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// Whole number.
    Int(i64),
    /// Real number.
    Float(f64),
    /// Boolean.
    Bool(bool),
    /// Nothing.
    Empty,
}

/// A table ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

fn cols(spec: &[(&str, ColumnKind, f64)]) -> Vec<Column> {
    spec.iter().map(|&(name, kind, width)| Column { name: name.to_string(), kind, width }).collect()
}

use ColumnKind::*;

/// categories.csv
pub const CATEGORY_COLUMNS: &[(&str, ColumnKind, f64)] = &[
    ("category", Text, 18.0),
    ("kind", Text, 11.0),
    ("label", Text, 30.0),
    ("calls", Int, 9.0),
    ("share", Share, 9.0),
];
/// segments.csv
pub const SEGMENT_COLUMNS: &[(&str, ColumnKind, f64)] = &[
    ("field", Text, 16.0),
    ("value", Text, 16.0),
    ("category", Text, 18.0),
    ("label", Text, 30.0),
    ("kind", Text, 11.0),
    ("segment_calls", Int, 14.0),
    ("calls", Int, 9.0),
    ("share", Share, 9.0),
    ("overall_share", Share, 14.0),
    ("lift", Ratio, 8.0),
    ("p_value", PValue, 11.0),
    ("significant", Bool, 12.0),
];
/// ideas.csv
pub const IDEA_COLUMNS: &[(&str, ColumnKind, f64)] =
    &[("idea", Text, 34.0), ("category", Text, 14.0), ("calls", Int, 9.0), ("example_quote", Text, 80.0)];
/// themes.csv
pub const THEME_COLUMNS: &[(&str, ColumnKind, f64)] = &[
    ("theme", Text, 8.0),
    ("kind", Text, 11.0),
    ("label", Text, 36.0),
    ("calls", Int, 9.0),
    ("share", Share, 9.0),
    ("phrases", Text, 50.0),
    ("quote_1", Text, 70.0),
    ("quote_2", Text, 70.0),
    ("quote_3", Text, 70.0),
];
/// mentions.csv
pub const MENTION_COLUMNS: &[(&str, ColumnKind, f64)] = &[
    ("call_id", Text, 14.0),
    ("kind", Text, 11.0),
    ("category", Text, 18.0),
    ("phrase", Text, 24.0),
    ("turn", Int, 7.0),
    ("quote", Text, 90.0),
];
/// trends.csv
pub const TREND_COLUMNS: &[(&str, ColumnKind, f64)] = &[
    ("category", Text, 18.0),
    ("kind", Text, 11.0),
    ("label", Text, 30.0),
    ("calls", Int, 9.0),
    ("share", Share, 9.0),
    ("trailing_mean", Ratio, 14.0),
    ("trailing_share", Share, 14.0),
    ("trailing_nights", Int, 15.0),
    ("change", Ratio, 9.0),
    ("p_value", PValue, 11.0),
    ("emerging", Bool, 10.0),
    ("new", Bool, 7.0),
];

/// trends.csv as a table.
pub fn trends(rows: &[crate::aggregate::trends::TrendRow]) -> Table {
    let rows = rows
        .iter()
        .map(|r| {
            vec![
                Cell::Text(r.category.clone()),
                Cell::Text(r.kind.as_str().into()),
                Cell::Text(r.label.clone()),
                Cell::Int(r.calls as i64),
                Cell::Float(r.share),
                Cell::Float(r.trailing_mean),
                Cell::Float(r.trailing_share),
                Cell::Int(r.trailing_nights as i64),
                Cell::Float(r.change),
                r.p_value.map_or(Cell::Empty, Cell::Float),
                Cell::Bool(r.emerging),
                Cell::Bool(r.new),
            ]
        })
        .collect();
    Table { columns: cols(TREND_COLUMNS), rows }
}

/// follow_ups.csv
pub const FOLLOW_UP_COLUMNS: &[(&str, ColumnKind, f64)] = &[
    ("call_id", Text, 14.0),
    ("customer_id", Text, 14.0),
    ("priority", Text, 9.0),
    ("reasons", Text, 34.0),
    ("categories", Text, 28.0),
    ("started_at", Text, 21.0),
    ("respond_by", Text, 21.0),
    ("sentiment_end", Score, 14.0),
    ("quote", Text, 90.0),
];
/// rejects.csv
pub const REJECT_COLUMNS: &[(&str, ColumnKind, f64)] =
    &[("file", Text, 40.0), ("record", Text, 12.0), ("reason", Text, 80.0)];
/// calls.csv, before the metadata columns.
pub const CALL_COLUMNS_HEAD: &[(&str, ColumnKind, f64)] = &[("call_id", Text, 14.0), ("started_at", Text, 21.0)];
/// calls.csv, after the metadata columns.
pub const CALL_COLUMNS_TAIL: &[(&str, ColumnKind, f64)] = &[
    ("turns", Int, 7.0),
    ("customer_words", Int, 15.0),
    ("sentiment_start", Score, 15.0),
    ("sentiment_end", Score, 14.0),
    ("complaints", Int, 11.0),
    ("ideas", Int, 7.0),
    ("primary_category", Text, 17.0),
    ("categories", Text, 30.0),
];

/// The columns of calls.csv for the given metadata fields.
pub fn call_columns(metadata: &[String]) -> Vec<Column> {
    let mut out = cols(CALL_COLUMNS_HEAD);
    out.extend(metadata.iter().map(|m| Column {
        name: m.clone(),
        kind: Text,
        width: (m.len() as f64 + 2.0).clamp(10.0, 24.0),
    }));
    out.extend(cols(CALL_COLUMNS_TAIL));
    out
}

/// The last column of calls.csv when discovery is on: the call's primary theme.
pub fn theme_columns() -> [Column; 2] {
    [
        Column { name: "theme".into(), kind: Text, width: 8.0 },
        Column { name: "theme_label".into(), kind: Text, width: 36.0 },
    ]
}

/// The mention columns.
pub fn mention_columns() -> Vec<Column> {
    cols(MENTION_COLUMNS)
}

/// The columns of follow_ups.csv.
pub fn follow_up_columns() -> Vec<Column> {
    cols(FOLLOW_UP_COLUMNS)
}

/// categories.csv as a table.
pub fn categories(rows: &[CategoryRow]) -> Table {
    let rows = rows
        .iter()
        .map(|r| {
            vec![
                Cell::Text(r.category.clone()),
                Cell::Text(r.kind.as_str().into()),
                Cell::Text(r.label.clone()),
                Cell::Int(r.calls as i64),
                Cell::Float(r.share),
            ]
        })
        .collect();
    Table { columns: cols(CATEGORY_COLUMNS), rows }
}

/// segments.csv as a table.
pub fn segments(rows: &[SegmentRow]) -> Table {
    let rows = rows
        .iter()
        .map(|r| {
            vec![
                Cell::Text(r.field.clone()),
                Cell::Text(r.value.clone()),
                Cell::Text(r.category.clone()),
                Cell::Text(r.label.clone()),
                Cell::Text(r.kind.as_str().into()),
                Cell::Int(r.segment_calls as i64),
                Cell::Int(r.calls as i64),
                Cell::Float(r.share),
                Cell::Float(r.overall_share),
                Cell::Float(r.lift),
                r.p_value.map_or(Cell::Empty, Cell::Float),
                Cell::Bool(r.significant),
            ]
        })
        .collect();
    Table { columns: cols(SEGMENT_COLUMNS), rows }
}

/// ideas.csv as a table.
pub fn ideas(rows: &[IdeaRow]) -> Table {
    let rows = rows
        .iter()
        .map(|r| {
            vec![
                Cell::Text(r.idea.clone()),
                Cell::Text(r.category.clone()),
                Cell::Int(r.calls as i64),
                Cell::Text(r.example_quote.clone()),
            ]
        })
        .collect();
    Table { columns: cols(IDEA_COLUMNS), rows }
}

/// themes.csv as a table: at most 10 phrases per theme.
pub fn themes(rows: &[crate::aggregate::themes::Theme]) -> Table {
    let rows = rows
        .iter()
        .map(|t| {
            let mut row = vec![
                Cell::Text(t.id.clone()),
                Cell::Text(t.kind.as_str().into()),
                Cell::Text(t.label.clone()),
                Cell::Int(t.calls as i64),
                Cell::Float(t.share),
                Cell::Text(t.phrases.iter().take(10).cloned().collect::<Vec<_>>().join("; ")),
            ];
            row.extend((0..3).map(|i| t.quotes.get(i).map_or(Cell::Empty, |q| Cell::Text(q.clone()))));
            row
        })
        .collect();
    Table { columns: cols(THEME_COLUMNS), rows }
}

/// One call to call back.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpRow {
    /// Call id.
    pub call_id: String,
    /// The customer's id from the metadata, if any.
    pub customer_id: String,
    /// high, medium or low.
    pub priority: &'static str,
    /// `;`-separated reasons.
    pub reasons: String,
    /// `;`-separated category ids of the call.
    pub categories: String,
    /// When the call started, as given.
    pub started_at: String,
    /// Call start plus the response window, UTC; empty when the start is unknown.
    pub respond_by: String,
    /// Final customer sentiment.
    pub sentiment_end: f64,
    /// The customer's sentence that shows the reason (redacted by default).
    pub quote: String,
}

/// Sort order of the follow-up list: priority, then the earliest deadline, then call id.
pub fn sort_follow_ups(rows: &mut [FollowUpRow]) {
    rows.sort_by(follow_up_order);
}

/// The follow-up order: priority, then the earliest respond-by (unknown last), then call id. A
/// total order, so keeping the first N is the same whatever order the calls came in.
pub fn follow_up_order(a: &FollowUpRow, b: &FollowUpRow) -> std::cmp::Ordering {
    let rank = |p: &str| match p {
        "high" => 0,
        "medium" => 1,
        _ => 2,
    };
    rank(a.priority)
        .cmp(&rank(b.priority))
        .then_with(|| a.respond_by.is_empty().cmp(&b.respond_by.is_empty()))
        .then_with(|| a.respond_by.cmp(&b.respond_by))
        .then_with(|| a.call_id.cmp(&b.call_id))
}

/// follow_ups.csv as a table.
pub fn follow_ups(rows: &[FollowUpRow]) -> Table {
    let rows = rows
        .iter()
        .map(|r| {
            vec![
                Cell::Text(r.call_id.clone()),
                Cell::Text(r.customer_id.clone()),
                Cell::Text(r.priority.to_string()),
                Cell::Text(r.reasons.clone()),
                Cell::Text(r.categories.clone()),
                Cell::Text(r.started_at.clone()),
                Cell::Text(r.respond_by.clone()),
                Cell::Float(r.sentiment_end),
                Cell::Text(r.quote.clone()),
            ]
        })
        .collect();
    Table { columns: follow_up_columns(), rows }
}

/// rejects.csv as a table.
pub fn rejects(rows: &[Reject]) -> Table {
    let rows = rows
        .iter()
        .map(|r| vec![Cell::Text(r.file.clone()), Cell::Text(r.record.clone()), Cell::Text(r.reason.clone())])
        .collect();
    Table { columns: cols(REJECT_COLUMNS), rows }
}

/// All small tables of a run, by file stem.
pub fn small_tables(
    tables: &Tables,
    reject_rows: &[Reject],
    follow_up_rows: &[FollowUpRow],
) -> Vec<(&'static str, Table)> {
    let mut out = vec![
        ("categories", categories(&tables.categories)),
        ("segments", segments(&tables.segments)),
        ("ideas", ideas(&tables.ideas)),
        ("follow_ups", follow_ups(follow_up_rows)),
        ("rejects", rejects(reject_rows)),
    ];
    if let Some(d) = &tables.discovery {
        out.push(("themes", themes(&d.themes)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_computed_call_columns_are_the_ones_the_model_reserves() {
        let mut names: Vec<String> = call_columns(&[]).into_iter().map(|c| c.name).collect();
        names.extend(theme_columns().map(|c| c.name));
        assert_eq!(names, crate::model::CALL_REPORT_COLUMNS);
    }
}
