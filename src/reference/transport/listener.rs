//! One listening socket and the protocol it speaks: binding, its URL, serving an application
//! on it, and stopping it.

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::Arc;

use axum::Router;
use axum_server::Handle;
use axum_server::accept::NoDelayAcceptor;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use tokio::task::JoinHandle;

use crate::reference::app::config::ReferenceError;

use super::legacy::Front;

/// How a listener speaks to its clients.
pub(crate) enum Protocol {
    /// HTTPS, terminated by rustls.
    Rustls(Arc<rustls::ServerConfig>),
    /// HTTPS, terminated by rustls behind the legacy front, which answers legacy hellos.
    Front(Arc<rustls::ServerConfig>, Front),
    /// Plain HTTP.
    Plain,
}

/// A bound socket, not yet serving.
pub(crate) struct Listener {
    socket: TcpListener,
    addr: SocketAddr,
    protocol: Protocol,
    /// Speak HTTP/1.1 only, whatever ALPN chose.
    http1_only: bool,
}

/// A listener being served: the handle that stops it and the task serving it.
pub(crate) struct Running {
    handle: Handle,
    task: JoinHandle<()>,
}

impl Listener {
    /// Binds `host:port` (port 0 picks a free one) for `protocol`.
    pub(crate) fn bind(
        host: IpAddr,
        port: u16,
        protocol: Protocol,
    ) -> Result<Self, ReferenceError> {
        let addr = SocketAddr::new(host, port);
        let bind_err = |source| ReferenceError::Bind { addr, source };
        let socket = TcpListener::bind(addr).map_err(bind_err)?;
        socket.set_nonblocking(true).map_err(bind_err)?;
        let addr = socket.local_addr().map_err(bind_err)?;
        Ok(Listener {
            socket,
            addr,
            protocol,
            http1_only: false,
        })
    }

    /// Makes the listener speak HTTP/1.1 only when `yes`: with ALPN still offering HTTP/2, a
    /// client that takes it finds a server that does not speak it.
    pub(crate) fn http1_only(mut self, yes: bool) -> Self {
        self.http1_only = yes;
        self
    }

    /// `https://HOST:PORT` or `http://HOST:PORT`, no trailing slash.
    pub(crate) fn url(&self) -> String {
        match self.protocol {
            Protocol::Rustls(_) | Protocol::Front(..) => format!("https://{}", self.addr),
            Protocol::Plain => format!("http://{}", self.addr),
        }
    }

    /// Starts serving `app` on the socket. Every accepted connection gets `TCP_NODELAY`: a
    /// response written in pieces would otherwise wait for the client's delayed ACK (Nagle),
    /// about 40 ms on Linux, and the reference server's timings would be the kernel's.
    pub(crate) fn serve(self, app: Router) -> Running {
        let handle = Handle::new();
        let task = match self.protocol {
            Protocol::Rustls(config) => {
                let acceptor = RustlsAcceptor::new(RustlsConfig::from_config(config))
                    .acceptor(NoDelayAcceptor);
                let mut server = axum_server::from_tcp(self.socket)
                    .acceptor(acceptor)
                    .handle(handle.clone());
                if self.http1_only {
                    let builder = server.http_builder();
                    *builder = builder.clone().http1_only();
                }
                tokio::spawn(async move {
                    if let Err(e) = server.serve(app.into_make_service()).await {
                        eprintln!("reference server (HTTPS) stopped: {e}");
                    }
                })
            }
            Protocol::Front(config, front) => {
                let acceptor =
                    RustlsAcceptor::new(RustlsConfig::from_config(config)).acceptor(front);
                let mut server = axum_server::from_tcp(self.socket)
                    .acceptor(acceptor)
                    .handle(handle.clone());
                if self.http1_only {
                    let builder = server.http_builder();
                    *builder = builder.clone().http1_only();
                }
                tokio::spawn(async move {
                    if let Err(e) = server.serve(app.into_make_service()).await {
                        eprintln!("reference server (HTTPS, legacy front) stopped: {e}");
                    }
                })
            }
            Protocol::Plain => {
                let server = axum_server::from_tcp(self.socket)
                    .acceptor(NoDelayAcceptor)
                    .handle(handle.clone());
                tokio::spawn(async move {
                    if let Err(e) = server.serve(app.into_make_service()).await {
                        eprintln!("reference server (HTTP) stopped: {e}");
                    }
                })
            }
        };
        Running { handle, task }
    }
}

impl Running {
    /// Asks the listener to stop accepting and to close its connections.
    pub(crate) fn stop(&self) {
        self.handle.shutdown();
    }

    /// Waits until the listener has stopped.
    pub(crate) async fn join(self) {
        let _ = self.task.await;
    }
}
