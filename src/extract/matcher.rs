//! Phrase matching: one Aho-Corasick automaton over every phrase and exclusion of the taxonomy,
//! with word boundaries, exclusions and negation applied to the raw hits.
//!
//! Matching is ASCII case-insensitive: the automaton holds the phrases in lowercase and reads a
//! copy of the text with its ASCII letters lowercased, which keeps every byte where it was, so
//! offsets point into what the customer said and quotes need no mapping back. Phrases written
//! with a straight apostrophe also match the typographic one (`’`), the form that phones and
//! word processors produce, and a phrase with a negative contraction (`can't`) also matches it
//! written without the apostrophe (`cant`), the way chat and social messages often spell it.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::{dfa, nfa::contiguous, Anchored, MatchKind};

use super::adverb;
use super::taxonomy::Taxonomy;
use crate::normalize::{ceil_char, floor_char};

thread_local! {
    /// Per thread, reused for every turn: the text without its adverbs, where they were, and
    /// the hits found in it.
    static SHORTENED: std::cell::RefCell<(String, Vec<adverb::Gap>, Vec<Hit>)> = const {
        std::cell::RefCell::new((String::new(), Vec::new(), Vec::new()))
    };
    /// Per thread, reused for every turn: where the adverbs of [`adverb::ADVERBS`] stand in it.
    static ADVERB_SPANS: std::cell::RefCell<Vec<(usize, usize)>> = const { std::cell::RefCell::new(Vec::new()) };
    /// Per thread, reused for every text scanned alone ([`Matcher::find_marked`]).
    static ALONE: std::cell::Cell<Scanned> = std::cell::Cell::new(Scanned::default());
    /// Per thread, reused for every rescan around an adverb.
    static RESCAN: std::cell::RefCell<Scanned> = std::cell::RefCell::new(Scanned::default());
}

/// Put between the texts of one scan: no pattern holds it (it is never part of UTF-8), so no
/// match runs from one text into the next, and the automaton is back at its start after it.
const SEPARATOR: u8 = 0xFF;

/// Texts shorter than this are walked in one stream (see [`walk`]).
const TWO_STREAMS_FROM: usize = 64;

/// Texts this long or longer are walked in [`STREAMS`] streams (see [`walk`]).
const MANY_STREAMS_FROM: usize = 256;

/// The most streams a text is walked in at once (see [`walk`]).
const STREAMS: usize = 4;

/// The automaton: a DFA while the patterns are few enough, else a contiguous NFA.
#[derive(Debug, Clone)]
enum Compiled {
    Dfa(dfa::DFA),
    Nfa(contiguous::NFA),
}

/// What the automaton found in several texts at once ([`Matcher::scan_texts`]), to be read text by
/// text with [`Matcher::find_marked_in`].
#[derive(Debug, Default)]
pub struct Scanned {
    /// (pattern, start, end), offsets in the text the match is in; text by text, in the order of
    /// their ends.
    found: Vec<(u32, usize, usize)>,
    /// Per text, where its matches end in `found`.
    ends: Vec<usize>,
    /// The texts, lowercased and joined by [`SEPARATOR`].
    lower: Vec<u8>,
    /// (pattern, end in `lower`) as walked, per stream.
    raw: [Vec<(u32, usize)>; STREAMS],
}

impl Compiled {
    fn pattern_len(&self, pattern: aho_corasick::PatternID) -> usize {
        match self {
            Compiled::Dfa(a) => a.pattern_len(pattern),
            Compiled::Nfa(a) => a.pattern_len(pattern),
        }
    }
}

impl Scanned {
    /// The matches in text `i`, as (pattern, start, end).
    fn of(&self, i: usize) -> &[(u32, usize, usize)] {
        let from = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.found[from..self.ends[i]]
    }
}

/// A phrase of a category found in a text, after boundaries, exclusions and negation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Index of the category in the taxonomy.
    pub category: u16,
    /// Index of the phrase in that category's list.
    pub phrase: u16,
    /// Byte offset where the phrase starts.
    pub start: usize,
    /// Byte offset just past the phrase.
    pub end: usize,
}

#[derive(Debug, Clone, Copy, Default)]
struct PatternInfo {
    category: u16,
    phrase: u16,
    exclude: bool,
    /// Written `^phrase`: counts only where a sentence starts (after a word of politeness).
    anchored: bool,
    /// Written `_ phrase`: counts only after a subject that names a thing ([`after_a_subject`]).
    subject: bool,
    /// Not a phrase: one of the adverbs [`adverb::without_adverbs`] may leave out, looked for in
    /// the same scan.
    adverb: bool,
    /// Not a phrase: a word to mark (see [`Matcher::with_marks`]), by its index in that list.
    mark: Option<u16>,
}

/// Where a word to mark stands in a text, as found: its index in the list of words to mark and
/// its byte range. Neither boundaries nor negation are looked at.
pub type Marked = (u16, usize, usize);

/// The compiled taxonomy.
#[derive(Debug, Clone)]
pub struct Matcher {
    automaton: Option<Compiled>,
    info: Vec<PatternInfo>,
    /// The longest pattern, in bytes.
    longest: usize,
}

/// Words that negate a phrase that follows them closely in the same clause.
const NEGATORS: &[&str] = &["not", "no", "never", "without", "none", "nobody", "neither", "nor", "cannot", "nothing"];
/// Words that end a clause: negation before them does not reach past them.
pub(super) const CLAUSE_BREAKS: &[&str] = &["but", "although", "though", "however", "yet", "because", "and", "so"];
/// Subjects that open a new clause: a negator before one belongs to another clause ("if this
/// isn't fixed I'm cancelling", "I don't think I was charged twice").
const SUBJECTS: &[&str] =
    &["i", "i'm", "im", "i've", "i'd", "i'll", "we", "we're", "we've", "they", "they're", "he", "she", "you", "you're"];
