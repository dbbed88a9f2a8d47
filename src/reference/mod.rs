//! The reference vendor server: an embedded HTTPS secure-messaging service, a model of a
//! well-built vendor, with switchable [`Flaw`]s that each add one realistic mistake.
//!
//! Two API dialects ([`Dialect::Rest`], [`Dialect::Forms`]) prove that vvcheck's target profiles
//! really map onto APIs unlike each other. [`ReferenceServer::start`] binds an HTTPS listener
//! (fresh rcgen CA and leaf) and a plain-HTTP listener that redirects to it.

mod app;
mod dialects;
pub mod profile;
mod transport;
mod web;

#[cfg(test)]
mod tests;

use std::net::{IpAddr, SocketAddr, TcpListener};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use tokio::task::JoinHandle;

pub use app::config::{Credential, Dialect, ReferenceConfig, ReferenceError, UnknownDialect};
pub use app::flaws::{Flaw, UnknownFlaw};

use app::error;
use app::state::{AppState, Settings};
use transport::{layers, redirect, tls};

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
    handles: Vec<Handle>,
    tasks: Vec<JoinHandle<()>>,
}

fn bind(host: IpAddr, port: u16) -> Result<(TcpListener, SocketAddr), ReferenceError> {
    let addr = SocketAddr::new(host, port);
    let bind_err = |source| ReferenceError::Bind { addr, source };
    let listener = TcpListener::bind(addr).map_err(bind_err)?;
    listener.set_nonblocking(true).map_err(bind_err)?;
    let local = listener.local_addr().map_err(bind_err)?;
    Ok((listener, local))
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
        let tls = tls::build(cfg.host).map_err(ReferenceError::Tls)?;
        let (https_listener, https_addr) = bind(cfg.host, cfg.https_port)?;
        let (http_listener, http_addr) = bind(cfg.host, cfg.http_port)?;
        let base_url = format!("https://{https_addr}");
        let settings = Settings {
            dialect: cfg.dialect,
            flaws: cfg.flaws.clone(),
            latency: cfg.latency,
            base_url: base_url.clone(),
        };
        let state = AppState::new(settings, cfg.idle_timeout);
        let https_app = app(state.clone());
        let http_app = if state.has(Flaw::HttpNoRedirect) {
            https_app.clone()
        } else {
            redirect::redirect_router(base_url.clone())
        };

        let (https_handle, http_handle) = (Handle::new(), Handle::new());
        let https_server = axum_server::from_tcp_rustls(
            https_listener,
            RustlsConfig::from_config(tls.server_config),
        )
        .handle(https_handle.clone());
        let http_server = axum_server::from_tcp(http_listener).handle(http_handle.clone());
        let tasks = vec![
            tokio::spawn(async move {
                if let Err(e) = https_server.serve(https_app.into_make_service()).await {
                    eprintln!("reference server (HTTPS) stopped: {e}");
                }
            }),
            tokio::spawn(async move {
                if let Err(e) = http_server.serve(http_app.into_make_service()).await {
                    eprintln!("reference server (HTTP) stopped: {e}");
                }
            }),
        ];
        Ok(ReferenceServer {
            base_url,
            http_url: format!("http://{http_addr}"),
            ca_pem: tls.ca_pem,
            credentials: state.auth.credentials(),
            outbox_token: state.outbox_token.clone(),
            dialect: cfg.dialect,
            flaws: cfg.flaws,
            handles: vec![https_handle, http_handle],
            tasks,
        })
    }

    /// Stops both listeners and waits for them to finish.
    pub async fn shutdown(mut self) {
        for handle in &self.handles {
            handle.shutdown();
        }
        for task in std::mem::take(&mut self.tasks) {
            let _ = task.await;
        }
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
        for handle in &self.handles {
            handle.shutdown();
        }
    }
}
