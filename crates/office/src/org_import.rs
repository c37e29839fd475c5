//! Import of an organisation tree (各地各部门各单位) from a sheet, and its template.
//!
//! The sheet has one org per row with four columns, in any order, recognised by their header:
//! 编码 (code), 名称 (name), 类型 (kind) and 上级编码 (parent code). [`parse`] validates every row
//! and returns either all rows, ordered so that parents come before their children, or every
//! problem found. Whether a parent code exists (in the database or in the file) is for the
//! service to check; cycles and duplicates *within* the file are caught here.

use crate::sheet::{column_letter, read_table, Limits};
use crate::{CellError, ImportError};
use luodi_domain::org::{validate_code, validate_name, OrgKind};
use luodi_domain::Validation;
use rust_xlsxwriter::{DataValidation, Format, Workbook, XlsxError};
use std::collections::HashMap;

/// One valid org row of an imported sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRow {
    /// 1-based spreadsheet row number, as Excel shows it.
    pub row: usize,
    /// The org's code, trimmed.
    pub code: String,
    /// The org's name, trimmed.
    pub name: String,
    /// The org's kind.
    pub kind: OrgKind,
    /// The parent's code, trimmed; `None` for a root (empty cell).
    pub parent_code: Option<String>,
}

/// The columns of the sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Code,
    Name,
    Kind,
    ParentCode,
}

impl Field {
    const ALL: [Field; 4] = [Field::Code, Field::Name, Field::Kind, Field::ParentCode];

    /// The header the template uses, and the name reported when the column is missing.
    fn canonical(self) -> &'static str {
        match self {
            Field::Code => "编码",
            Field::Name => "名称",
            Field::Kind => "类型",
            Field::ParentCode => "上级编码",
        }
    }

    /// Accepted headers, lower case.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Code => &["code", "编码", "机构编码", "组织编码", "代码"],
            Field::Name => &["name", "名称", "机构名称", "组织名称"],
            Field::Kind => &["kind", "类型", "机构类型"],
            Field::ParentCode => &[
                "parent code",
                "parent_code",
                "上级编码",
                "上级机构编码",
                "上级代码",
            ],
        }
    }

    /// The field name given to the domain validators.
    fn key(self) -> &'static str {
        match self {
            Field::Code => "code",
            Field::Name => "name",
            Field::Kind => "kind",
            Field::ParentCode => "parent_code",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// Recognises a header cell: trimmed, case-insensitive, a trailing required-mark `*` ignored.
    fn recognise(cell: &str) -> Option<Field> {
        let h = cell
            .trim()
            .trim_end_matches(['*', '＊'])
            .trim()
            .to_lowercase();
        Field::ALL
            .into_iter()
            .find(|f| f.aliases().contains(&h.as_str()))
    }
}

/// Where each field was found: column index and header text.
struct Columns {
    at: [(usize, String); 4],
}

impl Columns {
    fn col(&self, f: Field) -> usize {
        self.at[f.index()].0
    }

