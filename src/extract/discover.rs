//! Discovery, the per-call half: the content terms of what the customer said that the taxonomy
//! does not already explain.
//!
//! Each customer sentence is read once. A sentence with a taxonomy complaint mention is skipped:
//! the taxonomy explains it. A sentence with an idea cue (a taxonomy idea mention or one of the
//! generic cues below) gives idea terms, taken after the cue. Every other sentence gives
//! complaint terms when it sounds negative, or when it is a question in the customer's opening; a
//! call whose complaint terms all come from such questions only asked ([`CallTerms::only_asked`]).
//! Terms are Snowball-stemmed content words (stop words out) and pairs of adjacent content words
//! within a clause, so "lost my bags" gives `lost`, `bag` and `lost bag`.
//! Grouping the terms into themes needs the whole corpus and happens in `aggregate::themes`.

use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

use super::matcher::Marked;
use super::word_key::{self, KeyMap, WordSet};
use crate::model::Kind;
use crate::normalize::{self, Conversation};

/// At most this many distinct terms are kept per call, in the order they were said: the reason
/// for a call is stated early, and the cap bounds what the run keeps per call.
pub const MAX_TERMS: usize = 32;

/// The customer's first sentences are the opening: where the reason for a call is said.
const OPENING_SENTENCES: usize = 3;

/// Lexicon words at or below this valence are blame, not a description of what happened.
const STRONG_BLAME: f64 = -3.0;

/// Lexicon words at or above this valence are praise, not a description of what happened.
const PRAISE: f64 = 2.0;

/// A quote is cut to this many bytes (at a character boundary).
const MAX_QUOTE: usize = 240;

/// Generic ways of asking for something, used on top of the taxonomy's idea phrases so that
/// discovery finds ideas with `--taxonomy none` too. Matched on lowercase text at word starts.
const IDEA_CUES: &[&str] = &[
    "i wish",
    "wish there was",
    "wish you",
    "would be great",
    "would be nice",
    "would be cool",
    "would be helpful",
    "would be awesome",
    "would love",
    "it'd be great",
    "it'd be nice",
    "please add",
    "please allow",
    "please make",
    "please bring",
    "please consider",
    "please support",
    "please provide",
    "please enable",
    "please let us",
    "you should",
    "there should be",
    "should be able to",
    "why don't you",
    "why not add",
    "can you add",
    "could you add",
    "can you please add",
    "consider adding",
    "add support for",
    "add an option",
    "add a way",
    "need a way to",
    "needs a way to",
    "give us the option",
    "give us a way",
    "i suggest",
    "i'd suggest",
    "my suggestion",
    "feature request",
    "allow users to",
    "allow us to",
    "let us",
    "bring back",
    "i'd like to be able to",
    "it would help",
    "make it possible",
    "make it easier",
    "an option to",
    "the ability to",
];

/// One term of one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term<'a> {
    /// Complaint terms and idea terms are counted apart.
    pub kind: Kind,
    /// The stemmed form, `stem` or `stem stem`: what terms are counted by.
    pub key: &'a str,
    /// The words as said, lowercase, for a phrase with the words between its two ("lost my bags"
    /// for `lost bag`): what themes are named by.
    pub surface: &'a str,
    /// Said in the opening (the customer's first sentences): the reason for a call comes early.
    pub early: bool,
    /// How the call used it, by the words said before it (a word; a phrase has none).
    pub usage: Usage,
}

/// How a word was used, as the word said just before it tells: after "the", "my" or "an" it names
/// a thing ("the refund", "my order"), after "to", "can" or "I" it says what is done ("to
/// refund", "I ordered"). A call is about a thing, so a call's lead term and a theme's label
/// prefer words that name things ("browser / open / element", not "open / manage / browser").
/// It is read from the corpus itself, so it needs no dictionary of nouns and verbs, only these
/// few grammar words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    /// Times said after a determiner or a possessive.
    pub things: u8,
    /// Times said after "to", a modal verb, a negated auxiliary ("don't", "didn't"), "please" or
    /// a subject pronoun.
    pub actions: u8,
}

impl Usage {
    fn count(&mut self, cue: Cue) {
        match cue {
            Cue::Thing => self.things = self.things.saturating_add(1),
            Cue::Action => self.actions = self.actions.saturating_add(1),
            Cue::None => {}
        }
    }
}

/// The marks that end a clause when they follow a word (see [`ends_clause`]): no phrase and no
/// cue goes across them.
const CLAUSE_ENDS: [char; 8] = [',', ';', ':', '.', '!', '?', ')', '"'];

/// What a word tells of the word after it; see [`Usage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Cue {
    #[default]
    None,
    Thing,
    Action,
}

impl Cue {
    /// The cue of a lowercase word.
    fn of(word: &str) -> Cue {
        match word {
            "a" | "an" | "the" | "my" | "your" | "our" | "their" | "his" | "her" | "its" | "this" | "these"
            | "those" | "every" | "each" | "another" | "any" | "some" => Cue::Thing,
            "to" | "can" | "could" | "will" | "would" | "should" | "must" | "may" | "might" | "cannot" | "can't"
            | "won't" | "don't" | "doesn't" | "didn't" | "couldn't" | "wouldn't" | "shouldn't" | "cant" | "wont"
            | "dont" | "doesnt" | "didnt" | "couldnt" | "wouldnt" | "shouldnt" | "i'll" | "we'll" | "you'll"
            | "they'll" | "i've" | "we've" | "you've" | "they've" | "please" | "i" | "we" | "they" | "he" | "she"
            | "you" | "it" => Cue::Action,
            _ => Cue::None,
        }
    }

    /// The cue of a word as written in the text (any case, punctuation around it, curly
    /// apostrophes), read as [`words`] reads it, with `buf` to lowercase it in: none after a
    /// clause break.
    fn before(written: &str, buf: &mut String) -> Cue {
        let trimmed = trim_to(written, char::is_alphanumeric);
        if ends_clause(written, trimmed) {
            return Cue::None;
        }
        lowercase_word(trimmed, buf);
        Cue::of(buf)
    }
}

/// Whether punctuation after the word `trimmed` (a slice of `chunk`, as [`trim_to`] cuts it) ends
/// its clause, whatever follows it in the chunk ("Delay...🙄"); a chunk with no word in it ends
/// one if it holds such punctuation (" , ", ":)").
fn ends_clause(chunk: &str, trimmed: &str) -> bool {
    let after = if trimmed.is_empty() {
        chunk
    } else {
        &chunk[trimmed.as_ptr() as usize - chunk.as_ptr() as usize + trimmed.len()..]
    };
    after.contains(CLAUSE_ENDS)
}

/// A [`Term`] kept in [`CallTerms`]: its texts are byte ranges of [`CallTerms`]' own text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct KeptTerm {
    kind: Kind,
    key: (u32, u32),
    surface: (u32, u32),
    early: bool,
    usage: Usage,
}

/// What discovery keeps of one call. Its texts are kept end to end in one string, so that a
/// call's terms cost a few allocations, not two per term.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallTerms {
    /// The keys, surface forms and sentences, end to end.
    text: String,
    /// Distinct terms (by kind and key), in the order said, at most [`MAX_TERMS`].
    terms: Vec<KeptTerm>,
    /// The customer's quotable sentences (not redacted here), with the terms each one holds as a
    /// bit mask over the terms (bit i = the i-th term): quotes for themes are picked from these.
    sentences: Vec<((u32, u32), u64)>,
    /// Complaint terms came from a question that does not sound negative (see [`read_call`]).
    asked: bool,
    /// The customer complained: complaint terms came from a sentence that sounds negative, or a
    /// sentence holds a taxonomy complaint (explained, or a general one such as "fed up").
    complained: bool,
}

impl CallTerms {
    /// Whether the customer only asked: the call's complaint terms all come from questions that
    /// do not sound negative ("does my plan include calls abroad?"), and no sentence complains,
    /// in the taxonomy's words or in words that sound negative.
    pub fn only_asked(&self) -> bool {
        self.asked && !self.complained
    }

    /// Sets where the call's complaint terms came from, for tests that make calls by hand.
    #[cfg(test)]
    pub(crate) fn set_sources(&mut self, asked: bool, complained: bool) {
        (self.asked, self.complained) = (asked, complained);
    }

    /// Appends `text` to the call's text: where it is.
    fn keep(&mut self, text: &str) -> (u32, u32) {
        let start = self.text.len() as u32;
        self.text.push_str(text);
        (start, self.text.len() as u32)
    }

    fn at(&self, (start, end): (u32, u32)) -> &str {
        &self.text[start as usize..end as usize]
    }

    /// Adds a term (the caller keeps terms distinct and at most [`MAX_TERMS`]).
    pub fn push(&mut self, term: Term) {
        let (key, surface) = (self.keep(term.key), self.keep(term.surface));
        self.terms.push(KeptTerm { kind: term.kind, key, surface, early: term.early, usage: term.usage });
    }

