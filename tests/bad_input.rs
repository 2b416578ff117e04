//! Hostile and broken input: nothing lost, nothing leaked, nothing crashes.
//!
//! Each test builds its inputs in a temp dir (big ones are generated, never committed), runs the
//! `earful` binary, and checks that
//! - the run exits 0 (bad records never change the exit code),
//! - the bad record is in rejects.csv with its file, its line (JSONL) and a reason that says why,
//! - every record is accounted for: `records = calls + rejects`, in total and per input file,
//!   and calls.csv / rejects.csv have as many rows as the manifest says,
//! - the good calls beside the bad ones are all in calls.csv (nothing lost).
//!
//! The formula-injection test reads back every cell of every CSV and every string of every
//! sheet of report.xlsx. Tests named after a bug or a missing feature fail until it is fixed.

mod common;

use std::ffi::OsString;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use calamine::Reader;
use common::*;
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------
// Helpers.

/// A JSONL call whose customer says `said` (after an agent greeting).
fn call_line(id: &str, said: &str) -> String {
    serde_json::json!({
        "call_id": id,
        "metadata": {"region": "west"},
        "turns": [
            {"speaker": "agent", "text": "Thanks for calling, how can I help?"},
            {"speaker": "customer", "text": said}
        ]
    })
    .to_string()
}

/// A good JSONL call with a billing complaint of the built-in taxonomy.
fn good(id: &str) -> String {
    call_line(id, "I was charged twice this month.")
}

/// A good plain-text call.
const GOOD_TXT: &str = "Agent: Thanks for calling, how can I help?\nCustomer: I was charged twice this month.\n";

/// A temp dir with an `in` folder for the inputs.
struct Inputs {
    tmp: TempDir,
}

impl Inputs {
    fn new() -> Inputs {
        let tmp = tempfile::tempdir().expect("temp dir");
        fs::create_dir(tmp.path().join("in")).unwrap();
        Inputs { tmp }
    }

    /// The input folder.
    fn dir(&self) -> PathBuf {
        self.tmp.path().join("in")
    }

    /// Writes a file into the input folder and returns its path.
    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir().join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&path, bytes).unwrap();
        path
    }

    /// Writes a config file beside (not inside) the input folder.
    fn config(&self, text: &str) -> PathBuf {
        let path = self.tmp.path().join("earful.toml");
        fs::write(&path, text).unwrap();
        path
    }

    /// Mines the input folder (built-in taxonomy) and checks the accounting.
    fn mine(&self, config: Option<&Path>) -> Run {
        self.mine_inputs(&[self.dir()], config)
    }

    /// Mines these inputs into `<tmp>/report` and checks the accounting.
    fn mine_inputs(&self, inputs: &[PathBuf], config: Option<&Path>) -> Run {
        self.mine_into("report", inputs, config, &[])
    }

    /// Mines these inputs into `<tmp>/<name>` with extra arguments and checks the accounting.
    fn mine_into(&self, name: &str, inputs: &[PathBuf], config: Option<&Path>, extra: &[&str]) -> Run {
        let out = self.tmp.path().join(name);
        let mut args: Vec<OsString> = vec!["mine".into()];
        args.extend(inputs.iter().map(|p| p.clone().into_os_string()));
        if let Some(config) = config {
            args.extend(["--config".into(), config.as_os_str().to_owned()]);
        }
        args.extend(extra.iter().map(OsString::from));
        args.extend(["--out".into(), out.clone().into_os_string(), "--quiet".into(), "--force".into()]);
        let output = earful().args(&args).timeout(Duration::from_secs(300)).output().expect("run earful");
        assert!(
            output.status.success(),
            "earful mine failed with {:?} (None = killed by a signal or the timeout)\nstderr:\n{}",
            output.status.code(),
            String::from_utf8_lossy(&output.stderr)
        );
        Run::read(out)
    }
}

/// A finished run, read back.
struct Run {
    out: PathBuf,
    manifest: Manifest,
    rejects: Vec<RejectRow>,
    call_ids: Vec<String>,
}

impl Run {
    /// Reads the report and checks that every record is accounted for.
    fn read(out: PathBuf) -> Run {
        let manifest = manifest(&out);
        let rejects = rejects(&out);
        let (header, rows) = read_raw(&out.join("calls.csv"));
        let id = header.iter().position(|h| h == "call_id").expect("call_id column");
        let call_ids: Vec<String> = rows.iter().map(|r| r[id].clone()).collect();
        let t = &manifest.totals;
        assert_eq!(t.records, t.calls + t.rejects, "totals do not add up: {t:?}\nrejects: {rejects:#?}");
        assert_eq!(t.calls as usize, call_ids.len(), "calls.csv rows vs totals.calls");
        assert_eq!(t.rejects as usize, rejects.len(), "rejects.csv rows vs totals.rejects");
        for input in &manifest.inputs {
            assert_eq!(input.records, input.calls + input.rejects, "{input:?}");
        }
        for r in &rejects {
            assert!(!r.file.is_empty() && !r.reason.trim().is_empty(), "reject without file or reason: {r:?}");
        }
        let _ = mentions(&out);
        Run { out, manifest, rejects, call_ids }
    }

    /// The reject of `file` (matched on the end of its path) at `record`, whose reason contains
    /// `word`.
    fn expect_reject(&self, file: &str, record: &str, word: &str) -> &RejectRow {
        let reject = self
            .rejects
            .iter()
            .find(|r| r.file.ends_with(file) && r.record == record)
            .unwrap_or_else(|| panic!("no reject for {file} {record:?}; rejects: {:#?}", self.rejects));
        assert!(reject.reason.contains(word), "reason should contain {word:?}: {reject:?}");
        reject
    }

    /// Asserts that these calls are in calls.csv, each once.
    fn expect_calls(&self, ids: &[&str]) {
        for id in ids {
            let n = self.call_ids.iter().filter(|c| c == id).count();
            assert_eq!(n, 1, "call {id:?} is in calls.csv {n} times; calls: {:?}", self.call_ids);
        }
    }

    /// The manifest entry of an input file.
    fn input(&self, file: &str) -> &InputEntry {
        self.manifest
            .inputs
            .iter()
            .find(|i| i.path.ends_with(file))
            .unwrap_or_else(|| panic!("{file} not in manifest inputs: {:#?}", self.manifest.inputs))
    }
}

/// Deterministic pseudo-random bytes (xorshift64*), so that a failure can be reproduced.
fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.max(1);
    (0..len)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
        })
        .collect()
}

/// Lines of `bytes` that are records: not blank after trimming ASCII whitespace.
fn non_blank_lines(bytes: &[u8]) -> u64 {
    bytes.split(|&b| b == b'\n').filter(|l| !l.trim_ascii().is_empty()).count() as u64
}

// ---------------------------------------------------------------------------------------------
// Broken JSON.

#[test]
fn truncated_json_is_rejected_with_its_line() {
    let inputs = Inputs::new();
    let truncated = r#"{"call_id":"t1","turns":[{"speaker":"customer","text":"I was charg"#;
    let at_eof = r#"{"call_id":"t2","turns":["#;
    inputs.write("calls.jsonl", format!("{}\n{truncated}\n{}\n{at_eof}", good("g1"), good("g2")));
    let run = inputs.mine(None);
    run.expect_reject("calls.jsonl", "line 2", "truncated");
    run.expect_reject("calls.jsonl", "line 4", "truncated");
    run.expect_calls(&["g1", "g2"]);
    assert_eq!(run.manifest.totals.records, 4);
}

