//! CSV: one row per turn, grouped into calls by `call_id`.
//!
//! Columns are found by name (case-insensitive): `call_id`, `speaker`, `text` (or `transcript`,
//! `message`, `comment`, `verbatim`), and optional `start`, `end`, `started_at`. Every other
//! column is call metadata. Without a `speaker` column every row is a customer turn (survey
//! verbatims, reviews, chat exports); without a `call_id` column every row is its own call, named
//! `<file name without .csv>:<line>`. Rows of one call need not be adjacent: calls are emitted in
//! the order their first row appears, so a CSV file is held in memory while it is read.

use std::collections::HashMap;
use std::io::BufRead;

use super::{Batch, Item, Payload};
use crate::model::{Call, Turn};

const TEXT_NAMES: &[&str] = &["text", "transcript", "message", "comment", "verbatim", "utterance"];

struct Columns {
    call_id: Option<usize>,
    speaker: Option<usize>,
    text: usize,
    start: Option<usize>,
    end: Option<usize>,
    started_at: Option<usize>,
    metadata: Vec<(usize, String)>,
}

impl Columns {
    fn find(headers: &csv::StringRecord) -> Result<Columns, String> {
        let names: Vec<String> = headers.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
        let pos = |wanted: &[&str]| names.iter().position(|n| wanted.contains(&n.as_str()));
        let text =
            pos(TEXT_NAMES).ok_or_else(|| format!("no text column: expected one of {}", TEXT_NAMES.join(", ")))?;
        let mut cols = Columns {
            call_id: pos(&["call_id", "callid", "conversation_id"]),
            speaker: pos(&["speaker", "role", "participant"]),
            text,
            start: pos(&["start"]),
            end: pos(&["end"]),
            started_at: pos(&["started_at", "timestamp", "date"]),
            metadata: Vec::new(),
        };
        let known = [cols.call_id, cols.speaker, Some(cols.text), cols.start, cols.end, cols.started_at];
        for (i, name) in headers.iter().enumerate() {
            if !known.contains(&Some(i)) && !name.trim().is_empty() {
                cols.metadata.push((i, name.trim().to_string()));
            }
        }
        Ok(cols)
    }
}

/// Reads a whole CSV file and emits one item per call (and one per unreadable row).
///
/// Line numbers are counted here (see [`Tracked`]), not taken from the csv crate, which counts
/// only `\n` and so gives the line before for a row after a CRLF, and line 1 for every row of a
/// file with lone CR endings. A quote opened by mistake (see [`stray_quote`]) would take the rows
/// after it into one field: that row is rejected, and the lines after its first are read again
/// as rows, so that no other call is lost. Rows without a call id are named `<name>:<line>`.
pub(super) fn frame(
    file: usize,
    name: &str,
    reader: Box<dyn BufRead + Send>,
    batch: &mut Batch,
    max_record: usize,
    full: impl Fn(&Batch) -> bool,
    flush: &mut impl FnMut(&mut Batch) -> bool,
) -> bool {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(Tracked::new(reader, 0));
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => return push(batch, file, 1, Err(format!("cannot read CSV header: {e}"))),
    };
    let cols = match Columns::find(&headers) {
        Ok(cols) => cols,
        Err(reason) => return push(batch, file, 1, Err(reason)),
    };
    let mut rows =
        Rows { file, name, cols, width: headers.len(), max_record, calls: Vec::new(), by_id: HashMap::new() };
    while let Some((line, reason)) = rows.read(&mut rdr, batch) {
        push(batch, file, line, Err(reason));
        rdr = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(rdr.into_inner().again(line));
    }
    for (line, call) in rows.calls {
        batch.items.push(Item { file, line, payload: Payload::Done(Ok(call)) });
        if full(batch) && !flush(batch) {
            return false;
        }
    }
    true
}

/// The rows of one CSV file gathered into calls.
struct Rows<'a> {
    file: usize,
    /// What rows without a call id are named by, before their line.
    name: &'a str,
    cols: Columns,
    /// Fields a row must have: as many as the header.
    width: usize,
    max_record: usize,
    /// (line of the first row, call), in the order of their first rows.
    calls: Vec<(u64, Call<'static>)>,
    by_id: HashMap<String, usize>,
}

