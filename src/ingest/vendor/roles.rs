//! Who is the customer: deciding the role of every turn of a vendor transcript, and saying which
//! rule decided it.
//!
//! Vendors say who is talking in three ways, and each gets its own rule:
//! - a **participant role** (`AGENT`/`CUSTOMER`, `HUMAN_AGENT`/`END_USER`, `internal`/`external`):
//!   the decoder sets `Turn::role` itself ([`Rule::SourceRole`]);
//! - an **audio channel** (stereo recordings, one party per channel): the agent's channel comes
//!   from `formats.agent_channel` and every other channel is the customer ([`Rule::Channel`]);
//! - **anonymous diarization** (`spk_0`, `speaker 1`, `SPEAKER_00`, subtitle names): first the
//!   `[speakers]` labels of the config ([`Rule::Label`]), then the speaker who opens like an agent
//!   ("thank you for calling", "how can I help") is the agent ([`Rule::Opener`]), else the first
//!   speaker is (`formats.first_speaker`, [`Rule::FirstSpeaker`]); every other speaker is the
//!   customer.
//!
//! The rule travels with the call to the manifest, so an analyst can see how much of the night
//! rests on a heuristic.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Role, Turn};

/// Phrases that mark the company's side when they open a call, matched case-insensitively.
pub const DEFAULT_AGENT_OPENERS: &[&str] = &[
    "thank you for calling",
    "thanks for calling",
    "thank you for contacting",
    "thanks for contacting",
    "thank you for holding",
    "how can i help",
    "how may i help",
    "how can i assist",
    "how may i assist",
    "what can i do for you",
    "you're through to",
    "you are through to",
    "you've reached",
    "you have reached",
    "this call may be recorded",
    "this call is being recorded",
];

/// How many turns from the start of a call are searched for an agent opener.
const OPENER_TURNS: usize = 6;

/// Which rule decided the roles of a call's turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// The source names each participant's role.
    SourceRole,
    /// One party per audio channel; `formats.agent_channel` says which is the agent.
    Channel,
    /// The `[speakers]` labels of the config named at least one speaker.
    Label,
    /// The speaker who said an agent opener is the agent.
    Opener,
    /// No opener: the first speaker is the agent (or the customer, per `formats.first_speaker`).
    FirstSpeaker,
    /// A `[[formats.json]]` mapping's `customer` / `agent` values.
    Mapping,
    /// No speakers at all, and `formats.undiarized = "customer"`: all of it is the customer's.
    Undiarized,
}

impl Rule {
    /// The name used in the manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::SourceRole => "source_role",
            Rule::Channel => "channel",
            Rule::Label => "label",
            Rule::Opener => "opener",
            Rule::FirstSpeaker => "first_speaker",
            Rule::Mapping => "mapping",
            Rule::Undiarized => "undiarized",
        }
    }
}

/// What to do with a transcript that has no speakers at all (plain Whisper, an undiarized job).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undiarized {
    /// Reject it: agent and customer cannot be told apart (default).
    Reject,
    /// Treat all of it as the customer's (voicemail, a feedback line).
    Customer,
}

/// The speaker-mapping settings of `[formats]`, checked.
#[derive(Debug, Clone)]
pub struct SpeakerOptions {
    /// Transcripts without speakers.
    pub undiarized: Undiarized,
    /// Role of the first speaker of an anonymous call without an opener.
    pub first_speaker: Role,
    /// Lowercase agent openers.
    pub openers: Vec<String>,
    /// The agent's channel per vendor.
    pub agent_channel: AgentChannels,
}

impl Default for SpeakerOptions {
    fn default() -> Self {
        SpeakerOptions {
            undiarized: Undiarized::Reject,
            first_speaker: Role::Agent,
            openers: DEFAULT_AGENT_OPENERS.iter().map(|s| s.to_string()).collect(),
            agent_channel: AgentChannels::default(),
        }
    }
}

/// Which audio channel carries the agent, per vendor (the vendor's own channel numbering).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentChannels {
    /// Amazon Transcribe `ch_N` (0-based); default 0.
    pub transcribe: u32,
    /// Deepgram `channel` index (0-based); default 0.
    pub deepgram: u32,
    /// AssemblyAI `channel` (1-based); default 1.
    pub assemblyai: u32,
    /// Twilio `media_channel` (1-based); default 1, Twilio's own default.
    pub twilio: u32,
    /// Google CCAI `channelTag` (1-based); default 2, Google's `callMetadata.agentChannel` example.
    pub ccai: u32,
}

