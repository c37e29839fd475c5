//! Reading the first worksheet of an uploaded file into a grid of strings.
//!
//! The format is detected by content, never trusted from the name alone:
//! - a zip (`PK\x03\x04`) is read as an xlsx workbook, after its central directory has been
//!   checked against [`Limits::max_unzipped_bytes`] (zip-bomb defence; the zip reader used by
//!   calamine refuses to inflate an entry past its declared size, so declared sizes bound memory);
//! - otherwise the file is read as CSV only if it is valid UTF-8 and its name ends with `.csv`
//!   (a UTF-8 BOM is stripped). Legacy `.xls`, ODS-as-CSV, GBK-encoded CSV etc. are refused with
//!   [`ImportError::UnsupportedType`].
//!
//! The grid returned by [`read_table`] is positioned like the sheet: `table[r][c]` is the cell
//! Excel shows at row `r + 1`, column [`column_letter`]`(c)`. Rows are ragged (trailing empty
//! cells are not stored) and blank rows are empty vectors, so row numbers in error messages stay
//! exactly those the user sees.

use crate::ImportError;
use calamine::{DataRef, Reader, SheetType, Xlsx};
use std::io::Cursor;

const MIB: u64 = 1024 * 1024;

/// Widest sheet accepted: a non-empty cell beyond this column makes the file unreadable.
pub const MAX_COLUMNS: usize = 1024;

/// Most cells (including the empty cells left of a non-empty one) a grid may hold; bounds the
/// memory a sparse sheet can make us allocate.
pub const MAX_CELLS: usize = 10_000_000;

/// An entry is considered a zip bomb when it inflates more than this many times …
const MAX_RATIO: u64 = 1000;
/// … and to more than this many bytes.
const RATIO_MIN_SIZE: u64 = 10 * MIB;

/// Size limits applied to an upload before and while it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted file, in bytes.
    pub max_bytes: u64,
    /// Most data rows: the sheet may use rows 1 ..= `max_rows + 1` (a header plus the data).
    pub max_rows: usize,
    /// Largest total declared uncompressed size of an xlsx (zip) archive.
    pub max_unzipped_bytes: u64,
    /// Most text, in bytes, the cells of a sheet may hold once read. A workbook can repeat one
    /// shared string in every cell, so that a 2 MB file expands to hundreds of megabytes
    /// without looking like a zip bomb; this caps what reading it may cost.
    pub max_text_bytes: u64,
}

/// What a ledger's text comes to: 100,000 rows of the benchmark's ledger (a problem, a measure,
/// a unit, a person, labels and dates) hold 23 MB of text; offices write longer problems and
/// measures, so a margin of almost three times that.
pub const DEFAULT_TEXT_BYTES: u64 = 64 * MIB;

impl Default for Limits {
    /// 50 MiB files, 200,000 rows, 500 MiB uncompressed, 64 MiB of text.
    fn default() -> Self {
        Limits {
            max_bytes: 50 * MIB,
            max_rows: 200_000,
            max_unzipped_bytes: 500 * MIB,
            max_text_bytes: DEFAULT_TEXT_BYTES,
        }
    }
}

/// The spreadsheet letter of a 0-based column index: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn column_letter(index0: usize) -> String {
    let mut n = index0 + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    letters.into_iter().map(char::from).collect()
}

/// Reads the first worksheet of an xlsx workbook, or a CSV file, into a grid of trimmed strings
/// (see the module docs for the layout and format detection).
///
/// Cells become strings as a user would read them: text trimmed, integers without `.0`, other
/// numbers in their shortest form, dates as `YYYY-MM-DD` (`YYYY-MM-DD HH:MM:SS` when they carry a
/// time), booleans as `TRUE`/`FALSE`, formula errors as Excel shows them (`#N/A`), empty as `""`.
pub fn read_table(
    bytes: &[u8],
    file_name: &str,
    limits: &Limits,
) -> Result<Vec<Vec<String>>, ImportError> {
    if bytes.len() as u64 > limits.max_bytes {
        return Err(ImportError::TooLarge {
            max_bytes: limits.max_bytes,
        });
    }
    if bytes.starts_with(b"PK\x03\x04") {
        check_zip(bytes, limits)?;
        return read_xlsx(bytes, limits);
    }
    if file_name.trim().to_ascii_lowercase().ends_with(".csv") {
        if let Ok(text) = std::str::from_utf8(bytes) {
            return read_csv(text.strip_prefix('\u{feff}').unwrap_or(text), limits);
        }
    }
    Err(ImportError::UnsupportedType)
}

