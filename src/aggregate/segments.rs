//! Segments: which calls belong to which segment value, and how each category's share in a
//! segment compares with all calls (lift) and with the rest of the calls (significance).
//!
//! A call's segments are its metadata fields (all of them, or the `segments.fields` list),
//! numeric fields cut into named bins by `segments.bins`, and `sentiment`, the happy / neutral /
//! unhappy reading of how the call ended.

use polars::prelude::*;

use super::stats::{adjust, two_proportion_p};
use super::Counts;
use crate::config::Config;
use crate::extract::Taxonomy;
use crate::model::Kind;

/// The name of the sentiment segment.
pub const SENTIMENT_FIELD: &str = crate::model::SENTIMENT_SEGMENT;

/// One row of segments.csv.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentRow {
    /// Segment field.
    pub field: String,
    /// Segment value.
    pub value: String,
    /// Category id.
    pub category: String,
    /// The category's label (a theme's: its phrases), so that a row reads without a lookup.
    pub label: String,
    /// Complaint or idea (or question, for a discovered theme).
    pub kind: Kind,
    /// Calls in the segment value.
    pub segment_calls: u64,
    /// Calls in the segment value that mention the category.
    pub calls: u64,
    /// calls / segment_calls.
    pub share: f64,
    /// The category's share of all calls.
    pub overall_share: f64,
    /// share / overall_share.
    pub lift: f64,
    /// Two-sided p-value of the segment against the rest of the calls (before correction);
    /// empty when the pair has too little support to be tested.
    pub p_value: Option<f64>,
    /// Whether the difference holds after the multiple-comparison correction.
    pub significant: bool,
}

/// The (field, value) pairs a call belongs to.
///
/// The pairs borrow from the call's metadata and the config, into `out` (cleared first): a call
/// has a pair per field, and copying each name and value cost a dozen allocations per call.
pub fn segment_values<'a>(
    metadata: &'a [(String, String)],
    sentiment_end: f64,
    config: &'a Config,
    out: &mut Vec<(&'a str, &'a str)>,
) {
    out.clear();
    for (field, value) in metadata {
        if config.exclude_fields.contains(field) {
            continue;
        }
        let bins = config.bins.iter().find(|b| &b.field == field);
        let name = bins.map_or(field.as_str(), |b| b.name.as_str());
        if let Some(list) = &config.segment_fields {
            if !list.iter().any(|f| f == field || f == name) {
                continue;
            }
        }
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let value = match bins {
            Some(b) => b.label(value).unwrap_or("(not a number)"),
            None => value,
        };
        out.push((name, value));
    }
    let mood = if sentiment_end >= config.happy_at {
        "happy"
    } else if sentiment_end <= config.unhappy_at {
        "unhappy"
    } else {
        "neutral"
    };
    out.push((SENTIMENT_FIELD, mood));
}

