//! Demo data drawn from the source article: the organisation tree of 辽宁省 (the 14 cities with a
//! selection of their districts and counties, the provincial departments, units and enterprises
//! the article names, down to party branches), the “不忘初心、牢记使命” campaign with its general
//! requirements, fundamental task, five goals and four parallel phases, and one demo account per
//! role.
//!
//! Pure data: std only, no I/O, no randomness. Every call returns the same values in the same
//! order, and `orgs()` always lists a parent before its children, so the tree can be inserted in
//! one pass.
//!
//! Longer than a module should be (about 830 lines before its tests) because it is the article's
//! material written out as tables, one org or goal per line; there is no logic to split.

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "Luodi@2026-demo";

/// Every org kind the demo uses (and the only ones the domain knows).
pub const ORG_KINDS: [&str; 7] = [
    "province",
    "city",
    "county",
    "department",
    "enterprise",
    "unit",
    "branch",
];

/// Every role string the demo accounts use.
pub const ROLES: [&str; 8] = [
    "system_admin",
    "security_admin",
    "audit_admin",
    "campaign_office",
    "supervisor",
    "unit_liaison",
    "responsible_person",
    "leader",
];

/// Code of the root org, 辽宁省 (administrative division code).
pub const ROOT_CODE: &str = "210000";

/// Code of the provincial campaign office (省委主题教育领导小组办公室), the campaign's owner.
pub const PROVINCE_OFFICE_CODE: &str = "D-OFFICE";

const PROVINCE: &str = "province";
const CITY: &str = "city";
const COUNTY: &str = "county";
const DEPARTMENT: &str = "department";
const ENTERPRISE: &str = "enterprise";
const UNIT: &str = "unit";
const BRANCH: &str = "branch";

/// One node of the demo organisation tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOrg {
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub parent_code: Option<String>,
}

/// One goal (具体目标) of the demo campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoGoal {
    pub title: &'static str,
    pub description: &'static str,
}

/// One phase (阶段) of the demo campaign; dates are (year, month, day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPhase {
    pub kind: &'static str,
    pub name: &'static str,
    pub starts_on: (i32, u32, u32),
    pub ends_on: (i32, u32, u32),
}

/// The demo campaign; dates are (year, month, day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCampaign {
    pub name: &'static str,
    pub owner_code: &'static str,
    pub requirements: &'static str,
    pub fundamental_task: &'static str,
    pub starts_on: (i32, u32, u32),
    pub ends_on: (i32, u32, u32),
    pub goals: Vec<DemoGoal>,
    pub phases: Vec<DemoPhase>,
    pub scope_codes: Vec<&'static str>,
}

/// One demo user account; all share [`DEMO_PASSWORD`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: &'static str,
    pub org_code: Option<&'static str>,
}

// ---------------------------------------------------------------------------------------------
// Fixed name lists
// ---------------------------------------------------------------------------------------------

/// (code, name, districts/counties as (code, name)). Real division codes.
/// (code, name) of an org.
type Named = (&'static str, &'static str);

