//! A hand-written, single-pass reader for the documented call shape, tried before serde_json.
//!
//! Nearly every line of an export is a call in the documented shape, and reading it through
//! serde's general machinery (a visitor per value, an `Option` per field, a general float parser)
//! was a seventh of a run's CPU. This scanner reads that one shape directly, borrowing strings
//! from the line the way serde does.
//!
//! It is deliberately timid. Whenever a line does something unusual (an array in metadata, a
//! lone surrogate, a field given twice, nesting deeper than [`MAX_DEPTH`], anything that is not
//! JSON) it gives up with `None`, and the serde fast path reads the line as before. So it only has
//! to be right about the lines it accepts, and there it builds exactly the call serde builds: the
//! differential tests below hold it to that. The one thing it does not do itself is the rare
//! number that one exact floating-point operation cannot read; serde_json reads that number
//! alone, from its own text.

use std::borrow::Cow;

use super::{flatten_meta, put_meta, MetaValue};
use crate::model::{Call, Turn};

/// How deeply values may nest before the scanner gives up, well inside serde_json's own limit
/// (128), so that no line is accepted here that serde would refuse for its depth.
const MAX_DEPTH: usize = 32;

/// The powers of ten that are exact as doubles.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// Reads one line as a call in the documented shape, or `None` if the line is anything else.
pub(super) fn scan(text: &str) -> Option<Call<'_>> {
    let mut scanner = Scanner { text, bytes: text.as_bytes(), pos: 0 };
    let call = scanner.call()?;
    // As serde_json does, only whitespace may follow the value.
    scanner.skip_whitespace();
    (scanner.pos == scanner.bytes.len()).then_some(call)
}

/// A position in the line. `bytes` is `text` as bytes: the scanner steps over bytes and cuts
/// `text` only next to ASCII bytes (quotes, backslashes, escapes), always character boundaries.
struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

/// A number as written: where it is, and its digits as an integer scaled by a power of ten.
struct Number {
    start: usize,
    end: usize,
    negative: bool,
    /// All the digits, integer and fraction, as one integer; `None` if there are more than 19.
    digits: Option<u64>,
    /// The power of ten the digits are scaled by (clamped: only small ones are used).
    exponent: i64,
    /// No fraction and no exponent.
    integer: bool,
}

impl Number {
    /// The number as a double when one multiply or divide reads it exactly: the digits and the
    /// power of ten are both exact doubles, so the one operation rounds correctly (Clinger's fast
    /// case), and it is the very operation serde_json does for such a number, so the result is
    /// the same to the bit. `None` outside that case.
    fn exact(&self) -> Option<f64> {
        let digits = self.digits.filter(|&d| d < 1 << 53)?;
        let scale = *POW10.get(usize::try_from(self.exponent.unsigned_abs()).ok()?)?;
        let magnitude = if self.exponent >= 0 { digits as f64 * scale } else { digits as f64 / scale };
        Some(if self.negative { -magnitude } else { magnitude })
    }
}

/// Stores a field's value, or gives up if the field was already given: serde refuses a field
/// given twice (an alias and its name count as one field).
fn set<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    match slot {
        Some(_) => None,
        None => {
            *slot = Some(value);
            Some(())
        }
    }
}

