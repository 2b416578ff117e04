//! `[[formats.json]]`: any other JSON transcript, through a small mapping in the config.
//!
//! A mapping says which path identifies the format, where the array of turns is, which fields of
//! a turn hold the speaker and the text, and which speaker values mean the customer or the
//! agent. Paths are dotted object keys (`conversation.messages`, `from.role`). The config checks
//! the mapping once ([`JsonMapping::new`] lists every problem); decoding is then a few lookups.

use std::collections::BTreeSet;

use serde_json::Value;

use super::roles::{LabelRole, Rule, Scheme};
use super::{at, metadata_from, number_of, text_of, Draft, Turns};
use crate::model::Role;

/// A checked `[[formats.json]]` mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonMapping {
    /// The format's name in the manifest.
    pub name: String,
    /// A path whose presence identifies the format.
    pub detect: Vec<String>,
    /// The array of turns.
    pub turns: Vec<String>,
    /// The speaker, within a turn.
    pub speaker: Vec<String>,
    /// The text, within a turn.
    pub text: Vec<String>,
    /// The call id (default: the file stem).
    pub call_id: Option<Vec<String>>,
    /// When the call started.
    pub started_at: Option<Vec<String>>,
    /// A turn's start offset in seconds, within a turn.
    pub start: Option<Vec<String>>,
    /// An object flattened into the call's metadata.
    pub metadata: Option<Vec<String>>,
    /// Lowercase speaker values that mean the customer.
    pub customer: BTreeSet<String>,
    /// Lowercase speaker values that mean the agent; when empty, every other value is the agent.
    pub agent: BTreeSet<String>,
}

/// The user's words for a mapping, before checking (see `config::JsonMappingFile`).
#[derive(Debug, Clone, Default)]
pub struct MappingSpec {
    /// `name`.
    pub name: String,
    /// `detect`.
    pub detect: String,
    /// `turns`.
    pub turns: String,
    /// `speaker`.
    pub speaker: String,
    /// `text`.
    pub text: String,
    /// `call_id`.
    pub call_id: Option<String>,
    /// `started_at`.
    pub started_at: Option<String>,
    /// `start`.
    pub start: Option<String>,
    /// `metadata`.
    pub metadata: Option<String>,
    /// `customer`.
    pub customer: Vec<String>,
    /// `agent`.
    pub agent: Vec<String>,
}

fn split(path: &str) -> Option<Vec<String>> {
    let parts: Vec<String> = path.trim().split('.').map(|p| p.trim().to_string()).collect();
    (!parts.iter().any(String::is_empty)).then_some(parts)
}

impl JsonMapping {
    /// Checks a mapping; every problem is pushed, prefixed with `where_`.
    pub fn new(spec: MappingSpec, where_: &str, problems: &mut Vec<String>) -> Option<JsonMapping> {
        let before = problems.len();
        let mut path = |key: &str, value: &str| -> Vec<String> {
            split(value).unwrap_or_else(|| {
                problems.push(if value.trim().is_empty() {
                    format!("{where_}: {key} is missing")
                } else {
                    format!("{where_}: {key} = {value:?} is not a dotted path of keys")
                });
                Vec::new()
            })
        };
        let detect = path("detect", &spec.detect);
        let turns = path("turns", &spec.turns);
        let speaker = path("speaker", &spec.speaker);
        let text = path("text", &spec.text);
        let mut optional = |key: &str, value: &Option<String>| value.as_deref().map(|v| path(key, v));
        let call_id = optional("call_id", &spec.call_id);
        let started_at = optional("started_at", &spec.started_at);
        let start = optional("start", &spec.start);
        let metadata = optional("metadata", &spec.metadata);
        let lower = |v: Vec<String>| -> BTreeSet<String> { v.into_iter().map(|s| s.trim().to_lowercase()).collect() };
        let (customer, agent) = (lower(spec.customer), lower(spec.agent));
        if customer.is_empty() {
            problems.push(format!("{where_}: customer must list the speaker values that mean the customer"));
        }
        for both in customer.intersection(&agent) {
            problems.push(format!("{where_}: {both:?} is listed as both customer and agent"));
        }
        let name = spec.name.trim().to_string();
        let name_ok = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
        if !name_ok {
            problems.push(format!("{where_}: name = {name:?} must be letters, digits, '_', '-' or '.'"));
        } else if super::detect::BUILTIN.contains(&name.to_ascii_lowercase().as_str()) {
            problems.push(format!("{where_}: name = {name:?} is a built-in format's name"));
        }
        (problems.len() == before).then_some(JsonMapping {
            name,
            detect,
            turns,
            speaker,
            text,
            call_id,
            started_at,
            start,
            metadata,
            customer,
            agent,
        })
    }