/// Words that open an embedded question: a negator before one negates the main clause, not the
/// question ("I don't know what's going on with my bill", "no idea why it keeps dropping").
const QUESTION_WORDS: &[&str] = &["what", "what's", "why", "how", "where", "where's", "when", "who", "whether"];
/// Up to this many bytes of patterns, the taxonomy is compiled to a DFA. Measured on the
/// benchmark's 1 GB with 10,000 phrases (324 KB of patterns), one thread: 5.09-5.19 s of CPU with
/// the DFA against 5.40-5.47 s with the contiguous NFA, peak RSS 150 MB against 110 MB: the DFA is
/// 41.9 MB, the NFA 2.3 MB. The DFA grows with the patterns (60 MB at 492 KB), so the limit
/// stays close to that size: a run with discovery must keep within 200 MB for 1 GB.
const DFA_PATTERN_BYTES: usize = 352 * 1024;

/// How many words before a phrase a negator may stand.
const NEGATION_WINDOW: usize = 3;

impl Matcher {
    /// Compiles every phrase and exclusion of the taxonomy.
    pub fn new(taxonomy: &Taxonomy) -> Result<Matcher, aho_corasick::BuildError> {
        Matcher::with_marks(taxonomy, &[], &[])
    }

    /// Compiles the taxonomy and one more list of phrases, found in the same scan of the text:
    /// their hits carry the category index `taxonomy.categories.len()`. The `marks` are words
    /// (matched as written, ASCII case ignored) whose places [`Matcher::find_marked`] reports as
    /// well, so that a later stage needs no scan of its own.
    ///
    /// # Panics
    ///
    /// With more than 65,536 marks: they are numbered by `u16`.
    pub fn with_marks(
        taxonomy: &Taxonomy,
        extra: &[&str],
        marks: &[&str],
    ) -> Result<Matcher, aho_corasick::BuildError> {
        Matcher::build(taxonomy, extra, marks, DFA_PATTERN_BYTES)
    }

    /// [`Matcher::with_marks`], with a DFA up to `dfa_up_to` bytes of patterns.
    fn build(
        taxonomy: &Taxonomy,
        extra: &[&str],
        marks: &[&str],
        dfa_up_to: usize,
    ) -> Result<Matcher, aho_corasick::BuildError> {
        let mut patterns = Vec::new();
        let mut info = Vec::new();
        let extra: Vec<String> = extra.iter().map(|p| p.to_string()).collect();
        let none = Vec::new();
        let lists = taxonomy.categories.iter().map(|c| (&c.phrases, &c.exclude)).chain([(&extra, &none)]);
        for (ci, (phrases, exclude)) in lists.enumerate() {
            let lists = [(phrases, false), (exclude, true)];
            for (list, exclude) in lists {
                for (pi, phrase) in list.iter().enumerate() {
                    let (anchored, subject, phrase) = super::taxonomy::marked(phrase);
                    // An empty pattern would match everywhere (a taxonomy cannot hold one).
                    if phrase.is_empty() {
                        continue;
                    }
                    let pattern = PatternInfo {
                        category: ci as u16,
                        phrase: pi as u16,
                        exclude,
                        anchored,
                        subject,
                        ..PatternInfo::default()
                    };
                    if phrase.contains('\'') {
                        patterns.push(phrase.replace('\'', "\u{2019}"));
                        info.push(pattern);
                    }
                    if let Some(bare) = without_contraction_apostrophes(phrase) {
                        patterns.push(bare);
                        info.push(pattern);
                    }
                    patterns.push(phrase.to_string());
                    info.push(pattern);
                }
            }
        }
        if patterns.is_empty() && marks.is_empty() {
            return Ok(Matcher { automaton: None, info, longest: 0 });
        }
        let longest = patterns.iter().map(String::len).max().unwrap_or(0);
        // A DFA takes one table load per byte, the NFA may follow several failure transitions; the
        // DFA's memory grows with the patterns' bytes (see DFA_PATTERN_BYTES).
        let pattern_bytes: usize = patterns.iter().map(String::len).sum();
        let use_dfa = pattern_bytes <= dfa_up_to;
        // The adverbs ride along in the same scan (a few dozen bytes; the choice above is the
        // phrases' alone): most turns have none, and then they need no second reading.
        for word in adverb::ADVERBS {
            patterns.push(String::from_utf8_lossy(word).into_owned());
            info.push(PatternInfo { adverb: true, ..PatternInfo::default() });
        }
        for (i, word) in marks.iter().enumerate().filter(|(_, w)| !w.is_empty()) {
            let mark = u16::try_from(i).expect("at most 65,536 words to mark");
            patterns.push(word.to_string());
            info.push(PatternInfo { mark: Some(mark), ..PatternInfo::default() });
        }
        // Case is folded before the search (see `scan_texts`): an automaton over lowercase patterns has
        // half the letter classes of a case-insensitive one, so its table is smaller.
        let patterns: Vec<String> = patterns.iter().map(|p| p.to_ascii_lowercase()).collect();
        let automaton = if use_dfa {
            Compiled::Dfa(dfa::Builder::new().match_kind(MatchKind::Standard).prefilter(false).build(&patterns)?)
        } else {
            Compiled::Nfa(contiguous::Builder::new().match_kind(MatchKind::Standard).prefilter(false).build(&patterns)?)
        };
        Ok(Matcher { automaton: Some(automaton), info, longest })
    }

