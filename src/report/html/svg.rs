//! Inline SVG charts, drawn from numbers alone: no script, no external asset, so the page stays
//! self-contained and prints as it shows.

use std::fmt::Write as _;

use super::escape::Esc;

const WIDTH: u32 = 420;
const HEIGHT: u32 = 160;
/// Room under the bars for the bucket labels, and above them for the counts.
const LABELS: u32 = 34;
const TOP: u32 = 16;

/// A bar chart of `bars` (label, count), titled `title` for screen readers; a bar whose label
/// is in `over` (beyond a threshold) is drawn in the failing colour.
pub(crate) fn histogram(title: &str, bars: &[(String, u64, bool)]) -> String {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let n = u32::try_from(bars.len()).unwrap_or(u32::MAX).max(1);
    let slot = WIDTH / n;
    let plot = HEIGHT - LABELS - TOP;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{}"><title>{}</title>"#,
        Esc(title),
        Esc(title)
    );
    let base = HEIGHT - LABELS;
    let _ = write!(
        svg,
        r##"<line x1="0" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="#555" stroke-width="1"/>"##
    );
    for (i, (label, count, over)) in bars.iter().enumerate() {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        let h = u32::try_from(u64::from(plot) * count / max).unwrap_or(plot);
        let x = i * slot + 2;
        let w = slot.saturating_sub(4);
        let fill = if *over { "#b3261e" } else { "#1f5fa8" };
        let mid = x + w / 2;
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="{}" width="{w}" height="{h}" fill="{fill}"><title>{} ms: {count}</title></rect><text x="{mid}" y="{}" font-size="10" text-anchor="middle">{count}</text><text x="{mid}" y="{}" font-size="10" text-anchor="middle">{}</text>"#,
            base - h,
            Esc(label),
            base - h - 3,
            base + 14,
            Esc(label)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_labels_are_escaped() {
        let svg = histogram(
            "send <x>",
            &[
                ("≤25".to_string(), 10, false),
                ("≤50".to_string(), 5, false),
                (">50".to_string(), 0, true),
            ],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
        assert!(svg.contains("send &lt;x&gt;"), "{svg}");
        assert!(
            svg.contains(r#"height="110""#),
            "the tallest bar fills the plot: {svg}"
        );
        assert!(svg.contains(r#"height="55""#), "{svg}");
        assert!(
            svg.contains("#b3261e"),
            "a bar over the threshold is marked"
        );
    }
}
