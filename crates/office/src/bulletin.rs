//! The weekly bulletin as documents: an .xlsx of the ranking, and a .docx in the layout of an
//! official notice (red title, issue number, issuer and date, summary, ranking table, named
//! lists).

use crate::docx::{bar_table, package, para, red_rule, table, Media};
use rust_xlsxwriter::{
    Chart, ChartFormat, ChartSolidFill, ChartType, Color, Format, FormatAlign, FormatBorder,
    Workbook,
};

/// One figure per org as a bar chart, the way the bulletin page draws its ranking: it goes into
/// the workbook as a native chart and into the Word document as drawn bars.
#[derive(Debug, Clone, Default)]
pub struct BarChart {
    pub title: String,
    pub labels: Vec<String>,
    pub values: Vec<f64>,
    /// Values are shares (0–1), shown as percentages.
    pub percent: bool,
    /// RGB, e.g. 0x165DFF.
    pub color: u32,
}

impl BarChart {
    fn shown(&self, v: f64) -> String {
        if self.percent {
            format!("{:.0}%", v * 100.0)
        } else if (v - v.round()).abs() < 1e-9 {
            format!("{}", v.round() as i64)
        } else {
            format!("{v:.1}")
        }
    }
}

/// A bulletin ready to be written, in the reader's language.
#[derive(Debug, Clone, Default)]
pub struct BulletinDoc {
    /// e.g. 主题教育工作每周一通报
    pub title: String,
    /// e.g. 第3期
    pub issue: String,
    /// e.g. 省委主题教育领导小组办公室　2026年11月27日
    pub issuer_line: String,
    pub summary: String,
    pub note: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// (heading, names), e.g. ("表扬", ["…"]).
    pub lists: Vec<(String, Vec<String>)>,
    /// Further sections after the lists: (heading, lines), e.g. how interview commitments stand.
    pub sections: Vec<(String, Vec<String>)>,
    /// Charts of the ranking's figures.
    pub charts: Vec<BarChart>,
    /// The name of the charts' sheet (e.g. 图表).
    pub charts_sheet: String,
    /// A last line in small print (the audit chain's head at publication).
    pub footnote: String,
}

