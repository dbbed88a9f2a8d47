//! Starting headless Chromium with a fresh profile and learning its DevTools address; the
//! process is killed and the profile removed when [`Process`] is dropped.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The flags every run uses: headless, as root on this platform (no sandbox), and nothing that
/// reaches out on its own (the closed network would refuse it, many connections at a time).
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-crash-reporter",
    "--disable-dev-shm-usage",
    "--mute-audio",
    // Frames of other sites stay in the page's process, where axe is injected with each
    // document; this browser only renders pages to audit them.
    "--disable-site-isolation-trials",
    "--disable-features=IsolateOrigins,site-per-process",
    "--remote-debugging-port=0",
];

/// The most of Chromium's stderr an error quotes.
const STDERR_TAIL: usize = 600;

/// A running Chromium.
pub struct Process {
    child: tokio::process::Child,
    /// Holds the profile (`profile/`) and Chromium's stderr (`stderr.log`); removed on drop,
    /// after the process is gone.
    dir: tempfile::TempDir,
    /// `ws://127.0.0.1:PORT/devtools/browser/ID`.
    pub ws_url: String,
}

/// Why Chromium did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot prepare Chromium's profile folder: {0}")]
    Profile(std::io::Error),
    #[error("cannot run {path}: {error}")]
    Spawn { path: String, error: std::io::Error },
    #[error("Chromium exited ({status}) before opening DevTools{stderr}")]
    Exited { status: String, stderr: String },
    #[error("Chromium did not open DevTools in {secs} s{stderr}")]
    Timeout { secs: u64, stderr: String },
}

impl Process {
    /// Starts `chromium` with [`FLAGS`] and `extra` flags, waiting up to `timeout` for it to
    /// write its DevTools port.
    pub async fn start(
        chromium: &Path,
        extra: &[String],
        timeout: Duration,
    ) -> Result<Process, StartError> {
        let dir = tempfile::Builder::new()
            .prefix("vvcheck-chromium-")
            .tempdir()
            .map_err(StartError::Profile)?;
        let profile = dir.path().join("profile");
        std::fs::create_dir(&profile).map_err(StartError::Profile)?;
        let stderr_path = dir.path().join("stderr.log");
        let stderr = std::fs::File::create(&stderr_path).map_err(StartError::Profile)?;
        let mut child = tokio::process::Command::new(chromium)
            .args(FLAGS)
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(stderr))
            .kill_on_drop(true)
            .spawn()
            .map_err(|error| StartError::Spawn {
                path: chromium.display().to_string(),
                error,
            })?;
        let port_file = profile.join("DevToolsActivePort");
        let start = Instant::now();
        loop {
            if let Some(ws_url) = read_port_file(&port_file) {
                return Ok(Process { child, dir, ws_url });
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Err(StartError::Exited {
                    status: status.to_string(),
                    stderr: stderr_tail(&stderr_path),
                });
            }
            if start.elapsed() > timeout {
                return Err(StartError::Timeout {
                    secs: timeout.as_secs(),
                    stderr: stderr_tail(&stderr_path),
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        // Reap it (briefly) so the profile folder is not written to while it is removed.
        let start = Instant::now();
        while matches!(self.child.try_wait(), Ok(None)) && start.elapsed() < Duration::from_secs(2)
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = std::fs::remove_dir_all(self.dir.path());
    }
}

/// `DevToolsActivePort` holds the port on its first line and the browser's path on its second;
/// it is complete once both are there.
fn read_port_file(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines = text.lines();
    let port: u16 = lines.next()?.trim().parse().ok()?;
    let target = lines.next()?.trim();
    target
        .starts_with("/devtools/browser/")
        .then(|| format!("ws://127.0.0.1:{port}{target}"))
}

/// The end of Chromium's stderr, as `: …` for an error message, or nothing.
fn stderr_tail(path: &Path) -> String {
    let text = std::fs::read(path).unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    let skip = text.chars().count().saturating_sub(STDERR_TAIL);
    let tail: String = text.chars().skip(skip).collect();
    format!(": {tail}")
}
