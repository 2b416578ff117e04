//! Customer sentiment from a word lexicon, scored on how a call opens and how it ends.
//!
//! Each word of `sentiment_lexicon.tsv` carries a valence from -4 to +4. A text's score is the
//! sum of the valences of its words, where:
//! - a negator within the three words before flips and damps a word (`not happy` = -0.5 x happy);
//! - an intensifier right before boosts it by half (`really bad`), a softener halves it;
//! - words after a contrastive `but` count 1.5 times, words before it half (the point comes last);
//! - exclamation marks add weight to a negative text (at most six count).
//!
//! The sum `s` is squashed into -1..1 by `s / sqrt(s^2 + 16)`, so one mild word gives about
//! +-0.24 and a sentence of strong ones approaches +-1. The lexicon and the rules are the
//! project's own; they favour the phrases of service conversations (thanks, useless, ridiculous).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

const LEXICON: &str = include_str!("sentiment_lexicon.tsv");

const NEGATORS: &[&str] = &["not", "no", "never", "without", "hardly", "nothing", "nobody", "cannot", "neither", "nor"];
const INTENSIFIERS: &[&str] = &[
    "very",
    "really",
    "so",
    "extremely",
    "totally",
    "absolutely",
    "super",
    "incredibly",
    "completely",
    "utterly",
    "truly",
    "seriously",
    "too",
];
const SOFTENERS: &[&str] = &["slightly", "somewhat", "bit", "little", "kinda", "fairly"];

/// FNV-1a: lexicon keys are short words, where it beats the default SipHash several times over.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// What a word does to the score.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    Valence(f64),
    Negator,
    Intensifier,
    Softener,
    But,
}

type Lexicon = HashMap<Vec<u8>, Role, BuildHasherDefault<Fnv>>;

fn lexicon() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(|| {
        let mut map: Lexicon = LEXICON
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let (word, score) = l.split_once('\t')?;
                Some((word.trim().as_bytes().to_vec(), Role::Valence(score.trim().parse::<f64>().ok()?)))
            })
            .collect();
        for (list, role) in [(NEGATORS, Role::Negator), (INTENSIFIERS, Role::Intensifier), (SOFTENERS, Role::Softener)]
        {
            for w in list {
                map.insert(w.as_bytes().to_vec(), role);
            }
        }
        map.insert(b"but".to_vec(), Role::But);
        map
    })
}

/// The role of one word, lowercased into `buf`; contractions ending in n't are negators.
fn classify(word: &str, buf: &mut Vec<u8>) -> Option<Role> {
    buf.clear();
    if word.is_ascii() {
        buf.extend(word.bytes().map(|b| b.to_ascii_lowercase()));
    } else {
        buf.extend_from_slice(word.to_lowercase().replace('\u{2019}', "'").as_bytes());
    }
    if buf.ends_with(b"n't") {
        return Some(Role::Negator);
    }
    lexicon().get(buf.as_slice()).copied()
}

/// The valence of one lowercase word in the lexicon, if it has one.
pub fn valence(word: &str) -> Option<f64> {
    match lexicon().get(word.as_bytes()) {
        Some(Role::Valence(v)) => Some(*v),
        _ => None,
    }
}

/// Scores a text from -1 (very negative) to +1 (very positive); 0 when no word carries valence.
pub fn score(text: &str) -> f64 {
    // (word index, role) for each word that plays a role; the index keeps "within three words".
    let mut tokens: Vec<(usize, Role)> = Vec::new();
    let mut buf = Vec::with_capacity(32);
    let mut index = 0usize;
    let is_word = |c: char| c.is_alphanumeric() || c == '\'' || c == '\u{2019}';
    let mut rest = text;
    while !rest.is_empty() {
        let start = rest.find(is_word).unwrap_or(rest.len());
        rest = &rest[start..];
        if rest.is_empty() {
            break;
        }
        let end = rest.find(|c: char| !is_word(c)).unwrap_or(rest.len());
        if let Some(role) = classify(&rest[..end], &mut buf) {
            tokens.push((index, role));
        }
        index += 1;
        rest = &rest[end..];
    }
    let but = tokens.iter().rev().find(|t| t.1 == Role::But).map(|t| t.0);
    let mut sum = 0.0;
    for (k, &(i, role)) in tokens.iter().enumerate() {
        let Role::Valence(mut v) = role else { continue };
        let before = &tokens[..k];
        if before.iter().rev().take_while(|t| t.0 + 3 >= i).any(|t| t.1 == Role::Negator) {
            v *= -0.5;
        }
        match before.last() {
            Some(&(p, Role::Intensifier)) if p + 1 == i => v *= 1.5,
            Some(&(p, Role::Softener)) if p + 1 == i => v *= 0.5,
            _ => {}
        }
        match but {
            Some(b) if i > b => v *= 1.5,
            Some(b) if i < b => v *= 0.5,
            _ => {}
        }
        sum += v;
    }
    let bangs = text.bytes().filter(|&b| b == b'!').count().min(6);
    if sum < 0.0 && bangs > 0 {
        sum -= 0.3 * bangs as f64;
    }
    sum / (sum * sum + 16.0).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_and_modifiers() {
        assert!(score("thank you so much, that's perfect") > 0.4);
        assert!(score("this is ridiculous and useless") < -0.4);
        assert_eq!(score("my order number is 4471"), 0.0);
        assert!(score("I am not happy") < 0.0);
        assert!(score("really terrible") < score("terrible"));
        assert!(score("it was terrible but you fixed it, thanks, great") > 0.0);
        assert!(score("awful!!!") < score("awful"));
    }

    #[test]
    fn bounded() {
        let long = "great ".repeat(500);
        let s = score(&long);
        assert!(s <= 1.0 && s > 0.99);
    }
}