#[test]
fn invalid_utf8_in_a_jsonl_line_is_rejected() {
    let inputs = Inputs::new();
    let mut bytes = format!("{}\n", good("g1")).into_bytes();
    // Latin-1 "café" inside a string value, then a stray byte between tokens.
    bytes.extend(b"{\"call_id\":\"u1\",\"turns\":[{\"speaker\":\"customer\",\"text\":\"caf\xe9 charged twice\"}]}\n");
    bytes.extend(b"{\"call_id\":\"u2\", \xff \"turns\":[]}\n");
    bytes.extend(format!("{}\n", good("g2")).as_bytes());
    inputs.write("calls.jsonl", bytes);
    let run = inputs.mine(None);
    let reason = &run.expect_reject("calls.jsonl", "line 2", "invalid").reason;
    assert!(reason.contains("invalid JSON"), "{reason}");
    run.expect_reject("calls.jsonl", "line 3", "invalid JSON");
    run.expect_calls(&["g1", "g2"]);
}

#[test]
fn invalid_utf8_in_a_txt_is_rejected() {
    let inputs = Inputs::new();
    inputs.write("good.txt", GOOD_TXT);
    inputs.write("latin1.txt", b"Agent: Hello.\nCustomer: caf\xe9, I was charged twice.\n");
    let run = inputs.mine(None);
    run.expect_reject("latin1.txt", "", "UTF-8");
    run.expect_calls(&["good"]);
}

#[test]
fn invalid_utf8_in_a_csv_row_is_rejected_and_the_rest_read() {
    let inputs = Inputs::new();
    inputs.write("turns.csv", b"call_id,speaker,text\nc1,customer,I was charged twice\nc2,customer,caf\xe9 charged twice\nc3,customer,my internet is down\n");
    let run = inputs.mine(None);
    run.expect_reject("turns.csv", "line 3", "UTF-8");
    run.expect_calls(&["c1", "c3"]);
}

// ---------------------------------------------------------------------------------------------
// Byte-order marks and line endings: read, not rejected.

#[test]
fn byte_order_marks_are_read_not_rejected() {
    let inputs = Inputs::new();
    let bom = "\u{feff}";
    inputs.write("calls.jsonl", format!("{bom}{}\n{}\n", good("j1"), good("j2")));
    inputs.write("turns.csv", format!("{bom}call_id,speaker,text\nv1,customer,I was charged twice\n"));
    inputs.write("t1.txt", format!("{bom}{GOOD_TXT}"));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(format!("{bom}{}\n", good("z1")).as_bytes()).unwrap();
    inputs.write("packed.jsonl.gz", gz.finish().unwrap());
    let run = inputs.mine(None);
    assert!(run.rejects.is_empty(), "a byte-order mark made a reject: {:#?}", run.rejects);
    run.expect_calls(&["j1", "j2", "v1", "t1", "z1"]);
    // The BOM is not part of the CSV header (the call_id column was found) nor of the text.
    let mentions = mentions(&run.out);
    assert!(mentions.iter().all(|m| !m.quote.contains('\u{feff}')), "{mentions:?}");
    assert_eq!(mentions.iter().filter(|m| m.category == "billing").count(), 5, "{mentions:?}");
}

#[test]
fn crlf_line_endings_are_read() {
    let inputs = Inputs::new();
    inputs.write("calls.jsonl", format!("{}\r\n\r\n{}\r\n", good("j1"), good("j2")));
    inputs.write("turns.csv", "call_id,speaker,text\r\nv1,agent,Hello\r\nv1,customer,I was charged twice\r\n");
    inputs.write("t1.txt", GOOD_TXT.replace('\n', "\r\n"));
    let run = inputs.mine(None);
    assert!(run.rejects.is_empty(), "{:#?}", run.rejects);
    run.expect_calls(&["j1", "j2", "v1", "t1"]);
    assert_eq!(run.input("calls.jsonl").records, 2, "a CRLF-only line is blank, not a record");
    let mentions = mentions(&run.out);
    assert_eq!(mentions.iter().filter(|m| m.category == "billing").count(), 4, "{mentions:?}");
    assert!(mentions.iter().all(|m| !m.quote.contains('\r')), "{mentions:?}");
}

#[test]
fn lone_cr_inside_records_is_read() {
    // A CR between JSON tokens is whitespace; an escaped \r in a string and a CR inside a quoted
    // CSV field are part of the text.
    let inputs = Inputs::new();
    let spaced =
        r#"{"call_id":"j1",\r"turns":[{"speaker":"customer","text":"I was charged twice"}]}"#.replace("\\r", "\r");
    let escaped = call_line("j2", "Hello.\rI was charged twice.");
    inputs.write("calls.jsonl", format!("{spaced}\n{escaped}\n"));
    inputs.write("turns.csv", "call_id,speaker,text\nv1,customer,\"Hello.\rI was charged twice\"\n");
    let run = inputs.mine(None);
    assert!(run.rejects.is_empty(), "{:#?}", run.rejects);
    run.expect_calls(&["j1", "j2", "v1"]);
    let mentions = mentions(&run.out);
    assert_eq!(mentions.iter().filter(|m| m.category == "billing").count(), 3, "{mentions:?}");
    assert!(mentions.iter().all(|m| !m.quote.contains('\r')), "{mentions:?}");
}

#[test]
fn lone_cr_line_endings_in_csv_are_read() {
    let inputs = Inputs::new();
    inputs.write(
        "turns.csv",
        "call_id,speaker,text\rv1,agent,Hello\rv1,customer,I was charged twice\rv2,customer,my internet is down\r",
    );
    let run = inputs.mine(None);
    assert!(run.rejects.is_empty(), "{:#?}", run.rejects);
    run.expect_calls(&["v1", "v2"]);
}

/// A JSONL file with classic-Mac line endings (lone CR throughout).
#[test]
fn lone_cr_line_endings_in_jsonl_are_read() {
    let inputs = Inputs::new();
    inputs.write("calls.jsonl", format!("{}\r{}\r", good("j1"), good("j2")));
    let run = inputs.mine(None);
    assert!(run.rejects.is_empty(), "{:#?}", run.rejects);
    run.expect_calls(&["j1", "j2"]);
}

/// A text transcript with classic-Mac line endings (lone CR): read as one line, the customer's
/// turn would be glued to the agent's and the call rejected.
#[test]
fn lone_cr_line_endings_in_txt_are_read() {
    let inputs = Inputs::new();
    inputs.write("t1.txt", GOOD_TXT.replace('\n', "\r"));
    let run = inputs.mine(None);
    assert!(run.rejects.is_empty(), "{:#?}", run.rejects);
    run.expect_calls(&["t1"]);
    let mentions = mentions(&run.out);
    assert_eq!(mentions.len(), 1, "{mentions:?}");
    assert_eq!(mentions[0].quote, "I was charged twice this month.");
}

// ---------------------------------------------------------------------------------------------
// Empty files and empty calls.

#[test]
fn empty_files() {
    let inputs = Inputs::new();
    inputs.write("empty.jsonl", "");
    inputs.write("blank.jsonl", "\n \n\t\r\n\n");
    inputs.write("empty.txt", "");
    inputs.write("blank.txt", "\n  \n");
    inputs.write("empty.csv", "");
    inputs.write("header-only.csv", "call_id,speaker,text\n");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b"").unwrap();
    inputs.write("empty.jsonl.gz", gz.finish().unwrap());
    inputs.write("good.jsonl", format!("{}\n", good("g1")));
    let run = inputs.mine(None);
    for file in ["empty.jsonl", "blank.jsonl", "empty.jsonl.gz", "header-only.csv"] {
        let input = run.input(file);
        assert_eq!((input.records, input.calls, input.rejects), (0, 0, 0), "{input:?}");
        assert!(run.rejects.iter().all(|r| !r.file.ends_with(file)), "{file} was rejected: {:#?}", run.rejects);
    }
    run.expect_reject("empty.txt", "", "empty");
    run.expect_reject("blank.txt", "", "empty");
    // An empty CSV has no header, so no text column: one reject naming the file.
    run.expect_reject("empty.csv", "line 1", "no text column");
    run.expect_calls(&["g1"]);
    assert_eq!(run.manifest.totals.rejects, 3, "{:#?}", run.rejects);
}

