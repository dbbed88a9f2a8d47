//! `emergency_notice` (FUN-07): the patient pages (by default the entry and compose pages) say,
//! in text a reader sees, that the service is not for emergencies, what to do in one, and how
//! soon a reply can be expected — in English, and in French on each page's French version when
//! the profile declares one (`fr:`).

use std::any::Any;

use futures_util::future::BoxFuture;
use serde::Deserialize;

use super::text::{searchable, shown, visible_text};
use super::wording::{Lang, Statement, find};
use super::{as_whom, declared, fetch_as, signed_in_first};
use crate::http::reason;
use crate::model::Located;
use crate::model::probe::ProbeParams;
use crate::model::resolve::ResolvedPage;
use crate::outcome::Finding;
use crate::probes::{Probe, ProbeEnv, ProbeResult};

fn entry_and_compose() -> Vec<Located<String>> {
    ["entry", "compose"]
        .into_iter()
        .map(|p| Located::new(p.to_string()))
        .collect()
}

/// Parameters of `emergency_notice`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmergencyNoticeParams {
    /// The pages that must carry the notice (default `[entry, compose]`).
    #[serde(default = "entry_and_compose")]
    pub pages: Vec<Located<String>>,
}

impl ProbeParams for EmergencyNoticeParams {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn optional_pages(&self) -> Vec<&Located<String>> {
        self.pages.iter().collect()
    }
}

/// `emergency_notice`: the patient pages say the service is not for emergencies, what to do in
/// one, and the expected response time.
pub struct EmergencyNotice;

impl Probe for EmergencyNotice {
    const NAME: &'static str = "emergency_notice";
    const ABOUT: &'static str = "the patient pages say, in English and French, that the service is not for emergencies (call 911) and how soon replies come";
    const PARAMS: &'static [&'static str] = &["pages"];
    type Params = EmergencyNoticeParams;
    fn run<'a, 'b>(
        params: &'a EmergencyNoticeParams,
        env: &'a mut ProbeEnv<'b>,
    ) -> BoxFuture<'a, ProbeResult> {
        Box::pin(emergency_notice(params, env))
    }
}

async fn emergency_notice(params: &EmergencyNoticeParams, env: &mut ProbeEnv<'_>) -> ProbeResult {
    let mut findings = Vec::new();
    let mut undeclared = Vec::new();
    for name in signed_in_first(env, &params.pages) {
        let Some(page) = declared(env, name)? else {
            undeclared.push(name.as_str());
            continue;
        };
        let versions = [
            (Lang::En, Some(page.path.clone())),
            (Lang::Fr, page.fr.clone()),
        ];
        for (lang, path) in versions {
            let Some(path) = path else { continue };
            if let Some(f) = read_version(env, name, &page, &path, lang).await? {
                findings.push(f);
            }
        }
    }
    if findings.is_empty() && !undeclared.is_empty() {
        return env.undecided(format!(
            "the profile declares no {} page (`pages:`), so a reviewer checks that screen for the emergency notice and the response time",
            undeclared.join(" or ")
        ));
    }
    Ok(findings)
}

/// Reads one language version of a page: a finding when it lacks a statement.
async fn read_version(
    env: &mut ProbeEnv<'_>,
    name: &str,
    page: &ResolvedPage,
    path: &str,
    lang: Lang,
) -> Result<Option<Finding>, crate::outcome::CheckError> {
    let label = format!("the {name} page ({})", lang.label());
    let expected = format!(
        "{label} says the service is not for emergencies, what to do in one (call 911) and the expected response time"
    );
    let (url, resp) = fetch_as(env, page, path, &[], "emergency_notice").await?;
    let exchange = env.evidence.exchanges.last().map(|e| e.summary());
    let whom = as_whom(page);
    if resp.status != 200 {
        let mut f = Finding::new(
            expected,
            format!(
                "GET {url} {whom} answered {} {}",
                resp.status,
                reason(resp.status)
            ),
        );
        f.exchange = exchange;
        return Ok(Some(f));
    }
    let text = visible_text(&resp.text());
    let folded = searchable(&text);
    let mut missing = Vec::new();
    let mut said = Vec::new();
    for s in Statement::ALL {
        match find(&folded, lang, s) {
            Some(words) => said.push(format!("{} (\"{words}\")", s.label())),
            None => missing.push(s.missing()),
        }
    }
    if missing.is_empty() {
        env.notes
            .push(format!("{label}, {url}: {}", said.join("; ")));
        return Ok(None);
    }
    let mut f = Finding::new(
        expected,
        format!(
            "GET {url} {whom}: {}; the visible text searched: {}",
            missing.join("; "),
            shown(&text)
        ),
    );
    f.exchange = exchange;
    Ok(Some(f))
}
