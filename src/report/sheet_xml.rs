//! The rows of the big sheets (Follow-ups, Calls, Mentions) written as SpreadsheetML straight
//! into the workbook's zip, each sheet on threads of its own.
//!
//! rust_xlsxwriter builds every cell as a value, then formats it; for the 100,000-row sheets of a
//! large run that, and its single-threaded compression at save, was most of the time spent after
//! the calls were read. Here rust_xlsxwriter still writes the whole workbook, with each big sheet
//! holding only its header row, and decides everything about the sheet (widths, column styles,
//! frozen header, filter). This module then takes that sheet's XML, puts the data rows from the
//! CSV inside its `<sheetData>`, and writes the result as its own zip entry, which is copied
//! into the final file without being compressed again. The rows are written exactly as
//! rust_xlsxwriter writes them in its constant-memory mode (inline strings, the column's style
//! on each cell); a test compares the two.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Cursor, Read, Write};
use std::path::{Path, PathBuf};

use rust_xlsxwriter::XlsxError;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use super::table::{Column, ColumnKind};
use super::xlsx::truncate;

/// One big sheet: its zip entry (`xl/worksheets/sheetN.xml`), its CSV, columns and row count.
pub struct BigSheet<'a> {
    /// The entry's name in the workbook's zip.
    pub entry: String,
    /// The CSV the rows come from (header row first).
    pub csv: &'a Path,
    /// The sheet's columns, in the CSV's order.
    pub columns: &'a [Column],
    /// Data rows to copy: the first `rows` of the CSV.
    pub rows: usize,
}

/// The zip options rust_xlsxwriter uses for its entries, so that every entry looks alike.
fn entry_options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1))
        .unix_permissions(0o600)
        .last_modified_time(DateTime::default())
}