    /// Finds the category phrases in `text`, appending them to `hits` in text order. A phrase
    /// also matches with an adverb after its auxiliary ("won't even turn on", "would be really
    /// helpful"; see [`adverb`]): the text is scanned a second time with those adverbs left out.
    pub fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        self.find_marked(text, hits, None);
    }

    /// [`Matcher::find`], appending to `marks` where the words to mark stand, in the order found.
    pub fn find_marked(&self, text: &str, hits: &mut Vec<Hit>, marks: Option<&mut Vec<Marked>>) {
        let mut scanned = ALONE.take();
        self.scan_texts(&[text], &mut scanned);
        self.find_marked_in(text, &scanned, 0, hits, marks);
        ALONE.set(scanned);
    }

    /// Runs the automaton over all of `texts` in one pass (the texts of a call: one pass costs less
    /// than one per turn, and is long enough to walk as several streams, see [`walk`]), for
    /// [`Matcher::find_marked_in`] to read text by text.
    pub fn scan_texts(&self, texts: &[&str], scanned: &mut Scanned) {
        let Scanned { found, ends, lower, raw } = scanned;
        found.clear();
        ends.clear();
        let Some(automaton) = &self.automaton else {
            ends.resize(texts.len(), 0);
            return;
        };
        lower.clear();
        for text in texts {
            lower.extend_from_slice(text.as_bytes());
            lower.push(SEPARATOR);
        }
        lower.make_ascii_lowercase();
        raw.iter_mut().for_each(Vec::clear);
        match automaton {
            Compiled::Dfa(a) => walk(a, lower, raw),
            Compiled::Nfa(a) => walk(a, lower, raw),
        }
        // Back to the texts: the ends come in order, and no match reaches past a text's end.
        let (mut text, mut offset) = (0, 0);
        for &(pattern, end) in raw.iter().flatten() {
            while end > offset + texts[text].len() {
                ends.push(found.len());
                offset += texts[text].len() + 1;
                text += 1;
            }
            let len = automaton.pattern_len(aho_corasick::PatternID::new_unchecked(pattern as usize));
            found.push((pattern, end - len - offset, end - offset));
        }
        ends.resize(texts.len(), found.len());
    }

    /// [`Matcher::find_marked`] for text `i` of those `scanned` holds (`text` is that text).
    pub fn find_marked_in(
        &self,
        text: &str,
        scanned: &Scanned,
        i: usize,
        hits: &mut Vec<Hit>,
        marks: Option<&mut Vec<Marked>>,
    ) {
        let first = hits.len();
        let mut adverbs = ADVERB_SPANS.take();
        adverbs.clear();
        self.scan(text, scanned.of(i), hits, Some(&mut adverbs), marks);
        let found = !adverbs.is_empty();
        SHORTENED.with_borrow_mut(|(short, gaps, more)| {
            if !found || !adverb::without_adverbs(text, &adverbs, short, gaps) {
                return;
            }
            more.clear();
            // Only a phrase across a gap is new; one is at most `longest` bytes, and what could
            // exclude it at most as far again on either side, so only that much around each gap
            // is scanned again.
            let reach = 2 * self.longest;
            let mut window: Option<(usize, usize)> = None;
            for &(at, _) in gaps.iter() {
                let (from, to) = (floor_char(short, at.saturating_sub(reach)), ceil_char(short, at + reach));
                window = match window {
                    Some((a, b)) if from <= b => Some((a, to)),
                    Some((a, b)) => {
                        self.rescan(short, a..b, more);
                        Some((from, to))
                    }
                    None => Some((from, to)),
                };
            }
            if let Some((a, b)) = window {
                self.rescan(short, a..b, more);
            }
            let before = hits.len();
            for h in more.iter() {
                let start = adverb::original_offset(gaps, h.start, false);
                let end = adverb::original_offset(gaps, h.end, true);
                let overlaps = |o: &Hit| o.category == h.category && o.start < end && start < o.end;
                if !hits[first..].iter().any(overlaps) {
                    hits.push(Hit { start, end, ..*h });
                }
            }
            if hits.len() > before {
                hits[first..].sort_by_key(|h| (h.start, h.category, std::cmp::Reverse(h.end)));
            }
        });
        ADVERB_SPANS.set(adverbs);
    }

    /// Scans `span` of `text` again (around the gaps left by adverbs) and appends the category
    /// phrases that lie in it; what stands around the span still counts as context.
    fn rescan(&self, text: &str, span: std::ops::Range<usize>, hits: &mut Vec<Hit>) {
        RESCAN.with_borrow_mut(|scanned| {
            self.scan_texts(&[&text[span.clone()]], scanned);
            for found in &mut scanned.found {
                found.1 += span.start;
                found.2 += span.start;
            }
            self.scan(text, scanned.of(0), hits, None, None);
        });
    }

    /// Appends the category phrases of `text` among the automaton's matches in it (`found`, as
    /// (pattern, start, end)), as written; what stands around them counts as context (sentence
    /// starts, subjects, negation). With `adverbs`, also where the adverbs
    /// [`adverb::without_adverbs`] takes stand, in order; with `marks`, where the words to mark
    /// stand.
    fn scan(
        &self,
        text: &str,
        found: &[(u32, usize, usize)],
        hits: &mut Vec<Hit>,
        mut adverbs: Option<&mut Vec<(usize, usize)>>,
        mut marks: Option<&mut Vec<Marked>>,
    ) {
        let first = hits.len();
        let mut excluded: Vec<(u16, usize, usize)> = Vec::new();
        for &(pattern, start, end) in found {
            let info = self.info[pattern as usize];
            if let Some(mark) = info.mark {
                if let Some(marks) = marks.as_deref_mut() {
                    marks.push((mark, start, end));
                }
                continue;
            }
            if info.adverb {
                if let Some(adverbs) = adverbs.as_deref_mut() {
                    if adverb::stands_alone(text.as_bytes(), start, end) {
                        adverbs.push((start, end));
                    }
                }
                continue;
            }
            if !at_word_boundaries(text, start, end) {
                continue;
            }
            if (info.anchored && !starts_sentence(text, start)) || (info.subject && !after_a_subject(text, start)) {
                continue;
            }
            if info.exclude {
                excluded.push((info.category, start, end));
            } else {
                hits.push(Hit { category: info.category, phrase: info.phrase, start, end });
            }
        }
        let mut kept: Vec<Hit> = hits.drain(first..).collect();
        kept.retain(|h| {
            let overlaps = |&(c, s, e): &(u16, usize, usize)| c == h.category && s < h.end && h.start < e;
            !excluded.iter().any(overlaps) && !is_negated(text, h.start)
        });
        kept.sort_by_key(|h| (h.start, h.category, std::cmp::Reverse(h.end)));
        // Overlapping phrases of one category ("want to cancel" + "cancel my account") are one
        // mention: the first (and, from the same start, the longest) stands for the span.
        let mut reach: Vec<(u16, usize)> = Vec::new();
        for h in kept {
            match reach.iter_mut().find(|(c, _)| *c == h.category) {
                Some((_, end)) if h.start < *end => continue,
                Some((_, end)) => *end = h.end,
                None => reach.push((h.category, h.end)),
            }
            hits.push(h);
        }
    }
}

