//! The organisation tree. Each org stores a materialised path (`/1/5/23/`) so that a subtree is
//! one index range scan, never a recursion per request nor a query per org.

use crate::validate::Validation;
use serde::{Deserialize, Serialize};

/// Kinds of nodes in the tree, from the province down to a party branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Province,
    City,
    County,
    Department,
    Enterprise,
    Unit,
    Branch,
}

impl OrgKind {
    pub const ALL: [OrgKind; 7] = [
        OrgKind::Province,
        OrgKind::City,
        OrgKind::County,
        OrgKind::Department,
        OrgKind::Enterprise,
        OrgKind::Unit,
        OrgKind::Branch,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Province => "province",
            OrgKind::City => "city",
            OrgKind::County => "county",
            OrgKind::Department => "department",
            OrgKind::Enterprise => "enterprise",
            OrgKind::Unit => "unit",
            OrgKind::Branch => "branch",
        }
    }

    /// The Chinese label users see (and type in spreadsheets).
    pub fn label_zh(self) -> &'static str {
        match self {
            OrgKind::Province => "省",
            OrgKind::City => "市",
            OrgKind::County => "县区",
            OrgKind::Department => "部门",
            OrgKind::Enterprise => "企业",
            OrgKind::Unit => "单位",
            OrgKind::Branch => "支部",
        }
    }

    /// Accepts the code name (`city`) or a Chinese label (`市`, `地市`, `县`, `区`, `党支部` …),
    /// as people write them in spreadsheets.
    pub fn parse(s: &str) -> Option<OrgKind> {
        let s = s.trim();
        let lower = s.to_ascii_lowercase();
        if let Some(k) = OrgKind::ALL.iter().find(|k| k.as_str() == lower) {
            return Some(*k);
        }
        Some(match s {
            "省" | "省级" => OrgKind::Province,
            "市" | "地市" | "市级" => OrgKind::City,
            "县" | "区" | "县区" | "县级" | "县（市、区）" => OrgKind::County,
            "部门" | "厅局" | "机关" => OrgKind::Department,
            "企业" | "国企" => OrgKind::Enterprise,
            "单位" | "基层单位" => OrgKind::Unit,
            "支部" | "党支部" => OrgKind::Branch,
            _ => return None,
        })
    }
}

/// The kind a new child of a `parent` org most likely has, to preselect on the form: under the
/// province its cities; under a city its counties and districts; under a county or a department
/// (厅局) their units; under an enterprise or a unit their units; under a branch nothing finer
/// than another branch. Without a parent (a new root), a province.
pub fn default_child_kind(parent: Option<OrgKind>) -> OrgKind {
    match parent {
        None => OrgKind::Province,
        Some(OrgKind::Province) => OrgKind::City,
        Some(OrgKind::City) => OrgKind::County,
        Some(OrgKind::County | OrgKind::Department | OrgKind::Enterprise | OrgKind::Unit) => {
            OrgKind::Unit
        }
        Some(OrgKind::Branch) => OrgKind::Branch,
    }
}

/// Maximum lengths, in characters.
pub const CODE_MAX: usize = 32;
pub const NAME_MAX: usize = 100;

/// A code is what spreadsheets and scripts refer to an org by: ASCII letters, digits, `-`, `_`.
pub fn validate_code(v: &mut Validation, field: &str, code: &str) {
    let code = code.trim();
    if code.is_empty() {
        v.add(field, "required");
    } else if code.len() > CODE_MAX {
        v.add_with(field, "too_long", vec![("max", CODE_MAX.to_string())]);
    } else if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        v.add(field, "bad_code");
    }
}

pub fn validate_name(v: &mut Validation, field: &str, name: &str) {
    v.text(field, name, NAME_MAX);
}

/// The materialised path of a child of `parent_path` (or of a root when `None`).
pub fn child_path(parent_path: Option<&str>, id: i64) -> String {
    format!("{}{}/", parent_path.unwrap_or("/"), id)
}

