//! Writing the ledger as offices keep it: one row per measure, the item merged across them.

use super::*;

/// The columns of the export, with their widths.
pub(super) const EXPORT_COLUMNS: [(&str, f64); 16] = [
    ("序号", 6.0),
    ("类型", 9.0),
    ("问题来源", 10.0),
    ("问题描述", 40.0),
    ("整改措施", 40.0),
    ("责任单位", 20.0),
    ("责任单位编码", 14.0),
    ("责任人", 10.0),
    ("完成时限", 12.0),
    ("整改进展", 32.0),
    ("完成情况", 10.0),
    ("红黄绿灯", 9.0),
    ("佐证材料", 24.0),
    ("销号情况", 20.0),
    ("阶段", 10.0),
    ("整改类型", 10.0),
];

/// Column of the measures in the export.
pub(super) const EXPORT_MEASURE_COL: u16 = 4;

/// Most rows of a worksheet.
pub(super) const EXCEL_MAX_ROWS: usize = 1_048_576;
/// Most characters in a cell.
pub(super) const EXCEL_MAX_CHARS: usize = 32_767;

/// The export's formats, made once.
pub(super) struct ExportFormats {
    pub(super) text: Format,
    pub(super) centred: Format,
    pub(super) date: Format,
    pub(super) lights: [Format; 3],
}

/// A cell value of the export.
pub(super) enum Value<'a> {
    Text(&'a str),
    Number(f64),
    Date(NaiveDate),
}

/// The ledger as offices keep it: one sheet "整改台账" with a merged title row, a header row
/// (序号, 类型, 问题来源, 问题描述, 整改措施, 责任单位, 责任单位编码, 责任人, 完成时限, 整改进展,
/// 完成情况, 红黄绿灯, 佐证材料, 销号情况, 阶段, 整改类型), frozen below the header and repeated on
/// every printed page (A4 landscape, one page wide). An item with N measures takes N rows, one
/// measure per row, every other column merged across them. Codes appear as Chinese labels; the
/// deadline is a real date (yyyy-mm-dd); the light cell is filled green, yellow or red.
/// [`parse`] reads the file back.
pub fn export_xlsx(title: &str, rows: &[LedgerRow]) -> Result<Vec<u8>, String> {
    let needed = rows
        .iter()
        .map(|r| r.measures.len().max(1))
        .fold(2usize, usize::saturating_add);
    if needed > EXCEL_MAX_ROWS {
        return Err(format!(
            "the ledger needs {needed} rows, more than the {EXCEL_MAX_ROWS} an Excel sheet holds"
        ));
    }
    build_export(title, rows).map_err(|e| e.to_string())
}

