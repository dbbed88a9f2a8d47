//! One listening socket and the protocol it speaks: binding, its URL, serving an application
//! on it, and stopping it.

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::Arc;

use axum::Router;
use axum_server::Handle;
use axum_server::accept::Accept;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use futures_util::future::BoxFuture;
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_rustls::server::TlsStream;

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
    /// Drop connections whose ALPN chose HTTP/2 ([`DropHttp2`]).
    drop_http2: bool,
    tcp: Tcp,
}

/// The acceptor that sets `TCP_NODELAY` on accepted connections, or (for measuring a client
/// against a server that leaves Nagle's algorithm on, as many do) leaves it off.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tcp {
    pub(crate) nodelay: bool,
}

/// The TLS acceptor `inner`, and when `enabled`, a broken HTTP/2: a connection whose ALPN chose
/// HTTP/2 is dropped once the handshake is done, as behind a load balancer whose HTTP/2 is
/// broken. (Serving HTTP/1.1 to it instead cannot be had: the server's HTTP/1-only setting does
/// nothing on connections that may upgrade.)
#[derive(Clone)]
pub(crate) struct DropHttp2<A> {
    inner: A,
    enabled: bool,
}

impl<A, I, S, T> Accept<I, S> for DropHttp2<A>
where
    A: Accept<I, S, Stream = TlsStream<T>>,
    A::Future: Send + 'static,
    A::Service: Send + 'static,
    T: Send + 'static,
{
    type Stream = TlsStream<T>;
    type Service = A::Service;
    type Future = BoxFuture<'static, std::io::Result<(TlsStream<T>, A::Service)>>;

    fn accept(&self, stream: I, service: S) -> Self::Future {
        let accepted = self.inner.accept(stream, service);
        let enabled = self.enabled;
        Box::pin(async move {
            let (stream, service) = accepted.await?;
            if enabled && stream.get_ref().1.alpn_protocol() == Some(b"h2".as_slice()) {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "HTTP/2 is broken on this listener (--http broken-h2)",
                ));
            }
            Ok((stream, service))
        })
    }
}

impl<S> Accept<TcpStream, S> for Tcp {
    type Stream = TcpStream;
    type Service = S;
    type Future = std::future::Ready<std::io::Result<(TcpStream, S)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        std::future::ready(stream.set_nodelay(self.nodelay).map(|()| (stream, service)))
    }
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
            drop_http2: false,
            tcp: Tcp { nodelay: true },
        })
    }

    /// Sets `TCP_NODELAY` on accepted connections unless `nodelay` is false.
    pub(crate) fn nodelay(mut self, nodelay: bool) -> Self {
        self.tcp = Tcp { nodelay };
        self
    }

    /// Makes the listener drop, right after the handshake, every connection whose ALPN chose
    /// HTTP/2 when `yes`: a server that offers HTTP/2 and breaks it.
    pub(crate) fn drop_http2(mut self, yes: bool) -> Self {
        self.drop_http2 = yes;
        self
    }

    /// `https://HOST:PORT` or `http://HOST:PORT`, no trailing slash.
    pub(crate) fn url(&self) -> String {
        match self.protocol {
            Protocol::Rustls(_) | Protocol::Front(..) => format!("https://{}", self.addr),
            Protocol::Plain => format!("http://{}", self.addr),
        }
    }

    /// Starts serving `app` on the socket. Every accepted connection gets `TCP_NODELAY` (unless
    /// [`Listener::nodelay`] said not): a response written in pieces would otherwise wait for
    /// the client's delayed ACK (Nagle), about 40 ms on Linux, and the reference server's
    /// timings would be the kernel's.
    pub(crate) fn serve(self, app: Router) -> Running {
        let handle = Handle::new();
        let task = match self.protocol {
            Protocol::Rustls(config) => {
                let acceptor = DropHttp2 {
                    inner: RustlsAcceptor::new(RustlsConfig::from_config(config))
                        .acceptor(self.tcp),
                    enabled: self.drop_http2,
                };
                let server = axum_server::from_tcp(self.socket)
                    .acceptor(acceptor)
                    .handle(handle.clone());
                tokio::spawn(async move {
                    if let Err(e) = server.serve(app.into_make_service()).await {
                        eprintln!("reference server (HTTPS) stopped: {e}");
                    }
                })
            }
            Protocol::Front(config, front) => {
                let acceptor = DropHttp2 {
                    inner: RustlsAcceptor::new(RustlsConfig::from_config(config)).acceptor(front),
                    enabled: self.drop_http2,
                };
                let server = axum_server::from_tcp(self.socket)
                    .acceptor(acceptor)
                    .handle(handle.clone());
                tokio::spawn(async move {
                    if let Err(e) = server.serve(app.into_make_service()).await {
                        eprintln!("reference server (HTTPS, legacy front) stopped: {e}");
                    }
                })
            }
            Protocol::Plain => {
                let server = axum_server::from_tcp(self.socket)
                    .acceptor(self.tcp)
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
