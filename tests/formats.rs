//! End-to-end tests of the vendor formats: the `earful` binary on the fixtures in
//! tests/fixtures/vendors, written by the project from each vendor's published schema.
//!
//! Every call plants a customer complaint and an idea of the test taxonomy, and an agent turn
//! that names a complaint of another category, which must never be counted:
//!
//! | call          | file                                       | customer                | agent says (not counted) |
//! |---------------|--------------------------------------------|-------------------------|--------------------------|
//! | tr-spk-0412   | transcribe/northwind-0412.json (speakers)  | outage; idea            | charged twice            |
//! | tr-ch-0413    | transcribe/stereo-0413.json (channels)     | delivery; idea          | package is late          |
//! | tca-0414      | transcribe_call_analytics/analytics-0414   | wait_time; idea         | app keeps crashing       |
//! | whisperx-0415 | whisper/whisperx-0415.json                 | app_bug; idea           | package is late          |
//! | (reject)      | whisper/voicemail-0416.json (no speakers)  |                         |                          |
//! | support-0417  | subtitles/support-0417.srt (`Name:`)       | billing; idea           | never arrived            |
//! | chat-0418     | subtitles/chat-0418.vtt (`<v Name>`)       | outage; idea            | on hold for              |
//! | dg-0419-7f3a  | deepgram/utterances-0419.json (speakers)   | delivery; idea          | charged twice            |
//! | dg-0420-91bc  | deepgram/stereo-0420.json (channels)       | app_bug; idea           | app keeps crashing       |
//! | aai-0421-5c2e | assemblyai/transcript-0421.json            | wait_time; outage; idea | charged twice            |
//! | ccai-0422     | ccai/conversation-0422.json                | billing; idea           | package is late          |
//! | chat-0423     | ccai/chat-0423.json                        | delivery; idea          | internet is down         |
//! | gen-0424-aa10 | genesys/transcript-0424.json               | outage; app_bug; idea   | double charged           |
//! | GT0425...     | twilio/sentences-0425.json                 | delivery; idea          | overcharged              |
//! | acme-0426     | mapping/acme-0426.json (`acme.toml`)       | billing; idea           | waited forever           |
//!
//! tests/fixtures/vendors/rejects holds what must be rejected: JSON of no known format, JSON that
//! two formats claim, a Transcribe job with no words, and a Markdown file.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use common::*;
use serde::Deserialize;

/// calls.csv, the columns every run has (metadata columns vary with the format).
#[derive(Debug, Clone, Deserialize)]
struct Call {
    call_id: String,
    started_at: String,
    turns: u32,
    complaints: u32,
    ideas: u32,
    categories: String,
}

fn vendors(rel: &str) -> PathBuf {
    fixture("vendors").join(rel)
}

