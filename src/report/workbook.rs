//! The workbook of a run: the Overview an analyst reads first (run facts, top complaints, top
//! ideas, the biggest segment differences) and one sheet per report table.

use std::path::Path;

use super::manifest::Totals;
use super::table::{self, Cell, Column, ColumnKind, FollowUpRow, Table};
use super::xlsx::{self, Overview, SheetSource};
use super::ReportError;
use crate::aggregate::trends::TrendRow;
use crate::aggregate::{self, Tables};
use crate::config::Config;
use crate::ingest::Reject;
use crate::model::Kind;

/// Everything the workbook shows.
pub struct RunReport<'a> {
    /// The aggregate tables.
    pub tables: &'a Tables,
    /// Rejected records.
    pub rejects: &'a [Reject],
    /// Calls to call back, sorted.
    pub follow_ups: &'a [FollowUpRow],
    /// Run totals.
    pub totals: &'a Totals,
    /// The run's config.
    pub config: &'a Config,
    /// Where the taxonomy came from.
    pub taxonomy_source: &'a str,
    /// The columns of calls.csv.
    pub call_columns: &'a [Column],
    /// Trends against the history, when `--history` is on.
    pub trends: Option<&'a [TrendRow]>,
    /// Whether the big CSV-fed sheets may be filled on threads of their own (false on one core).
    pub parallel: bool,
}

/// Writes report.xlsx into `dir`, reading follow_ups.csv, calls.csv and mentions.csv written there
/// before.
pub fn write(dir: &Path, run: &RunReport<'_>) -> Result<(), ReportError> {
    let RunReport { tables, rejects, follow_ups, totals, config, taxonomy_source, call_columns, trends, parallel } =
        *run;
    let mut overview = overview(tables, totals, config, taxonomy_source);
    if let Some(trends) = trends {
        overview.sections.insert(
            0,
            ("Emerging tonight (significant rise against the trailing nights)".to_string(), emerging(trends)),
        );
    }
    let trends = trends.map(table::trends);
    let complaints: Vec<_> = tables.categories.iter().filter(|c| c.kind == Kind::Complaint).cloned().collect();
    let complaints = table::categories(&complaints);
    let ideas = table::ideas(&tables.ideas);
    let themes = tables.discovery.as_ref().map(|d| table::themes(&d.themes));
    let segments = table::segments(&tables.segments);
    let rejects = table::rejects(rejects);
    let follow_up_columns = table::follow_up_columns();
    let follow_ups_path = dir.join("follow_ups.csv");
    let calls_path = dir.join("calls.csv");
    let mentions_path = dir.join("mentions.csv");
    let mention_columns = table::mention_columns();
    let mut sheets = vec![("Complaints", SheetSource::Table(&complaints)), ("Ideas", SheetSource::Table(&ideas))];
    if let Some(themes) = &themes {
        sheets.push(("Themes", SheetSource::Table(themes)));
    }
    sheets.push(("Segments", SheetSource::Table(&segments)));
    if let Some(trends) = &trends {
        sheets.push(("Trends", SheetSource::Table(trends)));
    }
    sheets.extend([
        // Up to `follow_ups.max_rows` rows (10,000 by default), as follow_ups.csv lists them: filled
        // like the Calls sheet, beside the others, and not by the workbook's own writer, which
        // took the run's last core-free moments for it (its shared strings table, on one thread).
        (
            "Follow-ups",
            SheetSource::Csv {
                path: &follow_ups_path,
                columns: &follow_up_columns,
                max_rows: follow_ups.len(),
                rows: follow_ups.len(),
            },
        ),
        (
            "Calls",
            SheetSource::Csv {
                path: &calls_path,
                columns: call_columns,
                max_rows: config.xlsx_max_rows,
                rows: totals.calls as usize,
            },
        ),
        (
            "Mentions",
            SheetSource::Csv {
                path: &mentions_path,
                columns: &mention_columns,
                max_rows: config.xlsx_max_rows,
                rows: (totals.complaint_mentions + totals.idea_mentions) as usize,
            },
        ),
        ("Rejects", SheetSource::Table(&rejects)),
    ]);
    Ok(xlsx::write(&dir.join("report.xlsx"), &overview, &sheets, parallel)?)
}

