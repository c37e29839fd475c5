//! What an item is made of as entered, its limits and their checks.

use super::*;

/// A measure or milestone as entered.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MilestoneInput {
    pub title: String,
    pub due_on: NaiveDate,
    #[serde(default)]
    pub done_on: Option<NaiveDate>,
}

/// An item as entered.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemInput {
    pub campaign_id: i64,
    pub kind: String,
    #[serde(default)]
    pub parent_id: Option<i64>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub phase: String,
    pub source: String,
    #[serde(default)]
    pub category: String,
    pub item_type: String,
    pub lead_org_id: i64,
    #[serde(default)]
    pub co_org_ids: Vec<i64>,
    #[serde(default)]
    pub responsible_user_id: Option<i64>,
    pub responsible_person: String,
    pub due_on: NaiveDate,
    #[serde(default)]
    pub goal_id: Option<i64>,
    #[serde(default)]
    pub measures: Vec<String>,
    #[serde(default)]
    pub milestones: Vec<MilestoneInput>,
    #[serde(default)]
    pub weight: Option<i64>,
    /// The special programme's area (整治内容) the item is a measure of.
    #[serde(default)]
    pub programme_area_id: Option<i64>,
    /// Issue it at once (assign) instead of keeping a draft; for supervisors.
    #[serde(default)]
    pub issue: bool,
}

pub const TITLE_MAX: usize = 500;
pub const TEXT_MAX: usize = 10_000;
pub const MEASURE_MAX: usize = 1_000;
pub const PERSON_MAX: usize = 50;

/// The responsible person of an item is an enabled account of its responsible unit or of an
/// org below it. Any other id, whether it exists or not, is refused alike: the answer does not
/// tell which accounts exist outside the caller's reach.
pub(super) async fn check_responsible(
    c: Conn<'_>,
    user_id: i64,
    lead_path: &str,
) -> ServiceResult<()> {
    let mut c = c;
    let user = luodi_store::users::get(c.re(), user_id)
        .await?
        .filter(|u| !u.disabled);
    let org = match user.and_then(|u| u.org_id) {
        Some(org_id) => orgs::get(c, org_id).await?,
        None => None,
    };
    if org.is_some_and(|o| o.path.starts_with(lead_path)) {
        Ok(())
    } else {
        Err(invalid("responsible_user_id", "not_in_unit"))
    }
}

