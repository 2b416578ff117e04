//! Amazon Transcribe Call Analytics output (and Amazon Connect Contact Lens output, which shares
//! its shape): a top-level `Transcript` array of turns, each with `Content`, `BeginOffsetMillis`
//! and the speaker's `ParticipantRole` (`AGENT` / `CUSTOMER`), or a `ParticipantId` that the
//! `Participants` list maps to a role.
//!
//! The call id is `JobName`, else `CustomerMetadata.ContactId`, else the file stem.

use serde_json::Value;

use super::roles::Scheme;
use super::{array, at, number_of, text_of, Draft, Turns};
use crate::model::Role;

/// The role a participant role names: AGENT and CUSTOMER, and the company's other voices
/// (SYSTEM, CUSTOM_BOT, SUPERVISOR) on the agent's side.
fn role_of(role: &str) -> Option<Role> {
    match role.to_ascii_uppercase().as_str() {
        "CUSTOMER" => Some(Role::Customer),
        "AGENT" | "SYSTEM" | "CUSTOM_BOT" | "SUPERVISOR" => Some(Role::Agent),
        _ => None,
    }
}

/// Decodes a Call Analytics document.
pub(super) fn decode(doc: &Value, id: &str) -> Result<Draft, String> {
    let call_id = text_of(doc.get("JobName"))
        .or_else(|| text_of(at(doc, &["CustomerMetadata", "ContactId"])))
        .unwrap_or_else(|| id.to_string());
    let participants: Vec<(String, String)> = array(doc, &["Participants"])
        .iter()
        .filter_map(|p| Some((text_of(p.get("ParticipantId"))?, text_of(p.get("ParticipantRole"))?)))
        .collect();
    let mut turns = Turns::default();
    for t in array(doc, &["Transcript"]) {
        let label = text_of(t.get("ParticipantRole")).or_else(|| {
            let pid = text_of(t.get("ParticipantId"))?;
            Some(participants.iter().find(|p| p.0 == pid).map_or(pid, |p| p.1.clone()))
        });
        let label = label.unwrap_or_default();
        let ms = |key: &str| number_of(t.get(key)).map(|v| v / 1000.0);
        let text = t.get("Content").and_then(Value::as_str).unwrap_or("");
        turns.push(&label, role_of(&label), text, (ms("BeginOffsetMillis"), ms("EndOffsetMillis")), false);
    }
    let mut draft = Draft::new(call_id, Scheme::Anonymous);
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
    fn participant_roles_and_ids() {
        let json = r#"{"JobName":"ca-1","Participants":[{"ParticipantRole":"AGENT"},{"ParticipantRole":"CUSTOMER"}],
            "Transcript":[{"ParticipantRole":"AGENT","Content":"Hello.","BeginOffsetMillis":500,"EndOffsetMillis":1500},
                          {"ParticipantRole":"CUSTOMER","Content":"I was charged twice.","BeginOffsetMillis":2000}]}"#;
        let (call, seen) = decode(json).unwrap();
        assert_eq!(call.call_id, "ca-1");
        assert_eq!(turns(&call)[1], ("CUSTOMER".into(), Role::Customer, "I was charged twice.".into()));
        assert_eq!((call.turns[0].start, call.turns[0].end), (Some(0.5), Some(1.5)));
        assert_eq!(seen.format, "transcribe_call_analytics");
        assert_eq!(seen.speakers, Mapped::Rule(Rule::SourceRole));

        let contact_lens = r#"{"CustomerMetadata":{"ContactId":"ct-9"},
            "Participants":[{"ParticipantId":"p1","ParticipantRole":"AGENT"},{"ParticipantId":"p2","ParticipantRole":"CUSTOMER"}],
            "Transcript":[{"ParticipantId":"p1","Content":"Hi"},{"ParticipantId":"p2","Content":"Parcel never arrived"}]}"#;
        let (call, _) = decode(contact_lens).unwrap();
        assert_eq!(call.call_id, "ct-9");
        assert_eq!(turns(&call)[1].1, Role::Customer);
    }
}