/// Rewrites the workbook `saved` (as rust_xlsxwriter wrote it, the big sheets holding only their
/// header rows) into `path`, with the big sheets' rows filled in. With `parallel`, each big
/// sheet is written on a thread of its own and compressed on another.
pub fn assemble(path: &Path, saved: Vec<u8>, sheets: &[BigSheet<'_>], parallel: bool) -> Result<(), XlsxError> {
    let mut archive = ZipArchive::new(Cursor::new(saved))?;
    // Each sheet's XML as rust_xlsxwriter wrote it, split where the data rows go.
    let mut shells = Vec::with_capacity(sheets.len());
    for sheet in sheets {
        let mut xml = String::new();
        archive.by_name(&sheet.entry)?.read_to_string(&mut xml).map_err(XlsxError::IoError)?;
        shells.push(Shell::parse(&xml, sheet)?);
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let parts: Vec<PathBuf> = (0..sheets.len()).map(|i| dir.join(format!(".report.sheet{i}.zip.part"))).collect();
    let result = write_parts(sheets, &shells, &parts, parallel).and_then(|()| {
        let mut out = ZipWriter::new(BufWriter::new(File::create(path).map_err(XlsxError::IoError)?));
        for i in 0..archive.len() {
            let entry = archive.by_index_raw(i)?;
            let name = entry.name()?.into_owned();
            match sheets.iter().position(|s| s.entry == name) {
                Some(k) => {
                    drop(entry);
                    let mut part = ZipArchive::new(File::open(&parts[k]).map_err(XlsxError::IoError)?)?;
                    out.raw_copy_file(part.by_index_raw(0)?)?;
                }
                None => out.raw_copy_file(entry)?,
            }
        }
        out.finish()?.flush().map_err(XlsxError::IoError)
    });
    for part in &parts {
        let _ = std::fs::remove_file(part);
    }
    result
}

fn write_parts(sheets: &[BigSheet<'_>], shells: &[Shell], parts: &[PathBuf], parallel: bool) -> Result<(), XlsxError> {
    let jobs = sheets.iter().zip(shells).zip(parts);
    if !parallel {
        return jobs.into_iter().try_for_each(|((sheet, shell), part)| write_part(sheet, shell, part, false));
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            jobs.map(|((sheet, shell), part)| scope.spawn(move || write_part(sheet, shell, part, true))).collect();
        handles.into_iter().try_for_each(|h| {
            h.join().map_err(|_| XlsxError::ParameterError("a sheet writer thread panicked".into()))?
        })
    })
}

/// A big sheet's XML around its data rows, and the style of each column's cells.
struct Shell {
    /// Everything up to `</sheetData>`, header row included, with the final dimension.
    head: String,
    /// `</sheetData>` and everything after it.
    tail: String,
    /// The style index of each column's cells (0: none), from the sheet's `<cols>`.
    styles: Vec<u32>,
}

impl Shell {
    fn parse(xml: &str, sheet: &BigSheet<'_>) -> Result<Shell, XlsxError> {
        let malformed = || XlsxError::ParameterError(format!("{}: unexpected sheet XML", sheet.entry));
        let split = xml.find("</sheetData>").ok_or_else(malformed)?;
        let (mut head, tail) = (xml[..split].to_string(), xml[split..].to_string());
        // The dimension covers the header and the data rows, as if they had been written here.
        let last = column_name(sheet.columns.len().saturating_sub(1));
        let dimension = if sheet.rows == 0 { format!("A1:{last}1") } else { format!("A1:{last}{}", sheet.rows + 1) };
        let at = head.find("<dimension ref=\"").ok_or_else(malformed)? + "<dimension ref=\"".len();
        let end = at + head[at..].find('"').ok_or_else(malformed)?;
        head.replace_range(at..end, &dimension);
        let mut styles = vec![0u32; sheet.columns.len()];
        for col in head.split("<col ").skip(1) {
            let col = &col[..col.find("/>").ok_or_else(malformed)?];
            // Each attribute is looked for after a space, the first one included.
            let col = format!(" {col}");
            let attr = |name: &str| -> Option<u32> {
                let at = col.find(&format!(" {name}=\""))? + name.len() + 3;
                col[at..].split('"').next()?.parse().ok()
            };
            let (Some(min), Some(max)) = (attr("min"), attr("max")) else { return Err(malformed()) };
            if let Some(style) = attr("style") {
                // `min` and `max` count columns from 1.
                for c in min.max(1)..=max {
                    if let Some(s) = styles.get_mut(c as usize - 1) {
                        *s = style;
                    }
                }
            }
        }
        Ok(Shell { head, tail, styles })
    }
}

/// Writes one big sheet as the only entry of the zip `part`. With `compress_apart`, the XML is
/// compressed on a thread of its own as it is made: making the rows (reading the CSV, writing
/// the cells) and compressing them cost about the same, and the Calls sheet, the wider one, was
/// the last to finish while the other core sat idle.
fn write_part(sheet: &BigSheet<'_>, shell: &Shell, part: &Path, compress_apart: bool) -> Result<(), XlsxError> {
    let mut zip = ZipWriter::new(File::create(part).map_err(XlsxError::IoError)?);
    zip.start_file(sheet.entry.as_str(), entry_options())?;
    // Either way the compressor is given the same chunks, so that the file does not depend on
    // the thread count even if the compressed stream depended on how its input was cut.
    if !compress_apart {
        let mut out = Chunks::new(|chunk: Vec<u8>| zip.write_all(&chunk));
        write_xml(sheet, shell, &mut out)?;
        out.flush().map_err(XlsxError::IoError)?;
        drop(out);
        zip.finish()?;
        return Ok(());
    }
    let (tx, rx) = crossbeam_channel::bounded::<Vec<u8>>(4);
    std::thread::scope(|scope| {
        let compressor = scope.spawn(move || -> std::io::Result<ZipWriter<File>> {
            for chunk in rx {
                zip.write_all(&chunk)?;
            }
            Ok(zip)
        });
        let stopped = || std::io::Error::other("the sheet compressing thread stopped");
        let mut out = Chunks::new(|chunk: Vec<u8>| tx.send(chunk).map_err(|_| stopped()));
        let written = write_xml(sheet, shell, &mut out).and_then(|()| out.flush().map_err(XlsxError::IoError));
        // Closing the channel ends the compressor, whether the rows were all written or not.
        drop(out);
        drop(tx);
        let zip = compressor
            .join()
            .map_err(|_| XlsxError::ParameterError("a sheet compressing thread panicked".into()))?
            .map_err(XlsxError::IoError)?;
        written?;
        zip.finish()?;
        Ok(())
    })
}

/// Bytes handed to the compressing thread at a time.
const CHUNK: usize = 1 << 18;

/// A writer that hands its bytes on in chunks of [`CHUNK`] (the last one shorter).
struct Chunks<F: FnMut(Vec<u8>) -> std::io::Result<()>> {
    emit: F,
    chunk: Vec<u8>,
}

impl<F: FnMut(Vec<u8>) -> std::io::Result<()>> Chunks<F> {
    fn new(emit: F) -> Self {
        Chunks { emit, chunk: Vec::with_capacity(CHUNK) }
    }
}

impl<F: FnMut(Vec<u8>) -> std::io::Result<()>> Write for Chunks<F> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        // Up to a full chunk, handed on when full: the buffer never grows past its capacity.
        let take = bytes.len().min(CHUNK - self.chunk.len());
        self.chunk.extend_from_slice(&bytes[..take]);
        if self.chunk.len() == CHUNK {
            self.flush()?;
        }
        Ok(take)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        let full = std::mem::replace(&mut self.chunk, Vec::with_capacity(CHUNK));
        (self.emit)(full)
    }
}

