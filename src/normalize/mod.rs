//! Normalize: map speaker labels to roles, tidy text, and find sentence bounds for quotes.
//!
//! Matching later works on the original text with ASCII case folding, so normalization never
//! shifts byte offsets: a mention's offsets point straight into the turn the customer said.

pub mod redact;

use std::borrow::Cow;
use std::collections::BTreeSet;

use crate::model::{Call, Role};

/// A call with every turn's role decided.
#[derive(Debug, Clone)]
pub struct Conversation<'a> {
    /// The call as ingested (turn text trimmed of control characters).
    pub call: Call<'a>,
    /// `roles[i]` is the role of `call.turns[i]`.
    pub roles: Vec<Role>,
}

impl Conversation<'_> {
    /// Indices of the customer's turns, in order.
    pub fn customer_turns(&self) -> impl Iterator<Item = usize> + '_ {
        self.roles.iter().enumerate().filter(|(_, r)| **r == Role::Customer).map(|(i, _)| i)
    }

    /// Turns whose speaker label the config does not map.
    pub fn unknown_turns(&self) -> usize {
        self.roles.iter().filter(|r| **r == Role::Unknown).count()
    }
}

/// Maps speaker labels to roles.
#[derive(Debug, Clone)]
pub struct Speakers {
    customer: BTreeSet<String>,
    agent: BTreeSet<String>,
}

impl Speakers {
    /// From lowercase label sets.
    pub fn new(customer: BTreeSet<String>, agent: BTreeSet<String>) -> Self {
        Speakers { customer, agent }
    }

    /// The role of a label: exact (case-insensitive) match first, then a label that starts with
    /// a known word followed by a digit or separator (`Agent 2`, `customer_1`, `rep-jane`).
    pub fn role(&self, label: &str) -> Role {
        let label = label.trim();
        // Labels are short and repeat on every turn: lowercase them on the stack when possible.
        let mut buf = [0u8; 32];
        let owned;
        let label: &str = if label.is_ascii() && label.len() <= buf.len() {
            let lower = &mut buf[..label.len()];
            lower.copy_from_slice(label.as_bytes());
            lower.make_ascii_lowercase();
            std::str::from_utf8(lower).unwrap_or_default()
        } else {
            owned = label.to_lowercase();
            &owned
        };
        if self.customer.contains(label) {
            return Role::Customer;
        }
        if self.agent.contains(label) {
            return Role::Agent;
        }
        let head_len = label.find(|c: char| !c.is_alphabetic()).unwrap_or(label.len());
        let (head, rest) = label.split_at(head_len);
        let separated = rest.starts_with(|c: char| c.is_ascii_digit() || " _-#".contains(c));
        if head.len() > 1 && separated {
            if self.customer.contains(head) {
                return Role::Customer;
            }
            if self.agent.contains(head) {
                return Role::Agent;
            }
        }
        Role::Unknown
    }
}

/// Decides roles (the role ingest already decided, else the speaker label's), strips control
/// characters (other than tab and newline) from turn text, and renames the metadata fields named
/// like a column or segment earful computes (see [`crate::model::is_reserved_field`]).
pub fn normalize<'a>(mut call: Call<'a>, speakers: &Speakers) -> Conversation<'a> {
    // A call has two or three distinct labels, repeated on every turn: each is mapped once.
    let mut known: Vec<(&str, Role)> = Vec::with_capacity(4);
    let roles = call
        .turns
        .iter()
        .map(|t| {
            t.role.unwrap_or_else(|| match known.iter().find(|(label, _)| *label == t.speaker) {
                Some(&(_, role)) => role,
                None => {
                    let role = speakers.role(&t.speaker);
                    known.push((&t.speaker, role));
                    role
                }
            })
        })
        .collect();
    // A field named like a column or segment earful computes would stand beside it under the
    // same name in calls.csv, or be counted with it in segments.csv.
    for (field, _) in &mut call.metadata {
        if crate::model::is_reserved_field(field) {
            *field = format!("metadata.{field}");
        }
    }
    for turn in &mut call.turns {
        if !turn.control_free && has_control(&turn.text) {
            turn.text = Cow::Owned(
                turn.text.chars().map(|c| if c.is_control() && c != '\n' && c != '\t' { ' ' } else { c }).collect(),
            );
        }
    }
    Conversation { call, roles }
}