impl<'a> Scanner<'a> {
    fn call(&mut self) -> Option<Call<'a>> {
        let (mut call_id, mut started_at, mut metadata, mut turns) = (None, None, None, None);
        self.object(|s, key| match &*key {
            "call_id" => set(&mut call_id, s.call_id()?),
            "started_at" => set(&mut started_at, s.started_at()?),
            "metadata" => set(&mut metadata, s.metadata()?),
            "turns" => set(&mut turns, s.turns()?),
            _ => s.skip(2),
        })?;
        Some(Call {
            call_id: call_id?,
            started_at: started_at.flatten(),
            metadata: metadata.unwrap_or_default(),
            turns: turns?,
        })
    }

    /// A non-blank string, or a plain non-negative integer of up to 19 digits (always a u64), which
    /// serde writes back digit for digit.
    fn call_id(&mut self) -> Option<String> {
        if self.peek()? == b'"' {
            let id = self.string()?;
            return (!id.trim().is_empty()).then(|| id.into_owned());
        }
        let number = self.number()?;
        (number.integer && !number.negative && number.digits.is_some())
            .then(|| self.text[number.start..number.end].to_string())
    }

    /// A string or null; blank counts as absent.
    fn started_at(&mut self) -> Option<Option<String>> {
        if self.peek()? == b'n' {
            return self.literal(b"null").map(|()| None);
        }
        let text = self.string_value()?;
        Some((!text.trim().is_empty()).then(|| text.into_owned()))
    }

    fn metadata(&mut self) -> Option<Vec<(String, String)>> {
        if self.peek()? == b'n' {
            return self.literal(b"null").map(|()| Vec::new());
        }
        self.meta_object(2)
    }

    /// One metadata object, built as the serde path's `MetaVisitor` builds it (with the same
    /// helpers), so that repeated keys and nesting come out the same.
    fn meta_object(&mut self, depth: usize) -> Option<Vec<(String, String)>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut entries = Vec::new();
        self.object(|s, key| {
            let value = s.meta_value(depth + 1)?;
            put_meta(&mut entries, key.into_owned(), value);
            Some(())
        })?;
        Some(flatten_meta(entries))
    }

    fn meta_value(&mut self, depth: usize) -> Option<MetaValue> {
        let text = match self.peek()? {
            b'"' => self.string()?.into_owned(),
            b'n' => self.literal(b"null").map(|()| String::new())?,
            b't' => self.literal(b"true").map(|()| "true".to_string())?,
            b'f' => self.literal(b"false").map(|()| "false".to_string())?,
            b'{' => return self.meta_object(depth).map(MetaValue::Object),
            // An array is written back as JSON; rare enough to leave to serde.
            b'[' => return None,
            _ => {
                let number = self.number()?;
                let written = &self.text[number.start..number.end];
                if number.integer && !number.negative && number.digits.is_some() {
                    written.to_string()
                } else if let (false, Some(value)) = (number.integer, number.exact()) {
                    // A fraction or an exponent ("1657.37", an amount on every call) is a double
                    // to serde, written back the way serde writes a double; read exactly as serde
                    // reads it, it is written the same.
                    serde_json::Value::from(value).to_string()
                } else {
                    // Anything else (a negative count, a huge value, a fraction one operation
                    // cannot read) is rendered by serde itself, from the number's own text, so
                    // that it reads back exactly as the serde path writes it.
                    return serde_json::from_str::<MetaValue>(written).ok();
                }
            }
        };
        Some(MetaValue::Text(text))
    }

    fn turns(&mut self) -> Option<Vec<Turn<'a>>> {
        // Sized for a typical call up front: grown from empty, a call of twenty turns is moved
        // three times on the way, sized for sixteen at most once (growing was 1.4% of a run's
        // CPU, measured).
        let mut turns = Vec::with_capacity(16);
        self.array(|s| {
            turns.push(s.turn()?);
            Some(())
        })?;
        Some(turns)
    }

    fn turn(&mut self) -> Option<Turn<'a>> {
        // Only an object: serde would also read a turn written as an array of its fields.
        if self.peek()? != b'{' {
            return None;
        }
        let (mut speaker, mut text, mut start, mut end) = (None, None, None, None);
        self.object(|s, key| match &*key {
            "speaker" | "role" => set(&mut speaker, s.string_value()?),
            "text" | "content" => set(&mut text, s.string_value()?),
            "start" => set(&mut start, s.seconds()?),
            "end" => set(&mut end, s.seconds()?),
            _ => s.skip(4),
        })?;
        let text = text?;
        // A text with no escapes is the line's own bytes, where JSON allows no control character
        // below 0x20 (the scan gives up on one): only DEL and the C1 controls (0xC2 0x80-0x9F)
        // may be in it. A text with neither 0x7F nor 0xC2 needs no check in normalize (a text
        // with 0xC2 but no C1 control, such as a no-break space, is checked all the same).
        let control_free = matches!(&text, Cow::Borrowed(t) if memchr::memchr2(0x7F, 0xC2, t.as_bytes()).is_none());
        Some(Turn { speaker: speaker?, text, start: start.flatten(), end: end.flatten(), role: None, control_free })
    }

    /// An offset in seconds, or null.
    fn seconds(&mut self) -> Option<Option<f64>> {
        if self.peek()? == b'n' {
            return self.literal(b"null").map(|()| None);
        }
        let number = self.number()?;
        match number.exact() {
            Some(value) => Some(Some(value)),
            // Outside it, serde_json reads the number's own text with its usual approximation.
            None => serde_json::from_str::<f64>(&self.text[number.start..number.end]).ok().map(Some),
        }
    }

    /// Calls `member` for each key of an object, with the scanner on the key's value, which
    /// `member` must consume.
    fn object(&mut self, mut member: impl FnMut(&mut Self, Cow<'a, str>) -> Option<()>) -> Option<()> {
        self.expect(b'{')?;
        if self.peek()? == b'}' {
            self.pos += 1;
            return Some(());
        }
        loop {
            // A key must follow (which also refuses a trailing comma).
            let key = self.string_value()?;
            self.expect(b':')?;
            member(self, key)?;
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Calls `element` for each element of an array, with the scanner on it.
    fn array(&mut self, mut element: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.expect(b'[')?;
        if self.peek()? == b']' {
            self.pos += 1;
            return Some(());
        }
        loop {
            element(self)?;
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Steps over a value earful does not read, checking it as strictly as serde_json does (it
    /// refuses a line whose ignored fields are not valid JSON).
    fn skip(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => self.object(|s, _| s.skip(depth + 1)),
            b'[' => self.array(|s| s.skip(depth + 1)),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => self.number().map(drop),
        }
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next byte that is not whitespace, left unread.
    fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.bytes.get(self.pos).copied()
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.skip_whitespace();
        self.bytes[self.pos..].starts_with(word).then(|| self.pos += word.len())
    }

    /// A string value; anything else gives up.
    fn string_value(&mut self) -> Option<Cow<'a, str>> {
        (self.peek()? == b'"').then_some(())?;
        self.string()
    }

    /// The string that starts at the current byte (a quote): borrowed from the line when it has
    /// no escapes, as serde borrows it, decoded into a copy when it has.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let start = self.pos + 1;
        let end = plain_run(self.bytes, start)?;
        match self.bytes[end] {
            b'"' => {
                self.pos = end + 1;
                Some(Cow::Borrowed(&self.text[start..end]))
            }
            b'\\' => self.escaped(start, end).map(Cow::Owned),
            // A control character, which JSON forbids unescaped.
            _ => None,
        }
    }

    /// The rest of a string that has escapes, from its start to its first backslash at `at`.
    fn escaped(&mut self, start: usize, mut at: usize) -> Option<String> {
        let mut out = String::with_capacity(at - start + 16);
        out.push_str(&self.text[start..at]);
        loop {
            // `at` is a backslash: decode the escape, then copy up to the next quote or backslash.
            let mut next = at + 2;
            match *self.bytes.get(at + 1)? {
                b'"' => out.push('"'),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let (ch, after) = self.unicode_escape(at + 2)?;
                    out.push(ch);
                    next = after;
                }
                _ => return None,
            }
            at = plain_run(self.bytes, next)?;
            out.push_str(&self.text[next..at]);
            match self.bytes[at] {
                b'"' => {
                    self.pos = at + 1;
                    return Some(out);
                }
                b'\\' => {}
                _ => return None,
            }
        }
    }

    /// The character of a `\uXXXX` escape whose hex digits start at `at` (a surrogate pair takes
    /// two escapes), and where it ends. A lone surrogate gives up.
    fn unicode_escape(&self, at: usize) -> Option<(char, usize)> {
        let first = self.hex4(at)?;
        if !(0xD800..=0xDBFF).contains(&first) {
            // A trailing surrogate alone is refused by `from_u32`.
            return char::from_u32(first.into()).map(|ch| (ch, at + 4));
        }
        if self.bytes.get(at + 4..at + 6)? != b"\\u" {
            return None;
        }
        let second = self.hex4(at + 6)?;
        if !(0xDC00..=0xDFFF).contains(&second) {
            return None;
        }
        let code = 0x10000 + ((u32::from(first) - 0xD800) << 10) + (u32::from(second) - 0xDC00);
        char::from_u32(code).map(|ch| (ch, at + 10))
    }

    fn hex4(&self, at: usize) -> Option<u16> {
        self.bytes.get(at..at + 4)?.iter().try_fold(0u16, |acc, &b| {
            let digit = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => return None,
            };
            Some(acc << 4 | u16::from(digit))
        })
    }

    /// A number in JSON's grammar (no leading zeros, no bare dot, no plus sign). What follows it
    /// is left to the caller, which accepts only a delimiter.
    fn number(&mut self) -> Option<Number> {
        self.skip_whitespace();
        let start = self.pos;
        let negative = self.bytes.get(self.pos) == Some(&b'-');
        if negative {
            self.pos += 1;
        }
        // All the digits as one integer, exact while there are at most 19 of them (under 10^19,
        // which fits a u64); a leading zero is not counted.
        let (mut value, mut count) = (0u64, 0usize);
        match self.bytes.get(self.pos)? {
            b'0' => {
                self.pos += 1;
                if self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
                    return None;
                }
            }
            b'1'..=b'9' => count += self.digits(&mut value),
            _ => return None,
        }
        let (mut exponent, mut integer) = (0i64, true);
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            let fraction = self.digits(&mut value);
            if fraction == 0 {
                return None;
            }
            count += fraction;
            exponent -= fraction as i64;
            integer = false;
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            self.pos += 1;
            let negative_exponent = match self.bytes.get(self.pos) {
                Some(b'-') => true,
                Some(b'+') => false,
                _ => false,
            };
            if let Some(b'-' | b'+') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            let (mut written, mut count) = (0i64, 0);
            while let Some(&b @ b'0'..=b'9') = self.bytes.get(self.pos) {
                // Clamped: an exponent this large is handed to serde anyway.
                written = (written * 10 + i64::from(b - b'0')).min(1 << 20);
                count += 1;
                self.pos += 1;
            }
            if count == 0 {
                return None;
            }
            exponent += if negative_exponent { -written } else { written };
            integer = false;
        }
        let digits = (count <= 19).then_some(value);
        Some(Number { start, end: self.pos, negative, digits, exponent, integer })
    }

    /// Reads a run of digits into `value` (which wraps past 19 digits; the caller counts them);
    /// returns how many.
    fn digits(&mut self, value: &mut u64) -> usize {
        let first = self.pos;
        while let Some(&b @ b'0'..=b'9') = self.bytes.get(self.pos) {
            *value = value.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
            self.pos += 1;
        }
        self.pos - first
    }
}

