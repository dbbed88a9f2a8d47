//! Writing a target profile for a running reference server: the profile YAML, the CA
//! certificate and a secrets file (mode 0600) that the profile references with `{file: …}`.

use std::io;
use std::path::{Path, PathBuf};

use super::{Dialect, ReferenceServer};

const REST: &str = include_str!("profiles/rest.yaml");
const FORMS: &str = include_str!("profiles/forms.yaml");
const THREADS: &str = include_str!("profiles/threads.yaml");
const GRAPH: &str = include_str!("profiles/graph.yaml");

/// The files written for a profile.
#[derive(Debug, Clone)]
pub struct ProfileFiles {
    pub profile: PathBuf,
    pub ca: PathBuf,
    pub secrets: PathBuf,
    /// The client certificate and key the profile names for mutual TLS, if any.
    pub client: Option<(PathBuf, PathBuf)>,
}

/// The written profile of `dialect`.
fn template(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Rest => REST,
        Dialect::Forms => FORMS,
        Dialect::Threads => THREADS,
        Dialect::Graph => GRAPH,
    }
}

fn secret_key(actor: &str) -> String {
    format!("{}_PASSWORD", actor.to_ascii_uppercase())
}

fn write_private(path: &Path, text: &str) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)?;
        f.write_all(text.as_bytes())
    }
    #[cfg(not(unix))]
    {
        std::fs::write(path, text)
    }
}

/// Writes `profile` (and the CA and secrets files beside it, or the CA at `ca_out`). The
/// profile names `client` (certificate, key) for mutual TLS; without it, the client
/// certificate the server made for itself, written beside the profile (the key mode 0600).
pub fn write(
    server: &ReferenceServer,
    profile: &Path,
    ca_out: Option<&Path>,
    idle_timeout_s: u64,
    client: Option<(&Path, &Path)>,
) -> io::Result<ProfileFiles> {
    let template = template(server.dialect);
    let dir = profile
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let stem = profile
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("reference");
    let ca = ca_out.map_or_else(|| dir.join(format!("{stem}-ca.pem")), Path::to_path_buf);
    let secrets = dir.join(format!("{stem}.secrets.env"));
    std::fs::write(&ca, &server.ca_pem)?;
    let mut lines =
        String::from("# Passwords of the reference server's test accounts (random per start).\n");
    for c in &server.credentials {
        lines.push_str(&format!("{}={}\n", secret_key(c.actor), c.password));
    }
    lines.push_str(&format!("OUTBOX_TOKEN={}\n", server.outbox_token));
    write_private(&secrets, &lines)?;
    // Paths in a profile are relative to the profile's folder.
    let relative = |p: &Path| -> String {
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        match abs(p).strip_prefix(abs(dir)) {
            Ok(r) => r.display().to_string(),
            Err(_) => abs(p).display().to_string(),
        }
    };
    let client = match (client, &server.client_identity) {
        (Some((cert, key)), _) => Some((cert.to_path_buf(), key.to_path_buf())),
        (None, Some(identity)) => {
            let cert = dir.join(format!("{stem}-client.pem"));
            let key = dir.join(format!("{stem}-client.key"));
            std::fs::write(&cert, &identity.cert_pem)?;
            write_private(&key, &identity.key_pem)?;
            Some((cert, key))
        }
        (None, None) => None,
    };
    // The flow mapping `tls: { ca_file: … }` of the templates, with the client identity after.
    let tls = match &client {
        Some((cert, key)) => format!(
            "{}, client_cert: {}, client_key: {{ file: {} }}",
            yaml_quote(&relative(&ca)),
            yaml_quote(&relative(cert)),
            yaml_quote(&relative(key))
        ),
        None => yaml_quote(&relative(&ca)),
    };
    let text = template
        .replace("${base_url}", &server.base_url)
        .replace("${http_url}", &server.http_url)
        .replace("${ca_file}", &tls)
        .replace("${secrets_file}", &yaml_quote(&relative(&secrets)))
        .replace("${idle_timeout_s}", &idle_timeout_s.to_string())
        .replace("${latency_p95_ms}", &server.latency_p95_ms.to_string());
    std::fs::write(profile, text)?;
    Ok(ProfileFiles {
        profile: profile.to_path_buf(),
        ca,
        secrets,
        client,
    })
}

fn yaml_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}
