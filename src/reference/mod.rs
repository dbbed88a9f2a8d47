//! The reference vendor server: an embedded HTTPS secure-messaging service, a model of a
//! well-built vendor, with switchable [`Flaw`]s that each add one realistic mistake.
//!
//! Three API dialects ([`Dialect::Rest`], [`Dialect::Forms`], [`Dialect::Threads`]) prove that
//! vvcheck's target profiles really map onto APIs unlike each other. [`ReferenceServer::start`]
//! binds an HTTPS listener (fresh rcgen CA and leaf) and a plain-HTTP listener that redirects to
//! it.

mod app;
mod dialects;
pub mod profile;
mod transport;
mod web;

#[cfg(test)]
mod tests;

use axum::Router;
use axum::extract::DefaultBodyLimit;

pub use app::config::{Credential, Dialect, ReferenceConfig, ReferenceError, UnknownDialect};
pub use app::flaws::{Flaw, UnknownFlaw};

use app::error;
use app::state::{AppState, Settings};
use transport::{Listeners, layers};

/// A running reference server. Dropping it stops the listeners.
pub struct ReferenceServer {
    /// `https://HOST:PORT`, no trailing slash.
    pub base_url: String,
    /// `http://HOST:PORT` of the plain-HTTP listener.
    pub http_url: String,
    /// The CA certificate (PEM) that signed the server's leaf.
    pub ca_pem: String,
    /// `patient_a`, `patient_b`, `clinician`, `admin`.
    pub credentials: Vec<Credential>,
    /// Secret for the test notifications outbox.
    pub outbox_token: String,
    /// The dialect being served.
    pub dialect: Dialect,
    /// The flaws switched on.
    pub flaws: Vec<Flaw>,
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
            error::debug_errors,
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
    /// Makes the certificates, binds both listeners and starts serving.
    pub async fn start(cfg: ReferenceConfig) -> Result<ReferenceServer, ReferenceError> {
        let bound = transport::bind(&cfg)?;
        let base_url = bound.https_url();
        let http_url = bound.http_url();
        let ca_pem = bound.ca_pem.clone();
        let settings = Settings {
            dialect: cfg.dialect,
            flaws: cfg.flaws.clone(),
            latency: cfg.latency,
            base_url: base_url.clone(),
            ids: dialects::id_style(cfg.dialect),
        };
        let state = AppState::new(settings, cfg.idle_timeout);
        let listeners = bound.serve(app(state.clone()), &state);
        Ok(ReferenceServer {
            base_url,
            http_url,
            ca_pem,
            credentials: state.auth.credentials(),
            outbox_token: state.outbox_token.clone(),
            dialect: cfg.dialect,
            flaws: cfg.flaws,
            listeners,
        })
    }

    /// Stops both listeners and waits for them to finish.
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