/// The sheet's XML, data rows included, into `out`.
fn write_xml(sheet: &BigSheet<'_>, shell: &Shell, out: &mut impl Write) -> Result<(), XlsxError> {
    out.write_all(shell.head.as_bytes()).map_err(XlsxError::IoError)?;
    let file = File::open(sheet.csv).map_err(XlsxError::IoError)?;
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(std::io::BufReader::new(file));
    let mut record = csv::StringRecord::new();
    let names: Vec<String> = (0..sheet.columns.len()).map(column_name).collect();
    let mut row = String::with_capacity(1 << 12);
    for r in 0..sheet.rows {
        let more = reader.read_record(&mut record).map_err(|e| XlsxError::ParameterError(e.to_string()))?;
        if !more {
            return Err(XlsxError::ParameterError(format!(
                "{}: {} rows expected, {r} found",
                sheet.csv.display(),
                sheet.rows
            )));
        }
        row.clear();
        write_row(&mut row, r as u32 + 2, &record, sheet.columns, &names, &shell.styles);
        out.write_all(row.as_bytes()).map_err(XlsxError::IoError)?;
    }
    out.write_all(shell.tail.as_bytes()).map_err(XlsxError::IoError)
}

/// One `<row>`: numbers and booleans by their column's kind (text that is not a number stays
/// text), text as an inline string; empty cells, and numbers that are not finite, are left out.
fn write_row(
    out: &mut String,
    r: u32,
    record: &csv::StringRecord,
    columns: &[Column],
    names: &[String],
    styles: &[u32],
) {
    let digits = super::itoa(r);
    let row = digits.as_str();
    out.push_str("<row r=\"");
    out.push_str(row);
    out.push_str("\">");
    for (c, (value, col)) in record.iter().zip(columns).enumerate() {
        if value.is_empty() {
            continue;
        }
        let number = match col.kind {
            ColumnKind::Text => None,
            ColumnKind::Bool => Some(if value == "true" { 1.0 } else { 0.0 }),
            _ => value.parse::<f64>().ok(),
        };
        if number.is_some_and(|v| !v.is_finite()) {
            continue;
        }
        out.push_str("<c r=\"");
        out.push_str(&names[c]);
        out.push_str(row);
        out.push('"');
        if styles[c] != 0 {
            out.push_str(" s=\"");
            out.push_str(super::itoa(styles[c]).as_str());
            out.push('"');
        }
        match number {
            Some(v) if col.kind == ColumnKind::Bool => {
                out.push_str(if v == 1.0 { " t=\"b\"><v>1</v></c>" } else { " t=\"b\"><v>0</v></c>" });
            }
            Some(v) => {
                out.push_str("><v>");
                // The number as Rust displays it (rust_xlsxwriter's form), which is the text
                // itself when that is already in shortest form.
                if is_shortest_form(value) {
                    out.push_str(value);
                } else {
                    let _ = write!(out, "{v}");
                }
                out.push_str("</v></c>");
            }
            None => {
                let text = truncate(value);
                let preserve = text.starts_with(['\t', '\n', ' ']) || text.ends_with(['\t', '\n', ' ']);
                out.push_str(if preserve {
                    " t=\"inlineStr\"><is><t xml:space=\"preserve\">"
                } else {
                    " t=\"inlineStr\"><is><t>"
                });
                push_escaped(out, &text);
                out.push_str("</t></is></c>");
            }
        }
    }
    out.push_str("</row>");
}

