//! Extract: per call, the complaint and idea mentions in the customer's turns, the thing asked
//! for in each idea, and the customer's sentiment at the start and the end of the call.
//!
//! [`Extractor::extract`] is a pure function of one conversation, so calls are extracted in
//! parallel with no shared state. Agent turns are never mined: the agent saying "I'm sorry you
//! were charged twice" is not the customer's complaint.

pub mod adverb;
pub mod discover;
pub mod follow_up;
pub mod idea;
pub mod matcher;
pub mod sentiment;
pub mod taxonomy;
pub mod word_key;

use crate::model::Kind;
use crate::normalize::Conversation;
use matcher::{Hit, Matcher, Scanned};
pub use taxonomy::{Category, Taxonomy, TaxonomyError};

thread_local! {
    /// Per thread, reused for every call: what the automaton found in its customer turns.
    static SCANNED: std::cell::Cell<Scanned> = std::cell::Cell::new(Scanned::default());
}

/// One phrase of one category said by the customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// Index of the category in the taxonomy.
    pub category: u16,
    /// Index of the phrase in the category.
    pub phrase: u16,
    /// Index of the turn in the call (0-based).
    pub turn: u32,
    /// Byte range of the phrase in the turn's text.
    pub start: usize,
    /// End of the byte range.
    pub end: usize,
    /// For ideas: the thing asked for, normalised (may be empty).
    pub idea: Option<String>,
}

/// What one call says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Findings {
    /// Mentions in turn order.
    pub mentions: Vec<Mention>,
    /// Distinct categories mentioned, ascending index.
    pub categories: Vec<u16>,
    /// Complaint mentions.
    pub complaints: u32,
    /// Idea mentions.
    pub ideas: u32,
    /// The complaint mentioned most (first on ties); else the idea category, if any.
    pub primary: Option<u16>,
    /// Customer sentiment over the opening of the call, -1..1.
    pub sentiment_start: f64,
    /// Customer sentiment over the end of the call, -1..1.
    pub sentiment_end: f64,
    /// Words said by the customer.
    pub customer_words: u32,
    /// Turns taken by the customer.
    pub customer_turns: u32,
    /// The first customer request for a supervisor: (turn, start, end).
    pub supervisor: Option<(u32, usize, usize)>,
    /// Where the extractor's words to mark stand in the customer's turns, by turn and in turn
    /// order; `None` when it marks none (see [`Extractor::with_marks`]).
    pub marks: Option<Vec<(u32, matcher::Marked)>>,
}

/// Sentiment is scored over at least this many customer words at each end of the call, so that
/// a closing "ok bye" does not decide how the call ended.
const SENTIMENT_WORDS: usize = 12;

/// The compiled taxonomy and everything else per-call extraction needs.
#[derive(Debug, Clone)]
pub struct Extractor {
    taxonomy: Taxonomy,
    matcher: Matcher,
    /// Whether the matcher has words to mark.
    marking: bool,
}

impl Extractor {
    /// Compiles a taxonomy for matching.
    pub fn new(taxonomy: Taxonomy) -> Result<Extractor, aho_corasick::BuildError> {
        Extractor::with_marks(taxonomy, &[])
    }

    /// Compiles a taxonomy for matching, and words whose places in the customer's turns are
    /// found in the same scan and kept in [`Findings::marks`].
    pub fn with_marks(taxonomy: Taxonomy, marks: &[&str]) -> Result<Extractor, aho_corasick::BuildError> {
        let matcher = Matcher::with_marks(&taxonomy, follow_up::SUPERVISOR_PHRASES, marks)?;
        Ok(Extractor { taxonomy, matcher, marking: !marks.is_empty() })
    }