impl Default for AgentChannels {
    fn default() -> Self {
        AgentChannels { transcribe: 0, deepgram: 0, assemblyai: 1, twilio: 1, ccai: 2 }
    }
}

/// Looks a speaker label up in the config's `[speakers]` labels (injected by the app, so that
/// ingest does not depend on normalize).
pub type LabelRole = dyn Fn(&str) -> Role + Send + Sync;

/// How the turns whose role the source did not set are to be decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    /// Turns labelled `agent_label` are the agent's, every other label the customer's.
    Channel {
        /// The agent channel's label as the decoder wrote it.
        agent_label: String,
    },
    /// Anonymous diarization.
    Anonymous,
    /// No speakers at all.
    Undiarized,
}

/// Decides the role of every turn whose role is not set yet, and returns the rule that did it.
/// Fails, with the reason, when no turn ends up as the customer's.
pub fn resolve(
    turns: &mut [Turn],
    scheme: &Scheme,
    options: &SpeakerOptions,
    labels: &LabelRole,
) -> Result<Rule, String> {
    let open = turns.iter().any(|t| t.role.is_none());
    let rule = if !open {
        Rule::SourceRole
    } else {
        match scheme {
            Scheme::Channel { agent_label } => {
                for t in turns.iter_mut().filter(|t| t.role.is_none()) {
                    t.role = Some(if &t.speaker == agent_label { Role::Agent } else { Role::Customer });
                }
                Rule::Channel
            }
            Scheme::Undiarized => match options.undiarized {
                Undiarized::Reject => {
                    return Err("no speaker or channel labels: agent and customer cannot be told apart \
                                (diarize the audio, or set formats.undiarized = \"customer\")"
                        .into())
                }
                Undiarized::Customer => {
                    for t in turns.iter_mut() {
                        t.role = Some(Role::Customer);
                    }
                    Rule::Undiarized
                }
            },
            Scheme::Anonymous => anonymous(turns, options, labels)?,
        }
    };
    if turns.iter().any(|t| t.role == Some(Role::Customer)) {
        Ok(rule)
    } else {
        let mut speakers: Vec<&str> = turns.iter().map(|t| &*t.speaker).collect();
        speakers.sort_unstable();
        speakers.dedup();
        Err(format!(
            "no customer found by rule {} (speakers: {}); map labels in [speakers] or formats.agent_channel",
            rule.as_str(),
            speakers.join(", ")
        ))
    }
}

/// Anonymous diarization: labels, then openers, then the first speaker.
fn anonymous(turns: &mut [Turn], options: &SpeakerOptions, labels: &LabelRole) -> Result<Rule, String> {
    let mut order: Vec<String> = Vec::new();
    for t in turns.iter().filter(|t| t.role.is_none()) {
        if !order.iter().any(|o| *o == t.speaker) {
            order.push(t.speaker.to_string());
        }
    }
    let named: Vec<Role> = order.iter().map(|l| labels(l)).collect();
    let has = |r: Role| named.contains(&r);
    if has(Role::Customer) || has(Role::Agent) {
        // A named side makes the unnamed speakers the other side; with both named, they stay unknown.
        let rest = match (has(Role::Customer), has(Role::Agent)) {
            (true, false) => Role::Agent,
            (false, true) => Role::Customer,
            _ => Role::Unknown,
        };
        assign(turns, |label| {
            let i = order.iter().position(|l| l == label).unwrap_or(0);
            if named[i] == Role::Unknown {
                rest
            } else {
                named[i]
            }
        });
        return Ok(Rule::Label);
    }
    if order.len() < 2 {
        let only = order.first().map_or("none", String::as_str);
        return Err(format!(
            "only one speaker ({only}) in a diarized transcript: agent and customer cannot be told apart"
        ));
    }
    let opener = turns.iter().filter(|t| t.role.is_none()).take(OPENER_TURNS).find(|t| says_opener(&t.text, options));
    if let Some(agent) = opener.map(|t| t.speaker.clone()) {
        assign(turns, |label| if label == agent { Role::Agent } else { Role::Customer });
        return Ok(Rule::Opener);
    }
    let first = order[0].clone();
    let other = if options.first_speaker == Role::Customer { Role::Agent } else { Role::Customer };
    assign(turns, |label| if label == first { options.first_speaker } else { other });
    Ok(Rule::FirstSpeaker)
}

