//! Discovery, the corpus half: group the calls' terms into themes nobody put in the taxonomy.
//!
//! The method, in the order it runs (each step is deterministic and independent of the order in
//! which calls arrived, because every tie is broken by the terms' text or the call ids):
//! 1. A term is a candidate when at least `min_calls` calls use it and at most `max_share` of
//!    all calls do: rarer is noise, commoner is the business itself ("flight" for an airline).
//! 2. Candidates are weighed by how distinctive they are (inverse document frequency) and read
//!    in order of weight times calls. Each joins the existing theme of the same kind whose terms
//!    it keeps company with most (cosine of the sets of calls that use them, averaged over the
//!    theme's terms), if that is at least `link`; otherwise it starts a theme. Stemming has
//!    already folded the forms of a word, and a phrase always keeps company with its words, so
//!    `lost bag` joins `bag`; words that occur together in the same calls join up too.
//! 3. Each call goes to the theme whose terms it uses most (weighted, terms from the customer's
//!    first turn counting double); a call that uses none stays unassigned. Themes left with
//!    fewer than `min_calls` calls are dissolved and their calls assigned again, until stable.
//! 4. A theme is named by its 2-3 most used terms, as customers said them, and quoted by the
//!    sentences that use its terms most.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

use super::{Counts, ValueCounts};
use crate::extract::discover::{CallTerms, MAX_TERMS};
use crate::extract::{Category, Taxonomy};
use crate::model::Kind;

/// A multiply-rotate hasher for the grouping's integer keys (pairs of term and theme ids), where
/// it is several times cheaper than the default SipHash. The keys are the project's own ids, not
/// input an attacker picks, and no output depends on a map's order.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A map keyed by ids.
type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// A map keyed by short text (terms, segment values), hashed with FNV, cheaper than SipHash on
/// short keys: the sink looks up every term of every call here.
type TextMap<K, V> = HashMap<K, V, BuildHasherDefault<crate::extract::sentiment::Fnv>>;

/// Sums two maps of counts (into the bigger one).
fn add_counts(a: IdMap<(u32, u32), u32>, b: IdMap<(u32, u32), u32>) -> IdMap<(u32, u32), u32> {
    let (mut into, from) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    for (k, v) in from {
        *into.entry(k).or_default() += v;
    }
    into
}

/// How themes are found; `[discovery]` in the config.
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeRules {
    /// A theme needs at least this many calls; so does a term to be considered.
    pub min_calls: u64,
    /// Terms used by more than this share of calls are too common to make a theme.
    pub max_share: f64,
    /// At most this many themes are reported (the largest).
    pub max_themes: usize,
    /// How strongly a term must keep company with a theme's terms to join it (cosine, 0..1).
    pub link: f64,
}

impl Default for ThemeRules {
    fn default() -> Self {
        ThemeRules { min_calls: 8, max_share: 0.25, max_themes: 50, link: 0.3 }
    }
}

/// Quotes are kept for every call up to this many calls, then for a fixed 1 in 16 of them (by a
/// hash of the call id, so the same calls whatever the input order).
const QUOTE_ALL_UP_TO: usize = 20_000;

#[derive(Debug, Clone)]
struct TermStats {
    kind: Kind,
    key: String,
    calls: u64,
    /// Surface forms and their counts (a handful at most: the forms of one stem).
    surfaces: Vec<(String, u64)>,
}

#[derive(Debug, Clone)]
struct StoredCall {
    call_id: Box<str>,
    /// Term ids; the top bit marks a term said early.
    terms: Box<[u32]>,
    sentences: Box<[(Box<str>, u64)]>,
    /// Segment value ids, into `Collector::segment_values`.
    segments: Box<[u32]>,
}

const EARLY: u32 = 1 << 31;

/// How much more a term said in the customer's first turn with content counts: the reason for a
/// call is stated early.
const EARLY_WEIGHT: f64 = 2.0;

/// At most this many rounds of [`Collector::refine`].
const REFINE_ROUNDS: usize = 3;

/// Collects what discovery keeps of each call while the calls stream by, in call order.
#[derive(Debug, Default)]
pub struct Collector {
    /// Term ids by key, complaint terms first, idea terms second.
    ids: [TextMap<String, u32>; 2],
    terms: Vec<TermStats>,
    calls: Vec<StoredCall>,
    segment_ids: TextMap<(String, String), u32>,
    segment_values: Vec<(String, String)>,
}

