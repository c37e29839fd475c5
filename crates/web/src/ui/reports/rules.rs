//! Work rules: their list, and a new rule with its cadence.

use super::*;
use crate::ui::forms::form_status;

// --- Work rules ------------------------------------------------------------------------------

/// A cadence in words: "every Friday 16:00", "the 25th of every month 17:00", or the cron line.
pub(super) fn cadence_words(ctx: &Ctx, c: &Cadence) -> String {
    match c {
        Cadence::Weekly { weekday, time } => ctx.tr(
            "rules-cadence-weekly",
            &[
                ("weekday", ctx.t(&format!("rules-weekday-{weekday}"))),
                ("time", time.format("%H:%M").to_string()),
            ],
        ),
        Cadence::Monthly { day, time } => ctx.tr(
            "rules-cadence-monthly",
            &[
                ("day", day.to_string()),
                ("time", time.format("%H:%M").to_string()),
            ],
        ),
        Cadence::Cron { expr } => ctx.tr("rules-cadence-cron", &[("expr", expr.clone())]),
    }
}

pub(super) struct RuleRow {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) kind: String,
    pub(super) kind_label: String,
    pub(super) cadence: String,
    pub(super) scope_id: i64,
    pub(super) scope_name: String,
    pub(super) targets: String,
    pub(super) active: bool,
}

#[derive(Template)]
#[template(path = "rule_list.html")]
pub(super) struct RulesPage {
    pub(super) ctx: Ctx,
    pub(super) rows: Vec<RuleRow>,
    pub(super) can_create: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RulesQuery {
    pub ok: String,
}

pub(super) async fn rules_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<RulesQuery>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    let list = reports_svc::rules(&state.svc, actor, None).await?;
    let mut ctx = Ctx::signed(&state, &headers, &signed, "reports", "rules-title")
        .await?
        .with_flash(Some(q.ok.as_str()).filter(|k| !k.is_empty()));
    ctx.back = "/rules".into();
    let (reports, title) = (ctx.t("reports-title"), ctx.t("rules-title"));
    let ctx = ctx.crumb(reports, "/reports").crumb(title, "");
    let rows = list
        .iter()
        .map(|r| {
            let targets: Vec<String> = r
                .target_kinds
                .split(',')
                .filter(|k| !k.is_empty())
                .map(|k| ctx.kind(k))
                .collect();
            RuleRow {
                id: r.id,
                name: r.name.clone(),
                kind: r.kind.clone(),
                kind_label: ctx.t(&format!("rules-kind-{}", r.kind)),
                cadence: reports_svc::cadence_of(r)
                    .map(|c| cadence_words(&ctx, &c))
                    .unwrap_or_default(),
                scope_id: r.scope_org_id,
                scope_name: r.scope_org_name.clone(),
                targets: if targets.is_empty() {
                    ctx.t("rules-targets-all")
                } else {
                    targets.join("、")
                },
                active: r.active,
            }
        })
        .collect();
    let page = RulesPage {
        rows,
        can_create: actor.can_somewhere(Permission::SuperviseItems),
        ctx,
    };
    Ok(render(&page))
}

/// The rule form as entered (all text, so that anything typed can be shown again).
#[derive(Debug, Default, Clone)]
pub struct RuleForm {
    pub campaign_id: String,
    pub kind: String,
    pub name: String,
    pub cadence_kind: String,
    pub weekday: String,
    pub day: String,
    pub time: String,
    pub cron: String,
    pub scope_org_code: String,
    pub owner_org_code: String,
    pub target_kinds: Vec<String>,
}

