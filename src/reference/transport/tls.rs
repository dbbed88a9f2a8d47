//! The rustls server configuration: aws-lc-rs, TLS 1.2 and 1.3 only, HTTP/2 and HTTP/1.1.

use std::sync::Arc;

use super::certs::Certificates;

/// A server configuration presenting `certs`.
pub(crate) fn server_config(certs: &Certificates) -> Result<Arc<rustls::ServerConfig>, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs.chain.clone(), certs.key.clone_key())
        .map_err(|e| e.to_string())?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
