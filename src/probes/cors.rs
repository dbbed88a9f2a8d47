//! `cors` (SEC-10): the target does not let a hostile site read its answers with the user's
//! credentials. For a page and an API operation, a preflight (`OPTIONS` with
//! `Access-Control-Request-Method`) and a request carrying `Origin`, from `https://evil.example`,
//! from `null` (a sandboxed frame or a file) and from `https://<host>.evil.example` (the
//! suffix trick that defeats a "starts with our host" check). A failure is
//! `Access-Control-Allow-Origin: *` with credentials allowed, or the hostile origin reflected
//! with credentials allowed; a reflection without credentials is noted, not failed.

use futures_util::future::BoxFuture;
use reqwest::Method;
use serde::Deserialize;
use std::any::Any;

use super::{Probe, ProbeEnv, ProbeResult};
use crate::http::Outgoing;
use crate::model::Located;
use crate::model::probe::ProbeParams;
use crate::outcome::{CheckError, ErrorKind, Finding};

fn entry_page() -> Located<String> {
    Located::new("entry".to_string())
}

/// Parameters of `cors`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorsParams {
    /// A page name of the profile, or a path (default: the entry page).
    #[serde(default = "entry_page")]
    pub page: Located<String>,
    /// A contract operation whose request is asked too (its first request, as the step's actor).
    #[serde(default)]
    pub operation: Option<Located<String>>,
}

impl ProbeParams for CorsParams {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn pages(&self) -> Vec<&Located<String>> {
        vec![&self.page]
    }
    fn operations(&self) -> Vec<&Located<String>> {
        self.operation.iter().collect()
    }
}

/// `cors`: no hostile origin may read answers with credentials.
pub struct Cors;

impl Probe for Cors {
    const NAME: &'static str = "cors";
    const ABOUT: &'static str = "no hostile Origin is allowed to read answers with credentials";
    const PARAMS: &'static [&'static str] = &["page", "operation"];
    type Params = CorsParams;
    fn run<'a, 'b>(p: &'a CorsParams, env: &'a mut ProbeEnv<'b>) -> BoxFuture<'a, ProbeResult> {
        Box::pin(cors(p, env))
    }
}

/// The hostile origins tried against `host`.
fn hostile_origins(host: &str) -> [String; 3] {
    [
        "https://evil.example".to_string(),
        "null".to_string(),
        format!("https://{host}.evil.example"),
    ]
}

/// What an answer allows `origin`, as a problem when it lets it read with credentials.
pub fn judge(origin: &str, allow_origin: Option<&str>, allow_credentials: Option<&str>) -> Verdict {
    let credentials = allow_credentials.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    match allow_origin.map(str::trim) {
        Some("*") if credentials => Verdict::Fails("`*` with credentials allowed".into()),
        Some(o) if o == origin && credentials => {
            Verdict::Fails(format!("`{o}` reflected with credentials allowed"))
        }
        Some(o) if o == origin => Verdict::Notes(format!("`{o}` reflected, without credentials")),
        _ => Verdict::Safe,
    }
}

/// How an answer treats a hostile origin.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Safe,
    /// Worth a note: the origin may read answers without credentials.
    Notes(String),
    /// The origin may read answers with the user's credentials.
    Fails(String),
}

async fn cors(p: &CorsParams, env: &mut ProbeEnv<'_>) -> ProbeResult {
    let page = env.page(&p.page)?;
    let mut urls = vec![env.target.url(&page.path).map_err(|e| {
        CheckError::new(
            ErrorKind::Input,
            format!("bad page URL `{}`: {e}", page.path),
        )
    })?];
    if let Some(op) = &p.operation {
        let req = crate::http::build::operation_request(env.target, op, env.vars_map())?;
        urls.push(req.url);
    }
    let actor = env.actor.clone();
    let mut findings = Vec::new();
    for url in urls {
        let host = url.host_str().unwrap_or_default().to_string();
        for origin in hostile_origins(&host) {
            let mut preflight = Outgoing::get(url.clone());
            preflight.method = Method::OPTIONS;
            preflight.headers.extend([
                ("Origin".to_string(), origin.clone()),
                (
                    "Access-Control-Request-Method".to_string(),
                    "POST".to_string(),
                ),
                (
                    "Access-Control-Request-Headers".to_string(),
                    "authorization, content-type".to_string(),
                ),
            ]);
            let mut simple = Outgoing::get(url.clone());
            simple.headers.push(("Origin".to_string(), origin.clone()));
            let who = match &actor {
                Some((name, session)) => {
                    session.apply_scoped(&mut simple, env.target);
                    name.clone()
                }
                None => "anonymous".to_string(),
            };
            for (req, as_who) in [(preflight, "anonymous"), (simple, who.as_str())] {
                let resp = env.send(&req, as_who, "cors").await.map_err(|e| {
                    crate::http::check_error(&e).context(format!("{} {}", req.method, req.url))
                })?;
                let line = format!(
                    "{} {} with Origin: {origin} → {}",
                    req.method, req.url, resp.status
                );
                match judge(
                    &origin,
                    resp.header("access-control-allow-origin"),
                    resp.header("access-control-allow-credentials"),
                ) {
                    Verdict::Safe => env.notes.push(format!("{line}, not allowed")),
                    Verdict::Notes(why) => env.notes.push(format!("{line}: {why}")),
                    Verdict::Fails(why) => {
                        let mut f = Finding::new(
                            "no hostile origin allowed to read answers with credentials",
                            format!("{line}: {why}"),
                        );
                        f.exchange = env.evidence.exchanges.last().map(|e| e.summary());
                        findings.push(f);
                    }
                }
            }
        }
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_credentials_for_a_hostile_origin_fail() {
        let o = "https://evil.example";
        assert_eq!(judge(o, None, None), Verdict::Safe);
        assert_eq!(
            judge(o, Some("https://app.vendor.test"), Some("true")),
            Verdict::Safe
        );
        assert!(matches!(
            judge(o, Some("*"), Some("true")),
            Verdict::Fails(_)
        ));
        assert_eq!(
            judge(o, Some("*"), None),
            Verdict::Safe,
            "public, without credentials"
        );
        assert!(matches!(judge(o, Some(o), Some("TRUE")), Verdict::Fails(_)));
        assert!(matches!(
            judge("null", Some("null"), Some("true")),
            Verdict::Fails(_)
        ));
        assert!(matches!(judge(o, Some(o), None), Verdict::Notes(_)));
    }

    #[test]
    fn the_suffix_trick_is_among_the_origins_tried() {
        let tried = hostile_origins("sm.vendor.test");
        assert!(tried.contains(&"https://sm.vendor.test.evil.example".to_string()));
        assert!(tried.contains(&"null".to_string()));
    }
}
