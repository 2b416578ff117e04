//! Amazon Transcribe batch output: `results.items` (words and punctuation) to be rebuilt into
//! turns, with speakers from `speaker_labels` or channels from `channel_labels`.
//!
//! Items carry their `speaker_label` / `channel_label` in current output; older output only has
//! them in `results.speaker_labels.segments` (time ranges) or `results.channel_labels.channels`
//! (items per channel), so both are read. Punctuation items have no time and belong to the word
//! before them. Offsets are strings of seconds (`"0.44"`). The call id is `jobName`, else the
//! file stem.

use serde_json::Value;

use super::roles::Scheme;
use super::{array, at, number_of, text_of, Context, Draft, Turns};

/// One item: its speaker or channel, its text, its start, and whether it is punctuation.
struct Item<'a> {
    label: String,
    content: &'a str,
    start: Option<f64>,
    end: Option<f64>,
    punctuation: bool,
}

fn item<'a>(v: &'a Value, label: String) -> Option<Item<'a>> {
    let content = at(v, &["alternatives"])?.get(0)?.get("content")?.as_str()?;
    Some(Item {
        label,
        content,
        start: number_of(v.get("start_time")),
        end: number_of(v.get("end_time")),
        punctuation: v.get("type").and_then(Value::as_str) == Some("punctuation"),
    })
}

/// Decodes a Transcribe document.
pub(super) fn decode(doc: &Value, id: &str, ctx: &Context) -> Result<Draft, String> {
    let call_id = text_of(doc.get("jobName")).unwrap_or_else(|| id.to_string());
    let results = doc.get("results").unwrap_or(&Value::Null);
    let items = array(results, &["items"]);
    let channels = array(results, &["channel_labels", "channels"]);
    let label_of = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    let by_channel_items = items.iter().any(|i| i.get("channel_label").is_some());
    let (scheme, pieces): (Scheme, Vec<Item>) = if by_channel_items || !channels.is_empty() {
        let agent_label = format!("ch_{}", ctx.speakers.agent_channel.transcribe);
        let pieces = if by_channel_items {
            items.iter().filter_map(|i| item(i, label_of(i, "channel_label").unwrap_or_default())).collect()
        } else {
            by_channel(channels)
        };
        (Scheme::Channel { agent_label }, pieces)
    } else if items.iter().any(|i| i.get("speaker_label").is_some()) {
        let mut last = String::new();
        let pieces = items
            .iter()
            .filter_map(|i| {
                last = label_of(i, "speaker_label").unwrap_or_else(|| last.clone());
                item(i, last.clone())
            })
            .collect();
        (Scheme::Anonymous, pieces)
    } else if let Some(segments) = at(results, &["speaker_labels", "segments"]).and_then(Value::as_array) {
        (Scheme::Anonymous, by_segment(items, segments))
    } else {
        (Scheme::Undiarized, items.iter().filter_map(|i| item(i, String::new())).collect())
    };
    let mut turns = Turns::default();
    for p in &pieces {
        turns.push(&p.label, None, p.content, (p.start, p.end), p.punctuation);
    }
    let mut draft = Draft::new(call_id, scheme);
    draft.call.turns = turns.0;
    Ok(draft)
}

/// Older channel output: items listed per channel, merged here by start time (punctuation keeps
/// the place of the word before it).
fn by_channel(channels: &[Value]) -> Vec<Item<'_>> {
    let mut keyed: Vec<(f64, usize, usize, Item)> = Vec::new();
    for (c, channel) in channels.iter().enumerate() {
        let label = text_of(channel.get("channel_label")).unwrap_or_else(|| format!("ch_{c}"));
        let mut at_time = 0.0;
        for (seq, v) in array(channel, &["items"]).iter().enumerate() {
            if let Some(it) = item(v, label.clone()) {
                at_time = it.start.unwrap_or(at_time);
                keyed.push((at_time, c, seq, it));
            }
        }
    }
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    keyed.into_iter().map(|k| k.3).collect()
}

