//! The rectification ledger (整改台账) as offices keep it in Excel: export, import template and
//! import.
//!
//! One item (a task or a rectification item) has one or more measures (整改措施). In a sheet an
//! item with N measures occupies N rows: the 整改措施 column holds one measure per row, and every
//! other column of the item is written on its first row only — merged vertically across the N
//! rows in an export, left empty in the import template. Reading a merged cell gives "the value
//! on the first row, empty below", so both layouts import the same way: a row whose 问题描述 and
//! 责任单位编码 are empty but whose 整改措施 is not continues the item above it.
//!
//! Codes (`time_limited`, `inspection` …) are stored; the sheets show Chinese labels (限期整改,
//! 督导检查 …), and [`parse`] accepts either.

use crate::sheet::{column_letter, read_table, Limits};
use crate::{CellError, ImportError};
use chrono::{Datelike, NaiveDate};
use luodi_domain::org::validate_code;
use luodi_domain::Validation;
use rust_xlsxwriter::{
    DataValidation, DataValidationRule, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula,
    Workbook, Worksheet, XlsxError,
};
use std::borrow::Cow;
use std::fmt::Write as _;

// ---------------------------------------------------------------------------------------------
// Types

/// One measure (整改措施) of a ledger row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerMeasure {
    pub text: String,
}

/// One item of the ledger as exported: codes, not labels; [`export_xlsx`] shows the labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    /// 序号 (1-based, as shown).
    pub seq: usize,
    /// `task` | `rectification` (任务 / 整改事项).
    pub kind: String,
    /// `research` | `self_examination` | `inspection` | `public_feedback` |
    /// `superior_instruction` (调研发现 / 自查自纠 / 督导检查 / 群众反映 / 上级交办).
    pub source: String,
    /// `immediate` | `time_limited` | `long_term` (立行立改 / 限期整改 / 长期坚持).
    pub item_type: String,
    /// `study` | `research` | `review` | `rectification` (学习教育 / 调查研究 / 检视问题 / 整改落实).
    pub phase: String,
    /// 问题描述 / 任务名称.
    pub title: String,
    /// 整改措施, one or more, in order.
    pub measures: Vec<LedgerMeasure>,
    /// 责任单位编码.
    pub org_code: String,
    /// 责任单位.
    pub org_name: String,
    /// 责任人.
    pub person: String,
    /// 完成时限.
    pub due_on: NaiveDate,
    /// 整改进展: the latest progress note.
    pub progress: String,
    /// Status code (`draft`, `in_progress`, `closed` …), shown as 完成情况.
    pub status: String,
    /// `green` | `yellow` | `red` | `""` (红黄绿灯).
    pub light: String,
    /// 佐证材料: file names joined by "；".
    pub evidence: String,
    /// 销号情况: closed on this date, or not closed.
    pub closed_on: Option<NaiveDate>,
}

/// One valid item of an imported ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedItem {
    /// 1-based sheet row of the item's first row, as Excel shows it.
    pub row: usize,
    /// `task` | `rectification` (default `rectification`).
    pub kind: String,
    /// A source code (`research` …).
    pub source: String,
    /// A phase code (default `rectification`).
    pub phase: String,
    /// An item type code (default `time_limited`).
    pub item_type: String,
    /// 问题描述 / 任务名称, trimmed.
    pub title: String,
    /// The measures in sheet order, trimmed; at least one.
    pub measures: Vec<String>,
    /// 责任单位编码, trimmed; whether it exists is for the caller to check.
    pub org_code: String,
    /// 责任人, trimmed.
    pub person: String,
    /// 完成时限.
    pub due_on: NaiveDate,
    /// Where the org code was read: (column letter, header as written), so that a check made
    /// later against the database can name the cell.
    pub org_code_column: (String, String),
}

// ---------------------------------------------------------------------------------------------
// Codes and the labels users see

/// (code, label) pairs. The codes are those of `luodi_domain` (checked by a test).
const KINDS: &[(&str, &str)] = &[("task", "任务"), ("rectification", "整改事项")];
const SOURCES: &[(&str, &str)] = &[
    ("research", "调研发现"),
    ("self_examination", "自查自纠"),
    ("inspection", "督导检查"),
    ("public_feedback", "群众反映"),
    ("superior_instruction", "上级交办"),
];
const ITEM_TYPES: &[(&str, &str)] = &[
    ("immediate", "立行立改"),
    ("time_limited", "限期整改"),
    ("long_term", "长期坚持"),
];
const PHASES: &[(&str, &str)] = &[
    ("study", "学习教育"),
    ("research", "调查研究"),
    ("review", "检视问题"),
    ("rectification", "整改落实"),
];
const STATUSES: &[(&str, &str)] = &[
    ("draft", "草稿"),
    ("assigned", "待签收"),
    ("returned", "已退回"),
    ("in_progress", "推进中"),
    ("close_out_requested", "申请销号"),
    ("under_review", "审核中"),
    ("closed", "已销号"),
    ("verified", "已回头看"),
    ("suspended", "已暂停"),
    ("withdrawn", "已撤销"),
];
const LIGHTS: &[(&str, &str)] = &[("green", "绿"), ("yellow", "黄"), ("red", "红")];

/// Other spellings met in offices' own sheets, (spelling, code).
const KIND_ALIASES: &[(&str, &str)] = &[("整改", "rectification"), ("整改任务", "rectification")];
const SOURCE_ALIASES: &[(&str, &str)] = &[
    ("调研", "research"),
    ("自查", "self_examination"),
    ("督导", "inspection"),
    ("群众反馈", "public_feedback"),
    ("交办", "superior_instruction"),
];
const ITEM_TYPE_ALIASES: &[(&str, &str)] = &[
    ("立即整改", "immediate"),
    ("限时整改", "time_limited"),
    ("长期整改", "long_term"),
];
const PHASE_ALIASES: &[(&str, &str)] = &[];

const DEFAULT_KIND: &str = "rectification";
const DEFAULT_PHASE: &str = "rectification";
const DEFAULT_ITEM_TYPE: &str = "time_limited";

/// The label of `code`, or the code itself when it is not in `table`.
fn label<'a>(table: &'static [(&'static str, &'static str)], code: &'a str) -> &'a str {
    table
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, l)| l)
}

/// The code a cell means: a label, a code (any case) or an alias; `None` if unrecognised.
fn recognise_value(
    table: &'static [(&'static str, &'static str)],
    aliases: &'static [(&'static str, &'static str)],
    cell: &str,
) -> Option<&'static str> {
    let cell = cell.trim();
    table
        .iter()
        .find(|(code, label)| *label == cell || code.eq_ignore_ascii_case(cell))
        .map(|(code, _)| *code)
        .or_else(|| {
            aliases
                .iter()
                .find(|(spelling, _)| *spelling == cell)
                .map(|(_, code)| *code)
        })
}

// ---------------------------------------------------------------------------------------------
// Import columns

/// The columns [`parse`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Seq,
    Kind,
    Source,
    Title,
    Measure,
    OrgCode,
    Person,
    DueOn,
    Phase,
    ItemType,
}

impl Field {
    /// In template order.
    const ALL: [Field; 10] = [
        Field::Seq,
        Field::Kind,
        Field::Source,
        Field::Title,
        Field::Measure,
        Field::OrgCode,
        Field::Person,
        Field::DueOn,
        Field::Phase,
        Field::ItemType,
    ];

    /// Fields written only on an item's first row; a continuation row leaves them empty (or
    /// repeats them unchanged).
    const ITEM_ONLY: [Field; 6] = [
        Field::Kind,
        Field::Source,
        Field::Person,
        Field::DueOn,
        Field::Phase,
        Field::ItemType,
    ];

