//! Google Contact Center AI Insights: the Conversation resource (`transcript.transcriptSegments`)
//! and the chat transcript files Insights imports (`entries`).
//!
//! A conversation segment names its speaker with `segmentParticipant.role` (`HUMAN_AGENT`,
//! `AUTOMATED_AGENT`, `ANY_AGENT`, `END_USER`) and its audio channel with `channelTag`; segments
//! without a role are mapped by channel, the agent's being `callMetadata.agentChannel` (else the
//! other one of `callMetadata.customerChannel`, else `formats.agent_channel.ccai`). The call id is
//! the last part of `name`, the start `startTime`, and `labels`, `agentId` and `medium` become
//! metadata. A chat entry has `role` (`AGENT`, `AUTOMATED_AGENT`, `CUSTOMER`, `END_USER`), `text`,
//! `user_id` and `start_timestamp_usec` (microseconds since the Unix epoch).

use serde_json::Value;

use super::roles::Scheme;
use super::{array, at, epoch_millis, metadata_from, number_of, text_of, Context, Draft, Turns};
use crate::model::Role;

/// The role a CCAI participant role names.
fn role_of(role: &str) -> Option<Role> {
    match role.to_ascii_uppercase().as_str() {
        "END_USER" | "CUSTOMER" => Some(Role::Customer),
        "HUMAN_AGENT" | "AUTOMATED_AGENT" | "ANY_AGENT" | "AGENT" => Some(Role::Agent),
        _ => None,
    }
}

/// Decodes a CCAI Insights conversation.
pub(super) fn decode_conversation(doc: &Value, id: &str, ctx: &Context) -> Result<Draft, String> {
    let call_id = text_of(doc.get("name"))
        .and_then(|n| n.rsplit('/').next().map(str::to_string))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| id.to_string());
    let channel = |key: &str| number_of(at(doc, &["callMetadata", key])).map(|c| c as u32);
    let agent = channel("agentChannel")
        .or_else(|| channel("customerChannel").map(|c| if c == 1 { 2 } else { 1 }))
        .unwrap_or(ctx.speakers.agent_channel.ccai);
    let mut turns = Turns::default();
    for s in array(doc, &["transcript", "transcriptSegments"]) {
        let role = text_of(at(s, &["segmentParticipant", "role"]));
        let preset = role.as_deref().and_then(role_of);
        let label = match (preset, text_of(s.get("channelTag"))) {
            (Some(_), _) => role.unwrap_or_default(),
            (None, Some(tag)) => format!("channel {tag}"),
            (None, None) => text_of(at(s, &["segmentParticipant", "userId"])).unwrap_or_default(),
        };
        let words = array(s, &["words"]);
        let start = words.first().and_then(|w| number_of(w.get("startOffset")));
        let end = words.last().and_then(|w| number_of(w.get("endOffset")));
        turns.push(&label, preset, s.get("text").and_then(Value::as_str).unwrap_or(""), (start, end), false);
    }
    let scheme = if turns.0.iter().any(|t| t.role.is_none() && t.speaker.starts_with("channel ")) {
        Scheme::Channel { agent_label: format!("channel {agent}") }
    } else {
        Scheme::Anonymous
    };
    let mut draft = Draft::new(call_id, scheme);
    draft.call.started_at = text_of(doc.get("startTime"));
    metadata_from(doc.get("labels"), "", &mut draft.call.metadata);
    for key in ["agentId", "medium"] {
        if let Some(v) = text_of(doc.get(key)) {
            draft.call.metadata.push((key.to_string(), v));
        }
    }
    draft.call.turns = turns.0;
    Ok(draft)
}

/// Decodes a CCAI chat transcript.
pub(super) fn decode_chat(doc: &Value, id: &str) -> Result<Draft, String> {
    let entries = array(doc, &["entries"]);
    let usec = |e: &Value| number_of(e.get("start_timestamp_usec"));
    let first = entries.iter().filter_map(usec).reduce(f64::min);
    let mut turns = Turns::default();
    for e in entries {
        let role = text_of(e.get("role"));
        let preset = role.as_deref().and_then(role_of);
        let label = match (preset, text_of(e.get("user_id"))) {
            (Some(_), _) | (None, None) => role.unwrap_or_default(),
            (None, Some(user)) => format!("user {user}"),
        };
        let start = usec(e).zip(first).map(|(t, f)| (t - f) / 1e6);
        turns.push(&label, preset, e.get("text").and_then(Value::as_str).unwrap_or(""), (start, None), false);
    }
    let mut draft = Draft::new(id.to_string(), Scheme::Anonymous);
    // Chat files in the wild also use small relative values; only real epoch times give a date.
    draft.call.started_at = first.filter(|f| *f >= 1e15).and_then(|f| epoch_millis(f / 1000.0));
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
    fn conversation_segments_by_role_or_channel() {
        let json = r#"{"name":"projects/p/locations/us-central1/conversations/conv-42","startTime":"2026-03-02T11:00:00Z",
            "labels":{"queue":"billing"},"agentId":"agent-7","medium":"PHONE_CALL",
            "transcript":{"transcriptSegments":[
              {"text":"Thanks for calling.","channelTag":2,"segmentParticipant":{"role":"HUMAN_AGENT"},
               "words":[{"word":"Thanks","startOffset":"0.500s","endOffset":"0.900s"}]},
              {"text":"I was charged twice.","channelTag":1,"segmentParticipant":{"role":"END_USER"}}]}}"#;
        let (call, seen) = decode(json).unwrap();
        assert_eq!(call.call_id, "conv-42");
        assert_eq!(call.started_at.as_deref(), Some("2026-03-02T11:00:00Z"));
        assert!(call.metadata.contains(&("queue".into(), "billing".into())));
        assert!(call.metadata.contains(&("medium".into(), "PHONE_CALL".into())));
        assert_eq!(call.turns[0].start, Some(0.5));
        assert_eq!(turns(&call)[1].1, Role::Customer);
        assert_eq!(seen.speakers, Mapped::Rule(Rule::SourceRole));

        let by_channel = r#"{"callMetadata":{"customerChannel":2},"transcript":{"transcriptSegments":[
              {"text":"Hello","channelTag":1},{"text":"Hi, my parcel never arrived","channelTag":2}]}}"#;
        let (call, seen) = decode(by_channel).unwrap();
        assert_eq!((turns(&call)[0].1, turns(&call)[1].1), (Role::Agent, Role::Customer));
        assert_eq!(seen.speakers, Mapped::Rule(Rule::Channel));
    }

    #[test]
    fn chat_entries_with_roles_and_epoch_times() {
        let json = r#"{"conversation_info":{"categories":[{"display_name":"Billing"}]},"entries":[
            {"start_timestamp_usec":1772449200000000,"text":"Hello, how can I help?","role":"AGENT","user_id":2},
            {"start_timestamp_usec":1772449205000000,"text":"I was charged twice","role":"CUSTOMER","user_id":1}]}"#;
        let (call, seen) = decode(json).unwrap();
        assert_eq!(seen.format, "ccai_chat");
        assert_eq!(call.call_id, "stem");
        assert_eq!(call.started_at.as_deref(), Some("2026-03-02T11:00:00.000Z"));
        assert_eq!(call.turns[1].start, Some(5.0));
        assert_eq!(turns(&call)[1].1, Role::Customer);
    }
}
