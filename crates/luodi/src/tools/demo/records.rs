//! The demo's study activities, research, leading-group meetings and key work, from the article:
//! the archives' documents exhibition and the transport department's study; the Shenyang science
//! bureau's "district and county tour" research with a problem put into the ledger; two
//! leading-group meetings of the transport department, the second reviewing a commitment of the
//! first that is now late; then the key works (`key_works`). Dates lie in the weeks before the
//! seeding day.

use super::past::Past;
use super::{actor, org};
use chrono::Duration;
use luodi_service::activities::ActivityInput;
use luodi_service::meetings::{CommitmentInput, MeetingInput};
use luodi_service::organisation::{BodyInput, MemberInput, PlanInput};
use luodi_service::research::{FindingInput, ProblemInput, ReportInput, TopicInput, VisitInput};
use luodi_service::Services;

pub async fn seed(svc: &Services, campaign: i64) -> anyhow::Result<()> {
    let p = Past::new(svc, campaign);
    organisation(&p).await?;
    activities(&p).await?;
    research(&p).await?;
    meetings(&p).await?;
    p.done();
    Ok(())
}

/// The transport department's work plan (a draft and a revision), its leading group and
/// working bodies, and the supervision team's assignments.
async fn organisation(p: &Past<'_>) -> anyhow::Result<()> {
    let liaison = actor(p.svc, "liaison").await?;
    let transport_org = org(p.svc, "D-TRANSPORT").await?;
    p.at(p.day(5, 0));
    luodi_service::organisation::save_plan(
        &p.past,
        &liaison,
        p.campaign,
        transport_org.id,
        PlanInput {
            title: "省交通运输厅“不忘初心、牢记使命”主题教育实施方案".into(),
            body: "一、总体要求\n严格按照“守初心、担使命，找差距、抓落实”的总要求，把学习教育、调查研究、检视问题、整改落实贯穿全过程。\n二、主要措施\n（一）读原著、学原文、悟原理，自学与集体学习相结合。\n（二）围绕工作短板和弱项开展调研，解决实际问题。\n（三）专项制发整改清单，落实完成时限和责任主体。\n（四）把主题教育与取消高速公路省界收费站、四好农村路建设、港口整合、物流业降本增效等中心工作相结合。\n三、组织保障\n成立厅主题教育领导小组，下设办公室和督导组；建立信息报送、会议、调研等工作制度，领导小组每周听取情况汇报。".into(),
            note: "初稿".into(),
            version_no: 0,
        },
    )
    .await?;
    p.at(p.day(4, 2));
    luodi_service::organisation::save_plan(
        &p.past,
        &liaison,
        p.campaign,
        transport_org.id,
        PlanInput {
            title: "省交通运输厅“不忘初心、牢记使命”主题教育实施方案".into(),
            body: "一、总体要求\n严格按照“守初心、担使命，找差距、抓落实”的总要求，把学习教育、调查研究、检视问题、整改落实贯穿全过程。\n二、主要措施\n（一）读原著、学原文、悟原理，自学与集体学习相结合。\n（二）围绕工作短板和弱项开展调研，解决实际问题。\n（三）专项制发整改清单，列出时间表、画好路线图、做好任务书，落实完成时限和责任主体。\n（四）把主题教育与取消高速公路省界收费站、四好农村路建设、港口整合、物流业降本增效等中心工作相结合。\n三、组织保障\n成立厅主题教育领导小组，下设办公室和督导组；建立信息报送、会议、调研等工作制度，领导小组每周听取情况汇报，对各单位工作进展实行约谈制度，坚持“每周一通报”。".into(),
            note: "按省委办公室意见补充约谈和每周一通报制度".into(),
            version_no: 1,
        },
    )
    .await?;
    luodi_service::organisation::set_group(
        &p.past,
        &liaison,
        p.campaign,
        transport_org.id,
        vec![
            MemberInput {
                role: "leader".into(),
                name: "厅党组书记、厅长".into(),
                post: "组长".into(),
            },
            MemberInput {
                role: "deputy".into(),
                name: "厅党组成员、副厅长".into(),
                post: "副组长".into(),
            },
            MemberInput {
                role: "member".into(),
                name: "办公室主任".into(),
                post: "成员".into(),
            },
            MemberInput {
                role: "member".into(),
                name: "人事处处长".into(),
                post: "成员".into(),
            },
        ],
    )
    .await?;
    luodi_service::organisation::add_body(
        &p.past,
        &liaison,
        p.campaign,
        transport_org.id,
        BodyInput {
            kind: "office".into(),
            name: "厅主题教育领导小组办公室".into(),
            head: "办公室主任".into(),
            duties: "负责主题教育的组织协调、信息报送、督促检查和每周一通报。".into(),
        },
    )
    .await?;
    let team = luodi_service::organisation::add_body(
        &p.past,
        &liaison,
        p.campaign,
        transport_org.id,
        BodyInput {
            kind: "supervision_team".into(),
            name: "厅主题教育第一督导组".into(),
            head: "驻厅纪检监察组组长".into(),
            duties: "督导高速公路管理局、港航管理处主题教育和整改落实。".into(),
        },
    )
    .await?;
    if let Some(b) = team
        .bodies
        .iter()
        .find(|b| b.body.kind == "supervision_team")
    {
        for code in ["D-TRANSPORT-HWY", "D-TRANSPORT-PORT"] {
            luodi_service::organisation::assign(
                &p.past,
                &liaison,
                b.body.id,
                org(p.svc, code).await?.id,
                true,
            )
            .await?;
        }
    }
    Ok(())
}

