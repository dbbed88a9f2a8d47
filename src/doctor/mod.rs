//! `vvcheck doctor`: the first-run checks of a target profile, in order: it loads, its host
//! resolves, a TCP connection and a TLS handshake succeed, the proxy in use, every actor logs
//! in, and which contract operations it maps. A step that cannot be tried because an earlier
//! one failed is skipped. Nothing but logins is sent: no request carries or fetches PHI.

mod login;
mod mapping;
mod network;
pub mod report;
mod tls;

use std::time::Duration;

use crate::model::inputs::{self, InputPaths, LoadError};
use crate::probes::registry::Registry;
pub use report::{Line, Report, Status};

/// How the doctor runs.
#[derive(Debug, Clone, Default)]
pub struct DoctorOptions {
    /// Certificates are not verified (as `run --insecure`).
    pub insecure: bool,
}

/// Why the doctor could not start (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum DoctorError {
    /// The profile (or the suites) do not load or validate.
    #[error("{0}")]
    Load(#[from] LoadError),
    /// The paths name no target profile.
    #[error("error: no target profile")]
    NoTarget,
}

/// Loads the inputs at `paths` and runs every step against their target profile.
pub async fn doctor(paths: &InputPaths, options: &DoctorOptions) -> Result<Report, DoctorError> {
    let mut loaded = inputs::load(paths, &Registry)?;
    let target = loaded.resolved.take().ok_or(DoctorError::NoTarget)?;
    let mut report = Report::default();
    report.lines.push(Line::ok(
        "profile",
        format!(
            "{}: `{}`, {} actors, {} operations",
            target.source.display(),
            target.name,
            target.actors.len(),
            target.operations.len()
        ),
    ));
    let reached = network_steps(&target, options, &mut report).await;
    report.lines.push(Line::ok(
        "proxy",
        crate::http::proxy::describe(&target.proxy, &target.base_url),
    ));
    if reached {
        report
            .lines
            .extend(login::logins(&target, options.insecure).await);
    } else {
        report.lines.push(Line::skip(
            "login",
            "the server could not be reached over TLS",
        ));
    }
    report
        .lines
        .push(mapping::operations(&target, &loaded.checks));
    Ok(report)
}

/// Resolve, connect and TLS; whether the server was reached over TLS.
async fn network_steps(
    target: &crate::model::resolve::ResolvedTarget,
    options: &DoctorOptions,
    report: &mut Report,
) -> bool {
    let host = target
        .base_url
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = target.base_url.port_or_known_default().unwrap_or(443);
    let timeout = Duration::from_secs(target.timeouts.connect_s.max(1));
    // Through a proxy, the proxy resolves the host: the machine resolves and reaches the proxy.
    let proxy = target.proxy.for_url(&target.base_url);
    let (resolved_host, resolved_port) = match proxy {
        Some(server) => (
            crate::model::proxy::bare_host(server.url.host_str().unwrap_or_default()).to_string(),
            server.url.port_or_known_default().unwrap_or(80),
        ),
        None => (host.clone(), port),
    };
    let addrs = match network::resolve(&resolved_host, resolved_port, timeout).await {
        Ok(a) => a,
        Err(line) => {
            report.lines.push(line);
            report
                .lines
                .push(Line::skip("connect", "the host did not resolve"));
            report
                .lines
                .push(Line::skip("tls", "the host did not resolve"));
            return false;
        }
    };
    let mut line = network::resolved_line(&resolved_host, &addrs);
    if proxy.is_some() {
        line.text
            .push_str(&format!(" (the proxy; it resolves {host})"));
    }
    report.lines.push(line);
    let connected = match proxy {
        Some(server) => network::tunnel(target, server, timeout).await,
        None => network::connect(&addrs, timeout).await,
    };
    let tcp = match connected {
        Ok((tcp, line)) => {
            report.lines.push(line);
            tcp
        }
        Err(line) => {
            report.lines.push(line);
            report.lines.push(Line::skip("tls", "no TCP connection"));
            return false;
        }
    };
    if target.base_url.scheme() != "https" {
        report
            .lines
            .push(Line::skip("tls", "base_url is not https"));
        return true;
    }
    let line = tls::handshake(target, &host, tcp, options.insecure).await;
    let ok = line.status == Status::Ok;
    report.lines.push(line);
    ok
}
