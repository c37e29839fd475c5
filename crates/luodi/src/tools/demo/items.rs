//! Demo items from the source article, driven through the real services by the demo users with a
//! clock moved through the past weeks, so that every item has a true history and the ledger
//! shows every state and light: the Dalian business-environment programme (4 areas, 20 measures),
//! the transport department's key works, the archives' exhibition, the construction group's
//! reforms, the Shenyang science bureau's research and its rectification list.

use super::seeder::{reason, Seeder};
use luodi_domain::item::Action;
use luodi_domain::FixedClock;
use luodi_service::Services;
use std::sync::Arc;

/// The 4 areas and 20 measures of the Dalian programme against prominent problems of the
/// business environment (《关于开展“营商环境建设突出问题”专项整治方案》).
const PROGRAMME: [(&str, [&str; 5]); 4] = [
    (
        "企业群众“办事难”",
        [
            "推进100个高频事项“最多跑一次”",
            "深入推进“一网、一门、一次”改革，加快推动政务服务事项“一网通办”",
            "推行企业开办全程网上办理，压缩至1个工作日",
            "建立企业诉求“接诉即办”机制",
            "清理规范证明事项，能取消的一律取消",
        ],
    ),
    (
        "企业负担重、制度性成本高",
        [
            "全面清理涉企收费，公布收费目录清单",
            "落实减税降费政策，开展政策落实情况督查",
            "降低企业用电用气成本",
            "清理拖欠民营企业中小企业账款",
            "规范中介服务，压减审批中介事项",
        ],
    ),
    (
        "审批环节多、时限长",
        [
            "工程建设项目审批时限压减至90个工作日以内",
            "推行告知承诺制审批",
            "开展“多规合一”“多评合一”“多测合一”",
            "实行审批事项清单化管理",
            "推进审批服务“马上办、就近办”",
        ],
    ),
    (
        "政务诚信和监管执法不规范",
        [
            "开展政府失信问题专项清理",
            "推行“双随机、一公开”监管全覆盖",
            "规范行政执法自由裁量权",
            "建立涉企检查备案制度",
            "畅通营商环境投诉举报渠道",
        ],
    ),
];

/// Seeds the demo items into the demo campaign (`campaign`), as of `now`.
pub async fn seed(svc: &Services, campaign: i64) -> anyhow::Result<usize> {
    let today = svc.now();
    let clock = Arc::new(FixedClock::new(today));
    let clocked = svc.with_clock(clock.clone());
    let s = Seeder {
        base: svc.clone(),
        clock,
        svc: clocked,
        campaign,
        today,
    };
    Ok(dalian(&s).await?
        + transport(&s).await?
        + archives(&s).await?
        + shenyang(&s).await?
        + port(&s).await?)
}