// ---------------------------------------------------------------------------------------------
// Grid building, shared by both formats.

struct Grid<'l> {
    rows: Vec<Vec<String>>,
    cells: usize,
    text: u64,
    text_budget: u64,
    limits: &'l Limits,
}

impl<'l> Grid<'l> {
    fn new(limits: &'l Limits, text_budget: u64) -> Self {
        Grid {
            rows: Vec::new(),
            cells: 0,
            text: 0,
            text_budget,
            limits,
        }
    }

    /// Stores a non-empty value at (0-based) `row`, `col`; empty values are not stored.
    fn put(&mut self, row: usize, col: usize, value: String) -> Result<(), ImportError> {
        if value.is_empty() {
            return Ok(());
        }
        if row > self.limits.max_rows {
            return Err(ImportError::TooManyRows {
                max: self.limits.max_rows,
            });
        }
        if col >= MAX_COLUMNS {
            return Err(ImportError::Unreadable(format!(
                "the sheet has data beyond column {} (at most {MAX_COLUMNS} columns are read)",
                column_letter(MAX_COLUMNS - 1)
            )));
        }
        self.text = self.text.saturating_add(value.len() as u64);
        if self.text > self.text_budget {
            return Err(ImportError::TooMuchText {
                max_mib: self.text_budget / MIB,
            });
        }
        if self.rows.len() <= row {
            self.rows.resize_with(row + 1, Vec::new);
        }
        let cells = &mut self.rows[row];
        if cells.len() <= col {
            self.cells += col + 1 - cells.len();
            if self.cells > MAX_CELLS {
                return Err(ImportError::Unreadable(format!(
                    "the sheet has more than {MAX_CELLS} cells"
                )));
            }
            cells.resize(col + 1, String::new());
        }
        cells[col] = value;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// CSV

fn read_csv(text: &str, limits: &Limits) -> Result<Vec<Vec<String>>, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(text))
        .from_reader(text.as_bytes());
    let mut grid = Grid::new(limits, limits.max_text_bytes);
    let mut record = csv::StringRecord::new();
    // The csv reader skips blank lines, but a spreadsheet shows them as rows: recover them from
    // the bytes consumed for each record, so that row numbers match what the user sees.
    let bytes = text.as_bytes();
    let (mut consumed, mut ended_with_cr, mut next_row) = (0usize, false, 0usize);
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(ImportError::Unreadable(format!(
                    "the CSV file cannot be read: {e}"
                )))
            }
        }
        let end = usize::try_from(reader.position().byte())
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        let mut seg = bytes.get(consumed..end).unwrap_or_default();
        if ended_with_cr {
            // The `\n` of a `\r\n` that ended the previous record.
            seg = seg.strip_prefix(b"\n").unwrap_or(seg);
        }
        let row = next_row + blank_lines(seg);
        next_row = row + 1;
        ended_with_cr = seg.last() == Some(&b'\r');
        consumed = end;
        for (col, field) in record.iter().enumerate() {
            grid.put(row, col, field.trim().to_owned())?;
        }
    }
    Ok(grid.rows)
}

/// Line breaks (`\r\n`, `\n` or `\r`) before the first other byte of `seg`.
fn blank_lines(seg: &[u8]) -> usize {
    let mut count = 0;
    let mut i = 0;
    while let Some(&b) = seg.get(i) {
        match b {
            b'\r' if seg.get(i + 1) == Some(&b'\n') => i += 2,
            b'\r' | b'\n' => i += 1,
            _ => break,
        }
        count += 1;
    }
    count
}

/// Comma, unless the first line has none but has semicolons or tabs (as some locales export).
fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    if first.contains(',') {
        b','
    } else if first.contains('\t') {
        b'\t'
    } else if first.contains(';') {
        b';'
    } else {
        b','
    }
}