/// Where the plain text of a string that goes on at `from` stops: the first quote, backslash or
/// control character, or `None` if the line ends first.
///
/// Most strings are keys and short labels, on which a library search (memchr2, which would also
/// need a second pass for control characters) costs more to set up than it saves: measured, it
/// made decoding slower than serde's own search. So this tests 16 bytes at a time with no early
/// exit inside a block, which compiles to a few vector compares, and finds the byte in the block
/// that stopped it by word arithmetic.
fn plain_run(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(block) = bytes.get(at..at + 16) {
        let block: &[u8; 16] = block.try_into().ok()?;
        if block.iter().fold(0u8, |found, &b| found | u8::from(stops(b))) != 0 {
            let (low, high) = block.split_at(8);
            let low = stop_bits(u64::from_le_bytes(low.try_into().ok()?));
            let high = stop_bits(u64::from_le_bytes(high.try_into().ok()?));
            let within = if low != 0 { low.trailing_zeros() / 8 } else { 8 + high.trailing_zeros() / 8 };
            return Some(at + within as usize);
        }
        at += 16;
    }
    bytes.get(at..)?.iter().position(|&b| stops(b)).map(|i| at + i)
}

/// A byte that ends a run of plain string text. No short-circuit, so that it vectorizes.
fn stops(b: u8) -> bool {
    (b == b'"') | (b == b'\\') | (b < 0x20)
}

