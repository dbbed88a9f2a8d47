//! The rendered-browser engine: headless Chromium, driven over the DevTools protocol, runs
//! axe-core's WCAG 2.0 A and AA rules on each page as rendered (scripts run, stylesheets
//! applied) and reports them as the same [`RuleOutcome`]s as the static rules.
//!
//! The DevTools client is our own ([`cdp`]) over `tokio-tungstenite` rather than
//! `chromiumoxide`: a run needs a dozen Target, Page, Network, Runtime and Fetch commands, and a
//! generated binding of the whole protocol is a large crate that takes minutes to compile on a
//! small machine and tracks Chromium's protocol revisions; the socket is plain `ws://` on
//! 127.0.0.1, so the WebSocket crate comes without TLS.
//!
//! [`BrowserSetup::locate`] finds Chromium and axe-core; [`Browser::launch`] starts a browser
//! (fresh profile, killed on drop) trusting a vendor's private CA ([`TrustOptions`]);
//! [`Browser::audit`] renders one page ([`AuditRequest`]), signed in by headers sent only to the
//! page's own origin, in a browser context of its own that is disposed after.

mod axe;
mod cdp;
mod locate;
mod process;
mod trust;

use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::watch;
use url::Url;

use super::rules::RuleOutcome;
use crate::model::proxy::ResolvedProxy;
pub use cdp::CdpError;
pub use locate::{BrowserMissing, BrowserSetup};
pub use process::StartError;
pub use trust::TrustError;

/// How long Chromium may take to start and open DevTools.
pub const LAUNCH_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a page may take to load.
pub const LOAD_TIMEOUT: Duration = Duration::from_secs(20);
/// How long injecting and running axe-core may take.
pub const AXE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long any other DevTools command may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// Chromium's flags for `plan`: its proxies by scheme, and the hosts it reaches directly
/// (Chromium skips loopback hosts by itself unless told `<-loopback>`).
fn proxy_flags(plan: &ResolvedProxy) -> Result<Vec<String>, BrowserError> {
    let mut servers = Vec::new();
    for (scheme, server) in [("https", &plan.https), ("http", &plan.http)] {
        let Some(server) = server else { continue };
        let shown = server.shown().to_string();
        if server.credentials.is_some() {
            return Err(BrowserError::ProxyCredentials { proxy: shown });
        }
        servers.push(format!("{scheme}={shown}"));
    }
    if servers.is_empty() {
        return Ok(Vec::new());
    }
    let mut bypass: Vec<String> = plan.no_proxy.clone();
    if plan.loopback {
        bypass.push("<-loopback>".into());
    }
    let mut flags = vec![format!("--proxy-server={}", servers.join(";"))];
    if !bypass.is_empty() {
        flags.push(format!("--proxy-bypass-list={}", bypass.join(";")));
    }
    Ok(flags)
}

/// Which servers' certificates the browser accepts beyond the system's roots, and the way it
/// reaches them.
#[derive(Debug, Clone, Default)]
pub struct TrustOptions {
    /// PEM of the private CA (and/or the leaf) the target's servers use (`tls.ca_file`): their
    /// chains are accepted, every other site is checked as usual.
    pub ca_pem: Option<String>,
    /// The run's `--insecure`: every certificate error is ignored.
    pub insecure: bool,
    /// The run's proxy plan: the browser's requests go the way the run's do.
    pub proxy: ResolvedProxy,
}

impl TrustOptions {
    /// These options with the certificates `site` sends added to `ca_pem`, once verified
    /// against it: Chromium excuses a chain by the keys the server sends, so a server that
    /// sends its leaf without the CA needs the leaf's key. Unchanged without a CA or for a
    /// plain-HTTP site.
    pub async fn with_served_chain(mut self, site: &Url) -> Result<TrustOptions, BrowserError> {
        if let Some(ca) = &self.ca_pem
            && site.scheme() == "https"
        {
            let served = trust::served_chain_pem(site, ca, &self.proxy).await?;
            self.ca_pem = Some(format!("{ca}\n{served}"));
        }
        Ok(self)
    }
}