/// Whether `text` holds a control character other than tab and newline: C0 and DEL are single
/// bytes, and the C1 controls (U+0080..U+009F) are encoded as 0xC2 0x80..0x9F.
pub(crate) fn has_control(text: &str) -> bool {
    let bytes = text.as_bytes();
    // The common case, printable ASCII, in one branch-free pass the compiler vectorizes.
    let printable = bytes.iter().fold(true, |ok, &b| ok & ((0x20..0x7F).contains(&b) | (b == b'\n') | (b == b'\t')));
    if printable {
        return false;
    }
    bytes.iter().enumerate().any(|(i, &b)| match b {
        b'\n' | b'\t' => false,
        0..0x20 | 0x7F => true,
        0xC2 => bytes.get(i + 1).is_some_and(|n| (0x80..0xA0).contains(n)),
        _ => false,
    })
}

/// Whether the byte at `i` ends a sentence: a newline, or `.`, `!`, `?`, `;` followed by a space,
/// a quote or the end of the text (so `12.5`, `example.com` and `e.g.x` do not split).
fn ends_sentence(bytes: &[u8], i: usize) -> bool {
    match bytes[i] {
        b'\n' => true,
        b'.' | b'!' | b'?' | b';' => {
            bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b')'))
        }
        _ => false,
    }
}

/// The bytes that [`ends_sentence`] may accept.
const MAY_END_SENTENCE: [bool; 256] = {
    let mut table = [false; 256];
    table[b'\n' as usize] = true;
    table[b'.' as usize] = true;
    table[b'!' as usize] = true;
    table[b'?' as usize] = true;
    table[b';' as usize] = true;
    table
};

/// The byte ranges of the sentences of `text`, trimmed of surrounding space, empty ones left out.
/// Sentences end where [`quote_around`] ends them.
pub fn sentences(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut from = 0;
    std::iter::from_fn(move || {
        while from < bytes.len() {
            let start = from;
            let mut e = start;
            loop {
                // Most bytes cannot end a sentence: those that may are found by a table first.
                e += bytes[e..].iter().position(|&b| MAY_END_SENTENCE[usize::from(b)]).unwrap_or(bytes.len() - e);
                if e >= bytes.len() || ends_sentence(bytes, e) {
                    break;
                }
                e += 1;
            }
            let end = (e + 1).min(bytes.len());
            from = end;
            let (mut s, mut t) = (start, end);
            while s < t && bytes[s].is_ascii_whitespace() {
                s += 1;
            }
            while t > s && bytes[t - 1].is_ascii_whitespace() {
                t -= 1;
            }
            if s < t && text.is_char_boundary(s) && text.is_char_boundary(t) {
                return Some((s, t));
            }
        }
        None
    })
}

/// The character boundary at or before `at`.
pub fn floor_char(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The character boundary at or after `at`.
pub fn ceil_char(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// Bytes of a sentence a quote keeps on each side of its match. Transcripts from speech
/// recognition often have no punctuation: a whole call is then one sentence, and quoting all of
/// it for each of its matches made a report grow with the square of the call's length.
pub const QUOTE_REACH: usize = 320;

/// The quote of a match: the sentence that holds it, or the part of a longer sentence within
/// [`QUOTE_REACH`] bytes of the match, cut between words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quote<'a> {
    /// The quoted part of the text, trimmed.
    pub text: &'a str,
    /// The sentence goes on before the quote.
    pub cut_before: bool,
    /// The sentence goes on after the quote.
    pub cut_after: bool,
}

impl Quote<'_> {
    /// The quote as shown in a report: `…` where the sentence was cut.
    pub fn shown(&self) -> Cow<'_, str> {
        match (self.cut_before, self.cut_after) {
            (false, false) => Cow::Borrowed(self.text),
            (before, after) => {
                Cow::Owned(format!("{}{}{}", if before { "…" } else { "" }, self.text, if after { "…" } else { "" }))
            }
        }
    }
}

