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

/// Like [`write_with_body`], with more text cells at the end of each row: `last(row)` for the
/// row-th row of the body (0-based). The rows are copied as they stand, not parsed and quoted
/// again; `columns` includes the added columns.
pub fn write_with_body_and_columns<'a>(
    path: &Path,
    columns: &[Column],
    body: &mut impl std::io::BufRead,
    mut last: impl FnMut(usize) -> &'a [&'a str],
) -> std::io::Result<()> {
    let mut file = start_with_header(path, columns)?;
    let mut record = Vec::new();
    let mut row = 0;
    while body.read_until(b'\n', &mut record)? > 0 {
        // A line break inside a quoted field leaves an odd number of quotes read so far (a quote
        // inside a field is doubled), so the record goes on.
        if record.iter().filter(|&&b| b == b'"').count() % 2 == 1 {
            continue;
        }
        file.write_all(record.strip_suffix(b"\n").unwrap_or(&record))?;
        for &text in last(row) {
            file.write_all(b",")?;
            let cell = cell_text(text);
            if cell.contains([',', '"', '\n', '\r']) {
                file.write_all(format!("\"{}\"", cell.replace('"', "\"\"")).as_bytes())?;
            } else {
                file.write_all(cell.as_bytes())?;
            }
        }
        file.write_all(b"\n")?;
        record.clear();
        row += 1;
    }
    file.write_all(&record)?;
    file.flush()
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
        write_with_body_and_columns(&fast, &columns, &mut &body[..], |row| &extra[row][..]).unwrap();
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