    /// The header the template uses, and the name reported when the column is missing.
    fn canonical(self) -> &'static str {
        match self {
            Field::Seq => "序号",
            Field::Kind => "类型",
            Field::Source => "问题来源",
            Field::Title => "问题描述",
            Field::Measure => "整改措施",
            Field::OrgCode => "责任单位编码",
            Field::Person => "责任人",
            Field::DueOn => "完成时限",
            Field::Phase => "阶段",
            Field::ItemType => "整改类型",
        }
    }

    /// Whether the header must be present.
    fn column_required(self) -> bool {
        matches!(
            self,
            Field::Source
                | Field::Title
                | Field::Measure
                | Field::OrgCode
                | Field::Person
                | Field::DueOn
        )
    }

    /// Accepted headers, normalised as by [`normalise_header`].
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Seq => &["序号", "seq", "no", "no."],
            Field::Kind => &["类型", "事项类型", "kind"],
            Field::Source => &["问题来源", "来源", "source"],
            Field::Title => &[
                "问题描述",
                "任务名称",
                "问题描述/任务名称",
                "问题",
                "存在问题",
                "问题表现",
                "title",
            ],
            Field::Measure => &["整改措施", "措施", "工作措施", "measure", "measures"],
            Field::OrgCode => &["责任单位编码", "责任单位代码", "单位编码", "orgcode"],
            Field::Person => &["责任人", "person", "responsibleperson"],
            Field::DueOn => &[
                "完成时限",
                "整改时限",
                "完成期限",
                "截止日期",
                "due",
                "dueon",
                "deadline",
            ],
            Field::Phase => &["阶段", "所属阶段", "phase"],
            Field::ItemType => &["整改类型", "itemtype", "type"],
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    fn recognise(cell: &str) -> Option<Field> {
        let h = normalise_header(cell);
        Field::ALL
            .into_iter()
            .find(|f| f.aliases().contains(&h.as_str()))
    }
}

/// A header cell compared: lower case, without whitespace, `_` or a trailing required-mark `*`.
fn normalise_header(cell: &str) -> String {
    cell.trim()
        .trim_end_matches(['*', '＊'])
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where each field was found: column index and header text.
struct Columns {
    at: [Option<(usize, String)>; 10],
}

impl Columns {
    fn col(&self, f: Field) -> Option<usize> {
        self.at[f.index()].as_ref().map(|(c, _)| *c)
    }

    fn error(
        &self,
        row: usize,
        f: Field,
        code: &'static str,
        params: Vec<(&'static str, String)>,
    ) -> (usize, usize, CellError) {
        let (col, header) = self.at[f.index()]
            .clone()
            .unwrap_or_else(|| (0, f.canonical().to_owned()));
        (
            row,
            col,
            CellError {
                row,
                column: column_letter(col),
                header,
                code,
                params,
            },
        )
    }
}

/// How many non-blank rows at the top are searched for the header (a title row may precede it).
const HEADER_SEARCH_ROWS: usize = 10;

/// Finds the header row: the first of the top non-blank rows that names every required column.
fn locate_header(table: &[Vec<String>]) -> Result<(usize, Columns), ImportError> {
    let mut best: Option<Columns> = None;
    let mut best_count = 0;
    for (r, cells) in table
        .iter()
        .enumerate()
        .filter(|(_, c)| c.iter().any(|s| !s.trim().is_empty()))
        .take(HEADER_SEARCH_ROWS)
    {
        let mut found: [Option<(usize, String)>; 10] = Default::default();
        for (c, text) in cells.iter().enumerate() {
            if let Some(f) = Field::recognise(text) {
                // The first column with a given meaning wins.
                found[f.index()].get_or_insert_with(|| (c, text.trim().to_owned()));
            }
        }
        let cols = Columns { at: found };
        let count = Field::ALL
            .into_iter()
            .filter(|f| f.column_required() && cols.col(*f).is_some())
            .count();
        if Field::ALL
            .into_iter()
            .all(|f| !f.column_required() || cols.col(f).is_some())
        {
            return Ok((r, cols));
        }
        if best.is_none() || count > best_count {
            best_count = count;
            best = Some(cols);
        }
    }
    let Some(best) = best else {
        return Err(ImportError::Empty);
    };
    let missing = Field::ALL
        .into_iter()
        .find(|f| f.column_required() && best.col(*f).is_none())
        .unwrap_or(Field::Title);
    Err(ImportError::MissingColumn(missing.canonical().to_owned()))
}

// ---------------------------------------------------------------------------------------------
// Import

/// The trimmed text of `f` in a row ("" when the column or the cell is absent).
fn cell_at<'t>(cols: &Columns, cells: &'t [String], f: Field) -> &'t str {
    cols.col(f)
        .and_then(|c| cells.get(c))
        .map_or("", |s| s.trim())
}

/// Longest 问题描述, in characters.
pub const TITLE_MAX: usize = 500;
/// Longest single 整改措施, in characters.
pub const MEASURE_MAX: usize = 1000;
/// Longest 责任人, in characters.
pub const PERSON_MAX: usize = 50;

/// An item being read; `None`/empty where its cell was invalid (an error is recorded then).
struct Draft {
    /// 0-based table row of the item's first row.
    at: usize,
    kind: &'static str,
    source: &'static str,
    phase: &'static str,
    item_type: &'static str,
    title: String,
    measures: Vec<String>,
    org_code: String,
    person: String,
    due_on: Option<NaiveDate>,
}

