//! Ingest: find the input files, detect their format, and stream their records in batches.
//!
//! Reading is split in two so that the expensive part runs in parallel: one reader thread does
//! the framing (lines of a JSONL file, a whole text file, the rows of a CSV file) into a
//! [`Batch`] with one shared byte buffer, and the workers decode each [`Item`] of a batch into a
//! [`Call`] with [`decode`]. Memory is bounded by the batch size times the channel depth, not by
//! the corpus. Every record read becomes exactly one call or one reject.

mod csv;
mod discover;
mod jsonl;
mod text;

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use crate::model::Call;

pub use discover::discover;

/// A file format earful reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON Lines, one call per line.
    Jsonl,
    /// CSV, one turn (or one verbatim) per row.
    Csv,
    /// Plain text, one call per file, `Speaker: text` lines.
    Text,
}

impl Format {
    /// The name used in the manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Text => "text",
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
    /// Whether it is gzip-compressed.
    pub gzip: bool,
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

/// Where an item's record is and how to decode it.
#[derive(Debug, Clone)]
pub enum Payload {
    /// A JSON object in `Batch::buf[start..end]`.
    Json(usize, usize),
    /// A plain-text call in `Batch::buf[start..end]`, its id the file stem.
    Text(usize, usize, String),
    /// Already decoded by the reader (CSV rows are grouped into calls there) or already failed.
    Done(Result<Call, String>),
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
        if item.line == 0 {
            String::new()
        } else {
            format!("line {}", item.line)
        }
    }
}

/// Decodes one item of a batch into a call, or the reason it is rejected.
pub fn decode(batch: &Batch, item: &Item) -> Result<Call, String> {
    match &item.payload {
        Payload::Json(start, end) => jsonl::decode(&batch.buf[*start..*end]),
        Payload::Text(start, end, id) => text::decode(&batch.buf[*start..*end], id),
        Payload::Done(result) => result.clone(),
    }
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
}

impl<'a> Reader<'a> {
    /// A reader over the given files.
    pub fn new(files: &'a [InputFile], batch_bytes: usize, limits: Limits) -> Self {
        Reader { files, batch_bytes: batch_bytes.max(1024), limits }
    }

    /// Reads every file, calling `emit` with each full batch (and the last partial one).
    /// `emit` returns false to stop early (the consumer went away).
    pub fn run(&self, mut emit: impl FnMut(Batch) -> bool) {
        let mut batch = Batch::default();
        for (index, file) in self.files.iter().enumerate() {
            let full = |b: &Batch| b.buf.len() >= self.batch_bytes || b.items.len() >= 65_536;
            let mut flush = |b: &mut Batch| -> bool { emit(std::mem::take(b)) };
            let keep_going = match open(file, &self.limits) {
                Err(reason) => {
                    batch.items.push(Item { file: index, line: 0, payload: Payload::Done(Err(reason)) });
                    true
                }
                Ok(reader) => {
                    frame(index, file.format, &stem(&file.path), reader, &mut batch, &self.limits, full, &mut flush)
                }
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
#[allow(clippy::too_many_arguments)]
fn frame(
    index: usize,
    format: Format,
    stem: &str,
    reader: Box<dyn BufRead + Send>,
    batch: &mut Batch,
    limits: &Limits,
    full: impl Fn(&Batch) -> bool,
    flush: &mut impl FnMut(&mut Batch) -> bool,
) -> bool {
    match format {
        Format::Jsonl => jsonl::frame(index, reader, batch, limits.max_record_bytes, full, flush),
        Format::Csv => csv::frame(index, reader, batch, limits.max_record_bytes, full, flush),
        Format::Text => text::frame(index, stem, reader, batch, limits.max_record_bytes),
    }
}

/// The call id of a text transcript: its file name up to the first dot.
fn stem(path: &std::path::Path) -> String {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("call");
    name.split('.').next().unwrap_or(name).to_string()
}

/// Frames and decodes bytes held in memory, as if they were a file of this format named `name`:
/// each record read gives one call or one reason. Used by the fuzz targets and property tests,
/// and handy for embedding.
pub fn parse_bytes(format: Format, name: &str, bytes: &[u8], limits: &Limits) -> Vec<(u64, Result<Call, String>)> {
    let mut batch = Batch::default();
    let reader: Box<dyn BufRead + Send> = Box::new(std::io::Cursor::new(bytes.to_vec()));
    frame(0, format, &stem(std::path::Path::new(name)), reader, &mut batch, limits, |_| false, &mut |_| true);
    batch.items.iter().map(|item| (item.line, decode(&batch, item))).collect()
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

/// Opens a file, decompressing gzip, with a reason naming the problem when it fails.
fn open(file: &InputFile, limits: &Limits) -> Result<Box<dyn BufRead + Send>, String> {
    let f = File::open(&file.path).map_err(|e| format!("cannot open: {e}"))?;
    let inner: Box<dyn Read + Send> = if file.gzip {
        let decoder = flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 16, f));
        let allowed = file.bytes.saturating_mul(limits.max_expansion).max(limits.expansion_floor);
        Box::new(ExpansionGuard { inner: decoder, produced: 0, allowed, limits: *limits })
    } else {
        Box::new(f)
    };
    Ok(Box::new(BufReader::with_capacity(1 << 20, inner)))
}

/// Drops a UTF-8 byte-order mark at the start of a buffer.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}