/// The emerging and new categories of tonight, strongest rise first.
fn emerging(trends: &[TrendRow]) -> Table {
    let mut rows: Vec<&TrendRow> = trends.iter().filter(|t| t.emerging || t.new).collect();
    rows.sort_by(|a, b| {
        b.emerging.cmp(&a.emerging).then(b.change.total_cmp(&a.change)).then(a.category.cmp(&b.category))
    });
    Table {
        columns: vec![
            col("category", ColumnKind::Text),
            col("label", ColumnKind::Text),
            col("calls", ColumnKind::Int),
            col("trailing_mean", ColumnKind::Ratio),
            col("share", ColumnKind::Share),
            col("trailing_share", ColumnKind::Share),
            col("status", ColumnKind::Text),
        ],
        rows: rows
            .iter()
            .map(|t| {
                let status = match (t.emerging, t.new) {
                    (true, true) => "emerging, new",
                    (true, false) => "emerging",
                    _ => "new",
                };
                vec![
                    Cell::Text(t.category.clone()),
                    Cell::Text(t.label.clone()),
                    Cell::Int(t.calls as i64),
                    Cell::Float(t.trailing_mean),
                    Cell::Float(t.share),
                    Cell::Float(t.trailing_share),
                    Cell::Text(status.to_string()),
                ]
            })
            .collect(),
    }
}

fn col(name: &str, kind: ColumnKind) -> Column {
    Column { name: name.to_string(), kind, width: 10.0 }
}

