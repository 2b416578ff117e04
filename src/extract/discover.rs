//! Discovery, the per-call half: the content terms of what the customer said that the taxonomy
//! does not already explain.
//!
//! Each customer sentence is read once. A sentence with a taxonomy complaint mention is skipped:
//! the taxonomy explains it. A sentence with an idea cue (a taxonomy idea mention or one of the
//! generic cues below) gives idea terms, taken after the cue. Every other sentence gives
//! complaint terms. Terms are Snowball-stemmed content words (stop words out) and pairs of
//! adjacent content words within a clause, so "lost my bags" gives `lost`, `bag` and `lost bag`.
//! Grouping the terms into themes needs the whole corpus and happens in `aggregate::themes`.

use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

use super::word_key::WordSet;
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Complaint terms and idea terms are counted apart.
    pub kind: Kind,
    /// The stemmed form, `stem` or `stem stem`: what terms are counted by.
    pub key: String,
    /// The words as said, lowercase, for a phrase with the words between its two ("lost my bags"
    /// for `lost bag`): what themes are named by.
    pub surface: String,
    /// Said in the opening (the customer's first sentences): the reason for a call comes early.
    pub early: bool,
}

/// What discovery keeps of one call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallTerms {
    /// Distinct terms (by kind and key), in the order said, at most [`MAX_TERMS`].
    pub terms: Vec<Term>,
    /// The customer's quotable sentences (not redacted here), with the terms each one holds as a
    /// bit mask over `terms` (bit i = terms\[i\]): quotes for themes are picked from these.
    pub sentences: Vec<(String, u64)>,
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

/// Words a worker thread remembers the stem of, at most: customers use a few thousand words
/// again and again, and a lookup costs a fraction of running the stemmer.
const STEM_CACHE: usize = 50_000;

type Stems = std::collections::HashMap<String, String, std::hash::BuildHasherDefault<super::sentiment::Fnv>>;

/// Appends the Snowball stem of a lowercase word to `into`, through a per-thread cache.
fn push_stem(word: &str, into: &mut String) {
    thread_local! {
        static STEMS: std::cell::RefCell<Stems> = Default::default();
    }
    STEMS.with_borrow_mut(|stems| {
        if let Some(stem) = stems.get(word) {
            into.push_str(stem);
            return;
        }
        let stem = stemmer().stem(word).into_owned();
        into.push_str(&stem);
        if stems.len() >= STEM_CACHE {
            stems.clear();
        }
        stems.insert(word.to_string(), stem);
    })
}

/// Where the first idea cue of a sentence ends, if it has one (whole words, ASCII case ignored).
fn idea_cue_end(sentence: &str) -> Option<usize> {
    static CUES: OnceLock<aho_corasick::AhoCorasick> = OnceLock::new();
    let cues = CUES.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(IDEA_CUES)
            .unwrap_or_else(|e| unreachable!("the built-in idea cues compile: {e}"))
    });
    let bytes = sentence.as_bytes();
    let word = |i: usize| bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric());
    cues.find_iter(sentence).find(|m| (m.start() == 0 || !word(m.start() - 1)) && !word(m.end())).map(|m| m.end())
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

/// Whether a sentence is written in title case or capitals throughout, where capitals say
/// nothing about names.
fn capitalised_throughout(text: &str) -> bool {
    let (mut words, mut capital) = (0, 0);
    for w in text.split_whitespace() {
        if let Some(c) = w.chars().find(|c| c.is_alphabetic()) {
            words += 1;
            capital += usize::from(c.is_uppercase());
        }
    }
    words >= 4 && capital * 4 >= words * 3
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
}

