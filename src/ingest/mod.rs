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

/// Reads files in order and hands out batches of about `batch_bytes`.
pub struct Reader<'a> {
    files: &'a [InputFile],
    batch_bytes: usize,
}

impl<'a> Reader<'a> {
    /// A reader over the given files.
    pub fn new(files: &'a [InputFile], batch_bytes: usize) -> Self {
        Reader { files, batch_bytes: batch_bytes.max(1024) }
    }

    /// Reads every file, calling `emit` with each full batch (and the last partial one).
    /// `emit` returns false to stop early (the consumer went away).
    pub fn run(&self, mut emit: impl FnMut(Batch) -> bool) {
        let mut batch = Batch::default();
        for (index, file) in self.files.iter().enumerate() {
            let full = |b: &Batch| b.buf.len() >= self.batch_bytes || b.items.len() >= 65_536;
            let mut flush = |b: &mut Batch| -> bool { emit(std::mem::take(b)) };
            let keep_going = match open(file) {
                Err(reason) => {
                    batch.items.push(Item { file: index, line: 0, payload: Payload::Done(Err(reason)) });
                    true
                }
                Ok(reader) => match file.format {
                    Format::Jsonl => jsonl::frame(index, reader, &mut batch, full, &mut flush),
                    Format::Csv => csv::frame(index, reader, &mut batch, full, &mut flush),
                    Format::Text => text::frame(index, file, reader, &mut batch),
                },
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

/// Opens a file, decompressing gzip, with a reason naming the problem when it fails.
fn open(file: &InputFile) -> Result<Box<dyn BufRead + Send>, String> {
    let f = File::open(&file.path).map_err(|e| format!("cannot open: {e}"))?;
    let inner: Box<dyn Read + Send> = if file.gzip {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 16, f)))
    } else {
        Box::new(f)
    };
    Ok(Box::new(BufReader::with_capacity(1 << 20, inner)))
}

/// Drops a UTF-8 byte-order mark at the start of a buffer.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}
