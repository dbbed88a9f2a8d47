//! `vvcheck serve-reference`: the reference vendor server in the foreground.

use std::time::Duration;

use super::args::{ServeArgs, ServeHttp};
use super::out;
use crate::reference::{self, ClientAuth, HttpVersions, ReferenceConfig, ReferenceServer};
use crate::verdict::exit;

/// Runs the server until interrupted.
pub async fn serve(args: ServeArgs) -> i32 {
    let client_auth = match (&args.client_ca, args.mtls) {
        (Some(file), _) => match std::fs::read_to_string(file) {
            Ok(pem) => ClientAuth::Ca(pem),
            Err(e) => {
                eprintln!("error: cannot read the client CA {}: {e}", file.display());
                return exit::INVALID;
            }
        },
        (None, true) => ClientAuth::Generate,
        (None, false) => ClientAuth::None,
    };
    let config = ReferenceConfig {
        dialect: args.dialect,
        flaws: args.flaws.clone(),
        latency: Duration::from_millis(args.latency_ms),
        idle_timeout: Duration::from_secs(args.idle_timeout_s),
        token_lifetime: Duration::from_secs(args.token_lifetime_s),
        https_port: args.port,
        http_port: args.http_port,
        host: args.host,
        client_auth,
        http: match args.http {
            ServeHttp::Both => HttpVersions::Both,
            ServeHttp::Http1 => HttpVersions::Http1Only,
            ServeHttp::BrokenH2 => HttpVersions::BrokenHttp2,
        },
        intermediate_ca: args.intermediate_ca,
        nodelay: true,
    };
    let server = match ReferenceServer::start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot start the reference server: {e}");
            return exit::INVALID;
        }
    };
    let mut text = format!(
        "reference server ({} dialect) at {} (plain HTTP {})\n",
        args.dialect, server.base_url, server.http_url
    );
    if let Some(storage) = &server.storage_url {
        text.push_str(&format!("storage host at {storage}\n"));
    }
    if let Some(profile) = &args.write_profile {
        match reference::profile::write(
            &server,
            profile,
            args.ca_out.as_deref(),
            args.idle_timeout_s,
            args.client_cert.as_deref().zip(args.client_key.as_deref()),
        ) {
            Ok(files) => {
                text.push_str(&format!(
                    "profile: {}\nCA: {}\nsecrets: {} (mode 0600)\n",
                    files.profile.display(),
                    files.ca.display(),
                    files.secrets.display(),
                ));
                match &files.client {
                    Some((cert, key)) => text.push_str(&format!(
                        "client certificate: {} (key {}, mode 0600)\n",
                        cert.display(),
                        key.display()
                    )),
                    None if args.client_ca.is_some() => text.push_str(
                        "client certificate: add `tls.client_cert` and `tls.client_key` (signed by the --client-ca) to the profile\n",
                    ),
                    None => {}
                }
                text.push_str(&format!(
                    "run: vvcheck run --target {}\n",
                    files.profile.display()
                ));
            }
            Err(e) => {
                eprintln!("error: cannot write the profile: {e}");
                server.shutdown().await;
                return exit::INVALID;
            }
        }
    } else if let Some(ca) = &args.ca_out
        && let Err(e) = std::fs::write(ca, &server.ca_pem)
    {
        eprintln!("error: cannot write the CA: {e}");
    }
    text.push_str("press Ctrl-C to stop\n");
    out::stdout(&text);
    server.wait().await;
    exit::OK
}
