//! TLS facts per endpoint, summarised as a TLS scanner would: protocols offered, cipher suites
//! per version with their weaknesses, the certificate chain, and the findings that name it.

use std::fmt::Write as _;

use serde_json::Value;

use super::escape::Esc;
use super::{Ctx, badge, nothing};
use crate::outcome::CheckResult;

fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn array<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v.get(key).and_then(Value::as_array).into_iter().flatten()
}

/// The TLS section.
pub(super) fn render(ctx: &Ctx<'_>) -> String {
    let mut endpoints: Vec<(String, Vec<(&CheckResult, &Value)>)> = Vec::new();
    for c in &ctx.report.checks {
        for t in &c.tls {
            let endpoint = text(t, "endpoint");
            match endpoints.iter_mut().find(|(e, _)| *e == endpoint) {
                Some((_, records)) => records.push((c, t)),
                None => endpoints.push((endpoint, vec![(c, t)])),
            }
        }
    }
    if endpoints.is_empty() {
        return nothing("No check scanned a TLS endpoint.");
    }
    let mut out = String::new();
    if ctx.report.insecure {
        out.push_str("<p class=\"alert\">--insecure: certificate verification was off; the chain below was not verified.</p>\n");
    }
    for (endpoint, records) in &endpoints {
        let _ = writeln!(out, "<h3>Endpoint <code>{}</code></h3>", Esc(endpoint));
        for (_, t) in records {
            let facts = t.get("facts").unwrap_or(&Value::Null);
            protocols(&mut out, facts);
            suites(&mut out, facts);
            certificate(&mut out, facts);
        }
        findings(ctx, &mut out, endpoint, records);
    }
    out
}

fn protocols(out: &mut String, facts: &Value) {
    let rows: Vec<&Value> = array(facts, "protocols").collect();
    if rows.is_empty() {
        return;
    }
    out.push_str("<table><caption>Protocols</caption><thead><tr><th scope=\"col\">Version</th><th scope=\"col\">Offered</th><th scope=\"col\">Server's answer</th></tr></thead><tbody>\n");
    for p in rows {
        let accepted = p.get("accepted").and_then(Value::as_bool);
        let version = text(p, "version");
        // Accepting a version older than TLS 1.2 is the weakness; refusing it is as it should be.
        let legacy = version.starts_with("SSL") || version == "TLS 1.0" || version == "TLS 1.1";
        let cell = match (accepted, legacy) {
            (Some(true), true) => badge("fail", "offered"),
            (Some(true), false) => badge("pass", "offered"),
            (Some(false), true) => badge("pass", "not offered"),
            (Some(false), false) => badge("manual", "not offered"),
            (None, _) => badge("manual", "unknown"),
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{cell}</td><td class=\"mono\">{}</td></tr>",
            Esc(&version),
            Esc(&text(p, "detail"))
        );
    }
    out.push_str("</tbody></table>\n");
}

fn suites(out: &mut String, facts: &Value) {
    let versions: Vec<&Value> = array(facts, "cipher_suites").collect();
    if versions.is_empty() {
        return;
    }
    out.push_str("<table><caption>Cipher suites accepted</caption><thead><tr><th scope=\"col\">Version</th><th scope=\"col\">Suite</th><th scope=\"col\">Group</th><th scope=\"col\">Weaknesses</th></tr></thead><tbody>\n");
    for v in versions {
        let version = text(v, "version");
        let preference = text(v, "preference");
        for s in array(v, "suites") {
            let weak: Vec<String> = array(s, "weaknesses")
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            let cell = if weak.is_empty() {
                badge("pass", "none")
            } else {
                badge("fail", &weak.join(", "))
            };
            let _ = writeln!(
                out,
                "<tr><td>{} <span class=\"muted\">(order: {})</span></td><td class=\"mono\">{}</td><td>{}</td><td>{cell}</td></tr>",
                Esc(&version),
                Esc(&preference),
                Esc(&text(s, "name")),
                Esc(&text(s, "group"))
            );
        }
        if v.get("truncated").and_then(Value::as_bool) == Some(true) {
            let _ = writeln!(
                out,
                "<tr><td colspan=\"4\" class=\"muted\">{}: list cut short</td></tr>",
                Esc(&version)
            );
        }
    }
    out.push_str("</tbody></table>\n");
}

