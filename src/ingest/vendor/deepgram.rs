//! Deepgram pre-recorded output: `results.utterances` (with `utterances=true`), each with a
//! `speaker` (with `diarize=true`) and a `channel`; or, without utterances, the words of
//! `results.channels[].alternatives[0]`, which carry `speaker` when diarized.
//!
//! Multichannel audio (more than one entry in `results.channels`) is mapped by channel
//! (`formats.agent_channel.deepgram`), a single diarized channel by speaker. Labels are
//! `channel N` and `speaker N`. The call id is `metadata.request_id`, `metadata.created` the
//! start, and `metadata.extra` (caller-supplied tags) becomes metadata.

use serde_json::Value;

use super::roles::Scheme;
use super::{array, at, metadata_from, number_of, text_of, Context, Draft, Turns};

/// Decodes a Deepgram document.
pub(super) fn decode(doc: &Value, id: &str, ctx: &Context) -> Result<Draft, String> {
    let call_id = text_of(at(doc, &["metadata", "request_id"])).unwrap_or_else(|| id.to_string());
    let channels = array(doc, &["results", "channels"]);
    let multichannel = channels.len() > 1;
    let channel_scheme = Scheme::Channel { agent_label: format!("channel {}", ctx.speakers.agent_channel.deepgram) };
    let utterances = array(doc, &["results", "utterances"]);
    let mut turns = Turns::default();
    let scheme = if !utterances.is_empty() {
        let diarized = utterances.iter().any(|u| u.get("speaker").is_some());
        for u in utterances {
            let label = if multichannel {
                format!("channel {}", text_of(u.get("channel")).unwrap_or_default())
            } else {
                text_of(u.get("speaker")).map(|s| format!("speaker {s}")).unwrap_or_default()
            };
            let text = u.get("transcript").and_then(Value::as_str).unwrap_or("");
            turns.push(&label, None, text, (number_of(u.get("start")), number_of(u.get("end"))), false);
        }
        match (multichannel, diarized) {
            (true, _) => channel_scheme,
            (false, true) => Scheme::Anonymous,
            (false, false) => Scheme::Undiarized,
        }
    } else if multichannel {
        let mut words: Vec<(f64, usize, String, &Value)> = Vec::new();
        for (c, channel) in channels.iter().enumerate() {
            let alt = at(channel, &["alternatives"]).and_then(|a| a.get(0)).unwrap_or(&Value::Null);
            let list = array(alt, &["words"]);
            if list.is_empty() {
                // No word timings: the channel's transcript as one turn, in channel order.
                words.push((f64::MAX, c, format!("channel {c}"), alt));
            }
            for w in list {
                words.push((number_of(w.get("start")).unwrap_or(0.0), c, format!("channel {c}"), w));
            }
        }
        words.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (_, _, label, w) in words {
            let text = word_text(w).or_else(|| w.get("transcript").and_then(Value::as_str)).unwrap_or("");
            turns.push(&label, None, text, (number_of(w.get("start")), number_of(w.get("end"))), false);
        }
        channel_scheme
    } else {
        let alt =
            channels.first().and_then(|c| at(c, &["alternatives"])).and_then(|a| a.get(0)).unwrap_or(&Value::Null);
        let words = array(alt, &["words"]);
        if words.iter().any(|w| w.get("speaker").is_some()) {
            for w in words {
                let label = format!("speaker {}", text_of(w.get("speaker")).unwrap_or_default());
                let span = (number_of(w.get("start")), number_of(w.get("end")));
                turns.push(&label, None, word_text(w).unwrap_or(""), span, false);
            }
            Scheme::Anonymous
        } else {
            let text = alt.get("transcript").and_then(Value::as_str).unwrap_or("");
            turns.push("", None, text, (None, None), false);
            Scheme::Undiarized
        }
    };
    let mut draft = Draft::new(call_id, scheme);
    draft.call.started_at = text_of(at(doc, &["metadata", "created"]));
    metadata_from(at(doc, &["metadata", "extra"]), "", &mut draft.call.metadata);
    draft.call.turns = turns.0;
    Ok(draft)
}

/// A word as written, punctuated when Deepgram punctuated it.
fn word_text(w: &Value) -> Option<&str> {
    w.get("punctuated_word").or_else(|| w.get("word")).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{decode, turns};
    use crate::ingest::vendor::roles::Rule;
    use crate::ingest::Mapped;
    use crate::model::Role;

    #[test]
    fn utterances_with_speakers() {
        let json = r#"{"metadata":{"request_id":"dg-1","created":"2026-03-02T10:00:00.000Z","channels":1,"extra":{"queue":"billing"}},
            "results":{"channels":[{"alternatives":[{"transcript":"..."}]}],"utterances":[
              {"start":0.1,"end":2.0,"channel":0,"speaker":1,"transcript":"Hi, I was charged twice."},
              {"start":2.5,"end":4.0,"channel":0,"speaker":0,"transcript":"Thanks for calling, let me check."}]}}"#;
        let (call, seen) = decode(json).unwrap();
        assert_eq!(call.call_id, "dg-1");
        assert_eq!(call.started_at.as_deref(), Some("2026-03-02T10:00:00.000Z"));
        assert_eq!(call.metadata, [("queue".to_string(), "billing".to_string())]);
        assert_eq!(turns(&call)[0], ("speaker 1".into(), Role::Customer, "Hi, I was charged twice.".into()));
        assert_eq!(seen.speakers, Mapped::Rule(Rule::Opener));
    }

    #[test]
    fn multichannel_words_are_merged_by_time() {
        let json = r#"{"metadata":{"channels":2},"results":{"channels":[
            {"alternatives":[{"transcript":"hello there","words":[{"word":"hello","start":0.0,"end":0.3},{"word":"there","punctuated_word":"there.","start":2.0,"end":2.2}]}]},
            {"alternatives":[{"transcript":"hi","words":[{"word":"hi","punctuated_word":"Hi!","start":1.0,"end":1.2}]}]}]}}"#;
        let (call, seen) = decode(json).unwrap();
        let t = turns(&call);
        assert_eq!(t.iter().map(|t| t.2.as_str()).collect::<Vec<_>>(), ["hello", "Hi!", "there."]);
        assert_eq!((t[0].1, t[1].1), (Role::Agent, Role::Customer));
        assert_eq!(seen.speakers, Mapped::Rule(Rule::Channel));
    }

    #[test]
    fn single_channel_words_with_speakers() {
        let json = r#"{"results":{"channels":[{"alternatives":[{"transcript":"a b","words":[
            {"word":"hello","start":0.0,"end":0.3,"speaker":0},{"word":"hi","start":1.0,"end":1.2,"speaker":1}]}]}]}}"#;
        let (call, seen) = decode(json).unwrap();
        assert_eq!(call.turns.len(), 2);
        assert_eq!(seen.speakers, Mapped::Rule(Rule::FirstSpeaker));
    }
}