/// Appends `span` to `into` as a label shows it: lowercase, single spaces, straight apostrophes.
fn push_said(span: &str, into: &mut String) {
    for (i, w) in span.split_whitespace().enumerate() {
        if i > 0 {
            into.push(' ');
        }
        if w.is_ascii() {
            into.extend(w.bytes().map(|b| char::from(b.to_ascii_lowercase())));
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
/// Left out, besides stop words: names (a capital letter after the first word of the sentence:
/// people, places, brands and codes are not what a theme is about, and they scatter themes) and
/// words of feeling (praise and strong blame in the sentiment lexicon: "ridiculous" says how, not
/// what).
fn words(text: &str, asking: bool, text_out: &mut String, out: &mut Vec<RunWord>) -> bool {
    let mut names = false;
    let stops = stop_words();
    let names_by_case = !capitalised_throughout(text);
    let capital = |c: Option<&str>| c.and_then(|w| w.chars().next()).is_some_and(char::is_uppercase);
    // Words joined by a slash ("WiFi/entertainment", "and/or") are words; a link is not (below).
    let mut chunks: Vec<&str> = Vec::new();
    for chunk in text.split_whitespace() {
        // Most chunks have no slash: they are one chunk, link or not.
        if !chunk.contains('/') {
            chunks.push(chunk);
            continue;
        }
        let core = chunk.trim_end_matches(|c: char| !c.is_alphanumeric());
        if core.contains(['.', ':', '@', '_']) || chunk.starts_with("www") {
            chunks.push(chunk);
        } else {
            chunks.extend(chunk.split('/').filter(|p| !p.is_empty()));
        }
    }
    let mut buf = String::new();
    for (i, &chunk) in chunks.iter().enumerate() {
        // Handles, addresses, links, codes and HTML entities left in exported text ("&amp;") are
        // not words of a theme; they also break phrases.
        let entity = chunk.find('&').is_some_and(|at| chunk[at..].contains(';'));
        if chunk.contains(['@', '_', '/']) || chunk.starts_with("http") || chunk.starts_with("www.") || entity {
            out.push(None);
            continue;
        }
        let ends_clause = chunk.ends_with([',', ';', ':', '.', '!', '?', ')', '"']);
        buf.clear();
        let trimmed = chunk.trim_matches(|c: char| !c.is_alphanumeric());
        if trimmed.is_ascii() {
            buf.extend(trimmed.bytes().filter(|&b| b != b'-').map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            buf.extend(
                trimmed
                    .chars()
                    .filter(|c| *c != '-')
                    .map(|c| if c == '\u{2019}' { '\'' } else { c })
                    .flat_map(char::to_lowercase),
            );
        }
        let word = buf.strip_suffix("'s").unwrap_or(&buf);
        let plain = word.chars().all(|c| c.is_alphabetic() || c == '\'');
        // A capital after the first word marks a name; so does a capital first word followed by
        // another capitalised word ("Fatima Reyes, that's me"). A capital inside a word after a
        // small letter does not: "WiFi", "iPhone" are things, written the way the trade does.
        let name = names_by_case
            && if i == 0 {
                capital(Some(chunk)) && capital(chunks.get(1).copied())
            } else {
                chunk.chars().any(char::is_uppercase) && !camel_case(trimmed)
            };
        // Praise ("great", "helpful") and strong blame ("ridiculous", "worst") say how customers
        // feel, not what about; milder words, good or bad, often name the event or the thing
        // itself ("lost", "delayed", "broken"; "delivered", "refunded", "loyalty").
        let valence = super::sentiment::valence(word);
        let feeling = valence.is_some_and(|v| v >= PRAISE || v <= STRONG_BLAME);
        let number = number_word(word);
        if word.chars().count() < 2 || !plain || name || number {
            // A name, number or code is something the sentence is about ("delayed into STX").
            names |= name || number || (!plain && word.chars().any(char::is_alphanumeric));
            out.push(None);
        } else if feeling {
            // Not a term (a theme is what customers talk about, not how they feel about it), but
            // not a clause break either.
        } else if !stops.contains(word) && !elongated(word) {
            let at = text_out.len();
            push_stem(word, text_out);
            if stops.contains(&text_out[at..]) || (asking && asking_words().contains(&text_out[at..])) {
                text_out.truncate(at);
            } else {
                names |= valence.is_none();
                let stem = at..text_out.len();
                text_out.push_str(word);
                let said = trimmed.as_ptr() as usize - text.as_ptr() as usize;
                out.push(Some(RunWordAt {
                    stem: stem.clone(),
                    word: stem.end..text_out.len(),
                    said: said..said + trimmed.len(),
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

/// What the taxonomy found in a call, as discovery needs it: (turn, start, end) byte ranges.
#[derive(Debug, Default)]
pub struct Known {
    /// Specific complaint mentions: their sentences are explained and skipped.
    pub complaints: Vec<(u32, usize, usize)>,
    /// General complaint mentions ("so annoying"): how the customer feels, not about what. The
    /// sentence still gives terms, but not from these words.
    pub feelings: Vec<(u32, usize, usize)>,
    /// The ends of idea cues.
    pub idea_ends: Vec<(u32, usize)>,
}

/// Collects a call's discovery terms, leaving out what the taxonomy already explains.
pub fn call_terms(conv: &Conversation, known: &Known) -> CallTerms {
    let (explained, idea_ends) = (&known.complaints, &known.idea_ends);
    let mut out = CallTerms::default();
    let mut opening = 0;
    let mut run: Vec<RunWord> = Vec::new();
    let mut run_text = String::new();
    let (mut key, mut surface) = (String::new(), String::new());
    for t in conv.customer_turns() {
        let text = &conv.call.turns[t].text;
        for (start, end) in normalize::sentences(text) {
            // Explained or not, the opening is the customer's first sentences.
            let early = opening < OPENING_SENTENCES;
            opening += 1;
            let inside = |a: usize, b: usize| a >= start && b <= end;
            if explained.iter().any(|&(turn, a, b)| turn as usize == t && inside(a, b)) {
                continue;
            }
            let sentence = &text[start..end];
            let taxonomy_cue = idea_ends.iter().find(|&&(turn, e)| turn as usize == t && inside(e, e)).map(|&(_, e)| e);
            // The built-in cues are looked for only where the taxonomy's found none.
            let (kind, body_at) =
                match taxonomy_cue.map(|e| (e, 0)).or_else(|| idea_cue_end(sentence).map(|e| (e, start))) {
                    Some((e, offset)) => (Kind::Idea, offset + e),
                    None => (Kind::Complaint, start),
                };
            let mut body = &text[body_at..end];
            // Complaint words come from what sounds like a complaint, or from a question in the
            // opening (where the reason for a call is said); small talk ("that covers it") is
            // left out. Checked first: it is cheaper than reading the words.
            if kind == Kind::Complaint && !sounds_negative(sentence) && !(early && asks(sentence)) {
                continue;
            }
            // Feeling words are blanked to a clause break, so no pair of words spans them.
            let blanked;
            let feelings =
                known.feelings.iter().filter(|&&(turn, a, b)| turn as usize == t && a >= body_at && b <= end);
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
            if !words(body, kind == Kind::Idea, &mut run_text, &mut run) {
                continue;
            }
            let at = |r: &std::ops::Range<usize>| &run_text[r.clone()];
            let mut mask = 0u64;
            // Adds a term, allocating only for a term the call has not said before.
            let mut add = |key: &str, surface: &str, out: &mut CallTerms| {
                if let Some(i) = out.terms.iter().position(|x| x.kind == kind && x.key == key) {
                    mask |= 1 << i;
                } else if out.terms.len() < MAX_TERMS {
                    mask |= 1 << out.terms.len();
                    out.terms.push(Term { kind, key: key.to_string(), surface: surface.to_string(), early });
                }
            };
            for pair in run.windows(2) {
                if let [Some(first), second] = pair {
                    let s1 = at(&first.stem);
                    add(s1, at(&first.word), &mut out);
                    if let Some(second) = second {
                        let s2 = at(&second.stem);
                        if s1 != s2 {
                            key.clear();
                            surface.clear();
                            key.extend([s1, " ", s2]);
                            push_said(&body[first.said.start..second.said.end], &mut surface);
                            add(&key, &surface, &mut out);
                        }
                    }
                }
            }
            if mask != 0 {
                out.sentences.push((cut(sentence.trim(), MAX_QUOTE).to_string(), mask));
            }
        }
    }
    out
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
fn sounds_negative(sentence: &str) -> bool {
    // Words a negation reaches.
    const REACH: usize = 3;
    let mut open_negation: Option<usize> = None;
    let mut w = String::new();
    for (i, raw) in sentence.split_whitespace().enumerate() {
        w.clear();
        let trimmed = raw.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '\u{2019}');
        if trimmed.is_ascii() {
            w.push_str(trimmed);
            w.make_ascii_lowercase();
        } else {
            w.extend(trimmed.chars().flat_map(char::to_lowercase));
        }
        let negator =
            w.ends_with("n't") || w.ends_with("n\u{2019}t") || matches!(w.as_str(), "not" | "never" | "cannot" | "no");
        if negator {
            open_negation = Some(i);
            continue;
        }
        // A clause break ends a negation, as punctuation does: "no WiFi and broken seats" is a
        // complaint about the WiFi, and "broken" is not negated.
        if open_negation.is_some() && super::matcher::CLAUSE_BREAKS.contains(&w.as_str()) {
            return true;
        }
        let valence = super::sentiment::valence(&w);
        // Words for a service that has stopped, neutral in the lexicon ("down the road", "calm
        // down") but a problem after a negation: "the internet isn't down" is good news.
        let stopped = matches!(w.as_str(), "down" | "offline");
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
        terms.terms.iter().filter(|t| t.kind == kind).map(|t| t.key.as_str()).collect()
    }

    #[test]
    fn content_words_are_stemmed_and_paired_within_a_clause() {
        let c = conv(&[("customer", "Hi, they lost my bags again! The carousel never moved. Thanks anyway.")]);
        let terms = call_terms(&c, &Known::default());
        // "Thanks anyway." is neither negative nor a question: not a complaint's words.
        assert_eq!(keys(&terms, Kind::Complaint), ["lost", "lost bag", "bag", "carousel", "carousel move", "move"]);
        let lost_bag = terms.terms.iter().find(|t| t.key == "lost bag").unwrap();
        // A phrase is shown as said, the words between its two words included.
        assert_eq!(lost_bag.surface, "lost my bags");
        assert!(lost_bag.early);
        assert_eq!(terms.sentences.len(), 2);
        assert_eq!(terms.sentences[0].0, "Hi, they lost my bags again!");
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
        assert_eq!(terms.sentences, [("The wifi keeps dropping.".to_string(), 0b111)]);
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
    fn tone_and_questions_decide_which_sentences_are_complaints() {
        for yes in [
            "My flight was delayed again, thanks",
            "The parcel never arrived.",
            "It doesn't work",
            "It won't go.",
            // The negation stops at "and": the WiFi is missing, the seats are not "not broken".
            "No WiFi and broken seats",
        ] {
            assert!(sounds_negative(yes), "{yes}");
        }
        for no in [
            "No outage on my end.",
            "The app hasn't frozen once.",
            "Thanks for sorting it",
            "Super flight!",
            "The internet isn't down, it's working fine.",
            "No delays and a smooth landing",
        ] {
            assert!(!sounds_negative(no), "{no}");
        }
        assert!(asks("@acme how do I return this"));
        assert!(asks("Do you ship to Canada?"));
        assert!(!asks("I bought a new kettle today."));
    }

    #[test]
    fn a_sentence_of_feeling_alone_gives_nothing() {
        let c = conv(&[("customer", "Unbelievable. The flight was delayed again! Delayed into STX.")]);
        let terms = call_terms(&c, &Known::default());
        // "delayed" said with a thing ("flight") or a name ("STX") still counts.
        assert_eq!(keys(&terms, Kind::Complaint), ["flight", "flight delay", "delay"]);
        let quoted: Vec<&str> = terms.sentences.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(quoted, ["The flight was delayed again!", "Delayed into STX."]);
    }

    #[test]
    fn words_joined_by_a_slash_are_words_and_links_are_not() {
        let c = conv(&[("customer", "The WiFi/entertainment was broken on board, see https://x.co/a/b or x.co/c/d")]);
        let terms = call_terms(&c, &Known::default());
        let want = ["wifi", "wifi entertain", "entertain", "entertain broken", "broken", "broken board", "board"];
        assert_eq!(keys(&terms, Kind::Complaint), want);
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
        let damaged = terms.terms.iter().find(|t| t.key == "luggag damag").unwrap();
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
        assert_eq!(call_terms(&c, &Known::default()).terms.len(), MAX_TERMS);
    }
}
