//! Deciding how a file is read from its first bytes: its compression (magic bytes), and its
//! framing (JSON Lines, one JSON document, CSV, text, subtitles).
//!
//! The extension is a hint that content overrides where they can disagree: a `.txt` file that is
//! really SubRip or WebVTT is read as subtitles, a `.json` file whose first line is a whole object
//! followed by another is JSON Lines, and a file with no known extension is read by what it
//! starts with. Only the head of the file (decompressed) is looked at, once per file; which
//! vendor a JSON document comes from is decided when it is decoded, from its keys.

use std::io::Read;
use std::path::Path;

use super::{Compression, Format};

/// Bytes of (decompressed) content looked at.
pub const HEAD_BYTES: usize = 64 << 10;

/// Top-level keys that mark a JSONL line as a vendor document rather than an earful call.
const VENDOR_KEYS: &[&str] = &[
    "results",
    "Transcript",
    "segments",
    "utterances",
    "audio_url",
    "transcript",
    "entries",
    "transcripts",
    "sentences",
];

/// The compression of a file, from its magic bytes.
pub fn compression(path: &Path) -> Compression {
    let mut magic = [0u8; 4];
    let n = std::fs::File::open(path).and_then(|mut f| f.read(&mut magic)).unwrap_or(0);
    match &magic[..n] {
        [0x1f, 0x8b, ..] => Compression::Gzip,
        [0x28, 0xb5, 0x2f, 0xfd] => Compression::Zstd,
        _ => Compression::None,
    }
}

/// The first [`HEAD_BYTES`] of the content, decompressed; what could be read if reading fails
/// part-way (the reader reports the failure later, with the records before it).
pub fn head(path: &Path, compression: Compression, bytes: u64) -> Vec<u8> {
    let mut head = Vec::new();
    if let Ok(reader) = super::decompressed(path, compression, bytes, &super::Limits::default()) {
        let _ = reader.take(HEAD_BYTES as u64).read_to_end(&mut head);
    }
    head
}

/// The name without compression suffixes, lowercase, and its extension.
pub fn extension(path: &Path) -> String {
    // A name that is not UTF-8 (bytes of another encoding) still has its extension.
    let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let name = without_suffixes(&name, &[]);
    Path::new(name).extension().and_then(|e| e.to_str()).unwrap_or("").to_string()
}

/// `name` without its compression suffixes (`.gz`, `.zst`, `.zstd`) and then without the `more`
/// suffixes, in any case, each once, in that order.
pub fn without_suffixes<'a>(mut name: &'a str, more: &[&str]) -> &'a str {
    for suffix in [".gz", ".zst", ".zstd"].iter().chain(more) {
        let at = name.len().wrapping_sub(suffix.len());
        if name.len() > suffix.len() && name.is_char_boundary(at) && name[at..].eq_ignore_ascii_case(suffix) {
            name = &name[..at];
        }
    }
    name
}

/// How a file with this extension and head is framed, and whether its JSONL lines are vendor
/// documents; or why it cannot be read.
pub fn framing(ext: &str, head: &[u8]) -> Result<(Format, bool), String> {
    let body = super::strip_bom(head).trim_ascii_start();
    match ext {
        "jsonl" | "ndjson" => Ok((Format::Jsonl, vendor_lines(body))),
        "csv" => Ok((Format::Csv, false)),
        "srt" => Ok((Format::Srt, false)),
        "vtt" => Ok((Format::WebVtt, false)),
        "json" => Ok(json(body)),
        "txt" => Ok((subtitles(body).unwrap_or(Format::Text), false)),
        _ if body.starts_with(b"{") || body.starts_with(b"[") => Ok(json(body)),
        _ => match subtitles(body) {
            Some(format) => Ok((format, false)),
            None => Err(unrecognised(ext, body)),
        },
    }
}

/// One JSON document, or JSON Lines when the first line is a whole object and another follows.
fn json(body: &[u8]) -> (Format, bool) {
    if let Some(nl) = memchr::memchr(b'\n', body) {
        let first = body[..nl].trim_ascii();
        let rest = body[nl..].trim_ascii_start();
        let whole = serde_json::from_slice::<serde::de::IgnoredAny>(first).is_ok();
        if whole && first.starts_with(b"{") && rest.starts_with(b"{") {
            return (Format::Jsonl, vendor_lines(body));
        }
    }
    (Format::Json, false)
}

