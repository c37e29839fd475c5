//! Any list as an office worker expects it in Excel: one sheet named after the list, a title row,
//! a bold header row frozen under it with an autofilter, columns wide enough for their Chinese
//! text, dates as `YYYY-MM-DD` text, printed A4 landscape one page wide with the header repeated.
//!
//! The pages' "导出Excel" links all come here with the rows of the same list they show, already
//! in the reader's language: this module knows nothing of what the rows are.

use crate::ledger::fit_cell;
use chrono::NaiveDate;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

/// One cell of an exported list.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text, as shown on the page.
    Text(String),
    /// A number Excel can sum.
    Number(f64),
    /// A calendar date, written as `YYYY-MM-DD` text so that it reads the same everywhere.
    Date(NaiveDate),
    /// Nothing.
    Empty,
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Number(n as f64)
    }
}

impl From<NaiveDate> for Cell {
    fn from(d: NaiveDate) -> Self {
        Cell::Date(d)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Empty, Into::into)
    }
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// Narrowest and widest column, in Excel's character units.
const MIN_WIDTH: f64 = 6.0;
const MAX_WIDTH: f64 = 48.0;
/// Rows looked at to size the columns: enough to see what a column holds.
const SIZED_ROWS: usize = 500;
/// Most data rows of a sheet (Excel's limit less the title and header rows).
const MAX_ROWS: usize = 1_048_576 - 2;

/// How wide a text shows: CJK and other wide characters count double; a multi-line cell is as
/// wide as its longest line.
pub fn display_width(s: &str) -> usize {
    s.lines()
        .map(|line| line.chars().map(char_width).sum())
        .max()
        .unwrap_or(0)
}

fn char_width(c: char) -> usize {
    let u = c as u32;
    let wide = matches!(u,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD);
    if wide {
        2
    } else {
        1
    }
}

/// A worksheet name from a title: at most 31 characters, without `[]:*?/\`, never empty.
pub fn sheet_name(title: &str) -> String {
    let name: String = title
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    let name = name.trim().trim_matches('\'').to_owned();
    if name.is_empty() {
        "Sheet1".to_owned()
    } else {
        name
    }
}

/// The workbook of one list: `title` over the merged first row, `headers` in the second, then
/// `rows` (each as long as `headers`; a shorter row leaves its last cells empty).
pub fn workbook(title: &str, headers: &[String], rows: &[Vec<Cell>]) -> Result<Vec<u8>, String> {
    if rows.len() > MAX_ROWS {
        return Err(format!(
            "{} rows, more than the {MAX_ROWS} an Excel sheet holds",
            rows.len()
        ));
    }
    build(title, headers, rows).map_err(|e| e.to_string())
}

