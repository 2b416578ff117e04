//! JSON Lines: one call object per line.
//!
//! Framing copies each line into the batch buffer (no per-line allocation); decoding, which is
//! most of the cost, runs on the workers. Unknown fields are ignored so that exports with extra
//! fields need no cleaning first.
//!
//! Decoding tries three readers in turn, each slower and more forgiving than the one before:
//! [`scan`] reads the documented shape by hand, the serde fast path reads any well-formed call,
//! and the loose path reads anything JSON to say what is wrong with it. The first two build the
//! same call; the scanner only declines lines the others then read as before.

mod scan;

use std::borrow::Cow;
use std::io::BufRead;

use serde::Deserialize;
use serde_json::Value;

use super::{Batch, DocKind, Item, Payload};
use crate::model::{Call, Turn};

/// Copies the lines of `reader` into batches. Blank lines are not records. With `documents`
/// (the file stem), each line is a vendor document rather than an earful call. Returns false if
/// the consumer stopped.
#[allow(clippy::too_many_arguments)]
pub(super) fn frame(
    file: usize,
    documents: Option<&str>,
    mut reader: Box<dyn BufRead + Send>,
    batch: &mut Batch,
    max_record: usize,
    full: impl Fn(&Batch) -> bool,
    flush: &mut impl FnMut(&mut Batch) -> bool,
) -> bool {
    let mut line_no = 0u64;
    let end = match line_end(&mut reader) {
        Ok(end) => end,
        Err(e) => {
            let reason = format!("read error: {e}");
            batch.items.push(Item { file, line: 1, payload: Payload::Done(Err(reason)) });
            return true;
        }
    };
    loop {
        let start = batch.buf.len();
        line_no += 1;
        match read_line(&mut reader, &mut batch.buf, max_record, end) {
            Ok((0, _)) => {
                batch.buf.truncate(start);
                return true;
            }
            Ok((n, true)) => {
                batch.buf.truncate(start);
                let reason =
                    format!("record of {n} bytes is over limits.max_record_bytes ({max_record}); skipped unread");
                batch.items.push(Item { file, line: line_no, payload: Payload::Done(Err(reason)) });
                continue;
            }
            Ok(_) => {}
            Err(e) => {
                batch.buf.truncate(start);
                let reason = format!("read error, rest of file lost: {e}");
                batch.items.push(Item { file, line: line_no, payload: Payload::Done(Err(reason)) });
                return true;
            }
        }
        let mut content = &batch.buf[start..];
        if line_no == 1 {
            content = super::strip_bom(content);
        }
        let offset = batch.buf.len() - content.len();
        let trimmed = content.trim_ascii();
        if trimmed.is_empty() {
            batch.buf.truncate(start);
            continue;
        }
        let lead = content.len() - content.trim_ascii_start().len();
        let begin = offset + lead;
        let payload = match documents {
            None => Payload::Json(begin, begin + trimmed.len()),
            Some(stem) => Payload::Document {
                start: begin,
                end: begin + trimmed.len(),
                id: format!("{stem}-{line_no}"),
                kind: DocKind::Json,
            },
        };
        batch.items.push(Item { file, line: line_no, payload });
        if full(batch) && !flush(batch) {
            return false;
        }
    }
}

/// Which byte ends a line in this file: LF (which also covers CRLF: a trailing CR is trimmed),
/// or CR for files that use a lone CR throughout (old Mac exports). Decided from the first
/// block, so a stray CR inside a record of an LF file is just whitespace.
fn line_end(reader: &mut dyn BufRead) -> std::io::Result<u8> {
    let head = reader.fill_buf()?;
    let lone_cr = memchr::memchr(b'\n', head).is_none() && memchr::memchr(b'\r', head).is_some();
    Ok(if lone_cr { b'\r' } else { b'\n' })
}

/// Appends one line (terminator included) to `buf`, copying at most `max` bytes of it so that a
/// giant line costs no memory. Returns the bytes consumed and whether the line was too long
/// (then nothing is appended).
fn read_line(reader: &mut dyn BufRead, buf: &mut Vec<u8>, max: usize, end: u8) -> std::io::Result<(usize, bool)> {
    let start = buf.len();
    let (mut consumed, mut too_long) = (0usize, false);
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Ok((consumed, too_long));
        }
        let (take, done) = match memchr::memchr(end, available) {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        if !too_long {
            if buf.len() - start + take > max.saturating_add(1) {
                too_long = true;
                buf.truncate(start);
            } else {
                buf.extend_from_slice(&available[..take]);
            }
        }
        reader.consume(take);
        consumed += take;
        if done {
            return Ok((consumed, too_long));
        }
    }
}