    fn error(
        &self,
        row: usize,
        f: Field,
        code: &'static str,
        params: Vec<(&'static str, String)>,
    ) -> CellError {
        let (col, header) = &self.at[f.index()];
        CellError {
            row,
            column: column_letter(*col),
            header: header.clone(),
            code,
            params,
        }
    }
}

/// How many non-blank rows at the top are searched for the header (title rows may precede it).
const HEADER_SEARCH_ROWS: usize = 10;

fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

/// Finds the header row: the first of the top non-blank rows that names all four columns.
/// Returns its 0-based index.
fn locate_header(table: &[Vec<String>]) -> Result<(usize, Columns), ImportError> {
    let mut best: Option<[Option<(usize, String)>; 4]> = None;
    let mut best_count = 0;
    for (r, cells) in table
        .iter()
        .enumerate()
        .filter(|(_, c)| !is_blank(c))
        .take(HEADER_SEARCH_ROWS)
    {
        let mut found: [Option<(usize, String)>; 4] = Default::default();
        for (c, text) in cells.iter().enumerate() {
            if let Some(f) = Field::recognise(text) {
                // The first column with a given meaning wins.
                found[f.index()].get_or_insert_with(|| (c, text.trim().to_owned()));
            }
        }
        let count = found.iter().filter(|f| f.is_some()).count();
        if let [Some(a), Some(b), Some(c), Some(d)] = found.clone() {
            return Ok((r, Columns { at: [a, b, c, d] }));
        }
        if best.is_none() || count > best_count {
            best_count = count;
            best = Some(found);
        }
    }
    let Some(best) = best else {
        return Err(ImportError::Empty);
    };
    let missing = Field::ALL
        .into_iter()
        .find(|f| best[f.index()].is_none())
        .unwrap_or(Field::Code);
    Err(ImportError::MissingColumn(missing.canonical().to_owned()))
}

/// A data row as read, before ordering.
struct Parsed {
    row: usize,
    code: String,
    name: String,
    kind: Option<OrgKind>,
    parent_code: Option<String>,
}

/// Reads an organisation sheet (xlsx or CSV, see [`read_table`]) and validates every row.
///
/// On success the rows come in file order, except that a row whose parent code names another row
/// of the file is moved to just after that parent when it appeared before it. On failure
/// [`ImportError::Rows`] carries every problem, sorted by row then column:
/// `required` / `too_long` / `bad_code` (from the domain validators), `unknown_kind`
/// (param `value`), `duplicate_code` (param `first_row`), `self_parent`, and `parent_cycle`
/// (param `cycle`, e.g. `A → B → A`, abbreviated with `…` past 8 codes; reported on the
/// parent-code cell of each row in the cycle).
/// Rows whose four columns are all empty are skipped; other columns are ignored.
pub fn parse(bytes: &[u8], file_name: &str, limits: &Limits) -> Result<Vec<OrgRow>, ImportError> {
    parse_sheet(bytes, file_name, limits).map(|s| s.rows)
}

/// Where each column was found: (letter, header as written), so that checks made later against
/// the database can name the cell too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgColumns {
    pub code: (String, String),
    pub name: (String, String),
    pub kind: (String, String),
    pub parent_code: (String, String),
}

/// The parsed rows with the columns they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSheet {
    pub rows: Vec<OrgRow>,
    pub columns: OrgColumns,
}

/// Like [`parse`], keeping the column positions.
pub fn parse_sheet(
    bytes: &[u8],
    file_name: &str,
    limits: &Limits,
) -> Result<OrgSheet, ImportError> {
    let table = read_table(bytes, file_name, limits)?;
    let (header_at, cols) = locate_header(&table)?;

    let mut errors: Vec<(usize, usize, CellError)> = Vec::new();
    let mut push = |cols: &Columns, row: usize, f: Field, code, params| {
        errors.push((row, cols.col(f), cols.error(row, f, code, params)));
    };
    let mut parsed: Vec<Parsed> = Vec::new();
    let mut first_row_of: HashMap<String, usize> = HashMap::new();

    for (r, cells) in table.iter().enumerate().skip(header_at + 1) {
        let get = |f: Field| cells.get(cols.col(f)).map_or("", |s| s.trim());
        let (code, name, kind_raw, parent) = (
            get(Field::Code),
            get(Field::Name),
            get(Field::Kind),
            get(Field::ParentCode),
        );
        if code.is_empty() && name.is_empty() && kind_raw.is_empty() && parent.is_empty() {
            continue;
        }
        let row = r + 1;

        let mut v = Validation::new();
        validate_code(&mut v, Field::Code.key(), code);
        validate_name(&mut v, Field::Name.key(), name);
        if !parent.is_empty() {
            validate_code(&mut v, Field::ParentCode.key(), parent);
        }
        let kind = OrgKind::parse(kind_raw);
        if kind_raw.is_empty() {
            v.add(Field::Kind.key(), "required");
        } else if kind.is_none() {
            v.add_with(
                Field::Kind.key(),
                "unknown_kind",
                vec![("value", kind_raw.to_owned())],
            );
        }
        if !code.is_empty() {
            if let Some(first) = first_row_of.get(code) {
                v.add_with(
                    Field::Code.key(),
                    "duplicate_code",
                    vec![("first_row", first.to_string())],
                );
            } else {
                first_row_of.insert(code.to_owned(), row);
            }
            if parent == code {
                v.add(Field::ParentCode.key(), "self_parent");
            }
        }
        for e in v.errors {
            let f = Field::ALL
                .into_iter()
                .find(|f| f.key() == e.field)
                .unwrap_or(Field::Code);
            push(&cols, row, f, e.code, e.params);
        }

        parsed.push(Parsed {
            row,
            code: code.to_owned(),
            name: name.to_owned(),
            kind,
            parent_code: (!parent.is_empty()).then(|| parent.to_owned()),
        });
    }
    if parsed.is_empty() {
        return Err(ImportError::Empty);
    }

    let (order, cycles) = order_parents_first(&parsed);
    for (i, cycle) in cycles {
        push(
            &cols,
            parsed[i].row,
            Field::ParentCode,
            "parent_cycle",
            vec![("cycle", cycle)],
        );
    }

    if !errors.is_empty() {
        errors.sort_by_key(|(row, col, _)| (*row, *col));
        return Err(ImportError::Rows(
            errors.into_iter().map(|(_, _, e)| e).collect(),
        ));
    }
    let mut slots: Vec<Option<Parsed>> = parsed.into_iter().map(Some).collect();
    let rows = order
        .into_iter()
        .filter_map(|i| slots.get_mut(i).and_then(Option::take))
        .filter_map(|p| {
            Some(OrgRow {
                row: p.row,
                code: p.code,
                name: p.name,
                kind: p.kind?,
                parent_code: p.parent_code,
            })
        })
        .collect();
    let at = |f: Field| (column_letter(cols.col(f)), cols.at[f.index()].1.clone());
    let columns = OrgColumns {
        code: at(Field::Code),
        name: at(Field::Name),
        kind: at(Field::Kind),
        parent_code: at(Field::ParentCode),
    };
    Ok(OrgSheet { rows, columns })
}