/// One page to audit.
#[derive(Clone)]
pub struct AuditRequest {
    pub url: Url,
    /// Headers that sign the browser in (`Cookie`, `Authorization`), added to requests to the
    /// page's own origin and to no other.
    pub same_origin_headers: Vec<(String, String)>,
}

impl std::fmt::Debug for AuditRequest {
    /// The headers' names only: their values are secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self
            .same_origin_headers
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        f.debug_struct("AuditRequest")
            .field("url", &shown(&self.url))
            .field("same_origin_headers", &names)
            .finish()
    }
}

/// Why a browser could not start or a page could not be audited. No message carries a header
/// value or a URL's query.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    /// Chromium did not run, exited, or opened no DevTools port in time.
    #[error("Chromium did not start: {0}")]
    Start(#[from] StartError),
    /// axe-core's source is not readable.
    #[error("cannot read axe-core at {path}: {error}")]
    AxeSource { path: String, error: std::io::Error },
    /// The CA text is no certificate, or the served chain does not chain to it.
    #[error("cannot trust the given CA: {0}")]
    Trust(#[from] TrustError),
    /// The proxy wants credentials, which Chromium takes only from a person at a prompt.
    #[error(
        "the proxy {proxy} needs credentials, and Chromium cannot be given them on its command \
         line; the rendered mode needs a proxy that lets this machine through without them"
    )]
    ProxyCredentials { proxy: String },
    /// The browser refused a command, did not answer in time, or went away.
    #[error("DevTools: {0}")]
    Cdp(#[from] CdpError),
    /// The navigation failed (`net::ERR_CERT_AUTHORITY_INVALID`, `net::ERR_CONNECTION_REFUSED`).
    #[error("{url} did not load: {reason}")]
    Navigation { url: String, reason: String },
    /// The page answered 4xx or 5xx: auditing the error page would judge the wrong page.
    #[error("{url} answered HTTP {status}: not the page to audit (is the sign-in right?)")]
    Status { url: String, status: u16 },
    /// No load event within [`LOAD_TIMEOUT`].
    #[error("{url} did not finish loading in {secs} s")]
    LoadTimeout { url: String, secs: u64 },
    /// The page's renderer crashed.
    #[error("the page {url} crashed the browser's renderer")]
    Crashed { url: String },
    /// axe-core threw, gave no result within [`AXE_TIMEOUT`], or gave one that does not read.
    #[error("axe-core did not run on {url}: {reason}")]
    Axe { url: String, reason: String },
}

/// A running headless Chromium with axe-core at hand. Dropping it kills the browser and removes
/// its profile.
pub struct Browser {
    // Declared first so the socket closes before the process is killed.
    cdp: cdp::Connection,
    axe_source: String,
    _process: process::Process,
}

impl Browser {
    /// Starts Chromium as `setup` found it, trusting what `trust` says, within
    /// [`LAUNCH_TIMEOUT`].
    pub async fn launch(
        setup: &BrowserSetup,
        trust: &TrustOptions,
    ) -> Result<Browser, BrowserError> {
        let axe_source =
            std::fs::read_to_string(&setup.axe_js).map_err(|error| BrowserError::AxeSource {
                path: setup.axe_js.display().to_string(),
                error,
            })?;
        let mut flags = proxy_flags(&trust.proxy)?;
        if let Some(pem) = &trust.ca_pem {
            flags.push(trust::spki_flag(&trust::spki_hashes(pem)?));
        }
        let process = process::Process::start(&setup.chromium, &flags, LAUNCH_TIMEOUT).await?;
        let cdp = cdp::Connection::connect(&process.ws_url, LAUNCH_TIMEOUT).await?;
        if trust.insecure {
            cdp.call(
                None,
                "Security.setIgnoreCertificateErrors",
                json!({ "ignore": true }),
                COMMAND_TIMEOUT,
            )
            .await?;
        }
        Ok(Browser {
            cdp,
            axe_source,
            _process: process,
        })
    }