/// The half-open range `[lo, hi)` of paths in the subtree rooted at `path` (inclusive of it).
/// `/` sorts just below `0`, so replacing the trailing `/` by `0` bounds every descendant.
pub fn subtree_range(path: &str) -> (String, String) {
    let mut hi = path.trim_end_matches('/').to_owned();
    hi.push('0');
    (path.to_owned(), hi)
}

/// Whether `path` lies in the subtree rooted at `scope` (an org is within its own subtree).
/// The scope `/` is the whole forest.
pub fn is_within(path: &str, scope: &str) -> bool {
    path.starts_with(scope)
}

/// Depth of a path: roots are 0.
pub fn depth_of(path: &str) -> i64 {
    path.matches('/').count() as i64 - 2
}

/// Ids along a path, root first.
pub fn ancestor_ids(path: &str) -> Vec<i64> {
    path.split('/').filter_map(|s| s.parse().ok()).collect()
}

/// Why a move is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    #[error("an org cannot be moved under itself or its own descendant")]
    Cycle,
    #[error("the org is already under that parent")]
    SameParent,
}

/// Checks a re-parent of the org at `path` under `new_parent_path` (`None` = make it a root).
pub fn check_move(
    path: &str,
    current_parent: Option<&str>,
    new_parent_path: Option<&str>,
) -> Result<(), MoveError> {
    if let Some(np) = new_parent_path {
        if is_within(np, path) {
            return Err(MoveError::Cycle);
        }
    }
    if current_parent == new_parent_path {
        return Err(MoveError::SameParent);
    }
    Ok(())
}

/// The ways a typed lookup may name an org, each a list of words that must all appear in the
/// org's name, its code or its parent's name. The first is the text as typed (split at spaces);
/// the second, when the text runs a place name into a unit name without a space
/// (`辽宁省交通运输厅`, `沈阳市和平区`), splits each word after a 省 / 市 that neither starts
/// nor ends it: the province or city is then found in the parent's name, and a short name that
/// drops the province (`省交通运输厅…党支部`) is found as well. At most eight words are kept.
pub fn lookup_forms(q: &str) -> Vec<Vec<String>> {
    let typed: Vec<String> = q
        .split_whitespace()
        .take(8)
        .map(|w| w.to_lowercase())
        .collect();
    if typed.is_empty() {
        return Vec::new();
    }
    let mut split = Vec::new();
    for w in &typed {
        let chars: Vec<char> = w.chars().collect();
        let mut start = 0;
        for (i, c) in chars.iter().enumerate() {
            if matches!(c, '省' | '市') && i >= 2 && i + 1 < chars.len() {
                split.push(chars[start..=i].iter().collect::<String>());
                start = i + 1;
            }
        }
        split.push(chars[start..].iter().collect::<String>());
    }
    split.truncate(8);
    let mut forms = vec![typed];
    if split != forms[0] {
        forms.push(split);
    }
    forms
}

#[cfg(test)]
mod tests {

    #[test]
    fn child_kind_follows_the_parent() {
        assert_eq!(default_child_kind(None), OrgKind::Province);
        assert_eq!(default_child_kind(Some(OrgKind::Province)), OrgKind::City);
        assert_eq!(default_child_kind(Some(OrgKind::City)), OrgKind::County);
        assert_eq!(default_child_kind(Some(OrgKind::Department)), OrgKind::Unit);
        assert_eq!(default_child_kind(Some(OrgKind::County)), OrgKind::Unit);
        assert_eq!(default_child_kind(Some(OrgKind::Unit)), OrgKind::Unit);
        assert_eq!(default_child_kind(Some(OrgKind::Branch)), OrgKind::Branch);
        // Never the province below anything.
        for k in OrgKind::ALL {
            assert_ne!(default_child_kind(Some(k)), OrgKind::Province);
        }
    }

    use super::*;

