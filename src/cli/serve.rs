//! `vvcheck serve-reference`: the reference vendor server in the foreground.

use std::time::Duration;

use super::args::ServeArgs;
use super::out;
use crate::reference::{self, ReferenceConfig, ReferenceServer};
use crate::verdict::exit;

/// Runs the server until interrupted.
pub async fn serve(args: ServeArgs) -> i32 {
    let config = ReferenceConfig {
        dialect: args.dialect,
        flaws: args.flaws.clone(),
        latency: Duration::from_millis(args.latency_ms),
        idle_timeout: Duration::from_secs(args.idle_timeout_s),
        token_lifetime: Duration::from_secs(args.token_lifetime_s),
        https_port: args.port,
        http_port: args.http_port,
        ..ReferenceConfig::default()
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
        ) {
            Ok(files) => text.push_str(&format!(
                "profile: {}\nCA: {}\nsecrets: {} (mode 0600)\nrun: vvcheck run --target {}\n",
                files.profile.display(),
                files.ca.display(),
                files.secrets.display(),
                files.profile.display()
            )),
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
