//! Ingest: find the input files, detect their format, and stream their records in batches.
//!
//! Reading is split in two so that the expensive part runs in parallel: one reader thread does
//! the framing (lines of a JSONL file, a whole text file, the rows of a CSV file) into a
//! [`Batch`] with one shared byte buffer, and the workers decode each [`Item`] of a batch into a
//! [`Call`] with [`decode`]. Memory is bounded by the batch size times the channel depth, not by
//! the corpus. Every record read becomes exactly one call or one reject.

pub mod join;
pub mod vendor;

mod csv;
mod discover;
mod jsonl;
mod sniff;
mod text;

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::model::{Call, Role};
use vendor::mapping::JsonMapping;
use vendor::roles::{LabelRole, Rule, SpeakerOptions};
use vendor::subtitles::Subtitles;

pub use discover::discover;

/// A file format earful reads, as far as reading it goes: how it is framed into records. Which
/// vendor a JSON document comes from is found when it is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON Lines, one call per line.
    Jsonl,
    /// CSV, one turn (or one verbatim) per row.
    Csv,
    /// Plain text, one call per file, `Speaker: text` lines.
    Text,
    /// One JSON document per file (a vendor transcript, or one earful call).
    Json,
    /// SubRip subtitles, one call per file.
    Srt,
    /// WebVTT subtitles, one call per file.
    WebVtt,
}

impl Format {
    /// The name used in the manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Text => "text",
            Format::Json => "json",
            Format::Srt => "srt",
            Format::WebVtt => "webvtt",
        }
    }
}

/// How a file is compressed, recognised from its first bytes whatever its name says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    /// Not compressed.
    #[default]
    None,
    /// gzip (`1f 8b`).
    Gzip,
    /// Zstandard (`28 b5 2f fd`).
    Zstd,
}

impl Compression {
    /// The name used in the manifest (empty when not compressed).
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// An input file found on the command line or under an input folder.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// Where it is.
    pub path: PathBuf,
    /// The path as shown in rejects and the manifest.
    pub shown: String,
    /// How it is framed and decoded.
    pub format: Format,
    /// Whether each JSONL line is a vendor document (found from the first line).
    pub documents: bool,
    /// How it is compressed.
    pub compression: Compression,
    /// Size on disk.
    pub bytes: u64,
}

/// A record that could not become a call, or a file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reject {
    /// The file, as shown.
    pub file: String,
    /// `line N`, `row N`, a call id, or empty for the whole file.
    pub record: String,
    /// Why, in words an analyst can act on.
    pub reason: String,
}

/// What kind of whole document a [`Payload::Document`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    /// A JSON document; its vendor is detected from its keys.
    Json,
    /// Subtitles.
    Subtitles(Subtitles),
}

/// Where an item's record is and how to decode it.
#[derive(Debug, Clone)]
pub enum Payload {
    /// A JSON object in `Batch::buf[start..end]`.
    Json(usize, usize),
    /// A plain-text call in `Batch::buf[start..end]`, its id the file stem.
    Text(usize, usize, String),
    /// A whole document in `Batch::buf[start..end]`: a vendor JSON file or subtitles.
    Document {
        /// Start in the batch buffer.
        start: usize,
        /// End in the batch buffer.
        end: usize,
        /// The call id to use when the document has none (the file stem).
        id: String,
        /// How to decode it.
        kind: DocKind,
    },
    /// Already decoded by the reader (CSV rows are grouped into calls there) or already failed.
    Done(Result<Call<'static>, String>),
}

/// One record of one file.
#[derive(Debug, Clone)]
pub struct Item {
    /// Index into the input file list.
    pub file: usize,
    /// 1-based line (JSONL, CSV) where the record starts; 0 for a whole file.
    pub line: u64,
    /// The record.
    pub payload: Payload,
}

/// A run of records read together; decoded in parallel, consumed in order.
#[derive(Debug, Default)]
pub struct Batch {
    /// Bytes of the records whose payload points into it.
    pub buf: Vec<u8>,
    /// The records, in file order.
    pub items: Vec<Item>,
    /// Input bytes (on disk) this batch accounts for, for progress.
    pub input_bytes: u64,
}

impl Batch {
    /// How this item is named in a reject: `line N`, or empty for a whole file.
    pub fn record_name(item: &Item) -> String {
        record_name(item.line)
    }
}

/// How a record at this line is named in a reject: `line N`, or empty for a whole file (line 0).
pub fn record_name(line: u64) -> String {
    if line == 0 {
        String::new()
    } else {
        format!("line {line}")
    }
}

/// How a decoded record's speakers were mapped, for the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mapped {
    /// Not a diarized format: speaker labels are mapped later, by the `[speakers]` labels.
    NotApplicable,
    /// Mapped by this rule.
    Rule(Rule),
    /// No customer could be found: the record is rejected.
    NoCustomer,
}