/// Study activities of the archives, the transport department and the science bureau.
async fn activities(p: &Past<'_>) -> anyhow::Result<()> {
    let liaison = actor(p.svc, "liaison").await?;
    let archives = actor(p.svc, "archives_liaison").await?;
    let keji = actor(p.svc, "shenyang_keji_liaison").await?;
    let activities = [
        (
            &archives,
            "D-ARCHIVES",
            "exhibition",
            "“不忘初心、牢记使命”档案文献展览",
            p.day(4, 1),
            "省档案馆展厅",
            "馆党委",
            320,
            "馆藏红色档案文献 120 件",
        ),
        (
            &archives,
            "D-ARCHIVES",
            "group_study",
            "集体学习《习近平关于“不忘初心、牢记使命”论述摘编》",
            p.day(3, 3),
            "馆三楼会议室",
            "馆党委",
            45,
            "《论述摘编》",
        ),
        (
            &liaison,
            "D-TRANSPORT",
            "mobilisation_meeting",
            "全省交通运输系统主题教育动员部署会",
            p.day(4, 0),
            "厅机关大会议室",
            "厅党组",
            180,
            "厅党组实施方案",
        ),
        (
            &liaison,
            "D-TRANSPORT",
            "group_study",
            "读原著、学原文、悟原理专题学习",
            p.day(3, 1),
            "厅机关大会议室",
            "厅党组",
            60,
            "党章、《论述摘编》",
        ),
        (
            &liaison,
            "D-TRANSPORT",
            "seminar",
            "“交通强省、交通先行”专题研讨",
            p.day(2, 2),
            "厅机关3楼会议室",
            "厅党组",
            35,
            "研讨提纲",
        ),
        (
            &liaison,
            "D-TRANSPORT",
            "warning_education",
            "警示教育大会",
            p.day(2, 4),
            "厅机关大会议室",
            "驻厅纪检监察组",
            150,
            "典型案例通报",
        ),
        (
            &liaison,
            "D-TRANSPORT",
            "film_screening",
            "组织观看红色电影",
            p.day(1, 2),
            "辽宁大剧院",
            "机关党委",
            120,
            "",
        ),
        (
            &liaison,
            "D-TRANSPORT",
            "field_visit",
            "赴雷锋纪念馆实地参观",
            p.day(1, 4),
            "抚顺雷锋纪念馆",
            "机关党委",
            50,
            "",
        ),
        (
            &keji,
            "210100-SCITECH",
            "lecture",
            "科技创新政策辅导讲座",
            p.day(2, 1),
            "市科技局会议室",
            "局党组",
            70,
            "科技创新“双百工程”政策汇编",
        ),
    ];
    for (who, code, kind, title, held_on, place, organiser, participants, materials) in activities {
        p.at(held_on);
        luodi_service::activities::create(
            &p.past,
            who,
            ActivityInput {
                campaign_id: p.campaign,
                org_id: org(p.svc, code).await?.id,
                kind: kind.into(),
                title: title.into(),
                held_on,
                place: place.into(),
                organiser: organiser.into(),
                participants,
                materials: materials.into(),
            },
        )
        .await?;
    }
    Ok(())
}

