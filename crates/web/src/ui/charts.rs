//! Charts drawn on the server as SVG: no script, no font or library from outside, the same
//! picture in every browser and ready for documents. Every bar or segment that stands for items
//! is a link to the list of those items.

use std::fmt::Write;

/// One part of a bar: its value, its colour class, where it leads and what it says on hover.
#[derive(Debug, Clone)]
pub struct Part {
    pub value: i64,
    /// `red`, `yellow`, `green`, `blue`, `grey`.
    pub class: &'static str,
    pub href: String,
    pub title: String,
    /// An id for the link, so that a test or a person can point at it.
    pub id: String,
}

/// Escapes text for XML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn open(out: &mut String, width: f64, height: f64, label: &str) {
    let _ = write!(
        out,
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" preserveAspectRatio=\"xMinYMin meet\" role=\"img\" aria-label=\"{}\">",
        esc(label)
    );
}

fn linked_rect(out: &mut String, p: &Part, x: f64, y: f64, w: f64, h: f64) {
    let id = if p.id.is_empty() {
        String::new()
    } else {
        format!(" id=\"{}\"", esc(&p.id))
    };
    let _ = write!(
        out,
        "<a href=\"{}\"{id}><rect class=\"seg seg-{}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\"><title>{}</title></rect></a>",
        esc(&p.href),
        p.class,
        esc(&p.title)
    );
}

/// One horizontal bar split into its parts, each as wide as its share; an empty bar is grey.
pub fn stacked_bar(parts: &[Part], label: &str) -> String {
    const W: f64 = 600.0;
    const H: f64 = 28.0;
    let mut out = String::new();
    open(&mut out, W, H, label);
    let total: i64 = parts.iter().map(|p| p.value.max(0)).sum();
    if total == 0 {
        let _ = write!(
            out,
            "<rect class=\"seg seg-empty\" x=\"0\" y=\"0\" width=\"{W}\" height=\"{H}\"/>"
        );
    } else {
        let mut x = 0.0;
        for p in parts.iter().filter(|p| p.value > 0) {
            let w = W * p.value as f64 / total as f64;
            linked_rect(&mut out, p, x, 0.0, w, H);
            x += w;
        }
    }
    out.push_str("</svg>");
    out
}

/// A column of a column chart: stacked parts, a label under it, a caption over it.
#[derive(Debug, Clone)]
pub struct Column {
    pub label: String,
    pub caption: String,
    pub parts: Vec<Part>,
}

/// Columns side by side, stacked from the bottom, scaled to `max` (or to the tallest).
pub fn columns(cols: &[Column], max: Option<f64>, label: &str) -> String {
    const W: f64 = 600.0;
    const H: f64 = 200.0;
    const TOP: f64 = 18.0;
    const BOTTOM: f64 = 22.0;
    let plot = H - TOP - BOTTOM;
    let mut out = String::new();
    open(&mut out, W, H, label);
    let tallest = cols
        .iter()
        .map(|c| c.parts.iter().map(|p| p.value.max(0)).sum::<i64>() as f64)
        .fold(0.0, f64::max);
    let scale = max.unwrap_or(tallest).max(1e-9);
    let n = cols.len().max(1) as f64;
    let slot = W / n;
    let bar = (slot * 0.6).min(48.0);
    let base = H - BOTTOM;
    let _ = write!(
        out,
        "<line class=\"axis\" x1=\"0\" y1=\"{base}\" x2=\"{W}\" y2=\"{base}\"/>"
    );
    for (i, c) in cols.iter().enumerate() {
        let x = slot * i as f64 + (slot - bar) / 2.0;
        let mut y = base;
        for p in c.parts.iter().filter(|p| p.value > 0) {
            let h = plot * (p.value as f64 / scale).min(1.0);
            y -= h;
            linked_rect(&mut out, p, x, y, bar, h);
        }
        let cx = x + bar / 2.0;
        let _ = write!(
            out,
            "<text class=\"caption\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            (y - 4.0).max(12.0),
            esc(&c.caption)
        );
        let _ = write!(
            out,
            "<text class=\"tick\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            H - 6.0,
            esc(&c.label)
        );
    }
    out.push_str("</svg>");
    out
}

