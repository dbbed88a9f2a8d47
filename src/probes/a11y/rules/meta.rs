//! Page-level `meta` settings: a viewport that lets users zoom (1.4.4) and no timed refresh
//! or redirect (2.2.1, 3.2.5).

use super::{Rule, RuleRun};
use crate::probes::a11y::dom::Dom;
use crate::probes::a11y::page::Page;

/// `meta name=viewport` does not block zooming.
pub static META_VIEWPORT: Rule = Rule {
    id: "meta-viewport",
    criteria: &["1.4.4"],
    help: "Zooming and scaling must not be disabled",
    run: meta_viewport,
};

/// `meta http-equiv=refresh` does not refresh or redirect after a delay.
pub static META_REFRESH: Rule = Rule {
    id: "meta-refresh",
    criteria: &["2.2.1", "3.2.5"],
    help: "Timed refresh must not exist",
    run: meta_refresh,
};

/// Lowest `maximum-scale` that still allows the 200 % zoom 1.4.4 asks for.
const MIN_MAX_SCALE: f64 = 2.0;

fn meta_viewport(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    for meta in dom.tagged("meta").filter(|m| {
        m.value()
            .attr("name")
            .is_some_and(|n| n.trim().eq_ignore_ascii_case("viewport"))
    }) {
        run.checked += 1;
        let content = meta.value().attr("content").unwrap_or_default();
        for (key, value) in content
            .split([',', ';'])
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase()))
        {
            let blocked = match key.as_str() {
                "user-scalable" => {
                    value == "no" || value.parse::<f64>().is_ok_and(|n| n > -1.0 && n < 1.0)
                }
                "maximum-scale" => value.parse::<f64>().is_ok_and(|s| s < MIN_MAX_SCALE),
                _ => false,
            };
            if blocked {
                run.fail(
                    meta,
                    format!("{key}={value} keeps users from zooming to 200 %"),
                );
                break;
            }
        }
    }
}

fn meta_refresh(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    for meta in dom.tagged("meta").filter(|m| {
        m.value()
            .attr("http-equiv")
            .is_some_and(|n| n.trim().eq_ignore_ascii_case("refresh"))
    }) {
        run.checked += 1;
        let content = meta.value().attr("content").unwrap_or_default().trim();
        let delay: String = content
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        if delay.parse::<f64>().is_ok_and(|d| d > 0.0) {
            let what = if content.to_ascii_lowercase().contains("url") {
                "redirects"
            } else {
                "refreshes"
            };
            run.fail(meta, format!("{what} the page after {delay} s"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{failed, run};
    use super::*;

    #[test]
    fn a_viewport_may_not_block_zoom() {
        let html = r#"<meta id="a" name="viewport" content="width=device-width, user-scalable=no"><meta id="b" name="viewport" content="maximum-scale=1.5"><meta id="c" name="viewport" content="width=device-width, initial-scale=1, maximum-scale=5"><meta id="d" name="viewport" content="user-scalable=0">"#;
        assert_eq!(failed(&run(&META_VIEWPORT, html)), ["#a", "#b", "#d"]);
    }

    #[test]
    fn only_a_delayed_refresh_fails() {
        let html = r#"<meta id="a" http-equiv="refresh" content="30"><meta id="b" http-equiv="Refresh" content="0; url=/next"><meta id="c" http-equiv="refresh" content="5;URL='/x'">"#;
        assert_eq!(failed(&run(&META_REFRESH, html)), ["#a", "#c"]);
    }
}