/// segments.csv rows, ordered by field, value and category (taxonomy order).
pub fn table(counts: &Counts, taxonomy: &Taxonomy, config: &Config) -> PolarsResult<Vec<SegmentRow>> {
    let (mut field, mut value, mut category, mut seg_calls, mut calls) = (vec![], vec![], vec![], vec![], vec![]);
    for (fi, (_, fc)) in counts.fields.iter().enumerate() {
        for (vi, (_, vc)) in fc.values.iter().enumerate() {
            for (ci, &n) in vc.category_calls.iter().enumerate() {
                if counts.category_calls[ci] == 0 {
                    continue;
                }
                field.push(fi as u32);
                value.push(vi as u32);
                category.push(ci as u32);
                seg_calls.push(vc.calls);
                calls.push(n);
            }
        }
    }
    let overall: Vec<u64> = counts.category_calls.clone();
    let cat_idx: Vec<u32> = (0..overall.len() as u32).collect();
    let total = counts.calls.max(1) as f64;
    let overall_df = df!("category" => &cat_idx, "overall_calls" => &overall)?;
    let df = df!("field" => &field, "value" => &value, "category" => &category, "segment_calls" => &seg_calls, "calls" => &calls)?
        .lazy()
        .left_join(overall_df.lazy(), col("category"), col("category"))
        .with_columns([
            (col("calls").cast(DataType::Float64) / col("segment_calls").cast(DataType::Float64)).alias("share"),
            (col("overall_calls").cast(DataType::Float64) / lit(total)).alias("overall_share"),
        ])
        .with_columns([(col("share") / col("overall_share")).alias("lift")])
        .sort_by_exprs([col("field"), col("value"), col("category")], SortMultipleOptions::default())
        .collect()?;
    let names: Vec<(&String, Vec<&String>)> =
        counts.fields.iter().map(|(f, fc)| (f, fc.values.keys().collect())).collect();
    let (f, v, c) = (df.column("field")?.u32()?, df.column("value")?.u32()?, df.column("category")?.u32()?);
    let (sc, k, oc) =
        (df.column("segment_calls")?.u64()?, df.column("calls")?.u64()?, df.column("overall_calls")?.u64()?);
    let (share, overall_share, lift) =
        (df.column("share")?.f64()?, df.column("overall_share")?.f64()?, df.column("lift")?.f64()?);
    let mut rows = Vec::with_capacity(df.height());
    let mut raw_p = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let get = |o: Option<u32>| o.unwrap_or(0) as usize;
        let (fi, vi, ci) = (get(f.get(i)), get(v.get(i)), get(c.get(i)));
        let (n1, x1, xt) = (sc.get(i).unwrap_or(0), k.get(i).unwrap_or(0), oc.get(i).unwrap_or(0));
        let overall_share = overall_share.get(i).unwrap_or(0.0);
        let expected = n1 as f64 * overall_share;
        let supported = n1 >= config.min_segment_calls && (x1 as f64).max(expected) >= config.min_calls as f64;
        let p = supported.then(|| two_proportion_p(x1, n1, xt - x1, counts.calls - n1));
        raw_p.push(p);
        let cat = &taxonomy.categories[ci];
        rows.push(SegmentRow {
            field: names[fi].0.clone(),
            value: names[fi].1[vi].clone(),
            category: cat.id.clone(),
            label: cat.label.clone(),
            kind: cat.kind,
            segment_calls: n1,
            calls: x1,
            share: share.get(i).unwrap_or(0.0),
            overall_share,
            lift: lift.get(i).filter(|l| l.is_finite()).unwrap_or(0.0),
            p_value: p,
            significant: false,
        });
    }
    for (row, q) in rows.iter_mut().zip(adjust(&raw_p, config.correction)) {
        row.significant = q.is_some_and(|q| q <= config.alpha);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::CallCounts;

    fn taxonomy() -> Taxonomy {
        Taxonomy::parse("t", "[[category]]\nid = \"outage\"\nkind = \"complaint\"\nlabel = \"Outage\"\nphrases = [\"down\"]\n\n[[category]]\nid = \"idea\"\nkind = \"idea\"\nlabel = \"Ideas\"\nphrases = [\"i wish\"]\n").unwrap()
    }

    #[test]
    fn lift_and_significance_of_a_concentrated_complaint() {
        let config = Config::default();
        let mut counts = Counts::new(2);
        // 100 west calls with 40 outages; 300 east calls with 12 outages; ideas even.
        for i in 0..400u32 {
            let west = i < 100;
            let outage = if west { i < 40 } else { i % 25 == 0 };
            let idea = i % 10 == 0;
            let mut cats = Vec::new();
            if outage {
                cats.push(0u16);
            }
            if idea {
                cats.push(1u16);
            }
            let segs = vec![("region", if west { "west" } else { "east" })];
            counts.add(&CallCounts { segments: &segs, categories: &cats, ..CallCounts::default() }, 50);
        }
        let rows = table(&counts, &taxonomy(), &config).unwrap();
        let west = rows.iter().find(|r| r.value == "west" && r.category == "outage").unwrap();
        assert_eq!((west.segment_calls, west.calls), (100, 40));
        assert!((west.share - 0.4).abs() < 1e-12);
        assert!((west.overall_share - 52.0 / 400.0).abs() < 1e-12);
        assert!((west.lift - 0.4 / 0.13).abs() < 1e-9);
        assert!(west.significant);
        let idea_west = rows.iter().find(|r| r.value == "west" && r.category == "idea").unwrap();
        assert!(!idea_west.significant, "{idea_west:?}");
        assert_eq!(rows.len(), 4);
    }

    #[test]
    fn small_segments_are_not_tested() {
        let config = Config::default();
        let mut counts = Counts::new(2);
        for i in 0..100u32 {
            let rare = i < 5;
            let cats: Vec<u16> = if rare { vec![0] } else { vec![] };
            let segs = vec![("tier", if rare { "vip" } else { "std" })];
            counts.add(&CallCounts { segments: &segs, categories: &cats, ..CallCounts::default() }, 50);
        }
        let rows = table(&counts, &taxonomy(), &config).unwrap();
        let vip = rows.iter().find(|r| r.value == "vip").unwrap();
        assert_eq!(vip.lift, 20.0);
        assert_eq!(vip.p_value, None);
        assert!(!vip.significant);
    }

    #[test]
    fn bins_and_sentiment_make_segments() {
        let text = "[[segments.bins]]\nfield = \"ltv\"\nname = \"buyer\"\nedges = [1, 500]\nlabels = [\"prospect\", \"light\", \"heavy\"]\n[segments]\nexclude_fields = [\"customer_id\"]\n";
        let file: crate::config::ConfigFile = toml::from_str(text).unwrap();
        let config = file.build("t", b"").unwrap();
        let meta = vec![
            ("region".to_string(), "west".to_string()),
            ("ltv".to_string(), "900".to_string()),
            ("customer_id".to_string(), "C-1".to_string()),
            ("plan".to_string(), " ".to_string()),
        ];
        let mut got = vec![("stale", "pair")];
        segment_values(&meta, -0.5, &config, &mut got);
        assert_eq!(got, [("region", "west"), ("buyer", "heavy"), ("sentiment", "unhappy")]);
    }

    #[test]
    fn too_many_values_drops_the_field() {
        let mut counts = Counts::new(2);
        for i in 0..60 {
            let id = format!("C-{i}");
            let segs = vec![("customer_id", id.as_str()), ("region", "west")];
            counts.add(&CallCounts { segments: &segs, ..CallCounts::default() }, 50);
        }
        assert!(counts.fields["customer_id"].too_many_values);
        assert!(counts.fields["customer_id"].values.is_empty());
        assert_eq!(counts.fields["region"].values["west"].calls, 60);
    }
}