/// Older speaker output: a word belongs to the segment its start falls in; punctuation to the
/// word before it.
fn by_segment<'a>(items: &'a [Value], segments: &[Value]) -> Vec<Item<'a>> {
    let ranges: Vec<(f64, f64, String)> = segments
        .iter()
        .filter_map(|s| {
            let (a, b) = (number_of(s.get("start_time"))?, number_of(s.get("end_time"))?);
            Some((a, b, text_of(s.get("speaker_label"))?))
        })
        .collect();
    let mut last = String::new();
    items
        .iter()
        .filter_map(|v| {
            if let Some(t) = number_of(v.get("start_time")) {
                if let Some(r) = ranges.iter().find(|r| t >= r.0 - 1e-6 && t <= r.1 + 1e-6) {
                    last = r.2.clone();
                }
            }
            item(v, last.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{decode, decode_with, turns};
    use crate::ingest::vendor::roles::{Rule, SpeakerOptions};
    use crate::ingest::Mapped;
    use crate::model::Role;

    fn word(w: &str, t: f64, label: (&str, &str)) -> String {
        format!(
            r#"{{"start_time":"{t}","end_time":"{}","alternatives":[{{"confidence":"0.99","content":"{w}"}}],"type":"pronunciation","{}":"{}"}}"#,
            t + 0.3,
            label.0,
            label.1
        )
    }

    fn punct(p: &str, label: (&str, &str)) -> String {
        format!(
            r#"{{"alternatives":[{{"confidence":"0.0","content":"{p}"}}],"type":"punctuation","{}":"{}"}}"#,
            label.0, label.1
        )
    }

    #[test]
    fn rebuilds_turns_from_speaker_labelled_items() {
        let s0 = ("speaker_label", "spk_0");
        let s1 = ("speaker_label", "spk_1");
        let items = [
            word("Thanks", 0.1, s0),
            word("for", 0.4, s0),
            word("calling", 0.7, s0),
            punct(".", s0),
            word("Charged", 1.5, s1),
            word("twice", 1.8, s1),
            punct("!", s1),
        ];
        let json = format!(r#"{{"jobName":"job-1","results":{{"transcripts":[],"items":[{}]}}}}"#, items.join(","));
        let (call, seen) = decode(&json).unwrap();
        assert_eq!(call.call_id, "job-1");
        assert_eq!(
            turns(&call),
            [
                ("spk_0".into(), Role::Agent, "Thanks for calling.".into()),
                ("spk_1".into(), Role::Customer, "Charged twice!".into())
            ]
        );
        assert_eq!(call.turns[1].start, Some(1.5));
        assert_eq!(seen.speakers, Mapped::Rule(Rule::Opener));
    }

    #[test]
    fn channels_map_by_the_configured_agent_channel() {
        let c0 = ("channel_label", "ch_0");
        let c1 = ("channel_label", "ch_1");
        let items = [word("hello", 0.0, c0), word("hi", 1.0, c1), word("there", 1.3, c1)];
        let json = format!(
            r#"{{"results":{{"channel_labels":{{"channels":[],"number_of_channels":2}},"items":[{}]}}}}"#,
            items.join(",")
        );
        let (call, seen) = decode(&json).unwrap();
        assert_eq!(call.call_id, "stem", "no jobName: the file stem");
        assert_eq!(turns(&call)[0].1, Role::Agent);
        assert_eq!(seen.speakers, Mapped::Rule(Rule::Channel));
        let mut options = SpeakerOptions::default();
        options.agent_channel.transcribe = 1;
        let (call, _) = decode_with(&json, &options, &[]).unwrap();
        assert_eq!((turns(&call)[0].1, turns(&call)[1].1), (Role::Customer, Role::Agent));
    }

    #[test]
    fn older_output_with_items_per_channel_or_segments() {
        let plain = |w: &str, t: f64| word(w, t, ("x", "y"));
        let json = format!(
            r#"{{"results":{{"items":[],"channel_labels":{{"channels":[
                {{"channel_label":"ch_1","items":[{},{}]}},
                {{"channel_label":"ch_0","items":[{}]}}]}}}}}}"#,
            plain("late", 2.0),
            punct(".", ("x", "y")),
            plain("early", 1.0)
        );
        let (call, _) = decode(&json).unwrap();
        assert_eq!(
            turns(&call),
            [("ch_0".into(), Role::Agent, "early".into()), ("ch_1".into(), Role::Customer, "late.".into())]
        );
        let json = format!(
            r#"{{"results":{{"items":[{},{}],"speaker_labels":{{"speakers":2,"segments":[
                {{"start_time":"0.0","end_time":"0.9","speaker_label":"spk_0"}},{{"start_time":"1.0","end_time":"2.0","speaker_label":"spk_1"}}]}}}}}}"#,
            plain("hello", 0.1),
            plain("hi", 1.2)
        );
        let (call, _) = decode(&json).unwrap();
        assert_eq!(call.turns.len(), 2);
        assert_eq!(call.turns[1].speaker, "spk_1");
    }

    #[test]
    fn no_speakers_is_undiarized() {
        let json = format!(r#"{{"results":{{"items":[{}]}}}}"#, word("hello", 0.0, ("x", "y")));
        let err = decode(&json).unwrap_err();
        assert!(err.reason.contains("transcribe: no speaker or channel labels"), "{}", err.reason);
        assert_eq!(err.seen.unwrap().speakers, Mapped::NoCustomer);
    }
}