/// Mines `inputs` with the test taxonomy and the fixtures' config (plus `extra` args).
fn mine(inputs: &[PathBuf], extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let mut args: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    args.extend(["--taxonomy".to_string(), taxonomy(), "--config".into(), vendors("acme.toml").display().to_string()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    run_mine(&args)
}

fn calls_of(out: &Path) -> BTreeMap<String, Call> {
    read_rows::<Call>(&out.join("calls.csv")).into_iter().map(|c| (c.call_id.clone(), c)).collect()
}

/// Every record read is a call or a reject, in total and per file.
fn check_accounting(out: &Path) -> Manifest {
    let m = manifest(out);
    assert_eq!(m.totals.records, m.totals.calls + m.totals.rejects, "{:?}", m.totals);
    for input in &m.inputs {
        assert_eq!(input.records, input.calls + input.rejects, "{input:?}");
    }
    assert_eq!(calls_of(out).len() as u64, m.totals.calls);
    assert_eq!(rejects(out).len() as u64, m.totals.rejects);
    m
}

/// `(call id, categories, complaint mentions)` of a call.
type Planted = (&'static str, &'static str, u32);

/// The planted calls of each vendor folder.
const PLANTED: &[(&str, &[Planted])] = &[
    ("transcribe", &[("tr-spk-0412", "outage;idea", 1), ("tr-ch-0413", "delivery;idea", 1)]),
    ("transcribe_call_analytics", &[("tca-0414", "wait_time;idea", 1)]),
    ("whisper", &[("whisperx-0415", "app_bug;idea", 1)]),
    ("subtitles", &[("chat-0418", "outage;idea", 1), ("support-0417", "billing;idea", 1)]),
    ("deepgram", &[("dg-0419-7f3a", "delivery;idea", 1), ("dg-0420-91bc", "app_bug;idea", 1)]),
    ("assemblyai", &[("aai-0421-5c2e", "outage;wait_time;idea", 2)]),
    ("ccai", &[("chat-0423", "delivery;idea", 2), ("ccai-0422", "billing;idea", 1)]),
    ("genesys", &[("gen-0424-aa10", "app_bug;outage;idea", 2)]),
    ("twilio", &[("GT0425aabbccddeeff00112233445566", "delivery;idea", 1)]),
    ("mapping", &[("acme-0426", "billing;idea", 1)]),
];

/// Categories in a fixed order, whatever order calls.csv lists them in.
fn sorted(categories: &str) -> Vec<&str> {
    let mut v: Vec<&str> = categories.split(';').filter(|s| !s.is_empty()).collect();
    v.sort_unstable();
    v
}

#[test]
fn each_vendor_gives_its_planted_calls_and_only_customer_complaints() {
    for (dir, planted) in PLANTED {
        let (_tmp, out) = mine(&[vendors(dir)], &[]);
        check_accounting(&out);
        let calls = calls_of(&out);
        let rejects = rejects(&out);
        let expect_rejects = usize::from(*dir == "whisper");
        assert_eq!(rejects.len(), expect_rejects, "{dir}: {rejects:#?}");
        assert_eq!(calls.len(), planted.len(), "{dir}: {:?}", calls.keys());
        for (id, categories, complaints) in *planted {
            let call = calls.get(*id).unwrap_or_else(|| panic!("{dir}: no call {id} in {:?}", calls.keys()));
            assert_eq!(sorted(&call.categories), sorted(categories), "{dir} {id}");
            assert_eq!(call.complaints, *complaints, "{dir} {id}: the agent's complaint must not count");
            assert_eq!(call.ideas, 1, "{dir} {id}");
            assert!(call.turns >= 2, "{dir} {id}: {call:?}");
        }
        let mentions = mentions(&out);
        assert!(mentions.iter().all(|m| m.kind == "idea" || calls[&m.call_id].categories.contains(&m.category)));
    }
}

#[test]
fn formats_timings_and_metadata_come_from_the_documents() {
    let (_tmp, out) = mine(&[fixture("vendors")], &[]);
    let m = check_accounting(&out);
    let format_of = |name: &str| {
        m.inputs.iter().find(|i| i.path.ends_with(name)).unwrap_or_else(|| panic!("no input {name}")).format.clone()
    };
    for (file, format) in [
        ("northwind-0412.json", "transcribe"),
        ("analytics-0414.json", "transcribe_call_analytics"),
        ("whisperx-0415.json", "whisper"),
        ("voicemail-0416.json", "whisper"),
        ("support-0417.srt", "srt"),
        ("chat-0418.vtt", "webvtt"),
        ("stereo-0420.json", "deepgram"),
        ("transcript-0421.json", "assemblyai"),
        ("conversation-0422.json", "ccai"),
        ("chat-0423.json", "ccai_chat"),
        ("transcript-0424.json", "genesys"),
        ("sentences-0425.json", "twilio"),
        ("acme-0426.json", "acme"),
        ("mystery.json", "json"),
        ("customers.csv", "csv"),
    ] {
        assert_eq!(format_of(file), format, "{file}");
    }
    let calls = calls_of(&out);
    assert_eq!(calls["ccai-0422"].started_at, "2026-03-03T12:00:00Z");
    assert_eq!(calls["gen-0424-aa10"].started_at, "2026-03-03T14:00:00.000Z", "epoch milliseconds");
    assert_eq!(calls["chat-0423"].started_at, "2026-03-03T13:00:00.000Z", "epoch microseconds");
    let (header, rows) = read_raw(&out.join("calls.csv"));
    let col =
        |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}: {header:?}"));
    let row = |id: &str| rows.iter().find(|r| r[0] == id).unwrap();
    assert_eq!(row("ccai-0422")[col("queue")], "billing", "CCAI labels are metadata");
    assert_eq!(row("GT0425aabbccddeeff00112233445566")[col("customer_key")], "C-1003");
    assert_eq!(row("acme-0426")[col("customer_id")], "C-1004", "a mapping's metadata object");
    assert_eq!(row("dg-0419-7f3a")[col("customer_id")], "C-1002", "Deepgram's extra tags");
}

#[test]
fn manifest_says_how_speakers_were_mapped() {
    let (_tmp, out) = mine(&[fixture("vendors")], &[]);
    let m = check_accounting(&out);
    let rules: BTreeMap<&str, (BTreeMap<String, u64>, u64)> =
        m.speaker_mapping.iter().map(|(f, s)| (f.as_str(), (s.calls_by_rule.clone(), s.no_customer))).collect();
    let expect = |pairs: &[(&str, u64)], no_customer: u64| {
        (pairs.iter().map(|(r, n)| (r.to_string(), *n)).collect::<BTreeMap<_, _>>(), no_customer)
    };
    assert_eq!(rules["transcribe"], expect(&[("channel", 1), ("opener", 1)], 1), "the empty job has no customer");
    assert_eq!(rules["whisper"], expect(&[("opener", 1)], 1), "the voicemail has no speakers");
    assert_eq!(rules["srt"], expect(&[("label", 1)], 0));
    assert_eq!(rules["webvtt"], expect(&[("opener", 1)], 0));
    assert_eq!(rules["deepgram"], expect(&[("channel", 1), ("opener", 1)], 0));
    assert_eq!(rules["assemblyai"], expect(&[("opener", 1)], 0));
    for f in ["transcribe_call_analytics", "ccai", "ccai_chat", "genesys", "twilio"] {
        assert_eq!(rules[f], expect(&[("source_role", 1)], 0), "{f}");
    }
    assert_eq!(rules["acme"], expect(&[("mapping", 1)], 0));
    assert!(!rules.contains_key("csv") && !rules.contains_key("json"), "only diarized formats: {rules:?}");
    let transcribe = &m.speaker_mapping["transcribe"].default;
    assert!(transcribe.contains("ch_0 is the agent") && transcribe.contains("agent opener"), "{transcribe}");
}

#[test]
fn config_overrides_the_speaker_defaults() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("earful.toml");
    fs::write(
        &config,
        "[speakers]\nagent = [\"speaker 1\"]\n\n[formats]\nundiarized = \"customer\"\n\n[formats.agent_channel]\ntranscribe = 1\n",
    )
    .unwrap();
    let inputs =
        [vendors("transcribe"), vendors("deepgram/utterances-0419.json"), vendors("whisper/voicemail-0416.json")];
    let mut args: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    args.extend(["--taxonomy".into(), taxonomy(), "--config".into(), config.display().to_string()]);
    let (_tmp, out) = run_mine(&args);
    let m = check_accounting(&out);
    let calls = calls_of(&out);
    // ch_1 is now the agent: the customer is the one who said "package is late".
    assert_eq!(sorted(&calls["tr-ch-0413"].categories), ["delivery"]);
    // `speaker 1` is named the agent: `speaker 0` (who said "charged twice") is the customer.
    assert_eq!(sorted(&calls["dg-0419-7f3a"].categories), ["billing"]);
    // A transcript without speakers is all the customer's.
    assert_eq!(sorted(&calls["voicemail-0416"].categories), ["outage"]);
    assert_eq!(m.speaker_mapping["deepgram"].calls_by_rule["label"], 1);
    assert_eq!(m.speaker_mapping["whisper"].calls_by_rule["undiarized"], 1);
    assert!(m.speaker_mapping["transcribe"].default.contains("ch_1 is the agent"));
}

