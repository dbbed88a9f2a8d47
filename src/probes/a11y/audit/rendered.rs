//! The audit's rendered mode (`--browser`): one headless Chromium for the audit, each page
//! rendered in it as its actor (the actor's headers sent to the page's own origin only) and
//! judged by axe-core beside the static rules. Missing or failing, it is said once in the
//! check's notes, and the static rules stand alone.

use super::PageAudit;
use crate::model::resolve::ResolvedPage;
use crate::probes::ProbeEnv;
use crate::probes::a11y::browser::{AuditRequest, Browser, BrowserSetup, TrustOptions};

/// The browser for this audit, or `None` (with a note saying why) when it cannot run.
pub(super) async fn start(env: &mut ProbeEnv<'_>) -> Option<Browser> {
    let setup = match BrowserSetup::locate() {
        Ok(s) => s,
        Err(missing) => {
            env.notes.push(format!(
                "rendered mode: {missing}; the static rules alone judged the pages, and what only a rendered page decides is left to a reviewer"
            ));
            return None;
        }
    };
    let ca_pem = env
        .target
        .tls
        .ca_pem
        .as_ref()
        .map(|pem| String::from_utf8_lossy(pem).into_owned());
    let trust = TrustOptions {
        ca_pem,
        insecure: env.http.insecure,
        proxy: env.target.proxy.clone(),
    };
    let trust = match trust.clone().with_served_chain(&env.target.base_url).await {
        Ok(t) => t,
        Err(e) => {
            env.notes.push(format!(
                "rendered mode: the target's certificate chain could not be read ({e}); trusting its CA alone"
            ));
            trust
        }
    };
    match Browser::launch(&setup, &trust).await {
        Ok(b) => {
            env.notes.push(format!(
                "rendered mode: {} with axe-core {}",
                setup.chromium_version, setup.axe_version
            ));
            Some(b)
        }
        Err(e) => {
            env.notes.push(format!(
                "rendered mode: {e}; the static rules alone judged the pages, and what only a rendered page decides is left to a reviewer"
            ));
            None
        }
    }
}

/// Renders `audited`'s page as `page`'s actor and adds axe-core's outcomes to its own; a page
/// the browser could not render says so in its notes and keeps the static outcomes.
pub(super) async fn audit(
    env: &mut ProbeEnv<'_>,
    browser: &Browser,
    page: &ResolvedPage,
    audited: &mut PageAudit,
) {
    let Ok(url) = url::Url::parse(&audited.url) else {
        return;
    };
    let mut headers = Vec::new();
    if let Some(actor) = &page.actor
        && let Some(session) = env.sessions.get(actor)
    {
        let mut req = crate::http::Outgoing::get(url.clone());
        session.apply_scoped(&mut req, env.target);
        headers = req.headers;
    }
    let req = AuditRequest {
        url,
        same_origin_headers: headers,
    };
    match browser.audit(&req).await {
        Ok(outcomes) => audited.outcomes.extend(outcomes),
        Err(e) => env.notes.push(format!(
            "rendered mode: page {} could not be rendered: {}",
            audited.page,
            env.http.redactor.text(&e.to_string())
        )),
    }
}
