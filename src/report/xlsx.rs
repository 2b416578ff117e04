//! report.xlsx: an Overview sheet an analyst reads first, then one sheet per table, each with a
//! frozen, filterable header, readable widths and numbers stored as numbers.
//!
//! The big sheets (Calls, Mentions) are streamed from the CSVs already written, in
//! rust_xlsxwriter's constant-memory mode, so the workbook never holds a night's calls in memory.
//! The document's creation time is fixed so that the same run gives the same bytes.

use std::path::Path;

use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::sanitize::cell_text;
use super::table::{Cell, Column, ColumnKind, Table};

/// Excel's limit on characters in a cell.
const MAX_CELL_CHARS: usize = 32_000;

/// A sheet's content: a table in memory, or a CSV file written earlier with its columns.
pub enum SheetSource<'a> {
    /// A table held in memory.
    Table(&'a Table),
    /// A CSV file with a header row (and BOM) written by this run, capped at `max_rows` rows.
    Csv {
        /// The file.
        path: &'a Path,
        /// Its columns.
        columns: &'a [Column],
        /// Row cap.
        max_rows: usize,
    },
}

/// The Overview sheet: facts, then titled lists.
pub struct Overview {
    /// (label, value) facts about the run.
    pub facts: Vec<(String, Cell)>,
    /// Titled tables shown one under the other.
    pub sections: Vec<(String, Table)>,
}

struct Formats {
    header: Format,
    title: Format,
    bold: Format,
    share: Format,
    ratio: Format,
    score: Format,
}

impl Formats {
    /// The number format of a column of this kind, if it has one.
    fn number(&self, kind: ColumnKind) -> Option<&Format> {
        match kind {
            ColumnKind::Share => Some(&self.share),
            ColumnKind::Ratio => Some(&self.ratio),
            ColumnKind::Score => Some(&self.score),
            _ => None,
        }
    }

    fn new() -> Formats {
        let header = Format::new().set_bold().set_background_color(Color::RGB(0xDCE6F1)).set_align(FormatAlign::Left);
        Formats {
            header,
            title: Format::new().set_bold().set_font_size(14),
            bold: Format::new().set_bold(),
            share: Format::new().set_num_format("0.0%"),
            ratio: Format::new().set_num_format("0.00"),
            score: Format::new().set_num_format("0.00"),
        }
    }
}

/// Writes the workbook: Overview first, then the named sheets in order. With `parallel`, the
/// CSV-fed sheets are filled on threads of their own.
pub fn write(
    path: &Path,
    overview: &Overview,
    sheets: &[(&str, SheetSource<'_>)],
    parallel: bool,
) -> Result<(), XlsxError> {
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&created).set_title("earful report"));
    // Level 1 deflate saves the big sheets several times faster for a slightly larger file.
    workbook.set_zip_compression_level(1);
    let formats = Formats::new();
    write_overview(workbook.add_worksheet(), overview, &formats)?;
    // Every sheet is added first, in order; then the big CSV-fed sheets are filled on their own
    // threads (each streams to its own temporary file) while this thread fills the small ones;
    // on one core they are filled here, after the small ones.
    for (name, source) in sheets {
        let sheet = match source {
            SheetSource::Table(_) => workbook.add_worksheet(),
            SheetSource::Csv { .. } => workbook.add_worksheet_with_constant_memory()?,
        };
        sheet.set_name(*name)?;
    }
    let formats = &formats;
    std::thread::scope(|scope| -> Result<(), XlsxError> {
        let (mut streams, mut inline) = (Vec::new(), Vec::new());
        for (sheet, (_, source)) in workbook.worksheets_mut().iter_mut().skip(1).zip(sheets) {
            match source {
                SheetSource::Table(table) => {
                    header(sheet, &table.columns, formats)?;
                    for (r, row) in table.rows.iter().enumerate() {
                        for (c, cell) in row.iter().take(table.columns.len()).enumerate() {
                            write_cell(sheet, r as u32 + 1, c as u16, cell, None)?;
                        }
                    }
                    finish(sheet, &table.columns, table.rows.len())?;
                }
                SheetSource::Csv { path, columns, max_rows } => {
                    let fill = move || -> Result<(), XlsxError> {
                        header(sheet, columns, formats)?;
                        let rows = stream_csv(sheet, path, columns, *max_rows)?;
                        finish(sheet, columns, rows)
                    };
                    if parallel {
                        streams.push(scope.spawn(fill));
                    } else {
                        inline.push(fill);
                    }
                }
            }
        }
        for mut fill in inline {
            fill()?;
        }
        for stream in streams {
            stream.join().map_err(|_| XlsxError::ParameterError("a sheet writer thread panicked".into()))??;
        }
        Ok(())
    })?;
    workbook.save(path)
}

