//! Arbitrary text as a taxonomy file: an error names the file, never panics; a taxonomy that
//! parses compiles into a matcher that runs over a customer turn.
#![no_main]

use std::collections::BTreeSet;

use earful::extract::{Extractor, Taxonomy};
use earful::model::{Call, Turn};
use earful::normalize::{self, Speakers};
use libfuzzer_sys::fuzz_target;

const SAID: &str = "I was charged twice, my parcel never arrived and I wish you had a dark mode! \
                    Not overcharged, no. The app won't load; it keeps crashing.";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let taxonomy = match Taxonomy::parse("fuzz.toml", text) {
        Ok(taxonomy) => taxonomy,
        Err(e) => {
            assert!(e.to_string().contains("fuzz.toml"), "error does not name the file: {e}");
            return;
        }
    };
    let Ok(extractor) = Extractor::new(taxonomy) else { return };
    let turn = |speaker: &str, text: &str| Turn { speaker: speaker.into(), text: text.into(), ..Turn::default() };
    let call =
        Call { call_id: "f".into(), turns: vec![turn("agent", "Hello?"), turn("customer", SAID)], ..Call::default() };
    let conv = normalize::normalize(call, &Speakers::new(BTreeSet::new(), BTreeSet::new()));
    let findings = extractor.extract(&conv);
    for m in &findings.mentions {
        assert!(SAID.is_char_boundary(m.start) && SAID.is_char_boundary(m.end) && m.start <= m.end);
    }
});
