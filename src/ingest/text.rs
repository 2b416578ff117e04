//! Plain text: one call per file, `Speaker: text` lines, the file stem as the call id.
//!
//! A line without a `Speaker:` prefix continues the turn above it (wrapped lines). An optional
//! leading timestamp such as `[00:01:12]` or `00:01:12` is ignored.

use crate::model::{Call, Turn};

/// Decodes a text transcript.
pub(super) fn decode(bytes: &[u8], call_id: &str) -> Result<Call<'static>, String> {
    let text = std::str::from_utf8(super::strip_bom(bytes))
        .map_err(|e| format!("not UTF-8 text (invalid byte at offset {})", e.valid_up_to()))?;
    let mut turns: Vec<Turn> = Vec::new();
    // Lines end at LF, CRLF or a lone CR.
    for line in text.split(['\n', '\r']) {
        let line = strip_timestamp(line.trim());
        if line.is_empty() {
            continue;
        }
        match split_speaker(line) {
            Some((speaker, said)) => turns.push(Turn {
                speaker: speaker.to_string().into(),
                text: said.to_string().into(),
                ..Turn::default()
            }),
            None => match turns.last_mut() {
                Some(turn) => {
                    turn.text.to_mut().push(' ');
                    turn.text.to_mut().push_str(line);
                }
                None => return Err("first line has no \"Speaker: text\" prefix".into()),
            },
        }
    }
    if turns.is_empty() {
        return Err("empty transcript".into());
    }
    Ok(Call { call_id: call_id.to_string(), turns, ..Call::default() })
}

/// `Agent: hello` -> (`Agent`, `hello`). A speaker is 1-3 words before the first colon.
pub(super) fn split_speaker(line: &str) -> Option<(&str, &str)> {
    let (speaker, rest) = line.split_once(':')?;
    let speaker = speaker.trim();
    let words = speaker.split_whitespace().count();
    let plausible = (1..=3).contains(&words)
        && speaker.len() <= 40
        && speaker.chars().all(|c| c.is_alphanumeric() || c == ' ' || c == '_' || c == '-' || c == '.');
    plausible.then(|| (speaker, rest.trim()))
}

fn strip_timestamp(line: &str) -> &str {
    let body = line.strip_prefix('[').and_then(|l| l.split_once(']'));
    if let Some((ts, rest)) = body {
        if is_clock(ts) {
            return rest.trim_start();
        }
    }
    match line.split_once(' ') {
        Some((ts, rest)) if is_clock(ts) => rest.trim_start(),
        _ => line,
    }
}

fn is_clock(s: &str) -> bool {
    !s.is_empty() && s.contains(':') && s.chars().all(|c| c.is_ascii_digit() || c == ':' || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_speaker_lines_and_continuations() {
        let call = decode(
            b"Agent: Hello, how can I help?\n[00:00:05] Customer: I was charged twice\nfor the same order.\n",
            "c9",
        )
        .unwrap();
        assert_eq!(call.call_id, "c9");
        assert_eq!(call.turns.len(), 2);
        assert_eq!(call.turns[1].speaker, "Customer");
        assert_eq!(call.turns[1].text, "I was charged twice for the same order.");
    }

    #[test]
    fn rejects_text_without_speakers() {
        assert!(decode(b"just some notes\n", "x").unwrap_err().contains("Speaker"));
        assert!(decode(b"", "x").unwrap_err().contains("empty"));
        assert!(decode(b"Agent: \xff\xfe", "x").unwrap_err().contains("UTF-8"));
    }
}