/// Appends (pattern, end) for every match of `a` in `hay` to `outs`, in the order of their ends
/// (`outs[0]`, then `outs[1]`, ...). A long hay is walked as several streams in one loop: the hay
/// is cut into [`STREAMS`] parts (two below [`MANY_STREAMS_FROM`] bytes, one below
/// [`TWO_STREAMS_FROM`]), and each part but the first is read from one byte less than the longest
/// pattern's length before it, so that a match across a cut is seen whole (it is reported by the
/// stream of the part it ends in). Each step of a walk waits for a table load; the streams' loads
/// overlap. Measured on the customer turns of 16,686 benchmark calls (8.6 MB), 1,853 patterns: 2.9
/// ns per byte scanning turn by turn with the crate's iterator, 2.7 walking each call in one
/// stream, 1.75 in two; with 10,853 patterns 3.8, 3.6 and 2.3. Four streams instead of two from
/// 256 bytes took a 1 GB, one-thread run from 3.61-3.67 s of CPU to 3.48-3.54 (1,000 phrases)
/// and from 4.82 to 4.57 (10,000); eight were no faster than four.
fn walk<A: Automaton>(a: &A, hay: &[u8], outs: &mut [Vec<(u32, usize)>; STREAMS]) {
    if hay.len() >= MANY_STREAMS_FROM {
        walk_streams::<A, STREAMS>(a, hay, outs);
    } else if hay.len() >= TWO_STREAMS_FROM {
        walk_streams::<A, 2>(a, hay, outs);
    } else {
        walk_streams::<A, 1>(a, hay, outs);
    }
}

/// [`walk`] in `N` streams (at most [`STREAMS`]).
fn walk_streams<A: Automaton, const N: usize>(a: &A, hay: &[u8], outs: &mut [Vec<(u32, usize)>; STREAMS]) {
    let start = a.start_state(Anchored::No).expect("the automaton is built for unanchored searches");
    let overlap = a.max_pattern_len().saturating_sub(1);
    // Stream k reports the matches that end in cuts[k]+1 ..= cuts[k+1], reading from froms[k].
    let cuts: [usize; N] = std::array::from_fn(|k| hay.len() * k / N);
    let froms: [usize; N] = std::array::from_fn(|k| cuts[k].saturating_sub(overlap));
    let ends: [usize; N] = std::array::from_fn(|k| if k + 1 < N { cuts[k + 1] } else { hay.len() });
    // The first stream is never longer than the others: they all walk its length together.
    let together = ends[0];
    let streams: [&[u8]; N] = std::array::from_fn(|k| &hay[froms[k]..froms[k] + together]);
    let mut states = [start; N];
    // Byte i of every stream in one step: an index, not an iterator per stream.
    #[allow(clippy::needless_range_loop)]
    for i in 0..together {
        for k in 0..N {
            states[k] = a.next_state(Anchored::No, states[k], streams[k][i]);
        }
        // Most bytes end in a state that is not special: tested here, the rest out of line.
        for k in 0..N {
            if a.is_special(states[k]) && froms[k] + i + 1 > cuts[k] {
                report(a, states[k], froms[k] + i + 1, &mut outs[k]);
            }
        }
    }
    for k in 1..N {
        for (at, &byte) in hay.iter().enumerate().take(ends[k]).skip(froms[k] + together) {
            states[k] = a.next_state(Anchored::No, states[k], byte);
            if a.is_special(states[k]) && at + 1 > cuts[k] {
                report(a, states[k], at + 1, &mut outs[k]);
            }
        }
    }
}

