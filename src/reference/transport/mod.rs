//! The listeners: certificates made at start-up, HTTPS through rustls (axum-server), the
//! plain-HTTP port that redirects to it, the storage host's HTTPS port (another origin, for a
//! dialect with signed URLs), and the layers that belong to the transport.
//!
//! The seam for another kind of listener: [`Listener`] is a bound socket plus a [`Protocol`],
//! and [`Listener::serve`] is the only place that knows how a protocol is spoken. The
//! `tls10` and `weak-cipher` flaws use it: their HTTPS socket is [`Protocol::Front`], rustls
//! behind the [`legacy`] acceptor that answers the hellos rustls cannot.

pub(crate) mod certs;
pub(crate) mod layers;
mod legacy;
mod listener;
mod redirect;
mod rsa;
mod tls;

use std::sync::Arc;

use axum::Router;

use crate::reference::app::config::{ClientAuth, HttpVersions, ReferenceConfig, ReferenceError};
use crate::reference::app::flaws::Flaw;
use crate::reference::app::state::AppState;

use listener::{Listener, Protocol, Running};

/// The server's sockets, bound but not yet serving, and the CA that signed the HTTPS leaf.
pub(crate) struct Bound {
    https: Listener,
    http: Listener,
    /// The storage host, on a port of its own (so an origin of its own), same certificate.
    storage: Option<Listener>,
    /// The CA certificate (PEM).
    pub ca_pem: String,
    /// The client certificate the server made for itself and requires (`ClientAuth::Generate`).
    pub client_identity: Option<certs::ClientIdentity>,
}

/// Makes the certificates, then binds the HTTPS and the plain-HTTP socket, and with
/// `storage` a free port for the storage host.
pub(crate) fn bind(cfg: &ReferenceConfig, storage: bool) -> Result<Bound, ReferenceError> {
    let has = |f: Flaw| cfg.flaws.contains(&f);
    let fault = if has(Flaw::ExpiredCert) {
        certs::LeafFault::Expired
    } else if has(Flaw::WrongHostCert) {
        certs::LeafFault::WrongHost
    } else if has(Flaw::SelfSigned) {
        certs::LeafFault::SelfSigned
    } else if has(Flaw::WeakKey) {
        certs::LeafFault::WeakKey
    } else if has(Flaw::Sha1Cert) {
        certs::LeafFault::Sha1Signature
    } else {
        certs::LeafFault::None
    };
    let legacy = has(Flaw::Tls10) || has(Flaw::WeakCipher);
    let certs =
        certs::make(cfg.host, fault, legacy, cfg.intermediate_ca).map_err(ReferenceError::Tls)?;
    let key = tls::signing_key(&certs).map_err(ReferenceError::Tls)?;
    let key_algorithm = key.algorithm();
    let client_identity = match &cfg.client_auth {
        ClientAuth::Generate => {
            Some(certs::client_identity("vvcheck reviewer").map_err(ReferenceError::Tls)?)
        }
        ClientAuth::None | ClientAuth::Ca(_) => None,
    };
    let client_ca = match &cfg.client_auth {
        ClientAuth::None => None,
        ClientAuth::Generate => client_identity.as_ref().map(|c| c.ca_pem.as_str()),
        ClientAuth::Ca(pem) => Some(pem.as_str()),
    };
    let config = tls::server_config(&certs, key, client_ca, cfg.http == HttpVersions::Http1Only)
        .map_err(ReferenceError::Tls)?;
    let https_protocol = match &certs.rsa_chain {
        Some(chain) => {
            let front = legacy::Legacy::new(
                has(Flaw::Tls10),
                has(Flaw::WeakCipher),
                &tls::provider(),
                key_algorithm,
                chain.clone(),
            );
            Protocol::Front(config.clone(), legacy::Front(Arc::new(front), cfg.nodelay))
        }
        None => Protocol::Rustls(config.clone()),
    };
    let storage = if storage {
        Some(Listener::bind(cfg.host, 0, Protocol::Rustls(config.clone()))?.nodelay(cfg.nodelay))
    } else {
        None
    };
    let https = Listener::bind(cfg.host, cfg.https_port, https_protocol)?
        .drop_http2(cfg.http == HttpVersions::BrokenHttp2)
        .nodelay(cfg.nodelay);
    let http = Listener::bind(cfg.host, cfg.http_port, Protocol::Plain)?.nodelay(cfg.nodelay);
    Ok(Bound {
        https,
        http,
        storage,
        ca_pem: certs.ca_pem,
        client_identity,
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

    /// `https://HOST:PORT` of the storage socket, if one was bound.
    pub(crate) fn storage_url(&self) -> Option<String> {
        self.storage.as_ref().map(Listener::url)
    }

    /// Serves `app` over HTTPS, and `storage` on the storage socket. The plain-HTTP port
    /// redirects to `app`, or serves it as well under `http-no-redirect`.
    pub(crate) fn serve(self, app: Router, storage: Option<Router>, state: &AppState) -> Listeners {
        let plain = if state.has(Flaw::HttpNoRedirect) {
            app.clone()
        } else {
            redirect::redirect_router(self.https.url())
        };
        let mut running = vec![self.https.serve(app), self.http.serve(plain)];
        if let (Some(listener), Some(storage)) = (self.storage, storage) {
            running.push(listener.serve(storage));
        }
        Listeners(running)
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
