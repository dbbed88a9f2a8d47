//! Sending requests: one reqwest client (rustls, no redirects unless asked, timeouts on
//! everything), per-host rate limit, retries of idempotent requests on connection errors, and the
//! redacted [`Exchange`] of every request sent.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;

pub use super::body::MAX_RESPONSE_BYTES;
use super::body::{self, BodyError};
use super::client_cert::ClientCertCheck;
use super::file_body::FileBody;
use super::http2::Http2Check;
use super::proxy::ProxyCheck;
use super::rate::RateLimiter;
use super::record;
use super::redact::Redactor;
use super::redirect::{self, ProfileHosts};
use super::spill::Spill;
use super::tls::{self, TlsError};
use crate::model::resolve::ResolvedTarget;
use crate::model::target::HttpVersion;

/// The longest a body may send nothing before it is given up as stalled (the request timeout
/// bounds the whole read too, when it is shorter).
const STALL: Duration = Duration::from_secs(10);

/// Options of the HTTP layer.
#[derive(Debug, Clone, Default)]
pub struct HttpOptions {
    pub insecure: bool,
    pub retries: u32,
    pub rate: Option<f64>,
    /// The redactor the client registers every secret with; share a clone to mask other
    /// output (the console) with the same secrets.
    pub redactor: Redactor,
}

/// The client shared by every check of a run.
#[derive(Debug)]
pub struct HttpClient {
    client: reqwest::Client,
    follow: reqwest::Client,
    rate: Arc<RateLimiter>,
    retries: u32,
    /// The target profile's hosts: the only ones redirects are followed to and probes send to.
    pub hosts: ProfileHosts,
    /// How long a body may send nothing.
    stall: Duration,
    /// Actors whose login got no answer in this run, with why: not tried again, so a hanging
    /// login costs one timeout.
    unanswered: std::sync::Mutex<std::collections::HashMap<String, String>>,
    /// Tells a refused client certificate from a broken connection.
    client_cert: ClientCertCheck,
    /// Tells a broken HTTP/2 from a broken server, once a request has failed for good.
    http2: Http2Check,
    /// Tells a proxy's refusal from a broken connection.
    proxy: ProxyCheck,
    /// Masks secrets in every recorded exchange.
    pub redactor: Redactor,
    /// Where recorded bodies too large to keep in memory go; `None` if no temporary file could
    /// be made (bodies are then cut short in memory).
    pub spill: Option<Arc<Spill>>,
    /// The run's `--insecure`: certificates are not checked (a browser the run starts must not
    /// check them either).
    pub insecure: bool,
}

/// A reqwest client on `config`, following redirects to `follow`'s hosts when given.
fn build(
    target: &ResolvedTarget,
    config: rustls::ClientConfig,
    follow: Option<&ProfileHosts>,
) -> Result<reqwest::Client, TlsError> {
    let mut b = reqwest::Client::builder()
        .use_preconfigured_tls(config)
        .connect_timeout(Duration::from_secs(target.timeouts.connect_s))
        .timeout(Duration::from_secs(target.timeouts.request_s))
        .pool_idle_timeout(Duration::from_secs(30))
        .user_agent(concat!("vvcheck/", env!("CARGO_PKG_VERSION")))
        .redirect(match follow {
            Some(hosts) => redirect::policy(hosts.clone()),
            None => reqwest::redirect::Policy::none(),
        });
    // The run's own proxy plan, not reqwest's reading of the environment: every connection
    // vvcheck opens itself follows the same plan (loopback, NO_PROXY, the profile's proxy).
    b = b.no_proxy();
    if let Some(proxy) = super::proxy::reqwest_proxy(&target.proxy) {
        b = b.proxy(proxy);
    }
    if target.http_version == HttpVersion::Http1 {
        b = b.http1_only();
    }
    b.build()
        .map_err(|e| TlsError::Config(rustls::Error::General(e.to_string())))
}

/// Why an attempt produced no response.
enum Failure {
    Transport(reqwest::Error),
    TooLarge,
    Stalled(Duration),
}

impl From<reqwest::Error> for Failure {
    fn from(e: reqwest::Error) -> Self {
        Failure::Transport(e)
    }
}

impl From<BodyError> for Failure {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::Transport(e) => Failure::Transport(e),
            BodyError::TooLarge => Failure::TooLarge,
            BodyError::Stalled(d) => Failure::Stalled(d),
        }
    }
}

fn idempotent(m: &Method) -> bool {
    matches!(
        *m,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE | Method::TRACE
    )
}