/// One discovered theme.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// `T01`, `T02`, ... by calls, most first.
    pub id: String,
    /// Complaint or idea.
    pub kind: Kind,
    /// The top 2-3 phrases, joined by ` / `.
    pub label: String,
    /// Calls whose primary theme it is.
    pub calls: u64,
    /// calls / all calls.
    pub share: f64,
    /// The theme's phrases, most used first, as said.
    pub phrases: Vec<String>,
    /// The stemmed form of its most used term: what the theme is recognised by from one night
    /// to the next (ids are per run).
    pub key: String,
    /// Up to 3 customer sentences (not yet redacted).
    pub quotes: Vec<String>,
}

/// The outcome of discovery.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Themes {
    /// Themes by calls, most first.
    pub themes: Vec<Theme>,
    /// For each call, in the order collected, the index of its primary theme in `themes`.
    pub assignment: Vec<Option<u32>>,
    /// Terms that met the candidate rules.
    pub candidate_terms: usize,
    /// Distinct terms seen.
    pub distinct_terms: usize,
    /// Calls per theme and per segment value, theme by theme as categories are counted.
    pub counts: Counts,
}

impl Theme {
    /// The theme's id in the history and trends (see [`Themes::as_trend_categories`]).
    pub fn trend_id(&self) -> String {
        let prefix = if self.kind == Kind::Idea { "idea-theme" } else { "theme" };
        format!("{prefix}:{}", self.key)
    }
}

impl Themes {
    /// The themes as categories for the history and trends: id `theme:KEY` (`idea-theme:KEY`
    /// for ideas), KEY being the stem of the theme's lead term, so that the same theme is the same
    /// row from night to night although its `T..` id is per run.
    pub fn as_trend_categories(&self) -> Vec<Category> {
        self.as_categories(|t| (t.trend_id(), format!("{} (theme)", t.label)))
    }

    /// The themes as categories (id, kind, label), so that segment tables treat them alike.
    pub fn as_taxonomy(&self) -> Taxonomy {
        Taxonomy { categories: self.as_categories(|t| (t.id.clone(), t.label.clone())) }
    }

    /// One category per theme, with the id and label `name` gives it.
    fn as_categories(&self, name: impl Fn(&Theme) -> (String, String)) -> Vec<Category> {
        let category = |t: &Theme| {
            let (id, label) = name(t);
            Category { id, kind: t.kind, label, phrases: Vec::new(), exclude: Vec::new(), general: false }
        };
        self.themes.iter().map(category).collect()
    }

    /// Calls with no theme over all calls (0 with no calls).
    pub fn unassigned_share(&self) -> f64 {
        let n = self.assignment.len();
        if n == 0 {
            return 0.0;
        }
        self.assignment.iter().filter(|a| a.is_none()).count() as f64 / n as f64
    }
}

