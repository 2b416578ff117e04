//! OpenAI Whisper JSON (`segments` with `text`, `start`, `end`) and WhisperX, which adds a
//! `speaker` (`SPEAKER_00`) to each segment it could assign.
//!
//! Plain Whisper does not diarize: such a transcript is handled by `formats.undiarized`. A
//! WhisperX segment left without a speaker belongs to the speaker before it (the first speaker
//! when it opens the call). The call id is the file stem.

use serde_json::Value;

use super::roles::Scheme;
use super::{array, number_of, text_of, Draft, Turns};

/// Decodes a Whisper document.
pub(super) fn decode(doc: &Value, id: &str) -> Result<Draft, String> {
    let segments = array(doc, &["segments"]);
    let first = segments.iter().find_map(|s| text_of(s.get("speaker")));
    let scheme = if first.is_some() { Scheme::Anonymous } else { Scheme::Undiarized };
    let mut last = first.unwrap_or_default();
    let mut turns = Turns::default();
    for s in segments {
        if let Some(speaker) = text_of(s.get("speaker")) {
            last = speaker;
        }
        let text = s.get("text").and_then(Value::as_str).unwrap_or("");
        turns.push(&last, None, text, (number_of(s.get("start")), number_of(s.get("end"))), false);
    }
    let mut draft = Draft::new(id.to_string(), scheme);
    draft.call.turns = turns.0;
    Ok(draft)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{decode, decode_with, turns};
    use crate::ingest::vendor::roles::{Rule, SpeakerOptions, Undiarized};
    use crate::ingest::Mapped;
    use crate::model::Role;

    #[test]
    fn whisperx_speakers_and_unassigned_segments() {
        let json = r#"{"segments":[
            {"start":0.0,"end":2.0,"text":" Thank you for calling, how can I help?","speaker":"SPEAKER_01"},
            {"start":2.5,"end":4.0,"text":" My parcel never arrived.","speaker":"SPEAKER_00"},
            {"start":4.0,"end":5.0,"text":" Again."},
            {"start":5.5,"end":6.0,"text":" Sorry.","speaker":"SPEAKER_01"}],"language":"en"}"#;
        let (call, seen) = decode(json).unwrap();
        assert_eq!(call.call_id, "stem");
        let t = turns(&call);
        assert_eq!(t.len(), 3, "{t:?}");
        assert_eq!(t[1], ("SPEAKER_00".into(), Role::Customer, "My parcel never arrived. Again.".into()));
        assert_eq!((call.turns[1].start, call.turns[1].end), (Some(2.5), Some(5.0)));
        assert_eq!(seen.speakers, Mapped::Rule(Rule::Opener));
    }

    #[test]
    fn plain_whisper_is_undiarized() {
        let json = r#"{"text":"hi","segments":[{"id":0,"start":0.0,"end":1.0,"text":" I was charged twice."}]}"#;
        assert!(decode(json).unwrap_err().reason.contains("formats.undiarized"));
        let options = SpeakerOptions { undiarized: Undiarized::Customer, ..SpeakerOptions::default() };
        let (call, seen) = decode_with(json, &options, &[]).unwrap();
        assert_eq!(turns(&call)[0].1, Role::Customer);
        assert_eq!(seen.speakers, Mapped::Rule(Rule::Undiarized));
    }
}