/// Checks the fields of an item: a title and a responsible person, known codes, the limits;
/// a rectification item needs measures. The lead org is checked where it is read.
pub fn validate(input: &ItemInput) -> Validation {
    let mut v = Validation::new();
    v.text("title", &input.title, TITLE_MAX);
    v.max_len("description", &input.description, TEXT_MAX);
    v.max_len("category", &input.category, 100);
    v.text("responsible_person", &input.responsible_person, PERSON_MAX);
    let kind = ItemKind::parse(&input.kind);
    if kind.is_none() {
        v.add("kind", "unknown_value");
    }
    if PhaseKind::parse(&input.phase).is_none() {
        v.add("phase", "unknown_value");
    }
    if Source::parse(&input.source).is_none() {
        v.add("source", "unknown_value");
    }
    if ItemType::parse(&input.item_type).is_none() {
        v.add("item_type", "unknown_value");
    }
    let measures: Vec<&String> = input
        .measures
        .iter()
        .filter(|m| !m.trim().is_empty())
        .collect();
    if kind == Some(ItemKind::Rectification) && measures.is_empty() {
        v.add("measures", "required");
    }
    for (i, m) in input.measures.iter().enumerate() {
        v.max_len(&format!("measures[{i}]"), m, MEASURE_MAX);
    }
    for (i, m) in input.milestones.iter().enumerate() {
        v.text(&format!("milestones[{i}].title"), &m.title, 200);
    }
    if input.weight.is_some_and(|w| !(0..=1000).contains(&w)) {
        v.add("weight", "out_of_range");
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    /// A rectification item with every field the rule asks for.
    fn rectification() -> ItemInput {
        ItemInput {
            campaign_id: 1,
            kind: "rectification".into(),
            parent_id: None,
            title: "整治公路超限超载".into(),
            description: String::new(),
            phase: "rectification".into(),
            source: "inspection".into(),
            category: String::new(),
            item_type: "time_limited".into(),
            lead_org_id: 5,
            co_org_ids: Vec::new(),
            responsible_user_id: None,
            responsible_person: "孙伟".into(),
            due_on: d(2026, 10, 31),
            goal_id: None,
            measures: vec!["设立联合治超站".into()],
            milestones: Vec::new(),
            weight: None,
            programme_area_id: None,
            issue: false,
        }
    }

    /// (field, code) of each error, in order.
    fn errors(v: &Validation) -> Vec<(&str, &str)> {
        v.errors
            .iter()
            .map(|e| (e.field.as_str(), e.code))
            .collect()
    }

    #[test]
    fn a_rectification_item_with_only_blank_measures_is_refused_at_measures_but_a_task_needs_none()
    {
        let mut input = rectification();
        input.measures = vec!["  ".into(), String::new()];
        assert_eq!(errors(&validate(&input)), vec![("measures", "required")]);

        input.kind = "task".into();
        assert_eq!(validate(&input), Validation::new());
    }

    #[test]
    fn a_missing_title_or_responsible_person_is_required_at_that_field() {
        let mut input = rectification();
        input.title = " \t ".into();
        input.responsible_person = String::new();
        assert_eq!(
            errors(&validate(&input)),
            vec![("title", "required"), ("responsible_person", "required")]
        );
    }

    #[test]
    fn the_title_limit_counts_characters_not_bytes() {
        let mut input = rectification();
        // 500 characters, 1,500 bytes in UTF-8: at the limit.
        input.title = "整".repeat(500);
        assert_eq!(validate(&input), Validation::new());

        input.title = "整".repeat(501);
        let v = validate(&input);
        assert_eq!(errors(&v), vec![("title", "too_long")]);
        assert_eq!(v.errors[0].params, vec![("max", "500".to_owned())]);
    }

    #[test]
    fn unknown_kind_phase_source_and_type_are_each_refused_at_their_field() {
        let mut input = rectification();
        input.kind = "project".into();
        input.phase = "closing".into();
        input.source = "rumour".into();
        input.item_type = "urgent".into();
        // No measures either: with the kind unknown, measures are not asked for.
        input.measures.clear();
        assert_eq!(
            errors(&validate(&input)),
            vec![
                ("kind", "unknown_value"),
                ("phase", "unknown_value"),
                ("source", "unknown_value"),
                ("item_type", "unknown_value"),
            ]
        );
    }

    #[test]
    fn each_measure_and_milestone_is_checked_at_its_own_index() {
        let mut input = rectification();
        input.measures = vec!["设立联合治超站".into(), "措".repeat(1_001)];
        input.milestones = vec![
            MilestoneInput {
                title: "完成摸排".into(),
                due_on: d(2026, 8, 31),
                done_on: None,
            },
            MilestoneInput {
                title: "   ".into(),
                due_on: d(2026, 9, 30),
                done_on: None,
            },
        ];
        let v = validate(&input);
        assert_eq!(
            errors(&v),
            vec![
                ("measures[1]", "too_long"),
                ("milestones[1].title", "required")
            ]
        );
        assert_eq!(v.errors[0].params, vec![("max", "1000".to_owned())]);
    }

    #[test]
    fn a_weight_outside_0_to_1000_is_out_of_range() {
        let weighed = |w: i64| {
            let mut input = rectification();
            input.weight = Some(w);
            validate(&input)
        };
        assert_eq!(weighed(0), Validation::new());
        assert_eq!(weighed(1_000), Validation::new());
        let out_of_range = Validation::single("weight", "out_of_range");
        assert_eq!(weighed(-1), out_of_range);
        assert_eq!(weighed(1_001), out_of_range);
    }
}