/// Appends the patterns that end at `end` in state `sid`, if it is a match state.
#[inline(never)]
fn report<A: Automaton>(a: &A, sid: StateID, end: usize, out: &mut Vec<(u32, usize)>) {
    if a.is_match(sid) {
        for k in 0..a.match_len(sid) {
            out.push((a.match_pattern(sid, k).as_u32(), end));
        }
    }
}

/// `phrase` with the apostrophe of every `n't` left out (`can't log in` -> `cant log in`), if it
/// has one. Only `n't`: other contractions spelled without one are other words (`we'll` / `well`,
/// `i'll` / `ill`, `we're` / `were`).
fn without_contraction_apostrophes(phrase: &str) -> Option<String> {
    phrase.contains("n't").then(|| phrase.replace("n't", "nt"))
}

/// Negative contractions as chat and social messages spell them, without the apostrophe.
pub(super) const BARE_NEGATIVES: &[&str] = &[
    "dont", "doesnt", "didnt", "cant", "couldnt", "wont", "wouldnt", "shouldnt", "isnt", "arent", "wasnt", "werent",
    "hasnt", "havent", "hadnt", "aint",
];

/// Words that may come before an anchored phrase at the start of a sentence ("Please add ...",
/// "So just allow ...").
const LEADERS: &[&str] =
    &["please", "pls", "plz", "kindly", "also", "so", "and", "just", "simply", "then", "maybe", "perhaps"];

/// Whether `start` opens a sentence: only space and up to two [`LEADERS`] stand between it and
/// the start of the text or the end of the previous sentence.
fn starts_sentence(text: &str, start: usize) -> bool {
    // A comma may follow the leader right before the phrase too ("Also, allow ...").
    let mut before = text[..start].trim_end().trim_end_matches(',').trim_end();
    for _ in 0..=2 {
        match before.chars().next_back() {
            None => return true,
            Some('.' | '!' | '?' | ';' | ':' | '\n' | '(' | '"' | '\u{201C}' | '-' | '\u{2013}' | '\u{2014}' | '*') => {
                return true
            }
            Some(_) => {}
        }
        let cut = before
            .rfind(|c: char| !is_word_char(c))
            .map_or(0, |i| i + before[i..].chars().next().map_or(1, char::len_utf8));
        let word = &before[cut..];
        if word.is_empty() || !is_one_of(word, LEADERS) {
            return false;
        }
        before = before[..cut].trim_end().trim_end_matches(',').trim_end();
    }
    false
}

/// Words that cannot be the last word of a subject that names a thing: pronouns, determiners,
/// question words, conjunctions and adverbs ("it should be here by now", "what should I do",
/// "and should").
const NOT_SUBJECTS: &[&str] = &[
    "i",
    "you",
    "we",
    "they",
    "he",
    "she",
    "it",
    "this",
    "that",
    "these",
    "those",
    "there",
    "here",
    "someone",
    "somebody",
    "anyone",
    "anybody",
    "everyone",
    "everybody",
    "nobody",
    "one",
    "me",
    "us",
    "them",
    "him",
    "her",
    "which",
    "who",
    "what",
    "when",
    "where",
    "why",
    "how",
    "and",
    "or",
    "but",
    "so",
    "then",
    "also",
    "still",
    "just",
    "really",
    "probably",
    "definitely",
    "maybe",
    "perhaps",
    "surely",
    "certainly",
    "not",
    "never",
    "the",
    "a",
    "an",
    "my",
    "our",
    "your",
    "their",
    "his",
    "its",
    "if",
    "as",
    "than",
    "else",
    "all",
    "both",
    "each",
];

/// Words that make a subject the customer's own ("my order should have come"): a statement about
/// their case, not about how the product should be.
const OWN: &[&str] = &["my", "our", "mine", "i", "we", "me", "us"];

/// Whether the words right before `start`, in the same clause, end a subject that names a thing:
/// the last is a word, not one of [`NOT_SUBJECTS`], and none of the last three is [`OWN`]
/// ("the search should remember my filters", "your app should have a dark mode"; not "I
/// should", "it should", "my parcel should").
fn after_a_subject(text: &str, start: usize) -> bool {
    /// Adverbs that may stand between the subject and the phrase ("the bill really should").
    const BETWEEN: &[&str] = &["really", "also", "definitely", "probably", "certainly", "surely", "just", "actually"];
    let mut before = &text[..start];
    let mut n = 0;
    while n < 3 {
        let trimmed = before.trim_end_matches(|c: char| !is_word_char(c));
        let gap = &before[trimmed.len()..];
        if gap.contains(['.', ',', ';', ':', '!', '?', '(', ')', '"', '\n']) || trimmed.is_empty() {
            return n > 0;
        }
        let word_start = trimmed
            .rfind(|c: char| !is_word_char(c))
            .map_or(0, |i| i + trimmed[i..].chars().next().map_or(1, char::len_utf8));
        let word = &trimmed[word_start..];
        before = &trimmed[..word_start];
        if n == 0 && is_one_of(word, BETWEEN) {
            continue;
        }
        let not_a_subject = !word.chars().any(char::is_alphabetic) || is_one_of(word, NOT_SUBJECTS);
        if is_one_of(word, OWN) || (n == 0 && not_a_subject) {
            return false;
        }
        n += 1;
    }
    true
}

