//! Micro-benchmarks of the hot per-call stages: JSON decoding, phrase matching, sentiment, and the
//! whole per-call path. Run with `cargo bench --bench stages`. Inputs come from the project's own
//! sample generator, so the numbers are reproducible.

use std::path::PathBuf;

use earful::config::Config;
use earful::extract::{Extractor, Taxonomy};
use earful::ingest::{self, Reader};
use earful::normalize::{self, Speakers};

fn main() {
    divan::main();
}

/// The generated sample's JSONL lines, framed into batches as a run reads them.
fn batches() -> Vec<ingest::Batch> {
    let dir = std::env::temp_dir().join(format!("earful-bench-{}", std::process::id()));
    earful::sample::write_sample(&earful::sample::SampleOptions { calls: 2000, seed: 1, length: 1 }, &dir)
        .expect("sample");
    let (files, _) = ingest::discover(&[PathBuf::from(&dir)]);
    let mut batches = Vec::new();
    Reader::new(&files, 1 << 22, ingest::Limits::default()).run(|batch| {
        batches.push(batch);
        true
    });
    let _ = std::fs::remove_dir_all(dir);
    batches
}

/// The sample's calls, decoded once.
fn corpus() -> Vec<earful::model::Call<'static>> {
    let batches = batches();
    let decoded = batches.iter().flat_map(|b| b.items.iter().filter_map(|item| ingest::decode(b, item).ok()));
    decoded.map(|c| c.into_owned()).collect()
}

#[divan::bench]
fn decode_jsonl(bencher: divan::Bencher) {
    let batches = batches();
    let bytes: usize = batches.iter().map(|b| b.buf.len()).sum();
    bencher.counter(divan::counter::BytesCount::new(bytes)).bench_local(|| {
        batches.iter().map(|b| b.items.iter().filter(|item| ingest::decode(b, item).is_ok()).count()).sum::<usize>()
    });
}

fn customer_text(calls: &[earful::model::Call<'_>]) -> Vec<String> {
    calls
        .iter()
        .flat_map(|c| c.turns.iter().filter(|t| t.speaker.contains("ustomer")).map(|t| t.text.to_string()))
        .collect()
}

/// The taxonomy's phrases found in each call's customer turns, as a run finds them: the turns of
/// a call scanned in one pass, then read turn by turn.
#[divan::bench]
fn match_taxonomy(bencher: divan::Bencher) {
    let calls = corpus();
    let per_call: Vec<Vec<String>> = calls.iter().map(|c| customer_text(std::slice::from_ref(c))).collect();
    let bytes = per_call.iter().flatten().map(String::len).sum::<usize>();
    let matcher = earful::extract::matcher::Matcher::new(&Taxonomy::builtin().expect("taxonomy")).expect("matcher");
    let (mut hits, mut scanned) = (Vec::new(), earful::extract::matcher::Scanned::default());
    bencher.counter(divan::counter::BytesCount::new(bytes)).bench_local(|| {
        let mut found = 0;
        for turns in &per_call {
            let texts: Vec<&str> = turns.iter().map(String::as_str).collect();
            matcher.scan_texts(&texts, &mut scanned);
            for (i, text) in texts.iter().enumerate() {
                hits.clear();
                matcher.find_marked_in(text, &scanned, i, &mut hits, None);
                found += hits.len();
            }
        }
        found
    });
}

#[divan::bench]
fn sentiment(bencher: divan::Bencher) {
    let texts = customer_text(&corpus());
    bencher
        .counter(divan::counter::BytesCount::new(texts.iter().map(String::len).sum::<usize>()))
        .bench_local(|| texts.iter().map(|t| earful::extract::sentiment::score(t)).sum::<f64>());
}

#[divan::bench]
fn extract_calls(bencher: divan::Bencher) {
    let calls = corpus();
    let config = Config::default();
    let speakers = Speakers::new(config.customer_labels, config.agent_labels);
    let extractor = Extractor::new(Taxonomy::builtin().expect("taxonomy")).expect("extractor");
    let convs: Vec<_> = calls.into_iter().map(|c| normalize::normalize(c, &speakers)).collect();
    bencher
        .counter(divan::counter::ItemsCount::new(convs.len()))
        .bench_local(|| convs.iter().map(|c| extractor.extract(c).mentions.len()).sum::<usize>());
}