/// Most codes spelled out when describing a parent cycle.
const CYCLE_SHOWN: usize = 8;

/// Orders rows so that each comes after its in-file parent, moving as little as possible: a row
/// that appears before its parent is deferred to just after it. Returns the order and, for each
/// row on a parent cycle, the cycle described as `A → B → A` (starting from that row).
fn order_parents_first(parsed: &[Parsed]) -> (Vec<usize>, Vec<(usize, String)>) {
    let n = parsed.len();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, p) in parsed.iter().enumerate() {
        if !p.code.is_empty() {
            index.entry(p.code.as_str()).or_insert(i);
        }
    }
    // The in-file parent of each row (a self-parent is reported separately, not as a cycle).
    let parent_of: Vec<Option<usize>> = parsed
        .iter()
        .map(|p| {
            p.parent_code
                .as_deref()
                .filter(|pc| *pc != p.code)
                .and_then(|pc| index.get(pc).copied())
        })
        .collect();

    let mut emitted = vec![false; n];
    let mut deferred: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut order = Vec::with_capacity(n);
    for (i, parent) in parent_of.iter().enumerate() {
        match *parent {
            Some(p) if !emitted[p] => deferred[p].push(i),
            _ => {
                let mut stack = vec![i];
                while let Some(j) = stack.pop() {
                    emitted[j] = true;
                    order.push(j);
                    let children = std::mem::take(&mut deferred[j]);
                    stack.extend(children.into_iter().rev());
                }
            }
        }
    }

    // What was never emitted hangs on a cycle: every such row has an unemitted parent, so
    // following parents from it must loop. Mark the rows on each loop.
    let mut cycles = Vec::new();
    let mut walk_of = vec![usize::MAX; n];
    for start in 0..n {
        if emitted[start] || walk_of[start] != usize::MAX {
            continue;
        }
        let mut path: Vec<usize> = Vec::new();
        let mut j = start;
        loop {
            if walk_of[j] != usize::MAX {
                if walk_of[j] == start {
                    // j is on a new cycle: the path from j onwards.
                    let from = path.iter().position(|&k| k == j).unwrap_or(0);
                    let ring = &path[from..];
                    // Long loops are abbreviated: a hostile file must not make this quadratic.
                    let shown = ring.len().min(CYCLE_SHOWN);
                    for (pos, &k) in ring.iter().enumerate() {
                        let mut names: Vec<&str> = Vec::with_capacity(shown + 1);
                        for step in 0..shown {
                            names.push(parsed[ring[(pos + step) % ring.len()]].code.as_str());
                        }
                        names.push(if shown < ring.len() {
                            "…"
                        } else {
                            parsed[k].code.as_str()
                        });
                        cycles.push((k, names.join(" → ")));
                    }
                }
                break;
            }
            walk_of[j] = start;
            path.push(j);
            match parent_of[j] {
                Some(p) if !emitted[p] => j = p,
                _ => break,
            }
        }
    }
    (order, cycles)
}