    /// Adds a quotable sentence holding the terms of `mask`.
    pub fn push_sentence(&mut self, sentence: &str, mask: u64) {
        let at = self.keep(sentence);
        self.sentences.push((at, mask));
    }

    /// The number of terms.
    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    /// The terms, in the order said.
    pub fn terms(&self) -> impl ExactSizeIterator<Item = Term<'_>> + '_ {
        self.terms.iter().map(|t| Term {
            kind: t.kind,
            key: self.at(t.key),
            surface: self.at(t.surface),
            early: t.early,
            usage: t.usage,
        })
    }

    /// The quotable sentences, each with the terms it holds as a bit mask over [`CallTerms::terms`].
    pub fn sentences(&self) -> impl ExactSizeIterator<Item = (&str, u64)> + '_ {
        self.sentences.iter().map(|&(at, mask)| (self.at(at), mask))
    }
}

/// The stop words, stemmed and unstemmed (`data/stopwords.txt`).
fn stop_words() -> &'static WordSet {
    static WORDS: OnceLock<WordSet> = OnceLock::new();
    WORDS.get_or_init(|| {
        include_str!("../../data/stopwords.txt")
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .flat_map(str::split_whitespace)
            .collect()
    })
}

/// The stems of the content words of the generic idea cues ("add", "option", "allow", "way",
/// "feature"): in an idea they are how customers ask, which every idea shares, not what they ask
/// for, so they are not idea terms.
fn asking_words() -> &'static WordSet {
    static WORDS: OnceLock<WordSet> = OnceLock::new();
    WORDS.get_or_init(|| {
        let stops = stop_words();
        IDEA_CUES
            .iter()
            .flat_map(|cue| cue.split(' '))
            .filter(|w| !stops.contains(w))
            .map(|w| stemmer().stem(w))
            .collect()
    })
}

fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// Words that open a negation to [`sounds_negative`], besides those ending in n't: the few that
/// negate what follows them closely in a complaint ("never arrived", "no WiFi"). (The sentiment
/// score and the taxonomy's negation rule have lists of their own, for their own rules.)
const NEGATORS: &[&str] = &["not", "never", "cannot", "no"];

/// The words discovery marks in customer turns: the idea cues, then the words of tone (the
/// negators, "n't" and the negative words of the sentiment lexicon). The extractor finds them in
/// its own scan of the turns (see [`crate::extract::Extractor::with_marks`]), which [`Marks`] reads.
pub fn mark_words() -> Vec<&'static str> {
    let tones = NEGATORS.iter().copied().chain([NT]).chain(super::sentiment::negative_words());
    IDEA_CUES.iter().copied().chain(tones).collect()
}

/// The ending of negative contractions, a word of tone at the end of a word ("don't").
const NT: &str = "n't";

/// The index of [`NT`] in [`mark_words`].
const NT_MARK: usize = IDEA_CUES.len() + NEGATORS.len();

/// The marks of a customer turn that discovery reads (see [`mark_words`]).
#[derive(Debug, Default)]
struct Marks {
    /// The idea cues, as (start, end) byte ranges, in text order: those a search for the
    /// leftmost, longest cue finds, one after another, that are whole words (ASCII case ignored).
    /// A cue holds no character that ends a sentence, so each lies within one sentence.
    cues: Vec<(usize, usize)>,
    /// Where a word of complaint's tone may stand: a negator, a word ending in n't or a negative
    /// word of the sentiment lexicon. A sentence of ASCII text without one cannot sound negative.
    tones: Vec<usize>,
}

impl Marks {
    /// The first idea cue in `start..end`.
    fn cue_in(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        self.cues.iter().find(|&&(a, b)| a >= start && b <= end).copied()
    }

    /// Whether a word of tone may stand in `start..end`.
    fn tone_in(&self, start: usize, end: usize) -> bool {
        self.tones.iter().any(|&at| at >= start && at < end)
    }

    /// Reads the [`mark_words`] found in `text`, every occurrence, as (index, start, end).
    ///
    /// The cues kept are those a leftmost-longest search finds (from the first cue, the longest
    /// that starts there; then on from its end), that are whole words: a cue inside another that
    /// is not a word ("Hi wish you had", where "i wish" is not) does not count.
    ///
    /// The words of tone prefilter [`sounds_negative`]: it finds a sentence negative only through
    /// a negator or a negative word, which, lowercased, stands in the text between characters that
    /// are not letters or digits (n't: before such a character). A sentence of ASCII text with none
    /// of them here is not negative. (ASCII only: lowercasing other characters may make an ASCII
    /// letter.)
    fn read(&mut self, text: &str, found: impl Iterator<Item = Marked>) {
        let bytes = text.as_bytes();
        let word = |i: usize| bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric());
        self.cues.clear();
        self.tones.clear();
        for (pattern, start, end) in found {
            let pattern = usize::from(pattern);
            let after = !word(end);
            let before = start == 0 || !word(start - 1);
            if pattern < IDEA_CUES.len() {
                self.cues.push((start, end));
            } else if after && (before || pattern == NT_MARK) {
                self.tones.push(start);
            }
        }
        // Leftmost first, and from one start the longest; then each next one from the end of the
        // one before, whether it is whole words or not.
        self.cues.sort_unstable_by_key(|&(a, b)| (a, std::cmp::Reverse(b)));
        let mut reached = 0;
        self.cues.retain(|&(a, b)| {
            let next = a >= reached;
            if next {
                reached = b;
            }
            next && (a == 0 || !word(a - 1)) && !word(b)
        });
    }

    /// Finds the [`mark_words`] in a turn with an automaton of its own: for a call whose marks
    /// the extractor did not find.
    fn find(&mut self, text: &str) {
        static MARKS: OnceLock<aho_corasick::AhoCorasick> = OnceLock::new();
        let automaton = MARKS.get_or_init(|| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(mark_words())
                .unwrap_or_else(|e| unreachable!("the built-in cues and the lexicon compile: {e}"))
        });
        let found = automaton.find_overlapping_iter(text);
        self.read(text, found.map(|m| (m.pattern().as_usize() as u16, m.start(), m.end())));
    }
}

/// Whether a word is a number written in words. A number is what a sentence is about ("four
/// hours"), but not a word of a theme, the same as one written in digits: it breaks phrases too,
/// so that "the chat said two minutes" does not give `chat two`. ("one" is a stop word.)
fn number_word(word: &str) -> bool {
    matches!(
        word,
        "two"
            | "three"
            | "four"
            | "five"
            | "six"
            | "seven"
            | "eight"
            | "nine"
            | "ten"
            | "eleven"
            | "twelve"
            | "fifteen"
            | "twenty"
            | "thirty"
            | "forty"
            | "fifty"
            | "sixty"
            | "hundred"
            | "hundreds"
            | "thousand"
            | "thousands"
            | "million"
            | "millions"
            | "half"
            | "dozen"
    )
}

/// Whether a word stretches a letter for emphasis ("soooo", "pleeease"): how, not what.
fn elongated(word: &str) -> bool {
    let mut run = (' ', 0);
    for c in word.chars() {
        run = if c == run.0 { (c, run.1 + 1) } else { (c, 1) };
        if run.1 >= 3 {
            return true;
        }
    }
    false
}

/// Whether the first letter of a word is a capital; `None` for a word without letters.
fn capital_first(word: &str) -> Option<bool> {
    for (i, b) in word.bytes().enumerate() {
        if b.is_ascii_alphabetic() {
            return Some(b.is_ascii_uppercase());
        }
        if !b.is_ascii() {
            return word[i..].chars().find(|c| c.is_alphabetic()).map(char::is_uppercase);
        }
    }
    None
}

/// Whether a word holds a capital letter.
fn has_capital(word: &str) -> bool {
    if word.is_ascii() {
        word.bytes().any(|b| b.is_ascii_uppercase())
    } else {
        word.chars().any(char::is_uppercase)
    }
}

/// Whether a word has a capital right after a small letter ("WiFi", "iPhone", "PayPal").
fn camel_case(word: &str) -> bool {
    let mut small = false;
    for c in word.chars() {
        if small && c.is_uppercase() {
            return true;
        }
        small = c.is_lowercase();
    }
    false
}