impl RuleForm {
    /// From the posted pairs (the target kinds are repeated checkboxes).
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = RuleForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "campaign_id" => f.campaign_id = v,
                "kind" => f.kind = v,
                "name" => f.name = v,
                "cadence_kind" => f.cadence_kind = v,
                "weekday" => f.weekday = v,
                "day" => f.day = v,
                "time" => f.time = v,
                "cron" => f.cron = v,
                "scope_org_code" => f.scope_org_code = v,
                "owner_org_code" => f.owner_org_code = v,
                "target_kinds" if !f.target_kinds.contains(&v) => f.target_kinds.push(v),
                _ => {}
            }
        }
        f
    }

    /// The cadence the fields describe, if they describe a valid one.
    fn cadence(&self) -> Option<Cadence> {
        let time = || {
            let t = self.time.trim();
            NaiveTime::parse_from_str(t, "%H:%M")
                .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S"))
                .ok()
        };
        let c = match self.cadence_kind.trim() {
            "weekly" => Cadence::Weekly {
                weekday: self.weekday.trim().parse().ok()?,
                time: time()?,
            },
            "monthly" => Cadence::Monthly {
                day: self.day.trim().parse().ok()?,
                time: time()?,
            },
            "cron" => {
                let expr = self.cron.split_whitespace().collect::<Vec<_>>().join(" ");
                if expr.is_empty() {
                    return None;
                }
                Cadence::Cron { expr }
            }
            _ => return None,
        };
        c.validate().is_ok().then_some(c)
    }

    fn has_target(&self, kind: &str) -> bool {
        self.target_kinds.iter().any(|k| k == kind)
    }
}

#[derive(Template)]
#[template(path = "rule_form.html")]
pub(super) struct RuleFormPage {
    pub(super) ctx: Ctx,
    pub(super) form: RuleForm,
    pub(super) errors: FormErrors,
    pub(super) campaigns: Vec<(String, String)>,
    pub(super) kinds: Vec<(String, String)>,
    pub(super) cadence_kinds: Vec<(String, String)>,
    pub(super) weekdays: Vec<(String, String)>,
    pub(super) org_kinds: Vec<(String, String)>,
}

pub(super) async fn rule_form_page(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    form: RuleForm,
    errors: FormErrors,
) -> Result<Response, ApiError> {
    let mut ctx = Ctx::signed(state, headers, signed, "reports", "rules-new").await?;
    let (reports, list, title) = (
        ctx.t("reports-title"),
        ctx.t("rules-title"),
        ctx.t("rules-new"),
    );
    ctx.back = "/rules/new".into();
    let ctx = ctx
        .crumb(reports, "/reports")
        .crumb(list, "/rules")
        .crumb(title, "");
    let status = form_status(&errors);
    let page = RuleFormPage {
        campaigns: campaign_options(state, &signed.actor).await?,
        kinds: RULE_KINDS
            .iter()
            .map(|k| ((*k).to_owned(), ctx.t(&format!("rules-kind-{k}"))))
            .collect(),
        cadence_kinds: CADENCE_KINDS
            .iter()
            .map(|k| ((*k).to_owned(), ctx.t(&format!("rules-cadence-kind-{k}"))))
            .collect(),
        weekdays: (1..=7)
            .map(|d| (d.to_string(), ctx.t(&format!("rules-weekday-{d}"))))
            .collect(),
        org_kinds: kind_options(&ctx),
        form,
        errors,
        ctx,
    };
    Ok(render_status(status, &page))
}

pub(super) async fn new_rule_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
) -> Result<Response, ApiError> {
    if !signed.actor.can_somewhere(Permission::SuperviseItems) {
        return Err(ServiceError::Forbidden.into());
    }
    let form = RuleForm {
        kind: "reporting".into(),
        cadence_kind: "weekly".into(),
        weekday: "5".into(),
        day: "25".into(),
        time: "16:00".into(),
        scope_org_code: default_org_code(&state, &signed).await,
        ..Default::default()
    };
    rule_form_page(&state, &headers, &signed, form, FormErrors::default()).await
}

/// The form field a service validation error belongs to.
pub(super) fn rule_field(f: &str) -> Option<String> {
    match f {
        "campaign_id" | "kind" | "name" | "cadence" => Some(f.to_owned()),
        "owner_org_id" => Some("owner_org_code".into()),
        "scope_org_id" => Some("scope_org_code".into()),
        _ if f.starts_with("target_kinds") => Some("target_kinds".into()),
        _ => None,
    }
}