impl Rows<'_> {
    /// Reads rows to the end of `rdr`. Each row is taken in when the next one has been read, so
    /// that its bytes are known. A row whose quoted field was opened by mistake (see
    /// [`stray_quote`]) is not taken in: its line and why are returned, for the lines after its
    /// first to be read again.
    fn read(&mut self, rdr: &mut csv::Reader<Tracked>, batch: &mut Batch) -> Option<(u64, String)> {
        let mut record = csv::StringRecord::new();
        let mut pending: Option<(u64, Result<csv::StringRecord, String>)> = None;
        loop {
            let before = rdr.position().byte();
            let read = rdr.read_record(&mut record);
            let start = match &read {
                Ok(true) => record.position().map_or(before, csv::Position::byte),
                Ok(false) => u64::MAX,
                Err(e) => e.position().map_or(before, csv::Position::byte),
            };
            let start = rdr.get_ref().past_line_ends(start);
            if let Some((first, Ok(_))) = &pending {
                if let Some(reason) = rdr.get_ref().stray_quote(start) {
                    return Some((*first, reason));
                }
            }
            if let Some((line, row)) = pending.take() {
                self.take(line, row, batch);
            }
            let line = if start == u64::MAX { 0 } else { rdr.get_ref().line_of(start) };
            match read {
                Ok(false) => return None,
                Ok(true) => pending = Some((line, Ok(std::mem::take(&mut record)))),
                Err(e) => {
                    let reason = format!("bad CSV row: {e}");
                    if !matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                        // The input failed (a corrupt gzip stream): the rest of the file is one
                        // reject, at the line it failed on.
                        self.take(line, Err(reason), batch);
                        return None;
                    }
                    pending = Some((line, Err(reason)));
                }
            }
            rdr.get_ref().mark(start);
        }
    }

    /// Takes one row in: into its call, or rejected.
    fn take(&mut self, line: u64, row: Result<csv::StringRecord, String>, batch: &mut Batch) {
        let record = match row {
            Ok(record) => record,
            Err(reason) => {
                push(batch, self.file, line, Err(reason));
                return;
            }
        };
        if record.len() != self.width {
            let reason = format!("bad CSV row: it has {} fields, the header {}", record.len(), self.width);
            push(batch, self.file, line, Err(reason));
            return;
        }
        if record.as_slice().len() > self.max_record {
            let reason = format!(
                "row of {} bytes is over limits.max_record_bytes ({})",
                record.as_slice().len(),
                self.max_record
            );
            push(batch, self.file, line, Err(reason));
            return;
        }
        let id = match self.cols.call_id.map(|i| record[i].trim()) {
            Some("") => {
                push(batch, self.file, line, Err("empty call_id".into()));
                return;
            }
            Some(id) => id.to_string(),
            None => format!("{}:{line}", self.name),
        };
        let calls = &mut self.calls;
        let slot = *self.by_id.entry(id.clone()).or_insert_with(|| {
            calls.push((line, Call { call_id: id, ..Call::default() }));
            calls.len() - 1
        });
        add_row(&mut self.calls[slot].1, &self.cols, &record);
    }
}

/// A reader that notes where lines end as the bytes go by (`\n`, `\r\n` or a lone `\r`: one end
/// each), and keeps the bytes from the start of the row being read, so that a row whose quote
/// was opened by mistake can be looked at, and what follows its first line read again.
struct Tracked {
    inner: Box<dyn BufRead + Send>,
    /// Bytes to read before `inner`: what followed a rejected row's first line.
    replay: Vec<u8>,
    replay_at: usize,
    state: std::cell::RefCell<Track>,
}

#[derive(Default)]
struct Track {
    /// Bytes read so far.
    offset: u64,
    /// Lines before the first byte of the input (for the rest of a file read again).
    lines_before: u64,
    /// Offsets of the line ends not yet passed by a lookup (each end's first byte).
    ends: std::collections::VecDeque<u64>,
    /// Line ends passed by lookups.
    passed: u64,
    /// The last byte read was a CR (a LF next ends no other line).
    after_cr: bool,
    /// The bytes from offset `kept_from` on.
    kept: Vec<u8>,
    kept_from: u64,
    /// Where the row being read starts (the last `mark`).
    row_start: u64,
}

impl Tracked {
    fn new(inner: Box<dyn BufRead + Send>, lines_before: u64) -> Tracked {
        let state = std::cell::RefCell::new(Track { lines_before, ..Track::default() });
        Tracked { inner, replay: Vec::new(), replay_at: 0, state }
    }