/// Research: the science bureau's tour of districts and counties, with a problem put into the
/// ledger and the report.
async fn research(p: &Past<'_>) -> anyhow::Result<()> {
    let keji = actor(p.svc, "shenyang_keji_liaison").await?;
    let scitech = org(p.svc, "210100-SCITECH").await?;
    p.at(p.day(3, 0));
    let topic = luodi_service::research::create(
        &p.past,
        &keji,
        TopicInput {
            campaign_id: p.campaign,
            org_id: scitech.id,
            title: "科技创新“区县行”调研".into(),
            weakness: "科技政策落到区县、企业的“最后一公里”不通畅，企业对创新政策知晓率低".into(),
            lead: "局主要负责同志".into(),
            members: "政策法规处、高新技术处、区县科技局".into(),
        },
    )
    .await?;
    let tid = topic.topic.id;
    for (d, place, notes) in [
        (
            p.day(3, 2),
            "浑南区科技企业孵化器",
            "座谈企业 12 家，反映研发费用加计扣除申报繁琐",
        ),
        (p.day(2, 1), "新民市科技局", "县域科技特派员服务覆盖不足"),
    ] {
        p.at(d);
        luodi_service::research::add_visit(
            &p.past,
            &keji,
            tid,
            VisitInput {
                visited_on: d,
                place: place.into(),
                notes: notes.into(),
            },
        )
        .await?;
    }
    p.at(p.day(2, 3));
    let v = luodi_service::research::add_finding(
        &p.past,
        &keji,
        tid,
        FindingInput {
            text: "企业研发费用加计扣除政策申报材料繁琐，一半以上企业未享受".into(),
        },
    )
    .await?;
    let first = v.findings.first().map(|f| f.finding.id);
    luodi_service::research::add_finding(
        &p.past,
        &keji,
        tid,
        FindingInput {
            text: "县域科技特派员数量不足，服务覆盖不到三成乡镇".into(),
        },
    )
    .await?;
    if let Some(fid) = first {
        luodi_service::research::raise_problem(
            &p.past,
            &keji,
            fid,
            ProblemInput {
                title: "研发费用加计扣除政策申报繁琐、享受面窄".into(),
                measures: vec![
                    "编制加计扣除申报一本通，精简申报材料".into(),
                    "组织政策专员进企业“一对一”辅导".into(),
                ],
                lead_org_id: None,
                responsible_person: "马丽".into(),
                responsible_user_id: None,
                due_on: p.today + Duration::days(40),
            },
        )
        .await?;
    }
    p.at(p.day(1, 4));
    let t = luodi_service::research::get(&p.past, &keji, tid).await?;
    luodi_service::research::report(
        &p.past,
        &keji,
        tid,
        ReportInput {
            report: "调研走访区县 2 个、企业 12 家，梳理问题 2 项，已列入整改台账 1 项。建议简化加计扣除申报，扩大县域科技特派员覆盖面。".into(),
            reported_on: p.day(1, 4),
            version: t.topic.version,
        },
    )
    .await?;
    Ok(())
}

/// The transport department's leading-group meetings, the second reviewing a commitment of
/// the first that is now late.
async fn meetings(p: &Past<'_>) -> anyhow::Result<()> {
    let liaison = actor(p.svc, "liaison").await?;
    let transport = org(p.svc, "D-TRANSPORT").await?;
    let first_meeting = p.day(2, 0);
    p.at(first_meeting);
    luodi_service::meetings::create(
        &p.past,
        &liaison,
        MeetingInput {
            campaign_id: p.campaign,
            org_id: transport.id,
            kind: "leading_group".into(),
            title: "厅主题教育领导小组第3次会议".into(),
            held_on: first_meeting,
            place: "厅机关3楼会议室".into(),
            chair: "厅党组书记、厅长".into(),
            attendees: "领导小组成员，各处室、直属单位主要负责同志".into(),
            minutes: "听取各单位主题教育进展和取消高速公路省界收费站、港口整合工作汇报。会议要求：对照台账逐项销号，确保按期完成。".into(),
            commitments: vec![
                CommitmentInput {
                    title: "报送港口资源整合实施方案".into(),
                    responsible_person: "港航管理处 王强".into(),
                    responsible_user_id: None,
                    lead_org_id: Some(org(p.svc, "D-TRANSPORT-PORT").await?.id),
                    due_on: first_meeting + Duration::days(5),
                },
                CommitmentInput {
                    title: "完成省界站区交通标志标线整改".into(),
                    responsible_person: "孙伟".into(),
                    responsible_user_id: None,
                    lead_org_id: Some(org(p.svc, "D-TRANSPORT-HWY").await?.id),
                    due_on: p.today + Duration::days(10),
                },
            ],
        },
    )
    .await?;
    let second = p.day(1, 0);
    p.at(second);
    luodi_service::meetings::create(
        &p.past,
        &liaison,
        MeetingInput {
            campaign_id: p.campaign,
            org_id: transport.id,
            kind: "leading_group".into(),
            title: "厅主题教育领导小组第4次会议".into(),
            held_on: second,
            place: "厅机关3楼会议室".into(),
            chair: "厅党组书记、厅长".into(),
            attendees: "领导小组成员".into(),
            minutes:
                "逐项回顾上次会议议定事项：港口资源整合实施方案逾期未报，责成港航管理处三日内报送。"
                    .into(),
            commitments: Vec::new(),
        },
    )
    .await?;
    Ok(())
}
