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

use std::hash::Hasher;
use std::sync::OnceLock;

use super::word_key::{key_lowercase, KeyBuilder, KeyMap, KEY_BYTES};

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

/// The lexicon's words and their roles, with a bit per hash of the words it holds: most words a
/// customer says are not in it, and one bit read from a table that stays in the L1 cache tells
/// so without a probe into the map.
struct Lexicon {
    map: KeyMap<Role>,
    /// Bit [`Lexicon::bit`] of each key in `map` set.
    held: Vec<u64>,
}

/// Bits in [`Lexicon::held`], as a power of two: 2 KB, of which the lexicon's thousand-odd words
/// set about one bit in sixteen.
const HELD_BITS: u32 = 14;

impl Lexicon {
    #[inline]
    fn bit(key: u128) -> usize {
        let mixed = (key as u64) ^ ((key >> 64) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (mixed.wrapping_mul(0xff51_afd7_ed55_8ccd) >> (64 - HELD_BITS)) as usize
    }

    #[inline]
    fn get(&self, key: &u128) -> Option<&Role> {
        let bit = Self::bit(*key);
        if self.held[bit / 64] & (1 << (bit % 64)) == 0 {
            return None;
        }
        self.map.get(key)
    }
}

fn lexicon() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(|| {
        let mut map = KeyMap::default();
        let valences = valences().map(|(word, v)| (word, Role::Valence(v)));
        let roles = [(NEGATORS, Role::Negator), (INTENSIFIERS, Role::Intensifier), (SOFTENERS, Role::Softener)];
        let roles = roles.into_iter().flat_map(|(list, role)| list.iter().map(move |w| (*w, role)));
        for (word, role) in valences.chain(roles).chain([("but", Role::But)]) {
            // A test holds every word to word_key::KEY_BYTES.
            if let Some(k) = key_lowercase(word.as_bytes()) {
                map.insert(k, role);
            }
        }
        let mut held = vec![0u64; (1 << HELD_BITS) / 64];
        for &k in map.keys() {
            let bit = Lexicon::bit(k);
            held[bit / 64] |= 1 << (bit % 64);
        }
        Lexicon { map, held }
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
    if negator(buf) {
        return Some(Role::Negator);
    }
    lexicon().get(&key_lowercase(buf)?).copied()
}

/// Whether a word (ASCII apostrophe, any case) is a contraction ending in n't: a negator.
#[inline]
fn negator(word: &[u8]) -> bool {
    word.len() >= 3 && word[word.len() - 3..].eq_ignore_ascii_case(b"n't")
}

/// The words of the lexicon file with their valences, in the file's order.
fn valences() -> impl Iterator<Item = (&'static str, f64)> {
    LEXICON.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).filter_map(|l| {
        let (word, score) = l.split_once('\t')?;
        Some((word.trim(), score.trim().parse::<f64>().ok()?))
    })
}

/// The words of the lexicon file with a negative valence (a word that is also a negator or a
/// modifier plays that role instead, and has no valence).
pub fn negative_words() -> impl Iterator<Item = &'static str> {
    valences().filter(|&(_, v)| v < 0.0).map(|(word, _)| word)
}

/// The valence of one lowercase word in the lexicon, if it has one.
pub fn valence(word: &str) -> Option<f64> {
    match lexicon().get(&key_lowercase(word.as_bytes())?) {
        Some(Role::Valence(v)) => Some(*v),
        _ => None,
    }
}

/// Scores a text from -1 (very negative) to +1 (very positive); 0 when no word carries valence.
pub fn score(text: &str) -> f64 {
    score_parts([text])
}

/// Scores texts as [`score`] scores them joined by ". ": the turns gathered at one end of a call,
/// without joining them.
pub fn score_parts<'a>(parts: impl IntoIterator<Item = &'a str>) -> f64 {
    // (word index, role) for each word that plays a role; the index keeps "within three words".
    let mut tokens: Vec<(usize, Role)> = Vec::new();
    let mut index = 0usize;
    let mut bangs = 0;
    for text in parts {
        if text.is_ascii() {
            ascii_tokens(text.as_bytes(), &mut index, &mut tokens);
        } else {
            unicode_tokens(text, &mut index, &mut tokens);
        }
        bangs += memchr::memchr_iter(b'!', text.as_bytes()).count();
    }
    weigh(&tokens, bangs.min(6))
}

/// Whether an ASCII byte belongs to a word: a letter, a digit or an apostrophe.
const ASCII_WORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'\'';
        b += 1;
    }
    table
};

