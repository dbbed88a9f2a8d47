//! `a11y_audit` (ACC-2.1.10): fetches every page of the profile (each as its actor, the French
//! versions too) and the stylesheets each links, runs the static rules on them, and keeps the
//! result for the per-criterion checks that need this check. Its own verdict says only that the
//! pages could be audited; conformance is theirs.

use std::any::Any;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::page::{MAX_STYLESHEET_BYTES, Page, Stylesheet};
use super::rules::{self, RuleOutcome};
use crate::http::reason;
use crate::model::Located;
use crate::model::probe::ProbeParams;
use crate::model::resolve::ResolvedPage;
use crate::outcome::{CheckError, ErrorKind};
use crate::probes::pages::{as_whom, fetch_as};
use crate::probes::{Probe, ProbeEnv, ProbeResult};

mod rendered;

/// Parameters of `a11y_audit`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// The pages to audit (default: every page of the profile).
    #[serde(default)]
    pub pages: Option<Vec<Located<String>>>,
}

impl ProbeParams for AuditParams {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn pages(&self) -> Vec<&Located<String>> {
        self.pages.iter().flatten().collect()
    }
    fn every_page(&self) -> bool {
        self.pages.is_none()
    }
}

/// `a11y_audit`: every page audited once, for the WCAG criterion checks.
pub struct A11yAudit;

impl Probe for A11yAudit {
    const NAME: &'static str = "a11y_audit";
    const ABOUT: &'static str = "fetches every page of the profile (as its actor, and in French where declared) with its stylesheets and runs the static accessibility rules, for the WCAG criterion checks that need it";
    const PARAMS: &'static [&'static str] = &["pages"];
    type Params = AuditParams;
    fn run<'a, 'b>(
        params: &'a AuditParams,
        env: &'a mut ProbeEnv<'b>,
    ) -> BoxFuture<'a, ProbeResult> {
        Box::pin(audit(params, env))
    }
}

/// The audit of the profile's pages, as the criterion checks read it.
#[derive(Debug, Serialize)]
pub struct Audit {
    pub pages: Vec<PageAudit>,
}

/// One page as audited.
#[derive(Debug, Clone, Serialize)]
pub struct PageAudit {
    /// The profile's name for it, `(fr)` added for its French version: `compose (fr)`.
    pub page: String,
    pub url: String,
    /// `anonymously` or `as patient_a`.
    pub fetched: String,
    /// Why it could not be audited (`None`: it was).
    pub unaudited: Option<String>,
    /// Only the page's first bytes were read.
    pub truncated: bool,
    /// Every rule's outcome on it, by each engine that ran.
    pub outcomes: Vec<RuleOutcome>,
}

impl PageAudit {
    /// Its outcomes for the rules mapped onto `criterion`.
    pub fn for_criterion<'a>(
        &'a self,
        criterion: &'a str,
    ) -> impl Iterator<Item = &'a RuleOutcome> {
        self.outcomes
            .iter()
            .filter(move |o| o.criteria.iter().any(|c| c == criterion))
    }
}

/// Every page to audit: the named ones, or the profile's; each French version after its page.
fn pages_to_audit(
    params: &AuditParams,
    env: &ProbeEnv<'_>,
) -> Result<Vec<(String, ResolvedPage, String)>, CheckError> {
    let names: Vec<String> = match &params.pages {
        Some(list) => list.iter().map(|p| p.value.clone()).collect(),
        None => env.target.pages.keys().cloned().collect(),
    };
    if names.is_empty() {
        return Err(CheckError::new(
            ErrorKind::Input,
            "the profile declares no pages, so there is nothing to audit: declare the patient- and clinician-facing pages under `pages:`",
        ));
    }
    let mut out = Vec::new();
    for name in names {
        let page = env.page(&name)?;
        out.push((name.clone(), page.clone(), page.path.clone()));
        if let Some(fr) = &page.fr {
            out.push((format!("{name} (fr)"), page.clone(), fr.clone()));
        }
    }
    Ok(out)
}

async fn audit(params: &AuditParams, env: &mut ProbeEnv<'_>) -> ProbeResult {
    let to_audit = pages_to_audit(params, env)?;
    let browser = if env.browser {
        rendered::start(env).await
    } else {
        None
    };
    let mut pages = Vec::new();
    for (name, page, path) in to_audit {
        let mut audited = audit_page(env, &name, &page, &path).await;
        if let (Some(b), None) = (&browser, &audited.unaudited) {
            rendered::audit(env, b, &page, &mut audited).await;
        }
        env.notes.push(note(&audited));
        pages.push(audited);
    }
    env.evidence.a11y.extend(pages.iter().map(summary));
    let audited = pages.iter().filter(|p| p.unaudited.is_none()).count();
    if audited == 0 {
        return Err(CheckError::new(
            ErrorKind::Unavailable,
            "no page could be audited: every page the profile declares failed to load as HTML",
        ));
    }
    env.store.put(Arc::new(Audit { pages }));
    Ok(Vec::new())
}

