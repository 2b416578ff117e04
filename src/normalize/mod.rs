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

/// Decides roles (the role ingest already decided, else the speaker label's) and strips control
/// characters (other than tab and newline) from turn text.
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
/// Sentences end where [`sentence_around`] ends them.
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

/// The sentence of `text` that contains the byte range `start..end`, trimmed.
pub fn sentence_around(text: &str, start: usize, end: usize) -> &str {
    let bytes = text.as_bytes();
    let mut s = start.min(bytes.len());
    while s > 0 && !ends_sentence(bytes, s - 1) {
        s -= 1;
    }
    let mut e = end.min(bytes.len());
    while e < bytes.len() && !ends_sentence(bytes, e) {
        e += 1;
    }
    if e < bytes.len() && bytes[e] != b'\n' {
        e += 1;
    }
    while !text.is_char_boundary(s) {
        s += 1;
    }
    while !text.is_char_boundary(e) {
        e -= 1;
    }
    text[s..e].trim()
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
        let text = "Hello there. I was charged twice for order 12.5 today! Fix it.";
        let at = text.find("charged").unwrap();
        assert_eq!(sentence_around(text, at, at + 7), "I was charged twice for order 12.5 today!");
        let text = "Hi. Email me at mia.lopez@example.com, I was double charged. Bye.";
        let at = text.find("double").unwrap();
        assert_eq!(sentence_around(text, at, at + 6), "Email me at mia.lopez@example.com, I was double charged.");
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