/// What discovery asks of one lowercase word. Each is a pure function of the word, worked out
/// once per thread and word (see [`Facts::of`]): customers use a few thousand words again and
/// again, and one lookup replaces the lexicon, the stop words, the stemmer and the checks below.
#[derive(Debug, Clone, Copy)]
struct Facts {
    /// Its valence in the sentiment lexicon.
    valence: Option<f64>,
    /// A negator, to [`sounds_negative`]: "not", "never", "no", "cannot" or a word ending in n't.
    negator: bool,
    /// One of the matcher's clause breaks ("but", "and", "because").
    clause_break: bool,
    /// A word for a service that has stopped, neutral in the lexicon ("down", "offline").
    stopped: bool,
    /// What [`words`] makes of it.
    role: WordRole,
    /// What it tells of the word after it.
    cue: Cue,
    /// The first word of a discourse marker it is, if any ("for" of "for example").
    opens: Option<&'static str>,
}

/// What a word is to [`words`].
#[derive(Debug, Clone, Copy)]
enum WordRole {
    /// Too short, a number in words, or not a plain word (digits, a code): it breaks phrases.
    /// `names` when it is something a sentence is about (a number, a code).
    Break { names: bool },
    /// Praise or strong blame: neither a term nor a break.
    Feeling,
    /// A stop word, a stretched word ("soooo") or one whose stem is a stop word: nothing.
    Nothing,
    /// A content word: where its stem is in [`WordFacts`]' stems, whether the stem is a word of
    /// asking (not an idea term), and whether the lexicon does not score it (then it names
    /// something).
    Content { stem: (u32, u32), asking: bool, unscored: bool },
}

impl Facts {
    /// Works the facts of `word` out; the stem of a content word is appended to `stems`.
    fn of(word: &str, stems: &mut String) -> Facts {
        let valence = super::sentiment::valence(word);
        let negator = word.ends_with(NT) || word.ends_with("n\u{2019}t") || NEGATORS.contains(&word);
        let plain = word.chars().all(|c| c.is_alphabetic() || c == '\'');
        let stops = stop_words();
        let role = if word.chars().count() < 2 || !plain || number_word(word) {
            WordRole::Break { names: number_word(word) || (!plain && word.chars().any(char::is_alphanumeric)) }
        } else if valence.is_some_and(|v| v >= PRAISE || v <= STRONG_BLAME) {
            WordRole::Feeling
        } else if stops.contains(word) || elongated(word) {
            WordRole::Nothing
        } else {
            let stem = stemmer().stem(word);
            if stops.contains(&stem) {
                WordRole::Nothing
            } else {
                let asking = asking_words().contains(&stem);
                let at = stems.len() as u32;
                stems.push_str(&stem);
                WordRole::Content { stem: (at, stems.len() as u32), asking, unscored: valence.is_none() }
            }
        };
        Facts {
            valence,
            negator,
            clause_break: super::matcher::CLAUSE_BREAKS.contains(&word),
            stopped: matches!(word, "down" | "offline"),
            role,
            cue: Cue::of(word),
            opens: DISCOURSE.iter().find(|m| m.opener == word).map(|m| m.opener),
        }
    }
}

/// Words whose facts a worker thread keeps, at most.
const FACTS_KEPT: usize = 50_000;

/// The facts of the words a thread has read, by word key, and the stems of its content words;
/// words too long for a key are worked out each time (they are rare).
#[derive(Default)]
struct WordFacts {
    facts: KeyMap<Facts>,
    /// The stems of the content words kept, end to end; past `kept`, the stem of the last word
    /// learnt that has no key, until the next word is learnt.
    stems: String,
    kept: usize,
}

impl WordFacts {
    /// The facts of a lowercase word.
    #[inline]
    fn get(&mut self, word: &str) -> Facts {
        let key = word_key::key(word.as_bytes());
        if let Some(facts) = key.and_then(|k| self.facts.get(&k)) {
            return *facts;
        }
        self.learn(word, key)
    }

    /// The facts of a word not seen before, kept when it has a key.
    #[cold]
    fn learn(&mut self, word: &str, key: Option<u128>) -> Facts {
        if self.facts.len() >= FACTS_KEPT {
            self.facts.clear();
            self.kept = 0;
        }
        self.stems.truncate(self.kept);
        let facts = Facts::of(word, &mut self.stems);
        if let Some(k) = key {
            self.facts.insert(k, facts);
            self.kept = self.stems.len();
        }
        facts
    }

    /// A stem of [`WordRole::Content`].
    fn stem(&self, (start, end): (u32, u32)) -> &str {
        &self.stems[start as usize..end as usize]
    }
}

/// The chunks of `text` between whitespace, as [`str::split_whitespace`] gives them; ASCII text
/// is split by bytes.
fn spaced(text: &str) -> impl Iterator<Item = &str> {
    let ascii = text.is_ascii();
    let mut by_bytes = super::runs(if ascii { text.as_bytes() } else { &[] }, |b| !super::is_space(b));
    let mut by_chars = (!ascii).then(|| text.split_whitespace());
    std::iter::from_fn(move || match &mut by_chars {
        Some(words) => words.next(),
        None => by_bytes.next().map(|(start, end)| &text[start..end]),
    })
}

/// `s` without the characters at either end that `keep` refuses; ASCII ends are tested by byte.
fn trim_to(s: &str, keep: impl Fn(char) -> bool) -> &str {
    let b = s.as_bytes();
    let (mut a, mut z) = (0, b.len());
    while a < z && b[a].is_ascii() && !keep(char::from(b[a])) {
        a += 1;
    }
    while z > a && b[z - 1].is_ascii() && !keep(char::from(b[z - 1])) {
        z -= 1;
    }
    if a == z || (b[a].is_ascii() && b[z - 1].is_ascii()) {
        return &s[a..z];
    }
    // A character outside ASCII at an end: the general way from there.
    s[a..z].trim_matches(|c| !keep(c))
}

/// A content word of a clause run: where its stem and its lowercase form are in the run's text,
/// and where it was said in the sentence (so that a phrase can be shown as said, words between
/// included: "lost my bags", not "lost bags"). `None` in a run is a clause break.
type RunWord = Option<RunWordAt>;

/// Where one content word is; see [`RunWord`].
#[derive(Debug, Clone)]
struct RunWordAt {
    stem: std::ops::Range<usize>,
    word: std::ops::Range<usize>,
    said: std::ops::Range<usize>,
    /// What the word said before it tells of it.
    cue: Cue,
}

/// `word` (a chunk trimmed to its letters and digits) as [`words`] looks it up, into `buf`:
/// lowercase, straight apostrophes, no hyphens ("Wi-Fi" is "wifi").
fn lowercase_word(word: &str, buf: &mut String) {
    buf.clear();
    if word.is_ascii() {
        buf.push_str(word);
        buf.make_ascii_lowercase();
        if buf.contains('-') {
            buf.retain(|c| c != '-');
        }
    } else {
        buf.extend(
            word.chars()
                .filter(|c| *c != '-')
                .map(|c| if c == '\u{2019}' { '\'' } else { c })
                .flat_map(char::to_lowercase),
        );
    }
}

/// Appends `span` to `into` as a label shows it: lowercase, single spaces, straight apostrophes.
fn push_said(span: &str, into: &mut String) {
    for (i, w) in spaced(span).enumerate() {
        if i > 0 {
            into.push(' ');
        }
        if w.is_ascii() {
            let at = into.len();
            into.push_str(w);
            into[at..].make_ascii_lowercase();
        } else {
            into.extend(w.chars().map(|c| if c == '\u{2019}' { '\'' } else { c }).flat_map(char::to_lowercase));
        }
    }
}