/// The roles of the words of an ASCII text, by bytes, as [`ascii_role`] gives them. A word's
/// lowercase key is built as its bytes are read (the key [`key_lowercase`] makes), so that each
/// word is read once; a word longer than a key is in no list.
fn ascii_tokens(text: &[u8], index: &mut usize, tokens: &mut Vec<(usize, Role)>) {
    let lexicon = lexicon();
    let mut i = 0;
    while i < text.len() {
        if !ASCII_WORD[usize::from(text[i])] {
            i += 1;
            continue;
        }
        let start = i;
        let mut key = KeyBuilder::default();
        while i < text.len() && ASCII_WORD[usize::from(text[i])] {
            let at = i - start;
            if at < KEY_BYTES {
                key.put(at, text[i].to_ascii_lowercase());
            }
            i += 1;
        }
        let role = if negator(&text[start..i]) {
            Some(Role::Negator)
        } else if i - start > KEY_BYTES {
            None
        } else {
            // A word byte is never zero: the key is the one key_lowercase makes.
            lexicon.get(&key.key()).copied()
        };
        if let Some(role) = role {
            tokens.push((*index, role));
        }
        *index += 1;
    }
}

/// The role of one ASCII word, in any case; contractions ending in n't are negators.
#[inline]
fn ascii_role(word: &[u8]) -> Option<Role> {
    if negator(word) {
        Some(Role::Negator)
    } else {
        key_lowercase(word).and_then(|k| lexicon().get(&k).copied())
    }
}

