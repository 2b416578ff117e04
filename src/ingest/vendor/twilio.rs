//! Twilio Voice Intelligence (Conversational Intelligence) transcripts: the Sentences list
//! (`sentences[]` with `transcript`, `media_channel`, `start_time`, `end_time`), optionally with
//! the Transcript resource's fields beside it (`sid`, `customer_key`, `media_start_time`,
//! `channel.participants[]` with `channel_participant` and `role`).
//!
//! Participant roles, when given, decide; otherwise `media_channel`
//! `formats.agent_channel.twilio` (1, Twilio's own default: channel 1 is the agent) is the agent
//! and the other channel the customer. The call id is `sid` (else `transcript_sid`, else the file
//! stem); `customer_key` becomes metadata, ready for a `--join-on customer_key`.

use serde_json::Value;

use super::roles::Scheme;
use super::{array, at, number_of, text_of, Context, Draft, Turns};
use crate::model::Role;

fn role_of(role: &str) -> Option<Role> {
    match role.to_ascii_lowercase().as_str() {
        "customer" | "caller" | "end_user" => Some(Role::Customer),
        "agent" | "human_agent" | "ai_agent" | "bot" => Some(Role::Agent),
        _ => None,
    }
}

/// Decodes a Twilio document.
pub(super) fn decode(doc: &Value, id: &str, ctx: &Context) -> Result<Draft, String> {
    let call_id =
        text_of(doc.get("sid")).or_else(|| text_of(doc.get("transcript_sid"))).unwrap_or_else(|| id.to_string());
    let participants: Vec<(String, Role)> = array(doc, &["channel", "participants"])
        .iter()
        .filter_map(|p| Some((text_of(p.get("channel_participant"))?, role_of(&text_of(p.get("role"))?)?)))
        .collect();
    let mut turns = Turns::default();
    for s in array(doc, &["sentences"]) {
        let channel = text_of(s.get("media_channel").or_else(|| s.get("channel"))).unwrap_or_default();
        let role = participants.iter().find(|p| p.0 == channel).map(|p| p.1);
        let text = s.get("transcript").and_then(Value::as_str).unwrap_or("");
        let span = (number_of(s.get("start_time")), number_of(s.get("end_time")));
        turns.push(&format!("channel {channel}"), role, text, span, false);
    }
    let agent_label = format!("channel {}", ctx.speakers.agent_channel.twilio);
    let mut draft = Draft::new(call_id, Scheme::Channel { agent_label });
    draft.call.started_at = text_of(doc.get("media_start_time"));
    if let Some(key) = text_of(doc.get("customer_key")) {
        draft.call.metadata.push(("customer_key".into(), key));
    }
    if let Some(lang) = text_of(at(doc, &["language_code"])) {
        draft.call.metadata.push(("language_code".into(), lang));
    }
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
    fn sentences_by_channel_or_participant_role() {
        let json = r#"{"sid":"GT0001","customer_key":"C-7","sentences":[
            {"media_channel":1,"sentence_index":0,"start_time":"0.4","end_time":"2.1","transcript":"Hello, how can I help?"},
            {"media_channel":2,"sentence_index":1,"start_time":"2.5","end_time":"4.0","transcript":"My internet is down."}]}"#;
        let (call, seen) = decode(json).unwrap();
        assert_eq!(call.call_id, "GT0001");
        assert_eq!(call.metadata, [("customer_key".to_string(), "C-7".to_string())]);
        assert_eq!((turns(&call)[0].1, turns(&call)[1].1), (Role::Agent, Role::Customer));
        assert_eq!(call.turns[1].start, Some(2.5));
        assert_eq!(seen.speakers, Mapped::Rule(Rule::Channel));

        let swapped = r#"{"channel":{"participants":[{"channel_participant":1,"role":"Customer"},{"channel_participant":2,"role":"Agent"}]},
            "sentences":[{"media_channel":1,"transcript":"Hi"},{"media_channel":2,"transcript":"Hello"}]}"#;
        let (call, seen) = decode(swapped).unwrap();
        assert_eq!(turns(&call)[0].1, Role::Customer);
        assert_eq!(seen.speakers, Mapped::Rule(Rule::SourceRole));
    }
}