    /// The line of the byte at `offset`; offsets must come in order.
    fn line_of(&self, offset: u64) -> u64 {
        let mut t = self.state.borrow_mut();
        while t.ends.front().is_some_and(|&end| end < offset) {
            t.ends.pop_front();
            t.passed += 1;
        }
        t.lines_before + t.passed + 1
    }

    /// The first byte at or after `offset` that ends no line: where the csv crate says a row
    /// starts is right after the row before, blank lines and the LF of a CRLF included.
    fn past_line_ends(&self, offset: u64) -> u64 {
        let t = self.state.borrow();
        let kept = offset.checked_sub(t.kept_from).and_then(|at| t.kept.get(at as usize..)).unwrap_or_default();
        offset.saturating_add(kept.iter().take_while(|&&b| b == b'\n' || b == b'\r').count() as u64)
    }

    /// The row being read starts at `offset`: the bytes before it need not be kept.
    fn mark(&self, offset: u64) {
        let mut t = self.state.borrow_mut();
        t.row_start = offset;
        let drop = offset.saturating_sub(t.kept_from).min(t.kept.len() as u64) as usize;
        // Dropped in bulk, not row by row, so that the copying stays linear.
        if drop > 0 && drop * 2 >= t.kept.len() {
            t.kept.drain(..drop);
            t.kept_from += drop as u64;
        }
    }

    /// Why the row being read, up to `end` (the next row's start, or past the end), had its
    /// quote opened by mistake, if it had (see [`stray_quote`]).
    fn stray_quote(&self, end: u64) -> Option<String> {
        let t = self.state.borrow();
        let row = t.row();
        let len = end.saturating_sub(t.row_start).min(row.len() as u64) as usize;
        stray_quote(&row[..len])
    }

    /// A reader of what follows the first line of the row being read (the bytes kept, then
    /// those not yet read), counting lines from `line`, the row's.
    fn again(self, line: u64) -> Tracked {
        let Tracked { inner, replay, replay_at, state } = self;
        let t = state.into_inner();
        let row = t.row();
        let first_end = row.iter().position(|&b| b == b'\n' || b == b'\r').unwrap_or(row.len());
        let after = match &row[first_end..] {
            [b'\r', b'\n', ..] => first_end + 2,
            [] => first_end,
            _ => first_end + 1,
        };
        let mut rest = row[after..].to_vec();
        rest.extend_from_slice(&replay[replay_at..]);
        let mut again = Tracked::new(inner, line);
        again.replay = rest;
        again
    }
}

impl Track {
    /// The bytes kept of the row being read, from its start (the last `mark`) on.
    fn row(&self) -> &[u8] {
        &self.kept[(self.row_start.saturating_sub(self.kept_from) as usize).min(self.kept.len())..]
    }
}