/// The roles of the words of any text: a word is letters, digits and apostrophes (straight or
/// typographic). Read by bytes where the text is ASCII, by characters elsewhere; a word of ASCII
/// alone is looked up as [`ascii_tokens`] looks it up, without a lowercased copy (most words of a
/// text outside ASCII are, when a typographic apostrophe or an accent is all it has).
fn unicode_tokens(text: &str, index: &mut usize, tokens: &mut Vec<(usize, Role)>) {
    let mut buf = Vec::with_capacity(32);
    let bytes = text.as_bytes();
    // Whether the character at byte `i` (a character boundary) is part of a word, and its length.
    let at = |i: usize| -> (bool, usize) {
        let b = bytes[i];
        if b < 0x80 {
            return (ASCII_WORD[usize::from(b)], 1);
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        (c.is_alphanumeric() || c == '\u{2019}', c.len_utf8())
    };
    let mut i = 0;
    while i < bytes.len() {
        let (word, len) = at(i);
        if !word {
            i += len;
            continue;
        }
        let start = i;
        while i < bytes.len() {
            let (word, len) = at(i);
            if !word {
                break;
            }
            i += len;
        }
        let word = &text[start..i];
        let role = if word.is_ascii() { ascii_role(word.as_bytes()) } else { classify(word, &mut buf) };
        if let Some(role) = role {
            tokens.push((*index, role));
        }
        *index += 1;
    }
}

/// The score of a text's word roles, with `bangs` exclamation marks.
fn weigh(tokens: &[(usize, Role)], bangs: usize) -> f64 {
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
    if sum < 0.0 && bangs > 0 {
        sum -= 0.3 * bangs as f64;
    }
    sum / (sum * sum + 16.0).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A negative verb is listed in the forms customers use ("they stole my bag" was no
    /// complaint while only "steal" and "stolen" were listed), and an idiom's verb is not ("before
    /// I forget").
    #[test]
    fn the_forms_of_negative_verbs_are_listed() {
        let forms = [
            ("steal", "stole"),
            ("steal", "stealing"),
            ("cheated", "cheating"),
            ("ignore", "ignores"),
            ("refuse", "refuses"),
            ("delay", "delaying"),
            ("robbed", "robs"),
            ("overcharge", "overcharges"),
            ("complain", "complains"),
            ("hurt", "hurts"),
            ("misled", "misleads"),
            ("froze", "freezing"),
        ];
        for (listed, form) in forms {
            assert!(valence(listed).is_some_and(|v| v < 0.0), "{listed}");
            assert!(valence(form).is_some_and(|v| v < 0.0), "{form}");
        }
        assert!(score("the handler stole my wine") < 0.0);
        // Nor is a form that is as often a name or a thing: "Rob at the desk", "a cheat sheet",
        // "the daily steals".
        for word in ["forget", "rob", "cheat", "steals"] {
            assert_eq!(valence(word), None, "{word}");
        }
        assert_eq!(score("oh, and before I forget"), 0.0);
        assert_eq!(score("Hi Rob, I need to change my seat"), 0.0);
    }

    /// The bits of held words never turn a word of the lexicon away, and some words are turned
    /// away by them alone.
    #[test]
    fn the_held_bits_find_every_word_of_the_lexicon() {
        let lex = lexicon();
        for (key, role) in &lex.map {
            assert_eq!(lex.get(key), Some(role));
        }
        let set = lex.held.iter().map(|w| w.count_ones()).sum::<u32>();
        assert!((500..1 << (HELD_BITS - 2)).contains(&set), "{set} bits set");
    }

    /// The roles of the words of any text, by characters, and the number of words: what
    /// [`unicode_tokens`] must find.
    fn tokens_by_characters(text: &str) -> (Vec<(usize, Role)>, usize) {
        let (mut buf, mut tokens, mut index) = (Vec::new(), Vec::new(), 0);
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
        (tokens, index)
    }

    proptest::proptest! {
        /// Text outside ASCII is read by bytes where it can be, with the roles and word indexes
        /// that reading it by characters gives.
        #[test]
        fn words_outside_ascii_are_read_as_by_characters(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "great", "NOT", "don’t", "don't", "isn’t", "Terrible", "very", "but", "café", "naïve", "ÉTÉ",
                "happy", "ſad", "١٢", "4", "’", "'", " ", ", ", "!", "\u{301}", "\u{a0}", "x", "😀",
            ]), 0..30),
        ) {
            let text = parts.concat();
            let (mut tokens, mut index) = (Vec::new(), 0);
            unicode_tokens(&text, &mut index, &mut tokens);
            proptest::prop_assert_eq!((tokens, index), tokens_by_characters(&text));
        }
    }

    proptest::proptest! {
        /// ASCII text read by bytes (each word's key built as it is read) gets the roles and word
        /// indexes that reading it by characters gives, words of a key's length and longer
        /// included.
        #[test]
        fn ascii_words_are_read_as_by_characters(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "great", "NOT", "don't", "Terrible", "very", "but", "HaPpY", "kinda", "so", "'", " ", ", ",
                "!", "4", "x", "DON'T", "abcdefghijklmnop", "abcdefghijklmnopq", "abcdefghijklmn't", "abcdefghijklmnn't",
                "uncomfortablyyyy", "disappointing", "didn'", "t", "n't", "\t", "\n",
            ]), 0..30),
        ) {
            let text = parts.concat();
            let (mut tokens, mut index) = (Vec::new(), 0);
            ascii_tokens(text.as_bytes(), &mut index, &mut tokens);
            proptest::prop_assert_eq!((tokens, index), tokens_by_characters(&text));
        }
    }

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
    fn parts_score_as_the_text_they_join() {
        let parts = [
            "I can't believe it, this is NOT good!",
            "Thanks, really great help but the app is terrible",
            "caf\u{e9} was lovely, I didn\u{2019}t mind",
            "unbelievablyyyyyyyyyyyyyyyyyyyyyyy bad, couldn't",
            "",
            "so so happy!!!!!!!!",
        ];
        for n in 1..=parts.len() {
            for window in parts.windows(n) {
                let joined = window.join(". ");
                let (a, b) = (score_parts(window.iter().copied()), score(&joined));
                assert_eq!(a.to_bits(), b.to_bits(), "{joined:?}");
            }
        }
    }

    #[test]
    fn ascii_words_get_the_roles_that_characters_get() {
        for text in [
            "I DON'T think it's fine, not really, but kinda ok",
            "a hopelessly-overcomplicated process wasn't helpful at all",
            "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzn't 123 abc's",
        ] {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let (mut ia, mut ib) = (0, 0);
            ascii_tokens(text.as_bytes(), &mut ia, &mut a);
            unicode_tokens(text, &mut ib, &mut b);
            assert_eq!((ia, &a), (ib, &b), "{text:?}");
            assert!(!a.is_empty());
        }
    }

    #[test]
    fn every_word_of_the_lexicon_fits_a_key() {
        let words = LEXICON.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty());
        let lists = NEGATORS.iter().chain(INTENSIFIERS).chain(SOFTENERS);
        let words: Vec<&str> = words.filter_map(|l| Some(l.split_once('\t')?.0.trim())).chain(lists.copied()).collect();
        assert!(words.len() > 900);
        for w in words {
            assert!(key_lowercase(w.as_bytes()).is_some(), "{w}");
            assert!(lexicon().get(&key_lowercase(w.as_bytes()).unwrap()).is_some(), "{w}");
        }
        assert_eq!(
            valence("useless"),
            lexicon().get(&key_lowercase(b"USELESS").unwrap()).and_then(|r| match r {
                Role::Valence(v) => Some(*v),
                _ => None,
            })
        );
        assert!(valence("useless").is_some_and(|v| v < 0.0));
    }

    #[test]
    fn bounded() {
        let long = "great ".repeat(500);
        let s = score(&long);
        assert!(s <= 1.0 && s > 0.99);
    }
}
