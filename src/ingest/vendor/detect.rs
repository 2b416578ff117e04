//! Naming a JSON document's format from the keys it has, never from the file name.
//!
//! Every detector is a small predicate on the document's structure. All of them run, so that a
//! document two formats would claim is rejected as ambiguous instead of being read by whichever
//! came first; the reason lists what was seen.

use serde_json::Value;

use super::mapping::JsonMapping;
use super::{array, at};

/// The formats a JSON document can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// earful's own call shape (`call_id`, `turns`), one call per file.
    Earful,
    /// Amazon Transcribe: `results.items`.
    Transcribe,
    /// Amazon Transcribe Call Analytics (and Contact Lens): a top-level `Transcript` array.
    TranscribeCallAnalytics,
    /// OpenAI Whisper / WhisperX: `segments`.
    Whisper,
    /// Deepgram: `results.channels` or `results.utterances`.
    Deepgram,
    /// AssemblyAI: `utterances` or `audio_url`.
    AssemblyAi,
    /// Google CCAI Insights conversation: `transcript.transcriptSegments`.
    Ccai,
    /// Google CCAI Insights chat transcript: `entries` with `role`.
    CcaiChat,
    /// Genesys Cloud: `transcripts[].phrases`.
    Genesys,
    /// Twilio Voice Intelligence: `sentences`.
    Twilio,
    /// A `[[formats.json]]` mapping, by index.
    Mapping(usize),
}

impl Kind {
    /// The format's name in the manifest.
    pub fn name(self, mappings: &[JsonMapping]) -> &str {
        match self {
            Kind::Earful => "earful",
            Kind::Transcribe => "transcribe",
            Kind::TranscribeCallAnalytics => "transcribe_call_analytics",
            Kind::Whisper => "whisper",
            Kind::Deepgram => "deepgram",
            Kind::AssemblyAi => "assemblyai",
            Kind::Ccai => "ccai",
            Kind::CcaiChat => "ccai_chat",
            Kind::Genesys => "genesys",
            Kind::Twilio => "twilio",
            Kind::Mapping(i) => mappings[i].name.as_str(),
        }
    }
}

/// Names of the built-in formats, which a mapping may not take.
pub const BUILTIN: &[&str] = &[
    "earful",
    "transcribe",
    "transcribe_call_analytics",
    "whisper",
    "deepgram",
    "assemblyai",
    "ccai",
    "ccai_chat",
    "genesys",
    "twilio",
    "jsonl",
    "csv",
    "text",
    "json",
    "srt",
    "webvtt",
];

fn is_array(v: &Value, path: &[&str]) -> bool {
    at(v, path).is_some_and(Value::is_array)
}

/// The first element of the array at `path` has `key`.
fn first_has(v: &Value, path: &[&str], key: &str) -> bool {
    array(v, path).first().is_some_and(|e| e.get(key).is_some())
}

/// Which format this document is, or why it cannot be read.
pub fn detect(doc: &Value, mappings: &[JsonMapping]) -> Result<Kind, String> {
    let Value::Object(map) = doc else {
        return Err(format!("unrecognised JSON: the document is {}, not an object", kind_of(doc)));
    };
    let builtin = [
        (Kind::Earful, map.contains_key("call_id") && is_array(doc, &["turns"])),
        (Kind::Transcribe, is_array(doc, &["results", "items"])),
        (Kind::TranscribeCallAnalytics, is_array(doc, &["Transcript"])),
        (Kind::Whisper, is_array(doc, &["segments"])),
        (Kind::Deepgram, is_array(doc, &["results", "channels"]) || is_array(doc, &["results", "utterances"])),
        (
            Kind::AssemblyAi,
            map.contains_key("utterances") || (map.contains_key("audio_url") && map.contains_key("text")),
        ),
        (Kind::Ccai, is_array(doc, &["transcript", "transcriptSegments"])),
        (Kind::CcaiChat, is_array(doc, &["entries"]) && first_has(doc, &["entries"], "role")),
        (Kind::Genesys, first_has(doc, &["transcripts"], "phrases")),
        (Kind::Twilio, is_array(doc, &["sentences"])),
    ];
    let mut found: Vec<Kind> = builtin.iter().filter(|(_, yes)| *yes).map(|(k, _)| *k).collect();
    for (i, m) in mappings.iter().enumerate() {
        if m.detects(doc) {
            found.push(Kind::Mapping(i));
        }
    }
    let keys: Vec<&str> = map.keys().map(String::as_str).take(12).collect();
    let more = if map.len() > keys.len() { ", ..." } else { "" };
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!(
            "unrecognised JSON: top-level keys {}{more} match no known transcript format (add a [[formats.json]] mapping)",
            keys.join(", ")
        )),
        many => {
            let names: Vec<&str> = many.iter().map(|k| k.name(mappings)).collect();
            Err(format!(
                "ambiguous JSON: matches {} (top-level keys {}{more}); make the file one format, or a [[formats.json]] detect path more specific",
                names.join(" and "),
                keys.join(", ")
            ))
        }
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "an array",
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Null => "null",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_shape_is_named_and_clashes_are_ambiguous() {
        let cases: &[(&str, Result<Kind, &str>)] = &[
            (r#"{"call_id":"c","turns":[]}"#, Ok(Kind::Earful)),
            (r#"{"jobName":"j","results":{"transcripts":[],"items":[]}}"#, Ok(Kind::Transcribe)),
            (r#"{"JobName":"j","Transcript":[]}"#, Ok(Kind::TranscribeCallAnalytics)),
            (r#"{"text":"hi","segments":[],"language":"en"}"#, Ok(Kind::Whisper)),
            (r#"{"metadata":{},"results":{"channels":[]}}"#, Ok(Kind::Deepgram)),
            (r#"{"id":"x","audio_url":"u","text":"hi","utterances":null}"#, Ok(Kind::AssemblyAi)),
            (r#"{"name":"n","transcript":{"transcriptSegments":[]}}"#, Ok(Kind::Ccai)),
            (r#"{"entries":[{"role":"AGENT","text":"hi"}]}"#, Ok(Kind::CcaiChat)),
            (r#"{"conversationId":"c","transcripts":[{"phrases":[]}]}"#, Ok(Kind::Genesys)),
            (r#"{"sentences":[]}"#, Ok(Kind::Twilio)),
            (r#"{"segments":[],"utterances":[]}"#, Err("ambiguous JSON: matches whisper and assemblyai")),
            (r#"{"entries":[{"text":"no role"}]}"#, Err("unrecognised JSON: top-level keys entries")),
            (r#"[1,2]"#, Err("the document is an array")),
        ];
        for (json, expect) in cases {
            let doc: Value = serde_json::from_str(json).unwrap();
            match (detect(&doc, &[]), expect) {
                (Ok(got), Ok(want)) => assert_eq!(got, *want, "{json}"),
                (Err(got), Err(want)) => assert!(got.contains(want), "{got:?} should contain {want:?}"),
                (got, want) => panic!("{json}: got {got:?}, want {want:?}"),
            }
        }
    }
}