    /// The taxonomy in use.
    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
    }

    /// Finds everything the customer says in one call.
    pub fn extract(&self, conv: &Conversation) -> Findings {
        let mut findings = Findings::default();
        let mut hits: Vec<Hit> = Vec::new();
        let (mut marks, mut marked) = (Vec::new(), self.marking.then(Vec::new));
        let customer: Vec<usize> = conv.customer_turns().collect();
        // The customer's turns are scanned in one pass, then read turn by turn.
        let mut scanned = SCANNED.take();
        let texts: Vec<&str> = customer.iter().map(|&t| &*conv.call.turns[t].text).collect();
        self.matcher.scan_texts(&texts, &mut scanned);
        // Words per customer turn, counted once for the total and for sentiment's ends.
        let mut words: Vec<usize> = Vec::with_capacity(customer.len());
        for (i, (&t, &text)) in customer.iter().zip(&texts).enumerate() {
            words.push(word_count(text));
            findings.customer_words += words[words.len() - 1] as u32;
            hits.clear();
            if let Some(marked) = &mut marked {
                marks.clear();
                self.matcher.find_marked_in(text, &scanned, i, &mut hits, Some(&mut marks));
                marked.extend(marks.iter().map(|&m| (t as u32, m)));
            } else {
                self.matcher.find_marked_in(text, &scanned, i, &mut hits, None);
            }
            // The supervisor phrases come after the taxonomy's categories.
            let supervisor = self.taxonomy.categories.len();
            if let Some(h) = hits.iter().find(|h| usize::from(h.category) == supervisor) {
                findings.supervisor.get_or_insert((t as u32, h.start, h.end));
            }
            hits.retain(|h| usize::from(h.category) != supervisor);
            self.drop_contained_complaints(&mut hits);
            // One idea per sentence and category: "do you have plans to add an option to ..." is
            // one request, though two cues match.
            let mut last_idea: Option<(u16, usize)> = None;
            for h in &hits {
                let kind = self.taxonomy.categories[h.category as usize].kind;
                if kind == Kind::Idea {
                    let same_sentence = last_idea.is_some_and(|(c, end)| {
                        c == h.category && end <= h.start && !text[end..h.start].contains(['.', '!', '?', '\n'])
                    });
                    if same_sentence {
                        continue;
                    }
                    last_idea = Some((h.category, h.end));
                }
                let idea = (kind == Kind::Idea).then(|| idea::asked_for_around(text, h.start, h.end));
                match kind {
                    Kind::Complaint => findings.complaints += 1,
                    Kind::Idea => findings.ideas += 1,
                    // A taxonomy cannot name the kind (see `Kind::Question`).
                    Kind::Question => {}
                }
                findings.mentions.push(Mention {
                    category: h.category,
                    phrase: h.phrase,
                    turn: t as u32,
                    start: h.start,
                    end: h.end,
                    idea,
                });
            }
        }
        SCANNED.set(scanned);
        findings.customer_turns = customer.len() as u32;
        findings.marks = marked;
        let mut categories: Vec<u16> = findings.mentions.iter().map(|m| m.category).collect();
        categories.sort_unstable();
        findings.primary = self.primary(&findings.mentions, &categories);
        categories.dedup();
        findings.categories = categories;
        let text_of = |(t, w): (&usize, &usize)| (&*conv.call.turns[*t].text, *w);
        findings.sentiment_start = sentiment::score_parts(gather(customer.iter().zip(&words).map(text_of)));
        findings.sentiment_end = sentiment::score_parts(gather(customer.iter().zip(&words).rev().map(text_of)));
        findings
    }

    /// Drops a complaint phrase that lies inside a longer complaint phrase of another category:
    /// the longer one says what went wrong ("error" of bugs inside "billing error" of billing,
    /// "keeps crashing" of faulty products inside "app keeps crashing" of app bugs).
    fn drop_contained_complaints(&self, hits: &mut Vec<Hit>) {
        let complaint = |h: &Hit| self.taxonomy.categories[h.category as usize].kind == Kind::Complaint;
        let inside = |h: &Hit, o: &Hit| {
            o.category != h.category && o.start <= h.start && h.end <= o.end && o.end - o.start > h.end - h.start
        };
        // Hits come sorted by start, so the hits that may hold `h` are found by two binary
        // searches: they start at most `longest` bytes before its end, and not after its start.
        // A turn with no punctuation can hold thousands of hits; comparing every pair of them
        // took minutes.
        debug_assert!(hits.is_sorted_by_key(|h| h.start));
        let longest = hits.iter().map(|h| h.end - h.start).max().unwrap_or(0);
        let contained = |h: &Hit| {
            if !complaint(h) {
                return false;
            }
            let from = hits.partition_point(|o| o.start + longest < h.end);
            let to = hits.partition_point(|o| o.start <= h.start);
            hits[from..to.max(from)].iter().any(|o| complaint(o) && inside(h, o))
        };
        // Most turns have none: checked before anything is allocated.
        if !hits.iter().any(contained) {
            return;
        }
        let mut keep = hits.iter().map(|h| !contained(h)).collect::<Vec<_>>().into_iter();
        hits.retain(|_| keep.next().unwrap_or(true));
    }

    /// The specific complaint mentioned most (the first on ties), else the general complaint
    /// mentioned most, else the idea category mentioned most. `sorted` holds the category of
    /// every mention, sorted, to count them by.
    fn primary(&self, mentions: &[Mention], sorted: &[u16]) -> Option<u16> {
        let mentioned = |c: u16| sorted.partition_point(|&x| x <= c) - sorted.partition_point(|&x| x < c);
        let class = |c: u16| {
            let category = &self.taxonomy.categories[c as usize];
            match (category.kind, category.general) {
                (Kind::Complaint, false) => 0,
                (Kind::Complaint, true) => 1,
                (Kind::Idea, _) => 2,
                // A taxonomy cannot name the kind (see `Kind::Question`).
                (Kind::Question, _) => 3,
            }
        };
        let mut best: Option<(u16, usize)> = None;
        for want in 0..3 {
            for m in mentions.iter().filter(|m| class(m.category) == want) {
                let n = mentioned(m.category);
                if best.is_none_or(|(_, bn)| n > bn) {
                    best = Some((m.category, n));
                }
            }
            if best.is_some() {
                break;
            }
        }
        best.map(|(c, _)| c)
    }
}