/// The content words of a clause run, as (stem, lowercase word) appended to `text_out` and
/// located by `out`; `None` marks a clause break. Returns whether the text names something: a content word
/// the sentiment lexicon does not score, or a name, number or code. A sentence of feeling alone
/// ("Unbelievable.", "So annoying!") says how the customer feels about something said elsewhere,
/// not what about.
///
/// Left out, besides stop words and the second words of discourse markers ("for example", see
/// [`DISCOURSE`]): names (a capital letter after the first word of the sentence:
/// people, places, brands and codes are not what a theme is about, and they scatter themes) and
/// words of feeling (praise and strong blame in the sentiment lexicon: "ridiculous" says how, not
/// what).
fn words(
    text: &str,
    asking: bool,
    before: Cue,
    scratch: &mut Scratch,
    text_out: &mut String,
    out: &mut Vec<RunWord>,
) -> bool {
    let mut names = false;
    let Scratch { facts, chunks, word: buf, .. } = scratch;
    // Words joined by a slash ("WiFi/entertainment", "and/or") are words; a link is not (below).
    // A sentence in title case or capitals throughout says nothing about names by its capitals:
    // its words and their capitals are counted on the way.
    chunks.clear();
    let (mut lettered, mut capitals) = (0, 0);
    let offset = |part: &str| part.as_ptr() as usize - text.as_ptr() as usize;
    for chunk in spaced(text) {
        if let Some(capital) = capital_first(chunk) {
            lettered += 1;
            capitals += usize::from(capital);
        }
        // Most chunks have no slash: they are one chunk, link or not.
        if !chunk.contains('/') {
            chunks.push(offset(chunk)..offset(chunk) + chunk.len());
            continue;
        }
        let core = chunk.trim_end_matches(|c: char| !c.is_alphanumeric());
        if core.contains(['.', ':', '@', '_']) || chunk.starts_with("www") {
            chunks.push(offset(chunk)..offset(chunk) + chunk.len());
        } else {
            chunks.extend(chunk.split('/').filter(|p| !p.is_empty()).map(|p| offset(p)..offset(p) + p.len()));
        }
    }
    let names_by_case = !(lettered >= 4 && capitals * 4 >= lettered * 3);
    let capital = |c: Option<&std::ops::Range<usize>>| {
        c.and_then(|r| text[r.clone()].chars().next()).is_some_and(char::is_uppercase)
    };
    // The pronoun "I" is written with a capital whatever it follows ("Sorry I'm driving").
    let pronoun_i = |c: Option<&std::ops::Range<usize>>| {
        c.is_some_and(|r| {
            let word = trim_to(&text[r.clone()], char::is_alphanumeric);
            word == "I" || word.starts_with("I'") || word.starts_with("I\u{2019}")
        })
    };
    // The cue of the word before, for the next content word.
    let mut before = before;
    // The word before, when it opens a discourse marker ("for" of "for example"), and whether it
    // began a clause; whether the next word begins one.
    let mut opener: Option<(&'static str, bool)> = None;
    let mut clause_head = true;
    for (i, range) in chunks.iter().enumerate() {
        let chunk = &text[range.clone()];
        // Handles, addresses, links, codes and HTML entities left in exported text ("&amp;") are
        // not words of a theme; they also break phrases.
        let link = chunk.starts_with("http") || chunk.starts_with("www.");
        if link || chunk.bytes().any(|b| matches!(b, b'@' | b'_' | b'/' | b'&')) {
            let entity = chunk.find('&').is_some_and(|at| chunk[at..].contains(';'));
            if link || chunk.contains(['@', '_', '/']) || entity {
                out.push(None);
                before = Cue::None;
                opener = None;
                clause_head = true;
                continue;
            }
        }
        let trimmed = trim_to(chunk, char::is_alphanumeric);
        let ends_clause = ends_clause(chunk, trimmed);
        lowercase_word(trimmed, buf);
        let word = buf.strip_suffix("'s").unwrap_or(buf.as_str());
        // A capital after the first word marks a name; so does a capital first word followed by
        // another capitalised word ("Fatima Reyes, that's me"), unless punctuation ends it
        // ("Delay... Detroit again") or the other word is "I" ("Cancelled I think"; the price: a
        // name said first before "I", "Delta I need help", is read as a word). A capital inside a
        // word after a small letter does not: "WiFi", "iPhone" are things, written the way the
        // trade does.
        let name = names_by_case
            && if i == 0 {
                capital(Some(range)) && !ends_clause && capital(chunks.get(1)) && !pronoun_i(chunks.get(1))
            } else {
                has_capital(chunk) && !camel_case(trimmed)
            };
        let word_facts = facts.get(word);
        // "it's", "he's": a pronoun and a verb, no cue for the next word.
        let next_cue = if ends_clause || word.len() != buf.len() { Cue::None } else { word_facts.cue };
        let cue = std::mem::replace(&mut before, next_cue);
        let marker = opener.is_some_and(|(o, head)| {
            DISCOURSE.iter().any(|m| m.opener == o && m.word == word && (m.anywhere || head || ends_clause))
        });
        opener = if ends_clause { None } else { word_facts.opens.map(|o| (o, clause_head)) };
        clause_head = ends_clause;
        match word_facts.role {
            // "example" of "for example" orders the talk; it is no thing talked about, and no
            // phrase is made across it ("my parcel, for example, got lost").
            _ if marker => out.push(None),
            // A name, number or code is something the sentence is about ("delayed into STX").
            WordRole::Break { names: something } => {
                names |= name || something;
                out.push(None);
            }
            _ if name => {
                names = true;
                out.push(None);
            }
            // Praise ("great", "helpful") and strong blame ("ridiculous", "worst") say how
            // customers feel, not what about: not a term, but not a clause break either. Milder
            // words, good or bad, often name the event or the thing itself ("lost", "delayed",
            // "broken"; "delivered", "refunded", "loyalty"): those are content words.
            WordRole::Feeling | WordRole::Nothing => {}
            WordRole::Content { asking: true, .. } if asking => {}
            WordRole::Content { stem, unscored, .. } => {
                names |= unscored;
                let at = text_out.len();
                text_out.push_str(facts.stem(stem));
                let stem = at..text_out.len();
                text_out.push_str(word);
                let said = offset(trimmed);
                out.push(Some(RunWordAt {
                    stem: stem.clone(),
                    word: stem.end..text_out.len(),
                    said: said..said + trimmed.len(),
                    cue,
                }));
            }
        }
        if ends_clause {
            out.push(None);
        }
    }
    out.push(None);
    names
}

/// A discourse marker of two words whose second would otherwise be a content word.
struct Marker {
    opener: &'static str,
    word: &'static str,
    /// Whether the two words are the marker wherever they are said; if not, only where they begin
    /// a clause or make one ("Of course the parcel...", "..., of course."), for they also say
    /// other things ("the price of course materials", "billed for instance hours").
    anywhere: bool,
}

/// Discourse markers: they order or hedge what is said ("for example", "any idea why"), whatever
/// the topic. Measured on the evaluation's corpora as `scripts/eval.py` runs them (with the
/// default taxonomy), "for example" made a theme of its own out of 8 unrelated suggestions, and
/// "any idea (when / why)" held together 6 of the 9 complaint tweets of another.
const DISCOURSE: &[Marker] = &[
    Marker { opener: "for", word: "example", anywhere: true },
    Marker { opener: "for", word: "instance", anywhere: false },
    Marker { opener: "of", word: "course", anywhere: false },
    Marker { opener: "in", word: "fact", anywhere: true },
    Marker { opener: "no", word: "idea", anywhere: true },
    Marker { opener: "any", word: "idea", anywhere: true },
    Marker { opener: "any", word: "ideas", anywhere: true },
];

/// What reading a call's sentences reuses from one sentence and one call to the next.
#[derive(Default)]
struct Scratch {
    facts: WordFacts,
    /// The byte ranges of a sentence's chunks of text.
    chunks: Vec<std::ops::Range<usize>>,
    /// One word, lowercased.
    word: String,
    /// The cues and words of tone of a turn.
    marks: Marks,
}

/// What the taxonomy found in a call, as discovery needs it: (turn, start, end) byte ranges,
/// each list in text order (by turn, then start), as the extractor finds them.
#[derive(Debug, Default)]
pub struct Known {
    /// Specific complaint mentions: their sentences are explained and skipped.
    pub complaints: Vec<(u32, usize, usize)>,
    /// General complaint mentions ("so annoying"): how the customer feels, not about what. The
    /// sentence still gives terms, but not from these words.
    pub feelings: Vec<(u32, usize, usize)>,
    /// Idea cues: the terms of their sentence come after the cue's end, or, for a cue that
    /// follows the thing asked for with nothing after it, from the clause before it.
    pub ideas: Vec<(u32, usize, usize)>,
    /// The [`mark_words`] in the customer's turns, by turn in turn order, as the extractor found
    /// them; `None` to look for them here.
    pub marks: Option<Vec<(u32, Marked)>>,
}

/// Collects a call's discovery terms, leaving out what the taxonomy already explains.
pub fn call_terms(conv: &Conversation, known: &Known) -> CallTerms {
    thread_local! {
        static SCRATCH: std::cell::RefCell<(Scratch, Buffers)> = Default::default();
    }
    SCRATCH.with_borrow_mut(|(scratch, buffers)| read_call(conv, known, scratch, buffers))
}

/// The buffers [`read_call`] fills for each call, kept from one call to the next.
#[derive(Default)]
struct Buffers {
    /// A hash of each term's kind and key, beside the call's terms: a term is looked for by it.
    hashes: Vec<u64>,
    /// The content words of a clause run, and their texts.
    run: Vec<RunWord>,
    run_text: String,
    /// A phrase's key and surface form.
    key: String,
    surface: String,
}

/// [`call_terms`], with what a thread reuses from call to call.
fn read_call(conv: &Conversation, known: &Known, scratch: &mut Scratch, buffers: &mut Buffers) -> CallTerms {
    // The taxonomy's finds of a sentence are looked for from a cursor in each list, which only
    // moves on: sentences come in text order too. Searching whole lists for each sentence made a
    // call of thousands of sentences and mentions cost the square of its length.
    debug_assert!([&known.complaints, &known.feelings, &known.ideas]
        .iter()
        .all(|l| l.is_sorted_by_key(|&(t, a, _)| (t, a))));
    let (mut complaints_from, mut feelings_from, mut ideas_from) = (0, 0, 0);
    // A cue that ends in a sentence starts at most this far before it.
    let longest_cue = known.ideas.iter().map(|&(_, a, b)| b - a).max().unwrap_or(0);
    // Sized for a call with many terms: grown once, not word by word.
    let mut out =
        CallTerms { text: String::with_capacity(1024), terms: Vec::with_capacity(MAX_TERMS), ..Default::default() };
    let Buffers { hashes, run, run_text, key, surface } = buffers;
    hashes.clear();
    let mut opening = 0;
    for t in conv.customer_turns() {
        let text = &conv.call.turns[t].text;
        let mut marked = false;
        for (start, end) in normalize::sentences(text) {
            // Explained or not, the opening is the customer's first sentences.
            let early = opening < OPENING_SENTENCES;
            opening += 1;
            let inside = |a: usize, b: usize| a >= start && b <= end;
            let explained = finds_in(&known.complaints, &mut complaints_from, t, start, end);
            // An idea cue may start before the sentence and end in it.
            let cues = finds_in(&known.ideas, &mut ideas_from, t, start.saturating_sub(longest_cue), end);
            let feelings = finds_in(&known.feelings, &mut feelings_from, t, start, end);
            if explained.iter().any(|&(_, a, b)| inside(a, b)) {
                out.complained = true;
                continue;
            }
            // A general complaint ("I'm fed up") is one, whatever else the sentence gives.
            out.complained |= feelings.iter().any(|&(_, a, b)| inside(a, b));
            if !marked {
                match &known.marks {
                    Some(found) => {
                        // In turn order: this turn's follow those of the turns before.
                        let from = found.partition_point(|&(turn, _)| (turn as usize) < t);
                        let to = from + found[from..].partition_point(|&(turn, _)| turn as usize == t);
                        scratch.marks.read(text, found[from..to].iter().map(|&(_, m)| m));
                    }
                    None => scratch.marks.find(text),
                }
                marked = true;
            }
            let sentence = &text[start..end];
            let taxonomy_cue = cues.iter().find(|&&(_, _, e)| inside(e, e)).map(|&(_, a, e)| (a.max(start), e));
            // The built-in cues count only where the taxonomy's found none.
            let cue = taxonomy_cue.or_else(|| scratch.marks.cue_in(start, end));
            let (kind, body_at, body_end) = match cue {
                // A cue that follows the thing asked for, with nothing after it ("a dark mode would
                // be great."): the words are those of the clause before it, as the Ideas table
                // reads them.
                Some((a, e)) => {
                    let nothing_after = !text[e..end].contains(char::is_alphanumeric);
                    match nothing_after.then(|| super::idea::clause_before_cue(text, a, e)).flatten() {
                        Some(from) => (Kind::Idea, from.max(start), a),
                        None => (Kind::Idea, e, end),
                    }
                }
                None => (Kind::Complaint, start, end),
            };
            let mut body = &text[body_at..body_end];
            // Complaint words come from what sounds like a complaint, or from a question in the
            // opening (where the reason for a call is said); small talk ("that covers it") is
            // left out. Checked first: it is cheaper than reading the words.
            let mut negative =
                || (!sentence.is_ascii() || scratch.marks.tone_in(start, end)) && sounds_negative(sentence, scratch);
            let asked = kind == Kind::Complaint && !negative();
            if asked && !(early && asks(sentence)) {
                continue;
            }
            // Feeling words are blanked to a clause break, so no pair of words spans them.
            let blanked;
            let feelings = feelings.iter().filter(|&&(_, a, b)| a >= body_at && b <= body_end);
            if feelings.clone().next().is_some() {
                let mut bytes = body.as_bytes().to_vec();
                for &(_, a, b) in feelings {
                    bytes[a - body_at..b - body_at].fill(b',');
                }
                // Whole characters were replaced by ASCII, so the bytes stay UTF-8.
                blanked = String::from_utf8(bytes).unwrap_or_default();
                body = &blanked;
            }
            run.clear();
            run_text.clear();
            // A request's words start after its cue, whose last word tells of the first ("the
            // ability to *export*", "you should *export*"); before a cue, the clause has no such
            // word.
            let before = (text[start..body_at].split_whitespace().next_back())
                .map_or(Cue::None, |w| Cue::before(w, &mut scratch.word));
            if !words(body, kind == Kind::Idea, before, scratch, run_text, run) {
                continue;
            }
            // Where the call's complaint words come from, even when it has its fill of terms.
            if kind == Kind::Complaint {
                out.asked |= asked;
                out.complained |= !asked;
            }
            let at = |r: &std::ops::Range<usize>| &run_text[r.clone()];
            let mut mask = 0u64;
            // Adds a term the call has not said before; marks the sentence as holding it either way.
            let mut add = |key: &str, surface: &str, cue: Cue, out: &mut CallTerms| {
                let hash = term_hash(kind, key);
                let seen = (hashes.iter().zip(&out.terms))
                    .position(|(&h, x)| h == hash && x.kind == kind && out.at(x.key) == key);
                if let Some(i) = seen {
                    mask |= 1 << i;
                    out.terms[i].usage.count(cue);
                } else if out.term_count() < MAX_TERMS {
                    mask |= 1 << out.term_count();
                    hashes.push(hash);
                    let mut usage = Usage::default();
                    usage.count(cue);
                    out.push(Term { kind, key, surface, early, usage });
                }
            };
            for pair in run.windows(2) {
                if let [Some(first), second] = pair {
                    let s1 = at(&first.stem);
                    add(s1, at(&first.word), first.cue, &mut out);
                    if let Some(second) = second {
                        let s2 = at(&second.stem);
                        if s1 != s2 {
                            key.clear();
                            surface.clear();
                            key.extend([s1, " ", s2]);
                            push_said(&body[first.said.start..second.said.end], surface);
                            add(key, surface, Cue::None, &mut out);
                        }
                    }
                }
            }
            if mask != 0 {
                out.push_sentence(&cut(sentence.trim(), MAX_QUOTE), mask);
            }
        }
    }
    out
}

/// Moves `from` past the finds of `list` that lie before (turn `t`, byte `start`), and gives
/// those that start in turn `t` before `end`: the only ones that may lie in a sentence there.
fn finds_in<'a>(
    list: &'a [(u32, usize, usize)],
    from: &mut usize,
    t: usize,
    start: usize,
    end: usize,
) -> &'a [(u32, usize, usize)] {
    while list.get(*from).is_some_and(|&(turn, a, _)| (turn as usize, a) < (t, start)) {
        *from += 1;
    }
    let rest = &list[*from..];
    &rest[..rest.partition_point(|&(turn, a, _)| turn as usize == t && a < end)]
}