/// The ranking as a workbook.
pub fn to_xlsx(d: &BulletinDoc) -> Result<Vec<u8>, String> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("通报").map_err(|e| e.to_string())?;
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_font_color(Color::RGB(0xC8161D));
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xF2F2F2))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let cols = d.headers.len().max(1) as u16;
    ws.merge_range(0, 0, 0, cols - 1, &d.title, &title)
        .map_err(|e| e.to_string())?;
    ws.merge_range(
        1,
        0,
        1,
        cols - 1,
        &format!("{}　{}", d.issue, d.issuer_line),
        &Format::new().set_align(FormatAlign::Center),
    )
    .map_err(|e| e.to_string())?;
    ws.merge_range(
        2,
        0,
        2,
        cols - 1,
        &d.summary,
        &Format::new().set_text_wrap(),
    )
    .map_err(|e| e.to_string())?;
    ws.set_row_height(2, 48).map_err(|e| e.to_string())?;
    for (c, h) in d.headers.iter().enumerate() {
        ws.write_string_with_format(4, c as u16, h, &head)
            .map_err(|e| e.to_string())?;
        ws.set_column_width(c as u16, if c == 1 { 28 } else { 12 })
            .map_err(|e| e.to_string())?;
    }
    for (r, row) in d.rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let rr = 5 + r as u32;
            match v.parse::<f64>() {
                Ok(n) if c != 1 => ws.write_number_with_format(rr, c as u16, n, &cell),
                _ => ws.write_string_with_format(rr, c as u16, v, &cell),
            }
            .map_err(|e| e.to_string())?;
        }
    }
    let mut r = 6 + d.rows.len() as u32;
    for (heading, names) in &d.lists {
        ws.write_string_with_format(r, 0, heading, &Format::new().set_bold())
            .map_err(|e| e.to_string())?;
        ws.write_string(r, 1, names.join("、"))
            .map_err(|e| e.to_string())?;
        r += 1;
    }
    for (heading, lines) in &d.sections {
        r += 1;
        ws.write_string_with_format(r, 0, heading, &Format::new().set_bold())
            .map_err(|e| e.to_string())?;
        for line in lines {
            r += 1;
            ws.write_string(r, 1, line).map_err(|e| e.to_string())?;
        }
        r += 1;
    }
    if !d.note.is_empty() {
        r += 1;
        ws.write_string(r, 0, &d.note).map_err(|e| e.to_string())?;
    }
    if !d.footnote.is_empty() {
        ws.write_string_with_format(
            r + 2,
            0,
            &d.footnote,
            &Format::new()
                .set_font_size(8)
                .set_font_color(Color::RGB(0x808080)),
        )
        .map_err(|e| e.to_string())?;
    }
    ws.set_freeze_panes(5, 0).map_err(|e| e.to_string())?;
    if !d.charts.is_empty() {
        let name = if d.charts_sheet.is_empty() {
            "Charts"
        } else {
            d.charts_sheet.as_str()
        };
        let cs = wb.add_worksheet();
        cs.set_name(name).map_err(|e| e.to_string())?;
        // Each chart's data in two columns, the chart beside it.
        let mut top: u32 = 0;
        for chart in &d.charts {
            cs.write_string_with_format(top, 0, &chart.title, &Format::new().set_bold())
                .map_err(|e| e.to_string())?;
            let pct = Format::new().set_num_format("0%");
            for (i, (label, v)) in chart.labels.iter().zip(&chart.values).enumerate() {
                let r = top + 1 + i as u32;
                cs.write_string(r, 0, label).map_err(|e| e.to_string())?;
                if chart.percent {
                    cs.write_number_with_format(r, 1, *v, &pct)
                } else {
                    cs.write_number(r, 1, *v)
                }
                .map_err(|e| e.to_string())?;
            }
            let n = chart.labels.len().max(1) as u32;
            let mut c = Chart::new(ChartType::Bar);
            c.add_series()
                .set_categories((name, top + 1, 0, top + n, 0))
                .set_values((name, top + 1, 1, top + n, 1))
                .set_name(chart.title.as_str())
                .set_format(
                    ChartFormat::new()
                        .set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(chart.color))),
                );
            c.title().set_name(chart.title.as_str());
            c.legend().set_hidden();
            c.set_width(560).set_height((120 + 22 * n).min(900));
            cs.insert_chart(top, 3, &c).map_err(|e| e.to_string())?;
            let rows_used = ((120 + 22 * n).min(900) / 20 + 2).max(n + 3);
            top += rows_used;
        }
        cs.set_column_width(0, 28).map_err(|e| e.to_string())?;
    }
    wb.save_to_buffer().map_err(|e| e.to_string())
}

