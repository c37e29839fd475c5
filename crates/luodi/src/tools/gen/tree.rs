//! The synthetic org tree: six levels shaped like a real province.

use super::*;

/// An org of the synthetic tree; ids are positions + 1, parents come first.
#[derive(Debug, Clone)]
pub struct GenOrg {
    pub id: i64,
    pub parent: Option<i64>,
    pub code: String,
    pub name: String,
    pub kind: OrgKind,
    pub path: String,
    pub depth: i64,
}

#[derive(Default)]
struct TreeBuilder {
    orgs: Vec<GenOrg>,
    children: Vec<u32>,
    limit: usize,
}

impl TreeBuilder {
    fn full(&self) -> bool {
        self.orgs.len() >= self.limit
    }
    /// Adds a child of `parent` (an id), named by `name`; its code is the parent's plus `tag`
    /// and the child's ordinal. Returns the new id, or None when the tree is full.
    fn push(&mut self, parent: Option<i64>, kind: OrgKind, tag: &str, name: String) -> Option<i64> {
        if self.full() {
            return None;
        }
        let id = self.orgs.len() as i64 + 1;
        let (code, path, depth) = match parent {
            None => ("LN".to_owned(), format!("/{id}/"), 1),
            Some(p) => {
                let pi = (p - 1) as usize;
                self.children[pi] += 1;
                let n = self.children[pi];
                let parent = &self.orgs[pi];
                let width = if matches!(kind, OrgKind::Unit) { 3 } else { 2 };
                (
                    format!("{}{tag}{n:0width$}", parent.code),
                    format!("{}{id}/", parent.path),
                    parent.depth + 1,
                )
            }
        };
        self.orgs.push(GenOrg {
            id,
            parent,
            code,
            name,
            kind,
            path,
            depth,
        });
        self.children.push(0);
        Some(id)
    }
    fn name(&self, id: i64) -> String {
        self.orgs[(id - 1) as usize].name.clone()
    }
}

/// The org tree of a province of `n` orgs (exactly `n` when `n` ≥ 2): the province, its cities
/// and counties, departments at each of the three levels (a few provincial ones are
/// enterprises), then units under departments and Party branches under units, which take what
/// is left. At 10^5 orgs it has six levels.
pub fn province(n: usize, rng: &mut Rng) -> Vec<GenOrg> {
    let n = n.max(1);
    let mut b = TreeBuilder {
        limit: n,
        ..Default::default()
    };
    let Some(root) = b.push(None, OrgKind::Province, "", t::PROVINCE.to_owned()) else {
        return b.orgs;
    };
    let cities: Vec<i64> = t::CITIES
        .iter()
        .filter_map(|c| b.push(Some(root), OrgKind::City, "", (*c).to_owned()))
        .collect();
    let mut departments = Vec::new();
    let prov_depts = (n / 2500).clamp(1, 40);
    for i in 0..prov_depts {
        let (kind, name) = if i % 5 == 4 {
            (
                OrgKind::Enterprise,
                format!("辽宁{}", t::ENTERPRISES[(i / 5) % t::ENTERPRISES.len()]),
            )
        } else {
            (
                OrgKind::Department,
                format!(
                    "{}{}",
                    t::PROVINCE,
                    t::DEPARTMENTS[i % t::DEPARTMENTS.len()]
                ),
            )
        };
        let tag = if kind == OrgKind::Enterprise {
            "E"
        } else {
            "D"
        };
        departments.extend(b.push(Some(root), kind, tag, name));
    }
    let mut counties = Vec::new();
    if !cities.is_empty() {
        for i in 0..(n / 20).min(100) {
            let city = cities[i % cities.len()];
            let name = format!(
                "{}{}{}",
                b.name(city),
                t::COUNTY_STEMS[i % t::COUNTY_STEMS.len()],
                t::COUNTY_SUFFIXES[(i / t::COUNTY_STEMS.len() + i) % 3]
            );
            counties.extend(b.push(Some(city), OrgKind::County, "", name));
        }
    }
    for (per, parents) in [
        ((n / 4000).clamp(1, 25), &cities),
        ((n / 5000).clamp(1, 20), &counties),
    ] {
        for p in parents.iter() {
            for i in 0..per {
                let name = format!("{}{}", b.name(*p), t::DEPARTMENTS[i % t::DEPARTMENTS.len()]);
                departments.extend(b.push(Some(*p), OrgKind::Department, "D", name));
            }
        }
    }
    // What is left: about three in ten are units (under departments), the rest Party branches
    // (under units), so that a department has a dozen units and a unit two or three branches.
    let left = n.saturating_sub(b.orgs.len());
    let mut units = Vec::new();
    if !departments.is_empty() {
        let n_units = (left * 3 / 10).max(left.min(1));
        let mut per_dept = vec![0usize; departments.len()];
        for _ in 0..n_units {
            let d = rng.below(departments.len() as u64) as usize;
            per_dept[d] += 1;
        }
        for (d, count) in departments.iter().zip(per_dept) {
            for k in 0..count {
                let suffix = t::UNITS[k % t::UNITS.len()];
                let name = if k < t::UNITS.len() {
                    format!("{}{suffix}", b.name(*d))
                } else {
                    format!("{}{suffix}{}", b.name(*d), k / t::UNITS.len() + 1)
                };
                units.extend(b.push(Some(*d), OrgKind::Unit, "U", name));
            }
        }
    }
    if !units.is_empty() {
        let left = n.saturating_sub(b.orgs.len());
        let mut per_unit = vec![0usize; units.len()];
        for _ in 0..left {
            per_unit[rng.below(units.len() as u64) as usize] += 1;
        }
        for (u, count) in units.iter().zip(per_unit) {
            for k in 0..count {
                let name = format!("{}第{}党支部", b.name(*u), k + 1);
                b.push(Some(*u), OrgKind::Branch, "B", name);
            }
        }
    }
    b.orgs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_province_has_six_levels_and_exactly_the_orgs_asked_for() {
        let orgs = province(100_000, &mut Rng::new(7));
        assert_eq!(orgs.len(), 100_000);
        assert_eq!(orgs.iter().map(|o| o.depth).max(), Some(6));
        let count = |k: OrgKind| orgs.iter().filter(|o| o.kind == k).count();
        assert_eq!(count(OrgKind::City), 14);
        assert_eq!(count(OrgKind::County), 100);
        assert!(count(OrgKind::Unit) > 20_000 && count(OrgKind::Branch) > 50_000);
        let codes: std::collections::HashSet<&str> = orgs.iter().map(|o| o.code.as_str()).collect();
        assert_eq!(codes.len(), orgs.len(), "codes are unique");
        for o in &orgs[1..] {
            let p = &orgs[(o.parent.expect("parent") - 1) as usize];
            assert!(p.id < o.id && o.path.starts_with(&p.path) && o.depth == p.depth + 1);
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_province_and_small_ones_work() {
        let a = province(5_000, &mut Rng::new(1));
        let b = province(5_000, &mut Rng::new(1));
        let c = province(5_000, &mut Rng::new(2));
        assert_eq!(
            a.iter().map(|o| &o.code).collect::<Vec<_>>(),
            b.iter().map(|o| &o.code).collect::<Vec<_>>()
        );
        assert_ne!(
            a.iter().map(|o| o.parent).collect::<Vec<_>>(),
            c.iter().map(|o| o.parent).collect::<Vec<_>>()
        );
        for n in [1, 2, 10, 50, 300] {
            assert_eq!(province(n, &mut Rng::new(3)).len(), n);
        }
    }
}