#[test]
fn unrecognised_ambiguous_and_empty_files_are_rejected_naming_the_file() {
    let (_tmp, out) = mine(&[vendors("rejects")], &[]);
    let m = check_accounting(&out);
    assert_eq!(m.totals.calls, 0);
    let rejects = rejects(&out);
    let reason = |file: &str| {
        let r = rejects.iter().find(|r| r.file.ends_with(file)).unwrap_or_else(|| panic!("{file} not in {rejects:#?}"));
        assert_eq!(r.record, "", "a whole file");
        r.reason.clone()
    };
    let mystery = reason("mystery.json");
    assert!(mystery.contains("unrecognised JSON") && mystery.contains("report, rows"), "{mystery}");
    let both = reason("both.json");
    assert!(both.contains("ambiguous JSON: matches whisper and assemblyai"), "{both}");
    let empty = reason("empty-0427.json");
    assert!(empty.contains("no usable turns"), "{empty}");
    let notes = reason("notes.md");
    assert!(
        notes.contains("unrecognised format") && notes.contains("\"md\"") && notes.contains("# Call notes"),
        "{notes}"
    );
    assert_eq!(rejects.len(), 4, "{rejects:#?}");
    assert_eq!(m.totals.records, 4);
}

/// Copies every vendor fixture (not the rejects) into `dir`, compressing each: gzip or zstd in
/// turn, some renamed without any extension, so that only their content can tell what they are.
fn compressed_copies(dir: &Path) {
    let mut n = 0;
    for (sub, _) in PLANTED {
        for entry in fs::read_dir(vendors(sub)).unwrap() {
            let path = entry.unwrap().path();
            let bytes = fs::read(&path).unwrap();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            n += 1;
            let (name, packed) = match n % 3 {
                0 => (format!("{name}.gz"), gzip(&bytes)),
                1 => (format!("{name}.zst"), zstd::stream::encode_all(bytes.as_slice(), 3).unwrap()),
                _ => (
                    name.split('.').next().unwrap().to_string(),
                    zstd::stream::encode_all(bytes.as_slice(), 1).unwrap(),
                ),
            };
            fs::create_dir_all(dir.join(sub)).unwrap();
            fs::write(dir.join(sub).join(name), packed).unwrap();
        }
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

#[test]
fn compressed_copies_read_the_same_as_the_originals() {
    let plain: Vec<PathBuf> = PLANTED.iter().map(|(d, _)| vendors(d)).collect();
    let (_a, plain_out) = mine(&plain, &[]);
    let tmp = tempfile::tempdir().unwrap();
    compressed_copies(tmp.path());
    let packed: Vec<PathBuf> = PLANTED.iter().map(|(d, _)| tmp.path().join(d)).collect();
    let (_b, packed_out) = mine(&packed, &[]);
    let m = check_accounting(&packed_out);
    let a = calls_of(&plain_out);
    let b = calls_of(&packed_out);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (id, call) in &a {
        assert_eq!(
            (&b[id].categories, b[id].turns, b[id].complaints),
            (&call.categories, call.turns, call.complaints),
            "{id}"
        );
    }
    assert_eq!(categories(&plain_out).len(), categories(&packed_out).len());
    let kinds: Vec<&str> = m.inputs.iter().map(|i| i.compression.as_str()).collect();
    assert!(kinds.contains(&"gzip") && kinds.contains(&"zstd") && !kinds.contains(&""), "{kinds:?}");
    assert!(m.inputs.iter().all(|i| i.gzip == (i.compression == "gzip")));
    assert_eq!(manifest(&plain_out).speaker_mapping, m.speaker_mapping);
}

#[test]
fn a_mixed_folder_reads_every_format_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let mixed = tmp.path().join("mixed");
    fs::create_dir(&mixed).unwrap();
    for name in ["calls.jsonl", "turns.csv", "call-7.txt"] {
        fs::copy(fixture("basic").join(name), mixed.join(name)).unwrap();
    }
    for (sub, _) in PLANTED {
        for entry in fs::read_dir(vendors(sub)).unwrap() {
            let path = entry.unwrap().path();
            fs::copy(&path, mixed.join(path.file_name().unwrap())).unwrap();
        }
    }
    let (_out_tmp, out) = mine(&[mixed], &[]);
    let m = check_accounting(&out);
    let planted: usize = PLANTED.iter().map(|(_, p)| p.len()).sum();
    assert_eq!(m.totals.calls as usize, 16 + planted, "the 16 basic calls and the vendor calls");
    assert_eq!(m.totals.rejects, 1, "the undiarized voicemail");
    let billing = categories(&out).into_iter().find(|c| c.category == "billing").unwrap();
    assert_eq!(billing.calls, 4 + 3, "basic billing calls plus support-0417, ccai-0422, acme-0426");
}

#[test]
fn metadata_join_adds_crm_fields_as_segments() {
    let tmp = tempfile::tempdir().unwrap();
    let crm = tmp.path().join("customers.csv");
    // C-1004 twice with the same row is fine; region clashes with the basic calls' own region.
    fs::write(&crm, fs::read_to_string(vendors("customers.csv")).unwrap() + "C-1004,gold,7100,9\nC-0001,silver,10,1\n")
        .unwrap();
    let mut with_region = String::from("customer_key,tier,region\nC-1001,gold,mars\n");
    with_region.push_str("C-1002,silver,venus\n");
    let crm_region = tmp.path().join("crm-region.csv");
    fs::write(&crm_region, with_region).unwrap();

    let inputs = [vendors("ccai"), vendors("deepgram"), vendors("twilio"), vendors("mapping")];
    let (_a, out) = mine(&inputs, &["--metadata", crm.to_str().unwrap(), "--join-on", "customer_id"]);
    let m = check_accounting(&out);
    let join = m.metadata_join.clone().expect("metadata_join in the manifest");
    assert_eq!(join.join_on, "customer_id");
    assert_eq!(join.columns, ["tier", "lifetime_value", "tenure_years"]);
    assert_eq!(join.rows, 5);
    // ccai-0422 (C-1001), dg-0419 (C-1002), acme-0426 (C-1004) joined; chat-0423, dg-0420 and
    // the Twilio call (customer_key, not customer_id) have no key.
    assert_eq!((join.calls_joined, join.calls_missing_key, join.calls_unknown_key), (3, 3, 0));
    let (header, rows) = read_raw(&out.join("calls.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = |id: &str| rows.iter().find(|r| r[0] == id).unwrap().clone();
    assert_eq!(row("ccai-0422")[col("tier")], "gold");
    assert_eq!(row("dg-0419-7f3a")[col("lifetime_value")], "820");
    assert_eq!(row("chat-0423")[col("tier")], "", "no key: kept, CRM fields empty");
    let tiers: Vec<String> = segments(&out).into_iter().filter(|s| s.field == "tier").map(|s| s.value).collect();
    assert!(tiers.contains(&"gold".to_string()) && tiers.contains(&"silver".to_string()), "{tiers:?}");

    // Twilio's key is customer_key; the basic calls' region clashes with the CRM's.
    let inputs = [vendors("twilio"), fixture("basic/calls.jsonl")];
    let (_b, out) = mine(&inputs, &["--metadata", crm_region.to_str().unwrap(), "--join-on", "customer_key"]);
    let join = manifest(&out).metadata_join.unwrap();
    assert_eq!((join.calls_joined, join.calls_unknown_key, join.calls_missing_key), (0, 1, 12));
    assert_eq!(join.clashes["region"], 12, "the calls' own region is kept");
    let calls = common::calls(&out);
    assert!(calls.iter().all(|c| c.region != "mars" && c.region != "venus"));
}

#[test]
fn a_bad_metadata_file_is_a_usage_error_before_reading() {
    let tmp = tempfile::tempdir().unwrap();
    let crm = tmp.path().join("crm.csv");
    fs::write(&crm, "customer_id,tier\nC-1,gold\nC-1,silver\n").unwrap();
    let out = tmp.path().join("report");
    let run =
        |args: &[&str]| earful().arg("mine").arg(vendors("ccai")).args(args).arg("--out").arg(&out).output().unwrap();
    let output = run(&["--metadata", crm.to_str().unwrap(), "--join-on", "customer_id"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("key \"C-1\" on lines 2 and 3 with different values"), "{stderr}");
    assert!(!out.exists(), "nothing written");
    let output = run(&["--metadata", crm.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "--metadata needs --join-on");
    let output = run(&["--metadata", crm.to_str().unwrap(), "--join-on", "account"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("no column \"account\""));
}

#[test]
fn a_zstd_bomb_is_stopped() {
    // A zstd frame of RLE blocks: 4 bytes on disk for each 128 KiB of zeros.
    let mut bomb = vec![0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38];
    let blocks = 300 * 8;
    for i in 0..blocks {
        let last = u32::from(i == blocks - 1);
        let header = last | (1 << 1) | ((128 << 10) << 3);
        bomb.extend_from_slice(&header.to_le_bytes()[..3]);
        bomb.push(0);
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("bomb.jsonl.zst"), &bomb).unwrap();
    fs::copy(vendors("twilio/sentences-0425.json"), dir.join("good.json")).unwrap();
    let config = tmp.path().join("earful.toml");
    fs::write(&config, "[limits]\nmax_expansion = 2\nmax_record_bytes = 1048576\n").unwrap();
    let args =
        [dir.display().to_string(), "--taxonomy".into(), taxonomy(), "--config".into(), config.display().to_string()];
    let (_t, out) = run_mine(&args);
    let m = check_accounting(&out);
    let bomb_entry = m.inputs.iter().find(|i| i.path.ends_with("bomb.jsonl.zst")).unwrap();
    assert_eq!((bomb_entry.compression.as_str(), bomb_entry.calls), ("zstd", 0));
    let rejects = rejects(&out);
    assert!(
        rejects.iter().any(|r| r.file.ends_with("bomb.jsonl.zst") && r.reason.contains("decompression bomb")),
        "{rejects:#?}"
    );
    assert_eq!(m.totals.calls, 1);
}
