//! Short words as 128-bit integers: a word of up to 16 bytes is packed into one `u128`, so that a
//! lookup in a set of words (the sentiment lexicon, the stop words) hashes and compares one
//! integer instead of a byte string. The hot loops look up every word of the customer's text.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// The longest word a key holds, in bytes.
pub const KEY_BYTES: usize = 16;

/// `word` packed little-endian, with ASCII letters lowercased when `lower`; `None` when it is
/// empty, longer than [`KEY_BYTES`] or holds a zero byte. The zero bytes are the padding, so
/// leaving such words out keeps any two words from sharing a key.
#[inline]
fn pack(word: &[u8], lower: bool) -> Option<u128> {
    if word.is_empty() || word.len() > KEY_BYTES {
        return None;
    }
    let mut key = KeyBuilder::default();
    for (i, &b) in word.iter().enumerate() {
        if b == 0 {
            return None;
        }
        key.put(i, if lower { b.to_ascii_lowercase() } else { b });
    }
    Some(key.key())
}

/// A key built a byte at a time, for a reader that packs a word while it reads it. Built in
/// registers: bytes stored one by one and read back as one integer stall the CPU.
#[derive(Default, Clone, Copy)]
pub struct KeyBuilder([u64; 2]);

impl KeyBuilder {
    /// Puts `byte` (not zero) at position `at` (below [`KEY_BYTES`]) of the key.
    #[inline]
    pub fn put(&mut self, at: usize, byte: u8) {
        self.0[at / 8] |= u64::from(byte) << (8 * (at % 8));
    }

    /// The key of the bytes put so far, as [`key`] packs them.
    #[inline]
    pub fn key(self) -> u128 {
        u128::from(self.0[0]) | (u128::from(self.0[1]) << 64)
    }
}

/// The key of `word` as it is.
#[inline]
pub fn key(word: &[u8]) -> Option<u128> {
    pack(word, false)
}

/// The key of `word` with its ASCII letters lowercased.
#[inline]
pub fn key_lowercase(word: &[u8]) -> Option<u128> {
    pack(word, true)
}

/// A multiply-fold hash of a key: the keys are words of the project's own lists, looked up by
/// what customers say; no output depends on a map's order.
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u128(&mut self, n: u128) {
        let (lo, hi) = (n as u64, (n >> 64) as u64);
        self.0 = (lo ^ hi.wrapping_mul(0x9e37_79b9_7f4a_7c15)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    }
}

/// A map from word keys.
pub type KeyMap<V> = HashMap<u128, V, BuildHasherDefault<KeyHasher>>;

/// A set of words of any length: short ones by key, the rare longer ones as strings.
#[derive(Debug, Default, Clone)]
pub struct WordSet {
    short: HashSet<u128, BuildHasherDefault<KeyHasher>>,
    long: HashSet<Box<str>>,
}

impl WordSet {
    /// Adds a word.
    pub fn insert(&mut self, word: &str) {
        match key(word.as_bytes()) {
            Some(k) => {
                self.short.insert(k);
            }
            None => {
                self.long.insert(word.into());
            }
        }
    }

    /// Whether the set holds `word`, exactly as written.
    #[inline]
    pub fn contains(&self, word: &str) -> bool {
        match key(word.as_bytes()) {
            Some(k) => self.short.contains(&k),
            None => !word.is_empty() && self.long.contains(word),
        }
    }
}

impl<S: AsRef<str>> FromIterator<S> for WordSet {
    fn from_iter<I: IntoIterator<Item = S>>(words: I) -> WordSet {
        let mut set = WordSet::default();
        for w in words {
            set.insert(w.as_ref());
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_tell_words_apart_and_fold_case_only_when_asked() {
        let words = ["a", "ab", "ba", "abc", "a\u{e9}", "sixteen-letters!", "eight-ch", "eight-chx"];
        let keys: Vec<u128> = words.iter().map(|w| key(w.as_bytes()).unwrap()).collect();
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(key(b""), None);
        assert_eq!(key(b"seventeen-letters"), None);
        // The padding is zero bytes: a word holding one would share the key of a shorter word.
        assert_eq!(key(b"a\0"), None);
        assert_eq!(key_lowercase(b"A\0"), None);
        assert_ne!(key(b"Word"), key(b"word"));
        assert_eq!(key_lowercase(b"WoRd"), key(b"word"));
    }

    #[test]
    fn a_set_holds_words_of_any_length_exactly() {
        let set: WordSet = ["the", "a", "notwithstanding", "incomprehensibilities", "caf\u{e9}"].into_iter().collect();
        for w in ["the", "a", "notwithstanding", "incomprehensibilities", "caf\u{e9}"] {
            assert!(set.contains(w), "{w}");
        }
        for w in ["", "The", "th", "then", "incomprehensibility", "cafe", "a\0", "the\0"] {
            assert!(!set.contains(w), "{w}");
        }
    }
}