/// What decoding found out about a record's format, beyond the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The detected format (`transcribe`, `whisper`, `srt`, a mapping's name, ...).
    pub format: String,
    /// How the speakers were mapped.
    pub speakers: Mapped,
}

/// A decoded record.
#[derive(Debug, Clone)]
pub struct Decoded<'a> {
    /// The call, its turns borrowed from the batch where they could be.
    pub call: Call<'a>,
    /// The vendor format, for documents.
    pub seen: Option<Seen>,
    /// What the metadata join did, when `--metadata` is used.
    pub join: Option<join::Joined>,
}

/// Why a record was rejected, with what was learnt about its format before it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Why, in words an analyst can act on.
    pub reason: String,
    /// The format, when it was detected.
    pub seen: Option<Seen>,
}

impl From<String> for DecodeError {
    fn from(reason: String) -> Self {
        DecodeError { reason, seen: None }
    }
}

/// The checked `[formats]` settings of the config.
#[derive(Debug, Clone, Default)]
pub struct FormatOptions {
    /// How speakers of diarized formats are mapped.
    pub speakers: SpeakerOptions,
    /// `[[formats.json]]` mappings.
    pub mappings: Vec<JsonMapping>,
}

/// Decodes items into calls: the formats' settings, the config's speaker labels and the metadata
/// join, shared read-only by the workers.
pub struct Decoder {
    formats: FormatOptions,
    labels: Box<LabelRole>,
    join: Option<join::MetadataJoin>,
}

impl Default for Decoder {
    /// Built-in settings, no speaker labels (anonymous speakers go by openers and order), no join.
    fn default() -> Self {
        Decoder::new(FormatOptions::default(), Box::new(|_| Role::Unknown))
    }
}

impl Decoder {
    /// A decoder with these settings; `labels` maps a speaker label through the `[speakers]`
    /// labels (the app passes normalize's mapping, which ingest does not depend on).
    pub fn new(formats: FormatOptions, labels: Box<LabelRole>) -> Decoder {
        Decoder { formats, labels, join: None }
    }

    /// Adds CRM fields to every call from a loaded `--metadata` file.
    pub fn with_join(mut self, join: join::MetadataJoin) -> Decoder {
        self.join = Some(join);
        self
    }

    /// The formats' settings.
    pub fn formats(&self) -> &FormatOptions {
        &self.formats
    }

    /// The metadata join, when there is one.
    pub fn join(&self) -> Option<&join::MetadataJoin> {
        self.join.as_ref()
    }