    /// Renders `req.url` in a fresh browser context, waits for it to load and settle, and runs
    /// axe-core's WCAG 2.0 A and AA rules on it: one outcome per axe rule.
    pub async fn audit(&self, req: &AuditRequest) -> Result<Vec<RuleOutcome>, BrowserError> {
        let context = self
            .cdp
            .call(
                None,
                "Target.createBrowserContext",
                json!({}),
                COMMAND_TIMEOUT,
            )
            .await?;
        let context = Disposal {
            cdp: self.cdp.clone(),
            context: str_field(&context, "Target.createBrowserContext", "browserContextId")?,
            session: None,
            watcher: None,
        };
        self.audit_in(context, req).await
    }

    async fn audit_in(
        &self,
        mut context: Disposal,
        req: &AuditRequest,
    ) -> Result<Vec<RuleOutcome>, BrowserError> {
        let target = self
            .cdp
            .call(
                None,
                "Target.createTarget",
                json!({ "url": "about:blank", "browserContextId": context.context }),
                COMMAND_TIMEOUT,
            )
            .await?;
        let target = str_field(&target, "Target.createTarget", "targetId")?;
        let attached = self
            .cdp
            .call(
                None,
                "Target.attachToTarget",
                json!({ "targetId": target, "flatten": true }),
                COMMAND_TIMEOUT,
            )
            .await?;
        let session = str_field(&attached, "Target.attachToTarget", "sessionId")?;
        let page = PageSession {
            cdp: &self.cdp,
            id: &session,
            url: shown(&req.url),
        };
        let events = self.cdp.events(&session);
        context.session = Some(session.clone());
        let (status_tx, status_rx) = watch::channel(PageStatus::default());
        let headers = (!req.same_origin_headers.is_empty())
            .then(|| (req.url.origin(), req.same_origin_headers.clone()));
        context.watcher = Some(tokio::spawn(watch_page(
            self.cdp.clone(),
            session.clone(),
            events,
            headers.clone(),
            status_tx,
        )));
        page.run(&self.axe_source, headers.is_some(), &req.url, status_rx)
            .await
    }
}

/// One audit's browser context, its page's session and the task following its events: all
/// let go when the audit ends, however it ends (an error, or the caller dropping it).
struct Disposal {
    cdp: cdp::Connection,
    context: String,
    session: Option<String>,
    watcher: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Disposal {
    fn drop(&mut self) {
        if let Some(w) = self.watcher.take() {
            w.abort();
        }
        if let Some(s) = self.session.take() {
            self.cdp.forget(&s);
        }
        // Disposing the context closes its page. Without a runtime the browser is going away
        // with it, and so is the context.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let cdp = self.cdp.clone();
            let context = std::mem::take(&mut self.context);
            runtime.spawn(async move {
                let _ = cdp
                    .call(
                        None,
                        "Target.disposeBrowserContext",
                        json!({ "browserContextId": context }),
                        COMMAND_TIMEOUT,
                    )
                    .await;
            });
        }
    }
}

/// What the page has done so far, as its events tell.
#[derive(Debug, Default)]
struct PageStatus {
    /// Loader ids whose document finished loading.
    loaded: Vec<String>,
    /// HTTP status of each loader's document.
    statuses: Vec<(String, u16)>,
    crashed: bool,
}

/// One page's DevTools session.
struct PageSession<'a> {
    cdp: &'a cdp::Connection,
    id: &'a str,
    /// The page's URL as errors show it.
    url: String,
}