/// Words in `text`, as `split_whitespace` counts them, by bytes when the text is ASCII.
fn word_count(text: &str) -> usize {
    if !text.is_ascii() {
        return text.split_whitespace().count();
    }
    // A word starts at a byte that is not a space, first or after a space. Counted pair by pair,
    // with no state carried from one byte to the next, in byte-sized sums over blocks of 128
    // pairs (which cannot overflow), the loop compiles to vector code.
    let bytes = text.as_bytes();
    let Some(&first) = bytes.first() else { return 0 };
    let (before, after) = (&bytes[..bytes.len() - 1], &bytes[1..]);
    let starts = before
        .chunks(128)
        .zip(after.chunks(128))
        .map(|(a, b)| a.iter().zip(b).fold(0u8, |n, (&a, &b)| n + u8::from(is_space(a) & !is_space(b))) as usize);
    usize::from(!is_space(first)) + starts.sum::<usize>()
}

/// Whether an ASCII byte is whitespace as `char::is_whitespace` has it: space, `\t`, `\n`,
/// `\x0b`, `\x0c` or `\r` (written without branches, for loops that compile to vector code).
#[inline]
pub(super) fn is_space(b: u8) -> bool {
    (b == b' ') | (b.wrapping_sub(b'\t') <= b'\r' - b'\t')
}

/// The runs of `bytes` that `in_run` accepts, as (start, end) byte ranges, in order.
pub(super) fn runs<'a>(bytes: &'a [u8], in_run: impl Fn(u8) -> bool + 'a) -> impl Iterator<Item = (usize, usize)> + 'a {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !in_run(bytes[i]) {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && in_run(bytes[i]) {
            i += 1;
        }
        (i > start).then_some((start, i))
    })
}