pub(super) async fn create_rule(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    if !actor.can_somewhere(Permission::SuperviseItems) {
        return Err(ServiceError::Forbidden.into());
    }
    let form = RuleForm::from_pairs(pairs);
    let lang = lang_of(&headers);
    let i18n = &state.i18n;
    let mut errors = FormErrors::default();
    let campaign_id = opt_id(Some(&form.campaign_id));
    if campaign_id.is_none() {
        errors.add(i18n, lang, "campaign_id", "required", &[]);
    }
    if !RULE_KINDS.contains(&form.kind.trim()) {
        errors.add(i18n, lang, "kind", "unknown_value", &[]);
    }
    if form.name.trim().is_empty() {
        errors.add(i18n, lang, "name", "required", &[]);
    }
    let cadence = form.cadence();
    if cadence.is_none() {
        errors.add(i18n, lang, "cadence", "bad_cadence", &[]);
    }
    for k in &form.target_kinds {
        if OrgKind::parse(k).is_none() {
            errors.add(
                i18n,
                lang,
                "target_kinds",
                "unknown_kind",
                &[("value", k.clone())],
            );
        }
    }
    let scope = supervised_org(
        &state,
        lang,
        actor,
        &mut errors,
        "scope_org_code",
        &form.scope_org_code,
    )
    .await?;
    // The owner defaults to the scope org.
    let owner = if form.owner_org_code.trim().is_empty() {
        scope.clone()
    } else {
        supervised_org(
            &state,
            lang,
            actor,
            &mut errors,
            "owner_org_code",
            &form.owner_org_code,
        )
        .await?
    };
    if let (true, Some(campaign_id), Some(cadence), Some(scope), Some(owner)) =
        (errors.is_empty(), campaign_id, cadence, scope, owner)
    {
        let input = RuleInput {
            campaign_id,
            owner_org_id: owner.id,
            kind: form.kind.trim().to_owned(),
            name: form.name.clone(),
            cadence,
            scope_org_id: scope.id,
            target_kinds: form.target_kinds.clone(),
        };
        match reports_svc::create_rule(&state.svc, actor, input).await {
            Ok(_) => {
                // The current period's reports exist at once, not at the scheduler's next tick.
                reports_svc::open_periods(&state.svc).await?;
                return Ok(see_other("/rules", "rule_created"));
            }
            Err(e) => {
                let v = validation(e)?;
                errors.absorb(i18n, lang, &v, rule_field);
            }
        }
    }
    let errors = errors.finish(i18n, lang);
    rule_form_page(&state, &headers, &signed, form, errors).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_rule_form_builds_its_cadence() {
        let f = RuleForm::from_pairs(pairs(&[
            ("cadence_kind", "weekly"),
            ("weekday", "5"),
            ("time", "16:00"),
            ("target_kinds", "unit"),
            ("target_kinds", "department"),
            ("target_kinds", "unit"),
        ]));
        assert_eq!(f.target_kinds, vec!["unit", "department"]);
        assert!(matches!(
            f.cadence(),
            Some(Cadence::Weekly { weekday: 5, .. })
        ));
        let bad = RuleForm {
            weekday: "9".into(),
            ..f.clone()
        };
        assert!(bad.cadence().is_none());
        let monthly = RuleForm {
            cadence_kind: "monthly".into(),
            day: "25".into(),
            time: "17:00:00".into(),
            ..Default::default()
        };
        assert!(matches!(
            monthly.cadence(),
            Some(Cadence::Monthly { day: 25, .. })
        ));
        let cron = RuleForm {
            cadence_kind: "cron".into(),
            cron: " 0  16 * * 5 ".into(),
            ..Default::default()
        };
        assert_eq!(
            cron.cadence(),
            Some(Cadence::Cron {
                expr: "0 16 * * 5".into()
            })
        );
        let nonsense = RuleForm {
            cadence_kind: "cron".into(),
            cron: "every friday".into(),
            ..Default::default()
        };
        assert!(nonsense.cadence().is_none());
    }
}