impl PageSession<'_> {
    async fn call(
        &self,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, CdpError> {
        self.cdp.call(Some(self.id), method, params, timeout).await
    }

    async fn run(
        &self,
        axe_source: &str,
        intercept: bool,
        url: &Url,
        mut status: watch::Receiver<PageStatus>,
    ) -> Result<Vec<RuleOutcome>, BrowserError> {
        for method in ["Page.enable", "Network.enable", "Inspector.enable"] {
            self.call(method, json!({}), COMMAND_TIMEOUT).await?;
        }
        self.call(
            "Page.setLifecycleEventsEnabled",
            json!({ "enabled": true }),
            COMMAND_TIMEOUT,
        )
        .await?;
        if intercept {
            self.call(
                "Fetch.enable",
                json!({ "patterns": [{ "urlPattern": "*", "requestStage": "Request" }] }),
                COMMAND_TIMEOUT,
            )
            .await?;
        }
        // In every document of the page, frames included, before its own scripts: axe tests a
        // frame's content only where axe runs in that frame too.
        self.call(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": axe_source }),
            COMMAND_TIMEOUT,
        )
        .await?;
        // One deadline for the answer to the navigation and for the load after it.
        let deadline = tokio::time::Instant::now() + LOAD_TIMEOUT;
        let load_timeout = || BrowserError::LoadTimeout {
            url: self.url.clone(),
            secs: LOAD_TIMEOUT.as_secs(),
        };
        let nav = self
            .call(
                "Page.navigate",
                json!({ "url": url.as_str() }),
                LOAD_TIMEOUT,
            )
            .await
            .map_err(|e| match e {
                CdpError::Timeout { .. } => load_timeout(),
                e => e.into(),
            })?;
        if let Some(reason) = nav
            .get("errorText")
            .and_then(Value::as_str)
            .filter(|e| !e.is_empty())
        {
            return Err(BrowserError::Navigation {
                url: self.url.clone(),
                reason: reason.to_string(),
            });
        }
        let loader = str_field(&nav, "Page.navigate", "loaderId")?;
        // What the load ended in, read out of the watch's guard, which may not be held across
        // an await (the audit runs on any worker).
        let (crashed, failed_status) = {
            let done = tokio::time::timeout_at(
                deadline,
                status.wait_for(|s| s.crashed || s.loaded.contains(&loader)),
            )
            .await
            .map_err(|_| load_timeout())?
            .map_err(|_| CdpError::Closed)?;
            let code = done
                .statuses
                .iter()
                .find(|(l, c)| *l == loader && *c >= 400)
                .map(|&(_, c)| c);
            (done.crashed, code)
        };
        if crashed {
            return Err(BrowserError::Crashed {
                url: self.url.clone(),
            });
        }
        if let Some(code) = failed_status {
            return Err(BrowserError::Status {
                url: self.url.clone(),
                status: code,
            });
        }
        self.evaluate(axe::SETTLE, true, COMMAND_TIMEOUT).await?;
        if self.evaluate(axe::PRESENT, true, COMMAND_TIMEOUT).await? != json!(true) {
            self.evaluate(axe_source, false, AXE_TIMEOUT).await?;
        }
        let results = self.evaluate(axe::RUN, true, AXE_TIMEOUT).await?;
        let results: axe::Results =
            serde_json::from_value(results).map_err(|e| BrowserError::Axe {
                url: self.url.clone(),
                reason: format!("its results do not read: {e}"),
            })?;
        Ok(axe::outcomes(results))
    }

    /// Evaluates `script` in the page (awaiting the promise it gives when `wait`), its value.
    async fn evaluate(
        &self,
        script: &str,
        wait: bool,
        timeout: Duration,
    ) -> Result<Value, BrowserError> {
        let r = self
            .call(
                "Runtime.evaluate",
                json!({ "expression": script, "awaitPromise": wait, "returnByValue": wait }),
                timeout,
            )
            .await
            .map_err(|e| match e {
                CdpError::Timeout { secs, .. } => BrowserError::Axe {
                    url: self.url.clone(),
                    reason: format!("no result in {secs} s"),
                },
                e => e.into(),
            })?;
        if let Some(ex) = r.get("exceptionDetails") {
            let reason = ex
                .pointer("/exception/description")
                .or_else(|| ex.get("text"))
                .and_then(Value::as_str)
                .unwrap_or("a script error");
            return Err(BrowserError::Axe {
                url: self.url.clone(),
                reason: first_line(reason),
            });
        }
        Ok(r.pointer("/result/value").cloned().unwrap_or(Value::Null))
    }
}

