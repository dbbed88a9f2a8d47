//! Stand-in vendors: a small axum app on 127.0.0.1 port 0, and a `vvcheck run` of one profile
//! and one suite against it, in a temporary folder.

use std::path::PathBuf;

use super::cli::{Vvcheck, vvcheck};

/// Serves `app` on 127.0.0.1, port 0; its `http://HOST:PORT`.
pub async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

/// A profile and a suite written into a temporary folder, ready to run.
pub struct SuiteRun {
    pub dir: tempfile::TempDir,
    pub target: PathBuf,
    /// Where the reports go.
    pub out: PathBuf,
    suites: PathBuf,
}

impl SuiteRun {
    /// Writes `profile` and `suite` (the only suite of the run).
    pub fn new(profile: &str, suite: &str) -> SuiteRun {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("target.yaml");
        std::fs::write(&target, profile).expect("profile written");
        let suites = dir.path().join("suites");
        std::fs::create_dir(&suites).expect("suites folder");
        std::fs::write(suites.join("suite.yaml"), suite).expect("suite written");
        let out = dir.path().join("out");
        SuiteRun {
            dir,
            target,
            out,
            suites,
        }
    }

    /// `vvcheck run [extra…] --target … --suites … --out …`, to add environment to and run.
    pub fn command(&self, extra: &[&str]) -> Vvcheck {
        vvcheck(["run"])
            .args(extra.iter().copied())
            .arg("--target")
            .arg(&self.target)
            .arg("--suites")
            .arg(&self.suites)
            .arg("--out")
            .arg(&self.out)
    }

    /// The written `results.json`, parsed.
    pub fn results(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.out.join("results.json")).expect("results.json");
        serde_json::from_str(&text).expect("JSON")
    }
}
