//! `error_disclosure` (SEC-11, passive): no response the run recorded from the target's origins
//! shows a stack trace (Python, Java, .NET, PHP, Node, Ruby, Go), a framework banner with a
//! version (`Server: nginx/1.18.0`, `X-Powered-By`, `X-AspNet-Version`, …), or, in an error
//! body, any actor's PHI canary (seen through JSON, HTML and percent encodings, in any of the
//! spellings [`super::phi::planted`] knows).

use std::sync::LazyLock;

use futures_util::future::BoxFuture;
use regex::Regex;

use super::headers::NoParams;
use super::passive::{finding, headers, looked_at, own_https, something_recorded};
use super::phi::planted::canaries;
use super::{Probe, ProbeEnv, ProbeResult};
use crate::http::seen::Layers;
use crate::outcome::Exchange;

/// `error_disclosure`: errors and banners reveal no internals.
pub struct ErrorDisclosure;

impl Probe for ErrorDisclosure {
    const NAME: &'static str = "error_disclosure";
    const ABOUT: &'static str =
        "no stack trace, versioned banner or PHI in an error on any recorded response (passive)";
    const PARAMS: &'static [&'static str] = &[];
    const PASSIVE: bool = true;
    type Params = NoParams;
    fn run<'a, 'b>(_: &'a NoParams, env: &'a mut ProbeEnv<'b>) -> BoxFuture<'a, ProbeResult> {
        Box::pin(async move { error_disclosure(env) })
    }
}

/// Stack-trace shapes of the common server platforms, each with its name.
static TRACES: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("Python", r"Traceback \(most recent call last\):"),
        ("Python", r#"File "[^"]+\.py", line \d+, in "#),
        (
            "Java",
            r"\bat [a-zA-Z_$][\w$]*(\.[\w$<>]+)+\([\w$]+\.(java|kt|scala):\d+\)",
        ),
        ("Java", r"\b(java|javax|jakarta)\.[\w.]+(Exception|Error)\b"),
        (".NET", r"\bat [\w.`<>]+\([^)]*\) in [^\n]+:line \d+"),
        (".NET", r"\bSystem\.[\w.]*Exception\b"),
        (
            "PHP",
            r"(Fatal error|Parse error|Warning): .+ in \S+\.php on line \d+",
        ),
        ("PHP", r"Stack trace:\s*(\\n|\n)\s*#0 "),
        (
            "Node",
            r"\bat (\S+ )?\(?/[^\s():]+\.(js|mjs|cjs|ts):\d+:\d+\)?",
        ),
        (
            "Node",
            r"\bat (process\.processTicksAndRejections|Module\._compile)\b",
        ),
        ("Ruby", r"\S+\.rb:\d+:in `[^']+'"),
        ("Go", r"goroutine \d+ \[running\]:"),
        ("Go", r"\bpanic: .+(\\n|\n)+goroutine "),
    ]
    .into_iter()
    .filter_map(|(platform, re)| Regex::new(re).ok().map(|r| (platform, r)))
    .collect()
});

/// A version number in a banner (`nginx/1.18.0`, `Apache 2.4`, `PHP/8.1.2`).
static VERSION: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"[/ ]v?\d+(\.\d+)+").ok());

/// Headers that name the server's software: `(header, flagged only with a version)`.
const BANNERS: &[(&str, bool)] = &[
    ("Server", true),
    ("X-Powered-By", false),
    ("X-AspNet-Version", false),
    ("X-AspNetMvc-Version", false),
    ("X-Generator", true),
];

/// The platform whose stack trace `text` shows, if any.
pub fn stack_trace(text: &str) -> Option<&'static str> {
    TRACES
        .iter()
        .find(|(_, re)| re.is_match(text))
        .map(|(platform, _)| *platform)
}

/// The banner headers of a response that give its software away.
fn banners(e: &Exchange) -> Vec<String> {
    let mut out = Vec::new();
    for (name, needs_version) in BANNERS {
        for v in headers(e, name) {
            let versioned = VERSION.as_ref().is_some_and(|re| re.is_match(v));
            if versioned || !needs_version {
                out.push(format!("{name}: {v}"));
            }
        }
    }
    out
}