/// Follows a page's events: its loads, its documents' statuses, a crash, its dialogs (accepted);
/// and, when signing in,
/// lets each paused request go on, with the headers added when it is to the page's origin.
async fn watch_page(
    cdp: cdp::Connection,
    session: String,
    mut events: tokio::sync::mpsc::UnboundedReceiver<cdp::Event>,
    headers: Option<(url::Origin, Vec<(String, String)>)>,
    status: watch::Sender<PageStatus>,
) {
    while let Some(ev) = events.recv().await {
        let p = &ev.params;
        match ev.method.as_str() {
            "Page.lifecycleEvent" if p["name"] == "load" => {
                if let Some(loader) = p["loaderId"].as_str() {
                    status.send_modify(|s| s.loaded.push(loader.to_string()));
                }
            }
            "Network.responseReceived" if p["type"] == "Document" => {
                if let (Some(loader), Some(code)) = (
                    p["loaderId"].as_str(),
                    p.pointer("/response/status").and_then(Value::as_u64),
                ) {
                    let code = u16::try_from(code).unwrap_or(u16::MAX);
                    status.send_modify(|s| s.statuses.push((loader.to_string(), code)));
                }
            }
            "Inspector.targetCrashed" => status.send_modify(|s| s.crashed = true),
            // An alert or confirm at load would hold the page (and axe) until it is answered.
            "Page.javascriptDialogOpening" => {
                let cdp = cdp.clone();
                let session = session.clone();
                tokio::spawn(async move {
                    let _ = cdp
                        .call(
                            Some(&session),
                            "Page.handleJavaScriptDialog",
                            json!({ "accept": true }),
                            COMMAND_TIMEOUT,
                        )
                        .await;
                });
            }
            "Fetch.requestPaused" => {
                let Some(request_id) = p["requestId"].as_str() else {
                    continue;
                };
                let mut params = json!({ "requestId": request_id });
                if let Some((origin, add)) = &headers {
                    let same = p
                        .pointer("/request/url")
                        .and_then(Value::as_str)
                        .and_then(|u| Url::parse(u).ok())
                        .is_some_and(|u| u.origin() == *origin && origin.is_tuple());
                    if same {
                        params["headers"] = merged(&p["request"]["headers"], add);
                    }
                }
                let cdp = cdp.clone();
                let session = session.clone();
                // Answered apart, so a slow answer holds up no other request or event.
                tokio::spawn(async move {
                    let _ = cdp
                        .call(
                            Some(&session),
                            "Fetch.continueRequest",
                            params,
                            COMMAND_TIMEOUT,
                        )
                        .await;
                });
            }
            _ => {}
        }
    }
}

/// The request's headers with `add` in place of any of the same name.
fn merged(existing: &Value, add: &[(String, String)]) -> Value {
    let mut out: Vec<Value> = existing
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| !add.iter().any(|(a, _)| a.eq_ignore_ascii_case(k)))
        .map(|(k, v)| json!({ "name": k, "value": v.as_str().unwrap_or_default() }))
        .collect();
    out.extend(add.iter().map(|(k, v)| json!({ "name": k, "value": v })));
    Value::Array(out)
}

/// The text field `field` of `method`'s answer.
fn str_field(v: &Value, method: &str, field: &str) -> Result<String, CdpError> {
    v.get(field)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| CdpError::Command {
            method: method.to_string(),
            message: format!("its answer has no {field}"),
        })
}

/// `url` without its query and fragment, which may carry secrets.
fn shown(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

/// The first line of a script error, shortened.
fn first_line(s: &str) -> String {
    super::issue::shorten(s.lines().next().unwrap_or_default(), 300)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_headers_replace_those_of_the_same_name() {
        let existing = json!({ "Accept": "text/html", "authorization": "old" });
        let add = vec![("Authorization".to_string(), "Bearer t".to_string())];
        assert_eq!(
            merged(&existing, &add),
            json!([{ "name": "Accept", "value": "text/html" }, { "name": "Authorization", "value": "Bearer t" }])
        );
    }

    #[test]
    fn a_request_shows_no_header_value() {
        let req = AuditRequest {
            url: Url::parse("https://v.test/inbox?sig=s3cret").expect("url"),
            same_origin_headers: vec![("Cookie".into(), "sid=s3cret".into())],
        };
        let shown = format!("{req:?}");
        assert!(
            shown.contains("Cookie") && !shown.contains("s3cret"),
            "{shown}"
        );
    }

    #[test]
    fn a_shown_url_has_no_query() {
        let u = Url::parse("https://v.test/p?token=s#f").expect("url");
        assert_eq!(shown(&u), "https://v.test/p");
    }

    #[test]
    fn a_browser_can_be_shared_between_tasks() {
        fn shared<T: Send + Sync>() {}
        shared::<Browser>();
    }
}
