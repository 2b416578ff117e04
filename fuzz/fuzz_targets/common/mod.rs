//! What every format target does with the calls it decodes: the same per-call stages as
//! `earful mine` (speakers, matching, ideas, sentiment, quotes, redaction, cell sanitising), so
//! that fuzzed text reaches the code that slices strings at byte offsets.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use earful::extract::{idea, Extractor, Taxonomy};
use earful::ingest::{parse_bytes, Format, Limits};
use earful::normalize::{self, redact::redact, Speakers};
use earful::report::sanitize::cell_text;

fn stages() -> &'static (Speakers, Extractor) {
    static STAGES: OnceLock<(Speakers, Extractor)> = OnceLock::new();
    STAGES.get_or_init(|| {
        let taxonomy = Taxonomy::builtin().expect("built-in taxonomy");
        (Speakers::new(BTreeSet::new(), BTreeSet::new()), Extractor::new(taxonomy).expect("matcher"))
    })
}

/// Frames, decodes and mines `data` as a file of this format.
pub fn run(format: Format, name: &str, data: &[u8]) {
    let (speakers, extractor) = stages();
    // A small record limit so that the limit's code path is exercised too.
    let limits = Limits { max_record_bytes: 4096, ..Limits::default() };
    let small = parse_bytes(format, name, data, &limits);
    let full = parse_bytes(format, name, data, &Limits::default());
    if data.len() <= 4096 {
        assert_eq!(small.len(), full.len(), "the record limit changed the number of records");
    }
    for (line, result) in full {
        let call = match result {
            Ok(call) => call,
            Err(reason) => {
                assert!(!reason.trim().is_empty(), "empty reason at line {line}");
                continue;
            }
        };
        let conv = normalize::normalize(call, speakers);
        let findings = extractor.extract(&conv);
        assert!((-1.0..=1.0).contains(&findings.sentiment_start), "{}", findings.sentiment_start);
        assert!((-1.0..=1.0).contains(&findings.sentiment_end), "{}", findings.sentiment_end);
        for m in &findings.mentions {
            let text = &conv.call.turns[m.turn as usize].text;
            let quote = normalize::sentence_around(text, m.start, m.end);
            let _ = cell_text(&redact(quote));
            if let Some(form) = &m.idea {
                let _ = idea::group_key(form);
            }
        }
        for (key, value) in &conv.call.metadata {
            let _ = (cell_text(key), cell_text(value));
        }
    }
}