impl std::io::Read for Tracked {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = if self.replay_at < self.replay.len() {
            let n = (self.replay.len() - self.replay_at).min(buf.len());
            buf[..n].copy_from_slice(&self.replay[self.replay_at..self.replay_at + n]);
            self.replay_at += n;
            n
        } else {
            self.inner.read(buf)?
        };
        let t = self.state.get_mut();
        for (i, &b) in buf[..n].iter().enumerate() {
            match b {
                b'\n' if t.after_cr => {}
                b'\n' | b'\r' => t.ends.push_back(t.offset + i as u64),
                _ => {}
            }
            t.after_cr = b == b'\r';
        }
        t.offset += n as u64;
        t.kept.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

/// Why a row's quoting was opened by mistake, if it was: a quoted field takes in a line break
/// and then either never closes (the rest of the file would be its text) or closes in the middle
/// of a field, which well-formed CSV never does (a closing quote is followed by a comma, a line
/// end or the end of the file). The rules are the csv crate's: a quote opens a field only at its
/// start, and two quotes in a quoted field are one. A one-line row is never taken for one, nor
/// a last row whose quote is left open only by its line end.
fn stray_quote(row: &[u8]) -> Option<String> {
    const AGAIN: &str = "the row is rejected, and the lines after its first are read again as rows";
    let (mut quoted, mut field_start, mut spans, mut bad_close) = (false, true, false, false);
    // A line break inside the quotes, so far followed by nothing but line breaks.
    let mut broke = false;
    let mut i = 0;
    while i < row.len() {
        let b = row[i];
        if quoted {
            spans |= broke && b != b'\n' && b != b'\r';
            match b {
                b'"' if row.get(i + 1) == Some(&b'"') => i += 1,
                b'"' => {
                    quoted = false;
                    bad_close |= !matches!(row.get(i + 1), None | Some(b',' | b'\n' | b'\r'));
                }
                b'\n' | b'\r' => broke = true,
                _ => {}
            }
        } else if field_start && b == b'"' {
            quoted = true;
            field_start = false;
        } else {
            field_start = matches!(b, b',' | b'\n' | b'\r');
        }
        i += 1;
    }
    if !spans {
        return None;
    }
    if quoted {
        return Some(format!(
            "a quoted field opened on this line never closes, so the rest of the file would be its text: {AGAIN}"
        ));
    }
    bad_close.then(|| format!("a quoted field opened on this line takes in the lines after it and closes in the middle of a field, so its quote was opened by mistake: {AGAIN}"))
}

fn push(batch: &mut Batch, file: usize, line: u64, result: Result<Call<'static>, String>) -> bool {
    batch.items.push(Item { file, line, payload: Payload::Done(result) });
    true
}

fn add_row(call: &mut Call, cols: &Columns, record: &csv::StringRecord) {
    let field = |i: Option<usize>| i.map(|i| record[i].trim()).filter(|s| !s.is_empty());
    if call.started_at.is_none() {
        call.started_at = field(cols.started_at).map(str::to_string);
    }
    for (i, name) in &cols.metadata {
        let value = record[*i].trim();
        match call.metadata.iter_mut().find(|(k, _)| k == name) {
            Some((_, v)) if v.is_empty() => *v = value.to_string(),
            Some(_) => {}
            None => call.metadata.push((name.clone(), value.to_string())),
        }
    }
    let text = record[cols.text].trim();
    if text.is_empty() {
        return;
    }
    call.turns.push(Turn {
        speaker: field(cols.speaker).unwrap_or("customer").to_string().into(),
        text: text.to_string().into(),
        start: field(cols.start).and_then(|s| s.parse().ok()),
        end: field(cols.end).and_then(|s| s.parse().ok()),
        role: None,
        control_free: false,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<(u64, Result<Call<'static>, String>)> {
        let mut batch = Batch::default();
        let reader: Box<dyn BufRead + Send> = Box::new(std::io::Cursor::new(text.as_bytes().to_vec()));
        frame(0, "survey", reader, &mut batch, 1 << 20, |_| false, &mut |_| true);
        batch
            .items
            .into_iter()
            .map(|i| match i.payload {
                Payload::Done(r) => (i.line, r),
                _ => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn groups_rows_into_calls_and_keeps_metadata() {
        let calls = read(
            "call_id,speaker,text,region\nc1,agent,hello,west\nc2,customer,hi,east\nc1,customer,charged twice,west\n",
        );
        assert_eq!(calls.len(), 2);
        let c1 = calls[0].1.as_ref().unwrap();
        assert_eq!(c1.call_id, "c1");
        assert_eq!(c1.turns.len(), 2);
        assert_eq!(c1.metadata, vec![("region".to_string(), "west".to_string())]);
        assert_eq!(calls[0].0, 2);
    }

    #[test]
    fn without_speaker_every_row_is_the_customer() {
        let calls = read("id_ignored,comment\n1,\"slow, very slow\"\n2,great\n");
        assert_eq!(calls.len(), 2);
        let c = calls[0].1.as_ref().unwrap();
        assert_eq!(c.turns[0].speaker, "customer");
        assert_eq!(c.turns[0].text, "slow, very slow");
        assert_eq!(c.call_id, "survey:2");
    }

    #[test]
    fn a_bad_row_is_rejected_and_the_rest_read() {
        let calls = read("call_id,text\nc1,fine\nc2,too,many\nc3,ok\n");
        assert_eq!(calls.len(), 3);
        let bad: Vec<_> = calls.iter().filter(|(_, r)| r.is_err()).collect();
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].0, 3);
    }

    #[test]
    fn missing_text_column_rejects_the_file() {
        let calls = read("call_id,speaker\nc1,agent\n");
        assert_eq!(calls.len(), 1);
        assert!(calls[0].1.as_ref().unwrap_err().contains("no text column"));
    }
}
