//! Genesys Cloud speech and text analytics transcripts (the JSON behind the transcript URL):
//! `transcripts[].phrases[]`, each phrase with `text` (and a punctuated `decoratedText`),
//! `startTimeMs` (milliseconds since the Unix epoch) and `participantPurpose`.
//!
//! Purposes `internal`, `agent`, `user`, `acd`, `ivr`, `bot`, `workflow` are the company's side;
//! `external` and `customer` the customer. Any other purpose goes to the anonymous rules. The call
//! id is `conversationId`, the start `conversationStartTime` (epoch milliseconds), else the first
//! phrase's; `mediaType` becomes metadata.

use serde_json::Value;

use super::roles::Scheme;
use super::{array, epoch_millis, number_of, text_of, Draft, Turns};
use crate::model::Role;

fn role_of(purpose: &str) -> Option<Role> {
    match purpose.to_ascii_lowercase().as_str() {
        "external" | "customer" => Some(Role::Customer),
        "internal" | "agent" | "user" | "acd" | "ivr" | "bot" | "workflow" => Some(Role::Agent),
        _ => None,
    }
}

/// Decodes a Genesys document.
pub(super) fn decode(doc: &Value, id: &str) -> Result<Draft, String> {
    let call_id = text_of(doc.get("conversationId")).unwrap_or_else(|| id.to_string());
    let mut phrases: Vec<&Value> = array(doc, &["transcripts"]).iter().flat_map(|t| array(t, &["phrases"])).collect();
    let start_of = |p: &Value| number_of(p.get("startTimeMs"));
    if phrases.iter().all(|p| start_of(p).is_some()) {
        // Several transcripts (one per communication) interleave in time.
        phrases.sort_by(|a, b| start_of(a).unwrap_or(0.0).total_cmp(&start_of(b).unwrap_or(0.0)));
    }
    let base = number_of(doc.get("conversationStartTime")).or_else(|| phrases.iter().find_map(|p| start_of(p)));
    let mut turns = Turns::default();
    for p in phrases {
        let purpose = text_of(p.get("participantPurpose")).unwrap_or_default();
        let text = [p.get("decoratedText"), p.get("text")].into_iter().find_map(text_of).unwrap_or_default();
        let start = start_of(p).zip(base).map(|(s, b)| (s - b) / 1000.0);
        let end =
            number_of(p.get("duration").and_then(|d| d.get("milliseconds"))).zip(start).map(|(d, s)| s + d / 1000.0);
        turns.push(&purpose, role_of(&purpose), &text, (start, end), false);
    }
    let mut draft = Draft::new(call_id, Scheme::Anonymous);
    draft.call.started_at = base.and_then(epoch_millis);
    if let Some(media) = text_of(doc.get("mediaType")) {
        draft.call.metadata.push(("mediaType".into(), media));
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
    fn phrases_by_purpose_sorted_in_time() {
        let json = r#"{"conversationId":"gen-1","conversationStartTime":1772449200000,"mediaType":"call","transcripts":[{"phrases":[
            {"text":"my parcel never arrived","decoratedText":"My parcel never arrived.","startTimeMs":1772449204000,"participantPurpose":"external"},
            {"text":"thanks for calling","startTimeMs":1772449201000,"duration":{"milliseconds":1500},"participantPurpose":"internal"}]}]}"#;
        let (call, seen) = decode(json).unwrap();
        assert_eq!(call.call_id, "gen-1");
        assert_eq!(call.started_at.as_deref(), Some("2026-03-02T11:00:00.000Z"));
        assert_eq!(
            turns(&call),
            [
                ("internal".into(), Role::Agent, "thanks for calling".into()),
                ("external".into(), Role::Customer, "My parcel never arrived.".into())
            ]
        );
        assert_eq!((call.turns[0].start, call.turns[0].end), (Some(1.0), Some(2.5)));
        assert_eq!(call.metadata, [("mediaType".to_string(), "call".to_string())]);
        assert_eq!(seen.speakers, Mapped::Rule(Rule::SourceRole));
    }
}
