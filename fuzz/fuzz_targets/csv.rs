//! Arbitrary bytes as a csv input file: every record gives one call or one reason, and
//! nothing panics, overflows the stack or allocates without bound, in framing, decoding or the
//! per-call stages after them.
#![no_main]

mod common;

use earful::ingest::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| common::run(Format::Csv, "fuzz.csv", data));