/// A decimal number's integer and fraction digits, when `text` is an optional minus, an integer
/// part without leading zeros, an optional fraction of at least one digit, and at most 15
/// significant digits (so an `f64` holds it exactly as written).
fn decimal_parts(text: &str) -> Option<(&[u8], Option<&[u8]>)> {
    let body = text.strip_prefix('-').unwrap_or(text).as_bytes();
    let (int, frac) = match body.iter().position(|&b| b == b'.') {
        Some(dot) => (&body[..dot], Some(&body[dot + 1..])),
        None => (body, None),
    };
    let digits = |part: &[u8]| !part.is_empty() && part.iter().all(u8::is_ascii_digit);
    if !digits(int) || (int.len() > 1 && int[0] == b'0') || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    let significant = int.iter().chain(frac.unwrap_or_default()).skip_while(|&&b| b == b'0').count();
    (significant <= 15).then_some((int, frac))
}

/// Whether `text` is a plain decimal number that a spreadsheet may hold as a number without
/// changing what it says: not an id with leading zeros ("007", "02134") nor one too long for a
/// double ("4111111111111111").
pub(super) fn is_plain_decimal(text: &str) -> bool {
    decimal_parts(text).is_some()
}

/// Whether a number's text is what `f64`'s `Display` prints for it: a plain decimal (see
/// [`decimal_parts`]) whose fraction does not end in 0 (so the text is the shortest that reads
/// back as the same `f64`).
fn is_shortest_form(text: &str) -> bool {
    decimal_parts(text).is_some_and(|(_, frac)| !frac.is_some_and(|f| f.ends_with(b"0")))
}

/// Writes `text` as XML character data the way Excel stores it: `&`, `<` and `>` as entities;
/// control characters other than tab and newline, and the non-characters U+FFFE and U+FFFF, as
/// `_xHHHH_`; and an underscore that starts text already shaped like `_xHHHH_` as `_x005F_`, so
/// that it reads back as written.
fn push_escaped(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    // Most cells have nothing to escape: one pass over the bytes says so. (U+FFFE and U+FFFF
    // start with 0xEF in UTF-8.) Blocks of 32 bytes are tested whole, without stopping inside
    // one, which compiles to vector code.
    let special =
        |b: u8| (b <= 0x08) | (b.wrapping_sub(0x0B) <= 0x1F - 0x0B) | matches!(b, b'&' | b'<' | b'>' | b'_' | 0xEF);
    if !bytes.chunks(32).any(|block| block.iter().fold(false, |found, &b| found | special(b))) {
        out.push_str(text);
        return;
    }
    let mut copied = 0;
    for (i, ch) in text.char_indices() {
        let escape: Option<std::borrow::Cow<'static, str>> = match ch {
            '&' => Some("&amp;".into()),
            '<' => Some("&lt;".into()),
            '>' => Some("&gt;".into()),
            '\t' | '\n' => None,
            '\u{0}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => Some(format!("_x{:04X}_", ch as u32).into()),
            // The prefix goes before the underscore, which is then copied as it stands.
            '_' if looks_like_escape(&bytes[i..]) => Some("_x005F".into()),
            _ => None,
        };
        if let Some(escape) = escape {
            out.push_str(&text[copied..i]);
            out.push_str(&escape);
            copied = if ch == '_' { i } else { i + ch.len_utf8() };
        }
    }
    out.push_str(&text[copied..]);
}

