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

mod columns;
mod export;
mod import;
mod template;

use columns::*;
pub use export::*;
pub use import::*;
pub use template::*;

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
