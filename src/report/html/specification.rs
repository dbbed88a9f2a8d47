//! The solution specification as a section of the page: the recommended requirements met,
//! under the domain headings of a public solution page ([`crate::report::spec`]).

use std::fmt::Write as _;

use super::escape::Esc;
use super::{Ctx, verdict_badge};
use crate::outcome::Verdict;
use crate::report::spec::{SolutionSpec, heading};

/// The specification section.
pub(super) fn render(ctx: &Ctx<'_>) -> String {
    let spec = SolutionSpec::of(ctx.report);
    let mut out = String::from(
        "<p>Recommended requirements met: a requirement is met when its verdict is <em>pass</em> or <em>attested</em>; waived and not-applicable ones are not. The same list comes from <code>vvcheck report spec results.json</code>.</p>\n",
    );
    if let Some(p) = &spec.partial {
        let _ = writeln!(
            out,
            "<p class=\"alert\">Partial run ({}): requirements outside it are not listed.</p>",
            Esc(p)
        );
    }
    for d in &spec.domains {
        let _ = writeln!(
            out,
            "<h3>{} <span class=\"muted\">({} of {} recommended)</span></h3>",
            heading(d.domain),
            d.met.len(),
            d.recommended
        );
        if d.met.is_empty() {
            out.push_str("<p class=\"muted\">None met.</p>\n");
            continue;
        }
        out.push_str("<ul>\n");
        for m in &d.met {
            let how = if m.verdict == Verdict::Attested {
                format!(" {}", verdict_badge(m.verdict))
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "<li><strong>{}</strong> {}{how}</li>",
                Esc(&m.id),
                Esc(&m.title)
            );
        }
        out.push_str("</ul>\n");
    }
    out
}