/// A phrase must not start or end inside a word (when its own edge is a word character).
fn at_word_boundaries(text: &str, start: usize, end: usize) -> bool {
    let is_word = |c: char| c.is_alphanumeric();
    let first = text[start..end].chars().next();
    let last = text[start..end].chars().next_back();
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let left_ok = !first.is_some_and(is_word) || !before.is_some_and(is_word);
    let right_ok = !last.is_some_and(is_word) || !after.is_some_and(is_word);
    left_ok && right_ok
}

/// Whether a negator stands within [`NEGATION_WINDOW`] words before `start` in the same clause.
/// "not only" / "not just" / "no doubt" / "no wonder" are not negations, and a subject pronoun
/// or a question word (at the start of the phrase or between it and the negator) starts a new
/// clause.
pub fn is_negated(text: &str, start: usize) -> bool {
    if negation_class(first_word(&text[start..])) & (IS_SUBJECT | IS_QUESTION_WORD) != 0 {
        return false;
    }
    // words[0] is the word right before the phrase, with its classes.
    let mut words: [(&str, u8); NEGATION_WINDOW] = [("", 0); NEGATION_WINDOW];
    let mut n = 0;
    let mut before = &text[..start];
    while n < NEGATION_WINDOW {
        let trimmed = before.trim_end_matches(|c: char| !is_word_char(c));
        let gap = &before[trimmed.len()..];
        if gap.contains(['.', ',', ';', ':', '!', '?', '(', ')', '"', '\n']) {
            break;
        }
        let word_start = trimmed
            .rfind(|c: char| !is_word_char(c))
            .map_or(0, |i| i + trimmed[i..].chars().next().map_or(1, char::len_utf8));
        let word = &trimmed[word_start..];
        let class = negation_class(word);
        if word.is_empty() || class & (IS_CLAUSE_BREAK | IS_SUBJECT | IS_QUESTION_WORD) != 0 {
            break;
        }
        words[n] = (word, class);
        n += 1;
        before = &trimmed[..word_start];
    }
    (0..n).any(|i| {
        let (w, class) = words[i];
        let next = if i == 0 { "" } else { words[i - 1].0 };
        let negator = class & IS_NEGATOR != 0 || ends_with_nt(w);
        let pseudo = (w.eq_ignore_ascii_case("not")
            && (next.eq_ignore_ascii_case("only") || next.eq_ignore_ascii_case("just")))
            || (w.eq_ignore_ascii_case("no") && is_one_of(next, &["doubt", "wonder", "matter"]));
        negator && !pseudo
    })
}

/// Bits of [`negation_class`]: the word lists of the negation rule a word is in.
const IS_NEGATOR: u8 = 1;
const IS_CLAUSE_BREAK: u8 = 2;
const IS_SUBJECT: u8 = 4;
const IS_QUESTION_WORD: u8 = 8;

/// The word lists of the negation rule, each with its class bit.
const NEGATION_LISTS: [(&[&str], u8); 5] = [
    (NEGATORS, IS_NEGATOR),
    (BARE_NEGATIVES, IS_NEGATOR),
    (CLAUSE_BREAKS, IS_CLAUSE_BREAK),
    (SUBJECTS, IS_SUBJECT),
    (QUESTION_WORDS, IS_QUESTION_WORD),
];

/// Which of [`NEGATORS`] (with [`BARE_NEGATIVES`]), [`CLAUSE_BREAKS`], [`SUBJECTS`] and
/// [`QUESTION_WORDS`] a word is in, compared as [`is_one_of`] compares: the negation rule looks at
/// up to four words around every hit, and one lookup is much cheaper than comparing each word
/// with every listed one.
fn negation_class(word: &str) -> u8 {
    type Classes = HashMap<&'static str, u8, BuildHasherDefault<super::sentiment::Fnv>>;
    static CLASSES: OnceLock<Classes> = OnceLock::new();
    let classes = CLASSES.get_or_init(|| {
        let mut map = Classes::default();
        for (list, bit) in NEGATION_LISTS {
            for &w in list {
                *map.entry(w).or_insert(0) |= bit;
            }
        }
        map
    });
    // The listed words are short, lowercase ASCII: the word is folded on the stack, the
    // typographic apostrophe as the straight one; anything else is in no list.
    let mut buf = [0u8; adverb::LONGEST];
    adverb::fold(word, &mut buf).and_then(|w| classes.get(w)).copied().unwrap_or(0)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '\u{2019}'
}

fn first_word(text: &str) -> &str {
    let end = text.find(|c: char| !is_word_char(c)).unwrap_or(text.len());
    &text[..end]
}

/// Case-insensitive membership, with the typographic apostrophe equal to the straight one.
fn is_one_of(word: &str, list: &[&str]) -> bool {
    list.iter().any(|w| same_word(word, w))
}

fn same_word(word: &str, lower: &str) -> bool {
    if word.is_ascii() {
        return word.eq_ignore_ascii_case(lower);
    }
    let mut a = word.chars().map(|c| if c == '\u{2019}' { '\'' } else { c.to_ascii_lowercase() });
    let mut b = lower.chars();
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x == y => {}
            _ => return false,
        }
    }
}

fn ends_with_nt(word: &str) -> bool {
    let w = word.as_bytes();
    let ascii = w.len() >= 3 && w[w.len() - 3..].eq_ignore_ascii_case(b"n't");
    ascii || word.ends_with("n\u{2019}t") || word.ends_with("N\u{2019}T")
}

