//! The columns an import reads, found by their header wherever the office put them.

use super::*;

/// The columns [`parse`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
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
    pub(super) const ALL: [Field; 10] = [
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
    pub(super) const ITEM_ONLY: [Field; 6] = [
        Field::Kind,
        Field::Source,
        Field::Person,
        Field::DueOn,
        Field::Phase,
        Field::ItemType,
    ];

    /// The header the template uses, and the name reported when the column is missing.
    pub(super) fn canonical(self) -> &'static str {
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
    pub(super) fn column_required(self) -> bool {
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
    pub(super) fn aliases(self) -> &'static [&'static str] {
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

    pub(super) fn index(self) -> usize {
        self as usize
    }

    pub(super) fn recognise(cell: &str) -> Option<Field> {
        let h = normalise_header(cell);
        Field::ALL
            .into_iter()
            .find(|f| f.aliases().contains(&h.as_str()))
    }
}

/// A header cell compared: lower case, without whitespace, `_` or a trailing required-mark `*`.
pub(super) fn normalise_header(cell: &str) -> String {
    cell.trim()
        .trim_end_matches(['*', '＊'])
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where each field was found: column index and header text.
pub(super) struct Columns {
    pub(super) at: [Option<(usize, String)>; 10],
}

impl Columns {
    pub(super) fn col(&self, f: Field) -> Option<usize> {
        self.at[f.index()].as_ref().map(|(c, _)| *c)
    }

    pub(super) fn error(
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
pub(super) const HEADER_SEARCH_ROWS: usize = 10;

/// Finds the header row: the first of the top non-blank rows that names every required column.
pub(super) fn locate_header(table: &[Vec<String>]) -> Result<(usize, Columns), ImportError> {
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