/// Dalian: the programme's 20 measures, recorded by the office 60 days ago, in every state.
async fn dalian(s: &Seeder) -> anyhow::Result<usize> {
    let mut n = 0usize;
    s.at(-60);
    let dalian = "210200-BIZENV";
    let programme = luodi_service::programmes::create(
        &s.svc,
        &s.actor("office").await?,
        luodi_service::programmes::ProgrammeInput {
            campaign_id: s.campaign,
            owner_org_id: s.org(dalian).await?,
            name: "营商环境建设突出问题专项整治".into(),
            goal: "营造稳定、公平、透明、可预期的营商环境".into(),
            areas: PROGRAMME.iter().map(|(a, _)| (*a).to_owned()).collect(),
        },
    )
    .await?;
    let mut measures = Vec::new();
    for ((area, list), fig) in PROGRAMME.iter().zip(&programme.areas) {
        for m in list.iter() {
            let due = [-20i64, -5, 2, 10, 25, 45, 80][measures.len() % 7];
            let d = s
                .record(
                    "office",
                    "task",
                    m,
                    TASK,
                    dalian,
                    ("郑敏", Some("dalian_liaison")),
                    due + 60,
                    &[],
                    area,
                    None,
                    Some(fig.area.id),
                )
                .await?;
            measures.push(d);
            n += 1;
        }
    }
    s.at(-55);
    for (i, d) in measures.iter_mut().enumerate() {
        if i % 10 != 9 {
            *d = s.step("dalian_liaison", d, Action::SignOff).await?;
        }
    }
    // Progress on most; a few lag behind.
    s.at(-30);
    for (i, d) in measures.iter_mut().enumerate() {
        if d.item.item.status == "in_progress" && i % 4 != 3 {
            *d = s
                .note(
                    "dalian_liaison",
                    d,
                    "已制定工作方案，正在推进落实",
                    [40, 60, 80][i % 3],
                )
                .await?;
        }
    }
    // Some are done and closed on time, one closed late, one sent back, one under review, one
    // verified, one extended, one suspended.
    s.at(-25);
    for i in [0usize, 4, 8] {
        let d = s
            .deliver("dalian_liaison", measures[i].clone(), "已全面完成")
            .await?;
        measures[i] = s
            .step(
                "office",
                &d,
                Action::Close {
                    opinion: String::new(),
                },
            )
            .await?;
    }
    s.at(-15);
    let d = s
        .deliver("dalian_liaison", measures[1].clone(), "主体工作已完成")
        .await?;
    measures[1] = s
        .step(
            "supervisor",
            &d,
            Action::SendBack {
                reason: reason("佐证材料未体现办理时限压缩情况，请补充数据"),
            },
        )
        .await?;
    let d = s
        .deliver("dalian_liaison", measures[12].clone(), "已完成")
        .await?;
    measures[12] = s.step("supervisor", &d, Action::StartReview).await?;
    let d = s
        .step(
            "dalian_liaison",
            &measures[3],
            Action::RequestExtension {
                new_due_on: s.date(40),
                reason: reason("涉及省级系统对接，需延期"),
            },
        )
        .await?;
    measures[3] = s.step("office", &d, Action::ApproveExtension).await?;
    measures[6] = s
        .step(
            "office",
            &measures[6],
            Action::Suspend {
                reason: reason("待上级政策出台后再推进"),
            },
        )
        .await?;
    s.at(-3);
    // Due five days ago, closed two days after: late.
    let d = s
        .deliver(
            "dalian_liaison",
            measures[15].clone(),
            "已完成，较原定时限晚数日",
        )
        .await?;
    measures[15] = s
        .step(
            "office",
            &d,
            Action::Close {
                opinion: String::new(),
            },
        )
        .await?;
    s.at(0);
    let d = s
        .deliver("dalian_liaison", measures[2].clone(), "已完成")
        .await?;
    measures[2] = d;
    Ok(n)
}