/// The bulletin as a Word document.
pub fn to_docx(d: &BulletinDoc) -> Result<Vec<u8>, String> {
    let mut body = String::new();
    body.push_str(&para(&d.title, 44, true, true, true));
    body.push_str(&para(&d.issue, 32, true, false, false));
    body.push_str(&para(&d.issuer_line, 28, true, false, false));
    // The red rule under the header.
    body.push_str(red_rule());
    body.push_str(&para(&d.summary, 28, false, false, false));
    if !d.note.is_empty() {
        body.push_str(&para(&d.note, 28, false, false, false));
    }
    body.push_str(&table(&d.headers, &d.rows));
    for (heading, names) in &d.lists {
        body.push_str(&para(
            &format!(
                "{heading}：{}",
                if names.is_empty() {
                    "—".to_owned()
                } else {
                    names.join("、")
                }
            ),
            28,
            false,
            false,
            false,
        ));
    }
    for (heading, lines) in &d.sections {
        body.push_str(&para(heading, 30, false, true, false));
        for line in lines {
            body.push_str(&para(line, 28, false, false, false));
        }
    }
    for chart in &d.charts {
        body.push_str(&para(&chart.title, 28, false, true, false));
        let bars: Vec<(String, f64, String)> = chart
            .labels
            .iter()
            .zip(&chart.values)
            .map(|(l, v)| (l.clone(), *v, chart.shown(*v)))
            .collect();
        body.push_str(&bar_table(&bars, &format!("{:06X}", chart.color)));
    }
    if !d.footnote.is_empty() {
        body.push_str(&para(&d.footnote, 16, false, false, false));
    }
    package(&body, Media::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn doc() -> BulletinDoc {
        BulletinDoc {
            title: "主题教育工作每周一通报".into(),
            issue: "第3期".into(),
            issuer_line: "省委主题教育领导小组办公室　2026年11月27日".into(),
            summary: "本周共有3个单位参加排名，按期办结率75%。".into(),
            note: "高速公路管理局逾期事项较多，请限期整改。".into(),
            headers: vec!["排名".into(), "单位".into(), "得分".into()],
            rows: vec![
                vec!["1".into(), "港航管理处".into(), "102".into()],
                vec!["2".into(), "高速公路管理局 <&>".into(), "84".into()],
            ],
            lists: vec![
                ("表扬".into(), vec!["港航管理处".into()]),
                ("约谈建议".into(), vec!["高速公路管理局".into()]),
            ],
            sections: vec![(
                "约谈整改承诺落实情况".into(),
                vec!["高速公路管理局（2026-11-20 警示约谈）：承诺3项，已完成1项，逾期1项".into()],
            )],
            charts: vec![BarChart {
                title: "按期办结率".into(),
                labels: vec!["港航管理处".into(), "高速公路管理局".into()],
                values: vec![1.0, 0.5],
                percent: true,
                color: 0x165DFF,
            }],
            charts_sheet: "图表".into(),
            footnote: "审计链头 120:abcdef".into(),
        }
    }

    #[test]
    fn docx_is_a_valid_package_with_the_content() {
        let bytes = to_docx(&doc()).expect("docx");
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
        let mut xml = String::new();
        z.by_name("word/document.xml")
            .expect("document")
            .read_to_string(&mut xml)
            .expect("read");
        for s in [
            "主题教育工作每周一通报",
            "第3期",
            "港航管理处",
            "高速公路管理局 &lt;&amp;&gt;",
            "约谈建议：高速公路管理局",
            "约谈整改承诺落实情况",
            "承诺3项，已完成1项，逾期1项",
            "<w:tbl>",
            "按期办结率",
            // The chart's bars: the longest full width, the other half of it.
            "w:w=\"5000\" w:type=\"dxa\"",
            "w:w=\"2500\" w:type=\"dxa\"",
            "w:fill=\"165DFF\"",
            ">50%<",
        ] {
            assert!(xml.contains(s), "{s}");
        }
        assert!(z.by_name("[Content_Types].xml").is_ok() && z.by_name("_rels/.rels").is_ok());
    }

    #[test]
    fn xlsx_reads_back() {
        use calamine::{Reader, Xlsx};
        let bytes = to_xlsx(&doc()).expect("xlsx");
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("open");
        let range = wb.worksheet_range("通报").expect("sheet");
        let text: Vec<String> = range
            .rows()
            .flat_map(|r| r.iter().map(|c| c.to_string()))
            .collect();
        assert!(
            text.iter().any(|t| t == "港航管理处") && text.iter().any(|t| t == "102"),
            "{text:?}"
        );
        // The charts' sheet holds their data; the chart itself is a drawing part of the package.
        let charts = wb.worksheet_range("图表").expect("charts sheet");
        let cells: Vec<String> = charts
            .rows()
            .flat_map(|r| r.iter().map(|c| c.to_string()))
            .collect();
        assert!(
            cells.iter().any(|t| t == "按期办结率") && cells.iter().any(|t| t == "0.5"),
            "{cells:?}"
        );
        let bytes = to_xlsx(&doc()).expect("xlsx");
        let z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
        assert!(
            z.file_names()
                .any(|n| n.is_ok_and(|n| n.starts_with("xl/charts/chart"))),
            "a native chart"
        );
    }
}