fn overview(tables: &Tables, totals: &Totals, config: &Config, taxonomy_source: &str) -> Overview {
    let pct = |n: u64| if totals.calls == 0 { 0.0 } else { n as f64 / totals.calls as f64 * 100.0 };
    let unhappy = tables
        .segments
        .iter()
        .find(|r| r.field == aggregate::segments::SENTIMENT_FIELD && r.value == "unhappy")
        .map_or(0, |r| r.segment_calls);
    let mut facts = vec![
        ("Records read".to_string(), Cell::Int(totals.records as i64)),
        ("Calls processed".to_string(), Cell::Int(totals.calls as i64)),
        ("Records rejected (see Rejects)".to_string(), Cell::Int(totals.rejects as i64)),
        (
            "Calls with a complaint".to_string(),
            Cell::Text(format!("{} ({:.1}%)", totals.calls_with_complaint, pct(totals.calls_with_complaint))),
        ),
        (
            "Calls with an idea".to_string(),
            Cell::Text(format!("{} ({:.1}%)", totals.calls_with_idea, pct(totals.calls_with_idea))),
        ),
        ("Calls ending unhappy".to_string(), Cell::Text(format!("{} ({:.1}%)", unhappy, pct(unhappy)))),
        ("Follow-ups to call back (see Follow-ups)".to_string(), Cell::Text(follow_up_summary(totals))),
        ("Taxonomy".to_string(), Cell::Text(taxonomy_source.to_string())),
        ("Themes discovered (see Themes)".to_string(), Cell::Text(theme_summary(tables, totals.calls))),
        ("Quotes redacted".to_string(), Cell::Text(if config.redact { "yes" } else { "no" }.to_string())),
        ("earful version".to_string(), Cell::Text(env!("CARGO_PKG_VERSION").to_string())),
    ];
    let cap = config.xlsx_max_rows as u64;
    let mentions = totals.complaint_mentions + totals.idea_mentions;
    for (sheet, rows, file) in [("Calls", totals.calls, "calls.csv"), ("Mentions", mentions, "mentions.csv")] {
        if rows > cap {
            let note = format!("first {cap} of {rows} rows; {file} has them all");
            facts.push((format!("{sheet} sheet"), Cell::Text(note)));
        }
    }
    let n = config.overview_rows;
    let top_complaints = Table {
        columns: vec![
            col("category", ColumnKind::Text),
            col("label", ColumnKind::Text),
            col("calls", ColumnKind::Int),
            col("share", ColumnKind::Share),
        ],
        rows: tables
            .categories
            .iter()
            .filter(|c| c.kind == Kind::Complaint && c.calls > 0)
            .take(n)
            .map(|c| {
                vec![
                    Cell::Text(c.category.clone()),
                    Cell::Text(c.label.clone()),
                    Cell::Int(c.calls as i64),
                    Cell::Float(c.share),
                ]
            })
            .collect(),
    };
    let top_ideas = Table {
        columns: vec![col("idea", ColumnKind::Text), col("category", ColumnKind::Text), col("calls", ColumnKind::Int)],
        rows: tables
            .ideas
            .iter()
            .take(n)
            .map(|i| vec![Cell::Text(i.idea.clone()), Cell::Text(i.category.clone()), Cell::Int(i.calls as i64)])
            .collect(),
    };
    let mut diffs: Vec<_> = tables.segments.iter().filter(|r| r.significant && r.lift > 1.0).collect();
    diffs.sort_by(|a, b| {
        b.lift
            .total_cmp(&a.lift)
            .then(b.calls.cmp(&a.calls))
            .then(a.field.cmp(&b.field))
            .then(a.value.cmp(&b.value))
            .then(a.category.cmp(&b.category))
    });
    let differences = Table {
        columns: vec![
            col("segment", ColumnKind::Text),
            col("label", ColumnKind::Text),
            col("category", ColumnKind::Text),
            col("calls", ColumnKind::Int),
            col("share", ColumnKind::Share),
            col("overall_share", ColumnKind::Share),
            col("lift", ColumnKind::Ratio),
            col("p_value", ColumnKind::PValue),
        ],
        rows: diffs
            .iter()
            .take(n)
            .map(|r| {
                vec![
                    Cell::Text(format!("{} = {}", r.field, r.value)),
                    Cell::Text(r.label.clone()),
                    Cell::Text(r.category.clone()),
                    Cell::Int(r.calls as i64),
                    Cell::Float(r.share),
                    Cell::Float(r.overall_share),
                    Cell::Float(r.lift),
                    r.p_value.map_or(Cell::Empty, Cell::Float),
                ]
            })
            .collect(),
    };
    let top_themes = Table {
        columns: vec![
            col("theme", ColumnKind::Text),
            col("label", ColumnKind::Text),
            col("kind", ColumnKind::Text),
            col("calls", ColumnKind::Int),
            col("share", ColumnKind::Share),
        ],
        rows: tables
            .discovery
            .iter()
            .flat_map(|d| d.themes.iter().take(n))
            .map(|t| {
                vec![
                    Cell::Text(t.id.clone()),
                    Cell::Text(t.label.clone()),
                    Cell::Text(t.kind.as_str().into()),
                    Cell::Int(t.calls as i64),
                    Cell::Float(t.share),
                ]
            })
            .collect(),
    };
    let mut sections = vec![("Top complaints".to_string(), top_complaints), ("Top ideas".to_string(), top_ideas)];
    if tables.discovery.is_some() {
        sections.push(("Top themes (found without the taxonomy)".to_string(), top_themes));
    }
    sections.push(("Biggest segment differences (significant, over-represented)".to_string(), differences));
    Overview { facts, sections }
}

/// "12 themes; 1,234 calls (45.0%) have none", or "off".
fn theme_summary(tables: &Tables, calls: u64) -> String {
    match &tables.discovery {
        None => "off".to_string(),
        Some(d) => format!(
            "{} themes; {} of {} calls ({:.1}%) fit none",
            d.themes.len(),
            d.unassigned_calls,
            calls,
            d.unassigned_share * 100.0
        ),
    }
}

fn follow_up_summary(totals: &Totals) -> String {
    let [high, medium, low] = totals.follow_ups;
    let all = high + medium + low;
    let mut text = format!("{all} ({high} high, {medium} medium, {low} low)");
    if totals.follow_ups_listed < all {
        text.push_str(&format!("; the {} most urgent are listed (follow_ups.max_rows)", totals.follow_ups_listed));
    }
    text
}