pub(super) fn build_export(title: &str, rows: &[LedgerRow]) -> Result<Vec<u8>, XlsxError> {
    let border = |f: Format| {
        f.set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap()
    };
    let centred = border(Format::new()).set_align(FormatAlign::Center);
    let fill = |colour: &str, font: &str| {
        centred
            .clone()
            .set_background_color(colour)
            .set_font_color(font)
            .set_bold()
    };
    let formats = ExportFormats {
        text: border(Format::new()),
        date: centred.clone().set_num_format("yyyy-mm-dd"),
        lights: [
            fill("#00B050", "#FFFFFF"),
            fill("#FFFF00", "#000000"),
            fill("#FF0000", "#FFFFFF"),
        ],
        centred,
    };
    let title_format = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let header_format = border(Format::new())
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_background_color("#DDEBF7");

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("整改台账")?;
    let last_col = EXPORT_COLUMNS.len() as u16 - 1;
    sheet.merge_range(0, 0, 0, last_col, title, &title_format)?;
    sheet.set_row_height(0, 32)?;
    for (c, (header, width)) in EXPORT_COLUMNS.iter().enumerate() {
        sheet.set_column_width(c as u16, *width)?;
        sheet.write_string_with_format(1, c as u16, *header, &header_format)?;
    }
    sheet.set_freeze_panes(2, 0)?;
    sheet.set_repeat_rows(1, 1)?;
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);

    let mut closed = String::new();
    let mut r: u32 = 2;
    for item in rows {
        let n = item.measures.len().max(1) as u32;
        let last = r + n - 1;
        closed.clear();
        match item.closed_on {
            Some(d) => {
                let _ = write!(closed, "已销号（{}）", d.format("%Y-%m-%d"));
            }
            None => closed.push_str("未销号"),
        }
        let light = match item.light.as_str() {
            "green" => &formats.lights[0],
            "yellow" => &formats.lights[1],
            "red" => &formats.lights[2],
            _ => &formats.centred,
        };
        let cells: [(Value, &Format); 16] = [
            (Value::Number(item.seq as f64), &formats.centred),
            (Value::Text(label(KINDS, &item.kind)), &formats.centred),
            (Value::Text(label(SOURCES, &item.source)), &formats.centred),
            (Value::Text(&item.title), &formats.text),
            (Value::Text(""), &formats.text), // the measures, below
            (Value::Text(&item.org_name), &formats.text),
            (Value::Text(&item.org_code), &formats.centred),
            (Value::Text(&item.person), &formats.centred),
            (Value::Date(item.due_on), &formats.date),
            (Value::Text(&item.progress), &formats.text),
            (Value::Text(label(STATUSES, &item.status)), &formats.centred),
            (Value::Text(label(LIGHTS, &item.light)), light),
            (Value::Text(&item.evidence), &formats.text),
            (Value::Text(&closed), &formats.centred),
            (Value::Text(label(PHASES, &item.phase)), &formats.centred),
            (
                Value::Text(label(ITEM_TYPES, &item.item_type)),
                &formats.centred,
            ),
        ];
        for (c, (value, format)) in cells.iter().enumerate() {
            let c = c as u16;
            if c == EXPORT_MEASURE_COL {
                continue;
            }
            match value {
                Value::Text(s) if n > 1 => {
                    sheet.merge_range(r, c, last, c, &fit_cell(s), format)?;
                }
                _ => {
                    if n > 1 {
                        // The value replaces the empty first cell of the merged range.
                        sheet.merge_range(r, c, last, c, "", format)?;
                    }
                    write_value(sheet, r, c, value, format)?;
                }
            }
        }
        if item.measures.is_empty() {
            sheet.write_blank(r, EXPORT_MEASURE_COL, &formats.text)?;
        }
        for (i, m) in item.measures.iter().enumerate() {
            write_value(
                sheet,
                r + i as u32,
                EXPORT_MEASURE_COL,
                &Value::Text(&m.text),
                &formats.text,
            )?;
        }
        r = last + 1;
    }
    workbook.save_to_buffer()
}

pub(super) fn write_value(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: &Value<'_>,
    format: &Format,
) -> Result<(), XlsxError> {
    match value {
        Value::Text(s) => {
            sheet.write_string_with_format(row, col, fit_cell(s), format)?;
        }
        Value::Number(x) => {
            sheet.write_number_with_format(row, col, *x, format)?;
        }
        Value::Date(d) => match excel_date(*d) {
            Some(date) => {
                sheet.write_date_with_format(row, col, date, format)?;
            }
            // Outside Excel's calendar (before 1900): shown as text.
            None => {
                sheet.write_string_with_format(
                    row,
                    col,
                    d.format("%Y-%m-%d").to_string(),
                    format,
                )?;
            }
        },
    }
    Ok(())
}

pub(super) fn excel_date(d: NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(d.year()).ok()?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8).ok()
}

/// `s`, cut to what a cell can hold (Excel's limit counts UTF-16 units).
pub(crate) fn fit_cell(s: &str) -> Cow<'_, str> {
    if s.len() <= EXCEL_MAX_CHARS {
        return Cow::Borrowed(s);
    }
    let mut units = 0;
    for (i, ch) in s.char_indices() {
        units += ch.len_utf16();
        if units > EXCEL_MAX_CHARS - 1 {
            return Cow::Owned(format!("{}…", &s[..i]));
        }
    }
    Cow::Borrowed(s)
}
