//! The listeners: TLS (rustls through axum-server) with certificates made at start-up, the
//! plain-HTTP redirect port, and the layers that belong to the transport.

pub(crate) mod layers;
pub(crate) mod redirect;
pub(crate) mod tls;
