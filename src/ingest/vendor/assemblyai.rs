//! AssemblyAI transcript objects: `utterances` (with `speaker_labels`), each with a `speaker`
//! letter (`A`, `B`), `text` and `start`/`end` in milliseconds; with `multichannel`, utterances
//! also carry a `channel` (`"1"`, `"2"`).
//!
//! Labels are `speaker A` (so that a bare `A` is never mistaken for a configured label) or
//! `channel N`. Without utterances, the top-level `text` is one undiarized turn. A transcript
//! whose `status` is `error` is rejected with AssemblyAI's `error` message. The call id is `id`.

use serde_json::Value;

use super::roles::Scheme;
use super::{array, number_of, text_of, Context, Draft, Turns};

/// Decodes an AssemblyAI document.
pub(super) fn decode(doc: &Value, id: &str, ctx: &Context) -> Result<Draft, String> {
    if doc.get("status").and_then(Value::as_str) == Some("error") {
        let why = text_of(doc.get("error")).unwrap_or_else(|| "no message".into());
        return Err(format!("AssemblyAI reported an error for this transcript: {why}"));
    }
    let call_id = text_of(doc.get("id")).unwrap_or_else(|| id.to_string());
    let utterances = array(doc, &["utterances"]);
    let by_channel = utterances.iter().any(|u| u.get("channel").is_some_and(|c| !c.is_null()));
    let mut turns = Turns::default();
    let scheme = if utterances.is_empty() {
        turns.push("", None, doc.get("text").and_then(Value::as_str).unwrap_or(""), (None, None), false);
        Scheme::Undiarized
    } else {
        for u in utterances {
            let label = if by_channel {
                format!("channel {}", text_of(u.get("channel")).unwrap_or_default())
            } else {
                format!("speaker {}", text_of(u.get("speaker")).unwrap_or_default())
            };
            let ms = |key: &str| number_of(u.get(key)).map(|v| v / 1000.0);
            let text = u.get("text").and_then(Value::as_str).unwrap_or("");
            turns.push(&label, None, text, (ms("start"), ms("end")), false);
        }
        if by_channel {
            Scheme::Channel { agent_label: format!("channel {}", ctx.speakers.agent_channel.assemblyai) }
        } else {
            Scheme::Anonymous
        }
    };
    let mut draft = Draft::new(call_id, scheme);
    draft.call.turns = turns.0;
    Ok(draft)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{decode, turns};
    use crate::ingest::vendor::roles::Rule;
    use crate::ingest::Mapped;
    use crate::model::Role;

    #[test]
    fn utterances_by_speaker_and_by_channel() {
        let json = r#"{"id":"aai-1","status":"completed","audio_url":"https://example.com/a.mp3","text":"...","utterances":[
            {"speaker":"A","text":"Hello?","start":100,"end":900},
            {"speaker":"B","text":"Thank you for calling, how can I help?","start":1000,"end":3000},
            {"speaker":"A","text":"My internet is down.","start":3500,"end":5000}]}"#;
        let (call, seen) = decode(json).unwrap();
        assert_eq!(call.call_id, "aai-1");
        assert_eq!(turns(&call)[2], ("speaker A".into(), Role::Customer, "My internet is down.".into()));
        assert_eq!(call.turns[1].start, Some(1.0));
        assert_eq!(seen.speakers, Mapped::Rule(Rule::Opener));
        let json = r#"{"id":"aai-2","audio_url":"u","text":"t","utterances":[
            {"speaker":"1","channel":"1","text":"Hello","start":0,"end":1},{"speaker":"2","channel":"2","text":"Hi","start":2,"end":3}]}"#;
        let (call, seen) = decode(json).unwrap();
        assert_eq!(turns(&call)[0].1, Role::Agent);
        assert_eq!(seen.speakers, Mapped::Rule(Rule::Channel));
    }

    #[test]
    fn an_errored_transcript_says_why() {
        let err =
            decode(r#"{"id":"x","status":"error","error":"audio too short","audio_url":"u","text":null}"#).unwrap_err();
        assert!(err.reason.contains("audio too short"), "{}", err.reason);
    }
}
