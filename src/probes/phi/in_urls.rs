//! `phi_in_urls` (PRV-01, passive): no planted PHI (any actor's name, date of birth or health
//! number, any message text or subject the run sent) and no Ontario health number found by its
//! shape appears in a URL of any exchange the run recorded — request URLs, redirects and other
//! URL headers, URL-valued JSON fields, HTML links — logins included. URLs end up in server and
//! proxy logs, browser history and `Referer` headers, where PHI must never go.

use futures_util::future::BoxFuture;

use super::finding::{phi_finding, phi_in};
use super::places::places;
use super::planted::planted;
use crate::outcome::{Exchange, Finding, RecordedView};
use crate::probes::headers::NoParams;
use crate::probes::passive::{not_kept, own_https, something_recorded};
use crate::probes::{Probe, ProbeEnv, ProbeResult};

/// `phi_in_urls`: no PHI in any URL the run saw.
pub struct PhiInUrls;

impl Probe for PhiInUrls {
    const NAME: &'static str = "phi_in_urls";
    const ABOUT: &'static str =
        "no canary, sent text or health number in any URL, redirect or link the run saw (passive)";
    const PARAMS: &'static [&'static str] = &[];
    const PASSIVE: bool = true;
    type Params = NoParams;
    fn run<'a, 'b>(_: &'a NoParams, env: &'a mut ProbeEnv<'b>) -> BoxFuture<'a, ProbeResult> {
        Box::pin(async move { phi_in_urls(env) })
    }
}

/// The exchanges that got an answer, of any origin: a pre-signed storage URL is a URL too.
fn answered(recorded: &RecordedView) -> Vec<&Exchange> {
    recorded
        .exchanges
        .iter()
        .filter(|e| e.status.is_some())
        .collect()
}

fn phi_in_urls(env: &mut ProbeEnv<'_>) -> ProbeResult {
    // No verdict unless the target's own HTTPS origins answered; then every answered exchange
    // is inspected, a storage host's pre-signed URLs included.
    something_recorded(&own_https(&env.recorded, env.target))?;
    let responses = answered(&env.recorded);
    let planted = planted(env.target, &env.recorded);
    let left_out = not_kept(&env.recorded);
    env.notes.push(format!(
        "inspected the URLs of {} answered exchanges (the target's origins and any host it sent the run to){left_out}, for {} planted values (canaries and sent texts) and health card numbers by shape",
        responses.len(),
        planted.len()
    ));
    let mut broke = Vec::new();
    for e in &responses {
        let hits: Vec<String> = places(e)
            .into_iter()
            .filter_map(|p| phi_in(&p.url, &planted).map(|what| format!("{what} in {}", p.at)))
            .collect();
        if let Some(first) = hits.first() {
            let more = match hits.len() {
                1 => String::new(),
                n => format!(", and {} more place(s)", n - 1),
            };
            broke.push((*e, format!("{first}{more}")));
        }
    }
    let mut findings: Vec<Finding> = Vec::new();
    if !broke.is_empty() {
        findings.push(phi_finding(
            "no PHI in any URL, redirect or link",
            "PHI in a URL",
            &broke,
            responses.len(),
            &planted,
        ));
    }
    Ok(findings)
}
