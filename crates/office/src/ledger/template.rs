//! The import template: the columns, pickers for the coded ones, and an example item.

use super::*;

/// Last row index of a sheet, for validations on whole columns.
pub(super) const LAST_ROW: u32 = 1_048_575;

/// The import template: sheet "整改台账" with the header row 序号 | 类型 | 问题来源 | 问题描述 |
/// 整改措施 | 责任单位编码 | 责任人 | 完成时限 | 阶段 | 整改类型 (frozen), drop-down lists of the
/// Chinese labels on 类型 / 问题来源 / 阶段 / 整改类型, a drop-down of `orgs`' codes on
/// 责任单位编码 (listed with their names on the hidden sheet "单位"), a date validation on
/// 完成时限, and one example problem with two measures; then a sheet "说明" that explains each
/// column. `orgs` are (code, name) pairs; with none, the code column has no drop-down.
pub fn template_xlsx(orgs: &[(String, String)]) -> Result<Vec<u8>, String> {
    build_template(orgs).map_err(|e| e.to_string())
}

pub(super) fn labels(table: &[(&str, &'static str)]) -> Vec<&'static str> {
    table.iter().map(|(_, l)| *l).collect()
}

pub(super) fn list_validation(
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

pub(super) fn build_template(orgs: &[(String, String)]) -> Result<Vec<u8>, XlsxError> {
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

pub(super) const EXAMPLE_TITLE: &str = "群众办事需多次往返，“最多跑一次”事项覆盖不全";
pub(super) const EXAMPLE_MEASURES: [&str; 2] = [
    "梳理高频办事事项清单，逐项明确办理流程和时限",
    "推行一窗受理、网上办理，每月通报办理时长",
];
pub(super) const EXAMPLE_DUE: (u16, u8, u8) = (2027, 6, 30);