fn certificate(out: &mut String, facts: &Value) {
    let Some(cert) = facts.get("certificate") else {
        return;
    };
    let chain = cert.get("chain").unwrap_or(&Value::Null);
    let _ = writeln!(
        out,
        "<table><caption>Certificate chain ({})</caption><thead><tr><th scope=\"col\">#</th><th scope=\"col\">Subject</th><th scope=\"col\">Issuer</th><th scope=\"col\">Names (SAN)</th><th scope=\"col\">Valid</th><th scope=\"col\">Key, signature</th><th scope=\"col\">SHA-256</th></tr></thead><tbody>",
        Esc(&text(cert, "source"))
    );
    for (i, c) in array(chain, "certificates").enumerate() {
        let sans: Vec<String> = array(c, "san")
            .filter_map(Value::as_str)
            .map(|s| Esc(s).to_string())
            .collect();
        let expired = c.get("expired").and_then(Value::as_bool) == Some(true);
        let validity = format!(
            "{} to {} ({} days left)",
            text(c, "not_before"),
            text(c, "not_after"),
            text(c, "days_left")
        );
        let validity = if expired {
            badge("fail", &format!("expired: {validity}"))
        } else {
            Esc(&validity).to_string()
        };
        let self_signed = if c.get("self_signed").and_then(Value::as_bool) == Some(true) {
            ", self-signed"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<tr><td>{i}</td><td>{}</td><td>{}</td><td>{}</td><td>{validity}</td><td>{} {} {}, {}{self_signed}</td><td class=\"mono\">{}</td></tr>",
            Esc(&text(c, "subject")),
            Esc(&text(c, "issuer")),
            sans.join("<br>"),
            Esc(&text(c, "key_type")),
            Esc(&text(c, "key_bits")),
            Esc(&text(c, "curve")),
            Esc(&text(c, "signature_algorithm")),
            Esc(&text(c, "sha256"))
        );
    }
    out.push_str("</tbody></table>\n");
    for (key, label) in [
        ("untrusted", "Not trusted"),
        ("name_mismatch", "Name mismatch"),
    ] {
        let value = text(chain, key);
        if !value.is_empty() {
            let _ = writeln!(out, "<p>{}: {}</p>", badge("fail", label), Esc(&value));
        }
    }
    let order: Vec<String> = array(chain, "out_of_order")
        .map(|v| v.to_string())
        .collect();
    if !order.is_empty() {
        let _ = writeln!(
            out,
            "<p>{}: {}</p>",
            badge("fail", "Chain out of order"),
            Esc(&order.join(", "))
        );
    }
}

/// The verdicts of the checks that scanned `endpoint`, and their findings.
fn findings(ctx: &Ctx<'_>, out: &mut String, endpoint: &str, records: &[(&CheckResult, &Value)]) {
    let mut seen: Vec<&str> = Vec::new();
    out.push_str("<ul>\n");
    for (c, _) in records {
        if seen.contains(&c.id.as_str()) {
            continue;
        }
        seen.push(&c.id);
        let _ = write!(
            out,
            "<li>{} {} <code>{}</code>",
            badge(&c.status.to_string(), &c.status.to_string()),
            Esc(&c.title),
            Esc(&c.id)
        );
        let mine: Vec<_> = c
            .findings
            .iter()
            .filter(|f| {
                f.seen.contains(endpoint)
                    || f.exchange.as_deref().is_some_and(|e| e.contains(endpoint))
            })
            .collect();
        if !mine.is_empty() {
            out.push_str("<ul>");
            for f in mine {
                let _ = write!(
                    out,
                    "<li>expected {}; observed {}</li>",
                    Esc(&f.expected),
                    Esc(&f.seen)
                );
            }
            out.push_str("</ul>");
        }
        let links = ctx.evidence_links(c);
        if !links.is_empty() {
            let _ = write!(out, " <span class=\"muted\">evidence: {links}</span>");
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ul>\n");
}
