//! Probes: observations beyond a single contract call — TLS (versions, suites, certificate),
//! transport (plain HTTP, HSTS), session cookies, sessions (logout, idle timeout, fixation,
//! lockout), latency, credentials reflected in responses, PHI where it must not go, the entry
//! page's policy links. Each probe declares typed parameters (read at load time), runs with a
//! [`ProbeEnv`], records its evidence there, and returns its findings or the error that kept it
//! from a verdict. [`registry`] is the one list of them. None writes reports.

pub mod a11y;
pub mod access;
pub mod audit;
pub mod cookies;
pub mod cors;
pub mod disclosure;
pub mod error_statuses;
pub mod headers;
pub mod lag;
pub mod latency;
pub mod notices;
pub mod pages;
pub(crate) mod passive;
pub mod phi;
pub mod reflection;
pub mod registry;
pub mod security_txt;
pub mod session;
pub mod store;
pub mod tls;
pub mod transport;

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::http::client::TransportError;
use crate::http::{HttpClient, Incoming, Outgoing, RequestTag, Session};
use crate::model::outcome::Outcome;
use crate::model::probe::ProbeParams;
use crate::model::resolve::{ResolvedPage, ResolvedTarget};
use crate::model::{Located, template};
use crate::outcome::{
    CheckError, ErrorKind, Evidence, Exchange, Finding, RecordedView, SkipReason,
};

/// What a probe's run ends in: findings (none: the target conforms), or no verdict.
pub type ProbeResult = Result<Vec<Finding>, CheckError>;

/// One probe: its name, what it verifies, its typed parameters and how it runs.
pub trait Probe: Send + Sync + 'static {
    /// The name suites use in `probe:`.
    const NAME: &'static str;
    /// What it verifies, in one line.
    const ABOUT: &'static str;
    /// The names of its parameters, for listings.
    const PARAMS: &'static [&'static str];
    /// It sends nothing and judges the exchanges the run recorded ([`ProbeEnv::recorded`]), so
    /// it runs after every active check.
    const PASSIVE: bool = false;
    /// It waits on the target's clock (an idle timeout) for up to the run's `--max-wait`, so it
    /// starts before other checks and its time limit grows by that wait.
    const WAITS: bool = false;
    /// About how many requests one step of it sends one after the other: the scheduler starts
    /// the longest chains first, so only the order of a run depends on it. Passive probes
    /// count none.
    const ROUND_TRIPS: u32 = 8;
    /// Its parameters, read from the step's `with:` at load time.
    type Params: ProbeParams + for<'de> serde::Deserialize<'de>;
    /// Runs the probe.
    fn run<'a, 'b>(
        params: &'a Self::Params,
        env: &'a mut ProbeEnv<'b>,
    ) -> BoxFuture<'a, ProbeResult>;
}

/// One contract operation run for a probe (a latency sample).
#[derive(Debug)]
pub struct CallSample {
    /// Status of the last response, when one arrived.
    pub status: Option<u16>,
    pub exchanges: Vec<Exchange>,
    /// The responses, in order (a paged list's pages, a sequence's steps).
    pub responses: Vec<Incoming>,
    /// The contract outputs read from them.
    pub outputs: Map<String, Value>,
    /// The operation could not be carried out.
    pub error: Option<CheckError>,
}

/// Runs contract operations for probes that need them; the engine provides it.
pub trait ContractCaller: Send + Sync {
    /// Runs `operation` with `inputs` in `session`.
    fn call<'a>(
        &'a self,
        operation: &'a str,
        inputs: &'a Map<String, Value>,
        session: &'a Session,
    ) -> BoxFuture<'a, CallSample>;
}