#[derive(Deserialize)]
struct RawCall {
    call_id: Option<Value>,
    #[serde(default)]
    started_at: Option<Value>,
    #[serde(default)]
    metadata: Option<Value>,
    turns: Option<Value>,
}

#[derive(Deserialize)]
struct RawTurn {
    #[serde(alias = "role")]
    speaker: Option<Value>,
    #[serde(alias = "content")]
    text: Option<Value>,
    #[serde(default)]
    start: Option<f64>,
    #[serde(default)]
    end: Option<f64>,
}

/// The shape of a well-formed call, borrowed from the line where no escapes force a copy.
#[derive(Deserialize)]
struct FastCall<'a> {
    call_id: Value,
    #[serde(default, borrow)]
    started_at: Option<Cow<'a, str>>,
    #[serde(default)]
    metadata: Option<Metadata>,
    #[serde(borrow)]
    turns: Vec<FastTurn<'a>>,
}

/// A call's metadata, flattened as it is parsed into what [`flatten`] makes of a parsed object:
/// nested objects become dotted keys (`crm.tier`), other values text, and a key given twice keeps
/// its first place and its last value, as an ordered JSON map does. No map is built on the way.
struct Metadata(Vec<(String, String)>);

/// One metadata value: text, or a nested object flattened relative to its own key.
enum MetaValue {
    Text(String),
    Object(Vec<(String, String)>),
}

impl<'de> Deserialize<'de> for Metadata {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(MetaVisitor).map(Metadata)
    }
}

struct MetaVisitor;

impl<'de> serde::de::Visitor<'de> for MetaVisitor {
    type Value = Vec<(String, String)>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries: Vec<(String, MetaValue)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value::<MetaValue>()?;
            put_meta(&mut entries, key, value);
        }
        Ok(flatten_meta(entries))
    }
}

/// Adds one metadata entry as an ordered JSON map does: a key given again keeps its first place
/// and takes the new value. Shared with the scanner, so that both readers agree by construction.
fn put_meta(entries: &mut Vec<(String, MetaValue)>, key: String, value: MetaValue) {
    match entries.iter_mut().find(|(k, _)| *k == key) {
        Some(entry) => entry.1 = value,
        None => entries.push((key, value)),
    }
}

/// The entries of one metadata object as flat pairs, a nested object's keys prefixed with its own.
fn flatten_meta(entries: Vec<(String, MetaValue)>) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        match value {
            MetaValue::Text(text) => out.push((key, text)),
            MetaValue::Object(inner) => out.extend(inner.into_iter().map(|(k, v)| (format!("{key}.{k}"), v))),
        }
    }
    out
}

impl<'de> Deserialize<'de> for MetaValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MetaValueVisitor)
    }
}

struct MetaValueVisitor;