    /// Decodes one item of a batch into a call, or the reason it is rejected.
    pub fn decode<'a>(&self, batch: &'a Batch, item: &Item) -> Result<Decoded<'a>, DecodeError> {
        let ctx = vendor::Context {
            speakers: &self.formats.speakers,
            mappings: &self.formats.mappings,
            labels: &*self.labels,
        };
        let (mut call, seen) = match &item.payload {
            Payload::Json(start, end) => (jsonl::decode(&batch.buf[*start..*end])?, None),
            Payload::Text(start, end, id) => (text::decode(&batch.buf[*start..*end], id)?, None),
            Payload::Document { start, end, id, kind } => {
                let bytes = &batch.buf[*start..*end];
                let (call, seen) = match kind {
                    DocKind::Json => vendor::decode_json(bytes, id, &ctx)?,
                    DocKind::Subtitles(s) => vendor::subtitles::decode(bytes, id, *s, &ctx)?,
                };
                (call, Some(seen))
            }
            Payload::Done(result) => (result.clone()?, None),
        };
        let join = self.join.as_ref().map(|j| j.apply(&mut call));
        Ok(Decoded { call, seen, join })
    }
}

/// Decodes one item with the built-in settings (see [`Decoder::default`]).
pub fn decode<'a>(batch: &'a Batch, item: &Item) -> Result<Call<'a>, String> {
    // Built once: the benchmark and the fuzz targets decode millions of items through here.
    static BUILTIN: std::sync::OnceLock<Decoder> = std::sync::OnceLock::new();
    BUILTIN.get_or_init(Decoder::default).decode(batch, item).map(|d| d.call).map_err(|e| e.reason)
}

/// Limits that keep one hostile file from taking the machine down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A record (a JSONL line, a text file) longer than this is rejected without being parsed.
    pub max_record_bytes: usize,
    /// A compressed file may expand to at most this many times its size on disk...
    pub max_expansion: u64,
    /// ...once it has produced this many bytes (small files may legitimately expand a lot).
    pub expansion_floor: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_record_bytes: 64 << 20, max_expansion: 200, expansion_floor: 256 << 20 }
    }
}

/// Reads files in order and hands out batches of about `batch_bytes`.
pub struct Reader<'a> {
    files: &'a [InputFile],
    batch_bytes: usize,
    limits: Limits,
    recycled: Option<crossbeam_channel::Receiver<Vec<u8>>>,
}

impl<'a> Reader<'a> {
    /// A reader over the given files.
    pub fn new(files: &'a [InputFile], batch_bytes: usize, limits: Limits) -> Self {
        Reader { files, batch_bytes: batch_bytes.max(1024), limits, recycled: None }
    }

    /// Fills spent batch buffers sent back on `recycled` before it allocates new ones: a new
    /// buffer's pages are faulted in and zeroed by the kernel as the first bytes are copied in,
    /// which cost more than the copy itself. A buffer grown past a batch's size (by a giant
    /// record) is freed instead, so that it does not stay resident for the rest of the run.
    pub fn recycling(mut self, recycled: crossbeam_channel::Receiver<Vec<u8>>) -> Self {
        self.recycled = Some(recycled);
        self
    }

    /// Reads every file, calling `emit` with each full batch (and the last partial one).
    /// `emit` returns false to stop early (the consumer went away).
    pub fn run(&self, mut emit: impl FnMut(Batch) -> bool) {
        // A batch ends with the line that fills it: sized for that up front, its buffer is never
        // copied to a bigger one while it fills.
        let capacity = self.batch_bytes + (256 << 10);
        let fresh = || {
            let spent = self.recycled.as_ref().and_then(|r| r.try_iter().find(|b| b.capacity() <= 2 * capacity));
            let buf = match spent {
                Some(mut buf) => {
                    buf.clear();
                    buf.reserve(capacity);
                    buf
                }
                None => Vec::with_capacity(capacity),
            };
            Batch { buf, ..Batch::default() }
        };
        let mut batch = fresh();
        for (index, file) in self.files.iter().enumerate() {
            let full = |b: &Batch| b.buf.len() >= self.batch_bytes || b.items.len() >= 65_536;
            let mut flush = |b: &mut Batch| -> bool { emit(std::mem::replace(b, fresh())) };
            let keep_going = match open(file, &self.limits) {
                Err(reason) => {
                    batch.items.push(Item { file: index, line: 0, payload: Payload::Done(Err(reason)) });
                    true
                }
                Ok(reader) => frame(index, file, reader, &mut batch, &self.limits, full, &mut flush),
            };
            batch.input_bytes += file.bytes;
            if !keep_going || (full(&batch) && !flush(&mut batch)) {
                return;
            }
        }
        if !batch.items.is_empty() || batch.input_bytes > 0 {
            emit(batch);
        }
    }
}