/// The quote for the match at the byte range `start..end` of `text`: its sentence (as
/// [`sentences`] cuts them), trimmed, unless the sentence reaches more than [`QUOTE_REACH`]
/// bytes beyond the match; on such a side the quote stops at the last whole word within reach.
/// Its cost does not depend on the sentence's length.
pub fn quote_around(text: &str, start: usize, end: usize) -> Quote<'_> {
    let bytes = text.as_bytes();
    let end = end.min(bytes.len());
    let start = start.min(end);
    let low = start.saturating_sub(QUOTE_REACH);
    let mut s = start;
    while s > low && !ends_sentence(bytes, s - 1) {
        s -= 1;
    }
    let cut_before = s > 0 && !ends_sentence(bytes, s - 1);
    if cut_before {
        // From the first word that starts within reach (the match's own word at the latest).
        if let Some(space) = bytes[s..start].iter().position(u8::is_ascii_whitespace) {
            s += space + 1;
        }
    }
    let high = (end + QUOTE_REACH).min(bytes.len());
    let mut e = end;
    while e < high && !ends_sentence(bytes, e) {
        e += 1;
    }
    let cut_after = e < bytes.len() && !ends_sentence(bytes, e);
    if cut_after {
        // Up to the last word that ends within reach (the match's own word at the latest).
        if let Some(space) = bytes[end..e].iter().rposition(u8::is_ascii_whitespace) {
            e = end + space;
        }
    } else if e < bytes.len() && bytes[e] != b'\n' {
        e += 1;
    }
    let (s, e) = (ceil_char(text, s), floor_char(text, e));
    Quote { text: text[s..e.max(s)].trim(), cut_before, cut_after }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn speakers() -> Speakers {
        let c = Config::default();
        Speakers::new(c.customer_labels, c.agent_labels)
    }

    #[test]
    fn control_characters_are_found_by_bytes_as_by_chars() {
        let by_chars = |t: &str| t.chars().any(|c| c.is_control() && c != '\n' && c != '\t');
        for text in [
            "plain text",
            "tab\tand\nnewline",
            "bell\u{7}",
            "del\u{7f}x",
            "c1 \u{85} next line",
            "c1 \u{9f}",
            "not c1: \u{a0} nbsp, é, ü, \u{2019}",
            "\u{0}",
            "\r",
            "",
        ] {
            assert_eq!(has_control(text), by_chars(text), "{text:?}");
        }
    }

    #[test]
    fn maps_labels_case_insensitively_with_suffixes() {
        let s = speakers();
        for (label, role) in [
            ("Customer", Role::Customer),
            ("CALLER", Role::Customer),
            ("rep", Role::Agent),
            ("Agent 2", Role::Agent),
            ("customer_1", Role::Customer),
            ("spk_0", Role::Unknown),
            ("agents", Role::Unknown),
        ] {
            assert_eq!(s.role(label), role, "{label}");
        }
    }

    #[test]
    fn sentences_end_where_every_byte_is_tested() {
        for b in 0..=255u8 {
            for next in [b' ', b'"', b'x'] {
                assert!(!ends_sentence(&[b, next], 0) || MAY_END_SENTENCE[usize::from(b)], "{b}");
            }
        }
        let text = "Hi. I paid 12.5 at example.com!! Why?\nNo; really \"ok.\" end";
        let bytes = text.as_bytes();
        // The same sentences as a walk that tests every byte.
        let mut expect = Vec::new();
        let mut from = 0;
        while from < bytes.len() {
            let mut e = from;
            while e < bytes.len() && !ends_sentence(bytes, e) {
                e += 1;
            }
            let end = (e + 1).min(bytes.len());
            let part = text[from..end].trim();
            if !part.is_empty() {
                expect.push(part);
            }
            from = end;
        }
        let got: Vec<&str> = sentences(text).map(|(s, e)| &text[s..e]).collect();
        assert_eq!(got, expect);
        assert_eq!(got.len(), 6, "{got:?}");
    }

    #[test]
    fn finds_the_sentence_of_a_match() {
        let whole = |text| Quote { text, cut_before: false, cut_after: false };
        let text = "Hello there. I was charged twice for order 12.5 today! Fix it.";
        let at = text.find("charged").unwrap();
        assert_eq!(quote_around(text, at, at + 7), whole("I was charged twice for order 12.5 today!"));
        let text = "Hi. Email me at mia.lopez@example.com, I was double charged. Bye.";
        let at = text.find("double").unwrap();
        assert_eq!(quote_around(text, at, at + 6), whole("Email me at mia.lopez@example.com, I was double charged."));
        let text = "first line\n  I was charged twice\nthird";
        let at = text.find("twice").unwrap();
        assert_eq!(quote_around(text, at, at + 5), whole("I was charged twice"));
        assert_eq!(quote_around("charged", 0, 7), whole("charged"));
    }

    #[test]
    fn a_run_on_sentence_is_quoted_around_its_match() {
        // A transcript without punctuation: one sentence of 2,000 words.
        let words: Vec<String> = (0..2000).map(|i| format!("w{i}")).collect();
        let mut text = words.join(" ");
        let at = text.find(" w1000 ").unwrap() + 1;
        text.replace_range(at..at + 5, "TWICE");
        let quote = quote_around(&text, at, at + 5);
        assert!(quote.cut_before && quote.cut_after, "{quote:?}");
        // Whole words only, within reach on each side, the match inside.
        assert!(quote.text.contains("TWICE"), "{quote:?}");
        let from = quote.text.as_ptr() as usize - text.as_ptr() as usize;
        assert!(at - from <= QUOTE_REACH && from + quote.text.len() - (at + 5) <= QUOTE_REACH, "{quote:?}");
        assert!(text.as_bytes()[from - 1] == b' ' && text.as_bytes()[from + quote.text.len()] == b' ', "{quote:?}");
        assert!(quote.text.len() > QUOTE_REACH, "most of the reach is used: {quote:?}");
        let shown = quote.shown();
        assert!(shown.starts_with('…') && shown.ends_with('…') && shown.contains(quote.text), "{shown}");
        // Near the start of the text, and at a sentence end within reach: cut on one side only.
        let quote = quote_around(&text, 3, 5);
        assert!(!quote.cut_before && quote.cut_after && quote.text.starts_with("w0 w1 "), "{quote:?}");
        let text = format!("{}. {} and then", words[..300].join(" "), words[300..310].join(" "));
        let at = text.find("w305").unwrap();
        let quote = quote_around(&text, at, at + 4);
        assert_eq!(quote, Quote { text: "w300 w301 w302 w303 w304 w305 w306 w307 w308 w309 and then", ..quote });
        assert!(!quote.cut_before && !quote.cut_after, "{quote:?}");
        let at = text.find("w290").unwrap();
        let quote = quote_around(&text, at, at + 4);
        assert!(quote.cut_before && !quote.cut_after && quote.text.ends_with("w299."), "{quote:?}");
        // One word longer than the reach: cut inside it, on character boundaries.
        let text = format!("{}é TWICE {}", "é".repeat(300), "ü".repeat(300));
        let at = text.find("TWICE").unwrap();
        let quote = quote_around(&text, at, at + 5);
        assert!(quote.cut_before && quote.cut_after && quote.text.contains("TWICE"), "{quote:?}");
        assert!(quote.text.len() <= 2 * QUOTE_REACH + 5, "{quote:?}");
    }

    #[test]
    fn control_characters_become_spaces() {
        let call = Call {
            call_id: "c".into(),
            turns: vec![crate::model::Turn {
                speaker: "customer".into(),
                text: "a\u{0}b\rc".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let conv = normalize(call, &speakers());
        assert_eq!(conv.call.turns[0].text, "a b c");
        assert_eq!(conv.roles, vec![Role::Customer]);
    }
}
