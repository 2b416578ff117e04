//! Adverbs that stand between an auxiliary and what it governs: "it won't *even* turn on", "I'm
//! not *really* happy", "that would be *really* helpful", "you *really* should add ...".
//!
//! English puts such adverbs after the first auxiliary, the negator or the subject, which is
//! exactly where a taxonomy phrase ("won't turn on", "not happy", "would be helpful") has no gap.
//! Listing every phrase once per adverb would multiply the taxonomy, so the matcher also scans
//! the text with these adverbs left out ([`without_adverbs`]) and maps what it finds back to the
//! original text. Only adverbs that neither negate nor change what is being said are dropped
//! ("just" and "still" are not: "why don't you just ..." and "still not fixed" are phrases).

use super::matcher::BARE_NEGATIVES;

/// Words after which an adverb stands before the verb or adjective it modifies: auxiliaries,
/// modals, negators and the subjects that can open a clause.
const AUXILIARIES: &[&str] = &[
    "be", "is", "are", "was", "were", "been", "being", "am", "would", "could", "should", "will", "can", "may", "might",
    "must", "do", "does", "did", "has", "have", "had", "not", "never", "i", "we", "you", "it", "they", "i'm", "it's",
    "that's", "you're", "we're", "they're", "i'd", "it'd", "you'd", "we'd", "i've", "we've", "i'll", "we'll",
];

/// Where an adverb was left out: its offset in the shortened text and how many bytes of the
/// original (the adverb and the space after it) were left out there.
pub type Gap = (usize, usize);

/// Writes `text` without the adverbs that follow an auxiliary into `out`, and where each was
/// left out into `gaps`. Returns false, with `out` and `gaps` cleared, when there is none.
///
/// `adverbs` are where the words of [`ADVERBS`] stand in `text`, in order: whole words (no word
/// byte right before), each followed by ASCII whitespace. The matcher finds them in the scan it
/// makes for the taxonomy anyway ([`adverb_words`] finds them alone), so a turn without one, most
/// turns, costs nothing here, and only the word before each is read.
pub fn without_adverbs(text: &str, adverbs: &[(usize, usize)], out: &mut String, gaps: &mut Vec<Gap>) -> bool {
    out.clear();
    gaps.clear();
    let bytes = text.as_bytes();
    let mut copied = 0;
    // The last adverb left out: it still governs what follows ("would also be quite useful").
    let mut left_out: Option<(usize, usize)> = None;
    debug_assert!(adverbs.windows(2).all(|w| w[0].1 < w[1].0), "adverbs out of order: {adverbs:?}");
    for &(start, end) in adverbs {
        debug_assert!(stands_alone(bytes, start, end), "not a whole word followed by whitespace: {start}..{end}");
        // The word before, when only spaces stand between it and the adverb.
        let mut before_end = start;
        while before_end > 0 && bytes[before_end - 1].is_ascii_whitespace() {
            before_end -= 1;
        }
        if before_end == 0 || !is_word_byte(bytes[before_end - 1]) {
            continue;
        }
        let mut before_start = before_end;
        while before_start > 0 && is_word_byte(bytes[before_start - 1]) {
            before_start -= 1;
        }
        let governed = left_out == Some((before_start, before_end)) || is_auxiliary(&text[before_start..before_end]);
        let skip_to = end + text[end..].len() - text[end..].trim_start().len();
        if governed && skip_to < text.len() {
            out.push_str(&text[copied..start]);
            gaps.push((out.len(), skip_to - start));
            copied = skip_to;
            left_out = Some((start, end));
        }
    }
    if gaps.is_empty() {
        out.clear();
        return false;
    }
    out.push_str(&text[copied..]);
    true
}

/// Whether the adverb the matcher found at `start..end` of `bytes` (lowercased or not) stands as
/// [`without_adverbs`] needs it: a whole word followed by ASCII whitespace.
pub(super) fn stands_alone(bytes: &[u8], start: usize, end: usize) -> bool {
    (start == 0 || !is_word_byte(bytes[start - 1])) && bytes.get(end).is_some_and(u8::is_ascii_whitespace)
}

/// The words of [`ADVERBS`] in `text` as [`without_adverbs`] takes them, found by reading every
/// word: what the matcher finds in its scan.
pub fn adverb_words(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    word_spans(bytes).filter(|&(start, end)| stands_alone(bytes, start, end) && is_adverb(&text[start..end])).collect()
}