const CITIES: [(&str, &str, &[Named]); 14] = [
    (
        "210100",
        "沈阳市",
        &[
            ("210102", "和平区"),
            ("210103", "沈河区"),
            ("210104", "大东区"),
            ("210105", "皇姑区"),
            ("210106", "铁西区"),
            ("210112", "浑南区"),
        ],
    ),
    (
        "210200",
        "大连市",
        &[
            ("210202", "中山区"),
            ("210203", "西岗区"),
            ("210204", "沙河口区"),
            ("210211", "甘井子区"),
            ("210212", "旅顺口区"),
            ("210213", "金州区"),
        ],
    ),
    (
        "210300",
        "鞍山市",
        &[
            ("210302", "铁东区"),
            ("210304", "立山区"),
            ("210311", "千山区"),
            ("210381", "海城市"),
        ],
    ),
    (
        "210400",
        "抚顺市",
        &[
            ("210402", "新抚区"),
            ("210403", "东洲区"),
            ("210404", "望花区"),
            ("210411", "顺城区"),
        ],
    ),
    (
        "210500",
        "本溪市",
        &[
            ("210502", "平山区"),
            ("210503", "溪湖区"),
            ("210504", "明山区"),
        ],
    ),
    (
        "210600",
        "丹东市",
        &[
            ("210602", "元宝区"),
            ("210603", "振兴区"),
            ("210604", "振安区"),
            ("210681", "东港市"),
        ],
    ),
    (
        "210700",
        "锦州市",
        &[
            ("210702", "古塔区"),
            ("210703", "凌河区"),
            ("210711", "太和区"),
            ("210781", "凌海市"),
        ],
    ),
    (
        "210800",
        "营口市",
        &[
            ("210802", "站前区"),
            ("210803", "西市区"),
            ("210804", "鲅鱼圈区"),
            ("210811", "老边区"),
        ],
    ),
    (
        "210900",
        "阜新市",
        &[
            ("210902", "海州区"),
            ("210904", "太平区"),
            ("210911", "细河区"),
        ],
    ),
    (
        "211000",
        "辽阳市",
        &[
            ("211002", "白塔区"),
            ("211003", "文圣区"),
            ("211004", "宏伟区"),
        ],
    ),
    (
        "211100",
        "盘锦市",
        &[
            ("211102", "双台子区"),
            ("211103", "兴隆台区"),
            ("211104", "大洼区"),
        ],
    ),
    (
        "211200",
        "铁岭市",
        &[
            ("211202", "银州区"),
            ("211204", "清河区"),
            ("211282", "开原市"),
        ],
    ),
    (
        "211300",
        "朝阳市",
        &[
            ("211302", "双塔区"),
            ("211303", "龙城区"),
            ("211381", "北票市"),
        ],
    ),
    (
        "211400",
        "葫芦岛市",
        &[
            ("211402", "连山区"),
            ("211403", "龙港区"),
            ("211481", "兴城市"),
        ],
    ),
];

/// Street (街道) names given to the counties in turn, one each.
const STREETS: [&str; 13] = [
    "新华街道",
    "胜利街道",
    "建设街道",
    "站前街道",
    "长江街道",
    "光明街道",
    "解放街道",
    "人民街道",
    "友谊街道",
    "新兴街道",
    "东风街道",
    "文化街道",
    "向阳街道",
];

/// Community (社区) names given to the streets in turn, one each.
const COMMUNITIES: [&str; 11] = [
    "幸福社区",
    "和谐社区",
    "阳光社区",
    "锦绣社区",
    "民主社区",
    "春晖社区",
    "金桥社区",
    "文明社区",
    "繁荣社区",
    "丽景社区",
    "滨河社区",
];

/// Further provincial departments: (code, full name, short name used in branch names).
const OTHER_DEPARTMENTS: [(&str, &str, &str); 8] = [
    ("D-DRC", "辽宁省发展和改革委员会", "省发展改革委"),
    ("D-EDU", "辽宁省教育厅", "省教育厅"),
    ("D-SCITECH", "辽宁省科学技术厅", "省科技厅"),
    ("D-BIZENV", "辽宁省营商环境建设局", "省营商局"),
    ("D-HOUSING", "辽宁省住房和城乡建设厅", "省住房城乡建设厅"),
    ("D-AGRI", "辽宁省农业农村厅", "省农业农村厅"),
    ("D-HEALTH", "辽宁省卫生健康委员会", "省卫生健康委"),
    ("D-NATRES", "辽宁省自然资源厅", "省自然资源厅"),
];

