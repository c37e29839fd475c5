//! One org's page with its forms: a child org, renaming, moving, disabling; its robots and urges are shown here too.

use super::*;

// --- One org ---------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "orgs_show.html")]
pub(super) struct OrgPage {
    pub(super) ctx: Ctx,
    pub(super) org: Org,
    pub(super) kind_label: String,
    pub(super) parent: Option<Org>,
    pub(super) created_at: String,
    pub(super) updated_at: String,
    pub(super) children: Vec<NodeView>,
    pub(super) pager: Pager,
    pub(super) pager_info: String,
    pub(super) can_manage: bool,
    pub(super) kinds: Vec<(String, String)>,
    pub(super) edit: EditForm,
    pub(super) edit_errors: FormErrors,
    pub(super) child: NewOrgForm,
    pub(super) child_errors: FormErrors,
    pub(super) mv: MoveForm,
    pub(super) move_errors: FormErrors,
    /// A supervisor over the org may urge it (催办).
    pub(super) can_urge: bool,
    pub(super) robots: Vec<RobotRow>,
    pub(super) robot: RobotForm,
    pub(super) robot_errors: FormErrors,
}

/// The forms of an org page as entered, when one of them was refused.
#[derive(Default)]
pub(crate) struct OrgForms {
    pub edit: Option<EditForm>,
    pub edit_errors: FormErrors,
    pub child: NewOrgForm,
    pub child_errors: FormErrors,
    pub mv: MoveForm,
    pub move_errors: FormErrors,
    pub robot: RobotForm,
    pub robot_errors: FormErrors,
}

impl OrgForms {
    fn refused(&self) -> bool {
        !self.edit_errors.is_empty()
            || !self.child_errors.is_empty()
            || !self.move_errors.is_empty()
            || !self.robot_errors.is_empty()
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct OrgPageQuery {
    pub(super) page: Option<i64>,
    pub(super) ok: Option<String>,
    pub(super) refused: Option<String>,
}

pub(super) async fn org_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Query(q): Query<OrgPageQuery>,
) -> Result<Response, ApiError> {
    org_response(&state, &headers, &signed, id, q, OrgForms::default()).await
}

pub(crate) async fn org_response(
    state: &AppState,
    headers: &HeaderMap,
    signed: &luodi_service::auth::SignedIn,
    id: i64,
    q: OrgPageQuery,
    forms: OrgForms,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    let detail = orgs_svc::detail(&state.svc, actor, id).await?;
    let mut ctx = Ctx::signed(state, headers, signed, "orgs", "orgs-title")
        .await?
        .with_flash(q.ok.as_deref())
        .with_refusal(q.refused.as_deref());
    ctx.back = format!("/orgs/{id}");
    let title = ctx.t("orgs-title");
    ctx = ctx.crumb(title, "/orgs");
    for a in &detail.ancestors {
        ctx = ctx.crumb(a.name.clone(), &format!("/orgs/{}", a.id));
    }
    ctx = ctx.crumb(detail.org.name.clone(), "");
    ctx.title = detail.org.name.clone();

    let page = q.page.unwrap_or(1).max(1);
    let query = OrgQuery {
        parent_id: Some(id),
        include_disabled: true,
        ..Default::default()
    };
    let kids = orgs_svc::list(&state.svc, actor, query, luodi_service::Page::new(page, 50)).await?;
    let pager = Pager::new(
        kids.total,
        kids.page,
        kids.per_page,
        &format!("/orgs/{id}?"),
    );
    let org = detail.org;
    let status = if forms.refused() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let edit = forms.edit.unwrap_or_else(|| EditForm {
        name: org.name.clone(),
        kind: org.kind.clone(),
        version: org.version.to_string(),
    });
    let can_manage = actor.can(Permission::ManageOrgs, &org.path);
    // A new child's kind starts from its parent's (a unit under a department, not a province).
    let mut child = forms.child;
    if child.kind.is_empty() {
        child.kind =
            luodi_domain::org::default_child_kind(luodi_domain::org::OrgKind::parse(&org.kind))
                .as_str()
                .to_owned();
    }
    let robots = if can_manage {
        luodi_service::webhooks::list(&state.svc, actor, org.id)
            .await?
            .into_iter()
            .map(|w| RobotRow::new(&ctx, w))
            .collect()
    } else {
        Vec::new()
    };
    let page = OrgPage {
        can_urge: actor.can(Permission::SuperviseItems, &org.path),
        robots,
        robot: forms.robot,
        robot_errors: forms.robot_errors,
        kind_label: ctx.kind(&org.kind),
        parent: detail
            .ancestors
            .last()
            .filter(|a| Some(a.id) == org.parent_id)
            .cloned(),
        created_at: fmt_time(&org.created_at),
        updated_at: fmt_time(&org.updated_at),
        children: kids.items.iter().map(|n| node_view(&ctx, n)).collect(),
        pager_info: pager_info(&ctx, &pager),
        pager,
        can_manage,
        kinds: kind_options(&ctx),
        edit,
        edit_errors: forms.edit_errors,
        child,
        child_errors: forms.child_errors,
        mv: forms.mv,
        move_errors: forms.move_errors,
        org,
        ctx,
    };
    Ok(render_status(status, &page))
}

pub(super) async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Form(form): Form<NewOrgForm>,
) -> Result<Response, ApiError> {
    let parent_id = opt_id(Some(&form.parent_id));
    let input = NewOrgInput {
        code: form.code.clone(),
        name: form.name.clone(),
        kind: form.kind.clone(),
        parent_id,
    };
    let v = match orgs_svc::create(&state.svc, &signed.actor, input).await {
        Ok(org) => return Ok(see_other(&format!("/orgs/{}", org.id), "created")),
        Err(e) => validation(e)?,
    };
    let lang = lang_of(&headers);
    let mut errors = FormErrors::default();
    errors.absorb(&state.i18n, lang, &v, |f| {
        matches!(f, "code" | "name" | "kind").then(|| f.to_owned())
    });
    let errors = errors.finish(&state.i18n, lang);
    match parent_id {
        Some(pid) => {
            let forms = OrgForms {
                child: form,
                child_errors: errors,
                ..Default::default()
            };
            org_response(
                &state,
                &headers,
                &signed,
                pid,
                OrgPageQuery::default(),
                forms,
            )
            .await
        }
        None => {
            orgs_list_response(
                &state,
                &headers,
                &signed,
                ListQuery::default(),
                form,
                errors,
            )
            .await
        }
    }
}

