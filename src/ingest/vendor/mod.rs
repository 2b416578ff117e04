//! Vendor transcripts: one JSON document (or subtitle file) per call, as transcription and
//! contact-center platforms write them.
//!
//! A document is parsed once into a `serde_json::Value`, [`detect`] names its format from the keys
//! it has, and that format's module turns it into a [`Draft`]: the call, with the roles the
//! source states already set and a [`Scheme`] for the rest. [`roles::resolve`] then decides every
//! other turn's role and reports which rule did. One module per vendor keeps each schema's quirks
//! (string offsets, milliseconds, epoch microseconds, words to be joined into turns) in one place.

mod assemblyai;
mod call_analytics;
mod ccai;
mod deepgram;
mod detect;
mod genesys;
pub mod mapping;
pub mod roles;
pub(super) mod subtitles;
mod transcribe;
mod twilio;
mod whisper;

use serde_json::Value;

use self::detect::Kind;
use self::mapping::JsonMapping;
use self::roles::{LabelRole, Rule, Scheme, SpeakerOptions};
use super::{DecodeError, Mapped, Seen};
use crate::model::{Call, Role, Turn};

/// What a decoder needs besides the bytes: the checked `[formats]` settings and the config's
/// speaker labels.
pub struct Context<'a> {
    /// Speaker-mapping settings.
    pub speakers: &'a SpeakerOptions,
    /// `[[formats.json]]` mappings.
    pub mappings: &'a [JsonMapping],
    /// The `[speakers]` labels.
    pub labels: &'a LabelRole,
}

/// A call as a vendor module decoded it, before the open roles are decided.
pub(crate) struct Draft {
    /// The call; turns whose role the source stated have it set.
    pub call: Call<'static>,
    /// How to decide the other turns.
    pub scheme: Scheme,
    /// The rule to report when the source set every role.
    pub preset: Rule,
}

impl Draft {
    fn new(call_id: String, scheme: Scheme) -> Draft {
        Draft { call: Call { call_id, ..Call::default() }, scheme, preset: Rule::SourceRole }
    }
}

/// Decodes one JSON document: detects the format, decodes it, decides the roles.
pub(super) fn decode_json<'a>(bytes: &'a [u8], id: &str, ctx: &Context) -> Result<(Call<'a>, Seen), DecodeError> {
    let fail = |reason: String| DecodeError { reason, seen: None };
    let doc: Value = serde_json::from_slice(super::strip_bom(bytes)).map_err(|e| {
        fail(if e.is_eof() {
            format!("truncated JSON (line {}, column {})", e.line(), e.column())
        } else {
            format!("invalid JSON: {e}")
        })
    })?;
    let kind = detect::detect(&doc, ctx.mappings).map_err(fail)?;
    let format = kind.name(ctx.mappings).to_string();
    if kind == Kind::Earful {
        // The native call shape, one per file: the JSONL decoder reads it, speakers by label.
        let call = super::jsonl::decode(bytes).map_err(fail)?;
        return Ok((call, Seen { format, speakers: Mapped::NotApplicable }));
    }
    let draft = match kind {
        Kind::Earful => unreachable!("handled above"),
        Kind::Transcribe => transcribe::decode(&doc, id, ctx),
        Kind::TranscribeCallAnalytics => call_analytics::decode(&doc, id),
        Kind::Whisper => whisper::decode(&doc, id),
        Kind::Deepgram => deepgram::decode(&doc, id, ctx),
        Kind::AssemblyAi => assemblyai::decode(&doc, id, ctx),
        Kind::Ccai => ccai::decode_conversation(&doc, id, ctx),
        Kind::CcaiChat => ccai::decode_chat(&doc, id),
        Kind::Genesys => genesys::decode(&doc, id),
        Kind::Twilio => twilio::decode(&doc, id, ctx),
        Kind::Mapping(i) => mapping::decode(&ctx.mappings[i], &doc, id, ctx.labels),
    };
    let seen = |speakers| Seen { format: format.clone(), speakers };
    let draft = draft.map_err(|reason| DecodeError { reason, seen: Some(seen(Mapped::NotApplicable)) })?;
    finish(draft, ctx)
        .map(|(call, rule)| (call, seen(Mapped::Rule(rule))))
        .map_err(|reason| DecodeError { reason: format!("{format}: {reason}"), seen: Some(seen(Mapped::NoCustomer)) })
}

