//! Customer sentiment from a word lexicon, scored on how a call opens and how it ends.
//!
//! Each word of `sentiment_lexicon.tsv` carries a valence from -4 to +4. A text's score is the
//! sum of the valences of its words, where:
//! - a negator within the three words before flips and damps a word (`not happy` = -0.5 x happy);
//! - an intensifier right before boosts it by half (`really bad`), a softener halves it;
//! - words after a contrastive `but` count 1.5 times, words before it half (the point comes last);
//! - a run of `!` after a negative clause adds weight to it.
//!
//! The sum `s` is squashed into -1..1 by `s / sqrt(s^2 + 16)`, so one mild word gives about
//! +-0.24 and a sentence of strong ones approaches +-1. The lexicon and the rules are the
//! project's own; they favour the phrases of service conversations (thanks, useless, ridiculous).

use std::collections::HashMap;
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

fn lexicon() -> &'static HashMap<&'static str, f64> {
    static LEX: OnceLock<HashMap<&'static str, f64>> = OnceLock::new();
    LEX.get_or_init(|| {
        LEXICON
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let (word, score) = l.split_once('\t')?;
                Some((word.trim(), score.trim().parse::<f64>().ok()?))
            })
            .collect()
    })
}

/// Scores a text from -1 (very negative) to +1 (very positive); 0 when no word carries valence.
pub fn score(text: &str) -> f64 {
    let lex = lexicon();
    let mut words: Vec<String> = Vec::new();
    let mut bangs_after: Vec<usize> = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() || c == '\'' || c == '\u{2019}' {
            current.extend(c.to_lowercase());
        } else {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current).replace('\u{2019}', "'"));
                bangs_after.push(0);
            }
            if c == '!' {
                if let Some(b) = bangs_after.last_mut() {
                    *b += 1;
                }
            }
        }
    }
    if !current.is_empty() {
        words.push(current.replace('\u{2019}', "'"));
        bangs_after.push(0);
    }
    let but = words.iter().rposition(|w| w == "but");
    let mut sum = 0.0;
    for (i, w) in words.iter().enumerate() {
        let Some(&valence) = lex.get(w.as_str()) else { continue };
        let mut v = valence;
        let window = &words[i.saturating_sub(3)..i];
        if window.iter().any(|p| NEGATORS.contains(&p.as_str()) || p.ends_with("n't")) {
            v *= -0.5;
        }
        if let Some(prev) = i.checked_sub(1).map(|p| words[p].as_str()) {
            if INTENSIFIERS.contains(&prev) {
                v *= 1.5;
            } else if SOFTENERS.contains(&prev) {
                v *= 0.5;
            }
        }
        match but {
            Some(b) if i > b => v *= 1.5,
            Some(b) if i < b => v *= 0.5,
            _ => {}
        }
        sum += v;
    }
    let bangs: usize = bangs_after.iter().map(|b| (*b).min(3)).sum();
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