// ---------------------------------------------------------------------------------------------
// xlsx

fn read_xlsx(bytes: &[u8], limits: &Limits) -> Result<Vec<Vec<String>>, ImportError> {
    // A parser bug on hostile input must not take the caller down with it.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_xlsx_inner(bytes, limits)
    })) {
        Ok(result) => result,
        Err(_) => Err(ImportError::Unreadable(
            "the workbook could not be parsed".into(),
        )),
    }
}

fn read_xlsx_inner(bytes: &[u8], limits: &Limits) -> Result<Vec<Vec<String>>, ImportError> {
    let unreadable =
        |e: calamine::XlsxError| ImportError::Unreadable(format!("not a valid xlsx workbook: {e}"));
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let name = workbook
        .sheets_metadata()
        .iter()
        .find(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .ok_or_else(|| ImportError::Unreadable("the workbook has no worksheet".into()))?;
    let mut cells = workbook.worksheet_cells_reader(&name).map_err(unreadable)?;
    let mut grid = Grid::new(limits, limits.max_text_bytes);
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let (row, col) = cell.get_position();
        grid.put(row as usize, col as usize, cell_text(cell.get_value()))?;
    }
    Ok(grid.rows)
}

/// A cell as the text a user reads in it.
fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.trim().to_owned(),
        DataRef::SharedString(s) => s.trim().to_owned(),
        DataRef::Int(i) => i.to_string(),
        // `Display` for f64 is the shortest round-trip form and prints 210000.0 as "210000".
        DataRef::Float(f) => {
            if *f == 0.0 {
                "0".to_owned()
            } else {
                f.to_string()
            }
        }
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        DataRef::DateTime(dt) => {
            if dt.is_duration() {
                let secs = (dt.as_f64() * 86_400.0).round() as i64;
                let sign = if secs < 0 { "-" } else { "" };
                let secs = secs.unsigned_abs();
                format!(
                    "{sign}{}:{:02}:{:02}",
                    secs / 3600,
                    secs / 60 % 60,
                    secs % 60
                )
            } else {
                let (y, mo, d, h, mi, s, _ms) = dt.to_ymd_hms_milli();
                if (h, mi, s) == (0, 0, 0) {
                    format!("{y:04}-{mo:02}-{d:02}")
                } else {
                    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
                }
            }
        }
        DataRef::DateTimeIso(s) => {
            let s = s.trim();
            s.strip_suffix("T00:00:00").unwrap_or(s).to_owned()
        }
        DataRef::DurationIso(s) => s.trim().to_owned(),
        DataRef::Error(e) => e.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Zip-bomb defence: read the declared sizes from the central directory before inflating anything.

/// Sizes one central-directory entry declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ZipEntry {
    pub(crate) name: String,
    pub(crate) compressed: u64,
    pub(crate) uncompressed: u64,
}

fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), ImportError> {
    let entries = zip_entries(bytes)
        .map_err(|e| ImportError::Unreadable(format!("not a valid xlsx workbook: {e}")))?;
    let mut total: u64 = 0;
    for e in &entries {
        if e.uncompressed > RATIO_MIN_SIZE
            && e.uncompressed > e.compressed.saturating_mul(MAX_RATIO)
        {
            return Err(ImportError::Unreadable(format!(
                "refused as a zip bomb: entry {:?} would inflate {} bytes to {} bytes",
                e.name, e.compressed, e.uncompressed
            )));
        }
        total = total.saturating_add(e.uncompressed);
    }
    if total > limits.max_unzipped_bytes {
        return Err(ImportError::Unreadable(format!(
            "refused: the workbook would inflate to {} MiB, more than the {} MiB allowed",
            total / MIB,
            limits.max_unzipped_bytes / MIB
        )));
    }
    Ok(())
}

fn u16_at(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u64::from(u16::from_le_bytes([s[0], s[1]])))
}

fn u32_at(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u64::from(u32::from_le_bytes([s[0], s[1], s[2], s[3]])))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at.checked_add(8)?)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Some(u64::from_le_bytes(a))
}

