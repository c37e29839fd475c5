//! `luodi_office` turns what people keep in Excel into rows, and back.
//!
//! Uploaded workbooks are untrusted input. [`sheet::read_table`] is the single entry point that
//! reads one: it detects the format by content (xlsx or UTF-8 CSV), refuses oversized files and
//! zip bombs before any decompression, and yields a plain grid of trimmed strings whose indices
//! match the row numbers and column letters Excel shows. Importers such as [`org_import`] then
//! recognise their header row, validate *every* row and report all problems at once as
//! [`CellError`]s, so a user can fix the whole sheet in one pass.

use serde::Serialize;
use std::fmt;

pub mod briefing;
pub mod bulletin;
pub mod docx;
pub mod ledger;
pub mod org_import;
pub mod sheet;
pub mod table;

/// One problem with one cell of an uploaded sheet.
///
/// `code` is a stable identifier (`required`, `too_long`, `bad_code`, `unknown_kind`,
/// `duplicate_code`, `self_parent`, `parent_cycle` …) that the web layer turns into a message
/// in the user's language, filled in with `params`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellError {
    /// 1-based spreadsheet row number as Excel shows it (the first row of the sheet is row 1).
    pub row: usize,
    /// The column letter, e.g. `"C"`.
    pub column: String,
    /// The column's header text as found in the file (or the expected name).
    pub header: String,
    /// Stable error code.
    pub code: &'static str,
    /// Values for the localized message, e.g. `("first_row", "3")`.
    pub params: Vec<(&'static str, String)>,
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "row {}, column {} ({}): {}",
            self.row, self.column, self.header, self.code
        )?;
        if !self.params.is_empty() {
            f.write_str(" [")?;
            for (i, (k, v)) in self.params.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{k}={v}")?;
            }
            f.write_str("]")?;
        }
        Ok(())
    }
}

/// Why an uploaded sheet was refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The file is larger than [`sheet::Limits::max_bytes`].
    #[error("file too large")]
    TooLarge {
        /// The limit that was exceeded.
        max_bytes: u64,
    },
    /// Neither an xlsx workbook nor a UTF-8 CSV file named `*.csv`.
    #[error("unsupported file type")]
    UnsupportedType,
    /// The file looks like a workbook or CSV but cannot be read (corrupt, zip bomb, too many
    /// columns …); the message is in English and meant for logs and administrators.
    #[error("the workbook cannot be read: {0}")]
    Unreadable(String),
    /// A required column was not found in the header row; holds the canonical Chinese header
    /// (e.g. `上级编码`).
    #[error("missing column {0}")]
    MissingColumn(String),
    /// The sheet has a header but no data rows (or is entirely blank).
    #[error("no data rows")]
    Empty,
    /// Some rows are invalid; every problem found, sorted by row then column.
    #[error("{} row errors", .0.len())]
    Rows(Vec<CellError>),
    /// The cells hold more text than [`sheet::Limits::max_text_bytes`] once read.
    #[error("more than {max_mib} MiB of text")]
    TooMuchText {
        /// The limit, in MiB.
        max_mib: u64,
    },
    /// More data rows than [`sheet::Limits::max_rows`].
    #[error("too many rows")]
    TooManyRows {
        /// The limit that was exceeded.
        max: usize,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_error_display() {
        let e = CellError {
            row: 7,
            column: "C".into(),
            header: "kind".into(),
            code: "unknown_kind",
            params: vec![],
        };
        assert_eq!(e.to_string(), "row 7, column C (kind): unknown_kind");
        let e = CellError {
            params: vec![("value", "村".into())],
            ..e
        };
        assert_eq!(
            e.to_string(),
            "row 7, column C (kind): unknown_kind [value=村]"
        );
        assert_eq!(
            ImportError::Rows(vec![e.clone(), e]).to_string(),
            "2 row errors"
        );
        assert_eq!(
            ImportError::MissingColumn("上级编码".into()).to_string(),
            "missing column 上级编码"
        );
    }
}