#[cfg(test)]
mod tests {
    #[test]
    fn negation_classes_agree_with_the_lists() {
        let mut words: Vec<String> = NEGATION_LISTS.iter().flat_map(|(l, _)| l.iter().map(|w| w.to_string())).collect();
        let variants: Vec<String> = words
            .iter()
            .flat_map(|w| [w.to_uppercase(), w.replace('\'', "\u{2019}"), format!("{w}s"), w[1..].to_string()])
            .collect();
        words.extend(variants);
        words.extend(["", "bill", "caf\u{e9}", "n\u{f6}", "notwithstandingly", "I\u{2019}M"].map(String::from));
        for w in &words {
            let class = negation_class(w);
            for (list, bit) in NEGATION_LISTS {
                if is_one_of(w, list) {
                    assert!(class & bit != 0, "{w:?} is in a list of bit {bit}");
                }
            }
            let in_some = |bit: u8| NEGATION_LISTS.iter().any(|(l, b)| *b == bit && is_one_of(w, l));
            for bit in [IS_NEGATOR, IS_CLAUSE_BREAK, IS_SUBJECT, IS_QUESTION_WORD] {
                assert_eq!(class & bit != 0, in_some(bit), "{w:?}, bit {bit}");
            }
        }
    }

    use super::*;

    proptest::proptest! {
        #[test]
        fn the_scan_finds_the_adverbs_reading_every_word_finds(
            text in "([Rr]eally|so|SO|also|even|seven|much|is|be|not|won't|x|\u{e9}|'| |\t|,|\\.|-){0,14}",
        ) {
            let matcher = Matcher::new(&taxonomy()).unwrap();
            let (mut hits, mut adverbs, mut scanned) = (Vec::new(), Vec::new(), Scanned::default());
            matcher.scan_texts(&[&text], &mut scanned);
            matcher.scan(&text, scanned.of(0), &mut hits, Some(&mut adverbs), None);
            proptest::prop_assert_eq!(adverbs, adverb::adverb_words(&text));
        }

        /// The walk (two streams from 64 bytes on, four from 256) finds what the crate's own
        /// overlapping search finds, in the same order, with either automaton.
        #[test]
        fn the_walk_finds_what_the_crate_finds(
            patterns in proptest::collection::vec("[ab ]{1,6}", 1..8),
            hay in proptest::collection::vec(proptest::sample::select(vec![b'a', b'b', b' ', SEPARATOR]), 0..600),
        ) {
            let reference = aho_corasick::AhoCorasick::new(&patterns).unwrap();
            let want: Vec<(u32, usize)> =
                reference.find_overlapping_iter(&hay).map(|m| (m.pattern().as_u32(), m.end())).collect();
            fn walked<A: Automaton>(a: &A, hay: &[u8]) -> Vec<(u32, usize)> {
                let mut outs = Default::default();
                walk(a, hay, &mut outs);
                outs.concat()
            }
            proptest::prop_assert_eq!(walked(&dfa::DFA::new(&patterns).unwrap(), &hay), want.clone());
            proptest::prop_assert_eq!(walked(&contiguous::NFA::new(&patterns).unwrap(), &hay), want);
        }

        /// The turns of a call scanned in one pass give each turn the hits it gives alone, with
        /// the DFA and with the NFA.
        #[test]
        fn turns_scanned_together_find_what_each_finds_alone(
            turns in proptest::collection::vec(
                "(I was |not |really |charged twice|app crash(es)?|keeps crashing|x|, |\\. ){0,12}", 0..6),
        ) {
            for dfa_up_to in [DFA_PATTERN_BYTES, 0] {
                let matcher = Matcher::build(&taxonomy(), &[], &[], dfa_up_to).unwrap();
                let texts: Vec<&str> = turns.iter().map(String::as_str).collect();
                let mut scanned = Scanned::default();
                matcher.scan_texts(&texts, &mut scanned);
                for (i, text) in texts.iter().enumerate() {
                    let (mut together, mut alone) = (Vec::new(), Vec::new());
                    matcher.find_marked_in(text, &scanned, i, &mut together, None);
                    matcher.find(text, &mut alone);
                    proptest::prop_assert_eq!(together, alone);
                }
            }
        }
    }

    #[test]
    fn an_empty_phrase_or_mark_is_no_pattern() {
        let matcher = Matcher::with_marks(&taxonomy(), &[""], &["", "late"]).unwrap();
        let texts = ["I was charged twice", "", "it is late"];
        let mut scanned = Scanned::default();
        matcher.scan_texts(&texts, &mut scanned);
        let (mut hits, mut marks) = (Vec::new(), Vec::new());
        for (i, text) in texts.iter().enumerate() {
            matcher.find_marked_in(text, &scanned, i, &mut hits, Some(&mut marks));
        }
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(marks, vec![(1, 6, 10)]);
    }

    fn taxonomy() -> Taxonomy {
        Taxonomy::parse(
            "t",
            r#"
[[category]]
id = "billing"
kind = "complaint"
label = "Billing"
phrases = ["charged twice", "overcharged", "double charged"]
exclude = ["not overcharged"]

[[category]]
id = "app_bug"
kind = "complaint"
label = "App"
phrases = ["crashing", "app keeps crashing", "won't load"]

[[category]]
id = "cancel"
kind = "complaint"
label = "Cancel"
phrases = ["i'm cancelling", "cancel"]

[[category]]
id = "problem"
kind = "complaint"
label = "Problem"
phrases = ["problem"]
"#,
        )
        .unwrap()
    }