/// Where the words of `bytes` are: runs of [`is_word_byte`], in order.
fn word_spans(bytes: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    super::runs(bytes, is_word_byte)
}

/// The longest word of the lists above (and of the negation rule's), in bytes.
pub(super) const LONGEST: usize = 12;

/// Letters, digits, apostrophes and any non-ASCII byte (the typographic apostrophe, accented
/// letters) belong to words.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'\'' || b >= 0x80
}

/// `word` lowercased with the typographic apostrophe as `'`, in `buf`, if it could be in one of
/// the lists (short, and ASCII but for that apostrophe).
pub(super) fn fold<'a>(word: &str, buf: &'a mut [u8; LONGEST]) -> Option<&'a str> {
    let mut n = 0;
    for c in word.chars() {
        let b = match c {
            '\u{2019}' => b'\'',
            c if c.is_ascii() => c.to_ascii_lowercase() as u8,
            _ => return None,
        };
        *buf.get_mut(n)? = b;
        n += 1;
    }
    std::str::from_utf8(&buf[..n]).ok()
}

/// Adverbs of degree or emphasis that may be left out after an [`AUXILIARIES`] word, lowercase.
pub(super) const ADVERBS: &[&[u8]] = &[
    b"really",
    b"actually",
    b"even",
    b"also",
    b"very",
    b"quite",
    b"definitely",
    b"certainly",
    b"truly",
    b"totally",
    b"completely",
    b"absolutely",
    b"exactly",
    b"so",
    b"super",
    b"extremely",
    b"incredibly",
    b"pretty",
    b"honestly",
    b"seriously",
    b"literally",
    b"genuinely",
    b"simply",
    b"personally",
    b"much",
    b"greatly",
];

/// The longest adverb, in bytes.
const LONGEST_ADVERB: usize = 10;

/// For each lowercase first byte, the lengths (as bits) of the adverbs that start with it: most
/// words are ruled out by this one lookup before any comparison.
const ADVERB_SHAPES: [u16; 256] = {
    let mut shapes = [0u16; 256];
    let mut i = 0;
    while i < ADVERBS.len() {
        let word = ADVERBS[i];
        assert!(word.len() <= LONGEST_ADVERB);
        shapes[word[0] as usize] |= 1 << word.len();
        i += 1;
    }
    shapes
};

/// An adverb of [`ADVERBS`], in any case.
fn is_adverb(word: &str) -> bool {
    let w = word.as_bytes();
    let Some(&first) = w.first() else { return false };
    if w.len() > LONGEST_ADVERB || ADVERB_SHAPES[first.to_ascii_lowercase() as usize] & (1 << w.len()) == 0 {
        return false;
    }
    ADVERBS.iter().any(|a| a.eq_ignore_ascii_case(w))
}

/// An auxiliary, a modal, a subject or a negator, negative contractions included ("won't",
/// "doesn’t", "cant").
fn is_auxiliary(word: &str) -> bool {
    let mut buf = [0u8; LONGEST];
    fold(word, &mut buf).is_some_and(|w| w.ends_with("n't") || AUXILIARIES.contains(&w) || BARE_NEGATIVES.contains(&w))
}