pub(super) async fn edit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<EditForm>,
) -> Result<Response, ApiError> {
    let version = parse_version(&form.version)?;
    let changes = OrgChanges {
        name: Some(form.name.clone()),
        kind: Some(form.kind.clone()),
        disabled: None,
    };
    let v = match orgs_svc::update(&state.svc, &signed.actor, id, changes, version).await {
        Ok(_) => return Ok(see_other(&format!("/orgs/{id}"), "saved")),
        Err(e) => validation(e)?,
    };
    let lang = lang_of(&headers);
    let mut errors = FormErrors::default();
    errors.absorb(&state.i18n, lang, &v, |f| {
        matches!(f, "name" | "kind").then(|| f.to_owned())
    });
    let forms = OrgForms {
        edit: Some(form),
        edit_errors: errors.finish(&state.i18n, lang),
        ..Default::default()
    };
    org_response(
        &state,
        &headers,
        &signed,
        id,
        OrgPageQuery::default(),
        forms,
    )
    .await
}

pub(super) async fn move_org(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<MoveForm>,
) -> Result<Response, ApiError> {
    let version = parse_version(&form.version)?;
    let lang = lang_of(&headers);
    let mut errors = FormErrors::default();
    let code = form.parent_code.trim();
    let parent = if code.is_empty() {
        Some(None)
    } else {
        match orgs_svc::get_by_code(&state.svc, &signed.actor, code).await {
            Ok(p) => Some(Some(p.id)),
            Err(ServiceError::NotFound(_)) => {
                errors.add(
                    &state.i18n,
                    lang,
                    "parent_code",
                    "unknown_parent",
                    &[("value", code.to_owned())],
                );
                None
            }
            Err(e) => return Err(e.into()),
        }
    };
    if let Some(parent) = parent {
        let v = match orgs_svc::move_org(&state.svc, &signed.actor, id, parent, version).await {
            Ok(_) => return Ok(see_other(&format!("/orgs/{id}"), "moved")),
            Err(e) => validation(e)?,
        };
        errors.absorb(&state.i18n, lang, &v, |f| {
            (f == "parent_id").then(|| "parent_code".to_owned())
        });
    }
    let forms = OrgForms {
        mv: form,
        move_errors: errors.finish(&state.i18n, lang),
        ..Default::default()
    };
    org_response(
        &state,
        &headers,
        &signed,
        id,
        OrgPageQuery::default(),
        forms,
    )
    .await
}

pub(super) async fn set_disabled(
    state: &AppState,
    signed: &luodi_service::auth::SignedIn,
    id: i64,
    version: &str,
    disabled: bool,
) -> Result<Response, ApiError> {
    let version = parse_version(version)?;
    let changes = OrgChanges {
        disabled: Some(disabled),
        ..Default::default()
    };
    orgs_svc::update(&state.svc, &signed.actor, id, changes, version).await?;
    Ok(see_other(
        &format!("/orgs/{id}"),
        if disabled { "disabled" } else { "enabled" },
    ))
}

pub(super) async fn disable(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<VersionForm>,
) -> Result<Response, ApiError> {
    set_disabled(&state, &signed, id, &form.version, true).await
}

pub(super) async fn enable(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<VersionForm>,
) -> Result<Response, ApiError> {
    set_disabled(&state, &signed, id, &form.version, false).await
}