/// Frames one opened file into the batch. Returns false if the consumer stopped.
fn frame(
    index: usize,
    file: &InputFile,
    reader: Box<dyn BufRead + Send>,
    batch: &mut Batch,
    limits: &Limits,
    full: impl Fn(&Batch) -> bool,
    flush: &mut impl FnMut(&mut Batch) -> bool,
) -> bool {
    let stem = stem(&file.path);
    let max = limits.max_record_bytes;
    let document =
        |kind: DocKind| move |start, end, id: &str| Payload::Document { start, end, id: id.to_string(), kind };
    match file.format {
        Format::Jsonl => jsonl::frame(index, file.documents.then_some(stem.as_str()), reader, batch, max, full, flush),
        Format::Csv => csv::frame(index, &row_name(&file.path), reader, batch, max, full, flush),
        Format::Text => {
            whole(index, &stem, reader, batch, max, |start, end, id| Payload::Text(start, end, id.to_string()))
        }
        Format::Json => whole(index, &stem, reader, batch, max, document(DocKind::Json)),
        Format::Srt => whole(index, &stem, reader, batch, max, document(DocKind::Subtitles(Subtitles::Srt))),
        Format::WebVtt => whole(index, &stem, reader, batch, max, document(DocKind::Subtitles(Subtitles::WebVtt))),
    }
}

/// Copies a whole file into the batch as one item: text transcripts, JSON documents, subtitles
/// (a file over the record limit is rejected unread past the limit).
fn whole(
    file: usize,
    stem: &str,
    reader: Box<dyn BufRead + Send>,
    batch: &mut Batch,
    max: usize,
    payload: impl FnOnce(usize, usize, &str) -> Payload,
) -> bool {
    let start = batch.buf.len();
    let payload = match reader.take(max as u64 + 1).read_to_end(&mut batch.buf) {
        Ok(n) if n > max => {
            batch.buf.truncate(start);
            Payload::Done(Err(format!("file is over {max} bytes (limits.max_record_bytes)")))
        }
        Ok(_) => payload(start, batch.buf.len(), stem),
        Err(e) => {
            batch.buf.truncate(start);
            Payload::Done(Err(format!("read error: {e}")))
        }
    };
    batch.items.push(Item { file, line: 0, payload });
    true
}

/// The call id of a text transcript: its file name up to the first dot.
/// What the rows of a CSV file without a `call_id` column are named by: the file's name without
/// its `.csv` and compression suffixes (`survey.2026-11-22`), so that the exports of two nights
/// read together keep their rows apart.
fn row_name(path: &Path) -> String {
    let name = path.file_name().map_or("rows".into(), |n| n.to_string_lossy());
    sniff::without_suffixes(&name, &[".csv"]).to_string()
}

fn stem(path: &Path) -> String {
    let name = path.file_name().map_or("call".into(), |n| n.to_string_lossy());
    name.split('.').next().unwrap_or(&name).to_string()
}