/// The offset in the original text of offset `at` of the shortened one. A `start` maps past an
/// adverb left out right before it, an end (`is_end`) maps before it.
pub fn original_offset(gaps: &[Gap], at: usize, is_end: bool) -> usize {
    let shift: usize = gaps.iter().take_while(|&&(g, _)| g < at || (!is_end && g == at)).map(|&(_, len)| len).sum();
    at + shift
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The definition [`without_adverbs`] is held to: every word read in turn, an adverb left out
    /// when the word before it, with only spaces between, is an auxiliary or an adverb left out.
    fn reference(text: &str) -> Option<(String, Vec<Gap>)> {
        let (mut out, mut gaps) = (String::new(), Vec::new());
        let bytes = text.as_bytes();
        let mut copied = 0;
        let mut previous: Option<(usize, usize, bool)> = None;
        for (start, end) in word_spans(bytes) {
            let spaced = |from: usize| bytes[from..start].iter().all(u8::is_ascii_whitespace);
            let governed = previous.is_some_and(|(s, e, governs)| spaced(e) && (governs || is_auxiliary(&text[s..e])));
            let skip_to = end + text[end..].len() - text[end..].trim_start().len();
            let adverb = bytes.get(end).is_some_and(u8::is_ascii_whitespace) && is_adverb(&text[start..end]);
            if adverb && governed && skip_to < text.len() {
                out.push_str(&text[copied..start]);
                gaps.push((out.len(), skip_to - start));
                copied = skip_to;
                previous = Some((start, end, true));
            } else {
                previous = Some((start, end, false));
            }
        }
        (!gaps.is_empty()).then(|| {
            out.push_str(&text[copied..]);
            (out, gaps)
        })
    }

    proptest! {
        #[test]
        fn reading_only_around_the_adverbs_found_leaves_out_what_reading_every_word_does(
            words in proptest::collection::vec(
                prop_oneof![
                    Just("really"), Just("Even"), Just("so"), Just("also"), Just("quite"), Just("is"), Just("would"),
                    Just("be"), Just("I'm"), Just("don\u{2019}t"), Just("not"), Just("it"), Just("app"), Just("slow"),
                    Just("sorry"), Just("\u{e9}t\u{e9}"), Just("much"),
                ],
                0..12,
            ),
            seps in proptest::collection::vec(
                prop_oneof![Just(" "), Just("  "), Just("\t"), Just(", "), Just(". "), Just("-"), Just("\u{a0}"), Just("")],
                12,
            ),
        ) {
            let mut text = String::new();
            for (w, sep) in words.iter().zip(&seps) {
                text.push_str(w);
                text.push_str(sep);
            }
            let (mut out, mut gaps) = (String::new(), Vec::new());
            let found = without_adverbs(&text, &adverb_words(&text), &mut out, &mut gaps);
            prop_assert_eq!(found.then_some((out, gaps)), reference(&text));
        }
    }

    fn shortened(text: &str) -> Option<String> {
        let (mut out, mut gaps) = (String::new(), Vec::new());
        without_adverbs(text, &adverb_words(text), &mut out, &mut gaps).then_some(out)
    }

    /// `{text, expect}` rows: the text with the adverbs left out, or `None` when none is.
    #[test]
    fn table_of_adverbs_left_out() {
        let rows: &[(&str, Option<&str>)] = &[
            ("It won't even turn on.", Some("It won't turn on.")),
            ("I'm not really happy", Some("I'm not happy")),
            ("That would be really helpful", Some("That would be helpful")),
            ("It would also be quite useful to have", Some("It would be useful to have")),
            ("You really should add it", Some("You should add it")),
            ("I was NOT exactly thrilled", Some("I was NOT thrilled")),
            ("it doesn’t actually work", Some("it doesn’t work")),
            // no auxiliary before the adverb, or the adverb modifies nothing after it
            ("A really good app", None),
            ("Thanks, really.", None),
            ("It is, really, broken", None),
            ("I like the app very much", None),
            // words that change what is said are kept
            ("why don't you just fix it", None),
            ("it is still not fixed", None),
            ("It is not only slow", None),
        ];
        for (text, expect) in rows {
            assert_eq!(shortened(text).as_deref(), *expect, "{text:?}");
        }
    }

    #[test]
    fn adverbs_are_known_in_any_case() {
        for adverb in ["really", "Actually", "EVEN", "so", "personally", "greatly"] {
            assert!(is_adverb(adverb), "{adverb}");
        }
        for word in ["the", "app", "just", "still", "not", "reallyy", "s", "incrediblyy"] {
            assert!(!is_adverb(word), "{word}");
        }
    }

    #[test]
    fn offsets_map_back_to_the_original_text() {
        let text = "It would also be quite useful to have";
        let (mut out, mut gaps) = (String::new(), Vec::new());
        assert!(without_adverbs(text, &adverb_words(text), &mut out, &mut gaps));
        let phrase = "would be useful";
        let start = out.find(phrase).unwrap();
        let (s, e) = (original_offset(&gaps, start, false), original_offset(&gaps, start + phrase.len(), true));
        assert_eq!(&text[s..e], "would also be quite useful");
        // A phrase that starts right after an adverb left out starts after it in the original.
        let start = out.find("useful").unwrap();
        assert_eq!(&text[original_offset(&gaps, start, false)..], "useful to have");
        // An end right before an adverb left out ends before it.
        let end = out.find(" be").unwrap();
        assert_eq!(&text[..original_offset(&gaps, end, true)], "It would");
    }
}