/// Divisions (管理处) of the provincial expressway administration:
/// (code suffix, name, toll stations as (code suffix, name)).
const HIGHWAY_DIVISIONS: [(&str, &str, [Named; 2]); 4] = [
    (
        "SY",
        "省高速公路管理局沈阳管理处",
        [("T01", "沈阳南收费站"), ("T02", "沈阳西收费站")],
    ),
    (
        "DL",
        "省高速公路管理局大连管理处",
        [("T01", "大连收费站"), ("T02", "金州收费站")],
    ),
    (
        "DD",
        "省高速公路管理局丹东管理处",
        [("T01", "丹东收费站"), ("T02", "宽甸收费站")],
    ),
    (
        "JZ",
        "省高速公路管理局锦州管理处",
        [("T01", "万家省界收费站"), ("T02", "锦州收费站")],
    ),
];

const ORDINALS: [&str; 3] = ["第一", "第二", "第三"];

// ---------------------------------------------------------------------------------------------
// Tree builder
// ---------------------------------------------------------------------------------------------

struct Tree {
    orgs: Vec<DemoOrg>,
}

impl Tree {
    fn add(&mut self, code: &str, name: &str, kind: &'static str, parent: Option<&str>) {
        self.orgs.push(DemoOrg {
            code: code.to_owned(),
            name: name.to_owned(),
            kind,
            parent_code: parent.map(str::to_owned),
        });
    }

    fn child(&mut self, parent: &str, code: &str, name: &str, kind: &'static str) {
        self.add(code, name, kind, Some(parent));
    }
}

/// The demo organisation tree; parents are always listed before their children.
pub fn orgs() -> Vec<DemoOrg> {
    let mut t = Tree { orgs: Vec::new() };
    t.add(ROOT_CODE, "辽宁省", PROVINCE, None);

    provincial_orgs(&mut t);
    city_orgs(&mut t);

    t.orgs
}

fn provincial_orgs(t: &mut Tree) {
    // The campaign office.
    t.child(
        ROOT_CODE,
        PROVINCE_OFFICE_CODE,
        "省委主题教育领导小组办公室",
        DEPARTMENT,
    );

    // 省档案馆: study, exhibitions of archival documents, research on weak spots.
    let archives = "D-ARCHIVES";
    t.child(ROOT_CODE, archives, "辽宁省档案馆", UNIT);
    t.child(
        archives,
        "D-ARCHIVES-PB",
        "辽宁省档案馆馆机关党支部",
        BRANCH,
    );
    t.child(
        archives,
        "D-ARCHIVES-RETIRED-PB",
        "辽宁省档案馆离退休干部党支部",
        BRANCH,
    );
    t.child(
        archives,
        "D-ARCHIVES-COLLECT",
        "省档案馆档案接收征集处",
        UNIT,
    );
    t.child(archives, "D-ARCHIVES-KEEP", "省档案馆档案保管处", UNIT);
    t.child(archives, "D-ARCHIVES-EXHIBIT", "省档案馆编研展览处", UNIT);
    t.child(
        "D-ARCHIVES-EXHIBIT",
        "D-ARCHIVES-EXHIBIT-PB",
        "省档案馆编研展览处党支部",
        BRANCH,
    );
    t.child(archives, "D-ARCHIVES-SERVICE", "省档案馆利用服务处", UNIT);

    transport_orgs(t);
    urban_construction_group_orgs(t);

    for (code, name, short) in OTHER_DEPARTMENTS {
        t.child(ROOT_CODE, code, name, DEPARTMENT);
        for (i, ordinal) in ORDINALS.iter().take(2).enumerate() {
            t.child(
                code,
                &format!("{code}-PB{}", i + 1),
                &format!("{short}机关{ordinal}党支部"),
                BRANCH,
            );
        }
    }
}

