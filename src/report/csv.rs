//! CSV rendering: UTF-8 with a byte-order mark (so Excel opens it as UTF-8 on double-click;
//! Google Sheets and pandas' `utf-8-sig` read it too), a header row, text cells sanitised,
//! numbers written plainly with a fixed precision so the same run gives the same bytes.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use super::sanitize::cell_text;
use super::table::{Cell, Column, ColumnKind, Table};

/// The UTF-8 byte-order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Renders a number the way every report writes it.
pub fn number(value: f64, kind: ColumnKind) -> String {
    let mut out = String::new();
    push_number(&mut out, value, kind);
    out
}

/// Appends a number to `out` the way [`number`] renders it.
pub fn push_number(out: &mut String, value: f64, kind: ColumnKind) {
    use std::fmt::Write as _;
    if !value.is_finite() {
        return;
    }
    // Writing to a String cannot fail.
    let _ = match kind {
        ColumnKind::PValue if value != 0.0 && value.abs() < 1e-4 => write!(out, "{value:.2e}"),
        ColumnKind::Int => write!(out, "{}", value.round() as i64),
        _ if push_four_decimals(out, value) => Ok(()),
        _ => {
            let start = out.len();
            let written = write!(out, "{value:.4}");
            if &out[start..] == "-0.0000" {
                out.replace_range(start.., "0.0000");
            }
            written
        }
    };
}

/// Appends `value` with four decimals, as `{:.4}` would (with "-0.0000" as "0.0000"), by
/// integer arithmetic: `{:.4}` takes an exact, slow path for every number, and calls.csv writes
/// two scores per call. Returns false, appending nothing, when the value is large or lies so
/// near a rounding boundary that the product by 10,000 might round the other way.
fn push_four_decimals(out: &mut String, value: f64) -> bool {
    if value.abs() >= 10_000.0 {
        return false;
    }
    let scaled = value * 10_000.0;
    // |scaled| < 1e8, where the product is off by at most 1e-8: a fraction this far from one
    // half rounds as the exact value does.
    if (scaled.abs().fract() - 0.5).abs() < 1e-6 {
        return false;
    }
    let n = scaled.round() as i64;
    if n < 0 {
        out.push('-');
    }
    let (whole, part) = (n.unsigned_abs() / 10_000, n.unsigned_abs() % 10_000);
    let mut digits = [b'0'; 4];
    let mut rest = part;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    use std::fmt::Write as _;
    let _ = write!(out, "{whole}.");
    out.push_str(std::str::from_utf8(&digits).unwrap_or("0000"));
    true
}

/// Renders a cell as text.
pub fn cell(cell: &Cell, kind: ColumnKind) -> String {
    match cell {
        Cell::Text(t) => cell_text(t).into_owned(),
        Cell::Int(i) => i.to_string(),
        Cell::Float(f) => number(*f, kind),
        Cell::Bool(b) => b.to_string(),
        Cell::Empty => String::new(),
    }
}

/// A CSV file written row by row.
pub struct CsvStream {
    writer: csv::Writer<BufWriter<File>>,
    kinds: Vec<ColumnKind>,
    record: Vec<String>,
}

impl CsvStream {
    /// Creates the file and writes the BOM and header.
    pub fn create(path: &Path, columns: &[Column]) -> std::io::Result<CsvStream> {
        let mut file = BufWriter::with_capacity(1 << 16, File::create(path)?);
        file.write_all(BOM)?;
        let mut writer = csv::WriterBuilder::new().from_writer(file);
        // Metadata field names come from the input too: the header is sanitised like any cell.
        writer.write_record(columns.iter().map(|c| cell_text(&c.name).into_owned()))?;
        Ok(CsvStream { writer, kinds: columns.iter().map(|c| c.kind).collect(), record: Vec::new() })
    }