/// The high bit of each byte of `word` (little-endian) set where the byte [`stops`] a run, and
/// possibly of some bytes after it, never before it: only the lowest set bit is meaningful.
fn stop_bits(word: u64) -> u64 {
    const ONES: u64 = u64::MAX / 255;
    // Bytes below 0x20, then bytes that are zero once XORed with a quote or a backslash.
    let control = word.wrapping_sub(ONES * 0x20) & !word;
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let quote = quote.wrapping_sub(ONES) & !quote;
    let backslash = backslash.wrapping_sub(ONES) & !backslash;
    (control | quote | backslash) & (ONES << 7)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::test_runner::Config as ProptestConfig;

    use super::super::decode_typed;
    use super::*;

    /// Runs both readers on `line`: where the scanner accepts, serde must accept and build the
    /// same call (text borrowed where serde borrows it, offsets equal to the bit); where serde
    /// refuses, so must the scanner. Returns whether the scanner accepted.
    fn agrees(line: &str) -> bool {
        let Some(mut scanned) = scan(line) else { return false };
        let Some(typed) = decode_typed(line) else { panic!("scan accepted what serde refuses: {line:?}") };
        // A text the scanner calls control-free holds no control character that normalize would
        // replace (serde's reading leaves the check to normalize).
        for t in &mut scanned.turns {
            assert!(!(t.control_free && crate::normalize::has_control(&t.text)), "{line:?}");
            t.control_free = false;
        }
        assert_eq!(scanned, typed, "{line:?}");
        for (a, b) in scanned.turns.iter().zip(&typed.turns) {
            let borrowed = |t: &Turn| (matches!(t.speaker, Cow::Borrowed(_)), matches!(t.text, Cow::Borrowed(_)));
            assert_eq!(borrowed(a), borrowed(b), "{line:?}");
            let bits = |t: &Turn| (t.start.map(f64::to_bits), t.end.map(f64::to_bits));
            assert_eq!(bits(a), bits(b), "{line:?}");
        }
        true
    }

    /// A call with one turn whose fields are `turn` and whose metadata is `meta`.
    fn line(meta: &str, turn: &str) -> String {
        format!(r#"{{"call_id":"c1","metadata":{meta},"turns":[{{{turn}}}]}}"#)
    }

    #[test]
    fn reads_the_documented_shape_as_serde_does() {
        let accepted = [
            r#"{"call_id":"c1","started_at":"2026-11-22T08:00:00Z","metadata":{"region":"south","ltv":1657.37,"n":5},"turns":[{"speaker":"agent","text":"Hi, how can I help?","start":0.0,"end":5.0},{"speaker":"customer","text":"My bill doubled.","start":6.4,"end":11.4}]}"#,
            r#"{"turns":[],"call_id":7}"#,
            r#"{"call_id":"0","turns":[{"role":"agent","content":"hi","start":null,"end":3}]}"#,
            r#"{"call_id":9999999999999999999,"turns":[]}"#,
            "{ \"call_id\" :\t\"c\" ,\r\n \"turns\" : [ { \"text\" : \"x\" , \"speaker\" : \"a\" } ] , \"started_at\" : null }  ",
            r#"{"call_id":"c","started_at":"  ","metadata":null,"turns":[]}"#,
            r#"{"call_id":"c","extra":{"a":[1,2.5e-3,{"b":null}],"c":"\ud83d\ude00"},"more":[],"turns":[{"speaker":"a","text":"x","words":[{"w":"x","conf":0.9}],"x":true}],"tail":false}"#,
            r#"{"call_id":"c","turns":[{"speaker":"a\"b","text":"caf\u00e9 \u00E9 \\ \/ \b\f\n\r\t \ud83d\ude00 end"}]}"#,
            r#"{"call_id":"c","turns":[{"speaker":"a","text":"café 日本 😀"}]}"#,
            r#"{"c\u0061ll_id":"c","turns":[{"sp\u0065aker":"a","text":"x"}]}"#,
            r#"{"call_id":"c","metadata":{"b":1,"crm":{"tier":"gold","n":{"x":2.50}},"a":"first","b":"again","f":1e21,"neg":-3,"ok":true,"none":null,"crm":{"tier":"silver"},"u":18446744073709551615,"big":123456789012345678901,"z":-0}, "turns":[]}"#,
            r#"{"call_id":"c","turns":[{"speaker":"a","text":"x","start":123456789012345678901,"end":1e-30}]}"#,
        ];
        for line in accepted {
            assert!(agrees(line), "declined: {line}");
        }
    }

    /// A text read without escapes, DEL or 0xC2 is control-free and needs no check in normalize;
    /// any of them leaves the check to normalize; a raw control byte leaves the line to serde.
    #[test]
    fn only_a_text_without_escapes_del_or_0xc2_is_control_free() {
        let line = |text: &str| format!(r#"{{"call_id":"c","turns":[{{"speaker":"a","text":"{text}"}}]}}"#);
        let control_free = |text: &str| {
            assert!(agrees(&line(text)), "{text:?}");
            scan(&line(text)).unwrap().turns[0].control_free
        };
        assert!(control_free("My bill doubled, again!"));
        assert!(control_free("caf\u{e9} \u{65e5}\u{672c} \u{1f600}"));
        assert!(!control_free("a\u{7f}b"), "DEL");
        assert!(!control_free("a\u{85}b"), "a C1 control");
        // Cautious: 0xC2 0xA0 is no control, but every 0xC2 is left to normalize.
        assert!(!control_free("a\u{a0}b"), "a no-break space");
        assert!(!control_free(r"a\tb"), "an escape");
        assert!(!control_free(r"a\u0007b"), "an escaped control");
        assert!(scan(&line("a\u{7}b")).is_none(), "a raw control byte");
    }

    #[test]
    fn declines_what_serde_refuses_and_what_it_leaves_to_serde() {
        let declined = [
            // Refused by serde: duplicates, missing fields, wrong types, bad JSON.
            r#"{"call_id":"c","call_id":"d","turns":[]}"#,
            r#"{"call_id":"c","turns":[{"speaker":"a","role":"b","text":"x"}]}"#,
            r#"{"call_id":"c","turns":[{"speaker":"a","text":"x","content":"y"}]}"#,
            r#"{"call_id":"c","turns":[{"speaker":"a","text":"x","start":null,"start":1}]}"#,
            r#"{"call_id":"c","turns":[{"speaker":"a"}]}"#,
            r#"{"call_id":"c"}"#,
            r#"{"turns":[]}"#,
            r#"{"call_id":"c","turns":null}"#,
            r#"{"call_id":"c","turns":[{"speaker":1,"text":"x"}]}"#,
            r#"{"call_id":"c","started_at":5,"turns":[]}"#,
            r#"{"call_id":"c","metadata":"x","turns":[]}"#,
            r#"{"call_id":"c","turns":[{"speaker":"a","text":"x","start":"1"}]}"#,
            r#"{"call_id":"c","turns":[{"speaker":"a","text":"x","start":1e400}]}"#,
            r#"{"call_id":"c","turns":[],}"#,
            r#"{"call_id":"c","turns":[{"speaker":"a","text":"x"},]}"#,
            r#"{"call_id":"c","turns":[]} x"#,
            r#"{"call_id":"c","turns":[]}}"#,
            r#"{"call_id":"c","turns":[{"speaker":"a","text":"x"}"#,
            r#"{"call_id":"c","turns":[{"speaker":"a","text":"bad \x escape"}]}"#,
            r#"{"call_id":"c","turns":[{"speaker":"a","text":"lone \ud83d"}]}"#,
            r#"{"call_id":"c","turns":[{"speaker":"a","text":"lone \ude00"}]}"#,
            r#"{"call_id":"c","turns":[{"speaker":"a","text":"pair \ud83d\u0041"}]}"#,
            r#"{"call_id":"c","turns":[{"speaker":"a","text":"short \u12"}]}"#,
            "{\"call_id\":\"c\",\"turns\":[{\"speaker\":\"a\",\"text\":\"tab\tinside\"}]}",
            r#"{"call_id":"c","x":01,"turns":[]}"#,
            r#"{"call_id":"c","x":1.,"turns":[]}"#,
            r#"{"call_id":"c","x":.5,"turns":[]}"#,
            r#"{"call_id":"c","x":+1,"turns":[]}"#,
            r#"{"call_id":"c","x":1e,"turns":[]}"#,
            r#"{"call_id":"c","x":nul,"turns":[]}"#,
            r#"{"call_id":"c","x":[1 2],"turns":[]}"#,
            r#"{"call_id":"c","x":{"a"},"turns":[]}"#,
            // Accepted by serde but left to it: the serde path reads these the same as before.
            r#"{"call_id":" ","turns":[]}"#,
            r#"{"call_id":-1,"turns":[]}"#,
            r#"{"call_id":1.5,"turns":[]}"#,
            r#"{"call_id":123456789012345678901,"turns":[]}"#,
            r#"{"call_id":18446744073709551615,"turns":[]}"#,
            r#"{"call_id":"c","metadata":{"list":[1,"two",null]},"turns":[]}"#,
            r#"{"call_id":"c","x":"lone \ud83d in an ignored field","turns":[]}"#,
            r#"{"call_id":"c","turns":[["agent","hi"]]}"#,
            r#"["c",null,null,[]]"#,
        ];
        for line in declined {
            assert!(!agrees(line), "accepted: {line}");
        }
        let deep = format!(r#"{{"call_id":"c","x":{}1{},"turns":[]}}"#, "[".repeat(40), "]".repeat(40));
        assert!(!agrees(&deep), "nesting deeper than MAX_DEPTH is left to serde");
    }

    #[test]
    fn numbers_of_every_form_read_as_serde_reads_them() {
        let valid = [
            "0",
            "-0",
            "1",
            "-1",
            "1.0",
            "1.50",
            "-0.5",
            "0.1",
            "0.30000000000000004",
            "1e3",
            "1E3",
            "1e+3",
            "1e-3",
            "2.5E-3",
            "-0.0",
            "123.456",
            "9007199254740991",
            "9007199254740993",
            "1e22",
            "1e23",
            "1.7976931348623157e308",
            "5e-324",
            "123456789012345678901",
            "0.000000000000000000000000001",
            "1e007",
            "4.35",
            "1657.37",
            "-1657.37",
            "100.10",
            "1.5e-7",
            "2.5e22",
            "4503599627370497.5",
            "0.1e-22",
        ];
        for n in valid {
            assert!(agrees(&line("{}", &format!(r#""speaker":"a","text":"x","start":{n},"end":{n}"#))), "{n}");
            assert!(agrees(&line(&format!(r#"{{"v":{n}}}"#), r#""speaker":"a","text":"x""#)), "{n}");
            assert!(agrees(&format!(r#"{{"call_id":"c","x":{n},"turns":[]}}"#)), "{n}");
        }
        let invalid =
            ["01", "-01", "1.", ".5", "+1", "-", "1e", "1e+", "--1", "0x10", "NaN", "Infinity", "1.5.3", "1e5e5"];
        for n in invalid {
            assert!(!agrees(&line("{}", &format!(r#""speaker":"a","text":"x","start":{n}"#))), "{n}");
            assert!(!agrees(&line(&format!(r#"{{"v":{n}}}"#), r#""speaker":"a","text":"x""#)), "{n}");
            assert!(!agrees(&format!(r#"{{"call_id":"c","x":{n},"turns":[]}}"#)), "{n}");
        }
    }

    #[test]
    fn text_without_escapes_is_borrowed_and_text_with_them_is_decoded() {
        let call = scan(
            r#"{"call_id":"c","turns":[{"speaker":"agent","text":"plain"},{"speaker":"a\u0067ent","text":"x\ny"}]}"#,
        )
        .expect("accepted");
        assert!(matches!(call.turns[0].text, Cow::Borrowed("plain")));
        assert!(matches!(&call.turns[1].speaker, Cow::Owned(s) if s == "agent"));
        assert!(matches!(&call.turns[1].text, Cow::Owned(s) if s == "x\ny"));
    }

    /// Builds call lines from a seed (SplitMix64), so that a failure is reproducible from the
    /// seed proptest prints. In `wild` mode it also writes what the scanner declines, valid or
    /// not, and clears `clean` when it does; a clean line must be accepted.
    struct Gen {
        state: u64,
        wild: bool,
        clean: bool,
    }

    impl Gen {
        fn next(&mut self) -> u64 {
            self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn chance(&mut self, percent: usize) -> bool {
            self.below(100) < percent
        }

        fn pick<'p>(&mut self, options: &[&'p str]) -> &'p str {
            options[self.below(options.len())]
        }

        /// Something unusual, with the given chance in wild mode; it makes the line unclean.
        fn odd(&mut self, percent: usize) -> bool {
            let odd = self.wild && self.chance(percent);
            self.clean &= !odd;
            odd
        }

        fn ws(&mut self) -> &'static str {
            if self.chance(75) {
                ""
            } else {
                self.pick(&[" ", "  ", "\n", "\t", "\r\n "])
            }
        }

        /// `text` as a JSON string literal, each character written plainly or escaped.
        fn encode(&mut self, text: &str) -> String {
            let mut out = String::from("\"");
            for ch in text.chars() {
                let code = ch as u32;
                let must = ch == '"' || ch == '\\' || code < 0x20;
                if !must && self.chance(80) {
                    out.push(ch);
                    continue;
                }
                let short = match ch {
                    '"' => Some("\\\""),
                    '\\' => Some("\\\\"),
                    '/' => Some("\\/"),
                    '\u{8}' => Some("\\b"),
                    '\u{c}' => Some("\\f"),
                    '\n' => Some("\\n"),
                    '\r' => Some("\\r"),
                    '\t' => Some("\\t"),
                    _ => None,
                };
                match short {
                    Some(escape) if self.chance(50) => out.push_str(escape),
                    _ => {
                        let mut units = [0u16; 2];
                        for unit in ch.encode_utf16(&mut units) {
                            let hex = format!("\\u{unit:04x}");
                            out.push_str(&if self.chance(50) { hex.to_uppercase().replace("\\U", "\\u") } else { hex });
                        }
                    }
                }
            }
            if self.odd(3) {
                let bad = self.pick(&["\\x", "\\ud83d", "\\ude00", "\\ud83dx", "\\u12g4", "\u{1}", "\t", "\\"]);
                out.push_str(bad);
            }
            out.push('"');
            out
        }

        fn text(&mut self) -> String {
            let pieces = ["a", "Z", " ", "é", "日", "😀", "\"", "\\", "/", "\n", "\t", "\u{1}", "\u{8}", "'", "x y"];
            (0..self.below(8)).map(|_| self.pick(&pieces)).collect()
        }

        fn string(&mut self) -> String {
            let text = self.text();
            self.encode(&text)
        }

        fn number(&mut self) -> String {
            if self.odd(3) {
                return self.pick(&["01", "1.", ".5", "+1", "-", "1e", "1e400", "NaN", "1.5.3", "-01"]).to_string();
            }
            let mut n = String::new();
            if self.chance(20) {
                n.push('-');
            }
            let digit = |g: &mut Self| char::from(b'0' + g.below(10) as u8);
            if self.chance(20) {
                n.push('0');
            } else {
                n.push(char::from(b'1' + self.below(9) as u8));
                let extra = if self.chance(10) { self.below(22) } else { self.below(4) };
                (0..extra).for_each(|_| n.push(digit(self)));
            }
            if self.chance(50) {
                n.push('.');
                let count = if self.chance(10) { 1 + self.below(20) } else { 1 + self.below(3) };
                (0..count).for_each(|_| n.push(digit(self)));
            }
            if self.chance(20) {
                n.push_str(self.pick(&["e", "E", "e+", "e-", "E-"]));
                (0..1 + self.below(2)).for_each(|_| n.push(digit(self)));
            }
            n
        }

        /// Any JSON value, for fields earful ignores.
        fn value(&mut self, depth: usize) -> String {
            let kind = if depth >= 3 { self.below(5) } else { self.below(7) };
            match kind {
                0 => self.string(),
                1 => self.number(),
                2 => self.pick(&["true", "false"]).to_string(),
                3 => "null".to_string(),
                4 if self.odd(2) => format!("{}0{}", "[".repeat(40), "]".repeat(40)),
                4 => "[]".to_string(),
                5 => {
                    let items: Vec<String> = (0..self.below(4)).map(|_| self.value(depth + 1)).collect();
                    self.array(items)
                }
                _ => {
                    let members = (0..self.below(4)).map(|_| (self.pick(&["a", "b", "x y"]), self.value(depth + 1)));
                    let members: Vec<_> = members.collect();
                    self.object(members)
                }
            }
        }

        fn array(&mut self, items: Vec<String>) -> String {
            let mut out = String::from("[");
            for (i, item) in items.iter().enumerate() {
                let (a, b) = (self.ws(), self.ws());
                out.push_str(&format!("{}{a}{item}{b}", if i > 0 { "," } else { "" }));
            }
            if self.odd(2) {
                out.push(',');
            }
            out.push_str(self.ws());
            out.push(']');
            out
        }

        /// An object of `members` (key, value text), keys encoded with random escapes.
        fn object(&mut self, members: Vec<(&str, String)>) -> String {
            let mut out = String::from("{");
            for (i, (key, value)) in members.iter().enumerate() {
                let key = self.encode(key);
                let (a, b, c, d) = (self.ws(), self.ws(), self.ws(), self.ws());
                out.push_str(&format!("{}{a}{key}{b}:{c}{value}{d}", if i > 0 { "," } else { "" }));
            }
            out.push_str(self.ws());
            out.push('}');
            out
        }

        fn shuffle<T>(&mut self, items: &mut [T]) {
            for i in (1..items.len()).rev() {
                items.swap(i, self.below(i + 1));
            }
        }

        fn seconds(&mut self) -> String {
            if self.chance(15) {
                "null".into()
            } else {
                self.number()
            }
        }

        fn turn(&mut self) -> String {
            if self.odd(2) {
                return self.pick(&["null", "[\"a\",\"b\"]", "1"]).to_string();
            }
            let mut members = vec![
                (self.pick(&["speaker", "role"]), self.string()),
                (self.pick(&["text", "content"]), self.string()),
            ];
            if self.chance(80) {
                members.push(("start", self.seconds()));
            }
            if self.chance(80) {
                members.push(("end", self.seconds()));
            }
            for _ in 0..self.below(3) {
                members.push((self.pick(&["confidence", "words", "x"]), self.value(1)));
            }
            if self.odd(3) {
                let again = self.pick(&["speaker", "role", "text", "content", "start", "end"]);
                members.push((again, "1".into()));
            }
            if self.odd(3) {
                let drop = self.below(2);
                members.remove(drop);
            }
            if self.odd(2) {
                members[0].1 = self.pick(&["1", "null", "true", "{}"]).to_string();
            }
            self.shuffle(&mut members);
            self.object(members)
        }

        fn meta_value(&mut self, depth: usize) -> String {
            match self.below(if depth >= 2 { 5 } else { 6 }) {
                0 | 1 => self.string(),
                2 => self.number(),
                3 => self.pick(&["true", "false", "null"]).to_string(),
                4 if self.odd(10) => self.value(depth + 1).replace("{", "[{").replace("}", "}]"),
                4 if self.odd(10) => "[1,\"two\",null]".to_string(),
                4 => self.string(),
                _ => {
                    let members =
                        (0..self.below(4)).map(|_| (self.pick(&["tier", "n", "a"]), self.meta_value(depth + 1)));
                    let members: Vec<_> = members.collect();
                    self.object(members)
                }
            }
        }

        fn call(&mut self) -> String {
            let call_id = if self.odd(5) {
                self.pick(&["-1", "1.5", "null", "\" \"", "\"\"", "{}", "123456789012345678901", "true"]).to_string()
            } else if self.chance(30) {
                self.below(1_000_000).to_string()
            } else {
                let text = format!("c{}", self.text());
                self.encode(&text)
            };
            let mut members = vec![("call_id", call_id)];
            let turns: Vec<String> = (0..self.below(5)).map(|_| self.turn()).collect();
            let turns = self.array(turns);
            members.push(("turns", turns));
            if self.chance(60) {
                let started_at = if self.odd(3) {
                    "5".to_string()
                } else if self.chance(20) {
                    "null".to_string()
                } else {
                    self.string()
                };
                members.push(("started_at", started_at));
            }
            if self.chance(70) {
                let metadata = if self.chance(10) {
                    "null".to_string()
                } else {
                    let keys = (0..self.below(6))
                        .map(|_| (self.pick(&["region", "plan", "ltv", "crm", "a"]), self.meta_value(0)));
                    let keys: Vec<_> = keys.collect();
                    self.object(keys)
                };
                members.push(("metadata", metadata));
            }
            for _ in 0..self.below(3) {
                members.push((self.pick(&["extra", "agent_id", "tags"]), self.value(0)));
            }
            if self.odd(3) {
                let again = self.pick(&["call_id", "turns", "started_at", "metadata"]);
                members.push((again, "null".into()));
            }
            if self.odd(2) {
                let drop = self.below(2);
                members.remove(drop);
            }
            self.shuffle(&mut members);
            let mut line = self.object(members);
            line.push_str(self.ws());
            if self.odd(2) {
                line.push_str(self.pick(&["x", "}", ",", "{}"]));
            }
            line
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        #[test]
        fn scan_agrees_with_serde_on_generated_calls(seed: u64, wild: bool) {
            let mut generator = Gen { state: seed, wild, clean: true };
            let line = generator.call();
            let accepted = agrees(&line);
            prop_assert!(accepted || !generator.clean, "a clean line was declined: {}", line);
        }

        #[test]
        fn scan_agrees_with_serde_on_damaged_calls(seed: u64, edits in prop::collection::vec((any::<usize>(), 0..16usize), 1..4)) {
            let mut generator = Gen { state: seed, wild: false, clean: true };
            let line = generator.call();
            // Every truncation short of trailing whitespace: a cut line must never be accepted.
            for cut in (0..line.trim_end().len()).filter(|&i| line.is_char_boundary(i)) {
                prop_assert!(!agrees(&line[..cut]), "accepted a truncated line: {}", &line[..cut]);
            }
            // A few ASCII bytes swapped for JSON's punctuation (the line stays UTF-8).
            let mut bytes = line.into_bytes();
            let swaps = b"\"\\,:{}[]0-.e n\x01t";
            for (at, with) in edits {
                let ascii: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i].is_ascii()).collect();
                let at = ascii[at % ascii.len()];
                bytes[at] = swaps[with];
            }
            agrees(std::str::from_utf8(&bytes).expect("ASCII swaps keep UTF-8"));
        }
    }
}