/// Reads a filled ledger template (or an export of [`export_xlsx`]) — xlsx or UTF-8 CSV, see
/// [`read_table`] — and validates every row.
///
/// The header row is found among the first ten non-blank rows (a title row may precede it);
/// columns may come in any order and other columns are ignored. Required columns: 问题来源,
/// 问题描述, 整改措施, 责任单位编码, 责任人, 完成时限 (otherwise [`ImportError::MissingColumn`]);
/// optional: 序号 (ignored), 类型 (default `rectification`), 阶段 (default `rectification`),
/// 整改类型 (default `time_limited`). Cells may hold the Chinese label or the code.
///
/// A row whose 问题描述 and 责任单位编码 are empty but whose 整改措施 is not adds a measure to the
/// item above; its other item cells must be empty or repeat the item's. Blank rows are skipped.
///
/// On failure [`ImportError::Rows`] carries every problem, sorted by row then column:
/// `required`; `too_long` (param `max`: 问题描述 500, 整改措施 1000, 责任人 50, 责任单位编码 32);
/// `bad_code` (责任单位编码 other than letters, digits, `-`, `_`); `bad_date` (param `value`);
/// `unknown_value` (param `value`) for an unrecognised 类型 / 问题来源 / 阶段 / 整改类型;
/// `orphan_measure` for a continuation row before any item; `continuation_conflict` (params
/// `item_row`, `value`) for a continuation row whose item cell differs from the item's.
pub fn parse(
    bytes: &[u8],
    file_name: &str,
    limits: &Limits,
) -> Result<Vec<ImportedItem>, ImportError> {
    let table = read_table(bytes, file_name, limits)?;
    let (header_at, cols) = locate_header(&table)?;

    let mut errors: Vec<(usize, usize, CellError)> = Vec::new();
    let mut drafts: Vec<Draft> = Vec::new();
    let no_cells: &[String] = &[];

    for (r, cells) in table.iter().enumerate().skip(header_at + 1) {
        let get = |f: Field| cell_at(&cols, cells, f);
        if Field::ALL
            .into_iter()
            .filter(|f| *f != Field::Seq)
            .all(|f| get(f).is_empty())
        {
            continue;
        }
        let row = r + 1;
        let (title, measure, org_code) =
            (get(Field::Title), get(Field::Measure), get(Field::OrgCode));
        let mut v = Validation::new();
        let key = |f: Field| f.canonical();

        if title.is_empty() && org_code.is_empty() && !measure.is_empty() {
            // Another measure of the item above.
            let Some(d) = drafts.last_mut() else {
                errors.push(cols.error(row, Field::Measure, "orphan_measure", Vec::new()));
                continue;
            };
            v.max_len(key(Field::Measure), measure, MEASURE_MAX);
            let first = table.get(d.at).map_or(no_cells, Vec::as_slice);
            for f in Field::ITEM_ONLY {
                let value = get(f);
                if !value.is_empty() && value != cell_at(&cols, first, f) {
                    v.add_with(
                        key(f),
                        "continuation_conflict",
                        vec![
                            ("item_row", (d.at + 1).to_string()),
                            ("value", value.to_owned()),
                        ],
                    );
                }
            }
            d.measures.push(measure.to_owned());
        } else {
            v.text(key(Field::Title), title, TITLE_MAX);
            validate_code(&mut v, key(Field::OrgCode), org_code);
            v.text(key(Field::Person), get(Field::Person), PERSON_MAX);
            if !measure.is_empty() {
                v.max_len(key(Field::Measure), measure, MEASURE_MAX);
            }
            let due_raw = get(Field::DueOn);
            let due_on = parse_date(due_raw);
            if due_raw.is_empty() {
                v.add(key(Field::DueOn), "required");
            } else if due_on.is_none() {
                v.add_with(
                    key(Field::DueOn),
                    "bad_date",
                    vec![("value", due_raw.to_owned())],
                );
            }
            let mut coded = |f: Field,
                             table: &'static [(&'static str, &'static str)],
                             aliases: &'static [(&'static str, &'static str)],
                             default: Option<&'static str>| {
                let raw = get(f);
                if raw.is_empty() {
                    if default.is_none() {
                        v.add(key(f), "required");
                    }
                    return default.unwrap_or("");
                }
                recognise_value(table, aliases, raw).unwrap_or_else(|| {
                    v.add_with(key(f), "unknown_value", vec![("value", raw.to_owned())]);
                    ""
                })
            };
            let kind = coded(Field::Kind, KINDS, KIND_ALIASES, Some(DEFAULT_KIND));
            let source = coded(Field::Source, SOURCES, SOURCE_ALIASES, None);
            let phase = coded(Field::Phase, PHASES, PHASE_ALIASES, Some(DEFAULT_PHASE));
            let item_type = coded(
                Field::ItemType,
                ITEM_TYPES,
                ITEM_TYPE_ALIASES,
                Some(DEFAULT_ITEM_TYPE),
            );
            drafts.push(Draft {
                at: r,
                kind,
                source,
                phase,
                item_type,
                title: title.to_owned(),
                measures: if measure.is_empty() {
                    Vec::new()
                } else {
                    vec![measure.to_owned()]
                },
                org_code: org_code.to_owned(),
                person: get(Field::Person).to_owned(),
                due_on,
            });
        }
        for e in v.errors {
            let f = Field::ALL
                .into_iter()
                .find(|f| f.canonical() == e.field)
                .unwrap_or(Field::Title);
            errors.push(cols.error(row, f, e.code, e.params));
        }
    }

    // An item needs at least one measure, on its own row or on the rows below it.
    for d in drafts.iter().filter(|d| d.measures.is_empty()) {
        errors.push(cols.error(d.at + 1, Field::Measure, "required", Vec::new()));
    }
    if !errors.is_empty() {
        errors.sort_by_key(|(row, col, _)| (*row, *col));
        return Err(ImportError::Rows(
            errors.into_iter().map(|(_, _, e)| e).collect(),
        ));
    }
    if drafts.is_empty() {
        return Err(ImportError::Empty);
    }
    let org_code_column = cols.at[Field::OrgCode.index()]
        .as_ref()
        .map(|(c, h)| (column_letter(*c), h.clone()))
        .unwrap_or_default();
    Ok(drafts
        .into_iter()
        .filter_map(|d| {
            Some(ImportedItem {
                row: d.at + 1,
                kind: d.kind.to_owned(),
                source: d.source.to_owned(),
                phase: d.phase.to_owned(),
                item_type: d.item_type.to_owned(),
                title: d.title,
                measures: d.measures,
                org_code: d.org_code,
                person: d.person,
                due_on: d.due_on?,
                org_code_column: org_code_column.clone(),
            })
        })
        .collect())
}

/// First and last Excel serial numbers read as dates from a plain number cell (2000-01-01 and
/// 2099-12-31): a date whose cell lost its date format.
const SERIAL_RANGE: std::ops::RangeInclusive<i64> = 36_526..=73_050;

/// A date as people write it: `2024-03-09` (also with `/` or `.` and without leading zeros),
/// `2024年3月9日`, `20240309`, a date cell (read as `2024-03-09`, perhaps with a time, which is
/// ignored), or an Excel serial number of a cell that lost its date format.
fn parse_date(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim();
    // A time after the date (a date cell that carries one): keep the date.
    let s = match s.split_once([' ', 'T']) {
        Some((date, time))
            if !time.is_empty()
                && time
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == ':' || c == '.') =>
        {
            date
        }
        _ => s,
    };
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return match s.len() {
            8 => NaiveDate::from_ymd_opt(
                s.get(0..4)?.parse().ok()?,
                s.get(4..6)?.parse().ok()?,
                s.get(6..8)?.parse().ok()?,
            ),
            5 => {
                let serial: i64 = s.parse().ok()?;
                if !SERIAL_RANGE.contains(&serial) {
                    return None;
                }
                NaiveDate::from_ymd_opt(1899, 12, 30)?
                    .checked_add_signed(chrono::TimeDelta::try_days(serial)?)
            }
            _ => None,
        };
    }
    let s = s.strip_suffix(['日', '号']).unwrap_or(s);
    let mut parts = s.split(['-', '/', '.', '年', '月']);
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || y.len() != 4
        || !(1..=2).contains(&m.len())
        || !(1..=2).contains(&d.len())
    {
        return None;
    }
    let num = |p: &str| -> Option<u32> {
        if p.bytes().all(|b| b.is_ascii_digit()) {
            p.parse().ok()
        } else {
            None
        }
    };
    NaiveDate::from_ymd_opt(i32::try_from(num(y)?).ok()?, num(m)?, num(d)?)
}

// ---------------------------------------------------------------------------------------------
// Export

