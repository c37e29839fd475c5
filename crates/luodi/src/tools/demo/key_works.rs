//! The demo's key works, with indicators and weekly actuals: border toll stations removed,
//! rural roads, Dalian's 100 matters at "at most one trip", the "double hundred" projects.

use super::past::Past;
use super::{actor, org};
use chrono::Duration;
use luodi_service::keyworks::{ActualInput, ConfidenceInput, IndicatorInput, KeyWorkInput};
use luodi_service::Services;

/// Key works and indicators, with weekly actuals and the confidence in reaching the target.
pub async fn seed(svc: &Services, campaign: i64) -> anyhow::Result<()> {
    let p = &Past::new(svc, campaign);
    let liaison = actor(p.svc, "liaison").await?;
    let keji = actor(p.svc, "shenyang_keji_liaison").await?;
    let dalian = actor(p.svc, "dalian_liaison").await?;
    struct Ind {
        name: &'static str,
        unit: &'static str,
        baseline: f64,
        target: f64,
        direction: &'static str,
        weeks: i64,
        /// Actuals of the last weeks, oldest first (ending last week).
        actuals: &'static [f64],
        confidence: &'static str,
    }
    struct Work<'a> {
        who: &'a luodi_service::Actor,
        code: &'static str,
        title: &'static str,
        description: &'static str,
        indicators: &'static [Ind],
        /// Demo tasks (by title) that carry it.
        tasks: &'static [&'static str],
    }
    let works = [
        Work {
            who: &liaison,
            code: "D-TRANSPORT",
            title: "取消高速公路省界收费站",
            description: "以 ETC 门架替代省界收费站，提升高速公路通行效率。",
            indicators: &[
                Ind {
                    name: "省界收费站拆除数",
                    unit: "个",
                    baseline: 0.0,
                    target: 8.0,
                    direction: "increase",
                    weeks: 8,
                    actuals: &[1.0, 2.0, 2.0, 2.0],
                    confidence: "medium",
                },
                Ind {
                    name: "货车平均通过省界时间",
                    unit: "分钟",
                    baseline: 30.0,
                    target: 10.0,
                    direction: "decrease",
                    weeks: 8,
                    actuals: &[28.0, 24.0, 22.0, 18.0],
                    confidence: "high",
                },
            ],
            tasks: &["取消高速公路省界收费站"],
        },
        Work {
            who: &liaison,
            code: "D-TRANSPORT",
            title: "四好农村路建设",
            description: "建好、管好、护好、运营好农村公路。",
            indicators: &[Ind {
                name: "新改建农村公路里程",
                unit: "公里",
                baseline: 0.0,
                target: 1200.0,
                direction: "increase",
                weeks: 12,
                actuals: &[100.0, 210.0, 330.0, 420.0],
                confidence: "high",
            }],
            tasks: &["四好农村路建设"],
        },
        Work {
            who: &dalian,
            code: "210200-BIZENV",
            title: "推进100个高频事项“最多跑一次”",
            description: "营商环境建设突出问题专项整治的重点措施。",
            indicators: &[Ind {
                name: "实现“最多跑一次”的高频事项",
                unit: "项",
                baseline: 0.0,
                target: 100.0,
                direction: "increase",
                weeks: 10,
                actuals: &[8.0, 19.0, 30.0, 36.0],
                confidence: "medium",
            }],
            tasks: &[],
        },
        Work {
            who: &keji,
            code: "210100-SCITECH",
            title: "科技创新“双百工程”",
            description: "百家科技型企业、百个重大科技项目实名制服务。",
            indicators: &[Ind {
                name: "实名制服务项目",
                unit: "个",
                baseline: 0.0,
                target: 200.0,
                direction: "increase",
                weeks: 10,
                actuals: &[10.0, 18.0, 25.0, 31.0],
                confidence: "low",
            }],
            tasks: &[],
        },
    ];
    let start = p.monday - Duration::weeks(4);
    p.at(start);
    for Work {
        who,
        code,
        title,
        description,
        indicators: inds,
        tasks,
    } in works
    {
        let k = luodi_service::keyworks::create(
            &p.past,
            who,
            KeyWorkInput {
                campaign_id: p.campaign,
                org_id: org(p.svc, code).await?.id,
                title: title.into(),
                description: description.into(),
            },
        )
        .await?;
        let kid = k.key_work.id;
        for task in tasks {
            let found = luodi_service::search::find(
                p.svc,
                who,
                task,
                Some("item"),
                Some(p.campaign),
                luodi_store::Page::new(1, 5),
            )
            .await?;
            if let Some(h) = found.hits.items.iter().find(|h| h.title == *task) {
                luodi_service::keyworks::link_task(&p.past, who, kid, h.doc_id).await?;
            }
        }
        for ind in inds {
            p.at(start);
            let v = luodi_service::keyworks::add_indicator(
                &p.past,
                who,
                kid,
                IndicatorInput {
                    name: ind.name.into(),
                    unit: ind.unit.into(),
                    baseline: ind.baseline,
                    target: ind.target,
                    direction: ind.direction.into(),
                    start_on: start,
                    target_on: start + Duration::weeks(ind.weeks),
                    plan: None,
                },
            )
            .await?;
            let Some(created) = v.indicators.iter().find(|i| i.indicator.name == ind.name) else {
                continue;
            };
            let iid = created.indicator.id;
            for (i, value) in ind.actuals.iter().enumerate() {
                // Entered on the Friday of each of the last four weeks.
                let week = start + Duration::weeks(i as i64) + Duration::days(4);
                p.at(week);
                luodi_service::keyworks::record_actual(
                    &p.past,
                    who,
                    iid,
                    ActualInput {
                        week_on: week,
                        value: *value,
                    },
                )
                .await?;
            }
            luodi_service::keyworks::set_confidence(
                &p.past,
                who,
                iid,
                ConfidenceInput {
                    confidence: ind.confidence.into(),
                    note: String::new(),
                    version: created.indicator.version,
                },
            )
            .await?;
        }
    }
    p.done();
    Ok(())
}
