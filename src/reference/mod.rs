//! The reference vendor server: an embedded HTTPS secure-messaging service, a model of a
//! well-built vendor, with switchable [`Flaw`]s that each add one realistic mistake.
//!
//! Four API dialects ([`Dialect::Rest`], [`Dialect::Forms`], [`Dialect::Threads`],
//! [`Dialect::Graph`]) prove that vvcheck's target profiles really map onto APIs unlike each
//! other. [`ReferenceServer::start`] binds an HTTPS listener (fresh rcgen CA and leaf), a
//! plain-HTTP listener that redirects to it, and for `graph` a storage host on another HTTPS
//! port, another origin for its signed URLs.

mod app;
pub mod attestations;
mod dialects;
pub mod profile;
mod transport;
mod web;

#[cfg(test)]
mod tests;

use axum::Router;
use axum::extract::DefaultBodyLimit;

pub use app::config::{
    ClientAuth, Credential, Dialect, HttpVersions, ReferenceConfig, ReferenceError, UnknownDialect,
};
pub use app::flaws::{Flaw, UnknownFlaw};
pub use transport::certs::{ClientIdentity, UNRESOLVABLE_NAME};

use app::error;
use app::state::{AppState, Lifetimes, Settings};
use transport::{Listeners, layers};

/// A running reference server. Dropping it stops the listeners.
pub struct ReferenceServer {
    /// `https://HOST:PORT`, no trailing slash.
    pub base_url: String,
    /// `http://HOST:PORT` of the plain-HTTP listener.
    pub http_url: String,
    /// `https://HOST:PORT` of the storage host, another origin (`graph` only).
    pub storage_url: Option<String>,
    /// The CA certificate (PEM) that signed the server's leaf.
    pub ca_pem: String,
    /// The client certificate the server made for itself and requires, if it made one.
    pub client_identity: Option<ClientIdentity>,
    /// `patient_a`, `patient_b`, `clinician`, `admin`.
    pub credentials: Vec<Credential>,
    /// Secret for the test notifications outbox.
    pub outbox_token: String,
    /// The dialect being served.
    pub dialect: Dialect,
    /// The flaws switched on.
    pub flaws: Vec<Flaw>,
    /// The p95 threshold (TEC-02) its profile declares: four fifths of the latency the `slow`
    /// flaw adds to every answer (2000 ms for the default 2500), so that the flaw is over it by
    /// construction however fast the machine, and a loaded machine has room under it.
    pub latency_p95_ms: u64,
    listeners: Listeners,
}

/// The HTTPS application: the dialect's pages and API behind the common layers.
fn app(state: AppState) -> Router {
    let dialect = state.settings.dialect;
    web::routes::router(dialect)
        .merge(dialects::router(state.clone()))
        .fallback(|| async { error::ApiError::NotFound })
        .layer(DefaultBodyLimit::max(dialects::body_limit(dialect)))
        .layer(axum::middleware::from_fn(error::json_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            dialects::leaky_denial,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            dialects::record_link,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error::debug_errors,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            layers::stack_traces,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            layers::security_headers,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            layers::slow,
        ))
        .with_state(state)
}

/// The storage host's application: its routes behind the transport's layers (the JSON error
/// layers stay off: storage answers in XML).
fn storage_app(state: AppState, routes: Router<AppState>) -> Router {
    routes
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            layers::stack_traces,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            layers::security_headers,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            layers::slow,
        ))
        .with_state(state)
}

impl ReferenceServer {
    /// Makes the certificates, binds the listeners and starts serving.
    pub async fn start(cfg: ReferenceConfig) -> Result<ReferenceServer, ReferenceError> {
        let bound = transport::bind(&cfg, dialects::has_storage(cfg.dialect))?;
        let base_url = bound.https_url();
        let http_url = bound.http_url();
        let storage_url = bound.storage_url();
        let ca_pem = bound.ca_pem.clone();
        let client_identity = bound.client_identity.clone();
        let settings = Settings {
            dialect: cfg.dialect,
            flaws: cfg.flaws.clone(),
            latency: cfg.latency,
            base_url: base_url.clone(),
            ids: dialects::id_style(cfg.dialect),
            storage_url: storage_url.clone(),
        };
        let lifetimes = Lifetimes {
            idle_timeout: cfg.idle_timeout,
            token_lifetime: cfg.token_lifetime,
        };
        let state = AppState::new(settings, lifetimes);
        let storage =
            dialects::storage_router(state.clone()).map(|r| storage_app(state.clone(), r));
        let listeners = bound.serve(app(state.clone()), storage, &state);
        Ok(ReferenceServer {
            base_url,
            http_url,
            storage_url,
            ca_pem,
            client_identity,
            credentials: state.auth.credentials(),
            outbox_token: state.outbox_token.clone(),
            dialect: cfg.dialect,
            flaws: cfg.flaws,
            latency_p95_ms: u64::try_from(cfg.latency.as_millis() * 4 / 5).unwrap_or(u64::MAX),
            listeners,
        })
    }

    /// Stops every listener and waits for them to finish.
    pub async fn shutdown(mut self) {
        self.listeners.shutdown().await;
    }

    /// Serves until Ctrl-C, then shuts down.
    pub async fn wait(self) {
        let _ = tokio::signal::ctrl_c().await;
        self.shutdown().await;
    }

    /// The credential of `actor` (`patient_a`, `patient_b`, `clinician`, `admin`).
    pub fn credential(&self, actor: &str) -> Option<&Credential> {
        self.credentials.iter().find(|c| c.actor == actor)
    }
}

impl Drop for ReferenceServer {
    fn drop(&mut self) {
        self.listeners.stop();
    }
}
