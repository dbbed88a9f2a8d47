//! Test kit: the reference server with a written target profile ([`Reference`]), the vvcheck
//! binary ([`cli`]), JUnit schema validation ([`junit_schema`]) and case folders ([`cases`]).

#![allow(dead_code)]

pub mod cases;
pub mod cli;
pub mod connect_proxy;
pub mod hostile_server;
pub mod junit_schema;
pub mod openssl;
pub mod vendor;

use std::path::{Path, PathBuf};

use vvcheck::reference::{Dialect, Flaw, ReferenceConfig, ReferenceServer, profile};

/// A running reference server and its target profile in a temporary folder.
pub struct Reference {
    pub server: ReferenceServer,
    pub dir: tempfile::TempDir,
    pub profile: PathBuf,
}

impl Reference {
    /// Starts the server on 127.0.0.1 port 0 and writes its profile.
    pub async fn start(dialect: Dialect, flaws: &[Flaw]) -> Reference {
        Reference::start_with(ReferenceConfig {
            dialect,
            flaws: flaws.to_vec(),
            // The profile declares a p95 threshold of four fifths of this (3000 ms): room for a
            // loaded test machine under it, and the `slow` flaw over it by construction.
            latency: std::time::Duration::from_millis(3750),
            ..ReferenceConfig::default()
        })
        .await
    }

    /// Starts the server as `config` says (its ports aside) and writes its profile.
    pub async fn start_with(config: ReferenceConfig) -> Reference {
        let idle = config.idle_timeout.as_secs();
        let server = ReferenceServer::start(config)
            .await
            .expect("reference server starts");
        let dir = tempfile::tempdir().expect("temp dir");
        let profile_path = dir.path().join("target.yaml");
        profile::write(&server, &profile_path, None, idle, None).expect("profile written");
        Reference {
            server,
            dir,
            profile: profile_path,
        }
    }

    /// Every secret the profile references (passwords and the outbox token).
    pub fn secrets(&self) -> Vec<String> {
        let mut s: Vec<String> = self
            .server
            .credentials
            .iter()
            .map(|c| c.password.clone())
            .collect();
        s.push(self.server.outbox_token.clone());
        s
    }
}

/// Every check of the run whose reports are in `out`: (id, status, message).
pub fn checks(out: &Path) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(out.join("results.json")).expect("results.json written");
    let json: serde_json::Value = serde_json::from_str(&text).expect("results.json parses");
    json["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            (s("id"), s("status"), s("message"))
        })
        .collect()
}

/// Asserts that the run in `out` had checks, every one passed, and it exited 0.
pub fn all_pass(run: &cli::Run, out: &Path) {
    let checks = checks(out);
    let not: Vec<_> = checks.iter().filter(|(_, s, _)| s != "pass").collect();
    assert!(
        not.is_empty() && !checks.is_empty(),
        "{not:#?}\n{}\n{}",
        run.stdout,
        run.stderr
    );
    run.assert_code(0);
}

/// Every file under a folder, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p)
            } else {
                out.push(p)
            }
        }
    }
    out
}

/// A resolved target from profile text (written into `dir`, so `{file: …}` secrets resolve).
pub fn target_from_yaml(yaml: &str, dir: &Path) -> vvcheck::model::resolve::ResolvedTarget {
    use std::sync::Arc;
    use vvcheck::model::diag::SourceFile;
    let path = dir.join("target.yaml");
    std::fs::write(&path, yaml).unwrap();
    let src = Arc::new(SourceFile {
        path,
        text: yaml.to_string(),
    });
    let root = vvcheck::model::load::parse(&src).unwrap();
    let profile = vvcheck::model::load::target(&src, &root).unwrap();
    vvcheck::model::resolve::ResolvedTarget::resolve(&profile, &src, false).unwrap()
}
