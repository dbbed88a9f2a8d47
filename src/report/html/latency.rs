//! Latency (TEC-02): per operation the p50, p95 and maximum answer times beside a histogram of
//! the answers on fixed bounds (`le_ms`), drawn as inline SVG, the threshold marked.

use std::fmt::Write as _;

use serde_json::Value;

use super::escape::Esc;
use super::{Ctx, badge, nothing, svg};

fn num(v: &Value, key: &str) -> Option<u64> {
    v.get(key).and_then(Value::as_u64)
}

fn shown(v: Option<u64>) -> String {
    v.map_or_else(|| "—".to_string(), |n| n.to_string())
}

/// Milliseconds, or a dash when there were no answers to measure.
fn ms(v: Option<u64>) -> String {
    v.map_or_else(|| "—".to_string(), |n| format!("{n} ms"))
}

/// The latency section.
pub(super) fn render(ctx: &Ctx<'_>) -> String {
    let mut out = String::new();
    for c in &ctx.report.checks {
        for record in &c.latency {
            let threshold = num(record, "threshold_ms");
            let round = match num(record, "round") {
                Some(r) if r > 1 => format!(", measured again (round {r})"),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "<h3>{} {} <span class=\"muted\">(<code>{}</code>{round})</span></h3>",
                badge(&c.status.to_string(), &c.status.to_string()),
                Esc(&c.title),
                Esc(&c.id)
            );
            let _ = writeln!(
                out,
                "<p>{} users at once, {} requests each; threshold p95 ≤ {} ms.{}</p>",
                shown(num(record, "users")),
                shown(num(record, "requests_per_user")),
                shown(threshold),
                match record.get("stopped_early_by").and_then(Value::as_str) {
                    Some(why) => format!(" Stopped early: {}.", Esc(why)),
                    None => String::new(),
                }
            );
            for op in record
                .get("operations")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                operation(&mut out, op, threshold);
            }
            let links = ctx.evidence_links(c);
            if !links.is_empty() {
                let _ = writeln!(out, "<p>Evidence: {links}</p>");
            }
        }
    }
    if out.is_empty() {
        return nothing("No check measured latency.");
    }
    out
}

fn operation(out: &mut String, op: &Value, threshold: Option<u64>) {
    let name = op
        .get("operation")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut previous: Option<u64> = None;
    let mut bars = Vec::new();
    for b in op
        .get("histogram")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let count = num(b, "count").unwrap_or(0);
        let le = num(b, "le_ms");
        let label = match (le, previous) {
            (Some(le), _) => format!("≤{le}"),
            (None, Some(p)) => format!(">{p}"),
            (None, None) => "all".to_string(),
        };
        // A bucket is over the threshold when its answers may all be slower than it.
        let over = threshold.is_some_and(|t| previous.is_some_and(|p| p >= t));
        bars.push((label, count, over));
        if le.is_some() {
            previous = le;
        }
    }
    let p95 = num(op, "p95_ms");
    let unstalled = num(op, "p95_unstalled_ms");
    let verdict = match (p95, threshold) {
        // Over only by the client's own stalls: no verdict on the target (the check errs).
        (Some(p), Some(t)) if p > t && unstalled.is_some_and(|u| u <= t) => {
            badge("error", "over by vvcheck's stalls")
        }
        (Some(p), Some(t)) if p > t => badge("fail", "over"),
        (Some(_), Some(_)) => badge("pass", "within"),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "<div class=\"chart-row\">{}<table><caption><code>{}</code></caption><tbody><tr><th scope=\"row\">answers</th><td>{}</td></tr><tr><th scope=\"row\">failed</th><td>{}</td></tr><tr><th scope=\"row\">p50</th><td>{}</td></tr><tr><th scope=\"row\">p95</th><td>{} {verdict}</td></tr><tr><th scope=\"row\">p95 without vvcheck's stalls</th><td>{}</td></tr><tr><th scope=\"row\">max</th><td>{}</td></tr></tbody></table></div>",
        svg::histogram(&format!("{name}: answers by time (ms)"), &bars),
        Esc(name),
        shown(num(op, "answers")),
        shown(num(op, "failed")),
        ms(num(op, "p50_ms")),
        ms(p95),
        ms(unstalled),
        ms(num(op, "max_ms"))
    );
}
