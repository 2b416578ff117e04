//! Trends night over night: each category tonight against its trailing baseline, so that a new
//! problem is seen the day it starts.
//!
//! `emerging` means tonight's share of calls is above the share over the trailing nights, by a
//! two-proportion test corrected across categories, with at least `min_calls` calls tonight and
//! at least `min_nights` nights of baseline. `new` means no earlier night recorded it at all.

use super::stats::{adjust, two_proportion_p};
use crate::config::Correction;
use crate::extract::Taxonomy;
use crate::history::Night;
use crate::model::Kind;

/// Trend settings (`[trends]` in the config).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrendRules {
    /// Nights of baseline looked back.
    pub window: usize,
    /// Calls tonight needed before a rise can be `emerging`.
    pub min_calls: u64,
    /// Nights of baseline needed before a rise can be `emerging`.
    pub min_nights: usize,
    /// Significance level after correction.
    pub alpha: f64,
}

impl Default for TrendRules {
    fn default() -> Self {
        TrendRules { window: 7, min_calls: 5, min_nights: 3, alpha: 0.05 }
    }
}

/// One row of trends.csv.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendRow {
    /// Category id.
    pub category: String,
    /// Complaint or idea (or question, for a discovered theme).
    pub kind: Kind,
    /// Human label.
    pub label: String,
    /// Calls tonight (the whole night, all inputs recorded for it).
    pub calls: u64,
    /// Share of tonight's calls.
    pub share: f64,
    /// Mean calls per night over the trailing nights.
    pub trailing_mean: f64,
    /// Share of calls over the trailing nights.
    pub trailing_share: f64,
    /// Trailing nights found (up to the window).
    pub trailing_nights: u64,
    /// calls - trailing_mean.
    pub change: f64,
    /// Two-sided p-value of tonight's share against the trailing share; empty when not tested.
    pub p_value: Option<f64>,
    /// A significant rise with enough support.
    pub emerging: bool,
    /// Seen tonight and on no earlier night.
    pub new: bool,
}

/// Trend rows for every category of the taxonomy, in taxonomy order.
pub fn table(
    tonight: &Night,
    earlier: &[Night],
    taxonomy: &Taxonomy,
    rules: &TrendRules,
    correction: Correction,
) -> Vec<TrendRow> {
    let mut earlier: Vec<&Night> = earlier.iter().filter(|n| n.date < tonight.date).collect();
    earlier.sort_by(|a, b| b.date.cmp(&a.date));
    let trailing: Vec<&Night> = earlier.iter().take(rules.window).copied().collect();
    let total = tonight.calls();
    let base_total: u64 = trailing.iter().map(|n| n.calls()).sum();
    let mut rows = Vec::with_capacity(taxonomy.categories.len());
    let mut raw_p = Vec::with_capacity(taxonomy.categories.len());
    for c in &taxonomy.categories {
        let calls = tonight.category_calls(&c.id);
        let base_calls: u64 = trailing.iter().map(|n| n.category_calls(&c.id)).sum();
        let nights = trailing.len();
        let trailing_mean = if nights == 0 { 0.0 } else { base_calls as f64 / nights as f64 };
        let share = if total == 0 { 0.0 } else { calls as f64 / total as f64 };
        let trailing_share = if base_total == 0 { 0.0 } else { base_calls as f64 / base_total as f64 };
        let tested = nights >= rules.min_nights && calls >= rules.min_calls && base_total > 0;
        let p = tested.then(|| two_proportion_p(calls, total, base_calls, base_total));
        raw_p.push(p);
        let seen_before = earlier.iter().any(|n| n.category_calls(&c.id) > 0);
        rows.push(TrendRow {
            category: c.id.clone(),
            kind: c.kind,
            label: c.label.clone(),
            calls,
            share,
            trailing_mean,
            trailing_share,
            trailing_nights: nights as u64,
            change: calls as f64 - trailing_mean,
            p_value: p,
            emerging: false,
            new: calls > 0 && !earlier.is_empty() && !seen_before,
        });
    }
    for (row, q) in rows.iter_mut().zip(adjust(&raw_p, correction)) {
        row.emerging = row.share > row.trailing_share && q.is_some_and(|q| q <= rules.alpha);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::NightInput;

    fn night(date: &str, calls: u64, outage: u64) -> Night {
        let mut categories = std::collections::BTreeMap::new();
        if outage > 0 {
            categories.insert("outage".to_string(), outage);
        }
        categories.insert("billing".to_string(), calls / 10);
        Night {
            date: date.into(),
            inputs: vec![NightInput { path: "x".into(), digest: "d".into(), bytes: 1, calls, categories }],
        }
    }

    fn taxonomy() -> Taxonomy {
        Taxonomy::parse("t", "[[category]]\nid = \"billing\"\nkind = \"complaint\"\nlabel = \"B\"\nphrases = [\"b\"]\n\n[[category]]\nid = \"outage\"\nkind = \"complaint\"\nlabel = \"O\"\nphrases = [\"o\"]\n").unwrap()
    }

    #[test]
    fn a_rise_against_the_baseline_is_emerging() {
        let earlier: Vec<Night> = (1..=7).map(|d| night(&format!("2026-11-0{d}"), 300, 9)).collect();
        let rows = table(
            &night("2026-11-08", 300, 45),
            &earlier,
            &taxonomy(),
            &TrendRules::default(),
            Correction::BenjaminiHochberg,
        );
        let outage = &rows[1];
        assert_eq!((outage.calls, outage.trailing_nights), (45, 7));
        assert!((outage.trailing_mean - 9.0).abs() < 1e-9);
        assert!(outage.emerging, "{outage:?}");
        assert!(!rows[0].emerging);
        let flat = table(
            &night("2026-11-08", 300, 11),
            &earlier,
            &taxonomy(),
            &TrendRules::default(),
            Correction::BenjaminiHochberg,
        );
        assert!(!flat[1].emerging);
    }

    #[test]
    fn too_little_baseline_is_never_emerging_and_new_needs_history() {
        let earlier = vec![night("2026-11-01", 300, 0), night("2026-11-02", 300, 0)];
        let rows =
            table(&night("2026-11-03", 300, 60), &earlier, &taxonomy(), &TrendRules::default(), Correction::None);
        assert!(!rows[1].emerging, "two nights of baseline are not enough");
        assert!(rows[1].new);
        let first = table(&night("2026-11-01", 300, 60), &[], &taxonomy(), &TrendRules::default(), Correction::None);
        assert!(!first[1].new, "the first night has nothing to compare with");
    }
}