/// The transport department's key works (tasks with subtasks), recorded 45 days ago.
async fn transport(s: &Seeder) -> anyhow::Result<usize> {
    let mut n = 0usize;
    s.at(-45);
    let transport = [
        (
            "取消高速公路省界收费站",
            "D-TRANSPORT-HWY",
            ("孙伟", Some("owner")),
            30,
        ),
        (
            "四好农村路建设",
            "D-TRANSPORT",
            ("刘洋", Some("liaison")),
            120,
        ),
        (
            "港口整合",
            "D-TRANSPORT-PORT",
            // A responsible person's account is of the unit: the port group has none here.
            ("刘洋", None),
            -2,
        ),
        (
            "物流业降本增效",
            "D-TRANSPORT",
            ("刘洋", Some("liaison")),
            3,
        ),
    ];
    let mut works = Vec::new();
    for (title, lead, person, due) in transport {
        works.push(
            s.record(
                "office",
                "task",
                title,
                ("rectification", "superior_instruction", "long_term"),
                lead,
                person,
                due + 45,
                &[],
                "中心工作",
                None,
                None,
            )
            .await?,
        );
        n += 1;
    }
    let hwy_parent = works[0].item.item.id;
    let subs = [
        ("万家省界收费站拆除及交通组织调整", 10i64),
        ("ETC门架系统建设与联调", 25),
        ("取消省界站后路网监测与应急预案", 40),
    ];
    let mut sub_items = Vec::new();
    for (title, due) in subs {
        sub_items.push(
            s.record(
                "office",
                "task",
                title,
                ("rectification", "superior_instruction", "time_limited"),
                "D-TRANSPORT-HWY",
                ("孙伟", Some("owner")),
                due + 45,
                &[],
                "中心工作",
                Some(hwy_parent),
                None,
            )
            .await?,
        );
        n += 1;
    }
    s.at(-40);
    for d in works.iter_mut().chain(sub_items.iter_mut()) {
        let unit = if d
            .item
            .item
            .lead_org_path
            .contains(&s.org("D-TRANSPORT-HWY").await?.to_string())
        {
            "owner"
        } else {
            "liaison"
        };
        *d = s.step(unit, d, Action::SignOff).await?;
    }
    s.at(-20);
    let d = s
        .deliver(
            "owner",
            sub_items[0].clone(),
            "万家站已拆除，交通组织已调整",
        )
        .await?;
    sub_items[0] = s
        .step(
            "office",
            &d,
            Action::Close {
                opinion: String::new(),
            },
        )
        .await?;
    works[1] = s
        .note("liaison", &works[1], "今年已完成新改建农村公路1200公里", 45)
        .await?;
    works[3] = s
        .note("liaison", &works[3], "已出台降低物流成本若干措施", 30)
        .await?;
    Ok(n)
}

/// The archives' exhibition and film screenings; the construction group's reforms.
async fn archives(s: &Seeder) -> anyhow::Result<usize> {
    let mut n = 0usize;
    s.at(-50);
    let ex = s
        .record(
            "office",
            "task",
            "筹办“辽宁解放暨辽沈战役”档案文献展览",
            ("study", "superior_instruction", "time_limited"),
            "D-ARCHIVES",
            ("何静", Some("archives_liaison")),
            50 - 10,
            &[],
            "学习教育",
            None,
            None,
        )
        .await?;
    let films = s
        .record(
            "office",
            "task",
            "开展红色经典电影展播活动",
            ("study", "superior_instruction", "immediate"),
            "D-ARCHIVES",
            ("何静", Some("archives_liaison")),
            50 + 20,
            &[],
            "学习教育",
            None,
            None,
        )
        .await?;
    let reform = s
        .record(
            "office",
            "task",
            "推进混合所有制改革",
            ("rectification", "superior_instruction", "long_term"),
            "D-UCG",
            ("高峰", Some("chengjian_liaison")),
            50 + 150,
            &[],
            "中心工作",
            None,
            None,
        )
        .await?;
    let collective = s
        .record(
            "office",
            "task",
            "完成厂办大集体改革",
            ("rectification", "superior_instruction", "time_limited"),
            "D-UCG",
            ("高峰", Some("chengjian_liaison")),
            50 + 6,
            &[],
            "中心工作",
            None,
            None,
        )
        .await?;
    n += 4;
    s.at(-48);
    let ex = s
        .deliver("archives_liaison", ex, "展览已于6月开展，接待参观2万人次")
        .await?;
    s.at(-44);
    let ex = s
        .step(
            "office",
            &ex,
            Action::Close {
                opinion: String::new(),
            },
        )
        .await?;
    let films = s.step("archives_liaison", &films, Action::SignOff).await?;
    let _ = s
        .step("chengjian_liaison", &reform, Action::SignOff)
        .await?;
    let collective = s
        .step(
            "chengjian_liaison",
            &collective,
            Action::ReturnNotOurs {
                reason: reason("厂办大集体改革由市国资委牵头，不属于本集团职责"),
            },
        )
        .await?;
    let _ = (ex, films, collective);
    Ok(n)
}