/// What every probe may use, and where it leaves what it saw.
pub struct ProbeEnv<'a> {
    pub http: &'a HttpClient,
    pub target: &'a ResolvedTarget,
    /// The step's actor (`as:`) and its session, when the step names one.
    pub actor: Option<(String, Arc<Session>)>,
    /// The shared sessions of the actors the probe's pages are fetched as and of the actors
    /// its parameters name ([`ProbeParams::actors`]), by actor name.
    pub sessions: &'a IndexMap<String, Arc<Session>>,
    /// The variables the step sees, for templated parameters.
    pub vars: &'a Value,
    pub calls: &'a dyn ContractCaller,
    /// Exchanges and other records behind the verdict.
    pub evidence: &'a mut Evidence,
    /// Lines describing what was done and seen.
    pub notes: &'a mut Vec<String>,
    /// The exchanges the run recorded before this check started (all of the active checks',
    /// for a passive probe).
    pub recorded: RecordedView,
    /// The longest a probe may wait on the target's clock (`--max-wait`).
    pub max_wait: Duration,
    /// Set by [`ProbeEnv::undecided`] or [`ProbeEnv::not_applicable`]: why the probe reached
    /// no verdict on this target, and so why its check is skipped.
    pub undecided: Option<SkipReason>,
    /// What this check leaves for the checks that need it, and what those it needs left.
    pub store: store::StoreView<'a>,
    /// Pages are also to be rendered in a real browser (`--browser`).
    pub browser: bool,
}