/// A small line chart of an indicator: the planned trajectory (dashed) and the actuals (solid,
/// with dots), over the weeks of either, scaled between their lowest and highest values.
pub fn trajectory(
    plan: &[(chrono::NaiveDate, f64)],
    actuals: &[(chrono::NaiveDate, f64)],
    label: &str,
) -> String {
    const W: f64 = 240.0;
    const H: f64 = 60.0;
    const PAD: f64 = 4.0;
    let mut out = String::new();
    open(&mut out, W, H, label);
    let weeks: Vec<chrono::NaiveDate> = plan.iter().chain(actuals).map(|p| p.0).collect();
    let (Some(first), Some(last)) = (weeks.iter().min(), weeks.iter().max()) else {
        out.push_str("</svg>");
        return out;
    };
    let values: Vec<f64> = plan.iter().chain(actuals).map(|p| p.1).collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span_x = ((*last - *first).num_days() as f64).max(1.0);
    let span_y = (hi - lo).max(1e-9);
    let x = |d: chrono::NaiveDate| PAD + (W - 2.0 * PAD) * (d - *first).num_days() as f64 / span_x;
    let y = |v: f64| H - PAD - (H - 2.0 * PAD) * (v - lo) / span_y;
    let points = |series: &[(chrono::NaiveDate, f64)]| {
        series
            .iter()
            .map(|(d, v)| format!("{:.1},{:.1}", x(*d), y(*v)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    if !plan.is_empty() {
        let _ = write!(
            out,
            "<polyline class=\"plan\" points=\"{}\"/>",
            points(plan)
        );
    }
    if !actuals.is_empty() {
        let _ = write!(
            out,
            "<polyline class=\"actual\" points=\"{}\"/>",
            points(actuals)
        );
        for (d, v) in actuals {
            let _ = write!(
                out,
                "<circle class=\"actual-dot\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\"><title>{} {}</title></circle>",
                x(*d),
                y(*v),
                d,
                v
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(value: i64, class: &'static str) -> Part {
        Part {
            value,
            class,
            href: format!("/ledger?light={class}&a=1"),
            title: format!("{class} <{value}>"),
            id: format!("seg-{class}"),
        }
    }

    #[test]
    fn a_stacked_bar_splits_by_share_and_links_each_part() {
        let svg = stacked_bar(&[part(1, "red"), part(3, "green"), part(0, "yellow")], "灯");
        assert!(svg.contains("id=\"seg-red\""));
        assert!(svg.contains("href=\"/ledger?light=red&amp;a=1\""));
        assert!(svg.contains("width=\"150.0\"") && svg.contains("width=\"450.0\""));
        assert!(!svg.contains("seg-yellow"), "an empty part is not drawn");
        assert!(svg.contains("red &lt;1&gt;"));
        assert!(stacked_bar(&[part(0, "red")], "x").contains("seg-empty"));
    }

    #[test]
    fn columns_scale_to_the_maximum() {
        let svg = columns(
            &[Column {
                label: "W48".into(),
                caption: "50%".into(),
                parts: vec![part(1, "green")],
            }],
            Some(2.0),
            "x",
        );
        // Half of the 160-unit plot.
        assert!(svg.contains("height=\"80.0\""), "{svg}");
        assert!(svg.contains(">W48<") && svg.contains(">50%<"));
    }

    #[test]
    fn a_trajectory_draws_plan_and_actuals_in_the_same_scale() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let svg = trajectory(
            &[(d("2026-11-02"), 0.0), (d("2026-11-30"), 100.0)],
            &[(d("2026-11-16"), 50.0)],
            "x",
        );
        assert!(
            svg.contains("class=\"plan\" points=\"4.0,56.0 236.0,4.0\""),
            "{svg}"
        );
        assert!(svg.contains("cx=\"120.0\" cy=\"30.0\""), "{svg}");
        assert!(trajectory(&[], &[], "x").ends_with("</svg>"));
    }
}