/// The turns, given in order with their word counts, up to the one that brings
/// [`SENTIMENT_WORDS`] words.
fn gather<'a>(turns: impl Iterator<Item = (&'a str, usize)>) -> impl Iterator<Item = &'a str> {
    let mut words = 0;
    turns
        .take_while(move |&(_, n)| {
            let more = words < SENTIMENT_WORDS;
            words += n;
            more
        })
        .map(|(t, _)| t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::{Call, Turn};
    use crate::normalize::{normalize, Speakers};

    /// A conversation of (speaker, text) turns, roles mapped by the default config (also used by
    /// the tests of `discover`).
    pub(super) fn conv(turns: &[(&str, &str)]) -> Conversation<'static> {
        let call = Call {
            call_id: "c".into(),
            turns: turns
                .iter()
                .map(|(s, t)| Turn { speaker: s.to_string().into(), text: t.to_string().into(), ..Turn::default() })
                .collect(),
            ..Call::default()
        };
        let c = Config::default();
        normalize(call, &Speakers::new(c.customer_labels, c.agent_labels))
    }

    fn extractor() -> Extractor {
        Extractor::new(Taxonomy::builtin().unwrap()).unwrap()
    }

    #[test]
    fn a_general_complaint_is_primary_only_when_nothing_specific_is_named() {
        let e = extractor();
        let c =
            conv(&[("customer", "I was charged twice. Unacceptable, the worst service, a disgrace, unacceptable.")]);
        let f = e.extract(&c);
        assert!(ids(&e, &f).contains(&"dissatisfaction".to_string()), "{:?}", ids(&e, &f));
        assert_eq!(f.primary.map(|p| e.taxonomy().categories[p as usize].id.as_str()), Some("billing"));
        let c = conv(&[("customer", "Unacceptable, the worst service.")]);
        let f = e.extract(&c);
        assert_eq!(f.primary.map(|p| e.taxonomy().categories[p as usize].id.as_str()), Some("dissatisfaction"));
    }

    fn ids(e: &Extractor, f: &Findings) -> Vec<String> {
        f.categories.iter().map(|&c| e.taxonomy().categories[c as usize].id.clone()).collect()
    }

    #[test]
    fn supervisor_requests_are_found_but_not_their_negation() {
        let e = extractor();
        let first = |text: &str| e.extract(&conv(&[("customer", "Hello."), ("customer", text)])).supervisor;
        let at =
            |text: &str, phrase: &str| Some((1, text.find(phrase).unwrap(), text.find(phrase).unwrap() + phrase.len()));
        let text = "This is the third time. I want to speak to a manager right now";
        assert_eq!(first(text), at(text, "I want to speak to a manager"));
        assert_eq!(first("Please escalate this."), at("Please escalate this.", "escalate this"));
        assert_eq!(first("No need to escalate this, thanks"), None);
        assert_eq!(first("my manager at work said hi"), None);
        // A supervisor phrase is not a mention of any category.
        let f = e.extract(&conv(&[("customer", "Let me speak to a supervisor.")]));
        assert!(f.mentions.iter().all(|m| usize::from(m.category) < e.taxonomy().categories.len()));
    }

    #[test]
    fn words_are_counted_as_split_whitespace_counts_them() {
        for text in ["", "  ", "one", " two  words ", "tab\tnew\nline\r\x0bvt\x0cff", "non ascii\u{a0}nbsp é"] {
            assert_eq!(word_count(text), text.split_whitespace().count(), "{text:?}");
        }
        // Pairs are counted in blocks of 128: words that start right at, before and after a
        // block's edge, and texts of every word, each a letter long.
        for len in [127, 128, 129, 130, 255, 256, 257, 258, 300] {
            for edge in [126, 127, 128, 129, 255, 256, 257] {
                let mut text = vec![b' '; len];
                if edge < len {
                    text[edge] = b'x';
                }
                let text = String::from_utf8(text).unwrap();
                assert_eq!(word_count(&text), text.split_whitespace().count(), "{len} {edge}");
            }
            let letters = "a ".repeat(len);
            assert_eq!(word_count(&letters), len, "{len}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_ascii_text_has_the_words_split_whitespace_finds(
            text in "[ \t\n\r\x0b\x0c\x08\x0e\x1f\x00a-c.]{0,400}",
        ) {
            proptest::prop_assert_eq!(word_count(&text), text.split_whitespace().count(), "{:?}", text);
        }
    }

    #[test]
    fn agent_only_complaint_is_not_counted() {
        let e = extractor();
        let f =
            e.extract(&conv(&[("agent", "I'm sorry you were charged twice."), ("customer", "Thanks, that's great.")]));
        assert!(f.categories.is_empty(), "{:?}", ids(&e, &f));
        assert!(f.sentiment_end > 0.0);
    }

    #[test]
    fn customer_complaint_and_idea_are_found() {
        let e = extractor();
        let f = e.extract(&conv(&[
            ("agent", "How can I help?"),
            ("customer", "I was charged twice this month. I wish you had a dark mode, too."),
        ]));
        let found = ids(&e, &f);
        assert!(found.contains(&"billing".to_string()), "{found:?}");
        assert!(found.contains(&"idea".to_string()), "{found:?}");
        let idea = f.mentions.iter().find_map(|m| m.idea.clone()).unwrap();
        assert_eq!(idea, "dark mode");
        assert_eq!(e.taxonomy().categories[f.primary.unwrap() as usize].id, "billing");
        assert_eq!((f.complaints, f.ideas), (1, 1));
    }

    /// `{text, kind, expect}` rows for general forms of the built-in taxonomy: whether the
    /// customer's sentence has a mention of that kind.
    #[test]
    fn built_in_general_forms_table() {
        let e = extractor();
        let rows: &[(&str, Kind, bool)] = &[
            // ideas said before the cue, or as needs and proposals
            ("A dark mode would be nice.", Kind::Idea, true),
            ("Offline maps would be greatly appreciated", Kind::Idea, true),
            ("Yes, that would be great, thanks.", Kind::Idea, false),
            ("Okay that'd be nice.", Kind::Idea, false),
            ("We need a way to export our history.", Kind::Idea, true),
            ("We need a technician to come out.", Kind::Idea, false),
            ("I'd like to have the option to pause deliveries.", Kind::Idea, true),
            ("I would like a refund please.", Kind::Idea, false),
            ("The reminder email should be configurable.", Kind::Idea, true),
            ("Can we have a family plan?", Kind::Idea, true),
            ("How about adding a wishlist?", Kind::Idea, true),
            ("Why not allow two cards on one account?", Kind::Idea, true),
            ("I propose a weekly summary email.", Kind::Idea, true),
            // imperatives at a sentence head, and the look-alikes that are not requests
            ("Make the search remember my filters.", Kind::Idea, true),
            ("Please remove the sign-in wall for the help pages.", Kind::Idea, true),
            ("Please make sure the refund goes through.", Kind::Idea, false),
            ("Have a nice day.", Kind::Idea, false),
            ("Remove my card from the account.", Kind::Idea, false),
            // complaints without a product-specific phrase
            ("My flight is delayed again.", Kind::Complaint, true),
            ("The train was 40 minutes late.", Kind::Complaint, true),
            ("Sorry for the delay in getting back to you.", Kind::Complaint, false),
            ("I still can't get into the portal.", Kind::Complaint, true),
            ("It was supposed to come on Friday.", Kind::Complaint, true),
            ("Why is my bill so high this month?", Kind::Complaint, true),
            ("Thanks for ignoring my emails.", Kind::Complaint, true),
            ("Really disappointed with the new version.", Kind::Complaint, true),
            ("I was not disappointed at all.", Kind::Complaint, false),
            ("The courier never showed up.", Kind::Complaint, true),
            ("My refund never showed up.", Kind::Complaint, true),
            ("The screen is not responding to touch.", Kind::Complaint, true),
            ("The courier has yet to arrive.", Kind::Complaint, true),
            ("You have still not replied to my message.", Kind::Complaint, true),
            ("The app is great, thank you.", Kind::Complaint, false),
            // how the product should be, proposals named as such, offers to pay; and look-alikes
            ("The monthly statement should be clearer.", Kind::Idea, true),
            ("It would be really helpful to have a spending summary.", Kind::Idea, true),
            ("I would gladly pay for a premium tier.", Kind::Idea, true),
            ("A better solution would be a text when the engineer is on the way.", Kind::Idea, true),
            ("The booking page needs to be simpler.", Kind::Idea, true),
            ("Please keep the old layout.", Kind::Idea, true),
            ("Please keep me updated.", Kind::Idea, false),
            ("The search page should remember my filters.", Kind::Idea, true),
            ("My parcel should be here by now.", Kind::Idea, false),
            ("It should be way less than that.", Kind::Idea, false),
            ("What should I do now?", Kind::Idea, false),
            ("The engineer should arrive at ten.", Kind::Idea, false),
            ("I'd love to know why this happened.", Kind::Idea, false),
            ("I want it to work properly.", Kind::Idea, false),
            ("Why not just refund me?", Kind::Idea, false),
            // adverbs after the auxiliary, verdicts, and things that used to work
            ("It won't even turn on.", Kind::Complaint, true),
            ("I am not exactly thrilled with the upgrade.", Kind::Complaint, true),
            ("I would not recommend you to anyone.", Kind::Complaint, true),
            ("I would recommend you to my friends.", Kind::Complaint, false),
            ("Worst purchase I have made.", Kind::Complaint, true),
            ("Worst case, I can come in on Monday.", Kind::Complaint, false),
            ("It used to work fine.", Kind::Complaint, true),
            ("I don't know what's going on with my bill.", Kind::Complaint, true),
            ("The website won't allow me to pay.", Kind::Complaint, true),
            ("The driver was abusive.", Kind::Complaint, true),
            // feelings, errors and failures said plainly; and their look-alikes
            ("This new layout is so annoying.", Kind::Complaint, true),
            ("I keep getting an internal error.", Kind::Complaint, true),
            ("The handle broke off after a week.", Kind::Complaint, true),
            ("I'm not able to select a delivery date.", Kind::Complaint, true),
            ("It could be worse, I suppose.", Kind::Complaint, false),
            ("Sorry, that was my error.", Kind::Complaint, false),
            ("I haven't heard a thing since Monday.", Kind::Complaint, true),
            // proposals put to the company, and preferences about the product
            ("You could also create a widget with the unread count.", Kind::Idea, true),
            ("I would rather have the old menu back.", Kind::Idea, true),
            ("The list should show the delivery date too.", Kind::Idea, true),
            // apostrophes left out
            ("i cant log in to my account", Kind::Complaint, true),
            ("the app wasnt crashing today", Kind::Complaint, false),
        ];
        for (text, kind, expect) in rows {
            let f = e.extract(&conv(&[("customer", text)]));
            let got = f.mentions.iter().any(|m| e.taxonomy().categories[m.category as usize].kind == *kind);
            assert_eq!(got, *expect, "{kind:?} in {text:?}: {:?}", ids(&e, &f));
        }
    }

    #[test]
    fn a_complaint_inside_a_longer_one_of_another_category_is_dropped() {
        let e = extractor();
        let f = e.extract(&conv(&[("customer", "There is a billing error on my account.")]));
        assert_eq!(ids(&e, &f), ["billing"]);
        // "is broken" of faulty products is inside "app is broken" of app bugs; a phrase of
        // another category elsewhere in the sentence still counts.
        let f = e.extract(&conv(&[("customer", "The app is broken and the handle broke off.")]));
        assert_eq!(ids(&e, &f), ["app_bug", "product_quality"]);
        let f = e.extract(&conv(&[("customer", "The app is broken.")]));
        assert_eq!(ids(&e, &f), ["app_bug"]);
    }

    proptest::proptest! {
        #[test]
        fn contained_complaints_are_found_as_by_comparing_every_pair(
            spans in proptest::collection::vec((0u16..8, 0usize..60, 1usize..12), 0..40),
        ) {
            static BUILT: std::sync::OnceLock<Extractor> = std::sync::OnceLock::new();
            let e = BUILT.get_or_init(extractor);
            // Six complaint categories of the built-in taxonomy, and its idea category.
            let ideas = e.taxonomy.categories.iter().position(|c| c.kind == Kind::Idea).unwrap() as u16;
            let pick = |c: u16| if c < 6 { c } else { ideas };
            let mut hits: Vec<Hit> = spans
                .iter()
                .map(|&(c, start, len)| Hit { category: pick(c), phrase: 0, start, end: start + len })
                .collect();
            hits.sort_by_key(|h| (h.start, h.category, std::cmp::Reverse(h.end)));
            let complaint = |h: &Hit| e.taxonomy.categories[h.category as usize].kind == Kind::Complaint;
            let expect: Vec<Hit> = hits
                .iter()
                .filter(|h| {
                    !(complaint(h)
                        && hits.iter().any(|o| {
                            complaint(o)
                                && o.category != h.category
                                && o.start <= h.start
                                && h.end <= o.end
                                && o.end - o.start > h.end - h.start
                        }))
                })
                .copied()
                .collect();
            e.drop_contained_complaints(&mut hits);
            proptest::prop_assert_eq!(hits, expect);
        }
    }

    #[test]
    fn the_primary_category_is_counted_from_the_sorted_mentions() {
        let e = extractor();
        // Two of app bugs after one of billing: the specific complaint mentioned most wins.
        let f = e.extract(&conv(&[(
            "customer",
            "I was charged twice. The app keeps crashing. The app keeps crashing again. I wish you had dark mode.",
        )]));
        assert_eq!(e.taxonomy.categories[f.primary.unwrap() as usize].id, "app_bug");
        // On a tie the first mentioned wins.
        let f = e.extract(&conv(&[("customer", "The app keeps crashing. I was charged twice.")]));
        assert_eq!(e.taxonomy.categories[f.primary.unwrap() as usize].id, "app_bug");
        let f = e.extract(&conv(&[("customer", "I was charged twice. The app keeps crashing.")]));
        assert_eq!(e.taxonomy.categories[f.primary.unwrap() as usize].id, "billing");
    }

    #[test]
    fn negated_complaint_is_not_counted() {
        let e = extractor();
        let f = e.extract(&conv(&[("customer", "The app is not crashing anymore, no problem at all.")]));
        assert!(f.categories.is_empty(), "{:?}", ids(&e, &f));
    }

    #[test]
    fn sentiment_reads_the_end_of_the_call() {
        let e = extractor();
        let f = e.extract(&conv(&[
            ("customer", "This is ridiculous, I have been waiting for weeks and I am furious."),
            ("agent", "Let me fix that."),
            ("customer", "Oh wonderful, thank you so much, that is perfect, I really appreciate it."),
        ]));
        assert!(f.sentiment_start < -0.3, "{}", f.sentiment_start);
        assert!(f.sentiment_end > 0.3, "{}", f.sentiment_end);
    }
}