    /// Writes one row.
    pub fn write(&mut self, row: &[Cell]) -> std::io::Result<()> {
        self.record.clear();
        self.record.extend(row.iter().zip(&self.kinds).map(|(c, k)| cell(c, *k)));
        self.writer.write_record(&self.record)?;
        Ok(())
    }

    /// Writes one row of already rendered (and sanitised) cells.
    pub fn write_raw(&mut self, row: &[String]) -> std::io::Result<()> {
        self.writer.write_record(row)?;
        Ok(())
    }

    /// Writes fields already rendered by these rules, given as bytes, as one row.
    pub fn write_raw_bytes<'a>(&mut self, row: impl IntoIterator<Item = &'a [u8]>) -> std::io::Result<()> {
        for field in row {
            self.writer.write_field(field)?;
        }
        self.writer.write_record(None::<&[u8]>)?;
        Ok(())
    }

    /// Flushes and closes the file.
    pub fn finish(self) -> std::io::Result<()> {
        let mut inner = self.writer.into_inner().map_err(|e| e.into_error())?;
        inner.flush()
    }
}

/// Writes the BOM and header, then copies rows rendered elsewhere by these rules byte for byte.
pub fn write_with_body(path: &Path, columns: &[Column], body: &mut impl std::io::Read) -> std::io::Result<()> {
    let mut file = start_with_header(path, columns)?;
    std::io::copy(body, &mut file)?;
    file.flush()
}

/// Like [`write_with_body`], with cells added to the body's rows as they are copied, not parsed
/// and written again: `pad(row)` gives `(field, n)` to put `n` empty cells before the row's
/// `field`-th cell (0-based: metadata fields first seen after the row was written), and
/// `last(row)` gives text cells to add at its end (0-based rows). `columns` includes the added
/// columns. The body was written by these rules, each row with two cells or more (a call's row
/// has a dozen), so its rows stand as they are: a row of one empty cell, written `""`, would be
/// copied so.
pub fn write_with_body_spliced<'a>(
    path: &Path,
    columns: &[Column],
    body: &mut impl std::io::Read,
    mut pad: impl FnMut(usize) -> Option<(usize, usize)>,
    mut last: impl FnMut(usize) -> &'a [&'a str],
) -> std::io::Result<()> {
    let mut file = start_with_header(path, columns)?;
    let mut records = Records::new(body, 1 << 20);
    let mut row = 0;
    while let Some(record) = records.next()? {
        match pad(row) {
            Some((field, n)) => {
                // Before the field's cell, or after the row's last cell if it has no such cell.
                let (head, tail) = match field_start(record, field) {
                    Some(at) => (&record[..at], &record[at..]),
                    None => (record, &b""[..]),
                };
                file.write_all(head)?;
                for _ in 0..n {
                    file.write_all(b",")?;
                }
                file.write_all(tail)?;
            }
            None => file.write_all(record)?,
        }
        for &text in last(row) {
            file.write_all(b",")?;
            write_quoted_if_needed(&mut file, cell_text(text).as_bytes())?;
        }
        file.write_all(b"\n")?;
        row += 1;
    }
    file.flush()
}

/// Writes a cell as the csv crate's writer does by default: in quotes, with its quotes doubled,
/// when it holds a comma, a quote or a line break (`\r` or `\n`); as it is otherwise.
fn write_quoted_if_needed(out: &mut impl Write, cell: &[u8]) -> std::io::Result<()> {
    if !cell.iter().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        return out.write_all(cell);
    }
    out.write_all(b"\"")?;
    for (i, part) in cell.split(|&b| b == b'"').enumerate() {
        if i > 0 {
            out.write_all(b"\"\"")?;
        }
        out.write_all(part)?;
    }
    out.write_all(b"\"")
}

