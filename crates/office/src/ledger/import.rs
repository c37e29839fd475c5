//! Reading a ledger sheet: rows into items, every problem reported at its cell.

use super::*;

/// The trimmed text of `f` in a row ("" when the column or the cell is absent).
pub(super) fn cell_at<'t>(cols: &Columns, cells: &'t [String], f: Field) -> &'t str {
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
pub(super) struct Draft {
    /// 0-based table row of the item's first row.
    pub(super) at: usize,
    pub(super) kind: &'static str,
    pub(super) source: &'static str,
    pub(super) phase: &'static str,
    pub(super) item_type: &'static str,
    pub(super) title: String,
    pub(super) measures: Vec<String>,
    pub(super) org_code: String,
    pub(super) person: String,
    pub(super) due_on: Option<NaiveDate>,
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
pub(super) const SERIAL_RANGE: std::ops::RangeInclusive<i64> = 36_526..=73_050;

/// A date as people write it: `2024-03-09` (also with `/` or `.` and without leading zeros),
/// `2024年3月9日`, `20240309`, a date cell (read as `2024-03-09`, perhaps with a time, which is
/// ignored), or an Excel serial number of a cell that lost its date format.
pub(super) fn parse_date(raw: &str) -> Option<NaiveDate> {
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