    /// Whether the document has the `detect` path.
    pub fn detects(&self, doc: &Value) -> bool {
        at(doc, &refs(&self.detect)).is_some()
    }
}

fn refs(path: &[String]) -> Vec<&str> {
    path.iter().map(String::as_str).collect()
}

/// Decodes a document with a mapping.
pub(super) fn decode(m: &JsonMapping, doc: &Value, id: &str, labels: &LabelRole) -> Result<Draft, String> {
    let get = |v: &'_ Value, p: &Option<Vec<String>>| p.as_ref().and_then(|p| at(v, &refs(p)).cloned());
    let call_id = text_of(get(doc, &m.call_id).as_ref()).unwrap_or_else(|| id.to_string());
    let mut draft = Draft::new(call_id, Scheme::Anonymous);
    draft.preset = Rule::Mapping;
    draft.call.started_at = text_of(get(doc, &m.started_at).as_ref());
    metadata_from(get(doc, &m.metadata).as_ref(), "", &mut draft.call.metadata);
    let turns = at(doc, &refs(&m.turns))
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{}: turns path {:?} is not an array", m.name, m.turns.join(".")))?;
    let mut out = Turns::default();
    for turn in turns {
        let speaker = text_of(at(turn, &refs(&m.speaker))).unwrap_or_default();
        let text = text_of(at(turn, &refs(&m.text))).unwrap_or_default();
        let lower = speaker.to_lowercase();
        let role = if m.customer.contains(&lower) {
            Role::Customer
        } else if m.agent.contains(&lower) || m.agent.is_empty() {
            Role::Agent
        } else {
            labels(&speaker)
        };
        let start = m.start.as_ref().and_then(|p| number_of(at(turn, &refs(p))));
        out.push(&speaker, Some(role), &text, (start, None), false);
    }
    draft.call.turns = out.0;
    Ok(draft)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{decode_with, turns};
    use super::*;

    fn acme() -> JsonMapping {
        let spec = MappingSpec {
            name: "acme".into(),
            detect: "conversation.messages".into(),
            turns: "conversation.messages".into(),
            speaker: "from.role".into(),
            text: "body".into(),
            call_id: Some("conversation.id".into()),
            started_at: Some("conversation.created".into()),
            metadata: Some("conversation.account".into()),
            customer: vec!["Client".into()],
            agent: vec!["rep".into(), "bot".into()],
            ..MappingSpec::default()
        };
        JsonMapping::new(spec, "formats.json[0]", &mut Vec::new()).unwrap()
    }

    #[test]
    fn maps_speakers_by_value() {
        let json = r#"{"conversation":{"id":"A-1","created":"2026-03-02T10:00:00Z","account":{"customer_id":"C-9"},
            "messages":[{"from":{"role":"bot"},"body":"Hi!"},{"from":{"role":"client"},"body":"I was charged twice."},
                        {"from":{"role":"supervisor"},"body":"Noted."}]}}"#;
        let (call, seen) = decode_with(json, &Default::default(), &[acme()]).unwrap();
        assert_eq!(seen.format, "acme");
        assert_eq!(call.call_id, "A-1");
        assert_eq!(call.started_at.as_deref(), Some("2026-03-02T10:00:00Z"));
        assert_eq!(call.metadata, [("customer_id".to_string(), "C-9".to_string())]);
        let roles: Vec<Role> = turns(&call).into_iter().map(|t| t.1).collect();
        assert_eq!(roles, [Role::Agent, Role::Customer, Role::Unknown], "unlisted values go to the [speakers] labels");
        assert_eq!(seen.speakers, crate::ingest::Mapped::Rule(Rule::Mapping));
    }

    #[test]
    fn every_problem_of_a_mapping_is_listed() {
        let spec =
            MappingSpec { name: "whisper".into(), detect: "a..b".into(), turns: "t".into(), ..MappingSpec::default() };
        let mut problems = Vec::new();
        assert!(JsonMapping::new(spec, "formats.json[1]", &mut problems).is_none());
        let all = problems.join("\n");
        for expect in
            ["detect = \"a..b\"", "speaker is missing", "text is missing", "customer must list", "built-in format"]
        {
            assert!(all.contains(expect), "{expect:?} missing from\n{all}");
        }
    }
}