/// Where the `field`-th cell (0-based) of a CSV record starts, if the record has that many.
fn field_start(record: &[u8], field: usize) -> Option<usize> {
    if field == 0 {
        return Some(0);
    }
    let (mut seen, mut quoted) = (0, false);
    for at in memchr::memchr2_iter(b',', b'"', record) {
        if record[at] == b'"' {
            quoted = !quoted;
        } else if !quoted {
            seen += 1;
            if seen == field {
                return Some(at + 1);
            }
        }
    }
    None
}

/// The records of a CSV text, read a large piece at a time: each ends at a line break outside
/// quotes (a quote inside a quoted cell is doubled, so counting quotes tells inside from outside).
struct Records<R> {
    source: R,
    buf: Vec<u8>,
    /// The unread part of `buf`.
    start: usize,
    end: usize,
    done: bool,
}

impl<R: std::io::Read> Records<R> {
    /// Reads `source` `capacity` bytes at a time, more for a longer record.
    fn new(source: R, capacity: usize) -> Records<R> {
        Records { source, buf: vec![0; capacity.max(1)], start: 0, end: 0, done: false }
    }

    /// The next record, without its line break.
    fn next(&mut self) -> std::io::Result<Option<&[u8]>> {
        let (mut scan, mut quoted) = (self.start, false);
        loop {
            while let Some(i) = memchr::memchr2(b'"', b'\n', &self.buf[scan..self.end]) {
                let at = scan + i;
                scan = at + 1;
                if self.buf[at] == b'"' {
                    quoted = !quoted;
                } else if !quoted {
                    let record = self.start..at;
                    self.start = at + 1;
                    return Ok(Some(&self.buf[record]));
                }
            }
            if self.done {
                // A last record without a line break.
                let record = self.start..self.end;
                self.start = self.end;
                return Ok((!record.is_empty()).then(|| &self.buf[record]));
            }
            // The record goes on past what was read: read more after it, moving it to the front
            // of the buffer first when the buffer is full, and growing the buffer when the record
            // fills it all.
            if self.end == self.buf.len() {
                if self.start > 0 {
                    self.buf.copy_within(self.start..self.end, 0);
                    (scan, self.end) = (scan - self.start, self.end - self.start);
                    self.start = 0;
                } else {
                    self.buf.resize(2 * self.buf.len(), 0);
                }
            }
            match self.source.read(&mut self.buf[self.end..]) {
                Ok(0) => self.done = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// Creates the file and writes the BOM and the header row.
fn start_with_header(path: &Path, columns: &[Column]) -> std::io::Result<BufWriter<File>> {
    let mut file = BufWriter::with_capacity(1 << 16, File::create(path)?);
    file.write_all(BOM)?;
    {
        let mut header = csv::WriterBuilder::new().from_writer(&mut file);
        header.write_record(columns.iter().map(|c| cell_text(&c.name).into_owned()))?;
        header.flush()?;
    }
    Ok(file)
}

/// Writes a whole table to a file.
pub fn write_table(path: &Path, table: &Table) -> std::io::Result<()> {
    let mut out = CsvStream::create(path, &table.columns)?;
    for row in &table.rows {
        out.write(row)?;
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast four-decimal path writes what `{:.4}` writes, for every value it takes.
    #[test]
    fn four_decimals_match_the_formatter() {
        let mut values = vec![0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 0.00005, -0.00004, 0.12345, 9999.99995, 0.7072, -0.4472];
        // A spread of values from a fixed linear congruential sequence.
        let mut x: u64 = 7;
        for _ in 0..200_000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let unit = (x >> 11) as f64 / (1u64 << 53) as f64;
            values.push((unit - 0.5) * 2.0);
            values.push((unit - 0.5) * 20_000.0);
            values.push((unit * 1e8).round() / 1e8);
        }
        let mut taken = 0;
        for v in values {
            let mut fast = String::new();
            if push_four_decimals(&mut fast, v) {
                taken += 1;
                let slow = format!("{v:.4}");
                let slow = if slow == "-0.0000" { "0.0000".to_string() } else { slow };
                assert_eq!(fast, slow, "{v:e}");
            }
        }
        assert!(taken > 590_000, "{taken}");
    }

    /// The added column gives the same bytes as parsing the rows and writing them again would.
    #[test]
    fn a_column_added_to_rows_as_they_stand_matches_a_rewrite() {
        let dir = tempfile::tempdir().unwrap();
        let rows: Vec<Vec<&str>> = vec![
            vec!["c1", "plain", "1"],
            vec!["c2", "two\nlines, and a \"quote\"", ""],
            vec!["c3", "", "=1+1"],
            vec!["c4", "\"\"", "x"],
        ];
        let mut body = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
        for row in &rows {
            body.write_record(row).unwrap();
        }
        let body = body.into_inner().unwrap();
        let columns: Vec<Column> = ["id", "text", "n", "theme", "theme_label"]
            .iter()
            .map(|name| Column { name: name.to_string(), kind: ColumnKind::Text, width: 10.0 })
            .collect();
        let extra = [["T01", "lost bag"], ["", ""], ["a,b", "say \"hi\""], ["=cmd", "@x"]];
        let fast = dir.path().join("fast.csv");
        write_with_body_spliced(&fast, &columns, &mut &body[..], |_| None, |row| &extra[row][..]).unwrap();
        let slow = dir.path().join("slow.csv");
        let table = Table {
            columns: columns.clone(),
            rows: rows
                .iter()
                .zip(extra)
                .map(|(row, e)| row.iter().chain(e.iter()).map(|v| Cell::Text(v.to_string())).collect())
                .collect(),
        };
        write_table(&slow, &table).unwrap();
        let (fast, slow) = (std::fs::read_to_string(fast).unwrap(), std::fs::read_to_string(slow).unwrap());
        // The body's cells were written as given (the slow path sanitises them; the fast path
        // trusts a body that was sanitised when written): compare the added columns only.
        let last = |text: &str| -> Vec<Vec<String>> {
            let mut r = csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
            r.records().map(|rec| rec.unwrap().iter().skip(3).map(str::to_string).collect()).collect()
        };
        assert_eq!(last(&fast), last(&slow));
        let want = [["T01", "lost bag"], ["", ""], ["a,b", "say \"hi\""], ["'=cmd", "'@x"]];
        assert_eq!(last(&fast), want.map(|r| r.map(str::to_string).to_vec()));
        assert_eq!(fast.lines().count(), 6, "{fast}");
    }

    /// A source that gives one byte per read, and is interrupted before every byte.
    struct Trickle<'a> {
        bytes: &'a [u8],
        interrupt: bool,
    }

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.interrupt = !self.interrupt;
            if self.interrupt {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let Some((&first, rest)) = self.bytes.split_first() else { return Ok(0) };
            let Some(slot) = buf.first_mut() else { return Ok(0) };
            *slot = first;
            self.bytes = rest;
            Ok(1)
        }
    }

    /// Splicing cells into rows as they stand writes what parsing the rows and writing them again
    /// with the cells in place does (the way calls.csv was rewritten before), whatever the cells
    /// hold: commas, quotes, line breaks, nothing; and however little is read at a time.
    fn spliced_and_rewritten(rows: &[Vec<String>], pads: &[Option<(usize, usize)>], last: &[[String; 2]]) {
        let dir = tempfile::tempdir().unwrap();
        let mut body = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
        for row in rows {
            body.write_record(row).unwrap();
        }
        let body = body.into_inner().unwrap();
        let columns: Vec<Column> = ["a", "b"]
            .iter()
            .map(|name| Column { name: name.to_string(), kind: ColumnKind::Text, width: 10.0 })
            .collect();
        let cells: Vec<[&str; 2]> = last.iter().map(|[a, b]| [a.as_str(), b.as_str()]).collect();
        let fast = dir.path().join("fast.csv");
        // One byte read at a time: every record goes on past what was read.
        let mut trickle = Trickle { bytes: &body, interrupt: false };
        let pad = |row: usize| pads.get(row).copied().flatten();
        write_with_body_spliced(&fast, &columns, &mut trickle, pad, |row| &cells[row][..]).unwrap();
        let slow = dir.path().join("slow.csv");
        // Rows of any length, as the body's.
        let mut out = csv::WriterBuilder::new().flexible(true).from_writer(start_with_header(&slow, &columns).unwrap());
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&body[..]);
        for (row, record) in reader.byte_records().enumerate() {
            let record = record.unwrap();
            let (at, n) = pad(row).unwrap_or((record.len(), 0));
            let added: Vec<String> =
                cells[row].iter().map(|c| cell(&Cell::Text(c.to_string()), ColumnKind::Text)).collect();
            let fields = (record.iter().take(at))
                .chain(std::iter::repeat_n(&b""[..], n))
                .chain(record.iter().skip(at))
                .chain(added.iter().map(String::as_bytes));
            out.write_record(fields).unwrap();
        }
        out.flush().unwrap();
        drop(out);
        assert_eq!(std::fs::read_to_string(fast).unwrap(), std::fs::read_to_string(slow).unwrap());
    }

    /// Records longer than the piece read at first are read whole; a quoted line break does not
    /// end one, and a last record without a line break is one.
    #[test]
    fn records_longer_than_the_buffer_are_read_whole() {
        let text = "a,\"b\nc\",d\n\"\"\"x\"\"\"\n\nlong,long,long,long\nend";
        let mut records = Records::new(Trickle { bytes: text.as_bytes(), interrupt: false }, 2);
        let mut got = Vec::new();
        while let Some(r) = records.next().unwrap() {
            got.push(String::from_utf8(r.to_vec()).unwrap());
        }
        assert_eq!(got, ["a,\"b\nc\",d", "\"\"\"x\"\"\"", "", "long,long,long,long", "end"]);
    }

    proptest::proptest! {
        #[test]
        fn splicing_cells_into_rows_matches_a_rewrite(
            rows in proptest::collection::vec(
                proptest::collection::vec("(a|,|\"|\n|\r|\r\n| |=|\u{e9}){0,5}", 2..8), 1..8,
            ),
            pads in proptest::collection::vec(proptest::option::of((0usize..9, 0usize..3)), 8),
            last in proptest::collection::vec(("(a|,|\"|\n|\r|=|@|-|[+]| ){0,3}", "(b|,|\"|\t){0,3}"), 8),
        ) {
            let last: Vec<[String; 2]> = last.into_iter().map(|(a, b)| [a, b]).collect();
            spliced_and_rewritten(&rows, &pads, &last);
        }
    }

    #[test]
    fn numbers_are_stable_and_readable() {
        assert_eq!(number(0.13, ColumnKind::Share), "0.1300");
        assert_eq!(number(1.0 / 3.0, ColumnKind::Ratio), "0.3333");
        assert_eq!(number(0.000_012_3, ColumnKind::PValue), "1.23e-5");
        assert_eq!(number(0.5, ColumnKind::PValue), "0.5000");
        assert_eq!(number(-0.00001, ColumnKind::Score), "0.0000");
        assert_eq!(number(f64::NAN, ColumnKind::Ratio), "");
    }

    #[test]
    fn writes_bom_header_and_sanitised_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let table = Table {
            columns: vec![
                Column { name: "quote".into(), kind: ColumnKind::Text, width: 10.0 },
                Column { name: "n".into(), kind: ColumnKind::Int, width: 5.0 },
            ],
            rows: vec![vec![Cell::Text("=1+1, \"quoted\"".into()), Cell::Int(3)]],
        };
        write_table(&path, &table).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(BOM));
        assert_eq!(&bytes[3..], b"quote,n\n\"'=1+1, \"\"quoted\"\"\",3\n");
    }
}