/// The columns of the export, with their widths.
const EXPORT_COLUMNS: [(&str, f64); 16] = [
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
const EXPORT_MEASURE_COL: u16 = 4;

/// Most rows of a worksheet.
const EXCEL_MAX_ROWS: usize = 1_048_576;
/// Most characters in a cell.
const EXCEL_MAX_CHARS: usize = 32_767;

/// The export's formats, made once.
struct ExportFormats {
    text: Format,
    centred: Format,
    date: Format,
    lights: [Format; 3],
}

/// A cell value of the export.
enum Value<'a> {
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

fn build_export(title: &str, rows: &[LedgerRow]) -> Result<Vec<u8>, XlsxError> {
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

fn write_value(
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

fn excel_date(d: NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(d.year()).ok()?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8).ok()
}

/// `s`, cut to what a cell can hold (Excel's limit counts UTF-16 units).
fn fit_cell(s: &str) -> Cow<'_, str> {
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

// ---------------------------------------------------------------------------------------------
// Template

/// Last row index of a sheet, for validations on whole columns.
const LAST_ROW: u32 = 1_048_575;

/// The import template: sheet "整改台账" with the header row 序号 | 类型 | 问题来源 | 问题描述 |
/// 整改措施 | 责任单位编码 | 责任人 | 完成时限 | 阶段 | 整改类型 (frozen), drop-down lists of the
/// Chinese labels on 类型 / 问题来源 / 阶段 / 整改类型, a drop-down of `orgs`' codes on
/// 责任单位编码 (listed with their names on the hidden sheet "单位"), a date validation on
/// 完成时限, and one example problem with two measures; then a sheet "说明" that explains each
/// column. `orgs` are (code, name) pairs; with none, the code column has no drop-down.
pub fn template_xlsx(orgs: &[(String, String)]) -> Result<Vec<u8>, String> {
    build_template(orgs).map_err(|e| e.to_string())
}

fn labels(table: &[(&str, &'static str)]) -> Vec<&'static str> {
    table.iter().map(|(_, l)| *l).collect()
}

fn list_validation(
    field: Field,
    table: &[(&str, &'static str)],
    required: bool,
) -> Result<DataValidation, XlsxError> {
    let labels = labels(table);
    let name = field.canonical();
    let hint = if required { "必填" } else { "选填" };
    DataValidation::new()
        .allow_list_strings(&labels)?
        .set_input_title(name)?
        .set_input_message(format!("{hint}，请从下拉列表中选择"))?
        .set_error_title(format!("{name}无效"))?
        .set_error_message(format!("{name}须为：{}", labels.join("、")))
}

fn build_template(orgs: &[(String, String)]) -> Result<Vec<u8>, XlsxError> {
    let header = Format::new()
        .set_bold()
        .set_background_color("#DDEBF7")
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    let text = Format::new().set_num_format("@");
    let wrap = Format::new().set_text_wrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let col = |f: Field| f.index() as u16;

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("整改台账")?;
    let widths = [6.0, 10.0, 12.0, 40.0, 40.0, 16.0, 10.0, 12.0, 12.0, 12.0];
    for (f, width) in Field::ALL.into_iter().zip(widths) {
        sheet.set_column_width(col(f), width)?;
        match f {
            Field::OrgCode | Field::Person => {
                sheet.set_column_format(col(f), &text)?;
            }
            Field::Title | Field::Measure => {
                sheet.set_column_format(col(f), &wrap)?;
            }
            Field::DueOn => {
                sheet.set_column_format(col(f), &date)?;
            }
            _ => {}
        }
        sheet.write_string_with_format(0, col(f), f.canonical(), &header)?;
    }
    sheet.set_freeze_panes(1, 0)?;

    for (f, table, required) in [
        (Field::Kind, KINDS, false),
        (Field::Source, SOURCES, true),
        (Field::Phase, PHASES, false),
        (Field::ItemType, ITEM_TYPES, false),
    ] {
        sheet.add_data_validation(
            1,
            col(f),
            LAST_ROW,
            col(f),
            &list_validation(f, table, required)?,
        )?;
    }
    if !orgs.is_empty() {
        let org_list = DataValidation::new()
            .allow_list_formula(Formula::new(format!("='单位'!$A$2:$A${}", orgs.len() + 1)))
            .set_input_title("责任单位编码")?
            .set_input_message("必填，请从下拉列表中选择；编码与单位名称的对照见“说明”")?
            .set_error_title("责任单位编码无效")?
            .set_error_message("请从下拉列表中选择责任单位编码")?;
        sheet.add_data_validation(
            1,
            col(Field::OrgCode),
            LAST_ROW,
            col(Field::OrgCode),
            &org_list,
        )?;
    }
    let (first_day, last_day) = (
        ExcelDateTime::from_ymd(2000, 1, 1)?,
        ExcelDateTime::from_ymd(2099, 12, 31)?,
    );
    let due = DataValidation::new()
        .allow_date(DataValidationRule::Between(first_day, last_day))
        .set_input_title("完成时限")?
        .set_input_message("必填，日期，例如 2027-06-30")?
        .set_error_title("完成时限无效")?
        .set_error_message("请输入 2000-01-01 至 2099-12-31 之间的日期，例如 2027-06-30")?;
    sheet.add_data_validation(1, col(Field::DueOn), LAST_ROW, col(Field::DueOn), &due)?;

    // The example: one problem with two measures.
    let example_org = orgs.first().map_or("210000", |(code, _)| code.as_str());
    sheet.write_number(1, col(Field::Seq), 1.0)?;
    for (f, value) in [
        (Field::Kind, label(KINDS, "rectification")),
        (Field::Source, label(SOURCES, "research")),
        (Field::Title, EXAMPLE_TITLE),
        (Field::Measure, EXAMPLE_MEASURES[0]),
        (Field::OrgCode, example_org),
        (Field::Person, "张三"),
        (Field::Phase, label(PHASES, "rectification")),
        (Field::ItemType, label(ITEM_TYPES, "time_limited")),
    ] {
        sheet.write_string(1, col(f), value)?;
    }
    sheet.write_date_with_format(
        1,
        col(Field::DueOn),
        ExcelDateTime::from_ymd(EXAMPLE_DUE.0, EXAMPLE_DUE.1, EXAMPLE_DUE.2)?,
        &date,
    )?;
    sheet.write_string(2, col(Field::Measure), EXAMPLE_MEASURES[1])?;

    let units = workbook.add_worksheet();
    units.set_name("单位")?;
    units.set_column_width(0, 16)?;
    units.set_column_width(1, 40)?;
    units.set_column_format(0, &text)?;
    units.write_string_with_format(0, 0, "编码", &header)?;
    units.write_string_with_format(0, 1, "名称", &header)?;
    for (i, (code, name)) in orgs.iter().enumerate() {
        let r = i as u32 + 1;
        units.write_string(r, 0, fit_cell(code))?;
        units.write_string(r, 1, fit_cell(name))?;
    }
    units.set_hidden(true);

    let help = workbook.add_worksheet();
    help.set_name("说明")?;
    help.set_column_width(0, 14)?;
    help.set_column_width(1, 10)?;
    help.set_column_width(2, 100)?;
    for (c, h) in ["列", "是否必填", "说明"].into_iter().enumerate() {
        help.write_string_with_format(0, c as u16, h, &header)?;
    }
    let list = |t: &[(&str, &'static str)]| labels(t).join("、");
    let lines: [(Field, &str, String); 10] = [
        (Field::Seq, "选填", "序号，仅供查阅，导入时不读取。".to_owned()),
        (Field::Kind, "选填", format!("从下拉列表中选择：{}；留空视为“整改事项”。", list(KINDS))),
        (Field::Source, "必填", format!("问题从何而来，从下拉列表中选择：{}。", list(SOURCES))),
        (Field::Title, "必填", format!("问题的具体表现或任务名称，最多 {TITLE_MAX} 字。")),
        (Field::Measure, "必填", format!(
            "整改措施，每行填写一条，每条最多 {MEASURE_MAX} 字。一个问题有多条措施时，从第二条起另起一行，该行只填“整改措施”，其余各列留空（如示例第 3 行）。"
        )),
        (Field::OrgCode, "必填", "责任单位的编码，从下拉列表中选择。编码与单位名称的对照在隐藏的工作表“单位”中（右键单击工作表标签，选择“取消隐藏”即可查看）。".to_owned()),
        (Field::Person, "必填", format!("责任人姓名，最多 {PERSON_MAX} 字。")),
        (Field::DueOn, "必填", "完成时限，填写日期，例如 2027-06-30、2027/6/30 或 2027年6月30日。".to_owned()),
        (Field::Phase, "选填", format!("所属阶段，从下拉列表中选择：{}；留空视为“整改落实”。", list(PHASES))),
        (Field::ItemType, "选填", format!("从下拉列表中选择：{}；留空视为“限期整改”。", list(ITEM_TYPES))),
    ];
    for (r, (f, required, line)) in lines.iter().enumerate() {
        let r = r as u32 + 1;
        help.write_string(r, 0, f.canonical())?;
        help.write_string(r, 1, *required)?;
        help.write_string_with_format(r, 2, line, &wrap)?;
    }
    let notes = [
        "第一行为表头，请勿修改列名；列的先后顺序不限，其他列不读取。示例（第 2、3 行）导入前请删除或替换。",
        "下拉列表中的选项也可以填写对应的英文代码（如 time_limited）。",
        "导入前会逐行检查，任何一行有误则整个文件都不导入，并列出每个错误所在的行和列。",
        "也可以上传 UTF-8 编码的 CSV 文件，列名相同。从本系统导出的整改台账可以直接导入。",
    ];
    let at = lines.len() as u32 + 2;
    help.write_string(at, 0, "注意")?;
    for (i, note) in notes.iter().enumerate() {
        help.write_string_with_format(at + i as u32, 2, *note, &wrap)?;
    }

    workbook.save_to_buffer()
}

const EXAMPLE_TITLE: &str = "群众办事需多次往返，“最多跑一次”事项覆盖不全";
const EXAMPLE_MEASURES: [&str; 2] = [
    "梳理高频办事事项清单，逐项明确办理流程和时限",
    "推行一窗受理、网上办理，每月通报办理时长",
];
const EXAMPLE_DUE: (u16, u8, u8) = (2027, 6, 30);

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Read};
    use std::time::Instant;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[allow(clippy::too_many_arguments)]
    fn row(
        seq: usize,
        kind: &str,
        source: &str,
        item_type: &str,
        phase: &str,
        title: &str,
        measures: &[&str],
        org: (&str, &str),
        person: &str,
        due_on: NaiveDate,
        status: &str,
        light: &str,
        closed_on: Option<NaiveDate>,
    ) -> LedgerRow {
        LedgerRow {
            seq,
            kind: kind.into(),
            source: source.into(),
            item_type: item_type.into(),
            phase: phase.into(),
            title: title.into(),
            measures: measures
                .iter()
                .map(|m| LedgerMeasure {
                    text: (*m).to_owned(),
                })
                .collect(),
            org_code: org.0.into(),
            org_name: org.1.into(),
            person: person.into(),
            due_on,
            progress: format!("{title}：已完成阶段性工作"),
            status: status.into(),
            light: light.into(),
            evidence: "会议纪要.pdf；整改报告.docx".into(),
            closed_on,
        }
    }

    fn sample() -> Vec<LedgerRow> {
        vec![
            row(
                1,
                "rectification",
                "research",
                "time_limited",
                "rectification",
                "群众办事多次跑，“最多跑一次”事项覆盖不全",
                &[
                    "梳理100个高频事项清单",
                    "推行一窗受理、网上办理",
                    "每月通报办理时长",
                ],
                ("210000-JT", "省交通运输厅"),
                "王五",
                d(2027, 3, 31),
                "in_progress",
                "yellow",
                None,
            ),
            row(
                2,
                "task",
                "superior_instruction",
                "long_term",
                "study",
                "取消高速公路省界收费站",
                &["完成ETC门架系统建设"],
                ("210100", "沈阳市交通运输局"),
                "李四",
                d(2026, 12, 31),
                "closed",
                "green",
                Some(d(2026, 12, 20)),
            ),
            row(
                3,
                "rectification",
                "public_feedback",
                "immediate",
                "review",
                "农村公路养护不到位",
                &["建立路长制", "落实养护资金"],
                ("210200", "大连市交通运输局"),
                "赵六",
                d(2026, 1, 5),
                "under_review",
                "red",
                None,
            ),
            row(
                4,
                "rectification",
                "inspection",
                "time_limited",
                "research",
                "港口资源整合进度慢",
                &["制定整合方案"],
                ("210300", "鞍山市港口办"),
                "钱七",
                d(2027, 6, 30),
                "draft",
                "",
                None,
            ),
            row(
                5,
                "rectification",
                "self_examination",
                "long_term",
                "rectification",
                "物流成本偏高",
                &["降低通行费", "推广多式联运"],
                ("210400", "抚顺市物流办"),
                "孙八",
                d(2027, 1, 15),
                "verified",
                "green",
                Some(d(2026, 11, 1)),
            ),
        ]
    }

    fn unzip(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
        let mut xml = String::new();
        zip.by_name(name)
            .expect("entry")
            .read_to_string(&mut xml)
            .expect("read entry");
        xml
    }

    fn parse_csv(text: &str) -> Result<Vec<ImportedItem>, ImportError> {
        parse(text.as_bytes(), "ledger.csv", &Limits::default())
    }

    fn rows_err(r: Result<Vec<ImportedItem>, ImportError>) -> Vec<CellError> {
        match r {
            Err(ImportError::Rows(e)) => e,
            other => panic!("expected row errors, got {other:?}"),
        }
    }

    fn brief(errs: &[CellError]) -> Vec<(usize, &str, &str)> {
        errs.iter()
            .map(|e| (e.row, e.column.as_str(), e.code))
            .collect()
    }

    /// A sheet of strings (empty strings are not written).
    fn xlsx(rows: &[Vec<&str>]) -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (r, cells) in rows.iter().enumerate() {
            for (c, v) in cells.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, *v).expect("write");
                }
            }
        }
        wb.save_to_buffer().expect("save")
    }

    const HEADER: &str =
        "序号,类型,问题来源,问题描述,整改措施,责任单位编码,责任人,完成时限,阶段,整改类型\n";

    #[test]
    fn code_tables_match_the_domain() {
        use luodi_domain::campaign::PhaseKind;
        use luodi_domain::item::{ItemKind, ItemType, Source, Status};
        use luodi_domain::light::Light;
        let codes = |t: &[(&str, &str)]| t.iter().map(|(c, _)| c.to_string()).collect::<Vec<_>>();
        assert_eq!(
            codes(KINDS),
            ItemKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>()
        );
        assert_eq!(
            codes(SOURCES),
            Source::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>()
        );
        assert_eq!(
            codes(ITEM_TYPES),
            ItemType::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>()
        );
        assert_eq!(
            codes(STATUSES),
            Status::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>()
        );
        assert_eq!(
            codes(LIGHTS),
            Light::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>()
        );
        assert_eq!(
            PHASES.to_vec(),
            PhaseKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.default_name_zh()))
                .collect::<Vec<_>>()
        );
        // Every default is a code of its table.
        assert!(KINDS.iter().any(|(c, _)| *c == DEFAULT_KIND));
        assert!(PHASES.iter().any(|(c, _)| *c == DEFAULT_PHASE));
        assert!(ITEM_TYPES.iter().any(|(c, _)| *c == DEFAULT_ITEM_TYPE));
    }

    #[test]
    fn export_round_trips() {
        let rows = sample();
        let bytes = export_xlsx("辽宁省交通运输厅主题教育整改台账", &rows).expect("export");
        let items = parse(&bytes, "台账.xlsx", &Limits::default()).expect("the export parses");
        assert_eq!(items.len(), rows.len());
        // Title row 1, header row 2, then 3 + 1 + 2 + 1 + 2 rows.
        assert_eq!(
            items.iter().map(|i| i.row).collect::<Vec<_>>(),
            vec![3, 6, 7, 9, 10]
        );
        for (item, row) in items.iter().zip(&rows) {
            assert_eq!(item.kind, row.kind);
            assert_eq!(item.source, row.source);
            assert_eq!(item.phase, row.phase);
            assert_eq!(item.item_type, row.item_type);
            assert_eq!(item.title, row.title);
            assert_eq!(
                item.measures,
                row.measures
                    .iter()
                    .map(|m| m.text.clone())
                    .collect::<Vec<_>>()
            );
            assert_eq!(item.org_code, row.org_code);
            assert_eq!(item.person, row.person);
            assert_eq!(item.due_on, row.due_on);
            assert_eq!(
                item.org_code_column,
                ("G".to_owned(), "责任单位编码".to_owned())
            );
        }

        // What a user sees: labels, a real date, the light, the close-out.
        let mut wb: calamine::Xlsx<_> =
            calamine::Reader::new(Cursor::new(bytes.as_slice())).expect("opens");
        assert_eq!(calamine::Reader::sheet_names(&wb), vec!["整改台账"]);
        let range = calamine::Reader::worksheet_range(&mut wb, "整改台账").expect("sheet");
        let text = |r: u32, c: u32| {
            range
                .get_value((r, c))
                .map(|v| v.to_string())
                .unwrap_or_default()
        };
        assert_eq!(text(0, 0), "辽宁省交通运输厅主题教育整改台账");
        let headers: Vec<String> = (0..16).map(|c| text(1, c)).collect();
        assert_eq!(
            headers,
            EXPORT_COLUMNS
                .iter()
                .map(|(h, _)| h.to_string())
                .collect::<Vec<_>>()
        );
        assert_eq!(text(2, 0), "1");
        assert_eq!(text(2, 1), "整改事项");
        assert_eq!(text(2, 2), "调研发现");
        assert_eq!(text(2, 5), "省交通运输厅");
        assert_eq!(text(2, 10), "推进中");
        assert_eq!(text(2, 11), "黄");
        assert_eq!(text(2, 12), "会议纪要.pdf；整改报告.docx");
        assert_eq!(text(2, 13), "未销号");
        assert_eq!(text(2, 15), "限期整改");
        assert_eq!(text(3, 4), "推行一窗受理、网上办理");
        assert_eq!(text(3, 3), "", "merged below the first row");
        assert_eq!(text(5, 1), "任务");
        assert_eq!(text(5, 10), "已销号");
        assert_eq!(text(5, 13), "已销号（2026-12-20）");
        assert_eq!(text(5, 14), "学习教育");
        assert_eq!(text(5, 15), "长期坚持");
        match range.get_value((2, 8)) {
            Some(calamine::Data::DateTime(dt)) => {
                assert_eq!(dt.to_ymd_hms_milli(), (2027, 3, 31, 0, 0, 0, 0));
            }
            other => panic!("the deadline is not a date cell: {other:?}"),
        }
    }

    #[test]
    fn export_merges_each_item_across_its_measures() {
        let bytes = export_xlsx("台账", &sample()).expect("export");
        let xml = unzip(&bytes, "xl/worksheets/sheet1.xml");
        let merges: Vec<&str> = xml
            .split("<mergeCell ref=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .collect();
        // The title, then 15 columns (all but 整改措施) for each of the three items with
        // several measures.
        assert_eq!(merges.len(), 1 + 3 * 15, "{merges:?}");
        assert!(merges.contains(&"A1:P1"));
        for (first, last) in [(3, 5), (7, 8), (10, 11)] {
            for c in 0..16usize {
                let range = format!("{0}{first}:{0}{last}", column_letter(c));
                assert_eq!(
                    merges.contains(&range.as_str()),
                    c != EXPORT_MEASURE_COL as usize,
                    "{range}"
                );
            }
        }
        // Single-measure items (rows 6 and 9) are not merged.
        assert!(!merges.iter().any(|m| m.contains('6') || m.contains('9')));
        assert!(xml.contains("ySplit=\"2\""), "frozen below the header");
        assert!(xml.contains("<col "), "column widths");
        assert!(xml.contains("landscape"), "printed landscape");
        let styles = unzip(&bytes, "xl/styles.xml");
        for fill in ["FF00B050", "FFFFFF00", "FFFF0000"] {
            assert!(styles.contains(fill), "{fill} fill");
        }
        assert!(styles.contains("yyyy-mm-dd"));
        assert!(styles.contains("thin"));
        assert!(styles.contains("wrapText=\"1\""));
    }

    #[test]
    fn export_edge_cases() {
        // No rows: title and header only, and nothing to import.
        let bytes = export_xlsx("空台账", &[]).expect("export");
        assert_eq!(
            parse(&bytes, "t.xlsx", &Limits::default()),
            Err(ImportError::Empty)
        );
        // Unknown codes are shown as they are; an overlong text is cut to what a cell holds.
        let mut r = sample().remove(1);
        r.status = "mystery".into();
        r.progress = "进".repeat(40_000);
        let bytes = export_xlsx("t", &[r]).expect("export");
        let mut wb: calamine::Xlsx<_> =
            calamine::Reader::new(Cursor::new(bytes.as_slice())).expect("opens");
        let range = calamine::Reader::worksheet_range(&mut wb, "整改台账").expect("sheet");
        let progress = range.get_value((2, 9)).expect("progress").to_string();
        assert_eq!(progress.chars().count(), EXCEL_MAX_CHARS);
        assert!(progress.ends_with('…'));
        assert_eq!(
            range.get_value((2, 10)).map(|v| v.to_string()),
            Some("mystery".into())
        );
    }

    #[test]
    fn template_parses_back_to_its_example() {
        let orgs = vec![
            ("210000".to_owned(), "辽宁省交通运输厅".to_owned()),
            ("210100".to_owned(), "沈阳市交通运输局".to_owned()),
        ];
        let bytes = template_xlsx(&orgs).expect("template");
        let items = parse(&bytes, "整改台账导入模板.xlsx", &Limits::default()).expect("parses");
        assert_eq!(
            items,
            vec![ImportedItem {
                row: 2,
                kind: "rectification".into(),
                source: "research".into(),
                phase: "rectification".into(),
                item_type: "time_limited".into(),
                title: EXAMPLE_TITLE.into(),
                measures: EXAMPLE_MEASURES.map(str::to_owned).to_vec(),
                org_code: "210000".into(),
                person: "张三".into(),
                due_on: d(2027, 6, 30),
                org_code_column: ("F".into(), "责任单位编码".into()),
            }]
        );

        let mut wb: calamine::Xlsx<_> =
            calamine::Reader::new(Cursor::new(bytes.as_slice())).expect("opens");
        assert_eq!(
            calamine::Reader::sheet_names(&wb),
            vec!["整改台账", "单位", "说明"]
        );
        let units = calamine::Reader::worksheet_range(&mut wb, "单位").expect("units");
        let listed: Vec<(String, String)> = units
            .rows()
            .skip(1)
            .map(|r| (r[0].to_string(), r[1].to_string()))
            .collect();
        assert_eq!(listed, orgs);
        let help = calamine::Reader::worksheet_range(&mut wb, "说明").expect("help");
        let explained: Vec<String> = help
            .rows()
            .skip(1)
            .take(10)
            .map(|r| r[0].to_string())
            .collect();
        assert_eq!(
            explained,
            Field::ALL.map(|f| f.canonical().to_owned()).to_vec()
        );

        let workbook_xml = unzip(&bytes, "xl/workbook.xml");
        assert!(
            workbook_xml.contains("name=\"单位\" sheetId=\"2\" state=\"hidden\""),
            "{workbook_xml}"
        );
        let xml = unzip(&bytes, "xl/worksheets/sheet1.xml");
        assert!(xml.contains("<dataValidations count=\"6\">"), "{xml}");
        let validation_on = |column: &str| -> &str {
            let at = xml
                .find(&format!("sqref=\"{column}2:{column}1048576\""))
                .unwrap_or_else(|| panic!("a validation on column {column}: {xml}"));
            let start = xml[..at].rfind("<dataValidation ").expect("element start");
            let end = at + xml[at..].find("</dataValidation>").expect("element end");
            &xml[start..end]
        };
        for (column, table) in [
            ("B", KINDS),
            ("C", SOURCES),
            ("I", PHASES),
            ("J", ITEM_TYPES),
        ] {
            let v = validation_on(column);
            assert!(v.contains("type=\"list\""), "{v}");
            let list = labels(table).join(",");
            assert!(
                v.contains(&format!("&quot;{list}&quot;")) || v.contains(&format!("\"{list}\"")),
                "{v}"
            );
        }
        let org = validation_on("F");
        assert!(org.contains("type=\"list\""), "{org}");
        assert!(org.contains("'单位'!$A$2:$A$3"), "{org}");
        let due = validation_on("H");
        assert!(due.contains("type=\"date\""), "{due}");
        assert!(xml.contains("ySplit=\"1\""), "frozen header");

        // Without orgs: no list of codes, the example still parses.
        let bytes = template_xlsx(&[]).expect("template");
        let items = parse(&bytes, "t.xlsx", &Limits::default()).expect("parses");
        assert_eq!(items[0].org_code, "210000");
        assert_eq!(items[0].measures.len(), 2);
        let xml = unzip(&bytes, "xl/worksheets/sheet1.xml");
        assert!(xml.contains("<dataValidations count=\"5\">"), "{xml}");
    }

    #[test]
    fn labels_codes_aliases_defaults_and_dates() {
        let items = parse_csv(
            "\u{feff}整改台账\n\
             \n\
             问题描述,整改措施*,责任单位编码,责任人,完成时限,问题来源,备注\n\
             甲, a1 ,U1,张,2027-1-5,inspection,x\n\
             ,a2,,,,,ignored\n\
             乙,b1,U2,李,2027/1/5,群众反映,\n\
             丙,c1,U3,王,2027年1月5日,自查,\n\
             丁,d1,U4,赵,20270105,上级交办,\n\
             戊,e1,U5,钱,2027.01.05,Research,\n\
             己,f1,U6,孙,46392,调研发现,\n\
             庚,g1,U7,周,2027-01-05 00:00:00,调研发现,\n",
        )
        .expect("parses");
        assert_eq!(items.len(), 7);
        assert_eq!(items[0].row, 4);
        assert_eq!(items[0].measures, vec!["a1", "a2"]);
        assert_eq!(
            items.iter().map(|i| i.source.as_str()).collect::<Vec<_>>(),
            vec![
                "inspection",
                "public_feedback",
                "self_examination",
                "superior_instruction",
                "research",
                "research",
                "research"
            ]
        );
        assert!(items.iter().all(|i| i.due_on == d(2027, 1, 5)), "{items:?}");
        // Absent optional columns take their defaults.
        assert!(items.iter().all(|i| i.kind == "rectification"
            && i.phase == "rectification"
            && i.item_type == "time_limited"));
        assert_eq!(
            items[0].org_code_column,
            ("C".to_owned(), "责任单位编码".to_owned())
        );

        let items = parse_csv(&format!(
            "{HEADER}\
             1,任务,调研发现,甲,a,U1,张,2027-01-05,学习教育,立行立改\n\
             2,TASK,research,乙,b,U2,李,2027-01-05,review,long_term\n\
             3,整改,调研发现,丙,c,U3,王,2027-01-05,,长期整改\n\
             4,,调研发现,丁,d,U4,赵,2027-01-05,,\n"
        ))
        .expect("parses");
        let got: Vec<(&str, &str, &str)> = items
            .iter()
            .map(|i| (i.kind.as_str(), i.phase.as_str(), i.item_type.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("task", "study", "immediate"),
                ("task", "review", "long_term"),
                ("rectification", "rectification", "long_term"),
                ("rectification", "rectification", "time_limited"),
            ]
        );
    }

    #[test]
    fn dates() {
        for ok in [
            "2027-06-30",
            "2027-6-30",
            "2027/6/30",
            "2027.6.30",
            "2027年6月30日",
            "2027年06月30号",
            "20270630",
            "46568",
            "2027-06-30 09:30:00",
            "2027-06-30T00:00:00",
        ] {
            assert_eq!(parse_date(ok), Some(d(2027, 6, 30)), "{ok}");
        }
        for bad in [
            "",
            "2027-02-30",
            "2027-13-01",
            "27-6-30",
            "2027-6",
            "2027-6-30-1",
            "6/30/2027",
            "明年六月",
            "12345",
            "99999",
            "2027-06-30 下午",
            "+2027-6-30",
            "2027-+6-30",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn wrong_headers_are_a_missing_column() {
        assert_eq!(
            parse_csv("问题描述,整改措施,责任单位编码,责任人,完成时限\n甲,a,U1,张,2027-01-05\n"),
            Err(ImportError::MissingColumn("问题来源".into()))
        );
        assert_eq!(
            parse_csv("编码,名称,类型,上级编码\n210000,辽宁省,省,\n"),
            Err(ImportError::MissingColumn("问题来源".into()))
        );
        // The export's 责任单位 (names) is not the code column.
        assert_eq!(
            parse_csv("问题来源,问题描述,整改措施,责任单位,责任人,完成时限\n"),
            Err(ImportError::MissingColumn("责任单位编码".into()))
        );
        let bytes = xlsx(&[vec!["序号", "问题来源", "问题描述", "措施", "责任人"]]);
        assert_eq!(
            parse(&bytes, "t.xlsx", &Limits::default()),
            Err(ImportError::MissingColumn("责任单位编码".into()))
        );
        assert_eq!(parse_csv(HEADER), Err(ImportError::Empty));
        assert_eq!(parse_csv(""), Err(ImportError::Empty));
    }

    #[test]
    fn bad_date_is_reported_at_its_cell() {
        let header: Vec<&str> = HEADER.trim_end().split(',').collect();
        let bytes = xlsx(&[
            header,
            vec!["1", "", "调研发现", "甲", "a", "U1", "张", "2027-01-05"],
            vec!["2", "", "调研发现", "乙", "b", "U2", "李", "2027-13-01"],
            vec!["", "", "", "", "b2"],
        ]);
        let errs = rows_err(parse(&bytes, "t.xlsx", &Limits::default()));
        assert_eq!(
            errs,
            vec![CellError {
                row: 3,
                column: "H".into(),
                header: "完成时限".into(),
                code: "bad_date",
                params: vec![("value", "2027-13-01".into())],
            }]
        );
    }

    #[test]
    fn every_row_error_is_reported() {
        let long_title = "问".repeat(TITLE_MAX + 1);
        let long_measure = "措".repeat(MEASURE_MAX + 1);
        let long_person = "人".repeat(PERSON_MAX + 1);
        let csv = format!(
            "{HEADER}\
             ,,,,孤立的措施,,,,,\n\
             1,整改事项,调研发现,甲,a,U1,张,2027-01-05,,\n\
             2,整改事项,调研发现,,b,U2,李,2027-01-05,,\n\
             3,整改事项,调研发现,丙,,U3,,,,\n\
             4,问题,不知道,丁,d,U 4,赵,2027-01-05,第五阶段,马上改\n\
             5,,,{long_title},{long_measure},U5,{long_person},2027-01-05,,\n\
             ,,,,{long_measure},,,,,\n\
             ,,自查自纠,,e2,,,2027-02-01,,\n\
             ,,,,,,钱,,,\n"
        );
        let errs = rows_err(parse_csv(&csv));
        assert_eq!(
            brief(&errs),
            vec![
                (2, "E", "orphan_measure"),
                (4, "D", "required"),
                (5, "E", "required"),
                (5, "G", "required"),
                (5, "H", "required"),
                (6, "B", "unknown_value"),
                (6, "C", "unknown_value"),
                (6, "F", "bad_code"),
                (6, "I", "unknown_value"),
                (6, "J", "unknown_value"),
                (7, "C", "required"),
                (7, "D", "too_long"),
                (7, "E", "too_long"),
                (7, "G", "too_long"),
                (8, "E", "too_long"),
                (9, "C", "continuation_conflict"),
                (9, "H", "continuation_conflict"),
                (10, "C", "required"),
                (10, "D", "required"),
                (10, "E", "required"),
                (10, "F", "required"),
                (10, "H", "required"),
            ]
        );
        let by = |row, col: &str| {
            errs.iter()
                .find(|e| e.row == row && e.column == col)
                .expect("error present")
        };
        assert_eq!(by(6, "B").params, vec![("value", "问题".to_owned())]);
        assert_eq!(by(6, "J").params, vec![("value", "马上改".to_owned())]);
        assert_eq!(by(6, "J").header, "整改类型");
        assert_eq!(by(7, "D").params, vec![("max", "500".to_owned())]);
        assert_eq!(by(7, "E").params, vec![("max", "1000".to_owned())]);
        assert_eq!(by(7, "G").params, vec![("max", "50".to_owned())]);
        assert_eq!(
            by(9, "H").params,
            vec![
                ("item_row", "7".to_owned()),
                ("value", "2027-02-01".to_owned())
            ]
        );
        assert_eq!(by(2, "E").header, "整改措施");
        assert_eq!(
            by(2, "E").to_string(),
            "row 2, column E (整改措施): orphan_measure"
        );
    }

    #[test]
    fn continuation_rows_may_repeat_the_item() {
        // Filled down instead of left empty: the same values are accepted.
        let items = parse_csv(&format!(
            "{HEADER}\
             1,整改事项,调研发现,甲,a1,U1,张,2027-01-05,,\n\
             ,整改事项,调研发现,,a2,,张,2027-01-05,,\n\
             \n\
             1,,,,a3,,,,,\n"
        ))
        .expect("parses");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].measures, vec!["a1", "a2", "a3"]);
        // Measures only below the item row count too.
        let items = parse_csv(&format!(
            "{HEADER}1,,调研发现,甲,,U1,张,2027-01-05,,\n,,,,a1,,,,,\n"
        ))
        .expect("parses");
        assert_eq!(items[0].measures, vec!["a1"]);
    }

    #[test]
    fn hostile_files_are_refused() {
        let blob: Vec<u8> = (0..20 * 1024 * 1024u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert_eq!(
            parse(&blob, "台账.xlsx", &Limits::default()),
            Err(ImportError::UnsupportedType)
        );
        let mut zipish = blob;
        zipish[..4].copy_from_slice(b"PK\x03\x04");
        let r = parse(&zipish, "台账.xlsx", &Limits::default());
        assert!(matches!(r, Err(ImportError::Unreadable(_))), "{r:?}");

        // A zip bomb: an export whose sheet claims to inflate to 4 GiB.
        let mut bytes = export_xlsx("t", &sample()).expect("export");
        assert!(parse(&bytes, "t.xlsx", &Limits::default()).is_ok());
        crate::sheet::tests::patch_declared_size(
            &mut bytes,
            "xl/worksheets/sheet1.xml",
            0xFFFF_FFFF,
        );
        let r = parse(&bytes, "t.xlsx", &Limits::default());
        assert!(
            matches!(&r, Err(ImportError::Unreadable(m)) if m.contains("refused")),
            "{r:?}"
        );

        // Size and row limits apply.
        let small = Limits {
            max_bytes: 100,
            ..Limits::default()
        };
        let csv = format!("{HEADER}1,,调研发现,甲,a,U1,张,2027-01-05,,\n");
        assert_eq!(
            parse(csv.as_bytes(), "t.csv", &small),
            Err(ImportError::TooLarge { max_bytes: 100 })
        );
        let few = Limits {
            max_rows: 1,
            ..Limits::default()
        };
        let csv = format!("{csv}2,,调研发现,乙,b,U2,李,2027-01-05,,\n");
        assert_eq!(
            parse(csv.as_bytes(), "t.csv", &few),
            Err(ImportError::TooManyRows { max: 1 })
        );
    }

    /// 100,000 items, one in ten with a second measure (110,001 sheet rows).
    fn big_csv(n: usize) -> String {
        let mut csv = String::with_capacity(n * 160);
        csv.push_str(HEADER);
        for i in 1..=n {
            let _ = writeln!(
                csv,
                "{i},整改事项,督导检查,第{i}个问题：办事流程繁琐、材料重复提交,精简第{i}项办事材料,ORG{},责任人{},2027-{:02}-{:02},整改落实,限期整改",
                i % 1000,
                i % 97,
                i % 12 + 1,
                i % 28 + 1
            );
            if i % 10 == 0 {
                let _ = writeln!(csv, ",,,,推行第{i}项网上办理,,,,,");
            }
        }
        csv
    }

    #[test]
    fn a_hundred_thousand_items_parse() {
        let csv = big_csv(100_000);
        let started = Instant::now();
        let items = parse_csv(&csv).expect("parses");
        eprintln!(
            "ledger::parse: 100,000 items ({} KiB CSV, 110,001 rows) in {:?}",
            csv.len() / 1024,
            started.elapsed()
        );
        assert_eq!(items.len(), 100_000);
        let last = &items[99_999];
        assert_eq!(last.row, 110_000, "its second measure is on the last row");
        assert_eq!(last.measures.len(), 2);
        assert_eq!(last.org_code, "ORG0");
        assert_eq!(last.due_on, d(2027, 5, 13));
        assert_eq!(items[8].measures.len(), 1);
    }

    /// Export and re-import of 100,000 items; run with `--ignored --nocapture` to see timings.
    #[test]
    #[ignore = "slow: measures export and import of 100,000 items"]
    fn a_hundred_thousand_items_export_and_import() {
        let template = sample();
        let rows: Vec<LedgerRow> = (0..100_000)
            .map(|i| {
                let mut r = template[i % template.len()].clone();
                r.seq = i + 1;
                r.title = format!("{}（第{}项）", r.title, i + 1);
                r
            })
            .collect();
        let started = Instant::now();
        let bytes = export_xlsx("整改台账", &rows).expect("export");
        eprintln!(
            "ledger::export_xlsx: 100,000 items (180,000 sheet rows) in {:?}, {} KiB",
            started.elapsed(),
            bytes.len() / 1024
        );
        let limits = Limits::default();
        let started = Instant::now();
        let items = parse(&bytes, "t.xlsx", &limits).expect("parses");
        eprintln!("ledger::parse of that xlsx in {:?}", started.elapsed());
        assert_eq!(items.len(), 100_000);
        assert_eq!(items[99_999].title, rows[99_999].title);
    }
}