/// Checks that a draft has turns and decides the open roles.
pub(super) fn finish(mut draft: Draft, ctx: &Context) -> Result<(Call<'static>, Rule), String> {
    draft.call.turns.retain(|t| !t.text.trim().is_empty());
    if draft.call.turns.is_empty() {
        return Err("no usable turns (no text in the transcript)".into());
    }
    let rule = roles::resolve(&mut draft.call.turns, &draft.scheme, ctx.speakers, ctx.labels)?;
    let rule = if rule == Rule::SourceRole { draft.preset } else { rule };
    Ok((draft.call, rule))
}

/// Builds turns from pieces (words or segments), joining consecutive pieces of one speaker.
#[derive(Default)]
pub(crate) struct Turns(pub Vec<Turn<'static>>);

impl Turns {
    /// Appends a piece said by `speaker`; `glue` pieces (punctuation) attach without a space.
    pub fn push(
        &mut self,
        speaker: &str,
        role: Option<Role>,
        text: &str,
        span: (Option<f64>, Option<f64>),
        glue: bool,
    ) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        match self.0.last_mut() {
            Some(last) if last.speaker == speaker && last.role == role => {
                if !glue {
                    last.text.to_mut().push(' ');
                }
                last.text.to_mut().push_str(text);
                if span.1.is_some() {
                    last.end = span.1;
                }
            }
            _ => self.0.push(Turn {
                speaker: speaker.to_string().into(),
                text: text.to_string().into(),
                start: span.0,
                end: span.1,
                role,
                control_free: false,
            }),
        }
    }
}

/// The value at a dotted path of object keys.
pub(crate) fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.get(key)).filter(|v| !v.is_null())
}

/// A string or number as text; other values (and empty strings) as `None`.
pub(crate) fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A number, or a string holding one (Transcribe writes `"0.44"`, Google `"1.500s"`).
pub(crate) fn number_of(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().trim_end_matches('s').parse().ok(),
        _ => None,
    }
    .filter(|v: &f64| v.is_finite())
}

/// The array at a path, or an empty slice.
pub(crate) fn array<'a>(value: &'a Value, path: &[&str]) -> &'a [Value] {
    at(value, path).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// Milliseconds since the Unix epoch as RFC 3339 UTC.
pub(crate) fn epoch_millis(ms: f64) -> Option<String> {
    let t = chrono::DateTime::from_timestamp_millis(ms as i64)?;
    Some(t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
}

/// Flattens an object into metadata (`parent.child` keys), as JSONL metadata is.
pub(crate) fn metadata_from(value: Option<&Value>, prefix: &str, out: &mut Vec<(String, String)>) {
    if let Some(Value::Object(map)) = value {
        super::jsonl::flatten(prefix, map.clone(), out);
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Decoding helpers for the vendor modules' tests.
    use super::*;

    /// Default options and no config labels.
    pub fn decode(json: &str) -> Result<(Call<'static>, Seen), DecodeError> {
        decode_with(json, &SpeakerOptions::default(), &[])
    }

    /// With these options and mappings.
    pub fn decode_with(
        json: &str,
        speakers: &SpeakerOptions,
        mappings: &[JsonMapping],
    ) -> Result<(Call<'static>, Seen), DecodeError> {
        let labels = |l: &str| match l.to_ascii_lowercase().as_str() {
            "agent" => Role::Agent,
            "customer" => Role::Customer,
            _ => Role::Unknown,
        };
        decode_json(json.as_bytes(), "stem", &Context { speakers, mappings, labels: &labels })
            .map(|(call, seen)| (call.into_owned(), seen))
    }

    /// `(speaker, role, text)` of each turn.
    pub fn turns(call: &Call) -> Vec<(String, Role, String)> {
        call.turns
            .iter()
            .map(|t| (t.speaker.to_string(), t.role.unwrap_or(Role::Unknown), t.text.to_string()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::decode;

    #[test]
    fn broken_and_empty_documents_say_why() {
        assert!(decode("{\"results\": {\"items\": [").unwrap_err().reason.contains("truncated JSON"));
        let err = decode(r#"{"hello": 1, "world": [2]}"#).unwrap_err();
        assert!(err.reason.contains("unrecognised JSON") && err.reason.contains("hello, world"), "{}", err.reason);
        let err = decode(r#"{"segments": []}"#).unwrap_err();
        assert!(err.reason.contains("no usable turns"), "{}", err.reason);
        assert_eq!(err.seen.unwrap().format, "whisper");
    }
}