/// Frames and decodes bytes held in memory, as if they were a file of this format named `name`:
/// each record read gives one call or one reason. Used by the fuzz targets and property tests,
/// and handy for embedding.
pub fn parse_bytes(
    format: Format,
    name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Vec<(u64, Result<Call<'static>, String>)> {
    let mut batch = Batch::default();
    let reader: Box<dyn BufRead + Send> = Box::new(std::io::Cursor::new(bytes.to_vec()));
    let file = InputFile {
        path: PathBuf::from(name),
        shown: name.to_string(),
        format,
        documents: false,
        compression: Compression::None,
        bytes: bytes.len() as u64,
    };
    frame(0, &file, reader, &mut batch, limits, |_| false, &mut |_| true);
    batch.items.iter().map(|item| (item.line, decode(&batch, item).map(Call::into_owned))).collect()
}

/// Counts the bytes a decompressor produces and fails the read once they pass the limits:
/// a few kilobytes of gzip can expand to terabytes.
struct ExpansionGuard<R> {
    inner: R,
    produced: u64,
    allowed: u64,
    limits: Limits,
}

impl<R: Read> Read for ExpansionGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.produced += n as u64;
        if self.produced > self.allowed {
            return Err(std::io::Error::other(format!(
                "decompressed data passed {} bytes, {}x the compressed size (limits.max_expansion): possible decompression bomb",
                self.allowed, self.limits.max_expansion
            )));
        }
        Ok(n)
    }
}

/// Opens a file, decompressing gzip or zstd, with a reason naming the problem when it fails.
fn open(file: &InputFile, limits: &Limits) -> Result<Box<dyn BufRead + Send>, String> {
    let inner = decompressed(&file.path, file.compression, file.bytes, limits)?;
    Ok(Box::new(BufReader::with_capacity(1 << 20, inner)))
}

/// The file's content, decompressed and guarded against decompression bombs.
fn decompressed(
    path: &Path,
    compression: Compression,
    bytes: u64,
    limits: &Limits,
) -> Result<Box<dyn Read + Send>, String> {
    let f = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let allowed = bytes.saturating_mul(limits.max_expansion).max(limits.expansion_floor);
    let guard = |inner: Box<dyn Read + Send>| -> Box<dyn Read + Send> {
        Box::new(ExpansionGuard { inner, produced: 0, allowed, limits: *limits })
    };
    Ok(match compression {
        Compression::None => Box::new(f),
        Compression::Gzip => guard(Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 16, f)))),
        Compression::Zstd => {
            let decoder = zstd::stream::read::Decoder::new(f).map_err(|e| format!("cannot start zstd: {e}"))?;
            guard(Box::new(decoder))
        }
    })
}

/// Drops a UTF-8 byte-order mark at the start of a buffer.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_sent_back_is_filled_again_instead_of_a_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("calls.jsonl");
        let lines: String = (0..50).map(|i| format!("{{\"call_id\":\"c{i}\",\"turns\":[]}}\n")).collect();
        std::fs::write(&path, &lines).unwrap();
        let file = InputFile {
            path,
            shown: "calls.jsonl".into(),
            format: Format::Jsonl,
            documents: false,
            compression: Compression::None,
            bytes: lines.len() as u64,
        };
        let (tx, rx) = crossbeam_channel::bounded::<Vec<u8>>(1);
        // A spent buffer of about a batch's size (one much bigger would be freed, not kept).
        let mut spent = vec![b'x'; 300 << 10];
        spent.truncate(100);
        let spent_at = spent.as_ptr();
        tx.send(spent).unwrap();
        // Batches of about 1 KB: the first takes the buffer sent back, the next ones new ones.
        let mut batches = Vec::new();
        Reader::new(std::slice::from_ref(&file), 1024, Limits::default()).recycling(rx).run(|b| {
            batches.push(b);
            true
        });
        assert!(batches.len() > 1);
        assert_eq!(batches[0].buf.as_ptr(), spent_at);
        assert!(batches[0].buf.starts_with(b"{\"call_id\":\"c0\""), "the old bytes are gone");
        assert!(batches[1..].iter().all(|b| b.buf.as_ptr() != spent_at));
        let items: usize = batches.iter().map(|b| b.items.len()).sum();
        assert_eq!(items, 50);
    }
}