    /// How many hits a text gives in a taxonomy of one idea category with these `phrases` (and
    /// `exclude`) lines.
    fn idea_hits(lists: &str) -> impl Fn(&str) -> usize {
        let toml = format!("[[category]]\nid = \"idea\"\nkind = \"idea\"\nlabel = \"I\"\n{lists}");
        let m = Matcher::new(&Taxonomy::parse("t", &toml).unwrap()).unwrap();
        move |text| {
            let mut hits = Vec::new();
            m.find(text, &mut hits);
            hits.len()
        }
    }

    /// `{text, expect}` rows: the category ids found, in order.
    #[test]
    fn table_of_matches() {
        let t = taxonomy();
        let m = Matcher::new(&t).unwrap();
        let rows: &[(&str, &[&str])] = &[
            ("I was charged twice!", &["billing"]),
            ("I was CHARGED TWICE", &["billing"]),
            ("I was Charged  twice", &[]),
            ("undercharged twice", &[]),
            ("I was overcharged.", &["billing"]),
            ("I was not overcharged", &[]),
            ("the app is not crashing anymore", &[]),
            ("the app keeps crashing", &["app_bug"]),
            ("no problem at all", &[]),
            ("it's no longer crashing", &[]),
            ("I was never charged twice", &[]),
            ("I didn't get why I was charged twice", &["billing"]),
            ("it wasn’t crashing", &[]),
            ("the page won’t load", &["app_bug"]),
            ("the page wont load", &["app_bug"]),
            ("the page won't even load", &["app_bug"]),
            ("the page won’t actually load", &["app_bug"]),
            ("the app is not really crashing", &[]),
            ("it is, really, not crashing", &[]),
            ("the page WONT load", &["app_bug"]),
            ("it wasnt crashing", &[]),
            ("I dont think I was charged twice", &["billing"]),
            ("the app didnt keep crashing", &[]),
            ("it cant be charged twice", &[]),
            ("the pagewont load", &[]),
            ("not only was I charged twice, the app keeps crashing", &["billing", "app_bug"]),
            ("it did not fail, but I was double charged", &["billing"]),
            ("a problematic day", &[]),
            ("problem: charged twice", &["problem", "billing"]),
            ("if this isn't fixed I'm cancelling", &["cancel"]),
            ("I don't think I was charged twice", &["billing"]),
            ("I don't want to cancel", &[]),
            ("no idea why crashing again", &["app_bug"]),
            ("no clue where problem is", &["problem"]),
            ("not a problem", &[]),
        ];
        for (text, expect) in rows {
            let mut hits = Vec::new();
            m.find(text, &mut hits);
            let got: Vec<&str> = hits.iter().map(|h| t.categories[h.category as usize].id.as_str()).collect();
            assert_eq!(&got, expect, "text: {text:?}");
        }
    }

    /// Case is folded on a copy of the text: hits still point at the text as written, after
    /// non-ASCII characters, and across an adverb left out.
    #[test]
    fn hits_point_into_the_text_as_written() {
        let t = taxonomy();
        let m = Matcher::new(&t).unwrap();
        for (text, said) in [
            ("Caf\u{e9} \u{2014} the page WON\u{2019}T even load", "WON\u{2019}T even load"),
            ("\u{c9}t\u{e9}: I was Charged Twice.", "Charged Twice"),
            ("OK so the App KEEPS crashing", "App KEEPS crashing"),
        ] {
            let mut hits = Vec::new();
            m.find(text, &mut hits);
            assert_eq!(hits.len(), 1, "{text:?}: {hits:?}");
            assert_eq!(&text[hits[0].start..hits[0].end], said);
        }
    }

    #[test]
    fn overlapping_phrases_of_one_category_are_one_mention() {
        let t = taxonomy();
        let m = Matcher::new(&t).unwrap();
        let mut hits = Vec::new();
        m.find("I was double charged twice", &mut hits);
        assert_eq!(hits.len(), 1, "{hits:?}");
    }

    #[test]
    fn longer_phrase_of_same_category_wins() {
        let t = taxonomy();
        let m = Matcher::new(&t).unwrap();
        let mut hits = Vec::new();
        m.find("my app keeps crashing", &mut hits);
        assert_eq!(hits.len(), 1);
        assert_eq!(t.categories[1].phrases[hits[0].phrase as usize], "app keeps crashing");
    }

    #[test]
    fn a_subject_phrase_counts_only_after_a_thing_named() {
        let count = idea_hits("phrases = [\"_ should\"]\nexclude = [\"should be here\"]\n");
        for yes in [
            "The search should remember my filters.",
            "Your app should have a dark mode",
            "I think the bill really should show the discount",
            "Honestly, the menu should be shorter",
        ] {
            assert_eq!(count(yes), 1, "{yes}");
        }
        for no in [
            "It should be fine now.",
            "I should get a refund",
            "My parcel should have come on Monday",
            "the parcel for my son should have come",
            "What should I do?",
            "Should the light be on?",
            "And should it fail, call us",
            "The courier should be here today",
            "Thanks. Should",
        ] {
            assert_eq!(count(no), 0, "{no}");
        }
    }

    #[test]
    fn an_anchored_phrase_counts_only_where_a_sentence_starts() {
        let count = idea_hits("phrases = [\"^add\"]\n");
        for yes in [
            "Add dark mode.",
            "Please add dark mode",
            "It is slow. So, please add a cache!",
            "(add offline maps)",
            "Also, add offline maps",
            "Please, add it",
        ] {
            assert_eq!(count(yes), 1, "{yes}");
        }
        for no in ["I want to add a line", "you never add anything", "to add insult to injury", "Please, sir, add it"] {
            assert_eq!(count(no), 0, "{no}");
        }
    }
}