    #[test]
    fn kinds_parse_codes_and_chinese_labels() {
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::parse(k.as_str()), Some(k));
            assert_eq!(OrgKind::parse(k.label_zh()), Some(k));
        }
        assert_eq!(OrgKind::parse(" 党支部 "), Some(OrgKind::Branch));
        assert_eq!(OrgKind::parse("City"), Some(OrgKind::City));
        assert_eq!(OrgKind::parse("村"), None);
    }

    #[test]
    fn paths_and_ranges() {
        let root = child_path(None, 1);
        assert_eq!(root, "/1/");
        let city = child_path(Some(&root), 5);
        assert_eq!(city, "/1/5/");
        assert_eq!(depth_of(&root), 0);
        assert_eq!(depth_of(&city), 1);
        let (lo, hi) = subtree_range(&city);
        for p in ["/1/5/", "/1/5/9/", "/1/5/999/12/"] {
            assert!(lo.as_str() <= p && p < hi.as_str(), "{p} in subtree");
        }
        for p in ["/1/50/", "/1/51/", "/1/4/", "/1/", "/2/5/"] {
            assert!(
                !(lo.as_str() <= p && p < hi.as_str()),
                "{p} outside subtree"
            );
        }
        assert!(is_within("/1/5/9/", "/1/5/"));
        assert!(!is_within("/1/50/", "/1/5/"));
        assert!(is_within("/7/", "/"));
        assert_eq!(ancestor_ids("/1/5/9/"), vec![1, 5, 9]);
    }

    #[test]
    fn moves_refuse_cycles() {
        assert_eq!(
            check_move("/1/5/", Some("/1/"), Some("/1/5/9/")),
            Err(MoveError::Cycle)
        );
        assert_eq!(
            check_move("/1/5/", Some("/1/"), Some("/1/5/")),
            Err(MoveError::Cycle)
        );
        assert_eq!(
            check_move("/1/5/", Some("/1/"), Some("/1/")),
            Err(MoveError::SameParent)
        );
        assert_eq!(check_move("/1/5/", Some("/1/"), Some("/1/50/")), Ok(()));
        assert_eq!(check_move("/1/5/", Some("/1/"), None), Ok(()));
    }

    #[test]
    fn codes() {
        let mut v = Validation::new();
        validate_code(&mut v, "a", "210000");
        validate_code(&mut v, "b", "D-交通");
        validate_code(&mut v, "c", "");
        validate_code(&mut v, "d", &"x".repeat(33));
        let codes: Vec<_> = v
            .errors
            .iter()
            .map(|e| (e.field.as_str(), e.code))
            .collect();
        assert_eq!(
            codes,
            vec![("b", "bad_code"), ("c", "required"), ("d", "too_long")]
        );
    }

    #[test]
    fn a_lookup_splits_place_names_run_into_unit_names() {
        assert_eq!(lookup_forms("  "), Vec::<Vec<String>>::new());
        assert_eq!(
            lookup_forms("第一党支部"),
            vec![vec!["第一党支部".to_owned()]]
        );
        assert_eq!(
            lookup_forms("沈阳  SY-t1"),
            vec![vec!["沈阳".to_owned(), "sy-t1".to_owned()]]
        );
        assert_eq!(
            lookup_forms("辽宁省交通运输厅"),
            vec![
                vec!["辽宁省交通运输厅".to_owned()],
                vec!["辽宁省".to_owned(), "交通运输厅".to_owned()]
            ]
        );
        assert_eq!(
            lookup_forms("沈阳市和平区 党支部"),
            vec![
                vec!["沈阳市和平区".to_owned(), "党支部".to_owned()],
                vec![
                    "沈阳市".to_owned(),
                    "和平区".to_owned(),
                    "党支部".to_owned()
                ]
            ]
        );
        // A 省 or 市 that starts or ends a word is part of the name.
        assert_eq!(lookup_forms("省教育厅"), vec![vec!["省教育厅".to_owned()]]);
        assert_eq!(lookup_forms("大连市"), vec![vec!["大连市".to_owned()]]);
    }
}