/// 省交通运输厅: toll stations at the provincial border, 四好农村路, port integration, logistics.
fn transport_orgs(t: &mut Tree) {
    let dept = "D-TRANSPORT";
    t.child(ROOT_CODE, dept, "辽宁省交通运输厅", DEPARTMENT);
    for (i, ordinal) in ORDINALS.iter().enumerate() {
        t.child(
            dept,
            &format!("{dept}-PB{}", i + 1),
            &format!("省交通运输厅厅机关{ordinal}党支部"),
            BRANCH,
        );
    }

    // Expressway administration, five levels below it down to the toll-station branches.
    let hwy = "D-TRANSPORT-HWY";
    t.child(dept, hwy, "辽宁省高速公路管理局", UNIT);
    t.child(
        hwy,
        "D-TRANSPORT-HWY-PB",
        "省高速公路管理局机关党支部",
        BRANCH,
    );
    for (suffix, name, stations) in HIGHWAY_DIVISIONS {
        let division = format!("{hwy}-{suffix}");
        t.child(hwy, &division, name, UNIT);
        t.child(
            &division,
            &format!("{division}-PB"),
            &format!("{name}机关党支部"),
            BRANCH,
        );
        for (station_suffix, station_name) in stations {
            let station = format!("{division}-{station_suffix}");
            t.child(&division, &station, station_name, UNIT);
            t.child(
                &station,
                &format!("{station}-PB"),
                &format!("{station_name}党支部"),
                BRANCH,
            );
        }
    }

    let port = "D-TRANSPORT-PORT";
    t.child(dept, port, "辽宁省港航管理处", UNIT);
    t.child(port, "D-TRANSPORT-PORT-PB", "省港航管理处党支部", BRANCH);
    t.child(port, "D-TRANSPORT-PORT-YK", "营口港航管理站", UNIT);
    t.child(port, "D-TRANSPORT-PORT-DD", "丹东港航管理站", UNIT);

    let road = "D-TRANSPORT-ROAD";
    t.child(dept, road, "辽宁省公路管理局", UNIT);
    t.child(
        road,
        "D-TRANSPORT-ROAD-PB",
        "省公路管理局机关党支部",
        BRANCH,
    );
    t.child(
        road,
        "D-TRANSPORT-ROAD-RURAL",
        "省公路管理局农村公路处",
        UNIT,
    );

    let freight = "D-TRANSPORT-FREIGHT";
    t.child(dept, freight, "辽宁省道路运输管理局", UNIT);
    t.child(
        freight,
        "D-TRANSPORT-FREIGHT-PB",
        "省道路运输管理局机关党支部",
        BRANCH,
    );
    t.child(
        freight,
        "D-TRANSPORT-FREIGHT-LOG",
        "省道路运输管理局物流发展处",
        UNIT,
    );
}

/// 省城乡建设集团: a newly formed provincial group with subsidiaries and their branches.
fn urban_construction_group_orgs(t: &mut Tree) {
    let group = "D-UCG";
    t.child(
        ROOT_CODE,
        group,
        "辽宁省城乡建设集团有限责任公司",
        ENTERPRISE,
    );
    t.child(group, "D-UCG-PB", "城乡建设集团机关党支部", BRANCH);

    let design = "D-UCG-DESIGN";
    t.child(
        group,
        design,
        "辽宁省建筑设计研究院有限责任公司",
        ENTERPRISE,
    );
    t.child(
        design,
        "D-UCG-DESIGN-PB1",
        "省建筑设计研究院第一党支部",
        BRANCH,
    );
    t.child(
        design,
        "D-UCG-DESIGN-PB2",
        "省建筑设计研究院第二党支部",
        BRANCH,
    );
    t.child(
        design,
        "D-UCG-DESIGN-S1",
        "省建筑设计研究院第一设计所",
        UNIT,
    );
    t.child(
        "D-UCG-DESIGN-S1",
        "D-UCG-DESIGN-S1-PB",
        "省建筑设计研究院第一设计所党支部",
        BRANCH,
    );

    let muni = "D-UCG-MUNI";
    t.child(group, muni, "辽宁城乡市政工程集团有限责任公司", ENTERPRISE);
    t.child(muni, "D-UCG-MUNI-PB", "城乡市政工程集团机关党支部", BRANCH);
    let company = "D-UCG-MUNI-C1";
    t.child(
        muni,
        company,
        "辽宁城乡市政工程集团第一工程有限公司",
        ENTERPRISE,
    );
    let project = "D-UCG-MUNI-C1-P01";
    t.child(company, project, "市政第一工程有限公司城市更新项目部", UNIT);
    t.child(
        project,
        "D-UCG-MUNI-C1-P01-PB",
        "市政第一工程有限公司城市更新项目部党支部",
        BRANCH,
    );

    let plan = "D-UCG-PLAN";
    t.child(
        group,
        plan,
        "辽宁城乡建设规划设计院有限责任公司",
        ENTERPRISE,
    );
    t.child(plan, "D-UCG-PLAN-PB", "城乡建设规划设计院党支部", BRANCH);
}

