//! The listeners: certificates made at start-up, HTTPS through rustls (axum-server), the
//! plain-HTTP port that redirects to it, and the layers that belong to the transport.
//!
//! The seam for another kind of listener: [`Listener`] is a bound socket plus a [`Protocol`],
//! and [`Listener::serve`] is the only place that knows how a protocol is spoken. A listener
//! that is not rustls (the TLS 1.0 one a later issue needs) is one more [`Protocol`] variant,
//! its acceptor built in a module of its own from the same [`certs::Certificates`], and one
//! more arm in [`Listener::serve`] that yields a [`listener::Running`]. Binding, URLs, the
//! application, stopping and [`Listeners`] stay as they are.

mod certs;
pub(crate) mod layers;
mod listener;
mod redirect;
mod tls;

use axum::Router;

use crate::reference::app::config::{ReferenceConfig, ReferenceError};
use crate::reference::app::flaws::Flaw;
use crate::reference::app::state::AppState;

use listener::{Listener, Protocol, Running};

/// The server's sockets, bound but not yet serving, and the CA that signed the HTTPS leaf.
pub(crate) struct Bound {
    https: Listener,
    http: Listener,
    /// The CA certificate (PEM).
    pub ca_pem: String,
}

/// Makes the certificates, then binds the HTTPS and the plain-HTTP socket.
pub(crate) fn bind(cfg: &ReferenceConfig) -> Result<Bound, ReferenceError> {
    let certs = certs::make(cfg.host).map_err(ReferenceError::Tls)?;
    let config = tls::server_config(&certs).map_err(ReferenceError::Tls)?;
    let https = Listener::bind(cfg.host, cfg.https_port, Protocol::Rustls(config))?;
    let http = Listener::bind(cfg.host, cfg.http_port, Protocol::Plain)?;
    Ok(Bound {
        https,
        http,
        ca_pem: certs.ca_pem,
    })
}

impl Bound {
    /// `https://HOST:PORT` of the HTTPS socket.
    pub(crate) fn https_url(&self) -> String {
        self.https.url()
    }

    /// `http://HOST:PORT` of the plain-HTTP socket.
    pub(crate) fn http_url(&self) -> String {
        self.http.url()
    }

    /// Serves `app` over HTTPS. The plain-HTTP port redirects to it, or serves `app` as well
    /// under `http-no-redirect`.
    pub(crate) fn serve(self, app: Router, state: &AppState) -> Listeners {
        let plain = if state.has(Flaw::HttpNoRedirect) {
            app.clone()
        } else {
            redirect::redirect_router(self.https.url())
        };
        Listeners(vec![self.https.serve(app), self.http.serve(plain)])
    }
}

/// The running listeners of one server.
pub(crate) struct Listeners(Vec<Running>);

impl Listeners {
    /// Asks every listener to stop.
    pub(crate) fn stop(&self) {
        for running in &self.0 {
            running.stop();
        }
    }

    /// Stops every listener and waits for each to finish.
    pub(crate) async fn shutdown(&mut self) {
        self.stop();
        for running in std::mem::take(&mut self.0) {
            running.join().await;
        }
    }
}