/// The import template: a workbook whose first sheet "机构导入模板" has the header row
/// 编码 | 名称 | 类型 | 上级编码 (bold, frozen), a drop-down of the Chinese kind labels on the
/// 类型 column, two example rows (辽宁省 and 沈阳市 under it), and a second sheet "说明" that
/// explains each column.
pub fn template_xlsx() -> Result<Vec<u8>, String> {
    build_template().map_err(|e| e.to_string())
}

fn build_template() -> Result<Vec<u8>, XlsxError> {
    const LAST_ROW: u32 = 1_048_575;
    let labels: Vec<&str> = OrgKind::ALL.iter().map(|k| k.label_zh()).collect();
    let bold = Format::new().set_bold().set_background_color("#DDEBF7");
    let text = Format::new().set_num_format("@");

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("机构导入模板")?;
    for (c, (f, width)) in Field::ALL
        .into_iter()
        .zip([16.0, 36.0, 12.0, 16.0])
        .enumerate()
    {
        let c = c as u16;
        sheet.set_column_width(c, width)?;
        if matches!(f, Field::Code | Field::ParentCode) {
            // Codes are text: keep leading zeros people type.
            sheet.set_column_format(c, &text)?;
        }
        sheet.write_string_with_format(0, c, f.canonical(), &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let kind_list = DataValidation::new()
        .allow_list_strings(&labels)?
        .set_input_title("类型")?
        .set_input_message("请从下拉列表中选择机构类型")?
        .set_error_title("类型无效")?
        .set_error_message(format!("类型须为：{}", labels.join("、")))?;
    sheet.add_data_validation(
        1,
        Field::Kind.index() as u16,
        LAST_ROW,
        Field::Kind.index() as u16,
        &kind_list,
    )?;
    let examples = [
        ["210000", "辽宁省", OrgKind::Province.label_zh(), ""],
        ["210100", "沈阳市", OrgKind::City.label_zh(), "210000"],
    ];
    for (r, example) in examples.iter().enumerate() {
        for (c, value) in example.iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string_with_format(r as u32 + 1, c as u16, *value, &text)?;
            }
        }
    }

    let help = workbook.add_worksheet();
    help.set_name("说明")?;
    help.set_column_width(0, 12)?;
    help.set_column_width(1, 100)?;
    help.write_string_with_format(0, 0, "列", &bold)?;
    help.write_string_with_format(0, 1, "说明", &bold)?;
    let lines = [
        (Field::Code, "必填。机构的唯一编码，只能由英文字母、数字、“-”和“_”组成，最长 32 个字符，例如 210000。同一文件中不能重复。".to_owned()),
        (Field::Name, "必填。机构全称，最长 100 个字符，例如 辽宁省交通运输厅。".to_owned()),
        (Field::Kind, format!("必填。从下拉列表中选择：{}。", labels.join("、"))),
        (Field::ParentCode, "选填。上级机构的编码，可以是系统中已有的机构，也可以是本表中的机构（行的先后顺序不限）；留空表示最上级机构。".to_owned()),
    ];
    for (r, (f, line)) in lines.iter().enumerate() {
        help.write_string(r as u32 + 1, 0, f.canonical())?;
        help.write_string(r as u32 + 1, 1, line)?;
    }
    help.write_string(lines.len() as u32 + 2, 0, "注意")?;
    help.write_string(
        lines.len() as u32 + 2,
        1,
        "第一行为表头，请勿修改；示例行（辽宁省、沈阳市）导入前请删除或替换。也可以上传 UTF-8 编码的 CSV 文件，列名相同。",
    )?;

    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::Workbook;

    fn xlsx(rows: &[Vec<&str>]) -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, *v).expect("write");
                }
            }
        }
        wb.save_to_buffer().expect("save")
    }

    fn parse_csv(text: &str) -> Result<Vec<OrgRow>, ImportError> {
        parse(text.as_bytes(), "orgs.csv", &Limits::default())
    }

    fn rows_err(r: Result<Vec<OrgRow>, ImportError>) -> Vec<CellError> {
        match r {
            Err(ImportError::Rows(e)) => e,
            other => panic!("expected row errors, got {other:?}"),
        }
    }

    fn codes(rows: &[OrgRow]) -> Vec<&str> {
        rows.iter().map(|r| r.code.as_str()).collect()
    }

    #[test]
    fn csv_with_chinese_headers() {
        let rows =
            parse_csv("编码,名称,类型,上级编码\n210000,辽宁省,省,\n210100, 沈阳市 ,市,210000\n")
                .expect("parses");
        assert_eq!(
            rows,
            vec![
                OrgRow {
                    row: 2,
                    code: "210000".into(),
                    name: "辽宁省".into(),
                    kind: OrgKind::Province,
                    parent_code: None
                },
                OrgRow {
                    row: 3,
                    code: "210100".into(),
                    name: "沈阳市".into(),
                    kind: OrgKind::City,
                    parent_code: Some("210000".into())
                },
            ]
        );
    }

    #[test]
    fn xlsx_with_english_headers_in_any_order() {
        let bytes = xlsx(&[
            vec!["Remarks", "Parent Code", " KIND ", "Name", "Code"],
            vec!["ignored", "", "province", "Liaoning", "210000"],
            vec![],
            vec!["", "", "", "", ""],
            vec!["", "210000", "City", "Shenyang", "210100"],
            vec!["only a remark", "", "", "", ""],
        ]);
        let rows = parse(&bytes, "orgs.xlsx", &Limits::default()).expect("parses");
        assert_eq!(codes(&rows), vec!["210000", "210100"]);
        assert_eq!(rows[1].row, 5);
        assert_eq!(rows[1].kind, OrgKind::City);
        assert_eq!(rows[1].name, "Shenyang");
        assert_eq!(rows[1].parent_code.as_deref(), Some("210000"));
        // parent_code spelling and the other Chinese aliases.
        let rows =
            parse_csv("机构编码,组织名称,机构类型,parent_code\nA1,x,部门,\n").expect("parses");
        assert_eq!(rows[0].kind, OrgKind::Department);
        let rows = parse_csv("代码*,机构名称,类型,上级机构编码\nA1,x,企业,\n").expect("parses");
        assert_eq!(rows[0].kind, OrgKind::Enterprise);
    }

    #[test]
    fn title_rows_above_the_header_are_skipped() {
        let rows = parse_csv("辽宁省机构名录,,,\n\n编码,名称,类型,上级编码\nX1,某单位,单位,\n")
            .expect("parses");
        assert_eq!(rows[0].row, 4);
    }

    #[test]
    fn missing_columns_and_empty_sheets() {
        assert_eq!(
            parse_csv("编码,名称,类型\nA,x,省\n"),
            Err(ImportError::MissingColumn("上级编码".into()))
        );
        assert_eq!(
            parse_csv("title\n名称,类型,上级编码\nA,x,省\n"),
            Err(ImportError::MissingColumn("编码".into()))
        );
        assert_eq!(
            parse_csv("编码,名称,类型,上级编码\n,,,\n"),
            Err(ImportError::Empty)
        );
        assert_eq!(parse_csv(""), Err(ImportError::Empty));
        assert_eq!(
            parse(&xlsx(&[]), "e.xlsx", &Limits::default()),
            Err(ImportError::Empty)
        );
    }

    #[test]
    fn one_bad_row_among_a_thousand() {
        let mut rows = vec![vec![
            "名称".to_owned(),
            "编码".to_owned(),
            "类型".to_owned(),
            "上级编码".to_owned(),
        ]];
        rows.push(vec!["根".into(), "R".into(), "省".into(), String::new()]);
        for i in 1..1000 {
            rows.push(vec![
                format!("单位{i}"),
                format!("U{i}"),
                "单位".into(),
                "R".into(),
            ]);
        }
        // Spreadsheet row 538 is rows[537].
        rows[537][2] = "村".into();
        let refs: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let errs = rows_err(parse(&xlsx(&refs), "big.xlsx", &Limits::default()));
        assert_eq!(
            errs,
            vec![CellError {
                row: 538,
                column: "C".into(),
                header: "类型".into(),
                code: "unknown_kind",
                params: vec![("value", "村".into())]
            }]
        );
        // Same in CSV, with a bad code instead.
        rows[537][2] = "单位".into();
        rows[801][1] = "U 801".into();
        let csv: String = rows.iter().map(|r| r.join(",") + "\n").collect();
        let errs = rows_err(parse_csv(&csv));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(
            (errs[0].row, errs[0].column.as_str(), errs[0].code),
            (802, "B", "bad_code")
        );
        // And all of them parse when fixed.
        rows[801][1] = "U800".into();
        let csv: String = rows.iter().map(|r| r.join(",") + "\n").collect();
        assert_eq!(parse_csv(&csv).map(|r| r.len()), Ok(1000));
    }

    #[test]
    fn every_error_is_reported() {
        let errs = rows_err(parse_csv(
            "编码,名称,类型,上级编码\n\
             A,甲,省,\n\
             ,乙,村,A\n\
             A,丙,市,bad code\n\
             C,,,C\n",
        ));
        let got: Vec<(usize, &str, &str)> = errs
            .iter()
            .map(|e| (e.row, e.column.as_str(), e.code))
            .collect();
        assert_eq!(
            got,
            vec![
                (3, "A", "required"),
                (3, "C", "unknown_kind"),
                (4, "A", "duplicate_code"),
                (4, "D", "bad_code"),
                (5, "B", "required"),
                (5, "C", "required"),
                (5, "D", "self_parent"),
            ]
        );
        assert_eq!(errs[2].params, vec![("first_row", "2".to_owned())]);
        assert_eq!(errs[2].header, "编码");
        assert_eq!(
            errs[2].to_string(),
            "row 4, column A (编码): duplicate_code [first_row=2]"
        );
    }

    #[test]
    fn too_long_values() {
        let csv = format!(
            "编码,名称,类型,上级编码\n{},{},省,\n",
            "x".repeat(33),
            "名".repeat(101)
        );
        let errs = rows_err(parse_csv(&csv));
        assert_eq!(
            errs.iter().map(|e| e.code).collect::<Vec<_>>(),
            vec!["too_long", "too_long"]
        );
        assert_eq!(errs[0].params, vec![("max", "32".to_owned())]);
    }

    #[test]
    fn children_before_parents_are_reordered() {
        let rows = parse_csv(
            "编码,名称,类型,上级编码\n\
             C1,c1,县区,B\n\
             X,x,部门,EXTERNAL\n\
             B,b,市,A\n\
             A,a,省,\n\
             C2,c2,县区,B\n\
             D,d,单位,C1\n",
        )
        .expect("parses");
        assert_eq!(codes(&rows), vec!["X", "A", "B", "C1", "C2", "D"]);
        assert_eq!(
            rows.iter().map(|r| r.row).collect::<Vec<_>>(),
            vec![3, 5, 4, 2, 6, 7]
        );
        // Already in order: untouched.
        let rows = parse_csv("编码,名称,类型,上级编码\nP,p,省,\nA,a,市,P\nB,b,市,P\nA1,a1,县,A\n")
            .expect("parses");
        assert_eq!(codes(&rows), vec!["P", "A", "B", "A1"]);
        // Every row after its in-file parent.
        for (i, r) in rows.iter().enumerate() {
            if let Some(p) = &r.parent_code {
                assert!(rows[..i].iter().any(|q| &q.code == p));
            }
        }
    }

    #[test]
    fn cycles_are_detected() {
        let errs = rows_err(parse_csv(
            "编码,名称,类型,上级编码\n\
             A,a,市,C\n\
             OK,ok,省,\n\
             B,b,市,A\n\
             C,c,市,B\n\
             T,tail,县,A\n\
             P,p,市,Q\n\
             Q,q,市,P\n",
        ));
        let got: Vec<(usize, &str, &str)> = errs
            .iter()
            .map(|e| (e.row, e.column.as_str(), e.code))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, "D", "parent_cycle"),
                (4, "D", "parent_cycle"),
                (5, "D", "parent_cycle"),
                (7, "D", "parent_cycle"),
                (8, "D", "parent_cycle"),
            ]
        );
        assert_eq!(errs[0].params, vec![("cycle", "A → C → B → A".to_owned())]);

        // One loop through 20,000 rows: every row reported, descriptions abbreviated.
        let n = 20_000;
        let mut csv = String::from("编码,名称,类型,上级编码\n");
        for i in 0..n {
            csv.push_str(&format!("N{i},n,单位,N{}\n", (i + 1) % n));
        }
        let errs = rows_err(parse_csv(&csv));
        assert_eq!(errs.len(), n);
        assert!(errs.iter().all(|e| e.code == "parent_cycle"));
        assert_eq!(
            errs[0].params[0].1,
            "N0 → N1 → N2 → N3 → N4 → N5 → N6 → N7 → …"
        );
        assert_eq!(errs[0].header, "上级编码");
    }

    #[test]
    fn non_workbooks_do_not_panic() {
        let blob: Vec<u8> = (0..20 * 1024 * 1024u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let r = parse(&blob, "orgs.xlsx", &Limits::default());
        assert!(
            matches!(
                r,
                Err(ImportError::UnsupportedType | ImportError::Unreadable(_))
            ),
            "{r:?}"
        );
        let mut zipish = blob;
        zipish[..4].copy_from_slice(b"PK\x03\x04");
        let r = parse(&zipish, "orgs.xlsx", &Limits::default());
        assert!(matches!(r, Err(ImportError::Unreadable(_))), "{r:?}");
    }

    #[test]
    fn zip_with_huge_declared_size_is_refused() {
        let mut bytes = xlsx(&[
            vec!["编码", "名称", "类型", "上级编码"],
            vec!["A", "a", "省", ""],
        ]);
        assert!(parse(&bytes, "o.xlsx", &Limits::default()).is_ok());
        crate::sheet::tests::patch_declared_size(&mut bytes, "xl/sharedStrings.xml", 0xFFFF_FFFF);
        let r = parse(&bytes, "o.xlsx", &Limits::default());
        assert!(
            matches!(&r, Err(ImportError::Unreadable(m)) if m.contains("refused")),
            "{r:?}"
        );
    }

    #[test]
    fn template_parses_back() {
        let bytes = template_xlsx().expect("template");
        let rows = parse(&bytes, "机构导入模板.xlsx", &Limits::default()).expect("template parses");
        assert_eq!(
            rows,
            vec![
                OrgRow {
                    row: 2,
                    code: "210000".into(),
                    name: "辽宁省".into(),
                    kind: OrgKind::Province,
                    parent_code: None
                },
                OrgRow {
                    row: 3,
                    code: "210100".into(),
                    name: "沈阳市".into(),
                    kind: OrgKind::City,
                    parent_code: Some("210000".into())
                },
            ]
        );
        // The drop-down lists every kind label, the sheets are named as documented.
        let mut wb: calamine::Xlsx<_> =
            calamine::Reader::new(std::io::Cursor::new(bytes.as_slice())).expect("opens");
        assert_eq!(
            calamine::Reader::sheet_names(&wb),
            vec!["机构导入模板", "说明"]
        );
        let help = calamine::Reader::worksheet_range(&mut wb, "说明").expect("help sheet");
        let first_col: Vec<String> = help
            .rows()
            .skip(1)
            .take(4)
            .map(|r| r[0].to_string())
            .collect();
        assert_eq!(first_col, vec!["编码", "名称", "类型", "上级编码"]);
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.as_slice())).expect("zip");
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/worksheets/sheet1.xml").expect("sheet1"),
            &mut xml,
        )
        .expect("read sheet1");
        let list = format!(
            "&quot;{}&quot;",
            OrgKind::ALL.map(|k| k.label_zh()).join(",")
        );
        let validation_at = xml.find("<dataValidation ").expect("a data validation");
        let validation = &xml[validation_at..];
        assert!(validation.contains("type=\"list\""), "{validation}");
        assert!(validation.contains("sqref=\"C2:C1048576\""), "{validation}");
        assert!(
            validation.contains(&list) || validation.contains(&list.replace("&quot;", "\"")),
            "{validation}"
        );
        assert!(xml.contains("ySplit=\"1\""), "frozen header: {xml}");
        assert!(xml.contains("<col "), "column widths: {xml}");
    }
}