fn city_orgs(t: &mut Tree) {
    let mut county_index = 0usize;
    for (city_code, city_name, counties) in CITIES {
        t.child(ROOT_CODE, city_code, city_name, CITY);
        t.child(
            city_code,
            &format!("{city_code}-OFFICE"),
            &format!("{city_name}委主题教育领导小组办公室"),
            DEPARTMENT,
        );

        if city_code == "210100" {
            shenyang_scitech_orgs(t, city_code);
        }
        if city_code == "210200" {
            dalian_business_environment_orgs(t, city_code);
        }

        for &(county_code, county_name) in counties {
            t.child(city_code, county_code, county_name, COUNTY);
            t.child(
                county_code,
                &format!("{county_code}-BIZENV"),
                &format!("{county_name}营商环境建设局"),
                DEPARTMENT,
            );
            t.child(
                county_code,
                &format!("{county_code}-TRANSPORT"),
                &format!("{county_name}交通运输局"),
                DEPARTMENT,
            );
            let street = STREETS[county_index % STREETS.len()];
            let community = COMMUNITIES[county_index % COMMUNITIES.len()];
            let street_code = format!("{county_code}-ST01");
            t.child(
                county_code,
                &street_code,
                &format!("{county_name}{street}党工委"),
                UNIT,
            );
            t.child(
                &street_code,
                &format!("{street_code}-C01"),
                &format!("{county_name}{street}{community}党支部"),
                BRANCH,
            );
            county_index += 1;
        }
    }
}

/// 沈阳市科技局: 科技创新“区县行”, “双百工程” project service.
fn shenyang_scitech_orgs(t: &mut Tree, city_code: &str) {
    let bureau = format!("{city_code}-SCITECH");
    t.child(city_code, &bureau, "沈阳市科技局", DEPARTMENT);
    t.child(
        &bureau,
        &format!("{bureau}-PB1"),
        "沈阳市科技局机关第一党支部",
        BRANCH,
    );
    t.child(
        &bureau,
        &format!("{bureau}-PB2"),
        "沈阳市科技局机关第二党支部",
        BRANCH,
    );
    let centre = format!("{bureau}-SVC");
    t.child(&bureau, &centre, "沈阳市科技创新服务中心", UNIT);
    t.child(
        &centre,
        &format!("{centre}-PB"),
        "沈阳市科技创新服务中心党支部",
        BRANCH,
    );
}

/// 大连市营商环境建设局: the 营商环境建设突出问题 special programme, “最多跑一次”, “一网通办”.
fn dalian_business_environment_orgs(t: &mut Tree, city_code: &str) {
    let bureau = format!("{city_code}-BIZENV");
    t.child(city_code, &bureau, "大连市营商环境建设局", DEPARTMENT);
    t.child(
        &bureau,
        &format!("{bureau}-PB"),
        "大连市营商环境建设局机关党支部",
        BRANCH,
    );
    let centre = format!("{bureau}-SVC");
    t.child(&bureau, &centre, "大连市政务服务中心", UNIT);
    t.child(
        &centre,
        &format!("{centre}-PB"),
        "大连市政务服务中心党支部",
        BRANCH,
    );
    t.child(
        &bureau,
        &format!("{bureau}-TRADE"),
        "大连市公共资源交易中心",
        UNIT,
    );
}