/// `_xHHHH_` with four hex digits.
fn looks_like_escape(bytes: &[u8]) -> bool {
    bytes.len() >= 7 && bytes[1] == b'x' && bytes[2..6].iter().all(u8::is_ascii_hexdigit) && bytes[6] == b'_'
}

/// The letters of a 0-based column: A..Z, AA..
fn column_name(mut col: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::xlsx::MAX_CELL_CHARS;
    use super::*;

    #[test]
    fn column_names() {
        let names: Vec<String> = [0, 1, 25, 26, 27, 51, 52, 701, 702].into_iter().map(column_name).collect();
        assert_eq!(names, ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    }

    #[test]
    fn shortest_form_is_what_display_prints() {
        let texts = [
            "0",
            "7",
            "-3",
            "12",
            "0.5",
            "-0.4472",
            "0.53",
            "1657.37",
            "100",
            "123456789012345",
            "0.000123",
            "-0",
            "1.50",
            "01",
            "1e3",
            "1.",
            ".5",
            "",
            "-",
            "1234567890123456",
            "0.1234567890123456",
            "+1",
            "1_0",
        ];
        for text in texts {
            let Ok(v) = text.parse::<f64>() else {
                assert!(!is_shortest_form(text), "{text:?} is not a number");
                continue;
            };
            if is_shortest_form(text) {
                assert_eq!(v.to_string(), text, "{text:?} is said to be in shortest form");
            }
        }
        assert!(is_shortest_form("-0.4472") && is_shortest_form("12") && !is_shortest_form("1.50"));
    }

    #[test]
    fn text_is_escaped_as_excel_stores_it() {
        let rows: &[(&str, &str)] = &[
            ("plain", "plain"),
            ("a & b < c > d", "a &amp; b &lt; c &gt; d"),
            ("tab\tand\nnewline stay", "tab\tand\nnewline stay"),
            ("bell\u{7} and cr\r", "bell_x0007_ and cr_x000D_"),
            ("literal _x0041_ kept", "literal _x005F_x0041_ kept"),
            ("not an escape _x41_ or _xZZZZ_", "not an escape _x41_ or _xZZZZ_"),
            ("non-character \u{FFFF}", "non-character _xFFFF_"),
            ("quotes \"stay\" 'as' is", "quotes \"stay\" 'as' is"),
            ("naïve café ’", "naïve café ’"),
            ("past the first block of 32 bytes: a < b", "past the first block of 32 bytes: a &lt; b"),
            ("past the first block of 32 bytes: bell\u{1F}", "past the first block of 32 bytes: bell_x001F_"),
        ];
        for (text, want) in rows {
            let mut out = String::new();
            push_escaped(&mut out, text);
            assert_eq!(&out, want, "{text:?}");
        }
    }

    /// The rows of `csv` as rust_xlsxwriter writes them in constant-memory mode, the way the big
    /// sheets were filled before this module, and the sheet's XML.
    fn reference(csv: &str, columns: &[Column]) -> (String, String) {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet_with_constant_memory().unwrap();
        let score = rust_xlsxwriter::Format::new().set_num_format("0.00");
        for (c, col) in columns.iter().enumerate() {
            sheet.write_string(0, c as u16, &col.name).unwrap();
            if col.kind == ColumnKind::Score {
                sheet.set_column_format(c as u16, &score).unwrap();
            }
        }
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(csv.as_bytes());
        for (r, record) in reader.records().enumerate() {
            let (record, row) = (record.unwrap(), r as u32 + 1);
            for (c, (value, col)) in record.iter().zip(columns).enumerate() {
                let c = c as u16;
                match col.kind {
                    _ if value.is_empty() => {}
                    ColumnKind::Text => {
                        let text = truncate(value).into_owned();
                        sheet.write_string(row, c, text).unwrap();
                    }
                    ColumnKind::Bool => {
                        sheet.write_boolean(row, c, value == "true").unwrap();
                    }
                    _ => match value.parse::<f64>() {
                        Ok(v) if v.is_finite() => {
                            sheet.write_number(row, c, v).unwrap();
                        }
                        Ok(_) => {}
                        Err(_) => {
                            sheet.write_string(row, c, value).unwrap();
                        }
                    },
                }
            }
        }
        let saved = workbook.save_to_buffer().unwrap();
        let mut archive = ZipArchive::new(Cursor::new(saved)).unwrap();
        let mut xml = String::new();
        archive.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut xml).unwrap();
        let rows = xml[xml.find("<row r=\"2\"").unwrap()..xml.find("</sheetData>").unwrap()].to_string();
        (rows, xml)
    }

    #[test]
    fn rows_are_written_as_rust_xlsxwriter_writes_them() {
        let col = |name: &str, kind| Column { name: name.into(), kind, width: 10.0 };
        let columns = [
            col("id", ColumnKind::Text),
            col("n", ColumnKind::Int),
            col("score", ColumnKind::Score),
            col("flag", ColumnKind::Bool),
            col("quote", ColumnKind::Text),
            col("value", ColumnKind::Number),
        ];
        let long = "é".repeat(MAX_CELL_CHARS);
        let csv = format!(
            "id,n,score,flag,quote,value\n\
             c1,3,-0.4472,true,plain words,24.94\n\
             c2,,0.5,false,\" leading and trailing \",24.50\n\
             c3,12,NaN,true,\"a & b < c > d, \"\"quoted\"\", _x0041_ and bell\u{7}\",-3\n\
             c4,n/a,1e3,,\"two\nlines\",\n\
             c5,7,inf,true,{long},0\n\
             ,0,0,false,\u{FFFF} naïve ’,123456789012345\n"
        );
        let (want, xml) = reference(&csv, &columns);
        let sheet =
            BigSheet { entry: "xl/worksheets/sheet1.xml".into(), csv: Path::new("-"), columns: &columns, rows: 6 };
        let shell = Shell::parse(&xml, &sheet).unwrap();
        assert_eq!(shell.styles.iter().filter(|&&s| s != 0).count(), 1, "the score column has a style");
        let names: Vec<String> = (0..columns.len()).map(column_name).collect();
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(csv.as_bytes());
        let mut got = String::new();
        for (r, record) in reader.records().enumerate() {
            write_row(&mut got, r as u32 + 2, &record.unwrap(), &columns, &names, &shell.styles);
        }
        assert_eq!(got, want);
        assert!(shell.head.contains("<dimension ref=\"A1:F7\"/>"), "{}", shell.head);
    }

    #[test]
    fn a_sheet_compressed_on_its_own_thread_is_the_same_file() {
        let col = |name: &str, kind| Column { name: name.into(), kind, width: 10.0 };
        let columns = [col("id", ColumnKind::Text), col("n", ColumnKind::Int), col("quote", ColumnKind::Text)];
        let dir = tempfile::tempdir().unwrap();
        let csv_path = dir.path().join("rows.csv");
        // Several chunks of XML, with text that does not compress to nothing.
        let mut csv = String::from("id,n,quote\n");
        for i in 0..20_000u64 {
            let word = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
            csv.push_str(&format!("c{i},{},\"the parcel {word:x} never came, call {i}\"\n", i % 97));
        }
        std::fs::write(&csv_path, &csv).unwrap();
        let (_, xml) = reference("id,n,quote\nc0,1,x\n", &columns);
        let sheet =
            BigSheet { entry: "xl/worksheets/sheet1.xml".into(), csv: &csv_path, columns: &columns, rows: 20_000 };
        let shell = Shell::parse(&xml, &sheet).unwrap();
        let (here, apart) = (dir.path().join("here.zip"), dir.path().join("apart.zip"));
        write_part(&sheet, &shell, &here, false).unwrap();
        write_part(&sheet, &shell, &apart, true).unwrap();
        let (here, apart) = (std::fs::read(here).unwrap(), std::fs::read(apart).unwrap());
        assert_eq!(here, apart);
        let mut xml = String::new();
        ZipArchive::new(Cursor::new(here)).unwrap().by_index(0).unwrap().read_to_string(&mut xml).unwrap();
        assert!(xml.len() > 4 * CHUNK, "{} bytes", xml.len());
        assert!(xml.contains("<row r=\"20001\""));
        assert!(xml.ends_with(&shell.tail));
    }
}