fn assign(turns: &mut [Turn], role_of: impl Fn(&str) -> Role) {
    for t in turns.iter_mut().filter(|t| t.role.is_none()) {
        t.role = Some(role_of(&t.speaker));
    }
}

/// Whether a turn contains one of the agent openers (ASCII case-insensitive; `’` counts as `'`).
fn says_opener(text: &str, options: &SpeakerOptions) -> bool {
    let folded = text.to_ascii_lowercase().replace('\u{2019}', "'");
    options.openers.iter().any(|o| folded.contains(o.as_str()))
}

/// How the speakers of one format were mapped over a run, for the manifest.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct FormatSpeakers {
    /// The default rule for this format, in words.
    pub default: String,
    /// Calls whose roles were decided, by rule.
    pub calls_by_rule: BTreeMap<String, u64>,
    /// Records rejected because no customer could be found (or speakers were missing).
    pub no_customer: u64,
}

/// Speaker mapping per format over a run: merged from the workers' outcomes in input order.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[serde(transparent)]
pub struct SpeakerReport(pub BTreeMap<String, FormatSpeakers>);

impl SpeakerReport {
    /// Counts one decoded record of `format`: `Some(rule)` for a call, `None` for a reject.
    pub fn add(&mut self, format: &str, rule: Option<Rule>, options: &SpeakerOptions) {
        let entry = self
            .0
            .entry(format.to_string())
            .or_insert_with(|| FormatSpeakers { default: default_rule(format, options), ..FormatSpeakers::default() });
        match rule {
            Some(rule) => *entry.calls_by_rule.entry(rule.as_str().to_string()).or_default() += 1,
            None => entry.no_customer += 1,
        }
    }
}

impl std::ops::AddAssign for SpeakerReport {
    fn add_assign(&mut self, other: SpeakerReport) {
        for (format, theirs) in other.0 {
            let ours = self
                .0
                .entry(format)
                .or_insert_with(|| FormatSpeakers { default: theirs.default.clone(), ..Default::default() });
            for (rule, n) in theirs.calls_by_rule {
                *ours.calls_by_rule.entry(rule).or_default() += n;
            }
            ours.no_customer += theirs.no_customer;
        }
    }
}

