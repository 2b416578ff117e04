//! CSV: one row per turn, grouped into calls by `call_id`.
//!
//! Columns are found by name (case-insensitive): `call_id`, `speaker`, `text` (or `transcript`,
//! `message`, `comment`, `verbatim`), and optional `start`, `end`, `started_at`. Every other
//! column is call metadata. Without a `speaker` column every row is a customer turn (survey
//! verbatims, reviews, chat exports); without a `call_id` column every row is its own call, named
//! `<file stem>:<line>`. Rows of one call need not be adjacent: calls are emitted in the order
//! their first row appears, so a CSV file is held in memory while it is read.

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
pub(super) fn frame(
    file: usize,
    reader: Box<dyn BufRead + Send>,
    batch: &mut Batch,
    max_record: usize,
    full: impl Fn(&Batch) -> bool,
    flush: &mut impl FnMut(&mut Batch) -> bool,
) -> bool {
    let mut rdr = csv::ReaderBuilder::new().flexible(false).from_reader(reader);
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => return push(batch, file, 1, Err(format!("cannot read CSV header: {e}"))),
    };
    let cols = match Columns::find(&headers) {
        Ok(cols) => cols,
        Err(reason) => return push(batch, file, 1, Err(reason)),
    };
    let mut calls: Vec<(u64, Call<'static>)> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = rdr.position().line();
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                let fatal = !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Utf8 { .. });
                push(batch, file, line, Err(format!("bad CSV row: {e}")));
                if fatal {
                    break;
                }
                continue;
            }
        }
        let line = record.position().map_or(line, |p| p.line());
        if record.as_slice().len() > max_record {
            let reason =
                format!("row of {} bytes is over limits.max_record_bytes ({max_record})", record.as_slice().len());
            push(batch, file, line, Err(reason));
            continue;
        }
        let id = match cols.call_id.map(|i| record[i].trim()) {
            Some("") => {
                push(batch, file, line, Err("empty call_id".into()));
                continue;
            }
            Some(id) => id.to_string(),
            None => format!("row{line}"),
        };
        let slot = *by_id.entry(id.clone()).or_insert_with(|| {
            calls.push((line, Call { call_id: id, ..Call::default() }));
            calls.len() - 1
        });
        add_row(&mut calls[slot].1, &cols, &record);
    }
    for (line, call) in calls {
        batch.items.push(Item { file, line, payload: Payload::Done(Ok(call)) });
        if full(batch) && !flush(batch) {
            return false;
        }
    }
    true
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
        frame(0, reader, &mut batch, 1 << 20, |_| false, &mut |_| true);
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
        assert_eq!(c.call_id, "row2");
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