impl ProbeEnv<'_> {
    /// Ends the probe without a verdict on this target: `reason` says what a reviewer must
    /// decide, and the check is reported `manual`, never `pass`.
    pub fn undecided(&mut self, reason: impl Into<String>) -> ProbeResult {
        self.undecided = Some(SkipReason::Manual {
            reason: reason.into(),
        });
        Ok(Vec::new())
    }

    /// Ends the probe because what it verifies does not exist on this target (`reason` says
    /// why, e.g. no cookie-based login to fix a cookie in): the check is skipped, and its
    /// requirement is judged by its other checks.
    pub fn not_applicable(&mut self, reason: impl Into<String>) -> ProbeResult {
        self.undecided = Some(SkipReason::NotApplicable {
            reasons: vec![reason.into()],
        });
        Ok(Vec::new())
    }

    /// Sends `req` as `actor` (its credentials, if any, already on it) and records the exchange
    /// under `purpose`.
    pub async fn send(
        &mut self,
        req: &Outgoing,
        actor: &str,
        purpose: &str,
    ) -> Result<Incoming, TransportError> {
        // Probes follow links and addresses pages give: none is sent off the profile's hosts.
        if let Some(why) = self.http.hosts.refusal(&req.url, "not sent to") {
            return Err(TransportError {
                kind: crate::http::client::TransportKind::OffProfile,
                message: why,
            });
        }
        let mut sent = self.http.send(req, RequestTag { actor, purpose }).await;
        // A page's form token is a secret (as a login's is), though no login asked for it.
        if let Ok(resp) = &sent.outcome
            && resp
                .header("content-type")
                .is_some_and(|t| t.contains("html"))
        {
            let tokens = crate::http::extract::hidden_tokens(&resp.text());
            if !tokens.is_empty() {
                let redactor = &self.http.redactor;
                for t in &tokens {
                    redactor.add_kind(t, crate::http::redact::SecretKind::AntiForgery);
                }
                sent.exchange.redact(&|t| redactor.text(t));
            }
        }
        self.evidence.exchanges.push(sent.exchange);
        sent.outcome
    }

    /// GETs `url` anonymously and records the exchange under `purpose`.
    pub async fn get(&mut self, url: url::Url, purpose: &str) -> Result<Incoming, TransportError> {
        self.send(&Outgoing::get(url), "anonymous", purpose).await
    }

    /// The step's variables as a map, to add a call's inputs to.
    pub fn vars_map(&self) -> Map<String, Value> {
        match self.vars {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        }
    }

    /// The findings, each naming the last exchange recorded as the one it rests on (for probes
    /// whose verdict comes from one request).
    pub fn resting_on_last_exchange(&self, findings: Vec<Finding>) -> Vec<Finding> {
        let last = self.evidence.exchanges.last().map(Exchange::summary);
        findings
            .into_iter()
            .map(|f| Finding {
                exchange: f.exchange.or_else(|| last.clone()),
                ..f
            })
            .collect()
    }

    /// The page a `page` parameter names: a page of the profile, or a path (fetched
    /// anonymously); an undeclared `entry` is `/`.
    pub fn page(&self, name: &str) -> Result<ResolvedPage, CheckError> {
        if let Some(p) = self.target.pages.get(name) {
            return Ok(p.clone());
        }
        let anonymous = |path: &str| ResolvedPage {
            path: path.to_string(),
            actor: None,
            fr: None,
        };
        match name {
            _ if name.starts_with('/') => Ok(anonymous(name)),
            "entry" => Ok(anonymous("/")),
            _ => Err(CheckError::new(
                ErrorKind::Input,
                format!("the profile declares no `{name}` page; add it under `pages:`"),
            )),
        }
    }

    /// GETs a page over HTTPS, as its actor when it needs sign-in, and records the exchange
    /// under `purpose`.
    pub async fn get_page(
        &mut self,
        page: &ResolvedPage,
        purpose: &str,
    ) -> Result<(url::Url, Incoming), CheckError> {
        let url = self.target.url(&page.path).map_err(|e| {
            CheckError::new(
                ErrorKind::Input,
                format!("bad page URL `{}`: {e}", page.path),
            )
        })?;
        let mut req = Outgoing::get(url.clone());
        let actor = match &page.actor {
            Some(name) => {
                let session = self.sessions.get(name).ok_or_else(|| {
                    CheckError::new(
                        ErrorKind::Internal,
                        format!("no session of `{name}`, who the page is fetched as"),
                    )
                })?;
                session.apply_scoped(&mut req, self.target);
                name.as_str()
            }
            None => "anonymous",
        };
        let resp = self
            .send(&req, actor, purpose)
            .await
            .map_err(|e| crate::http::check_error(&e).context(format!("GET {url}")))?;
        Ok((url, resp))
    }

    /// Why `resp` does not show `outcome` for `operation` by the profile's outcomes, or `None`
    /// when it does.
    pub fn outcome_failure(
        &self,
        operation: &str,
        outcome: Outcome,
        resp: &Incoming,
    ) -> Option<crate::assert::Failure> {
        let rules = self.target.outcome_rules(operation, outcome);
        let expected = crate::assert::outcome::ExpectedOutcome {
            outcome,
            rules: &rules,
            login_path: self.target.pages.get("login").map(|p| p.path.as_str()),
        };
        crate::assert::outcome::check(&expected, resp)
    }

    /// Whether `resp` shows `outcome` for `operation` by the profile's outcomes.
    pub fn shows(&self, operation: &str, outcome: Outcome, resp: &Incoming) -> bool {
        self.outcome_failure(operation, outcome, resp).is_none()
    }

    /// Whether `resp` did what `operation` asked: the profile's `ok` where the profile says what
    /// that looks like, else any answer below 400 (the REST default, as for every operation: a
    /// redirect after a form post or a logout is no refusal).
    pub fn succeeded(&self, operation: &str, resp: &Incoming) -> bool {
        if self.target.outcome_rules_written(operation, Outcome::Ok) {
            self.shows(operation, Outcome::Ok, resp)
        } else {
            resp.status < 400
        }
    }

    /// Signs `actor` in afresh, for a session of the probe's own; the login's exchanges are
    /// added to `exchanges` (the caller records them, so that rows run at once can keep theirs).
    pub async fn login(
        &self,
        actor: &str,
        exchanges: &mut Vec<Exchange>,
    ) -> Result<Session, CheckError> {
        let resolved =
            self.target.actors.get(actor).ok_or_else(|| {
                CheckError::new(ErrorKind::Input, format!("unknown actor `{actor}`"))
            })?;
        match crate::http::auth::login(self.http, self.target, resolved).await {
            Ok(s) => {
                exchanges.extend(s.login_exchanges.iter().cloned());
                Ok(s)
            }
            Err(e) => {
                exchanges.extend(e.exchanges);
                Err(CheckError::new(ErrorKind::Login, e.message))
            }
        }
    }

    /// Renders a templated parameter with the step's variables.
    pub fn render(&self, v: &Located<Value>) -> Result<Value, CheckError> {
        template::render_value(v, self.vars).map_err(|e| CheckError::new(ErrorKind::Template, e.0))
    }
}