impl<'de> serde::de::Visitor<'de> for MetaValueVisitor {
    type Value = MetaValue;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_str<E>(self, v: &str) -> Result<MetaValue, E> {
        Ok(MetaValue::Text(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<MetaValue, E> {
        Ok(MetaValue::Text(v))
    }
    fn visit_unit<E>(self) -> Result<MetaValue, E> {
        Ok(MetaValue::Text(String::new()))
    }
    fn visit_bool<E>(self, v: bool) -> Result<MetaValue, E> {
        Ok(MetaValue::Text(v.to_string()))
    }
    // Numbers and arrays are written as serde_json writes them, so both paths agree.
    fn visit_i64<E>(self, v: i64) -> Result<MetaValue, E> {
        Ok(MetaValue::Text(serde_json::Number::from(v).to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<MetaValue, E> {
        Ok(MetaValue::Text(serde_json::Number::from(v).to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<MetaValue, E> {
        Ok(MetaValue::Text(Value::from(v).to_string()))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<MetaValue, A::Error> {
        let value = Value::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))?;
        Ok(MetaValue::Text(value.to_string()))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<MetaValue, A::Error> {
        MetaVisitor.visit_map(map).map(MetaValue::Object)
    }
}

#[derive(Deserialize)]
struct FastTurn<'a> {
    #[serde(alias = "role", borrow)]
    speaker: Cow<'a, str>,
    #[serde(alias = "content", borrow)]
    text: Cow<'a, str>,
    #[serde(default)]
    start: Option<f64>,
    #[serde(default)]
    end: Option<f64>,
}

/// Decodes one line into a call, or says exactly what is wrong with it. Well-formed lines take a
/// fast path; anything else is decoded again loosely to name the problem precisely.
pub(super) fn decode(line: &[u8]) -> Result<Call<'_>, String> {
    // The line is checked as UTF-8 once and parsed as text, so that neither fast path need check
    // each of its strings again (a quarter of serde's decoding time). A line that is not UTF-8
    // goes to the loose path, which names the problem (or decodes it, if the bad bytes are in a
    // field earful ignores). The check is simdutf8's (already built for polars): on 1 GB its
    // share of a run's samples went from 3.9% with the standard library's to 2.6%, most of the
    // rest being the line's first read from memory.
    if let Ok(text) = simdutf8::basic::from_utf8(line) {
        if let Some(call) = scan::scan(text).or_else(|| decode_typed(text)) {
            return Ok(call);
        }
    }
    decode_loose(line)
}

/// The serde fast path: a well-formed call into borrowed types, or `None` to let the loose path
/// say what is wrong.
fn decode_typed(text: &str) -> Option<Call<'_>> {
    let fast = serde_json::from_str::<FastCall<'_>>(text).ok()?;
    let call_id = match fast.call_id {
        Value::String(s) if !s.trim().is_empty() => s,
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let metadata = fast.metadata.map(|m| m.0).unwrap_or_default();
    let turns = fast
        .turns
        .into_iter()
        .map(|t| Turn { speaker: t.speaker, text: t.text, start: t.start, end: t.end, role: None, control_free: false })
        .collect();
    let started_at = fast.started_at.filter(|s| !s.trim().is_empty()).map(Cow::into_owned);
    Some(Call { call_id, started_at, metadata, turns })
}

fn decode_loose(line: &[u8]) -> Result<Call<'static>, String> {
    let raw: RawCall = serde_json::from_slice(line).map_err(|e| {
        if e.is_eof() {
            format!("truncated JSON (ends at column {})", e.column())
        } else {
            format!("invalid JSON: {e}")
        }
    })?;
    let call_id = match raw.call_id {
        Some(Value::String(s)) if !s.trim().is_empty() => s,
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => return Err("field \"call_id\" must be a non-empty string".into()),
        None => return Err("missing field \"call_id\"".into()),
    };
    let started_at = match raw.started_at {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s),
        _ => None,
    };
    let mut metadata = Vec::new();
    match raw.metadata {
        Some(Value::Object(map)) => flatten("", map, &mut metadata),
        Some(Value::Null) | None => {}
        Some(_) => return Err("field \"metadata\" must be an object".into()),
    }
    let turns = match raw.turns {
        Some(Value::Array(turns)) => turns,
        Some(_) => return Err("field \"turns\" must be an array".into()),
        None => return Err("missing field \"turns\"".into()),
    };
    let turns = turns
        .into_iter()
        .enumerate()
        .map(|(i, t)| decode_turn(t).map_err(|e| format!("turn {}: {e}", i + 1)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Call { call_id, started_at, metadata, turns })
}

fn decode_turn(value: Value) -> Result<Turn<'static>, String> {
    let raw: RawTurn = serde_json::from_value(value).map_err(|e| e.to_string())?;
    let speaker = match raw.speaker {
        Some(Value::String(s)) => s,
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err("missing \"speaker\"".into()),
    };
    let text = match raw.text {
        Some(Value::String(s)) => s,
        Some(Value::Null) | None => return Err("missing \"text\"".into()),
        Some(_) => return Err("\"text\" must be a string".into()),
    };
    Ok(Turn {
        speaker: speaker.into(),
        text: text.into(),
        start: raw.start,
        end: raw.end,
        role: None,
        control_free: false,
    })
}

/// Flattens nested metadata objects into dotted keys (`crm.tier`); other values become text.
pub(super) fn flatten(prefix: &str, map: serde_json::Map<String, Value>, out: &mut Vec<(String, String)>) {
    for (key, value) in map {
        let key = if prefix.is_empty() { key } else { format!("{prefix}.{key}") };
        match value {
            Value::Object(inner) => flatten(&key, inner, out),
            Value::Null => out.push((key, String::new())),
            Value::String(s) => out.push((key, s)),
            other => out.push((key, other.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_documented_shape() {
        let line = br#"{"call_id":"c1","started_at":"2026-11-22T14:03:00Z","metadata":{"region":"west","ltv":120.5,"crm":{"tier":"gold"}},"turns":[{"speaker":"customer","text":"hi","start":0.0,"end":2.5}],"extra":1}"#;
        let call = decode(line).unwrap();
        assert_eq!(call.call_id, "c1");
        assert_eq!(call.started_at.as_deref(), Some("2026-11-22T14:03:00Z"));
        assert!(call.metadata.contains(&("crm.tier".into(), "gold".into())));
        assert!(call.metadata.contains(&("ltv".into(), "120.5".into())));
        assert_eq!(call.turns[0].end, Some(2.5));
    }

    #[test]
    fn metadata_is_flattened_as_the_loose_path_flattens_it() {
        // Nested objects, repeated keys (first place, last value), numbers, booleans, arrays, null.
        let meta = r#"{"b":1,"crm":{"tier":"gold","n":{"x":2.50}},"a":"first","b":"again","f":1e21,"neg":-3,
            "ok":true,"list":[1,"two",null],"none":null,"crm":{"tier":"silver"},"u":18446744073709551615}"#;
        let line = format!(r#"{{"call_id":"c","metadata":{meta},"turns":[{{"speaker":"customer","text":"x"}}]}}"#);
        let fast = decode(line.as_bytes()).unwrap().metadata;
        let mut loose = Vec::new();
        flatten("", serde_json::from_str(meta).unwrap(), &mut loose);
        assert_eq!(fast, loose);
        let shown: Vec<String> = fast.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            shown,
            [
                "b=again",
                "crm.tier=silver",
                "a=first",
                "f=1e+21",
                "neg=-3",
                "ok=true",
                "list=[1,\"two\",null]",
                "none=",
                "u=18446744073709551615"
            ]
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_in_an_ignored_field_do_not_lose_the_call() {
        let mut line = br#"{"call_id":"c1","note":""#.to_vec();
        line.extend(b"\xff\xfe");
        line.extend(br#"","turns":[{"speaker":"customer","text":"caf\u00e9 is closed"}]}"#);
        let call = decode(&line).unwrap();
        assert_eq!((call.call_id.as_str(), call.turns[0].text.as_ref()), ("c1", "café is closed"));
        // In a field earful reads, they are an error that says so.
        let bad = [&br#"{"call_id":"c1","turns":[{"speaker":"customer","text":""#[..], b"\xff", br#""}]}"#].concat();
        assert!(decode(&bad).unwrap_err().contains("invalid JSON"), "{:?}", decode(&bad));
    }

    #[test]
    fn optional_fields_may_be_absent() {
        let call = decode(br#"{"call_id":7,"turns":[{"speaker":"agent","text":"hello"}]}"#).unwrap();
        assert_eq!(call.call_id, "7");
        assert!(call.metadata.is_empty() && call.started_at.is_none());
    }

    #[test]
    fn a_giant_line_is_skipped_without_being_held() {
        let mut text = b"{\"call_id\":\"a\",\"turns\":[]}\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', 5000));
        text.extend(b"\n{\"call_id\":\"b\",\"turns\":[]}\n");
        let limits = super::super::Limits { max_record_bytes: 1000, ..Default::default() };
        let got = super::super::parse_bytes(super::super::Format::Jsonl, "t.jsonl", &text, &limits);
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].1.as_ref().unwrap().call_id, "a");
        assert!(got[1].1.as_ref().unwrap_err().contains("over limits.max_record_bytes"), "{:?}", got[1]);
        assert_eq!((got[2].0, got[2].1.as_ref().unwrap().call_id.as_str()), (3, "b"));
    }

    #[test]
    fn bad_records_say_why() {
        let cases: &[(&[u8], &str)] = &[
            (br#"{"call_id":"c1","turns":[{"speaker":"customer","te"#, "truncated JSON"),
            (br#"{"call_id":"c1"}"#, "missing field \"turns\""),
            (br#"{"turns":[]}"#, "missing field \"call_id\""),
            (br#"{"call_id":"c1","turns":{}}"#, "must be an array"),
            (br#"{"call_id":"c1","turns":[{"speaker":"customer"}]}"#, "turn 1: missing \"text\""),
            (b"[1,2]", "invalid JSON"),
            (b"\xff\xfe{}", "invalid JSON"),
        ];
        for (line, expect) in cases {
            let err = decode(line).unwrap_err();
            assert!(err.contains(expect), "{err:?} should contain {expect:?}");
        }
    }
}