pub use super::message::{
    BODY_LIMIT, Incoming, OutBody, OutPart, Outgoing, RequestTag, Sent, TransportError,
    TransportKind,
};

impl HttpClient {
    /// Builds the client for a target.
    pub fn new(target: &ResolvedTarget, opts: &HttpOptions) -> Result<Self, TlsError> {
        let redactor = opts.redactor.clone();
        for s in &target.secrets {
            redactor.add(s.expose());
        }
        // What Basic authentication and many login bodies carry: `user:password`.
        for actor in target.actors.values() {
            if let (Some(user), Some(password)) = (&actor.username, &actor.password) {
                redactor.add(&format!("{user}:{}", password.expose()));
            }
        }
        let hosts = ProfileHosts::of(target);
        // Made once: it reads the system's trust store from disk.
        let config = tls::client_config(&target.tls, opts.insecure, target.http_version)?;
        Ok(HttpClient {
            client: build(target, config.clone(), None)?,
            follow: build(target, config.clone(), Some(&hosts))?,
            rate: Arc::new(RateLimiter::new(opts.rate)),
            retries: opts.retries,
            hosts,
            stall: STALL.min(Duration::from_secs(target.timeouts.request_s.max(1))),
            unanswered: Default::default(),
            http2: Http2Check::new(
                config.clone(),
                target.http_version == HttpVersion::Auto,
                target.proxy.clone(),
                Duration::from_secs(target.timeouts.connect_s),
            ),
            client_cert: ClientCertCheck::new(
                config,
                target.tls.client_identity.is_some(),
                target.proxy.clone(),
                Duration::from_secs(target.timeouts.connect_s),
            ),
            proxy: ProxyCheck::new(
                target.proxy.clone(),
                Duration::from_secs(target.timeouts.connect_s),
            ),
            redactor,
            spill: Spill::new().ok().map(Arc::new),
            insecure: opts.insecure,
        })
    }

    /// Why connections to `url` fail, where the proxy or the client certificate says more
    /// than the transport error.
    async fn explain(&self, url: &url::Url) -> Option<String> {
        match self.proxy.explain(url).await {
            Some(why) => Some(why),
            None => self.client_cert.explain(url).await,
        }
    }

    /// The run's proxy plan, for connections made outside this client.
    pub fn proxy_plan(&self) -> &crate::model::proxy::ResolvedProxy {
        self.proxy.plan()
    }

    /// Why `actor`'s login is not tried again: an earlier one in this run got no answer.
    pub fn unanswered_login(&self, actor: &str) -> Option<String> {
        self.unanswered.lock().ok()?.get(actor).cloned()
    }

    /// Records that `actor`'s login got no answer (`why`), so the run does not wait on it again.
    pub fn login_unanswered(&self, actor: &str, why: &str) {
        if let Ok(mut m) = self.unanswered.lock() {
            m.entry(actor.to_string())
                .or_insert_with(|| why.to_string());
        }
    }

    /// The run's per-host pace (`--rate`), for probes that reach the host other than through
    /// this client (the TLS probe's handshakes).
    pub fn pace(&self) -> Arc<RateLimiter> {
        Arc::clone(&self.rate)
    }

    fn request(&self, req: &Outgoing) -> reqwest::RequestBuilder {
        let client = if req.follow_redirects {
            &self.follow
        } else {
            &self.client
        };
        let mut b = client.request(req.method.clone(), req.url.clone());
        for (k, v) in &req.headers {
            b = b.header(k, v);
        }
        match &req.body {
            OutBody::None => b,
            OutBody::Json(v) => b.json(v),
            OutBody::Form(fields) => b.form(fields),
            OutBody::Text(t) => b.body(t.clone()),
            // A streamed body says its length: a storage host may require it.
            OutBody::Bytes {
                media_type, bytes, ..
            } => b
                .header(reqwest::header::CONTENT_TYPE, media_type.as_str())
                .header(reqwest::header::CONTENT_LENGTH, bytes.len())
                .body(bytes.to_body()),
            OutBody::Multipart(parts) => {
                let mut form = reqwest::multipart::Form::new();
                for p in parts {
                    form = match p {
                        OutPart::Text { name, value } => form.text(name.clone(), value.clone()),
                        OutPart::File {
                            name,
                            filename,
                            media_type,
                            bytes,
                        } => {
                            let part = |b: &FileBody| {
                                reqwest::multipart::Part::stream_with_length(b.to_body(), b.len())
                                    .file_name(filename.clone())
                            };
                            let typed = part(bytes)
                                .mime_str(media_type)
                                .unwrap_or_else(|_| part(bytes));
                            form.part(name.clone(), typed)
                        }
                    };
                }
                b.multipart(form)
            }
        }
    }