/// A hash of a term's kind and key.
fn term_hash(kind: Kind, key: &str) -> u64 {
    use std::hash::Hasher;
    let mut hash = super::sentiment::Fnv::default();
    hash.write(&[u8::from(kind == Kind::Idea)]);
    hash.write(key.as_bytes());
    hash.finish()
}

/// Whether a sentence asks something: a question mark, or a question word first ("how do I
/// cancel", "can I return this").
fn asks(sentence: &str) -> bool {
    const OPENERS: &[&str] = &[
        "how", "why", "when", "where", "what", "which", "who", "can", "could", "will", "would", "is", "are", "do",
        "does", "did", "should", "any", "anyone",
    ];
    if sentence.contains('?') {
        return true;
    }
    let first = sentence
        .split_whitespace()
        .find(|w| !w.starts_with('@') && !w.starts_with('#'))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_ascii_lowercase());
    first.is_some_and(|w| OPENERS.contains(&w.as_str()))
}

/// Whether a sentence carries a complaint's tone: a negative word of the sentiment lexicon
/// ("delayed", "lost", "broken"), or a negation of something neutral or good ("doesn't work",
/// "never arrived"). A negated negative word is not one ("no outage on my end", "the app hasn't
/// frozen").
/// Courtesy around it ("thanks", "please help") does not cancel it, as it would in a score.
fn sounds_negative(sentence: &str, scratch: &mut Scratch) -> bool {
    // Words a negation reaches.
    const REACH: usize = 3;
    let Scratch { facts, word: w, .. } = scratch;
    let mut open_negation: Option<usize> = None;
    for (i, raw) in spaced(sentence).enumerate() {
        w.clear();
        let trimmed = trim_to(raw, |c| c.is_alphanumeric() || c == '\'' || c == '\u{2019}');
        if trimmed.is_ascii() {
            w.push_str(trimmed);
            w.make_ascii_lowercase();
        } else {
            w.extend(trimmed.chars().flat_map(char::to_lowercase));
        }
        let facts = facts.get(w);
        if facts.negator {
            open_negation = Some(i);
            continue;
        }
        // A clause break ends a negation, as punctuation does: "no WiFi and broken seats" is a
        // complaint about the WiFi, and "broken" is not negated.
        if open_negation.is_some() && facts.clause_break {
            return true;
        }
        let valence = facts.valence;
        // Words for a service that has stopped, neutral in the lexicon ("down the road", "calm
        // down") but a problem after a negation: "the internet isn't down" is good news.
        let stopped = facts.stopped;
        match open_negation {
            // A negated good word is bad ("never arrived", "not happy"); a negated bad word is
            // not ("no outage", "hasn't frozen", "isn't down").
            Some(at) if i - at <= REACH && valence.is_some_and(|v| v > 0.0) => return true,
            Some(at) if i - at <= REACH && (valence.is_some() || stopped) => open_negation = None,
            Some(at) if i - at <= REACH => {}
            Some(_) => return true,
            None if valence.is_some_and(|v| v < 0.0) => return true,
            None => {}
        }
        if raw.ends_with([',', ';', '.', '!', '?']) && open_negation.take().is_some() {
            return true;
        }
    }
    open_negation.is_some()
}