/// An error answer: a 4xx or 5xx, or a JSON body with a non-empty `errors` list (GraphQL).
fn is_error(e: &Exchange, body: &str) -> bool {
    e.status.is_some_and(|s| s >= 400)
        || serde_json::from_str::<serde_json::Value>(body).is_ok_and(|doc| {
            doc.get("errors")
                .and_then(|v| v.as_array())
                .is_some_and(|a| !a.is_empty())
        })
}

fn error_disclosure(env: &mut ProbeEnv<'_>) -> ProbeResult {
    let responses = own_https(&env.recorded, env.target);
    something_recorded(&responses)?;
    env.notes.push(looked_at(
        "stack traces, banners and PHI in errors",
        responses.len(),
        &env.recorded,
    ));
    let canaries = canaries(env.target);
    let (mut traces, mut banner, mut phi) = (Vec::new(), Vec::new(), Vec::new());
    for e in &responses {
        let body = e
            .response_body
            .as_ref()
            .map(|b| b.text())
            .unwrap_or_default();
        if let Some(platform) = stack_trace(&body) {
            traces.push((*e, format!(" (a {platform} stack trace)")));
        }
        let shown = banners(e);
        if !shown.is_empty() {
            banner.push((*e, format!(" ({})", shown.join(", "))));
        }
        if is_error(e, &body) {
            let layers = Layers::of(body.as_bytes());
            let found = canaries
                .iter()
                .find_map(|c| c.found_in(&layers).map(|how| (c, how)));
            if let Some((c, how)) = found {
                // Name the canary, never quote it: the value is PHI.
                phi.push((*e, format!(" ({}{})", c.describe(), how.describe())));
            }
        }
    }
    let of = responses.len();
    let mut findings = Vec::new();
    if !traces.is_empty() {
        findings.push(finding(
            "no stack trace in any response".into(),
            "a stack trace",
            &traces,
            of,
        ));
    }
    if !banner.is_empty() {
        findings.push(finding(
            "no banner naming the server's software and version".into(),
            "a banner",
            &banner,
            of,
        ));
    }
    if !phi.is_empty() {
        findings.push(finding(
            "no PHI in any error body".into(),
            "PHI in an error",
            &phi,
            of,
        ));
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_traces_of_each_platform_are_recognised_and_ordinary_text_is_not() {
        let traces = [
            (
                "Python",
                "Traceback (most recent call last):\n  File \"/app/views.py\", line 42, in get",
            ),
            (
                "Java",
                "java.lang.NullPointerException\n\tat com.acme.sm.MessageService.read(MessageService.java:87)",
            ),
            (
                ".NET",
                "   at Acme.Sm.Controllers.MessagesController.Get(Int32 id) in C:\\src\\MessagesController.cs:line 31",
            ),
            (
                "PHP",
                "PHP Fatal error: Uncaught Error: Call to undefined function in /var/www/msg.php on line 12",
            ),
            (
                "Node",
                "TypeError: x is undefined\n    at getMessage (/srv/app/routes/messages.js:18:22)",
            ),
            (
                "Ruby",
                "/app/controllers/messages_controller.rb:14:in `show'",
            ),
            (
                "Go",
                "panic: runtime error: index out of range\n\ngoroutine 1 [running]:",
            ),
        ];
        for (platform, text) in traces {
            assert_eq!(stack_trace(text), Some(platform), "{text}");
        }
        for text in [
            r#"{"error":"not found"}"#,
            "Your appointment is at 10:30. Please arrive 10 min early.",
            "See https://example.org/help/errors.html for help",
        ] {
            assert_eq!(stack_trace(text), None, "{text}");
        }
    }

    #[test]
    fn banners_are_flagged_when_they_give_a_version_or_a_framework() {
        let e = |h: &[(&str, &str)]| Exchange::for_test("https://v.test/", 200, h, "");
        assert!(
            banners(&e(&[("Server", "nginx")])).is_empty(),
            "a name alone"
        );
        assert_eq!(
            banners(&e(&[("Server", "nginx/1.18.0")])),
            ["Server: nginx/1.18.0"]
        );
        assert_eq!(
            banners(&e(&[("X-Powered-By", "Express")])),
            ["X-Powered-By: Express"]
        );
        assert_eq!(banners(&e(&[("X-AspNet-Version", "4.0.30319")])).len(), 1);
    }
}
