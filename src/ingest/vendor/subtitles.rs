//! Subtitles: SubRip (`.srt`) and WebVTT (`.vtt`), one call per file, the file stem as call id.
//!
//! Both are blocks separated by blank lines; a block with a `start --> end` line is a cue and the
//! lines after it are its text (SRT's counter and WebVTT's cue identifier come before it;
//! `WEBVTT`, `NOTE`, `STYLE` and `REGION` blocks have no timing line and are skipped). The speaker
//! of a line is a WebVTT voice tag (`<v Jordan>`, `<v.loud Jordan>`) or a `Name:` prefix; a line
//! without one continues the speaker before it. Other tags (`<i>`, `<c.x>`, `<00:01.000>`,
//! `{\an8}`) are dropped and the common entities decoded. Names are anonymous diarization unless
//! the `[speakers]` labels know them.

use super::roles::Scheme;
use super::{finish, Context, Draft, Turns};
use crate::ingest::{DecodeError, Mapped, Seen};

/// Which subtitle format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subtitles {
    /// SubRip.
    Srt,
    /// WebVTT.
    WebVtt,
}

impl Subtitles {
    /// The format's name in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            Subtitles::Srt => "srt",
            Subtitles::WebVtt => "webvtt",
        }
    }
}

/// Decodes a subtitle file.
pub(in crate::ingest) fn decode(
    bytes: &[u8],
    id: &str,
    kind: Subtitles,
    ctx: &Context,
) -> Result<(Call<'static>, Seen), DecodeError> {
    let seen = |speakers| Seen { format: kind.name().to_string(), speakers };
    let fail = |reason: String, speakers| DecodeError { reason, seen: Some(seen(speakers)) };
    let text = std::str::from_utf8(crate::ingest::strip_bom(bytes)).map_err(|e| {
        fail(format!("not UTF-8 text (invalid byte at offset {})", e.valid_up_to()), Mapped::NotApplicable)
    })?;
    let (turns, cues, named) = cues(text);
    if cues == 0 {
        return Err(fail("no subtitle cues (expected \"start --> end\" timing lines)".into(), Mapped::NotApplicable));
    }
    let scheme = if named { Scheme::Anonymous } else { Scheme::Undiarized };
    let mut draft = Draft::new(id.to_string(), scheme);
    draft.call.turns = turns.0;
    finish(draft, ctx)
        .map(|(call, rule)| (call, seen(Mapped::Rule(rule))))
        .map_err(|reason| fail(format!("{}: {reason}", kind.name()), Mapped::NoCustomer))
}

use crate::model::Call;

/// The turns, the number of cues, and whether any line named its speaker.
fn cues(text: &str) -> (Turns, usize, bool) {
    let mut turns = Turns::default();
    let (mut count, mut named) = (0, false);
    let mut speaker = String::new();
    let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let mut i = 0;
    while i < lines.len() {
        let Some(timing) = lines[i].find("-->") else {
            i += 1;
            continue;
        };
        count += 1;
        let start = clock(&lines[i][..timing]);
        let end = clock(lines[i][timing + 3..].split_whitespace().next().unwrap_or(""));
        i += 1;
        while i < lines.len() && !lines[i].trim().is_empty() {
            let (voice, said) = voice(lines[i]);
            let said = clean(said);
            let (who, said) = match voice.or_else(|| prefix(&said)) {
                Some(v) => {
                    named = true;
                    let said =
                        if voice.is_some() { said.as_str() } else { said.split_once(':').map_or("", |(_, s)| s) };
                    (v.to_string(), said.trim().to_string())
                }
                None => (speaker.clone(), said.trim_start_matches("- ").to_string()),
            };
            speaker = who;
            turns.push(&speaker, None, &said, (start, end), false);
            i += 1;
        }
    }
    (turns, count, named)
}

/// A `Name:` prefix, by the plain-text transcript's rule.
fn prefix(line: &str) -> Option<&str> {
    crate::ingest::text::split_speaker(line).map(|(s, _)| s)
}

/// A WebVTT voice tag at the start of a line: `<v Name>` or `<v.class Name>`.
fn voice(line: &str) -> (Option<&str>, &str) {
    let line = line.trim();
    if let Some(rest) = line.strip_prefix("<v") {
        if let Some((tag, said)) = rest.split_once('>') {
            if tag.starts_with([' ', '.']) {
                let name = tag.trim_start_matches(|c: char| c != ' ').trim();
                if !name.is_empty() {
                    return (Some(name), said);
                }
            }
        }
    }
    (None, line)
}

