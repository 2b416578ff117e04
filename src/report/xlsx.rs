//! report.xlsx: an Overview sheet an analyst reads first, then one sheet per table, each with a
//! frozen, filterable header, readable widths and numbers stored as numbers.
//!
//! The big sheets (Follow-ups, Calls, Mentions) are copied from the CSVs already written, row by
//! row, by [`super::sheet_xml`], so the workbook never holds a night's calls in memory.
//! The document's creation time is fixed so that the same run gives the same bytes.

use std::borrow::Cow;
use std::path::Path;

use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::sanitize::cell_text;
use super::sheet_xml::{self, BigSheet};
use super::table::{Cell, Column, ColumnKind, Table};

/// Excel's limit on characters in a cell.
pub(super) const MAX_CELL_CHARS: usize = 32_000;

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
        /// The rows in the file, header aside.
        rows: usize,
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
/// CSV-fed sheets are written on threads of their own.
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
    // Every sheet gets its header, widths and styles here; the big CSV-fed sheets get their rows
    // afterwards, straight into the saved file.
    let mut big = Vec::new();
    for (index, (name, source)) in sheets.iter().enumerate() {
        let sheet = workbook.add_worksheet();
        sheet.set_name(*name)?;
        match source {
            SheetSource::Table(table) => {
                header(sheet, &table.columns, &formats)?;
                for (r, row) in table.rows.iter().enumerate() {
                    for (c, cell) in row.iter().take(table.columns.len()).enumerate() {
                        write_cell(sheet, r as u32 + 1, c as u16, cell, None)?;
                    }
                }
                finish(sheet, &table.columns, table.rows.len())?;
            }
            SheetSource::Csv { path, columns, max_rows, rows } => {
                let rows = (*rows).min(*max_rows);
                header(sheet, columns, &formats)?;
                finish(sheet, columns, rows)?;
                // The Overview is sheet 1.
                big.push(BigSheet { entry: format!("xl/worksheets/sheet{}.xml", index + 2), csv: path, columns, rows });
            }
        }
    }
    let saved = workbook.save_to_buffer()?;
    sheet_xml::assemble(path, saved, &big, parallel)
}

/// Writes the header row and sets each column's width and number format. Numbers are then
/// written without a format and take their column's: looking a format up for every cell hashed
/// the whole format each time (2% of a run's CPU).
fn header(sheet: &mut Worksheet, columns: &[Column], formats: &Formats) -> Result<(), XlsxError> {
    for (c, col) in columns.iter().enumerate() {
        put_text(sheet, 0, c as u16, &cell_text(&col.name), Some(&formats.header))?;
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
        Cell::Text(t) => put_text(sheet, row, col, &cell_text(t), None)?,
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

/// Writes `text` as a string cell. rust_xlsxwriter keeps a string that starts with `<r>` and ends
/// with `</r>` as rich text it made itself, and copies it into the workbook unescaped: customer text
/// of that shape ("<r>...</r>" in a quote, an idea, a metadata value) would break the workbook's
/// XML, or add shared strings that shift every later cell's text. Such text is written as a rich
/// string of one run instead, which rust_xlsxwriter escapes: the cell reads exactly as the text.
/// Text past Excel's limit for a cell is cut (see [`truncate`]): every string, a column's name
/// from the metadata as much as a quote, so that no text can make the workbook fail.
fn put_text(sheet: &mut Worksheet, row: u32, col: u16, text: &str, format: Option<&Format>) -> Result<(), XlsxError> {
    let text = &*truncate(text);
    let looks_rich = text.starts_with("<r>") && text.ends_with("</r>");
    match (looks_rich, format) {
        (false, None) => sheet.write_string(row, col, text),
        (false, Some(format)) => sheet.write_string_with_format(row, col, text, format),
        (true, None) => sheet.write_rich_string(row, col, &[(&Format::default(), text)]),
        // The run carries the format's font (bold), the cell its fill and alignment.
        (true, Some(format)) => sheet.write_rich_string_with_format(row, col, &[(format, text)], format),
    }?;
    Ok(())
}

/// `text`, or, past Excel's limit for a cell, its first [`MAX_CELL_CHARS`] bytes (to a character)
/// and an ellipsis.
pub(super) fn truncate(text: &str) -> Cow<'_, str> {
    if text.len() <= MAX_CELL_CHARS {
        return Cow::Borrowed(text);
    }
    let mut end = MAX_CELL_CHARS;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}…", &text[..end]))
}

fn write_overview(sheet: &mut Worksheet, overview: &Overview, f: &Formats) -> Result<(), XlsxError> {
    sheet.set_name("Overview")?;
    for (c, w) in [34.0, 30.0, 14.0, 14.0, 12.0, 12.0, 60.0].into_iter().enumerate() {
        sheet.set_column_width(c as u16, w)?;
    }
    sheet.write_string_with_format(0, 0, "earful report", &f.title)?;
    let mut row = 2u32;
    for (label, value) in &overview.facts {
        put_text(sheet, row, 0, label, Some(&f.bold))?;
        write_cell(sheet, row, 1, value, None)?;
        row += 1;
    }
    for (title, table) in &overview.sections {
        row += 1;
        put_text(sheet, row, 0, title, Some(&f.title))?;
        row += 1;
        for (c, col) in table.columns.iter().enumerate() {
            put_text(sheet, row, c as u16, &col.name, Some(&f.header))?;
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