/// The documented default of a format, as the manifest states it.
pub fn default_rule(format: &str, options: &SpeakerOptions) -> String {
    let ch = &options.agent_channel;
    let anonymous = format!(
        "speakers: [speakers] labels, else the speaker with an agent opener is the agent, else the first speaker is the {}; the others are the customer",
        if options.first_speaker == Role::Customer { "customer" } else { "agent" }
    );
    match format {
        "transcribe" => format!("channels: ch_{} is the agent, other channels the customer; {anonymous}", ch.transcribe),
        "deepgram" => format!("channels: channel {} is the agent, others the customer; {anonymous}", ch.deepgram),
        "assemblyai" => format!("channels: channel {} is the agent, others the customer; {anonymous}", ch.assemblyai),
        "twilio" => format!(
            "channel.participants roles when present, else media_channel {} is the agent, others the customer",
            ch.twilio
        ),
        "ccai" => format!(
            "segmentParticipant.role (HUMAN_AGENT, AUTOMATED_AGENT = agent; END_USER = customer), else callMetadata.agentChannel, else channelTag {} is the agent",
            ch.ccai
        ),
        "transcribe_call_analytics" => "ParticipantRole: AGENT = agent, CUSTOMER = customer, others agent".into(),
        "ccai_chat" => "role: AGENT, HUMAN_AGENT, AUTOMATED_AGENT = agent; CUSTOMER, END_USER = customer".into(),
        "genesys" => "participantPurpose: internal, agent, acd, ivr, bot = agent; external, customer = customer".into(),
        "whisper" | "srt" | "webvtt" => anonymous,
        _ => "the format's own speaker values".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(speaker: &str, text: &str) -> Turn<'static> {
        Turn { speaker: speaker.to_string().into(), text: text.to_string().into(), ..Turn::default() }
    }

    fn no_labels(_: &str) -> Role {
        Role::Unknown
    }

    fn roles(turns: &[Turn]) -> Vec<Role> {
        turns.iter().map(|t| t.role.unwrap()).collect()
    }

    #[test]
    fn anonymous_rules_from_a_table() {
        use Role::{Agent as A, Customer as C};
        let o = SpeakerOptions::default();
        type Case<'a> = (&'a [(&'a str, &'a str)], Rule, &'a [Role]);
        let cases: &[Case] = &[
            // The opener wins even when the customer speaks first.
            (
                &[("spk_0", "Hello?"), ("spk_1", "Thank you for calling, how can I help?"), ("spk_0", "My bill.")],
                Rule::Opener,
                &[C, A, C],
            ),
            // Typographic apostrophe and case.
            (&[("spk_0", "Hi"), ("spk_1", "YOU’RE THROUGH TO billing")], Rule::Opener, &[C, A]),
            // No opener: the first speaker is the agent.
            (&[("spk_0", "Hello"), ("spk_1", "Hi, I was charged twice")], Rule::FirstSpeaker, &[A, C]),
        ];
        for (input, rule, expect) in cases {
            let mut turns: Vec<Turn> = input.iter().map(|(s, t)| turn(s, t)).collect();
            assert_eq!(resolve(&mut turns, &Scheme::Anonymous, &o, &no_labels).unwrap(), *rule, "{input:?}");
            assert_eq!(roles(&turns), *expect, "{input:?}");
        }
    }

    #[test]
    fn config_labels_come_first_and_name_the_other_side() {
        let o = SpeakerOptions::default();
        let labels = |l: &str| if l == "Agent" { Role::Agent } else { Role::Unknown };
        let mut turns = vec![turn("Jordan", "thank you for calling"), turn("Agent", "hello")];
        assert_eq!(resolve(&mut turns, &Scheme::Anonymous, &o, &labels).unwrap(), Rule::Label);
        assert_eq!(roles(&turns), [Role::Customer, Role::Agent]);
    }

    #[test]
    fn first_speaker_can_be_the_customer() {
        let o = SpeakerOptions { first_speaker: Role::Customer, ..SpeakerOptions::default() };
        let mut turns = vec![turn("A", "hello"), turn("B", "hi")];
        assert_eq!(resolve(&mut turns, &Scheme::Anonymous, &o, &no_labels).unwrap(), Rule::FirstSpeaker);
        assert_eq!(roles(&turns), [Role::Customer, Role::Agent]);
    }

    #[test]
    fn one_speaker_or_no_speakers_is_a_clear_reject() {
        let o = SpeakerOptions::default();
        let mut turns = vec![turn("spk_0", "hello"), turn("spk_0", "anyone?")];
        let err = resolve(&mut turns, &Scheme::Anonymous, &o, &no_labels).unwrap_err();
        assert!(err.contains("only one speaker (spk_0)"), "{err}");
        let err = resolve(&mut [turn("", "hi")], &Scheme::Undiarized, &o, &no_labels).unwrap_err();
        assert!(err.contains("formats.undiarized"), "{err}");
        let o = SpeakerOptions { undiarized: Undiarized::Customer, ..o };
        assert_eq!(resolve(&mut [turn("", "hi")], &Scheme::Undiarized, &o, &no_labels).unwrap(), Rule::Undiarized);
    }

    #[test]
    fn channels_and_source_roles() {
        let o = SpeakerOptions::default();
        let mut turns = vec![turn("ch_0", "hi"), turn("ch_1", "charged twice")];
        let scheme = Scheme::Channel { agent_label: "ch_0".into() };
        assert_eq!(resolve(&mut turns, &scheme, &o, &no_labels).unwrap(), Rule::Channel);
        assert_eq!(roles(&turns), [Role::Agent, Role::Customer]);
        let mut agent_only = vec![Turn { role: Some(Role::Agent), ..turn("AGENT", "hi") }];
        let err = resolve(&mut agent_only, &scheme, &o, &no_labels).unwrap_err();
        assert!(err.contains("no customer found by rule source_role"), "{err}");
    }

    #[test]
    fn reports_merge_by_format_and_rule() {
        let o = SpeakerOptions::default();
        let mut a = SpeakerReport::default();
        a.add("transcribe", Some(Rule::Channel), &o);
        let mut b = SpeakerReport::default();
        b.add("transcribe", Some(Rule::Channel), &o);
        b.add("transcribe", None, &o);
        a += b;
        let t = &a.0["transcribe"];
        assert_eq!((t.calls_by_rule["channel"], t.no_customer), (2, 1));
        assert!(t.default.contains("ch_0 is the agent"), "{}", t.default);
    }
}