#[test]
fn a_call_with_no_turns_is_rejected() {
    let inputs = Inputs::new();
    let none = r#"{"call_id":"n1","turns":[]}"#;
    inputs.write("calls.jsonl", format!("{}\n{none}\n{}\n", good("g1"), good("g2")));
    let run = inputs.mine(None);
    let reject = run.expect_reject("calls.jsonl", "line 2", "no turns");
    assert!(reject.reason.contains("n1"), "{reject:?}");
    run.expect_calls(&["g1", "g2"]);
}

#[test]
fn a_call_with_only_agent_turns_is_rejected() {
    let inputs = Inputs::new();
    let agent_only = serde_json::json!({"call_id": "a1", "turns": [
        {"speaker": "agent", "text": "Sorry you were charged twice."},
        {"speaker": "Rep 2", "text": "Anything else?"}
    ]});
    inputs.write("calls.jsonl", format!("{}\n{agent_only}\n{}\n", good("g1"), good("g2")));
    inputs.write("agent.txt", "Agent: Hello?\nAgent: Is anyone there?\n");
    let run = inputs.mine(None);
    let reject = run.expect_reject("calls.jsonl", "line 2", "no customer turn");
    assert!(reject.reason.contains("Rep 2"), "the reason lists the speaker labels: {reject:?}");
    run.expect_reject("agent.txt", "", "no customer turn");
    run.expect_calls(&["g1", "g2"]);
    assert!(mentions(&run.out).iter().all(|m| m.call_id != "a1"));
}

// ---------------------------------------------------------------------------------------------
// Giant records.