const EOCD_SIG: u64 = 0x0605_4b50;
const ZIP64_LOCATOR_SIG: u64 = 0x0706_4b50;
const ZIP64_EOCD_SIG: u64 = 0x0606_4b50;
const CDH_SIG: u64 = 0x0201_4b50;

/// Lists the entries of a zip archive from its central directory (zip64 aware).
pub(crate) fn zip_entries(b: &[u8]) -> Result<Vec<ZipEntry>, &'static str> {
    const TRUNCATED: &str = "truncated zip central directory";
    // End Of Central Directory: 22 bytes plus a comment of up to 65535 bytes, at the very end.
    if b.len() < 22 {
        return Err("no zip end of central directory");
    }
    let lowest = b.len().saturating_sub(22 + 0xFFFF);
    let eocd = (lowest..=b.len() - 22)
        .rev()
        .find(|&p| {
            u32_at(b, p) == Some(EOCD_SIG)
                && u16_at(b, p + 20).is_some_and(|c| p + 22 + c as usize <= b.len())
        })
        .ok_or("no zip end of central directory")?;
    let mut count = u16_at(b, eocd + 10).ok_or(TRUNCATED)?;
    let mut cd_size = u32_at(b, eocd + 12).ok_or(TRUNCATED)?;
    let mut cd_offset = u32_at(b, eocd + 16).ok_or(TRUNCATED)?;
    let mut cd_end = eocd as u64;
    if count == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF {
        let locator = eocd.checked_sub(20).ok_or("missing zip64 locator")?;
        if u32_at(b, locator) != Some(ZIP64_LOCATOR_SIG) {
            return Err("missing zip64 locator");
        }
        let z = usize::try_from(u64_at(b, locator + 8).ok_or(TRUNCATED)?).map_err(|_| TRUNCATED)?;
        if u32_at(b, z) != Some(ZIP64_EOCD_SIG) {
            return Err("bad zip64 end of central directory");
        }
        count = u64_at(b, z + 32).ok_or(TRUNCATED)?;
        cd_size = u64_at(b, z + 40).ok_or(TRUNCATED)?;
        cd_offset = u64_at(b, z + 48).ok_or(TRUNCATED)?;
        cd_end = z as u64;
    }
    // The directory normally sits where it says; with data prepended to the archive it sits just
    // before its end record instead.
    let start = [Some(cd_offset), cd_end.checked_sub(cd_size)]
        .into_iter()
        .flatten()
        .filter_map(|s| usize::try_from(s).ok())
        .find(|&s| u32_at(b, s) == Some(CDH_SIG) || count == 0)
        .ok_or("zip central directory not found")?;
    let mut entries = Vec::new();
    let mut p = start;
    for _ in 0..count {
        if u32_at(b, p) != Some(CDH_SIG) {
            return Err("bad zip central directory entry");
        }
        let mut compressed = u32_at(b, p + 20).ok_or(TRUNCATED)?;
        let mut uncompressed = u32_at(b, p + 24).ok_or(TRUNCATED)?;
        let name_len = u16_at(b, p + 28).ok_or(TRUNCATED)? as usize;
        let extra_len = u16_at(b, p + 30).ok_or(TRUNCATED)? as usize;
        let comment_len = u16_at(b, p + 32).ok_or(TRUNCATED)? as usize;
        let name_at = p + 46;
        let name = b.get(name_at..name_at + name_len).ok_or(TRUNCATED)?;
        let extra = b
            .get(name_at + name_len..name_at + name_len + extra_len)
            .ok_or(TRUNCATED)?;
        // Zip64 extended information: the 64-bit sizes, in this order, for fields set to 0xFFFFFFFF.
        let mut e = 0;
        while e + 4 <= extra.len() {
            let id = u16_at(extra, e).ok_or(TRUNCATED)?;
            let size = u16_at(extra, e + 2).ok_or(TRUNCATED)? as usize;
            if id == 0x0001 {
                let mut q = e + 4;
                if uncompressed == 0xFFFF_FFFF {
                    uncompressed = u64_at(extra, q).ok_or(TRUNCATED)?;
                    q += 8;
                }
                if compressed == 0xFFFF_FFFF {
                    compressed = u64_at(extra, q).ok_or(TRUNCATED)?;
                }
            }
            e += 4 + size;
        }
        entries.push(ZipEntry {
            name: String::from_utf8_lossy(name).into_owned(),
            compressed,
            uncompressed,
        });
        p = name_at + name_len + extra_len + comment_len;
    }
    Ok(entries)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    fn csv_table(text: &str) -> Vec<Vec<String>> {
        read_table(text.as_bytes(), "t.csv", &Limits::default()).expect("csv reads")
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(2), "C");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(51), "AZ");
        assert_eq!(column_letter(52), "BA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
        assert_eq!(column_letter(16_383), "XFD");
    }

    #[test]
    fn csv_rows_keep_spreadsheet_numbering() {
        let t = csv_table("\u{feff}a, b ,c\n\n\"multi\nline\",x\r\n\nlast,,\n");
        assert_eq!(t.len(), 5, "{t:?}");
        assert_eq!(t[0], vec!["a", "b", "c"]);
        assert!(t[1].is_empty());
        assert_eq!(t[2], vec!["multi\nline", "x"]);
        assert!(t[3].is_empty());
        assert_eq!(t[4], vec!["last"]);
        // CR and CRLF line ends, blank lines among them, a whitespace-only line, no final newline.
        let t = csv_table("a\r\n\r\nb\rc\r\r\n  \nd");
        let expect: Vec<Vec<&str>> = vec![
            vec!["a"],
            vec![],
            vec!["b"],
            vec!["c"],
            vec![],
            vec![],
            vec!["d"],
        ];
        assert_eq!(t, expect);
    }

    #[test]
    fn csv_delimiters_and_types() {
        assert_eq!(csv_table("a;b\n1;2\n")[1], vec!["1", "2"]);
        assert_eq!(csv_table("a\tb\n1\t2\n")[1], vec!["1", "2"]);
        // GBK bytes are not UTF-8: refused rather than garbled.
        let gbk = [0xB1u8, 0xE0, 0xC2, 0xEB, b'\n'];
        assert_eq!(
            read_table(&gbk, "a.csv", &Limits::default()),
            Err(ImportError::UnsupportedType)
        );
        assert_eq!(
            read_table(b"a,b\n", "a.txt", &Limits::default()),
            Err(ImportError::UnsupportedType)
        );
        assert_eq!(
            read_table(b"a,b\n", "A.CSV", &Limits::default()).map(|t| t.len()),
            Ok(1)
        );
    }

    #[test]
    fn size_and_row_limits() {
        let limits = Limits {
            max_bytes: 10,
            ..Limits::default()
        };
        assert_eq!(
            read_table(b"0123456789a", "a.csv", &limits),
            Err(ImportError::TooLarge { max_bytes: 10 })
        );
        let limits = Limits {
            max_rows: 3,
            ..Limits::default()
        };
        assert_eq!(
            read_table(b"h\n1\n2\n3\n", "a.csv", &limits).map(|t| t.len()),
            Ok(4)
        );
        assert_eq!(
            read_table(b"h\n1\n2\n3\n4\n", "a.csv", &limits),
            Err(ImportError::TooManyRows { max: 3 })
        );
        let wide = format!("{}x\n", ",".repeat(MAX_COLUMNS));
        assert!(matches!(
            read_table(wide.as_bytes(), "a.csv", &Limits::default()),
            Err(ImportError::Unreadable(_))
        ));
    }

    #[test]
    fn xlsx_cells_become_text() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        ws.write_string(0, 0, "  text  ").expect("write");
        ws.write_number(0, 1, 210000.0).expect("write");
        ws.write_number(0, 2, 2.5).expect("write");
        ws.write_number(0, 3, 0.1).expect("write");
        ws.write_boolean(0, 4, true).expect("write");
        ws.write_date_with_format(
            0,
            5,
            ExcelDateTime::from_ymd(2024, 3, 9).expect("date"),
            &date,
        )
        .expect("write");
        ws.write_datetime_with_format(
            0,
            6,
            ExcelDateTime::parse_from_str("2024-03-09 08:30:00").expect("datetime"),
            &datetime,
        )
        .expect("write");
        ws.write_string(2, 1, "below").expect("write");
        let bytes = wb.save_to_buffer().expect("save");
        let t = read_table(&bytes, "ignored.name", &Limits::default()).expect("reads");
        assert_eq!(
            t[0],
            vec![
                "text",
                "210000",
                "2.5",
                "0.1",
                "TRUE",
                "2024-03-09",
                "2024-03-09 08:30:00"
            ]
        );
        assert!(t[1].is_empty());
        assert_eq!(t[2], vec!["", "below"]);
    }

    #[test]
    fn garbage_is_refused_without_panicking() {
        let mut blob = vec![0u8; 20 * 1024 * 1024];
        let mut x: u32 = 12345;
        for b in blob.iter_mut() {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            *b = (x >> 16) as u8;
        }
        blob[0] = b'X';
        let r = read_table(&blob, "big.xlsx", &Limits::default());
        assert_eq!(r, Err(ImportError::UnsupportedType));
        // Starts like a zip but is not one.
        blob[..4].copy_from_slice(b"PK\x03\x04");
        let r = read_table(&blob, "big.xlsx", &Limits::default());
        assert!(matches!(r, Err(ImportError::Unreadable(_))), "{r:?}");
        // A truncated real workbook.
        let mut wb = Workbook::new();
        wb.add_worksheet().write_string(0, 0, "x").expect("write");
        let bytes = wb.save_to_buffer().expect("save");
        for cut in [10, bytes.len() / 2, bytes.len() - 5] {
            let r = read_table(&bytes[..cut], "t.xlsx", &Limits::default());
            assert!(matches!(r, Err(ImportError::Unreadable(_))), "{r:?}");
        }
    }

    /// Overwrites the declared uncompressed size of the central-directory entry named `entry`.
    pub(crate) fn patch_declared_size(bytes: &mut [u8], entry: &str, size: u32) {
        let needle = entry.as_bytes();
        let mut p = 0;
        while p + 46 <= bytes.len() {
            if bytes[p..p + 4] == [0x50, 0x4b, 0x01, 0x02] {
                let name_len = u16::from_le_bytes([bytes[p + 28], bytes[p + 29]]) as usize;
                if bytes.get(p + 46..p + 46 + name_len) == Some(needle) {
                    bytes[p + 24..p + 28].copy_from_slice(&size.to_le_bytes());
                    return;
                }
            }
            p += 1;
        }
        panic!("entry {entry} not found");
    }

    #[test]
    fn zip_bombs_are_refused() {
        let mut wb = Workbook::new();
        wb.add_worksheet().write_string(0, 0, "x").expect("write");
        let bytes = wb.save_to_buffer().expect("save");
        let entries = zip_entries(&bytes).expect("entries");
        assert!(
            entries.iter().any(|e| e.name == "xl/worksheets/sheet1.xml"),
            "{entries:?}"
        );
        assert!(read_table(&bytes, "t.xlsx", &Limits::default()).is_ok());

        // A huge declared size: over the total budget.
        let mut huge = bytes.clone();
        patch_declared_size(&mut huge, "xl/worksheets/sheet1.xml", 0xFFF0_0000);
        match read_table(&huge, "t.xlsx", &Limits::default()) {
            Err(ImportError::Unreadable(m)) => assert!(m.contains("refused"), "{m}"),
            other => panic!("expected refusal, got {other:?}"),
        }
        // Within the total budget but an absurd ratio.
        let mut ratio = bytes.clone();
        patch_declared_size(&mut ratio, "xl/worksheets/sheet1.xml", 100 * 1024 * 1024);
        match read_table(&ratio, "t.xlsx", &Limits::default()) {
            Err(ImportError::Unreadable(m)) => assert!(m.contains("zip bomb"), "{m}"),
            other => panic!("expected refusal, got {other:?}"),
        }
        // The total budget itself.
        let tight = Limits {
            max_unzipped_bytes: 1000,
            ..Limits::default()
        };
        assert!(matches!(
            read_table(&bytes, "t.xlsx", &tight),
            Err(ImportError::Unreadable(_))
        ));
    }
}