fn build(title: &str, headers: &[String], rows: &[Vec<Cell>]) -> Result<Vec<u8>, XlsxError> {
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let number = cell.clone().set_align(FormatAlign::Right);
    let date = cell.clone().set_align(FormatAlign::Center);
    let header = cell
        .clone()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_background_color("#DDEBF7");
    let title_format = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name(title))?;
    let cols = headers.len().max(1) as u16;
    let last_col = cols - 1;
    if last_col > 0 {
        sheet.merge_range(0, 0, 0, last_col, title, &title_format)?;
    } else {
        sheet.write_string_with_format(0, 0, title, &title_format)?;
    }
    sheet.set_row_height(0, 28)?;
    for (c, h) in headers.iter().enumerate() {
        let c = c as u16;
        let widest = rows
            .iter()
            .take(SIZED_ROWS)
            .filter_map(|r| r.get(c as usize))
            .map(|v| display_width(&v.text()))
            .chain([display_width(h) + 2])
            .max()
            .unwrap_or(0);
        sheet.set_column_width(c, (widest as f64 + 1.0).clamp(MIN_WIDTH, MAX_WIDTH))?;
        sheet.write_string_with_format(1, c, h, &header)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 2;
        for c in 0..cols {
            match row.get(c as usize).unwrap_or(&Cell::Empty) {
                Cell::Text(s) => {
                    sheet.write_string_with_format(r, c, fit_cell(s), &cell)?;
                }
                Cell::Number(n) => {
                    sheet.write_number_with_format(r, c, *n, &number)?;
                }
                Cell::Date(d) => {
                    sheet.write_string_with_format(
                        r,
                        c,
                        d.format("%Y-%m-%d").to_string(),
                        &date,
                    )?;
                }
                Cell::Empty => {
                    sheet.write_blank(r, c, &cell)?;
                }
            }
        }
    }
    sheet.autofilter(1, 0, rows.len() as u32 + 1, last_col)?;
    sheet.set_freeze_panes(2, 0)?;
    sheet.set_repeat_rows(1, 1)?;
    sheet.set_landscape();
    sheet.set_paper_size(9); // A4
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_print_center_horizontally(true);
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use std::io::Cursor;

    fn read(bytes: Vec<u8>) -> (Vec<String>, Vec<Vec<Data>>) {
        let mut book = Xlsx::new(Cursor::new(bytes)).expect("the test workbook reads back");
        let names = book.sheet_names();
        let range = book
            .worksheet_range(&names[0])
            .expect("the test workbook reads back");
        (names, range.rows().map(<[Data]>::to_vec).collect())
    }

    #[test]
    fn title_header_rows_and_dates_read_back() {
        let headers = vec!["单位".to_owned(), "日期".to_owned(), "件数".to_owned()];
        let rows = vec![
            vec![
                Cell::from("沈阳市委办公室"),
                Cell::from(NaiveDate::from_ymd_opt(2026, 3, 9)),
                Cell::from(12i64),
            ],
            vec![Cell::from("大连"), Cell::Empty],
        ];
        let (names, grid) = read(
            workbook("情况汇报:2026年第10周", &headers, &rows)
                .expect("the test workbook reads back"),
        );
        assert_eq!(names, vec!["情况汇报2026年第10周".to_owned()]);
        assert_eq!(grid.len(), 4);
        assert_eq!(grid[0][0], Data::String("情况汇报:2026年第10周".into()));
        assert_eq!(grid[1][0], Data::String("单位".into()));
        assert_eq!(grid[1][2], Data::String("件数".into()));
        assert_eq!(grid[2][0], Data::String("沈阳市委办公室".into()));
        assert_eq!(grid[2][1], Data::String("2026-03-09".into()));
        assert_eq!(grid[2][2], Data::Float(12.0));
        assert_eq!(grid[3][0], Data::String("大连".into()));
        assert_eq!(grid[3][1], Data::Empty);
    }

    #[test]
    fn empty_list_still_has_its_header() {
        let headers = vec!["名称".to_owned()];
        let (_, grid) =
            read(workbook("组织", &headers, &[]).expect("the test workbook reads back"));
        assert_eq!(grid.len(), 2);
        assert_eq!(grid[1][0], Data::String("名称".into()));
    }

    #[test]
    fn sheet_names_are_what_excel_accepts() {
        assert_eq!(sheet_name("a/b\\c[d]e:f*g?h"), "abcdefgh");
        assert_eq!(sheet_name("[]"), "Sheet1");
        let long = "约".repeat(40);
        assert_eq!(sheet_name(&long).chars().count(), 31);
    }

    #[test]
    fn cjk_counts_double() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("沈阳市"), 6);
        assert_eq!(display_width("ab沈\n沈阳市x"), 7);
    }

    #[test]
    fn the_sheet_prints_landscape_one_page_wide_with_a_filter() {
        let bytes = workbook("T", &["a".to_owned(), "b".to_owned()], &[vec![]])
            .expect("the test workbook reads back");
        let mut zip =
            zip::ZipArchive::new(Cursor::new(bytes)).expect("the test workbook reads back");
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut zip
                .by_name("xl/worksheets/sheet1.xml")
                .expect("the test workbook reads back"),
            &mut xml,
        )
        .expect("the test workbook reads back");
        assert!(xml.contains("orientation=\"landscape\""), "{xml}");
        assert!(xml.contains("fitToWidth=\"1\"") || xml.contains("fitToPage=\"1\""));
        assert!(xml.contains("<autoFilter ref=\"A2:B3\""), "{xml}");
        assert!(xml.contains("ySplit=\"2\""), "{xml}");
    }
}