/// Writes `good(g1)`, a `size`-byte JSON line (a customer turn of `x`s), `good(g2)`.
fn write_giant_line(path: &Path, size: usize) {
    let mut file = BufWriter::with_capacity(1 << 20, fs::File::create(path).unwrap());
    writeln!(file, "{}", good("g1")).unwrap();
    let head = br#"{"call_id":"big","turns":[{"speaker":"customer","text":""#;
    let tail = b"\"}]}\n";
    file.write_all(head).unwrap();
    let chunk = vec![b'x'; 1 << 20];
    let mut left = size - head.len() - tail.len() + 1;
    while left > 0 {
        let n = left.min(chunk.len());
        file.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    file.write_all(tail).unwrap();
    writeln!(file, "{}", good("g2")).unwrap();
    file.flush().unwrap();
}

#[test]
fn a_200_mb_line_is_rejected_under_a_small_limit() {
    let inputs = Inputs::new();
    write_giant_line(&inputs.dir().join("giant.jsonl"), 200 << 20);
    let mut big_txt = BufWriter::new(fs::File::create(inputs.dir().join("giant.txt")).unwrap());
    big_txt.write_all(b"Customer: ").unwrap();
    for _ in 0..4 {
        big_txt.write_all(&[b'y'; 1 << 20]).unwrap();
    }
    big_txt.flush().unwrap();
    drop(big_txt);
    let config = inputs.config("[limits]\nmax_record_bytes = 1048576\n");
    let run = inputs.mine(Some(&config));
    run.expect_reject("giant.jsonl", "line 2", "max_record_bytes");
    run.expect_reject("giant.txt", "", "max_record_bytes");
    run.expect_calls(&["g1", "g2"]);
    let input = run.input("giant.jsonl");
    assert_eq!((input.records, input.calls, input.rejects), (3, 2, 1));
}

/// Missing feature: `limits.max_record_bytes` does not apply to CSV, whose rows are read whole by
/// the csv crate (and a CSV file is held in memory while it is read).
#[test]
fn a_giant_csv_field_is_rejected_under_the_limit() {
    let inputs = Inputs::new();
    let mut csv = b"call_id,speaker,text\nc1,customer,I was charged twice\nc2,customer,\"".to_vec();
    csv.extend(std::iter::repeat_n(b'x', 8 << 20));
    csv.extend(b"\"\nc3,customer,my internet is down\n");
    inputs.write("turns.csv", &csv);
    let config = inputs.config("[limits]\nmax_record_bytes = 1048576\n");
    let run = inputs.mine(Some(&config));
    run.expect_calls(&["c1", "c3"]);
    run.expect_reject("turns.csv", "line 3", "max_record_bytes");
}

#[test]
fn a_70_mb_line_is_rejected_under_the_default_limit() {
    let inputs = Inputs::new();
    write_giant_line(&inputs.dir().join("giant.jsonl"), 70 << 20);
    let run = inputs.mine(None);
    run.expect_reject("giant.jsonl", "line 2", "max_record_bytes");
    run.expect_calls(&["g1", "g2"]);
}

// ---------------------------------------------------------------------------------------------
// Deep nesting.

#[test]
fn deeply_nested_json_is_rejected_not_a_crash() {
    let inputs = Inputs::new();
    let deep = 100_000;
    let lines = [
        good("g1"),
        "[".repeat(deep),
        format!("{}{}", "[".repeat(deep), "]".repeat(deep)),
        format!(r#"{{"call_id":"n1","turns":{}"#, "[".repeat(deep)),
        format!(r#"{{"call_id":"n2","metadata":{}1{}}}"#, r#"{"a":"#.repeat(deep), "}".repeat(deep)),
        format!(r#"{{"call_id":"n3","turns":[{{"speaker":"customer","text":{}}}]}}"#, "{\"t\":".repeat(deep)),
        good("g2"),
    ];
    inputs.write("deep.jsonl", lines.join("\n") + "\n");
    let run = inputs.mine(None);
    for line in 2..=6 {
        let reject = run.expect_reject("deep.jsonl", &format!("line {line}"), "JSON");
        assert!(reject.reason.contains("recursion limit") || reject.reason.contains("truncated"), "{reject:?}");
    }
    run.expect_reject("deep.jsonl", "line 3", "recursion limit");
    run.expect_calls(&["g1", "g2"]);
}

#[test]
fn nested_metadata_within_the_limit_is_flattened() {
    let inputs = Inputs::new();
    let depth = 60;
    let line = format!(
        r#"{{"call_id":"m1","metadata":{}"deep"{},"turns":[{{"speaker":"customer","text":"I was charged twice"}}]}}"#,
        r#"{"a":"#.repeat(depth),
        "}".repeat(depth)
    );
    inputs.write("calls.jsonl", line + "\n");
    let run = inputs.mine(None);
    run.expect_calls(&["m1"]);
    let (header, _) = read_raw(&run.out.join("calls.csv"));
    let key = vec!["a"; depth].join(".");
    assert!(header.contains(&key), "{header:?}");
}

// ---------------------------------------------------------------------------------------------
// NUL bytes and binary files.

#[test]
fn nul_bytes_in_jsonl_are_rejected_or_read() {
    let inputs = Inputs::new();
    let escaped = call_line("e1", "I was \u{0}charged twice\u{0} this month.");
    let mut bytes = format!("{}\n{escaped}\n", good("g1")).into_bytes();
    bytes.extend(
        b"{\"call_id\":\"r1\",\"turns\":[{\"speaker\":\"customer\",\"text\":\"raw \0 NUL, charged twice\"}]}\n",
    );
    bytes.extend(b"\0\0\0\n");
    bytes.extend(format!("{}\n", good("g2")).as_bytes());
    inputs.write("nul.jsonl", bytes);
    let run = inputs.mine(None);
    run.expect_calls(&["g1", "e1", "g2"]);
    run.expect_reject("nul.jsonl", "line 3", "control character");
    run.expect_reject("nul.jsonl", "line 4", "invalid JSON");
    // The escaped NUL reaches the report: the CSVs and the workbook are still readable.
    let mut book = workbook(&run.out);
    for name in book.sheet_names() {
        book.worksheet_range(&name).unwrap_or_else(|e| panic!("sheet {name}: {e}"));
    }
    let quotes: Vec<String> = mentions(&run.out).into_iter().filter(|m| m.call_id == "e1").map(|m| m.quote).collect();
    assert_eq!(quotes.len(), 1, "{quotes:?}");
}

#[test]
fn binary_files_are_rejected_or_read_never_a_crash() {
    let inputs = Inputs::new();
    let mut jsonl = random_bytes(7, 64 << 10);
    // Make sure there are NULs and many lines.
    for i in (0..jsonl.len()).step_by(97) {
        jsonl[i] = if i % 2 == 0 { b'\n' } else { 0 };
    }
    inputs.write("binary.jsonl", &jsonl);
    inputs.write("binary.csv", random_bytes(8, 16 << 10));
    inputs.write("binary.txt", random_bytes(9, 16 << 10));
    inputs.write("good.jsonl", format!("{}\n", good("g1")));
    let run = inputs.mine(None);
    run.expect_calls(&["g1"]);
    let input = run.input("binary.jsonl");
    assert_eq!(input.records, non_blank_lines(&jsonl), "one record per non-blank line");
    assert_eq!(input.calls, 0);
    // Line 1 is blank (byte 0 is a newline); line 2 is the first record.
    run.expect_reject("binary.jsonl", "line 2", "JSON");
    assert!(run.input("binary.csv").rejects >= 1, "{:?}", run.manifest.inputs);
    run.expect_reject("binary.txt", "", "UTF-8");
}

// ---------------------------------------------------------------------------------------------
// Decompression bombs.

/// A gzip of `mib` MiB of zeros, as one gzip member. Compressing 300 MiB in a debug build takes
/// minutes, so 1 MiB is compressed once as a self-contained deflate block (full flush: it refers
/// to no earlier data) and that block is repeated; the CRC of the whole is combined from the
/// CRC of one block, so the file is a valid gzip that `gzip -t` accepts.
fn gzip_zeros(mib: usize) -> Vec<u8> {
    let chunk = vec![0u8; 1 << 20];
    let mut deflate = flate2::Compress::new(flate2::Compression::best(), false);
    let mut block = Vec::with_capacity(64 << 10);
    deflate.compress_vec(&chunk, &mut block, flate2::FlushCompress::Full).unwrap();
    assert_eq!(deflate.total_in(), chunk.len() as u64, "the whole chunk was compressed");
    let mut crc = flate2::Crc::new();
    let mut one = flate2::Crc::new();
    one.update(&chunk);
    // gzip header: magic, deflate, no flags, no mtime, no extra flags, OS unknown.
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    for _ in 0..mib {
        gz.extend_from_slice(&block);
        crc.combine(&one);
    }
    gz.extend_from_slice(&[0x03, 0x00]); // the final, empty, fixed-Huffman block
    gz.extend_from_slice(&crc.sum().to_le_bytes());
    gz.extend_from_slice(&((mib as u64) << 20).to_le_bytes()[..4]); // ISIZE, size mod 2^32
    gz
}

#[test]
fn the_test_gzip_bomb_is_a_valid_gzip() {
    let gz = gzip_zeros(3);
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(gz.as_slice()), &mut plain).unwrap();
    assert_eq!(plain.len(), 3 << 20);
    assert!(plain.iter().all(|&b| b == 0));
}

#[test]
fn a_gzip_bomb_is_stopped() {
    let inputs = Inputs::new();
    let bomb = gzip_zeros(300);
    assert!(bomb.len() < 1 << 20, "the bomb is small on disk: {} bytes", bomb.len());
    inputs.write("bomb.jsonl.gz", &bomb);
    // gzip is recognised from the bytes whatever the name.
    inputs.write("bomb-in-disguise.jsonl", &bomb);
    inputs.write("good.jsonl", format!("{}\n", good("g1")));
    let config = inputs.config("[limits]\nmax_expansion = 2\nmax_record_bytes = 1048576\n");
    let run = inputs.mine(Some(&config));
    for file in ["bomb.jsonl.gz", "bomb-in-disguise.jsonl"] {
        let reject = run
            .rejects
            .iter()
            .find(|r| r.file.ends_with(file) && r.reason.contains("decompression bomb"))
            .unwrap_or_else(|| panic!("{file} not rejected as a decompression bomb: {:#?}", run.rejects));
        assert!(reject.reason.contains("max_expansion"), "{reject:?}");
        assert_eq!(run.input(file).calls, 0);
        assert!(run.input(file).gzip);
    }
    run.expect_calls(&["g1"]);
}

// ---------------------------------------------------------------------------------------------
// The file system.

#[test]
fn a_symlink_loop_terminates_and_reads_each_file_once() {
    let inputs = Inputs::new();
    let dir = inputs.dir();
    inputs.write("a.jsonl", format!("{}\n", good("a1")));
    inputs.write("sub/b.jsonl", format!("{}\n", good("b1")));
    inputs.write("sub/deeper/c.txt", GOOD_TXT);
    std::os::unix::fs::symlink(&dir, dir.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink("..", dir.join("sub/deeper/up")).unwrap();
    std::os::unix::fs::symlink(".", dir.join("self")).unwrap();
    std::os::unix::fs::symlink("a.jsonl", dir.join("link.jsonl")).unwrap();
    std::os::unix::fs::symlink("nowhere.jsonl", dir.join("dangling.jsonl")).unwrap();
    let run = inputs.mine(None);
    run.expect_calls(&["a1", "b1", "c"]);
    assert_eq!(run.manifest.totals.calls, 3);
    assert!(run.rejects.iter().all(|r| !r.reason.contains("duplicate")), "a file was read twice: {:#?}", run.rejects);
    run.expect_reject("dangling.jsonl", "", "cannot read");
    assert_eq!(run.manifest.totals.rejects, 1, "{:#?}", run.rejects);
}

/// Whether this process can still read a file that has no read permission (root can).
fn still_readable(path: &Path) -> bool {
    fs::read(path).is_ok()
}

#[test]
fn an_unreadable_file_is_one_reject() {
    use std::os::unix::fs::PermissionsExt;
    let inputs = Inputs::new();
    let secret = inputs.write("secret.jsonl", format!("{}\n", good("s1")));
    inputs.write("good.jsonl", format!("{}\n", good("g1")));
    let locked = inputs.write("locked/inner.jsonl", format!("{}\n", good("l1")));
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(locked.parent().unwrap(), fs::Permissions::from_mode(0o000)).unwrap();
    let root = still_readable(&secret);
    let run = inputs.mine(None);
    fs::set_permissions(locked.parent().unwrap(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o644)).unwrap();
    run.expect_calls(&["g1"]);
    if root {
        println!("note: running as root, chmod 000 does not stop reading; only the accounting is checked");
        run.expect_calls(&["s1", "l1"]);
        assert!(run.rejects.is_empty(), "{:#?}", run.rejects);
    } else {
        let reject = run.expect_reject("secret.jsonl", "", "cannot open");
        assert!(reject.reason.contains("ermission denied"), "{reject:?}");
        run.expect_reject("locked", "", "cannot list folder");
        assert!(!run.call_ids.iter().any(|c| c == "s1" || c == "l1"));
    }
}

// ---------------------------------------------------------------------------------------------
// Duplicate call ids.

#[test]
fn duplicate_call_ids_keep_the_first() {
    let inputs = Inputs::new();
    let later = call_line("d1", "My internet is down again.");
    inputs.write("a.jsonl", format!("{}\n{}\n{later}\n", good("d1"), good("d2")));
    inputs.write("b.jsonl", format!("{}\n{}\n", good("d2"), good("d3")));
    // A text transcript whose stem collides with a JSONL call id (files are read sorted: a, b, d1).
    inputs.write("d1.txt", GOOD_TXT);
    let run = inputs.mine(None);
    run.expect_calls(&["d1", "d2", "d3"]);
    let reject = run.expect_reject("a.jsonl", "line 3", "duplicate call_id");
    assert!(reject.reason.contains("a.jsonl line 1"), "the reason says where the kept one is: {reject:?}");
    run.expect_reject("b.jsonl", "line 1", "duplicate call_id");
    run.expect_reject("d1.txt", "", "duplicate call_id");
    // The first one is kept: d1 is the billing call, not the outage one.
    let d1: Vec<MentionRow> = mentions(&run.out).into_iter().filter(|m| m.call_id == "d1").collect();
    assert!(d1.len() == 1 && d1[0].category == "billing", "{d1:?}");
    assert_eq!(run.manifest.totals.rejects, 3);
}

#[test]
fn duplicates_far_apart_keep_the_first_whatever_the_thread_count() {
    // About 6 MB of 3 KB calls: more than one batch of the reader and many chunks of the
    // workers. Every hundredth call repeats the id of the call 70 lines before it (another chunk,
    // and for one of them another batch) with an outage instead of the billing complaint.
    let inputs = Inputs::new();
    let filler = "We talked about the weather and the plans for the weekend at some length. ".repeat(38);
    let mut lines = Vec::new();
    let mut expected = Vec::new();
    for i in 0..2000usize {
        let line = if i == 800 {
            "{\"call_id\": \"broken\", \"turns\": [".to_string()
        } else if i % 100 == 99 {
            expected.push((i + 1, i - 70 + 1));
            call_line(&format!("c{}", i - 70), &format!("{filler}My internet is down again."))
        } else {
            call_line(&format!("c{i}"), &format!("{filler}I was charged twice this month."))
        };
        lines.push(line);
    }
    let path = inputs.write("calls.jsonl", lines.join("\n") + "\n");
    assert!(fs::metadata(&path).unwrap().len() > 5 << 20, "the corpus spans more than one 4 MB batch");
    let runs: Vec<Run> = ["1", "2", "3"]
        .iter()
        .map(|n| inputs.mine_into(&format!("t{n}"), std::slice::from_ref(&path), None, &["--threads", n]))
        .collect();
    let one = &runs[0];
    assert_eq!(one.rejects.len(), expected.len() + 1, "{:#?}", one.rejects);
    one.expect_reject("calls.jsonl", "line 801", "");
    for (line, kept) in &expected {
        let reject = one.expect_reject("calls.jsonl", &format!("line {line}"), "duplicate call_id");
        assert!(reject.reason.ends_with(&format!("at {} line {kept}", path.display())), "{reject:?}");
    }
    // The first of each id is kept: no call has the outage.
    assert!(mentions(&one.out).iter().all(|m| m.category == "billing"));
    assert_eq!(one.call_ids.len(), 2000 - expected.len() - 1);
    for run in &runs[1..] {
        for name in ["calls.csv", "mentions.csv", "rejects.csv", "categories.csv", "segments.csv"] {
            let (a, b) = (fs::read(one.out.join(name)).unwrap(), fs::read(run.out.join(name)).unwrap());
            assert!(a == b, "{name} differs between --threads 1 and {}", run.out.display());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Too many metadata fields.

/// A call with metadata `{"region": region, <field>: "x"}`.
fn call_with_field(id: &str, region: &str, field: &str) -> String {
    serde_json::json!({
        "call_id": id,
        "metadata": {"region": region, field: "x"},
        "turns": [{"speaker": "customer", "text": "I was charged twice this month."}]
    })
    .to_string()
}

#[test]
fn metadata_fields_past_the_limit_are_left_out_and_named() {
    // Every call has a field of its own (a CRM export keyed by id, say).
    let inputs = Inputs::new();
    let lines: Vec<String> =
        (0..40).map(|i| call_with_field(&format!("c{i}"), ["west", "east"][i % 2], &format!("f{i}"))).collect();
    inputs.write("calls.jsonl", lines.join("\n") + "\n");
    let config = inputs.config("[limits]\nmax_metadata_fields = 3\n");
    let out = inputs.tmp.path().join("report");
    let output = earful()
        .args(["mine".as_ref(), inputs.dir().as_os_str(), "--config".as_ref(), config.as_os_str()])
        .args(["--out".as_ref(), out.as_os_str(), "--force".as_ref()])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("warning: 38 metadata fields (the first: f2, f3, f4"), "{stderr}");
    let run = Run::read(out);
    assert_eq!(run.call_ids.len(), 40, "no call is lost");
    // The first three fields seen have columns; the rest are counted and the first ten named.
    let (header, rows) = read_raw(&run.out.join("calls.csv"));
    assert_eq!(header[2..6], ["region", "f0", "f1", "turns"]);
    assert!(rows.iter().all(|r| r.len() == header.len()));
    let dropped = &run.manifest.dropped_metadata_fields;
    assert_eq!(dropped.count, 38);
    assert_eq!(dropped.first, (2..=11).map(|i| format!("f{i}")).collect::<Vec<_>>());
    // Segments leave them out too; region is still a segment.
    let fields: std::collections::BTreeSet<String> = segments(&run.out).into_iter().map(|s| s.field).collect();
    assert!(fields.contains("region") && fields.contains("f1") && !fields.contains("f2"), "{fields:?}");
}

#[test]
fn thousands_of_metadata_fields_do_not_stop_the_run() {
    // More fields than a sheet has columns (17 calls of 1,000 fields each): the workbook used to
    // fail, and with it the run.
    let inputs = Inputs::new();
    let lines: Vec<String> = (0..17)
        .map(|c| {
            let mut metadata = serde_json::Map::new();
            metadata.insert("region".into(), "west".into());
            for f in 0..1000 {
                metadata.insert(format!("f{}", c * 1000 + f), "x".into());
            }
            let turns = serde_json::json!([{"speaker": "customer", "text": "I was charged twice."}]);
            serde_json::json!({"call_id": format!("c{c}"), "metadata": metadata, "turns": turns}).to_string()
        })
        .collect();
    inputs.write("calls.jsonl", lines.join("\n") + "\n");
    let run = inputs.mine(None);
    assert_eq!(run.call_ids.len(), 17);
    assert_eq!(run.manifest.dropped_metadata_fields.count, 17_000 - 999);
    let (header, _) = read_raw(&run.out.join("calls.csv"));
    assert!(header.iter().filter(|h| h.starts_with('f')).count() == 999, "region and 999 of the f fields");
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(run.out.join("report.xlsx")).unwrap();
    let calls = workbook.worksheet_range("Calls").unwrap();
    assert_eq!(calls.get_size().0, 18);
}

// ---------------------------------------------------------------------------------------------
// Transcripts without punctuation.

#[test]
fn a_call_without_punctuation_is_quoted_around_each_mention() {
    // Speech recognition output often has no punctuation: this 360 KB turn is one sentence with
    // 6,000 complaints in it. Quoting the whole sentence for each made 2 GB of mentions.csv.
    let inputs = Inputs::new();
    let said = "my internet is down again and nobody helps ".repeat(6000);
    inputs.write("calls.jsonl", format!("{}\n{}\n", call_line("long", said.trim_end()), good("short")));
    let run = inputs.mine(None);
    run.expect_calls(&["long", "short"]);
    let found: Vec<MentionRow> = mentions(&run.out).into_iter().filter(|m| m.call_id == "long").collect();
    assert_eq!(found.len(), 6000, "every mention is kept");
    for m in &found {
        // The sentence within 320 bytes of the phrase, cut between words and marked where cut.
        assert!(m.quote.len() <= 2 * 320 + 2 * '…'.len_utf8() + 20, "{} bytes: {:?}", m.quote.len(), m.quote);
        assert!(m.quote.contains("internet is down"), "{:?}", m.quote);
        let words = m.quote.trim_matches('…');
        assert!(words.split(' ').all(|w| "my internet is down again and nobody helps".contains(w)), "{:?}", m.quote);
    }
    assert!(found[3000].quote.starts_with('…') && found[3000].quote.ends_with('…'), "{:?}", found[3000].quote);
    assert!(!found[0].quote.starts_with('…') && found[0].quote.starts_with("my internet"), "{:?}", found[0].quote);
    assert!(
        !found[5999].quote.ends_with('…') && found[5999].quote.ends_with("nobody helps"),
        "{:?}",
        found[5999].quote
    );
}

// ---------------------------------------------------------------------------------------------
// Formula injection (OWASP CSV injection payloads).

const PAYLOADS: &[&str] = &[
    "=1+1 I was charged twice",
    "+1+1 I was charged twice",
    "-2+3 I was charged twice",
    "@SUM(1+1) I was charged twice",
    "\t=1+1 I was charged twice",
    "\r=1+1 I was charged twice",
    "＝1+1 I was charged twice",
    "＋1+1 I was charged twice",
    "－2+3 I was charged twice",
    "＠SUM(1+1) I was charged twice",
    "=cmd|' /C calc'!A0 I was charged twice",
    "@SUM(1+1)*cmd|' /C calc'!A0 I was charged twice",
    "=HYPERLINK(\"http://evil.example\",\"click\") my internet is down",
    "=DDE(\"cmd\";\"/C calc\";\"!A0\")A0 I was charged twice",
    "+1+1",
    "-2+3",
    "-- I was double charged",
    "I wish you had =cmd|' /C calc'!A0",
    "it would be great if you could add @SUM(1+1) to the app",
];

#[test]
fn formula_injection_is_neutralised_in_every_cell() {
    let inputs = Inputs::new();
    let mut lines = Vec::new();
    for (i, said) in PAYLOADS.iter().enumerate() {
        let call = serde_json::json!({
            "call_id": if i % 2 == 0 { format!("=x{i}") } else { format!("+{i}+1") },
            "started_at": "-1+1",
            "metadata": {"note": said, "plan": "@basic", "balance": "-12.5", "region": "＝west"},
            "turns": [
                {"speaker": "agent", "text": "=agent says charged twice"},
                {"speaker": "customer", "text": said},
                {"speaker": "customer", "text": format!("Also: {said}")}
            ]
        });
        lines.push(call.to_string());
    }
    // Rejects carry the payload in their reason (the speaker labels) and a dangerous file name.
    lines.push(r#"{"call_id":"=agent-only","turns":[{"speaker":"=cmd|' /C calc'!A0","text":"hi"}]}"#.into());
    inputs.write("injection.jsonl", lines.join("\n") + "\n");
    inputs.write("=1+1.txt", "Customer: -2+3 I was charged twice\n");
    inputs.write("@SUM(1+1).txt", "not a transcript\n");
    let run = inputs.mine(None);
    assert_eq!(run.manifest.totals.calls as usize, PAYLOADS.len() + 1, "{:#?}", run.rejects);

    let mut cells = 0;
    for name in CSV_OUTPUTS {
        let (header, rows) = read_raw(&run.out.join(name));
        for cell in header.iter().chain(rows.iter().flatten()) {
            assert!(!is_dangerous(cell), "{name}: cell {cell:?} could run as a formula");
            cells += 1;
        }
    }
    let mut book = workbook(&run.out);
    let mut strings = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        for s in sheet_strings(&range) {
            assert!(!is_dangerous(&s), "sheet {name}: cell {s:?} could run as a formula");
            strings.push(s);
        }
        let formulas = book.worksheet_formula(&name).unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "sheet {name} has formulas");
    }
    assert!(cells > 100 && strings.len() > 100, "{cells} CSV cells, {} sheet strings", strings.len());

    // Not vacuous: the payloads are in the report, behind an apostrophe.
    let quotes: Vec<String> = mentions(&run.out).into_iter().map(|m| m.quote).collect();
    for expected in ["'=cmd|' /C calc'!A0 I was charged twice", "'@SUM(1+1)*cmd|' /C calc'!A0 I was charged twice"] {
        assert!(quotes.iter().any(|q| q == expected), "no quote {expected:?} in {quotes:#?}");
        assert!(strings.iter().any(|q| q == expected), "no sheet string {expected:?}");
    }
    assert!(quotes.iter().any(|q| q.starts_with("'＝")), "{quotes:#?}");
    assert!(
        run.call_ids.iter().any(|c| c == "'=x0") && run.call_ids.iter().any(|c| c == "'+1+1"),
        "{:?}",
        run.call_ids
    );
    assert!(run.call_ids.iter().any(|c| c == "'=1+1"), "the text file's stem: {:?}", run.call_ids);
    let (header, rows) = read_raw(&run.out.join("calls.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let jsonl_rows: Vec<&Vec<String>> = rows.iter().filter(|r| r[col("call_id")] != "'=1+1").collect();
    assert_eq!(jsonl_rows.len(), PAYLOADS.len());
    assert!(jsonl_rows.iter().all(|r| r[col("balance")] == "-12.5"), "a plain negative number stays a number");
    assert!(jsonl_rows.iter().all(|r| r[col("started_at")] == "'-1+1"));
    assert!(jsonl_rows.iter().all(|r| r[col("plan")] == "'@basic"));
    assert!(jsonl_rows.iter().all(|r| r[col("region")] == "'＝west"));
}

/// rust_xlsxwriter takes a string shaped like the rich text it makes ("<r>...</r>") for its own,
/// and copies it into the workbook unescaped: such text in a metadata value once added shared
/// strings to the workbook, and every later header and value of the report read as another.
#[test]
fn text_shaped_like_rich_text_stays_text_in_the_workbook() {
    let inputs = Inputs::new();
    let injected = "<r><t>a</t></r></si><si><r><t>b</t></r>";
    let lines: Vec<String> = (0..12)
        .map(|i| {
            let plan = ["<r>gold</r>", injected, "basic"][i % 3];
            serde_json::json!({
                "call_id": format!("c{i:02}"),
                "metadata": {"plan": plan, "<r>k</r>": "v"},
                "turns": [
                    {"speaker": "customer", "text": "I was charged twice on my bill. <r>refund me</r>"},
                    {"speaker": "agent", "text": "I can help with that."}
                ]
            })
            .to_string()
        })
        .collect();
    inputs.write("rich.jsonl", lines.join("\n") + "\n");
    let run = inputs.mine(None);
    assert_eq!(run.manifest.totals.calls, 12, "{:#?}", run.rejects);
    let mut book = workbook(&run.out);
    // The sheets written by rust_xlsxwriter (Segments, the Calls sheet's header) read back as their
    // CSVs: every text cell in its place, the rich-looking values included.
    for (name, file, rows_checked) in [("Segments", "segments.csv", usize::MAX), ("Calls", "calls.csv", 0)] {
        let (header, rows) = read_raw(&run.out.join(file));
        let range = book.worksheet_range(name).unwrap();
        let got: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|d| d.to_string()).collect()).collect();
        assert_eq!(got[0], header, "{name} header");
        for (r, (got, want)) in got[1..].iter().zip(&rows).take(rows_checked).enumerate() {
            for (c, want) in want.iter().enumerate().filter(|(_, w)| w.parse::<f64>().is_err()) {
                assert_eq!(&got[c], want, "{name} row {} column {}", r + 1, header[c]);
            }
        }
    }
    let strings: Vec<String> =
        book.sheet_names().iter().flat_map(|n| sheet_strings(&book.worksheet_range(n).unwrap())).collect();
    for expected in ["<r>gold</r>", injected, "<r>k</r>"] {
        assert!(strings.iter().any(|s| s == expected), "no cell {expected:?} in the workbook");
    }
}

// ---------------------------------------------------------------------------------------------
// Personal data.

/// Every text of the report: each CSV and each string of each sheet.
fn report_text(out: &Path) -> String {
    let mut text = String::new();
    for name in CSV_OUTPUTS {
        text.push_str(&String::from_utf8_lossy(&csv_body(&out.join(name))));
    }
    let mut book = workbook(out);
    for name in book.sheet_names() {
        for s in sheet_strings(&book.worksheet_range(&name).unwrap()) {
            text.push_str(&s);
            text.push('\n');
        }
    }
    text
}

const CARD: &str = "4111 1111 1111 1111";
const EMAIL: &str = "jane.doe@example.com";

#[test]
fn personal_data_in_quotes_and_ideas_is_redacted_everywhere() {
    let inputs = Inputs::new();
    let lines = [
        call_line("p1", &format!("I was charged twice on card {CARD}, mail {EMAIL}.")),
        call_line("p2", &format!("I wish you had a way to email {EMAIL} directly.")),
        call_line("p3", &format!("It would be great if you could charge {CARD} automatically.")),
        call_line("p4", "I was double charged, my social is 078 05 1120 and my number is 555-0142."),
        call_line("p5", "I was overcharged on four one one one one one one one one one one one one one one one."),
    ];
    inputs.write("calls.jsonl", lines.join("\n") + "\n");
    let run = inputs.mine(None);
    run.expect_calls(&["p1", "p2", "p3", "p4", "p5"]);
    let text = report_text(&run.out);
    for raw in [CARD, EMAIL, "078 05 1120", "555-0142", "four one one one one"] {
        assert!(!text.contains(raw), "{raw:?} is in the report:\n{text}");
    }
    assert!(text.contains("[CARD]") && text.contains("[EMAIL]") && text.contains("[SSN]"), "{text}");
}

/// Bug: a reject reason quotes the record's content (serde's "invalid type: string ..."), so a
/// card number or an email address in a broken record reaches rejects.csv and the Rejects sheet
/// unredacted.
#[test]
fn personal_data_does_not_leak_into_reject_reasons() {
    let inputs = Inputs::new();
    let lines = [
        good("g1"),
        format!("\"my card is {CARD}, mail {EMAIL}\""),
        format!(r#"{{"call_id":"p1","turns":[{{"speaker":"customer","text":"hi","start":"{CARD}"}}]}}"#),
        format!(r#"{{"call_id":"p2","turns":[{{"speaker":"customer","text":{{"card":"{CARD}"}}}}]}}"#),
        format!(r#"{{"call_id":"p3","turns":[{{"speaker":"{EMAIL}","text":"hi"}}]}}"#),
        format!(r#"{{"call_id":"p4","started_at":"x","turns":"{CARD} {EMAIL}"}}"#),
    ];
    inputs.write("calls.jsonl", lines.join("\n") + "\n");
    let run = inputs.mine(None);
    run.expect_calls(&["g1"]);
    assert_eq!(run.rejects.len(), 5, "{:#?}", run.rejects);
    let text = report_text(&run.out);
    for raw in [CARD, EMAIL] {
        assert!(!text.contains(raw), "{raw:?} is in the report: {:#?}", run.rejects);
    }
}

/// Every cell of the CSVs (header included) and every string of the workbook that could run as
/// a formula, as `file: cell`.
fn dangerous_cells(out: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for name in CSV_OUTPUTS {
        let (header, rows) = read_raw(&out.join(name));
        for cell in header.iter().chain(rows.iter().flatten()).filter(|c| is_dangerous(c)) {
            found.push(format!("{name}: {cell:?}"));
        }
    }
    let mut book = workbook(out);
    for name in book.sheet_names() {
        for s in sheet_strings(&book.worksheet_range(&name).unwrap()).into_iter().filter(|s| is_dangerous(s)) {
            found.push(format!("sheet {name}: {s:?}"));
        }
    }
    found
}

/// Bug: metadata field names (JSONL metadata keys, CSV column names) become column headers of
/// calls.csv and the Calls sheet without going through the formula sanitiser.
#[test]
fn formula_injection_in_metadata_field_names_is_neutralised() {
    let inputs = Inputs::new();
    let keys = ["=HYPERLINK(\"http://evil.example\")", "@SUM(1+1)", "+cmd", "-2+3", "＝1+1"];
    let lines: Vec<String> = (0..40)
        .map(|i| {
            let metadata: serde_json::Map<String, serde_json::Value> = keys
                .iter()
                .map(|k| (k.to_string(), serde_json::Value::from(if i % 2 == 0 { "a" } else { "b" })))
                .collect();
            serde_json::json!({"call_id": format!("m{i}"), "metadata": metadata, "turns": [
                {"speaker": "customer", "text": "I was charged twice."}
            ]})
            .to_string()
        })
        .collect();
    inputs.write("calls.jsonl", lines.join("\n") + "\n");
    inputs.write("turns.csv", "call_id,speaker,text,=1+1,@cmd\nv1,customer,I was charged twice,x,y\n");
    let run = inputs.mine(None);
    assert_eq!(run.manifest.totals.calls, 41);
    let found = dangerous_cells(&run.out);
    assert!(found.is_empty(), "cells that could run as formulas:\n{}", found.join("\n"));
}

/// The idea text is cut out of the raw sentence and redacted afterwards: an email address must not be
/// cut at its first dot ("email jane.doe@x.com" -> "email jane"), or it is no longer an email and
/// its local part, often a name, reaches ideas.csv and the Ideas sheet.
#[test]
fn an_email_in_an_idea_leaves_no_trace() {
    let inputs = Inputs::new();
    let lines = [
        call_line("p1", "I wish you had a way to email jane.doe@zorbmail.com directly."),
        call_line("p2", "It would be great if you could mail receipts to mia_lopez@quuxpost.co.uk."),
    ];
    inputs.write("calls.jsonl", lines.join("\n") + "\n");
    let run = inputs.mine(None);
    run.expect_calls(&["p1", "p2"]);
    let text = report_text(&run.out);
    for part in ["jane", "doe", "mia_lopez", "zorbmail", "quuxpost"] {
        assert!(!text.contains(part), "{part:?} is in the report: {:#?}", ideas(&run.out));
    }
}

// ---------------------------------------------------------------------------------------------
// Found by trying to break the promises from outside (a black-box review of the binary).

#[test]
fn the_order_the_inputs_are_given_in_changes_nothing() {
    let inputs = Inputs::new();
    let a = inputs.write("a.jsonl", format!("{}\n{}\n", good("d1"), call_line("d2", "My internet is down again.")));
    let meta = |id: &str, field: &str| {
        serde_json::json!({"call_id": id, "metadata": {field: "x"}, "turns": [
            {"speaker": "customer", "text": "I was charged twice this month."}
        ]})
        .to_string()
    };
    // A call in both files (the one in a.jsonl is kept either way), and a field only c has.
    let c = inputs.write("c.jsonl", format!("{}\n{}\n", meta("e1", "tier"), good("d1")));
    let one = inputs.mine_into("one", &[a.clone(), c.clone()], None, &[]);
    let two = inputs.mine_into("two", &[c, a], None, &[]);
    for file in ["calls.csv", "mentions.csv", "rejects.csv", "categories.csv", "segments.csv", "follow_ups.csv"] {
        assert_eq!(fs::read(one.out.join(file)).unwrap(), fs::read(two.out.join(file)).unwrap(), "{file}");
    }
    assert_eq!(workbook_parts(&one.out.join("report.xlsx")), workbook_parts(&two.out.join("report.xlsx")));
    one.expect_reject("c.jsonl", "line 2", "duplicate call_id");
}

/// The entries of a workbook's zip, by name.
fn workbook_parts(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
            (entry.name().unwrap().to_string(), bytes)
        })
        .collect()
}

#[test]
fn rows_of_csv_files_without_a_call_id_column_are_named_by_file() {
    let inputs = Inputs::new();
    inputs.write("s1.csv", "comment,region\nI was charged twice,west\nMy internet is down,east\n");
    inputs.write("s2.csv", "comment,region\nThe app keeps crashing,west\nI was charged twice,north\n");
    inputs.write("s.2026-11-21.csv", "comment\nI was charged twice\n");
    inputs.write("s.2026-11-22.CSV.gz", gzip(b"comment\nMy internet is down\n"));
    let run = inputs.mine(None);
    assert!(run.rejects.is_empty(), "{:#?}", run.rejects);
    run.expect_calls(&["s1:2", "s1:3", "s2:2", "s2:3", "s.2026-11-21:2", "s.2026-11-22:2"]);
}

#[test]
fn csv_rows_are_named_by_their_line_whatever_the_line_endings() {
    let inputs = Inputs::new();
    let rows =
        ["call_id,speaker,text", "c1,customer,fine", "c2,customer,too,many", "c3,customer,ok", "c4,customer,a,b,c"];
    for (name, end) in [("lf.csv", "\n"), ("crlf.csv", "\r\n"), ("cr.csv", "\r")] {
        inputs.write(name, rows.join(end) + end);
    }
    let run = inputs.mine(None);
    for name in ["lf.csv", "crlf.csv", "cr.csv"] {
        run.expect_reject(name, "line 3", "header 3");
        run.expect_reject(name, "line 5", "header 3");
    }
}

#[test]
fn a_stray_quote_loses_one_row_not_the_rows_after_it() {
    let inputs = Inputs::new();
    let mut csv =
        String::from("call_id,speaker,text\r\nu1,customer,fine\r\nu2,customer,\"I was charged twice, and so on\r\n");
    for i in 3..=20 {
        csv.push_str(&format!("u{i},customer,My internet is down\r\n"));
    }
    // A later row with quotes of its own (whose first closes the stray one, joining lines 3 to 22
    // into one row), and another quote that never closes.
    csv.push_str("u21,customer,\"quoted, fine\"\r\nu22,customer,\"again\r\nu23,customer,last\r\n");
    inputs.write("open.csv", csv);
    let run = inputs.mine(None);
    run.expect_reject("open.csv", "line 3", "closes in the middle of a field");
    run.expect_reject("open.csv", "line 23", "never closes");
    assert_eq!(run.rejects.len(), 2, "{:#?}", run.rejects);
    let mut kept: Vec<String> = (3..=21).map(|i| format!("u{i}")).collect();
    kept.extend(["u1".to_string(), "u23".to_string()]);
    run.expect_calls(&kept.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(run.input("open.csv").records, 23);
}

#[test]
fn a_metadata_key_longer_than_a_cell_does_not_stop_the_report() {
    let inputs = Inputs::new();
    let key = "k".repeat(40_000);
    let line = serde_json::json!({"call_id": "long", "metadata": {key: "v"}, "turns": [
        {"speaker": "customer", "text": "I was charged twice this month."}
    ]});
    inputs.write("calls.jsonl", format!("{line}\n{}\n", good("j2")));
    let run = inputs.mine(None);
    run.expect_calls(&["long", "j2"]);
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(run.out.join("report.xlsx")).unwrap();
    let calls = book.worksheet_range("Calls").unwrap();
    let longest = calls.rows().next().unwrap().iter().map(|c| c.to_string().chars().count()).max().unwrap();
    assert!((32_000..=32_001).contains(&longest), "{longest}");
}

#[test]
fn metadata_named_like_a_computed_column_is_renamed() {
    let inputs = Inputs::new();
    let mut lines = String::new();
    for i in 0..6 {
        let line = serde_json::json!({"call_id": format!("m{i}"), "metadata": {
            "turns": "99", "theme": "T99", "sentiment": if i % 2 == 0 { "angry" } else { "calm" }, "region": "west"
        }, "turns": [{"speaker": "customer", "text": "I was charged twice this month."}]});
        lines.push_str(&format!("{line}\n"));
    }
    inputs.write("calls.jsonl", lines);
    let run = inputs.mine(None);
    let (header, rows) = read_raw(&run.out.join("calls.csv"));
    let mut unique = header.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), header.len(), "{header:?}");
    for renamed in ["metadata.turns", "metadata.sentiment", "region"] {
        assert!(header.iter().any(|h| h == renamed), "{renamed} in {header:?}");
    }
    let turns = header.iter().position(|h| h == "turns").unwrap();
    assert!(rows.iter().all(|r| r[turns] == "1"), "the computed turns column keeps its value");
    // The sentiment segment counts each call once; the metadata field is a segment of its own.
    let segments = segments(&run.out);
    let per_value = |field: &str| {
        let mut seen: Vec<(String, u64)> =
            segments.iter().filter(|s| s.field == field).map(|s| (s.value.clone(), s.segment_calls)).collect();
        seen.sort();
        seen.dedup();
        seen.iter().map(|(_, n)| n).sum::<u64>()
    };
    assert_eq!(per_value("sentiment"), 6);
    assert_eq!(per_value("metadata.sentiment"), 6);
}

#[test]
fn quoting_that_is_only_unusual_is_not_taken_for_a_stray_quote() {
    let inputs = Inputs::new();
    // A quoted field over three lines in a row with a field too many: one bad row, as before.
    inputs.write(
        "multi.csv",
        "comment,region\n\"Great service.\nQuick, friendly\nstaff\",west,\nI was charged twice,east\n",
    );
    // Blank lines between rows, and a last row whose quote never closes on its own line.
    inputs.write("blank.csv", "call_id,text\nc1,I was charged twice\n\n\nc2,a,b\n\nc3,\"My internet is down\n");
    // A stray quote closed by a later quoted field that holds no comma.
    inputs.write(
        "stray.csv",
        "call_id,text\ns1,\"I was charged twice\ns2,My internet is down\ns3,\"quoted fine\"\ns4,ok\n",
    );
    let run = inputs.mine(None);
    run.expect_reject("multi.csv", "line 2", "header 2");
    run.expect_reject("blank.csv", "line 5", "header 2");
    run.expect_reject("stray.csv", "line 2", "closes in the middle of a field");
    assert_eq!(run.rejects.len(), 3, "{:#?}", run.rejects);
    run.expect_calls(&["multi:5", "c1", "c3", "s2", "s3", "s4"]);
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}