fn call_hash(id: &str) -> u64 {
    // FNV-1a: stable across runs and platforms.
    id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

impl Collector {
    /// Adds one call's terms and the segment values it belongs to.
    pub fn add(&mut self, call_id: &str, call: CallTerms, segments: &[(String, String)]) {
        let segments = segments
            .iter()
            .map(|pair| match self.segment_ids.get(pair) {
                Some(&id) => id,
                None => {
                    let id = self.segment_values.len() as u32;
                    self.segment_ids.insert(pair.clone(), id);
                    self.segment_values.push(pair.clone());
                    id
                }
            })
            .collect();
        let mut ids = Vec::with_capacity(call.terms.len());
        for term in call.terms {
            let next = self.terms.len() as u32;
            let by_key = &mut self.ids[usize::from(term.kind == Kind::Idea)];
            // Look up before inserting: most terms are seen before, and need no fresh key.
            let id = match by_key.get(term.key.as_str()) {
                Some(&id) => id,
                None => {
                    by_key.insert(term.key.clone(), next);
                    self.terms.push(TermStats { kind: term.kind, key: term.key, calls: 0, surfaces: Vec::new() });
                    next
                }
            };
            let stats = &mut self.terms[id as usize];
            stats.calls += 1;
            if let Some((_, n)) = stats.surfaces.iter_mut().find(|(s, _)| *s == term.surface) {
                *n += 1;
            } else if stats.surfaces.len() < 8 {
                stats.surfaces.push((term.surface, 1));
            }
            ids.push(id | if term.early { EARLY } else { 0 });
        }
        let keep_quotes = self.calls.len() < QUOTE_ALL_UP_TO || call_hash(call_id) % 16 == 0;
        let sentences = if keep_quotes {
            call.sentences.into_iter().take(4).map(|(s, m)| (s.into_boxed_str(), m)).collect()
        } else {
            Box::default()
        };
        self.calls.push(StoredCall { call_id: call_id.into(), terms: ids.into_boxed_slice(), sentences, segments });
    }

    /// Calls collected.
    pub fn len(&self) -> usize {
        self.calls.len()
    }

    /// Whether no call was collected.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// Groups the collected calls into themes. Segment fields with more than `max_values`
    /// values are left out of the counts, as for categories.
    pub fn themes(mut self, rules: &ThemeRules, max_values: usize) -> Themes {
        if self.calls.len() > QUOTE_ALL_UP_TO {
            // The same sample whatever the order the calls came in.
            for c in &mut self.calls {
                if call_hash(&c.call_id) % 16 != 0 {
                    c.sentences = Box::default();
                }
            }
        }
        let n = self.calls.len() as f64;
        let max_calls = (rules.max_share * n).floor() as u64;
        // A term may be rarer than a theme: a theme can gather several near-synonyms.
        let min_term_calls = rules.min_calls.div_ceil(2).max(2);
        let candidate = |t: &TermStats| t.calls >= min_term_calls && t.calls <= max_calls;
        let idf: Vec<f64> = self.terms.iter().map(|t| (n / t.calls.max(1) as f64).ln()).collect();
        // Candidates in reading order: weight times calls, then the text, for determinism.
        let mut order: Vec<u32> =
            (0..self.terms.len() as u32).filter(|&i| candidate(&self.terms[i as usize])).collect();
        let score = |i: u32| self.terms[i as usize].calls as f64 * idf[i as usize];
        order.sort_by(|&a, &b| {
            score(b).total_cmp(&score(a)).then_with(|| self.terms[a as usize].key.cmp(&self.terms[b as usize].key))
        });
        let mut is_candidate = vec![false; self.terms.len()];
        for &i in &order {
            is_candidate[i as usize] = true;
        }
        // Calls that use both of two candidates.
        // Counted in parallel, a map per worker, then summed: the same counts in any order.
        let together: IdMap<(u32, u32), u32> = self
            .calls
            .par_iter()
            .fold(
                || (IdMap::default(), Vec::with_capacity(MAX_TERMS)),
                |(mut together, mut list): (IdMap<(u32, u32), u32>, Vec<u32>), call| {
                    list.clear();
                    list.extend(call.terms.iter().map(|t| t & !EARLY).filter(|&t| is_candidate[t as usize]));
                    list.sort_unstable();
                    for (i, &a) in list.iter().enumerate() {
                        for &b in &list[i + 1..] {
                            *together.entry((a, b)).or_default() += 1;
                        }
                    }
                    (together, list)
                },
            )
            .map(|(together, _)| together)
            .reduce(IdMap::default, add_counts);
        let cosine = |a: u32, b: u32| {
            let key = if a < b { (a, b) } else { (b, a) };
            let both = f64::from(together.get(&key).copied().unwrap_or(0));
            both / ((self.terms[a as usize].calls * self.terms[b as usize].calls) as f64).sqrt()
        };
        // Greedy grouping of terms into themes.
        let mut groups: Vec<Vec<u32>> = Vec::new();
        let mut group_of: Vec<Option<u32>> = vec![None; self.terms.len()];
        for &t in &order {
            let kind = self.terms[t as usize].kind;
            let best = groups
                .iter()
                .enumerate()
                .filter(|(_, g)| self.terms[g[0] as usize].kind == kind)
                .map(|(gi, g)| (gi, g.iter().map(|&m| cosine(t, m)).sum::<f64>() / g.len() as f64))
                .filter(|(_, s)| *s >= rules.link)
                .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
            match best {
                Some((gi, _)) => {
                    groups[gi].push(t);
                    group_of[t as usize] = Some(gi as u32);
                }
                None => {
                    group_of[t as usize] = Some(groups.len() as u32);
                    groups.push(vec![t]);
                }
            }
        }
        // How central each term is to its theme: its mean cosine with the theme's other terms (1
        // for a theme of one term). A call is weighed by central terms, not by a rare term on
        // the theme's edge.
        let mut central = vec![0.0f64; self.terms.len()];
        for g in &groups {
            for &t in g {
                central[t as usize] = if g.len() == 1 {
                    1.0
                } else {
                    g.iter().filter(|&&m| m != t).map(|&m| cosine(t, m)).sum::<f64>() / (g.len() - 1) as f64
                };
            }
        }
        // Assign calls; dissolve themes that end up too small and assign again.
        let mut alive = vec![true; groups.len()];
        let mut assignment: Vec<Option<u32>> = vec![None; self.calls.len()];
        loop {
            let mut sizes = vec![0u64; groups.len()];
            let mut scores: Vec<f64> = vec![0.0; groups.len()];
            for (call, slot) in self.calls.iter().zip(assignment.iter_mut()) {
                let mut touched: Vec<u32> = Vec::new();
                for &raw in call.terms.iter() {
                    let t = raw & !EARLY;
                    let Some(g) = group_of[t as usize] else { continue };
                    if !alive[g as usize] {
                        continue;
                    }
                    let weight =
                        idf[t as usize] * central[t as usize] * if raw & EARLY != 0 { EARLY_WEIGHT } else { 1.0 };
                    if scores[g as usize] == 0.0 {
                        touched.push(g);
                    }
                    scores[g as usize] += weight;
                }
                let best = take_best(&touched, &mut scores);
                *slot = best;
                if let Some(g) = best {
                    sizes[g as usize] += 1;
                }
            }
            // Dissolve the smaller half of the themes under the minimum (at least one), then
            // assign again: their calls may make a neighbour big enough. One at a time would be
            // slightly finer but costs a pass over the calls per theme.
            let mut small: Vec<usize> = (0..groups.len()).filter(|&g| alive[g] && sizes[g] < rules.min_calls).collect();
            if small.is_empty() {
                break;
            }
            small.sort_by(|&a, &b| sizes[a].cmp(&sizes[b]).then_with(|| b.cmp(&a)));
            for &g in &small[..small.len().div_ceil(2)] {
                alive[g] = false;
            }
        }
        let kinds: Vec<Kind> = groups.iter().map(|g| self.terms[g[0] as usize].kind).collect();
        let groups = self.refine(groups, &kinds, &mut alive, &mut assignment, &is_candidate, rules);
        self.merge(&kinds, &mut alive, &mut assignment, &is_candidate, rules);
        let groups = self.refine(groups, &kinds, &mut alive, &mut assignment, &is_candidate, rules);
        let mut themes = self.finish(&groups, &kinds, &alive, assignment, &idf, rules, order.len());
        themes.counts = self.count(&themes, max_values);
        themes
    }

    /// Counts calls per theme and segment value, the way categories are counted.
    fn count(&self, themes: &Themes, max_values: usize) -> Counts {
        let n = themes.themes.len();
        let mut counts = Counts::new(n);
        // By segment value id first (no strings per call), then into the fields' maps.
        let mut by_value: Vec<ValueCounts> =
            vec![ValueCounts { calls: 0, category_calls: vec![0; n] }; self.segment_values.len()];
        for (call, theme) in self.calls.iter().zip(&themes.assignment) {
            counts.calls += 1;
            if let Some(t) = theme {
                counts.category_calls[*t as usize] += 1;
            }
            for &id in call.segments.iter() {
                let slot = &mut by_value[id as usize];
                slot.calls += 1;
                if let Some(t) = theme {
                    slot.category_calls[*t as usize] += 1;
                }
            }
        }
        for ((field, value), vc) in self.segment_values.iter().zip(by_value) {
            let fc = counts.fields.entry(field.clone()).or_default();
            fc.values.insert(value.clone(), vc);
        }
        // As for categories: a field with more than `max_values` values is not a segment.
        for fc in counts.fields.values_mut() {
            if fc.values.len() > max_values {
                fc.too_many_values = true;
                fc.values.clear();
            }
        }
        counts
    }

    /// Lets themes learn their vocabulary from the calls they hold (hard expectation-maximisation):
    /// a term belongs to a theme in proportion to how much more often the theme's calls use it
    /// than calls at large (log lift, over terms used by at least two of its calls), and each call
    /// moves to the theme its terms favour most. Themes that fall under `min_calls` are dissolved.
    /// Stops when no call moves. Returns each theme's terms, most used first.
    fn refine(
        &self,
        groups: Vec<Vec<u32>>,
        kinds: &[Kind],
        alive: &mut [bool],
        assignment: &mut [Option<u32>],
        is_candidate: &[bool],
        rules: &ThemeRules,
    ) -> Vec<Vec<u32>> {
        let n = self.calls.len() as f64;
        let mut terms_of: Vec<Vec<u32>> = groups;
        for _ in 0..REFINE_ROUNDS {
            let mut sizes = vec![0u64; terms_of.len()];
            for g in assignment.iter().flatten() {
                sizes[*g as usize] += 1;
            }
            let used: IdMap<(u32, u32), u32> = self
                .calls
                .par_iter()
                .zip(assignment.par_iter())
                .fold(IdMap::default, |mut used: IdMap<(u32, u32), u32>, (call, a)| {
                    if let Some(g) = *a {
                        for &raw in call.terms.iter() {
                            let t = raw & !EARLY;
                            if is_candidate[t as usize] && self.terms[t as usize].kind == kinds[g as usize] {
                                *used.entry((g, t)).or_default() += 1;
                            }
                        }
                    }
                    used
                })
                .reduce(IdMap::default, add_counts);
            let mut weights: IdMap<u32, Vec<(u32, f64)>> = IdMap::default();
            let mut entries: Vec<((u32, u32), u32)> = used.into_iter().filter(|(_, k)| *k >= 2).collect();
            entries.sort_unstable();
            for terms in terms_of.iter_mut() {
                terms.clear();
            }
            for ((g, t), k) in entries {
                let lift = (f64::from(k) / sizes[g as usize] as f64) / (self.terms[t as usize].calls as f64 / n);
                if lift > 1.0 && alive[g as usize] {
                    weights.entry(t).or_default().push((g, lift.ln()));
                    terms_of[g as usize].push(t);
                }
            }
            // Each call's best theme depends on that call alone: scored in parallel.
            let themes = terms_of.len();
            let mut moved = self
                .calls
                .par_iter()
                .zip(assignment.par_iter_mut())
                .map_init(
                    || (vec![0.0f64; themes], Vec::new()),
                    |(scores, touched): &mut (Vec<f64>, Vec<u32>), (call, slot)| {
                        touched.clear();
                        for &raw in call.terms.iter() {
                            let Some(list) = weights.get(&(raw & !EARLY)) else { continue };
                            let early = if raw & EARLY != 0 { EARLY_WEIGHT } else { 1.0 };
                            for &(g, w) in list {
                                if scores[g as usize] == 0.0 {
                                    touched.push(g);
                                }
                                scores[g as usize] += w * early;
                            }
                        }
                        let best = take_best(touched, scores);
                        let moved = best != *slot;
                        *slot = best;
                        moved
                    },
                )
                .reduce(|| false, |a, b| a | b);
            let mut new_sizes = vec![0u64; themes];
            for g in assignment.iter().flatten() {
                new_sizes[*g as usize] += 1;
            }
            for (g, size) in new_sizes.iter().enumerate() {
                if alive[g] && *size < rules.min_calls {
                    alive[g] = false;
                    moved = true;
                }
            }
            for slot in assignment.iter_mut() {
                if slot.is_some_and(|g| !alive[g as usize]) {
                    *slot = None;
                }
            }
            if !moved {
                break;
            }
        }
        terms_of
    }

    /// Merges themes that speak the same vocabulary: the two themes whose calls use the same
    /// terms most alike (cosine of their term counts, at least `rules.link`) become one, again
    /// and again. The greedy grouping only joins terms said in the same calls; this joins, say,
    /// "delayed / hours" and "late / hours".
    fn merge(
        &self,
        kinds: &[Kind],
        alive: &mut [bool],
        assignment: &mut [Option<u32>],
        is_candidate: &[bool],
        rules: &ThemeRules,
    ) {
        let themes = alive.len();
        let mut vectors: Vec<BTreeMap<u32, f64>> = vec![BTreeMap::new(); themes];
        for (call, a) in self.calls.iter().zip(assignment.iter()) {
            let Some(g) = *a else { continue };
            for &raw in call.terms.iter() {
                let t = raw & !EARLY;
                if is_candidate[t as usize] && self.terms[t as usize].kind == kinds[g as usize] {
                    *vectors[g as usize].entry(t).or_default() += 1.0;
                }
            }
        }
        let cosine = |a: &BTreeMap<u32, f64>, b: &BTreeMap<u32, f64>| {
            let dot: f64 = a.iter().filter_map(|(t, x)| b.get(t).map(|y| x * y)).sum();
            let norm = |v: &BTreeMap<u32, f64>| v.values().map(|x| x * x).sum::<f64>().sqrt();
            let d = norm(a) * norm(b);
            if d == 0.0 {
                0.0
            } else {
                dot / d
            }
        };
        // Similarities of live themes of one kind, kept up to date as themes merge: only the
        // merged theme's row changes.
        let live: Vec<usize> = (0..themes).filter(|&g| alive[g]).collect();
        let mut sim: IdMap<(usize, usize), f64> = IdMap::default();
        for (i, &a) in live.iter().enumerate() {
            for &b in live[i + 1..].iter().filter(|&&b| kinds[b] == kinds[a]) {
                let c = cosine(&vectors[a], &vectors[b]);
                if c >= rules.link {
                    sim.insert((a, b), c);
                }
            }
        }
        loop {
            let best = sim.iter().max_by(|x, y| x.1.total_cmp(y.1).then_with(|| y.0.cmp(x.0))).map(|(k, _)| *k);
            let Some((a, b)) = best else { break };
            let moved = std::mem::take(&mut vectors[b]);
            for (t, x) in moved {
                *vectors[a].entry(t).or_default() += x;
            }
            alive[b] = false;
            for slot in assignment.iter_mut() {
                if *slot == Some(b as u32) {
                    *slot = Some(a as u32);
                }
            }
            sim.retain(|&(x, y), _| x != a && y != a && x != b && y != b);
            for &o in live.iter().filter(|&&o| o != a && alive[o] && kinds[o] == kinds[a]) {
                let c = cosine(&vectors[a], &vectors[o]);
                if c >= rules.link {
                    sim.insert((a.min(o), a.max(o)), c);
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn finish(
        &self,
        groups: &[Vec<u32>],
        kinds: &[Kind],
        alive: &[bool],
        mut assignment: Vec<Option<u32>>,
        idf: &[f64],
        rules: &ThemeRules,
        candidate_terms: usize,
    ) -> Themes {
        let n = self.calls.len();
        let mut sizes = vec![0u64; groups.len()];
        for g in assignment.iter().flatten() {
            sizes[*g as usize] += 1;
        }
        // One pass over the calls: per theme, how many of its calls use each of its terms, and
        // its calls' sentences that use its terms, scored for quoting.
        let member: std::collections::HashSet<(u32, u32)> =
            groups.iter().enumerate().flat_map(|(g, terms)| terms.iter().map(move |&t| (g as u32, t))).collect();
        let mut used: Vec<BTreeMap<u32, u64>> = vec![BTreeMap::new(); groups.len()];
        let mut candidates: Vec<Vec<(f64, &str, &str)>> = vec![Vec::new(); groups.len()];
        for (call, g) in self.calls.iter().zip(&assignment) {
            let Some(g) = *g else { continue };
            let in_theme = |raw: u32| member.contains(&(g, raw & !EARLY));
            for &raw in call.terms.iter().filter(|&&raw| in_theme(raw)) {
                *used[g as usize].entry(raw & !EARLY).or_default() += 1;
            }
            for (text, mask) in call.sentences.iter() {
                let score: f64 = (call.terms.iter().enumerate())
                    .filter(|&(i, &raw)| mask & (1 << i) != 0 && in_theme(raw))
                    .map(|(_, raw)| idf[(raw & !EARLY) as usize])
                    .sum();
                if score > 0.0 {
                    candidates[g as usize].push((score, &call.call_id, text));
                }
            }
        }
        let mut built: Vec<(usize, Theme)> = Vec::new();
        for (g, found) in candidates.into_iter().enumerate() {
            if !alive[g] || sizes[g] == 0 {
                continue;
            }
            let mut ranked: Vec<(u32, u64)> = used[g].iter().map(|(t, k)| (*t, *k)).collect();
            // Most used first; on ties a phrase before a word (it says more), then by text.
            let key = |t: u32| &self.terms[t as usize].key;
            ranked.sort_by(|a, b| {
                b.1.cmp(&a.1)
                    .then_with(|| key(b.0).split(' ').count().cmp(&key(a.0).split(' ').count()))
                    .then_with(|| key(a.0).cmp(key(b.0)))
            });
            let phrases: Vec<String> = ranked.iter().map(|(t, _)| self.surface(*t)).collect();
            let key = ranked.first().map_or_else(String::new, |(t, _)| self.terms[*t as usize].key.clone());
            let quotes = quotes(found);
            built.push((
                g,
                Theme {
                    id: String::new(),
                    kind: kinds[g],
                    label: label(&phrases),
                    calls: sizes[g],
                    share: sizes[g] as f64 / n.max(1) as f64,
                    phrases,
                    key,
                    quotes,
                },
            ));
        }
        built.sort_by(|a, b| b.1.calls.cmp(&a.1.calls).then_with(|| a.1.label.cmp(&b.1.label)));
        let dropped: Vec<usize> = built.iter().skip(rules.max_themes).map(|(g, _)| *g).collect();
        built.truncate(rules.max_themes);
        let mut index: Vec<Option<u32>> = vec![None; groups.len()];
        let width = built.len().to_string().len().max(2);
        for (i, (g, theme)) in built.iter_mut().enumerate() {
            index[*g] = Some(i as u32);
            theme.id = format!("T{:0width$}", i + 1);
        }
        for a in &mut assignment {
            *a = a.and_then(|g| if dropped.contains(&(g as usize)) { None } else { index[g as usize] });
        }
        Themes {
            themes: built.into_iter().map(|(_, t)| t).collect(),
            assignment,
            candidate_terms,
            distinct_terms: self.terms.len(),
            counts: Counts::default(),
        }
    }

    /// The most used surface form of a term (ties: the shortest, then the first in order).
    fn surface(&self, term: u32) -> String {
        self.terms[term as usize]
            .surfaces
            .iter()
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.len().cmp(&a.0.len())).then_with(|| b.0.cmp(&a.0)))
            .map_or_else(|| self.terms[term as usize].key.clone(), |(s, _)| s.clone())
    }
}

/// Up to 3 distinct sentences among a theme's scored candidates (score, call id, text): the
/// highest scores first, sentences of readable length preferred, ties by call id and text.
fn quotes(mut found: Vec<(f64, &str, &str)>) -> Vec<String> {
    // Best first; prefer sentences of readable length; ties by call id and text.
    let readable = |s: &str| if (20..=200).contains(&s.len()) { 1.0 } else { 0.5 };
    found.sort_by(|a, b| {
        (b.0 * readable(b.2)).total_cmp(&(a.0 * readable(a.2))).then_with(|| a.1.cmp(b.1)).then_with(|| a.2.cmp(b.2))
    });
    let mut quotes: Vec<String> = Vec::new();
    for (_, _, text) in found {
        if quotes.len() == 3 {
            break;
        }
        if !quotes.iter().any(|q| q.eq_ignore_ascii_case(text)) {
            quotes.push(text.to_string());
        }
    }
    quotes
}

/// The theme with the highest score among those a call touched (the lowest index on ties), and
/// the scores set back to zero for the next call.
fn take_best(touched: &[u32], scores: &mut [f64]) -> Option<u32> {
    let best = touched
        .iter()
        .copied()
        .max_by(|&a, &b| scores[a as usize].total_cmp(&scores[b as usize]).then_with(|| b.cmp(&a)));
    for &g in touched {
        scores[g as usize] = 0.0;
    }
    best
}

/// The 2-3 top phrases, leaving out a word already inside a chosen phrase.
fn label(phrases: &[String]) -> String {
    let mut chosen: Vec<&str> = Vec::new();
    for p in phrases {
        if chosen.len() == 3 {
            break;
        }
        let inside = |a: &str, b: &str| a.split(' ').all(|w| b.split(' ').any(|x| x == w));
        if chosen.iter().any(|c| inside(p, c) || inside(c, p)) {
            continue;
        }
        chosen.push(p);
    }
    chosen.join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::discover::Term;

    fn call(words: &[&str]) -> CallTerms {
        CallTerms {
            terms: words
                .iter()
                .map(|w| Term { kind: Kind::Complaint, key: w.to_string(), surface: w.to_string(), early: false })
                .collect(),
            sentences: vec![(words.join(" "), (1u64 << words.len()) - 1)],
        }
    }

    fn corpus(order: &[usize]) -> Vec<(String, CallTerms)> {
        let mut calls = Vec::new();
        for i in 0..12 {
            calls.push((format!("bag{i}"), call(&["lost", "bag", "lost bag", &format!("x{i}")])));
        }
        for i in 0..10 {
            calls.push((format!("wifi{i}"), call(&["wifi", "slow", &format!("y{i}")])));
        }
        for i in 0..30 {
            calls.push((format!("none{i}"), call(&[&format!("z{i}")])));
        }
        order.iter().map(|&i| calls[i].clone()).collect()
    }

    fn run(calls: Vec<(String, CallTerms)>, rules: &ThemeRules) -> (Themes, Vec<String>) {
        let mut c = Collector::default();
        let ids: Vec<String> = calls.iter().map(|(id, _)| id.clone()).collect();
        for (id, t) in calls {
            c.add(&id, t, &[("region".to_string(), if id.starts_with("bag") { "west" } else { "east" }.to_string())]);
        }
        (c.themes(rules, 50), ids)
    }

    #[test]
    fn co_occurring_terms_make_one_theme_and_every_call_gets_it() {
        let rules = ThemeRules { min_calls: 5, ..ThemeRules::default() };
        let (themes, ids) = run(corpus(&(0..52).collect::<Vec<_>>()), &rules);
        assert_eq!(themes.themes.len(), 2, "{themes:#?}");
        let bag = &themes.themes[0];
        assert_eq!((bag.id.as_str(), bag.calls, bag.kind), ("T01", 12, Kind::Complaint));
        assert_eq!(bag.label, "lost bag");
        assert_eq!(themes.themes[1].label, "slow / wifi");
        assert_eq!(themes.themes[1].quotes.len(), 3);
        for (id, a) in ids.iter().zip(&themes.assignment) {
            let want = if id.starts_with("bag") {
                Some(0)
            } else if id.starts_with("wifi") {
                Some(1)
            } else {
                None
            };
            assert_eq!(*a, want, "{id}");
        }
        assert!((themes.unassigned_share() - 30.0 / 52.0).abs() < 1e-12);
        let west = &themes.counts.fields["region"].values["west"];
        assert_eq!((west.calls, west.category_calls.as_slice()), (12, [12, 0].as_slice()));
    }

    #[test]
    fn the_order_of_calls_changes_nothing() {
        let rules = ThemeRules { min_calls: 5, ..ThemeRules::default() };
        let forward: Vec<usize> = (0..52).collect();
        let backward: Vec<usize> = (0..52).rev().collect();
        let (a, ida) = run(corpus(&forward), &rules);
        let (b, idb) = run(corpus(&backward), &rules);
        assert_eq!(a.themes, b.themes);
        let by_id = |t: &Themes, ids: &[String]| -> BTreeMap<String, Option<u32>> {
            ids.iter().cloned().zip(t.assignment.iter().copied()).collect()
        };
        assert_eq!(by_id(&a, &ida), by_id(&b, &idb));
    }

    #[test]
    fn a_theme_below_the_minimum_is_dissolved() {
        let rules = ThemeRules { min_calls: 11, ..ThemeRules::default() };
        let (themes, _) = run(corpus(&(0..52).collect::<Vec<_>>()), &rules);
        assert_eq!(themes.themes.len(), 1);
        assert_eq!(themes.themes[0].calls, 12);
    }

    #[test]
    fn terms_in_too_many_calls_are_not_themes() {
        let mut calls = Vec::new();
        for i in 0..40 {
            calls.push((format!("c{i}"), call(&["flight", &format!("w{}", i % 4)])));
        }
        let (themes, _) = run(calls, &ThemeRules { min_calls: 3, ..ThemeRules::default() });
        assert!(themes.themes.iter().all(|t| !t.label.contains("flight")), "{themes:#?}");
        assert_eq!(themes.themes.len(), 4);
    }
}