/// Whether the first line of a JSONL head is a vendor document (detected once per file, so that
/// lines of earful calls keep their fast path).
fn vendor_lines(body: &[u8]) -> bool {
    let first = body.split(|&b| b == b'\n').next().unwrap_or_default();
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(first) else {
        return false;
    };
    !map.contains_key("call_id") && !map.contains_key("turns") && VENDOR_KEYS.iter().any(|k| map.contains_key(*k))
}

/// WebVTT starts with `WEBVTT`; SubRip with a counter line and then a timing line.
fn subtitles(body: &[u8]) -> Option<Format> {
    if body.starts_with(b"WEBVTT") {
        return Some(Format::WebVtt);
    }
    let mut lines = body.split(|&b| b == b'\n').map(<[u8]>::trim_ascii);
    let counter = lines.next()?;
    let timing = lines.next()?;
    let is_counter = !counter.is_empty() && counter.iter().all(u8::is_ascii_digit);
    (is_counter && memchr::memmem::find(timing, b"-->").is_some()).then_some(Format::Srt)
}

/// The reason for a file that is no known format, with what was seen.
fn unrecognised(ext: &str, body: &[u8]) -> String {
    let seen = if body.is_empty() {
        "it is empty".to_string()
    } else if body.iter().take(512).any(|&b| b == 0) || std::str::from_utf8(&body[..body.len().min(64)]).is_err() {
        let hex: Vec<String> = body.iter().take(4).map(|b| format!("{b:02x}")).collect();
        format!("binary content starting {}", hex.join(" "))
    } else {
        let text: String = String::from_utf8_lossy(&body[..body.len().min(200)]).chars().take(24).collect();
        format!("text starting {:?}", text.lines().next().unwrap_or(""))
    };
    format!(
        "unrecognised format (extension {ext:?}, {seen}): expected JSON Lines, CSV, text, JSON, SRT or WebVTT, optionally gzip or zstd"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_from_extension_and_content() {
        type Case<'a> = (&'a str, &'a str, Result<(Format, bool), &'a str>);
        let cases: &[Case] = &[
            ("jsonl", r#"{"call_id":"a","turns":[]}"#, Ok((Format::Jsonl, false))),
            ("jsonl", "{\"results\":{\"items\":[]}}\n", Ok((Format::Jsonl, true))),
            ("json", "{\n  \"results\": {}\n}\n", Ok((Format::Json, false))),
            (
                "json",
                "{\"call_id\":\"a\",\"turns\":[]}\n{\"call_id\":\"b\",\"turns\":[]}\n",
                Ok((Format::Jsonl, false)),
            ),
            ("json", "{\"call_id\":\"a\",\"turns\":[]}\n", Ok((Format::Json, false))),
            ("txt", "Agent: hi\nCustomer: hello\n", Ok((Format::Text, false))),
            ("txt", "\u{feff}1\r\n00:00:01,000 --> 00:00:02,000\r\nhi\r\n", Ok((Format::Srt, false))),
            ("", "WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n", Ok((Format::WebVtt, false))),
            ("data", "  {\"segments\": []}", Ok((Format::Json, false))),
            ("docx", "PK\u{3}\u{4}\u{0}\u{0}", Err("binary content starting 50 4b 03 04")),
            ("md", "# notes\nsome text", Err("text starting \"# notes\"")),
            ("bin", "", Err("it is empty")),
        ];
        for (ext, head, expect) in cases {
            match (framing(ext, head.as_bytes()), expect) {
                (Ok(got), Ok(want)) => assert_eq!(got, *want, "{ext} {head:?}"),
                (Err(got), Err(want)) => {
                    assert!(got.contains("unrecognised format") && got.contains(want), "{got:?} vs {want:?}")
                }
                (got, want) => panic!("{ext} {head:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn extension_ignores_compression_suffixes() {
        assert_eq!(extension(Path::new("a/Calls.JSON.gz")), "json");
        assert_eq!(extension(Path::new("x.vtt.zst")), "vtt");
        assert_eq!(extension(Path::new("noext")), "");
    }

    #[cfg(unix)]
    #[test]
    fn a_name_that_is_not_utf8_keeps_its_extension() {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9 call.txt");
        assert_eq!(extension(Path::new(name)), "txt");
        assert_eq!(super::super::stem(Path::new(name)), "caf\u{fffd} call");
    }
}