/// `text` cut to at most `max` bytes at a character boundary, with `…` when cut.
fn cut(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= max {
        return text.into();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end]).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::tests::conv;

    fn keys(terms: &CallTerms, kind: Kind) -> Vec<&str> {
        terms.terms().filter(|t| t.kind == kind).map(|t| t.key).collect()
    }

    #[test]
    fn content_words_are_stemmed_and_paired_within_a_clause() {
        let c = conv(&[("customer", "Hi, they lost my bags again! The carousel never moved. Thanks anyway.")]);
        let terms = call_terms(&c, &Known::default());
        // "Thanks anyway." is neither negative nor a question: not a complaint's words.
        assert_eq!(keys(&terms, Kind::Complaint), ["lost", "lost bag", "bag", "carousel", "carousel move", "move"]);
        let lost_bag = terms.terms().find(|t| t.key == "lost bag").unwrap();
        // A phrase is shown as said, the words between its two words included.
        assert_eq!(lost_bag.surface, "lost my bags");
        assert!(lost_bag.early);
        let sentences: Vec<(&str, u64)> = terms.sentences().collect();
        assert_eq!(sentences.len(), 2);
        assert_eq!(sentences[0].0, "Hi, they lost my bags again!");
    }

    #[test]
    fn a_word_is_counted_as_a_thing_or_an_action_by_the_word_before_it() {
        let text = "I can't cancel the order, the order is stuck and my refund never came. \
                    Please refund it, I want to cancel.";
        let c = conv(&[("customer", text)]);
        let usage = |key: &str| call_terms(&c, &Known::default()).terms().find(|t| t.key == key).unwrap().usage;
        // "can't cancel", "to cancel"; "the order" twice; "my refund", "Please refund".
        assert_eq!(usage("cancel"), Usage { things: 0, actions: 2 });
        assert_eq!(usage("order"), Usage { things: 2, actions: 0 });
        assert_eq!(usage("refund"), Usage { things: 1, actions: 1 });
        // "stuck" follows "is", which tells nothing; a phrase has no usage of its own.
        assert_eq!(usage("stuck"), Usage::default());
        assert_eq!(usage("cancel order"), Usage::default());
        let usage_in = |text: &str, key: &str| {
            let c = conv(&[("customer", text)]);
            call_terms(&c, &Known::default()).terms().find(|t| t.key == key).unwrap().usage
        };
        // A clause break ends the cue ("the," tells nothing of "stuck"), and so does a link.
        assert_eq!(usage_in("It broke the, stuck lid again.", "stuck"), Usage::default());
        assert_eq!(usage_in("It broke the https://example.com stuck lid again.", "stuck"), Usage::default());
        // "it's" is a pronoun and a verb, not "it": no cue, straight or curly.
        assert_eq!(usage_in("The lid broke and it's stuck again.", "stuck"), Usage::default());
        assert_eq!(usage_in("The lid broke and it\u{2019}s stuck again.", "stuck"), Usage::default());
        // Tweets leave out apostrophes.
        assert_eq!(
            usage_in("Hi, they lost the keys again and I cant open my bags!", "open"),
            Usage { things: 0, actions: 1 }
        );
        // A request's words start after its cue, whose last word tells of the first.
        assert_eq!(usage_in("I want the ability to export reports.", "export"), Usage { things: 0, actions: 1 });
        assert_eq!(usage_in("You should export reports to PDF.", "export"), Usage { things: 0, actions: 1 });
    }

    #[test]
    fn a_call_only_asked_when_its_words_come_from_questions_that_do_not_complain() {
        let only_asked = |turns: &[&str]| {
            let turns: Vec<(&str, &str)> = turns.iter().map(|&t| ("customer", t)).collect();
            let terms = call_terms(&conv(&turns), &Known::default());
            (terms.only_asked(), keys(&terms, Kind::Complaint).join(","))
        };
        // A question in the opening gives complaint words; the call only asked.
        assert_eq!(
            only_asked(&["Does my plan include calls abroad?"]),
            (true, "plan,plan includ,includ,includ abroad,abroad".into())
        );
        assert!(only_asked(&["How much is the plus plan"]).0);
        // A question that sounds negative is a complaint, and so is a call with one complaint.
        assert!(!only_asked(&["Why was my card charged twice?"]).0);
        assert!(!only_asked(&["Is my router under warranty?", "It keeps dropping the connection."]).0);
        // Words said as ideas do not count either way; a call with no complaint words did not ask.
        assert!(only_asked(&["Is the router under warranty?", "It would be great to have a dark mode."]).0);
        assert!(!only_asked(&["It would be great to have a dark mode."]).0);
        assert_eq!(only_asked(&["Thanks, that covers it."]), (false, String::new()));
        // A complaint the taxonomy explains, or a general one it finds, is a complaint too,
        // though it gives discovery no words.
        let text = "Where is my money? I never got the refund.";
        let c = conv(&[("customer", text)]);
        let at = text.find("never got the refund").unwrap();
        let found = vec![(0, at, at + "never got the refund".len())];
        assert!(call_terms(&c, &Known::default()).only_asked());
        assert!(!call_terms(&c, &Known { complaints: found.clone(), ..Known::default() }).only_asked());
        assert!(!call_terms(&c, &Known { feelings: found, ..Known::default() }).only_asked());
    }

    #[test]
    fn feeling_words_give_no_terms_but_the_rest_of_their_sentence_does() {
        let text = "The new scanner is so annoying to hold.";
        let c = conv(&[("customer", text)]);
        let at = text.find("so annoying").unwrap();
        let known = Known { feelings: vec![(0, at, at + "so annoying".len())], ..Known::default() };
        assert_eq!(keys(&call_terms(&c, &known), Kind::Complaint), ["new", "new scanner", "scanner", "hold"]);
        assert!(keys(&call_terms(&c, &Known::default()), Kind::Complaint).contains(&"annoy"));
    }

    #[test]
    fn agent_turns_and_explained_sentences_give_nothing() {
        let text = "My bill is wrong. The wifi keeps dropping.";
        let c = conv(&[("agent", "Sorry about the wifi outage"), ("customer", text)]);
        let bill = text.find("bill").unwrap();
        let terms = call_terms(&c, &Known { complaints: vec![(1, bill, bill + 4)], ..Known::default() });
        // "keeps" stems to a stop word and goes; the words either side make a phrase.
        assert_eq!(keys(&terms, Kind::Complaint), ["wifi", "wifi drop", "drop"]);
        assert_eq!(terms.sentences().collect::<Vec<_>>(), [("The wifi keeps dropping.", 0b111)]);
    }

    /// A cue that comes after the thing asked for, with nothing after it, takes the words of the
    /// clause before it, as the Ideas table does; with words after it, those.
    #[test]
    fn a_cue_after_the_thing_takes_the_clause_before_it() {
        let ideas = |text: &str| {
            let terms = call_terms(&conv(&[("customer", text)]), &Known::default());
            keys(&terms, Kind::Idea).into_iter().map(str::to_string).collect::<Vec<_>>()
        };
        assert_eq!(ideas("My bill is fine. A dark mode would be great!"), ["dark", "dark mode", "mode"]);
        assert_eq!(ideas("Honestly, offline maps would be nice :)"), ["offlin", "offlin map", "map"]);
        assert_eq!(ideas("Offline maps it'd be great!"), ["offlin", "offlin map", "map"]);
        assert_eq!(ideas("It would be great to have offline maps."), ["offlin", "offlin map", "map"]);
        // "please add" comes before the thing: nothing after it names nothing.
        assert!(ideas("Offline maps please add!").is_empty());
    }

    #[test]
    fn idea_sentences_give_idea_terms_after_the_cue() {
        let c = conv(&[("customer", "The app is slow. It would be great if you had a dark mode.")]);
        let terms = call_terms(&c, &Known::default());
        assert_eq!(keys(&terms, Kind::Idea), ["dark", "dark mode", "mode"]);
        assert_eq!(keys(&terms, Kind::Complaint), ["app", "app slow", "slow"]);
    }

    #[test]
    fn handles_links_numbers_and_stop_words_are_dropped() {
        let c = conv(&[("customer", "@united flight UA123 https://x.co/abc is it delayed?? __company__ pls")]);
        let terms = call_terms(&c, &Known::default());
        assert_eq!(keys(&terms, Kind::Complaint), ["flight", "delay"]);
    }

    #[test]
    fn discourse_markers_are_no_terms() {
        let said = |text: &str| {
            let terms = call_terms(&conv(&[("customer", text)]), &Known::default());
            keys(&terms, Kind::Complaint).into_iter().map(str::to_string).collect::<Vec<_>>()
        };
        // The marker's word goes, and no phrase is made with it.
        assert_eq!(
            said("Any idea why my parcel is stuck in customs?"),
            ["parcel", "parcel stuck", "stuck", "stuck custom", "custom"]
        );
        assert_eq!(said("Any clue why my parcel is stuck in customs?")[..2], ["clue", "clue parcel"]);
        assert_eq!(said("The app crashed, for example on login."), ["app", "app crash", "crash", "login"]);
        assert_eq!(said("Of course the parcel never arrived."), ["parcel", "parcel arriv", "arriv"]);
        // The same words elsewhere are things talked about.
        assert_eq!(said("The example code fails."), ["exampl", "exampl code", "code", "code fail", "fail"]);
        assert_eq!(
            said("Why is your idea of service so poor?"),
            ["idea", "idea servic", "servic", "servic poor", "poor"]
        );
        // A clause break ends the opener: "for," and then "example" is no marker.
        assert_eq!(
            said("The parcel I waited for, example attached, never came."),
            ["parcel", "wait", "exampl", "exampl attach", "attach"]
        );
        assert_eq!(said("The parcel I waited for example never came."), ["parcel", "wait"]);
        // A marker inside a clause breaks it: its words make no phrase with the words around.
        assert_eq!(said("My parcel, for example, got lost."), ["parcel", "lost"]);
        assert_eq!(said("My parcel for example got lost."), ["parcel", "lost"]);
        // Only the word right before opens a marker; a handle between ends it.
        assert_eq!(said("I asked for the example code, it fails."), ["exampl", "exampl code", "code", "fail"]);
        assert_eq!(said("It fails for @acme example code."), ["fail", "exampl", "exampl code", "code"]);
        // "of course" and "for instance" say other things inside a clause.
        assert_eq!(said("Why is the price of course books so high?")[..3], ["price", "price cours", "cours"]);
        assert_eq!(said("The parcel was, of course, late again."), ["parcel", "late"]);
        assert_eq!(
            said("Why was I billed for instance hours?"),
            ["bill", "bill instanc", "instanc", "instanc hour", "hour"]
        );
        assert_eq!(said("For instance, the parcel never arrived."), ["parcel", "parcel arriv", "arriv"]);
        // Every marker, at the head of a sentence.
        for m in DISCOURSE {
            let keys = said(&format!("{} {} the parcel never arrived.", m.opener, m.word));
            assert_eq!(keys, ["parcel", "parcel arriv", "arriv"], "{} {}", m.opener, m.word);
        }
        // "be able to" is "can": no more a term than the modal is, nor is "unable".
        assert_eq!(said("Why am I not able to change my seat?"), ["chang", "chang seat", "seat"]);
        assert_eq!(said("Why am I unable to change my seat?"), ["chang", "chang seat", "seat"]);
        // Every opener is a short grammar word, found among a word's facts.
        assert!(DISCOURSE.iter().all(|m| m.opener.len() <= 3));
    }

    #[test]
    fn tone_and_questions_decide_which_sentences_are_complaints() {
        for yes in [
            "My flight was delayed again, thanks",
            "The parcel never arrived.",
            "It doesn't work",
            "It won't go.",
            // The negation stops at "and": the WiFi is missing, the seats are not "not broken".
            "No WiFi and broken seats",
        ] {
            assert!(sounds_negative(yes, &mut Scratch::default()), "{yes}");
        }
        for no in [
            "No outage on my end.",
            "The app hasn't frozen once.",
            "Thanks for sorting it",
            "Super flight!",
            "The internet isn't down, it's working fine.",
            "No delays and a smooth landing",
        ] {
            assert!(!sounds_negative(no, &mut Scratch::default()), "{no}");
        }
        assert!(asks("@acme how do I return this"));
        assert!(asks("Do you ship to Canada?"));
        assert!(!asks("I bought a new kettle today."));
    }

    #[test]
    fn text_is_split_at_whitespace_as_the_standard_library_splits_it() {
        for text in
            ["", "  ", "a", " one  two\tthree\nfour\x0bfive\x0c six\r\n", "caf\u{e9}\u{a0}au lait  now", "x\u{2003}y"]
        {
            assert_eq!(spaced(text).collect::<Vec<_>>(), text.split_whitespace().collect::<Vec<_>>(), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_finds_of_a_sentence_are_those_a_search_of_the_whole_list_finds(
            finds in proptest::collection::vec((0u32..3, 0usize..200, 1usize..20), 0..60),
            cuts in proptest::collection::vec((0usize..3, 0usize..200, 0usize..40), 0..30),
        ) {
            let mut list: Vec<(u32, usize, usize)> = finds.iter().map(|&(t, a, len)| (t, a, a + len)).collect();
            list.sort_by_key(|&(t, a, _)| (t, a));
            // Sentences in text order: (turn, start, end).
            let mut sentences: Vec<(usize, usize, usize)> = cuts.iter().map(|&(t, s, len)| (t, s, s + len)).collect();
            sentences.sort();
            let mut from = 0;
            for &(t, start, end) in &sentences {
                let got = finds_in(&list, &mut from, t, start, end);
                let want: Vec<_> =
                    list.iter().filter(|&&(turn, a, _)| turn as usize == t && a >= start && a < end).copied().collect();
                proptest::prop_assert_eq!(got, want.as_slice());
            }
        }

        /// The words of tone found in one pass are a superset of what makes a sentence negative:
        /// an ASCII sentence without one is never negative.
        #[test]
        fn a_sentence_without_a_word_of_tone_is_not_negative(
            text in "(no|NOT|Never|cannot|can't|don'T|DON'T|WON'T|isN'T|nope|know|noted|bad|BAD|badge|broken|\
                lost|delayed|happy|great|fine|down|and|but|the|app|wifi|x|1|'|\"|\\(|-|,|\\.|!|\\?| | |\t){0,12}",
        ) {
            let mut marks = Marks::default();
            marks.find(&text);
            let negative = sounds_negative(&text, &mut Scratch::default());
            proptest::prop_assert!(!negative || marks.tone_in(0, text.len()), "{:?}", text);
        }
    }

    #[test]
    fn cues_and_words_of_tone_are_found_in_one_pass() {
        let text = "I know it's not broken. It would be nice to have dark mode, it would be nicer still. Xlet us";
        let mut marks = Marks::default();
        marks.find(text);
        let said: Vec<&str> = marks.tones.iter().map(|&at| &text[at..at + 3]).collect();
        // "not" and "broken"; not the "no" of "know".
        assert_eq!(said, ["not", "bro"]);
        let cues: Vec<&str> = marks.cues.iter().map(|&(a, b)| &text[a..b]).collect();
        // A cue is whole words: "would be nicer" is not "would be nice", and "Xlet us" no cue.
        assert_eq!(cues, ["would be nice"]);
        let second = text.find("It would").unwrap();
        assert_eq!(marks.cue_in(second, text.len()), Some((second + "It ".len(), second + "It would be nice".len())));
        assert_eq!(marks.cue_in(0, second), None);
        assert!(marks.tone_in(0, second) && !marks.tone_in(second, text.len()));
    }

    #[test]
    fn a_negation_in_capitals_is_a_word_of_tone() {
        let c = conv(&[("customer", "MY ROUTER WON'T CONNECT")]);
        assert_eq!(keys(&call_terms(&c, &Known::default()), Kind::Complaint), ["router", "router connect", "connect"]);
    }

    /// The cue a sentence's idea terms follow, found the first way discovery found it: the first
    /// whole-word cue of a leftmost-longest search of the sentence alone.
    fn first_cue_of_sentence(sentence: &str) -> Option<usize> {
        let cues = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(IDEA_CUES)
            .unwrap();
        let bytes = sentence.as_bytes();
        let word = |i: usize| bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric());
        cues.find_iter(sentence).find(|m| (m.start() == 0 || !word(m.start() - 1)) && !word(m.end())).map(|m| m.end())
    }

    #[test]
    fn a_cue_inside_a_cue_that_is_not_a_word_does_not_count() {
        for (text, cue) in [
            ("Hi wish you had a dark mode", None),
            ("readd an option to export", None),
            ("I wish you had a dark mode", Some("I wish")),
            ("Please add an option to export", Some("Please add")),
            // "please add" is no cue here, and hides "add an option"; "an option to" is one.
            ("xplease add an option to export", Some("xplease add an option to")),
            ("You should be able to export", Some("You should")),
        ] {
            let mut marks = Marks::default();
            marks.find(text);
            let end = marks.cue_in(0, text.len()).map(|(_, e)| e);
            assert_eq!(end, cue.map(str::len), "{text}");
            assert_eq!(end, first_cue_of_sentence(text), "{text}");
        }
    }

    proptest::proptest! {
        /// Each sentence's cue is the one a search of the sentence alone finds.
        #[test]
        fn the_cues_of_a_turn_are_those_of_its_sentences(
            text in "(i|I|wish|you|there|was|would|be|nice|nicer|please|add|an|option|to|let|us|x|Hi|\
                re|should|able|\\.|!|,| | ){0,16}",
        ) {
            let mut marks = Marks::default();
            marks.find(&text);
            for (start, end) in normalize::sentences(&text) {
                let want = first_cue_of_sentence(&text[start..end]).map(|e| start + e);
                proptest::prop_assert_eq!(marks.cue_in(start, end).map(|(_, e)| e), want, "{:?}", &text[start..end]);
            }
        }
    }

    #[test]
    fn the_marks_the_extractor_finds_are_those_found_here() {
        let taxonomy = crate::extract::taxonomy::Taxonomy::builtin().unwrap();
        let extractor = crate::extract::Extractor::with_marks(taxonomy, &mark_words()).unwrap();
        let turns = [
            ("customer", "I can't log in and it would be great to have dark mode. Not happy!"),
            ("agent", "I'm sorry, you should be able to log in now."),
            ("customer", "It WON'T even turn on, nothing works. Please add an option, thx"),
            ("customer", "It doesn\u{2019}t really work; no refund yet. Bad, badly, noted."),
            ("customer", ""),
        ];
        let c = conv(&turns);
        let findings = extractor.extract(&c);
        let found = findings.marks.clone().unwrap();
        assert!(found.len() > 10, "{found:?}");
        for t in c.customer_turns() {
            let text = &c.call.turns[t].text;
            let (mut here, mut there) = (Marks::default(), Marks::default());
            here.find(text);
            there.read(text, found.iter().filter(|m| m.0 as usize == t).map(|&(_, m)| m));
            assert_eq!((&here.cues, &here.tones), (&there.cues, &there.tones), "{text}");
        }
        // And the terms are the same either way.
        let known = Known { marks: findings.marks, ..Known::default() };
        assert_eq!(call_terms(&c, &known), call_terms(&c, &Known::default()));
        assert!(!call_terms(&c, &known).terms.is_empty());
    }

    #[test]
    fn a_sentence_of_feeling_alone_gives_nothing() {
        let c = conv(&[("customer", "Unbelievable. The flight was delayed again! Delayed into STX.")]);
        let terms = call_terms(&c, &Known::default());
        // "delayed" said with a thing ("flight") or a name ("STX") still counts.
        assert_eq!(keys(&terms, Kind::Complaint), ["flight", "flight delay", "delay"]);
        let quoted: Vec<&str> = terms.sentences().map(|(s, _)| s).collect();
        assert_eq!(quoted, ["The flight was delayed again!", "Delayed into STX."]);
    }

    #[test]
    fn words_joined_by_a_slash_are_words_and_links_are_not() {
        let c = conv(&[("customer", "The WiFi/entertainment was broken on board, see https://x.co/a/b or x.co/c/d")]);
        let terms = call_terms(&c, &Known::default());
        let want = ["wifi", "wifi entertain", "entertain", "entertain broken", "broken", "broken board", "board"];
        assert_eq!(keys(&terms, Kind::Complaint), want);
    }

    /// An apology is small talk, as thanks are: "sorry" led a theme of 15,819 of the 80,878
    /// calls of the benchmark's quarter ("sorry / dog is barking / door").
    #[test]
    fn an_apology_names_nothing() {
        let c = conv(&[("customer", "Sorry, I'm driving. I'm so sorry but my router is broken again.")]);
        let terms = call_terms(&c, &Known::default());
        let keys = keys(&terms, Kind::Complaint);
        assert!(keys.contains(&"router") && !keys.iter().any(|k| k.contains("sorri")), "{keys:?}");
    }

    /// A theft is a complaint: "stole" is a negative word of the lexicon, as "stolen" was.
    #[test]
    fn a_sentence_about_a_theft_gives_terms() {
        let c = conv(&[("customer", "A baggage handler stole 3 bottles of wine from my checked bag.")]);
        let terms = call_terms(&c, &Known::default());
        let keys = keys(&terms, Kind::Complaint);
        assert!(["baggag", "wine", "bag"].iter().all(|k| keys.contains(k)), "{keys:?}");
    }

    /// Punctuation after a word ends its clause though an emoji follows it in the same chunk, and
    /// a capitalised first word so ended, or followed by the pronoun "I", is not the first half
    /// of a name.
    #[test]
    fn punctuation_before_an_emoji_ends_the_clause() {
        let said = |text: &str| {
            let terms = call_terms(&conv(&[("customer", text)]), &Known::default());
            keys(&terms, Kind::Complaint).into_iter().map(str::to_string).collect::<Vec<_>>()
        };
        // Before, "Delay" followed by "Detroit" was read as a two-word name and gave nothing.
        let terms = said("Delay...\u{1f644}\u{1f334} Detroit again, we sat on the ground");
        assert!(terms.contains(&"delay".to_string()), "{terms:?}");
        // Punctuation standing alone ends a clause too: "of course" at a clause's head is a
        // discourse marker, not the word "course".
        for text in ["I called , of course nobody answered", "my bag is lost :) of course nobody answered"] {
            assert!(!said(text).iter().any(|t| t.contains("cours")), "{text}: {:?}", said(text));
        }
        // No phrase across the clause end: "delay" and "seat" stay apart.
        assert_eq!(said("the delay!\u{1f621} seats broken"), ["delay", "seat", "seat broken", "broken"]);
        // An emoji alone does not end it.
        assert_eq!(said("the delay\u{1f621} seats broken")[..2], ["delay", "delay seat"]);
        // Nor is a first word followed by the pronoun "I", which always has its capital.
        assert_eq!(said("Cancelled I think, my connection too"), ["cancel", "connect"]);
        // A name of two capitalised words still is one ("Fatima Reyes" gives no term).
        assert_eq!(said("Fatima Reyes was rude about my lost bag"), ["lost", "lost bag", "bag"]);
    }

    #[test]
    fn camel_case_is_a_word_and_html_entities_are_not() {
        let c = conv(&[("customer", "The WiFi keeps dropping &amp; the app crashes.")]);
        let terms = call_terms(&c, &Known::default());
        assert_eq!(keys(&terms, Kind::Complaint), ["wifi", "wifi drop", "drop", "app", "app crash", "crash"]);
    }

    #[test]
    fn a_number_in_words_breaks_a_phrase_and_a_stretched_word_is_no_term() {
        let c = conv(&[("customer", "The chat said two minutes and it never answered. Soooo the luggage is damaged.")]);
        let terms = call_terms(&c, &Known::default());
        // Not `chat two` or `chat minut`, and not `soooo`.
        let want = ["chat", "minut", "minut answer", "answer", "luggag", "luggag damag", "damag"];
        assert_eq!(keys(&terms, Kind::Complaint), want);
        let damaged = terms.terms().find(|t| t.key == "luggag damag").unwrap();
        assert_eq!(damaged.surface, "luggage is damaged");
    }

    #[test]
    fn the_words_of_asking_are_not_idea_terms() {
        let c = conv(&[("customer", "It would be great to add an option for dark mode.")]);
        assert_eq!(keys(&call_terms(&c, &Known::default()), Kind::Idea), ["dark", "dark mode", "mode"]);
    }

    #[test]
    fn the_number_of_terms_is_capped() {
        let text: String = (0..100).map(|i| format!("word{} ", ["alpha", "beta", "gamma", "delta"][i % 4])).collect();
        let many: String = (0..200)
            .map(|i| format!("zz{} ", char::from(b'a' + (i % 26) as u8).to_string().repeat(i / 26 + 2)))
            .collect();
        let c = conv(&[("customer", &format!("broken {text} {many}"))]);
        assert_eq!(call_terms(&c, &Known::default()).term_count(), MAX_TERMS);
    }
}