// ---------------------------------------------------------------------------------------------
// Campaign
// ---------------------------------------------------------------------------------------------

const CAMPAIGN_START: (i32, u32, u32) = (2026, 9, 1);
const CAMPAIGN_END: (i32, u32, u32) = (2027, 2, 28);
const REVIEW_START: (i32, u32, u32) = (2026, 9, 15);

/// The demo campaign, owned by the provincial campaign office, covering the whole province.
pub fn campaign() -> DemoCampaign {
    DemoCampaign {
        name: "“不忘初心、牢记使命”主题教育",
        owner_code: PROVINCE_OFFICE_CODE,
        requirements: "守初心、担使命，找差距、抓落实",
        fundamental_task: "深入学习贯彻习近平新时代中国特色社会主义思想，锤炼忠诚干净担当的政治品格，团结带领全国各族人民为实现伟大梦想共同奋斗",
        starts_on: CAMPAIGN_START,
        ends_on: CAMPAIGN_END,
        goals: vec![
            DemoGoal {
                title: "理论学习有收获",
                description: "引导党员干部坚持读原著、学原文、悟原理，加深对党的创新理论的理解，提高运用理论指导实践、推动工作的能力。",
            },
            DemoGoal {
                title: "思想政治受洗礼",
                description: "引导党员干部牢固树立“四个意识”、坚定“四个自信”、做到“两个维护”，在思想上政治上行动上同党中央保持高度一致。",
            },
            DemoGoal {
                title: "干事创业敢担当",
                description: "引导党员干部保持只争朝夕、奋发有为的奋斗姿态，以钉钉子精神抓工作落实，推动重点工作取得实效。",
            },
            DemoGoal {
                title: "为民服务解难题",
                description: "引导党员干部坚守人民立场，着力解决群众和企业的操心事、烦心事，以为民谋利、为民尽责的实际成效取信于民。",
            },
            DemoGoal {
                title: "清正廉洁作表率",
                description: "引导党员干部保持为民务实清廉的政治本色，自觉同特权思想和特权现象作斗争，清白做人、勤俭做事、干净干事。",
            },
        ],
        phases: vec![
            DemoPhase {
                kind: "study",
                name: "学习教育",
                starts_on: CAMPAIGN_START,
                ends_on: CAMPAIGN_END,
            },
            DemoPhase {
                kind: "research",
                name: "调查研究",
                starts_on: CAMPAIGN_START,
                ends_on: CAMPAIGN_END,
            },
            DemoPhase {
                kind: "review",
                name: "检视问题",
                starts_on: REVIEW_START,
                ends_on: CAMPAIGN_END,
            },
            DemoPhase {
                kind: "rectification",
                name: "整改落实",
                starts_on: CAMPAIGN_START,
                ends_on: CAMPAIGN_END,
            },
        ],
        scope_codes: vec![ROOT_CODE],
    }
}

// ---------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------