    async fn attempt(&self, req: &Outgoing) -> Result<Incoming, Failure> {
        if let Some(host) = req.url.host_str() {
            self.rate.acquire(host).await;
        }
        let start = Instant::now();
        let mut resp = self.request(req).send().await?;
        let status = resp.status().as_u16();
        let url = resp.url().clone();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let read = body::read(&mut resp, self.stall).await?;
        let unfollowed = if req.follow_redirects {
            let location = resp.headers().get(reqwest::header::LOCATION);
            let location = location.and_then(|l| l.to_str().ok());
            redirect::unfollowed(&self.hosts, status, location, &url)
        } else {
            None
        };
        Ok(Incoming {
            status,
            headers,
            body: read.kept,
            cut: read.cut,
            elapsed: start.elapsed(),
            url,
            unfollowed,
        })
    }

    /// Sends a request (retrying idempotent ones on connection errors) and records it,
    /// redacted, under `tag`: the exchange's time covers rate limiting and every attempt.
    pub async fn send(&self, req: &Outgoing, tag: RequestTag<'_>) -> Sent {
        self.send_inspecting(req, tag, |_| {}).await
    }

    /// [`send`](Self::send), with `inspect` shown the response before the exchange is
    /// recorded, so that secrets the response carries (a session cookie, an access token) can
    /// be given to the redactor first.
    pub async fn send_inspecting(
        &self,
        req: &Outgoing,
        tag: RequestTag<'_>,
        inspect: impl FnOnce(&Incoming),
    ) -> Sent {
        let before = self.redactor.known();
        let start = Instant::now();
        let (outcome, retried) = self.transmit(req).await;
        let elapsed = start.elapsed();
        if let Ok(resp) = &outcome {
            inspect(resp);
        }
        let exchange = record::exchange(
            &self.redactor,
            self.spill.as_deref(),
            tag,
            req,
            record::Outcome {
                last: &outcome,
                retried: &retried,
                elapsed,
            },
            before,
        );
        Sent { outcome, exchange }
    }

    /// The response, or the transport error described in one line; and every earlier attempt
    /// that failed and was retried, so that the record shows each one.
    async fn transmit(
        &self,
        req: &Outgoing,
    ) -> (Result<Incoming, TransportError>, Vec<record::FailedAttempt>) {
        let mut retried = Vec::new();
        loop {
            let start = Instant::now();
            match self.attempt(req).await {
                Ok(r) => return (Ok(r), retried),
                Err(Failure::TooLarge) => {
                    let mib = MAX_RESPONSE_BYTES / (1024 * 1024);
                    let message = format!("response body larger than {mib} MiB; not read");
                    let err = TransportError {
                        kind: TransportKind::TooLarge,
                        message,
                    };
                    return (Err(err), retried);
                }
                Err(Failure::Stalled(d)) => {
                    let err = TransportError {
                        kind: TransportKind::Timeout,
                        message: format!(
                            "timed out: the response body sent nothing for {} s",
                            d.as_secs()
                        ),
                    };
                    return (Err(err), retried);
                }
                Err(Failure::Transport(e)) => {
                    let tries = u32::try_from(retried.len()).unwrap_or(u32::MAX);
                    let retryable =
                        idempotent(&req.method) && !e.is_timeout() && tries < self.retries;
                    let mut err = TransportError::from_reqwest(&e);
                    if matches!(err.kind, TransportKind::Connect | TransportKind::Broken)
                        && let Some(why) = self.explain(&req.url).await
                    {
                        err.message = format!("{why} ({})", err.message);
                        return (Err(err), retried);
                    }
                    if !retryable {
                        if tries > 0 {
                            err.message.push_str(&format!(" (retried {tries}×)"));
                        }
                        // Only once the failure is final: the diagnosis must not stop a retry.
                        if matches!(err.kind, TransportKind::Connect | TransportKind::Broken)
                            && let Some(why) = self.http2.explain(&req.url).await
                        {
                            err.message = format!("{why} ({})", err.message);
                        }
                        return (Err(err), retried);
                    }
                    retried.push(record::FailedAttempt {
                        message: err.message,
                        elapsed: start.elapsed(),
                    });
                    let pause = 200 * u64::from(tries + 1);
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                }
            }
        }
    }
}