/// Drops tags (`<...>`, `{...}`) and decodes the common entities.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth: Option<char> = None;
    for c in text.chars() {
        match (depth, c) {
            (None, '<') => depth = Some('>'),
            (None, '{') => depth = Some('}'),
            (Some(close), c) if c == close => depth = None,
            (Some(_), _) => {}
            (None, c) => out.push(c),
        }
    }
    let entities =
        [("&lt;", "<"), ("&gt;", ">"), ("&nbsp;", " "), ("&quot;", "\""), ("&#39;", "'"), ("&lrm;", ""), ("&rlm;", "")];
    let mut out = entities.iter().fold(out, |s, (e, r)| if s.contains(e) { s.replace(e, r) } else { s });
    if out.contains("&amp;") {
        out = out.replace("&amp;", "&");
    }
    out.trim().to_string()
}

/// `hh:mm:ss,mmm`, `hh:mm:ss.mmm` or `mm:ss.mmm` as seconds.
fn clock(text: &str) -> Option<f64> {
    let text = text.trim().replace(',', ".");
    let mut seconds = 0.0;
    for part in text.split(':') {
        seconds = seconds * 60.0 + part.trim().parse::<f64>().ok()?;
    }
    Some(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::vendor::roles::{Rule, SpeakerOptions};
    use crate::model::Role;

    fn run(text: &str, kind: Subtitles) -> Result<(Call<'static>, Seen), DecodeError> {
        let labels = |l: &str| if l.eq_ignore_ascii_case("agent") { Role::Agent } else { Role::Unknown };
        let ctx = Context { speakers: &SpeakerOptions::default(), mappings: &[], labels: &labels };
        decode(text.as_bytes(), "call-9", kind, &ctx)
    }

    #[test]
    fn srt_with_name_prefixes_and_continuations() {
        let srt = "1\r\n00:00:01,000 --> 00:00:03,500\r\nAgent: Thanks for calling.\r\n\r\n2\r\n00:00:04,000 --> 00:00:06,000\r\n\
                   Customer: <i>My parcel</i> never arrived\r\nand I&amp;my wife waited.\r\n\r\n3\r\n00:00:07,000 --> 00:00:08,000\r\n{\\an8}still nothing\r\n";
        let (call, seen) = run(srt, Subtitles::Srt).unwrap();
        assert_eq!(call.call_id, "call-9");
        assert_eq!(call.turns.len(), 2);
        assert_eq!(call.turns[1].speaker, "Customer");
        assert_eq!(call.turns[1].text, "My parcel never arrived and I&my wife waited. still nothing");
        assert_eq!((call.turns[1].start, call.turns[1].end), (Some(4.0), Some(8.0)));
        assert_eq!(call.turns[1].role, Some(Role::Customer), "Agent named by label, so Customer is the other side");
        assert_eq!(seen.speakers, Mapped::Rule(Rule::Label));
    }

    #[test]
    fn webvtt_voice_tags_notes_and_cue_ids() {
        let vtt = "WEBVTT - call\n\nNOTE exported by a recorder\n\nintro\n00:01.000 --> 00:03.000 align:start\n<v Jordan>Thank you for calling, how can I help?</v>\n\n\
                   00:04.000 --> 00:06.000\n<v.loud Sam>The app keeps <b>crashing</b>.\n";
        let (call, seen) = run(vtt, Subtitles::WebVtt).unwrap();
        assert_eq!(call.turns.len(), 2);
        assert_eq!((call.turns[1].speaker.as_ref(), call.turns[1].text.as_ref()), ("Sam", "The app keeps crashing."));
        assert_eq!(call.turns[1].role, Some(Role::Customer));
        assert_eq!(call.turns[0].start, Some(1.0));
        assert_eq!(seen.format, "webvtt");
        assert_eq!(seen.speakers, Mapped::Rule(Rule::Opener));
    }

    #[test]
    fn cues_without_speakers_or_without_cues() {
        let err = run("1\n00:00:01,000 --> 00:00:02,000\nhello there\n", Subtitles::Srt).unwrap_err();
        assert!(err.reason.contains("formats.undiarized"), "{}", err.reason);
        let err = run("WEBVTT\n\nNOTE nothing here\n", Subtitles::WebVtt).unwrap_err();
        assert!(err.reason.contains("no subtitle cues"), "{}", err.reason);
    }
}