/// Shenyang: research topics and the "problems affecting scientific innovation" rectification
/// list, and an item closed long ago whose re-check has passed.
async fn shenyang(s: &Seeder) -> anyhow::Result<usize> {
    let mut n = 0usize;
    s.at(-35);
    let keji = "210100-SCITECH";
    let research = s
        .record(
            "shenyang_office",
            "task",
            "开展科技创新“区县行”调研",
            ("research", "research", "time_limited"),
            keji,
            ("马丽", Some("shenyang_keji_liaison")),
            35 + 15,
            &[],
            "调查研究",
            None,
            None,
        )
        .await?;
    let _ = s
        .record(
            "shenyang_office",
            "task",
            "“双百工程”项目实名制服务",
            ("research", "research", "long_term"),
            keji,
            ("马丽", Some("shenyang_keji_liaison")),
            35 + 60,
            &[],
            "调查研究",
            None,
            None,
        )
        .await?;
    n += 2;
    let _ = s
        .step("shenyang_keji_liaison", &research, Action::SignOff)
        .await?;
    let problems = [
        (
            "科技项目申报材料繁杂，企业反映负担重",
            &["精简申报材料，实行“一表申报”", "推行项目申报网上办理"][..],
            20i64,
        ),
        (
            "科技成果转化服务不到位",
            &["建立成果转化专员制度", "每月组织一次成果对接会"][..],
            -3,
        ),
        ("科技创新券兑付周期长", &["兑付时限压缩至15个工作日"][..], 2),
    ];
    for (title, ms, due) in problems {
        // Recorded by the unit itself after its own review: in progress at once.
        let d = s
            .record(
                "shenyang_keji_liaison",
                "rectification",
                title,
                RECT,
                keji,
                ("马丽", Some("shenyang_keji_liaison")),
                due + 35,
                ms,
                "影响科技创新问题专项整改",
                None,
                None,
            )
            .await?;
        n += 1;
        let _ = d;
    }
    // A rectification item closed long ago whose re-check has passed.
    s.at(-80);
    let old = s
        .record(
            "shenyang_keji_liaison",
            "rectification",
            "科技服务窗口办事指南不清晰",
            RECT,
            keji,
            ("马丽", Some("shenyang_keji_liaison")),
            10,
            &["重新编制办事指南并公开"],
            "影响科技创新问题专项整改",
            None,
            None,
        )
        .await?;
    let old = s
        .deliver(
            "shenyang_keji_liaison",
            old,
            "办事指南已重新编制并在网站公开",
        )
        .await?;
    s.at(-75);
    let old = s
        .step(
            "shenyang_office",
            &old,
            Action::Close {
                opinion: String::new(),
            },
        )
        .await?;
    s.at(-40);
    let _ = s.step("shenyang_office", &old, Action::PassRecheck).await?;
    n += 1;
    Ok(n)
}

/// One rectification item of the transport department awaiting the office's verdict.
async fn port(s: &Seeder) -> anyhow::Result<usize> {
    let mut n = 0usize;
    s.at(-12);
    let port = s
        .record(
            "liaison",
            "rectification",
            "港口收费项目公示不全",
            RECT,
            "D-TRANSPORT-PORT",
            ("刘洋", None),
            30,
            &["全面公示港口收费目录", "开展收费专项检查"],
            "营商环境",
            None,
            None,
        )
        .await?;
    let _ = s
        .deliver("liaison", port, "收费目录已在港口及网站公示")
        .await?;
    n += 1;
    Ok(n)
}

/// How the demo's tasks and its units' own rectification items are classed: (phase, source, type).
const TASK: (&str, &str, &str) = ("rectification", "superior_instruction", "time_limited");
const RECT: (&str, &str, &str) = ("review", "self_examination", "time_limited");
