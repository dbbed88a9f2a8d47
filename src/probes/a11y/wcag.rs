//! `wcag` (ACC-2.1.10): one WCAG 2.0 success criterion, judged on every page the audit check
//! it needs fetched. Fails when an element on a page fails a rule mapped onto the criterion
//! (each named by selector, shortened markup and the rule's help); passes only when rules decide
//! the criterion and every page passes them; is left to a reviewer otherwise.

use std::any::Any;

use futures_util::future::BoxFuture;
use serde::Deserialize;

use super::audit::Audit;
use super::criteria::{Criterion, criterion};
use super::judge::{Conformance, Judgement, Offender, PageJudgement, judge};
use crate::model::probe::ProbeParams;
use crate::outcome::{CheckError, ErrorKind, Finding};
use crate::probes::{Probe, ProbeEnv, ProbeResult};

/// Offending elements named per page in a finding (the rest are counted).
const EXAMPLES: usize = 5;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParams {
    criterion: String,
}

/// Parameters of `wcag`.
#[derive(Debug, Deserialize)]
#[serde(try_from = "RawParams")]
pub struct WcagParams {
    /// The success criterion (`1.4.3`).
    pub criterion: &'static Criterion,
}

impl TryFrom<RawParams> for WcagParams {
    type Error = String;
    fn try_from(r: RawParams) -> Result<Self, String> {
        criterion(r.criterion.trim())
            .map(|criterion| WcagParams { criterion })
            .ok_or_else(|| {
                format!(
                    "`{}` is no WCAG 2.0 Level A or AA success criterion (e.g. `1.4.3`)",
                    r.criterion
                )
            })
    }
}

impl ProbeParams for WcagParams {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `wcag`: one success criterion on every audited page.
pub struct Wcag;

impl Probe for Wcag {
    const NAME: &'static str = "wcag";
    // It judges the pages the audit (`acc.pages`) fetched.
    const ROUND_TRIPS: u32 = 0;
    const ABOUT: &'static str = "one WCAG 2.0 A/AA success criterion on every page the `a11y_audit` check it needs fetched: fail on an offending element, pass only where rules decide it";
    const PARAMS: &'static [&'static str] = &["criterion"];
    type Params = WcagParams;
    fn run<'a, 'b>(
        params: &'a WcagParams,
        env: &'a mut ProbeEnv<'b>,
    ) -> BoxFuture<'a, ProbeResult> {
        Box::pin(async move { wcag(params, env) })
    }
}

fn wcag(params: &WcagParams, env: &mut ProbeEnv<'_>) -> ProbeResult {
    let Some((from, audit)) = env.store.needed::<Audit>() else {
        return Err(CheckError::new(
            ErrorKind::Input,
            "no accessibility audit to judge: the check needs (`needs:`) a check whose probe is `a11y_audit`",
        ));
    };
    let c = params.criterion;
    let j = judge(c, &audit.pages);
    env.notes.push(format!(
        "{}: {} (pages audited by `{from}`)",
        c.label(),
        j.conformance.label()
    ));
    for p in &j.pages {
        env.notes.push(format!(
            "  page {} ({}): {}: {}",
            p.page,
            p.fetched,
            p.conformance.label(),
            p.remark
        ));
    }
    env.evidence
        .a11y
        .push(serde_json::to_value(&j).unwrap_or_default());
    match j.conformance {
        Conformance::DoesNotSupport | Conformance::PartiallySupports => Ok(findings(c, &j)),
        Conformance::Supports => Ok(Vec::new()),
        Conformance::NotApplicable => env.not_applicable(format!(
            "{}: nothing on the audited pages it applies to",
            c.label()
        )),
        Conformance::NotEvaluated => env.undecided(not_evaluated(c, &j)),
    }
}

/// One finding per failing page, naming its first offending elements.
fn findings(c: &Criterion, j: &Judgement) -> Vec<Finding> {
    j.pages
        .iter()
        .filter(|p| !p.fails.is_empty())
        .map(|p| {
            let helps: Vec<&str> = {
                let mut h: Vec<&str> = p.fails.iter().map(|o| o.help.as_str()).collect();
                h.dedup();
                h
            };
            let mut shown: Vec<String> = p.fails.iter().take(EXAMPLES).map(offender).collect();
            if p.fails.len() > EXAMPLES {
                shown.push(format!("and {} more", p.fails.len() - EXAMPLES));
            }
            Finding {
                exchange: Some(format!("GET {} {}", p.url, p.fetched)),
                ..Finding::new(
                    format!("{}: {}", c.label(), helps.join("; ")),
                    format!(
                        "page {} ({}): {} element{} fail: {}",
                        p.page,
                        p.fetched,
                        p.fails.len(),
                        if p.fails.len() == 1 { "" } else { "s" },
                        shown.join("; ")
                    ),
                )
            }
        })
        .collect()
}

/// `img:nth-of-type(2) [image-alt] has no alt attribute: <img src="x.png">`.
fn offender(o: &Offender) -> String {
    let engine = match o.engine {
        super::rules::Engine::Static => "",
        super::rules::Engine::Browser => ", rendered",
    };
    format!(
        "`{}` [{}{engine}] {}: {}",
        o.issue.selector, o.rule, o.issue.message, o.issue.snippet
    )
}

/// Why the criterion is left to a reviewer, page by page (the undecided pages first).
fn not_evaluated(c: &Criterion, j: &Judgement) -> String {
    let pages: Vec<&PageJudgement> = j
        .pages
        .iter()
        .filter(|p| p.conformance == Conformance::NotEvaluated)
        .collect();
    let first = pages.first().map_or_else(String::new, |p| p.remark.clone());
    let same = pages.iter().all(|p| p.remark == first);
    if same {
        format!("{}: {first}", c.label())
    } else {
        let each: Vec<String> = pages
            .iter()
            .map(|p| format!("{}: {}", p.page, p.remark))
            .collect();
        format!("{}: {}", c.label(), each.join("; "))
    }
}