/// Fetches one page and its stylesheets and runs the static rules on it.
async fn audit_page(
    env: &mut ProbeEnv<'_>,
    name: &str,
    page: &ResolvedPage,
    path: &str,
) -> PageAudit {
    let mut audited = PageAudit {
        page: name.to_string(),
        url: path.to_string(),
        fetched: as_whom(page),
        unaudited: None,
        truncated: false,
        outcomes: Vec::new(),
    };
    let (url, resp) = match fetch_as(env, page, path, &[], "a11y_audit").await {
        Ok(r) => r,
        Err(e) => {
            audited.unaudited = Some(e.message);
            return audited;
        }
    };
    audited.url = url.to_string();
    if resp.status != 200 {
        audited.unaudited = Some(format!(
            "GET {url} answered {} {}",
            resp.status,
            reason(resp.status)
        ));
        return audited;
    }
    if !resp
        .header("content-type")
        .is_some_and(|t| t.to_ascii_lowercase().contains("html"))
    {
        audited.unaudited = Some(format!(
            "GET {url} answered {}, not an HTML page",
            resp.header("content-type").unwrap_or("no Content-Type")
        ));
        return audited;
    }
    let body = resp.body.clone();
    // Parsing is CPU work: off the runtime, so that a large page does not stall the requests
    // other checks are timing.
    let (links_of, base) = (body.clone(), url.clone());
    let links = tokio::task::spawn_blocking(move || {
        let (text, _) = Page::readable(&links_of);
        Page::linked_stylesheets(&scraper::Html::parse_document(&text), &base)
    })
    .await;
    let Ok(links) = links else {
        audited.unaudited =
            Some("its markup could not be read for the stylesheets it links".into());
        return audited;
    };
    // A stylesheet that cannot be read is missing from the page's sheets, which the rules
    // see: contrast and CSS-supplied names are then left undecided by the rules themselves.
    let mut sheets = Vec::new();
    for link in links {
        match fetch_sheet(env, page, &link).await {
            Ok(s) => sheets.push(s),
            Err(why) => env.notes.push(format!(
                "page {name}: stylesheet {link} could not be read ({why})"
            )),
        }
    }
    let page_url = url.clone();
    let evaluated = tokio::task::spawn_blocking(move || {
        let parsed = Page::parse(page_url, &body, sheets);
        (parsed.truncated, rules::evaluate(&parsed))
    })
    .await;
    match evaluated {
        Ok((truncated, outcomes)) => {
            // The client keeps no more of a body than the rules read: a body it cut is a page
            // read only in part.
            audited.truncated = truncated || resp.cut.is_some();
            audited.outcomes = outcomes;
        }
        Err(e) => audited.unaudited = Some(format!("the rules could not run on it: {e}")),
    }
    audited
}

/// A stylesheet, fetched as the page's actor where credentials may go (the redirects and
/// bounds of any fetch), cut at [`MAX_STYLESHEET_BYTES`].
async fn fetch_sheet(
    env: &mut ProbeEnv<'_>,
    page: &ResolvedPage,
    link: &url::Url,
) -> Result<Stylesheet, String> {
    if !matches!(link.scheme(), "https" | "http") {
        return Err(format!("not fetched ({} URL)", link.scheme()));
    }
    let (_, resp) = fetch_as(env, page, link.as_str(), &[], "a11y_audit stylesheet")
        .await
        .map_err(|e| e.message)?;
    if resp.status != 200 {
        return Err(format!("answered {} {}", resp.status, reason(resp.status)));
    }
    let text = String::from_utf8_lossy(&resp.body[..resp.body.len().min(MAX_STYLESHEET_BYTES)])
        .into_owned();
    Ok(Stylesheet {
        url: link.clone(),
        text,
    })
}

/// One line for the check's details.
fn note(p: &PageAudit) -> String {
    match &p.unaudited {
        Some(why) => format!("page {} ({}): not audited: {why}", p.page, p.fetched),
        None => {
            let ran = p.outcomes.iter().filter(|o| o.checked > 0).count();
            let issues: usize = p.outcomes.iter().map(|o| o.issues.len()).sum();
            format!(
                "page {} ({}, {}): {} rules applied, {issues} elements to report{}",
                p.page,
                p.fetched,
                p.url,
                ran,
                if p.truncated {
                    format!(
                        "; only its first {} MiB were read, its nesting flattened past 512 levels",
                        super::page::MAX_PAGE_MIB
                    )
                } else {
                    String::new()
                }
            )
        }
    }
}

/// The page's record in the audit check's evidence: per rule, what was checked and found.
fn summary(p: &PageAudit) -> serde_json::Value {
    json!({
        "page": p.page,
        "url": p.url,
        "fetched": p.fetched,
        "unaudited": p.unaudited,
        "truncated": p.truncated,
        "rules": p.outcomes.iter().map(|o| json!({
            "engine": o.engine,
            "rule": o.rule,
            "criteria": o.criteria,
            "checked": o.checked,
            "fails": o.issues.iter().filter(|i| i.kind == super::issue::IssueKind::Fail).count(),
            "undecided": o.issues.iter().filter(|i| i.kind == super::issue::IssueKind::Undecided).count(),
        })).collect::<Vec<_>>(),
    })
}