/// Writes the header row and sets each column's width and number format. Numbers are then
/// written without a format and take their column's: looking a format up for every cell hashed
/// the whole format each time (2% of a run's CPU).
fn header(sheet: &mut Worksheet, columns: &[Column], formats: &Formats) -> Result<(), XlsxError> {
    for (c, col) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, cell_text(&col.name), &formats.header)?;
        sheet.set_column_width(c as u16, col.width)?;
        if let Some(format) = formats.number(col.kind) {
            sheet.set_column_format(c as u16, format)?;
        }
    }
    Ok(())
}

fn finish(sheet: &mut Worksheet, columns: &[Column], rows: usize) -> Result<(), XlsxError> {
    sheet.set_freeze_panes(1, 0)?;
    if !columns.is_empty() {
        sheet.autofilter(0, 0, rows as u32, columns.len() as u16 - 1)?;
    }
    Ok(())
}

/// Writes one cell; a number gets `format`, or else its column's (see `header`).
fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    format: Option<&Format>,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Text(t) => {
            let text = cell_text(t);
            let text = if text.len() > MAX_CELL_CHARS { truncate(&text) } else { text.into_owned() };
            sheet.write_string(row, col, text)?;
        }
        Cell::Int(i) => {
            sheet.write_number(row, col, *i as f64)?;
        }
        Cell::Float(v) if v.is_finite() => {
            match format {
                Some(format) => sheet.write_number_with_format(row, col, *v, format)?,
                None => sheet.write_number(row, col, *v)?,
            };
        }
        Cell::Bool(b) => {
            sheet.write_boolean(row, col, *b)?;
        }
        Cell::Float(_) | Cell::Empty => {}
    }
    Ok(())
}

fn truncate(text: &str) -> String {
    let mut end = MAX_CELL_CHARS;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// Copies a CSV written by this run into a sheet; cells were sanitised when the CSV was written.
fn stream_csv(sheet: &mut Worksheet, path: &Path, columns: &[Column], max_rows: usize) -> Result<usize, XlsxError> {
    let file = std::fs::File::open(path).map_err(XlsxError::IoError)?;
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(std::io::BufReader::new(file));
    let mut record = csv::StringRecord::new();
    let mut rows = 0usize;
    while rows < max_rows && reader.read_record(&mut record).map_err(|e| XlsxError::ParameterError(e.to_string()))? {
        rows += 1;
        for (c, (value, col)) in record.iter().zip(columns).enumerate() {
            if value.is_empty() {
                continue;
            }
            let number = match col.kind {
                ColumnKind::Text => None,
                ColumnKind::Bool => Some(Cell::Bool(value == "true")),
                _ => value.parse::<f64>().ok().map(Cell::Float),
            };
            match number {
                Some(cell) => write_cell(sheet, rows as u32, c as u16, &cell, None)?,
                // Already sanitised in the CSV: text is written as it stands.
                None if value.len() > MAX_CELL_CHARS => {
                    sheet.write_string(rows as u32, c as u16, truncate(value))?;
                }
                None => {
                    sheet.write_string(rows as u32, c as u16, value)?;
                }
            }
        }
    }
    Ok(rows)
}

fn write_overview(sheet: &mut Worksheet, overview: &Overview, f: &Formats) -> Result<(), XlsxError> {
    sheet.set_name("Overview")?;
    for (c, w) in [34.0, 30.0, 14.0, 14.0, 12.0, 12.0, 60.0].into_iter().enumerate() {
        sheet.set_column_width(c as u16, w)?;
    }
    sheet.write_string_with_format(0, 0, "earful report", &f.title)?;
    let mut row = 2u32;
    for (label, value) in &overview.facts {
        sheet.write_string_with_format(row, 0, label, &f.bold)?;
        write_cell(sheet, row, 1, value, None)?;
        row += 1;
    }
    for (title, table) in &overview.sections {
        row += 1;
        sheet.write_string_with_format(row, 0, title, &f.title)?;
        row += 1;
        for (c, col) in table.columns.iter().enumerate() {
            sheet.write_string_with_format(row, c as u16, &col.name, &f.header)?;
        }
        row += 1;
        if table.rows.is_empty() {
            sheet.write_string(row, 0, "(none)")?;
            row += 1;
        }
        for cells in &table.rows {
            for (c, (cell, col)) in cells.iter().zip(&table.columns).enumerate() {
                write_cell(sheet, row, c as u16, cell, f.number(col.kind))?;
            }
            row += 1;
        }
    }
    Ok(())
}