/// The demo accounts: at least one per role; all use [`DEMO_PASSWORD`].
pub fn accounts() -> Vec<DemoAccount> {
    fn account(
        username: &'static str,
        display_name: &'static str,
        role: &'static str,
        org_code: Option<&'static str>,
    ) -> DemoAccount {
        DemoAccount {
            username,
            display_name,
            role,
            org_code,
        }
    }

    vec![
        account("sysadmin", "张明（系统管理员）", "system_admin", None),
        account("secadmin", "李强（安全管理员）", "security_admin", None),
        account("auditor", "王芳（安全审计员）", "audit_admin", None),
        account(
            "office",
            "赵丽（省委主题教育办公室）",
            "campaign_office",
            Some(ROOT_CODE),
        ),
        account(
            "supervisor",
            "陈刚（省委第一巡回督导组）",
            "supervisor",
            Some(ROOT_CODE),
        ),
        account(
            "liaison",
            "刘洋（省交通运输厅联络员）",
            "unit_liaison",
            Some("D-TRANSPORT"),
        ),
        account(
            "owner",
            "孙伟（省高速公路管理局责任人）",
            "responsible_person",
            Some("D-TRANSPORT-HWY"),
        ),
        account(
            "leader",
            "周建国（省委主题教育领导小组）",
            "leader",
            Some(ROOT_CODE),
        ),
        account(
            "dalian_liaison",
            "郑敏（大连市营商环境建设局联络员）",
            "unit_liaison",
            Some("210200-BIZENV"),
        ),
        account(
            "dalian_owner",
            "黄磊（大连市政务服务中心责任人）",
            "responsible_person",
            Some("210200-BIZENV-SVC"),
        ),
        account(
            "shenyang_office",
            "吴磊（沈阳市委主题教育办公室）",
            "campaign_office",
            Some("210100"),
        ),
        account(
            "shenyang_keji_liaison",
            "马丽（沈阳市科技局联络员）",
            "unit_liaison",
            Some("210100-SCITECH"),
        ),
        account(
            "archives_liaison",
            "何静（省档案馆联络员）",
            "unit_liaison",
            Some("D-ARCHIVES"),
        ),
        account(
            "chengjian_liaison",
            "高峰（城乡建设集团联络员）",
            "unit_liaison",
            Some("D-UCG"),
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    fn depth_of(code: &str, parents: &HashMap<&str, Option<&str>>) -> usize {
        let mut depth = 1;
        let mut current = code;
        while let Some(&Some(parent)) = parents.get(current) {
            depth += 1;
            current = parent;
            assert!(depth <= 64, "cycle at {code}");
        }
        depth
    }

    #[test]
    fn codes_are_unique_and_ascii() {
        let orgs = orgs();
        let mut seen = HashSet::new();
        for org in &orgs {
            assert!(
                seen.insert(org.code.as_str()),
                "duplicate code {}",
                org.code
            );
            assert!(
                !org.code.is_empty() && org.code.len() <= 32,
                "bad length {}",
                org.code
            );
            assert!(
                org.code
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "bad characters in {}",
                org.code
            );
            assert!(!org.name.trim().is_empty(), "empty name for {}", org.code);
        }
    }

    #[test]
    fn names_are_unique() {
        let orgs = orgs();
        let mut seen = HashSet::new();
        for org in &orgs {
            assert!(
                seen.insert(org.name.as_str()),
                "duplicate name {}",
                org.name
            );
        }
    }

    #[test]
    fn parents_exist_and_come_first() {
        let orgs = orgs();
        let mut listed = HashSet::new();
        for org in &orgs {
            if let Some(parent) = &org.parent_code {
                assert!(
                    listed.contains(parent.as_str()),
                    "{} listed before its parent {}",
                    org.code,
                    parent
                );
            }
            listed.insert(org.code.as_str());
        }
    }

    #[test]
    fn exactly_one_root() {
        let orgs = orgs();
        let roots: Vec<&DemoOrg> = orgs.iter().filter(|o| o.parent_code.is_none()).collect();
        assert_eq!(roots.len(), 1);
        assert_eq!(roots[0].code, ROOT_CODE);
        assert_eq!(roots[0].name, "辽宁省");
        assert_eq!(roots[0].kind, "province");
        assert_eq!(orgs[0].code, ROOT_CODE);
    }

    #[test]
    fn count_is_a_few_hundred() {
        let n = orgs().len();
        assert!((250..=450).contains(&n), "{n} orgs");
    }

    #[test]
    fn kinds_are_valid() {
        let orgs = orgs();
        for org in &orgs {
            assert!(
                ORG_KINDS.contains(&org.kind),
                "bad kind {} for {}",
                org.kind,
                org.code
            );
        }
        for kind in ORG_KINDS {
            assert!(orgs.iter().any(|o| o.kind == kind), "no org of kind {kind}");
        }
        assert_eq!(orgs.iter().filter(|o| o.kind == "city").count(), 14);
        for org in orgs.iter().filter(|o| o.kind == "city") {
            assert_eq!(org.parent_code.as_deref(), Some(ROOT_CODE));
        }
    }

    #[test]
    fn accounts_are_valid() {
        let orgs = orgs();
        let codes: HashSet<&str> = orgs.iter().map(|o| o.code.as_str()).collect();
        let accounts = accounts();
        let mut usernames = HashSet::new();
        for account in &accounts {
            assert!(
                usernames.insert(account.username),
                "duplicate {}",
                account.username
            );
            assert!(
                account
                    .username
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "bad username {}",
                account.username
            );
            assert!(ROLES.contains(&account.role), "bad role {}", account.role);
            if let Some(code) = account.org_code {
                assert!(
                    codes.contains(code),
                    "{} bound to unknown org {code}",
                    account.username
                );
            }
        }
        for role in ROLES {
            assert!(
                accounts.iter().any(|a| a.role == role),
                "no account for {role}"
            );
        }
    }

    #[test]
    fn article_orgs_are_present() {
        let orgs = orgs();
        for name in [
            "省委主题教育领导小组办公室",
            "辽宁省档案馆",
            "辽宁省交通运输厅",
            "辽宁省高速公路管理局",
            "辽宁省城乡建设集团有限责任公司",
            "沈阳市科技局",
            "大连市营商环境建设局",
        ] {
            assert!(orgs.iter().any(|o| o.name == name), "missing {name}");
        }
        for fragment in ["省档案馆", "省交通运输厅", "城乡建设集团"] {
            assert!(
                orgs.iter().any(|o| o.name.contains(fragment)),
                "missing {fragment}"
            );
        }
        let by_name = |name: &str| orgs.iter().find(|o| o.name == name).cloned();
        let scitech = by_name("沈阳市科技局").expect("沈阳市科技局");
        assert_eq!(scitech.parent_code.as_deref(), Some("210100"));
        let bizenv = by_name("大连市营商环境建设局").expect("大连市营商环境建设局");
        assert_eq!(bizenv.parent_code.as_deref(), Some("210200"));
    }

    #[test]
    fn tree_is_deep_enough() {
        let orgs = orgs();
        let parents: HashMap<&str, Option<&str>> = orgs
            .iter()
            .map(|o| (o.code.as_str(), o.parent_code.as_deref()))
            .collect();
        let max = orgs
            .iter()
            .map(|o| depth_of(&o.code, &parents))
            .max()
            .unwrap_or(0);
        assert!(max >= 5, "max depth {max}");
    }

    #[test]
    fn campaign_is_consistent() {
        let orgs = orgs();
        let codes: HashSet<&str> = orgs.iter().map(|o| o.code.as_str()).collect();
        let c = campaign();
        assert!(codes.contains(c.owner_code));
        assert_eq!(c.owner_code, PROVINCE_OFFICE_CODE);
        for code in &c.scope_codes {
            assert!(codes.contains(code), "unknown scope {code}");
        }
        assert_eq!(c.goals.len(), 5);
        let kinds: Vec<&str> = c.phases.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, ["study", "research", "review", "rectification"]);
        assert!(c.starts_on < c.ends_on);
        for phase in &c.phases {
            assert!(phase.starts_on >= c.starts_on && phase.ends_on <= c.ends_on);
            assert!(phase.starts_on < phase.ends_on);
        }
        assert!(c.name.contains("不忘初心、牢记使命"));
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(orgs(), orgs());
        assert_eq!(campaign(), campaign());
        assert_eq!(accounts(), accounts());
    }
}
