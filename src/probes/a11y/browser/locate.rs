//! Finding Chromium and axe-core on this machine, and their versions, so a report can say which
//! browser and which axe judged the pages.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long `chromium --version` (and `npm root -g`) may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the rendered-browser mode found its browser and its rules.
#[derive(Debug, Clone)]
pub struct BrowserSetup {
    /// The Chromium (or Chrome) executable.
    pub chromium: PathBuf,
    /// axe-core's `axe.min.js`.
    pub axe_js: PathBuf,
    /// axe-core's version (`4.10.2`).
    pub axe_version: String,
    /// What `chromium --version` says (`Chromium 131.0.6778.85 …`).
    pub chromium_version: String,
}

/// What is missing for the rendered-browser mode, and how to install it.
#[derive(Debug, thiserror::Error)]
pub enum BrowserMissing {
    /// No Chromium was found.
    #[error(
        "Chromium not found (VVCHECK_CHROMIUM unset; no chromium, chromium-browser or google-chrome on PATH): install it with `apt-get install chromium` or set VVCHECK_CHROMIUM to its path"
    )]
    Chromium,
    /// The Chromium named does not run or does not say its version.
    #[error(
        "Chromium at {path} does not run (`--version`: {reason}): install it with `apt-get install chromium` or set VVCHECK_CHROMIUM to a working one"
    )]
    ChromiumBroken { path: PathBuf, reason: String },
    /// No axe-core was found.
    #[error(
        "axe-core not found (looked at {}): install it with `npm install axe-core` or set VVCHECK_AXE to its axe.min.js", looked.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    Axe { looked: Vec<PathBuf> },
    /// axe-core was found but its version cannot be read.
    #[error(
        "axe-core at {path} has no readable version (package.json beside it, or its banner): reinstall it with `npm install axe-core`"
    )]
    AxeVersion { path: PathBuf },
}

impl BrowserSetup {
    /// Finds Chromium (`$VVCHECK_CHROMIUM`, else `chromium`, `chromium-browser`,
    /// `google-chrome` on PATH) and axe-core (`$VVCHECK_AXE`, else
    /// `./node_modules/axe-core/axe.min.js`, else under `npm root -g`, else Debian's
    /// `/usr/share/nodejs/axe-core/axe.min.js`), with their versions.
    pub fn locate() -> Result<BrowserSetup, BrowserMissing> {
        let chromium = BrowserSetup::find_chromium()?;
        let chromium_version = chromium_version(&chromium)?;
        let axe_js = find_axe()?;
        let axe_version = axe_version(&axe_js)?;
        Ok(BrowserSetup {
            chromium,
            axe_js,
            axe_version,
            chromium_version,
        })
    }

    /// Finds Chromium alone (`$VVCHECK_CHROMIUM`, a path or a name on PATH, else `chromium`,
    /// `chromium-browser`, `google-chrome` on PATH), for what needs a browser but not axe-core.
    pub fn find_chromium() -> Result<PathBuf, BrowserMissing> {
        if let Some(p) = std::env::var_os("VVCHECK_CHROMIUM").filter(|p| !p.is_empty()) {
            let p = PathBuf::from(p);
            // A bare name is looked up on PATH like the defaults.
            return if p.components().count() == 1 {
                on_path(&p.to_string_lossy()).ok_or(BrowserMissing::Chromium)
            } else if p.is_file() {
                Ok(p)
            } else {
                Err(BrowserMissing::ChromiumBroken {
                    path: p,
                    reason: "no such file".into(),
                })
            };
        }
        ["chromium", "chromium-browser", "google-chrome"]
            .iter()
            .find_map(|name| on_path(name))
            .ok_or(BrowserMissing::Chromium)
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

fn chromium_version(chromium: &Path) -> Result<String, BrowserMissing> {
    let broken = |reason: String| BrowserMissing::ChromiumBroken {
        path: chromium.to_path_buf(),
        reason,
    };
    let out = run_bounded(Command::new(chromium).arg("--version")).map_err(broken)?;
    let version = out.trim();
    if version.is_empty() {
        return Err(broken("it printed nothing".into()));
    }
    Ok(version.to_string())
}

fn find_axe() -> Result<PathBuf, BrowserMissing> {
    let mut looked = Vec::new();
    if let Some(p) = std::env::var_os("VVCHECK_AXE").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Ok(p);
        }
        // An explicit path that is wrong is an error, not a reason to use another axe.
        return Err(BrowserMissing::Axe { looked: vec![p] });
    }
    let mut candidates = vec![PathBuf::from("node_modules/axe-core/axe.min.js")];
    if let Ok(root) = run_bounded(Command::new("npm").args(["root", "-g"])) {
        let root = root.trim();
        if !root.is_empty() {
            candidates.push(Path::new(root).join("axe-core/axe.min.js"));
        }
    }
    candidates.push(PathBuf::from("/usr/share/nodejs/axe-core/axe.min.js"));
    for c in candidates {
        if c.is_file() {
            return Ok(std::path::absolute(&c).unwrap_or(c));
        }
        looked.push(c);
    }
    Err(BrowserMissing::Axe { looked })
}

fn axe_version(axe_js: &Path) -> Result<String, BrowserMissing> {
    let missing = || BrowserMissing::AxeVersion {
        path: axe_js.to_path_buf(),
    };
    let package = std::fs::read_to_string(axe_js.with_file_name("package.json")).ok();
    let from_package = package
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|json| Some(json.get("version")?.as_str()?.to_string()));
    from_package
        .or_else(|| banner_version(axe_js))
        .ok_or_else(missing)
}

/// The version in the banner axe's builds start with (`/*! axe v4.10.2`), for a copy without
/// its package.json.
fn banner_version(axe_js: &Path) -> Option<String> {
    use std::io::Read;
    let mut head = [0u8; 64];
    let n = std::fs::File::open(axe_js).ok()?.read(&mut head).ok()?;
    let head = String::from_utf8_lossy(&head[..n]);
    let rest = head.strip_prefix("/*! axe v")?;
    let version: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
        .collect();
    (!version.is_empty()).then_some(version)
}

/// Runs `cmd` to completion within [`PROBE_TIMEOUT`], its stdout as text; killed past it.
fn run_bounded(cmd: &mut Command) -> Result<String, String> {
    use std::io::Read;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let start = Instant::now();
    let status = loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) => break status,
            None if start.elapsed() > PROBE_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("no answer in {} s", PROBE_TIMEOUT.as_secs()));
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    let mut out = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        stdout.read_to_string(&mut out).map_err(|e| e.to_string())?;
    }
    if !status.success() {
        return Err(format!("exited with {status}"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_that_does_not_run_is_named_with_its_reason() {
        match chromium_version(Path::new("/bin/false")) {
            Err(e @ BrowserMissing::ChromiumBroken { .. }) => {
                let text = e.to_string();
                assert!(
                    text.contains("/bin/false") && text.contains("apt-get install chromium"),
                    "{text}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn axe_version_comes_from_its_package_json_else_its_banner() {
        let dir = tempfile::tempdir().expect("temp dir");
        let js = dir.path().join("axe.min.js");
        std::fs::write(&js, "window.axe = {};").expect("write");
        assert!(matches!(
            axe_version(&js),
            Err(BrowserMissing::AxeVersion { .. })
        ));
        std::fs::write(&js, "/*! axe v4.9.1\n * Copyright */ window.axe = {};").expect("write");
        assert_eq!(axe_version(&js).expect("version"), "4.9.1");
        std::fs::write(dir.path().join("package.json"), r#"{"version": "4.10.2"}"#).expect("write");
        assert_eq!(axe_version(&js).expect("version"), "4.10.2");
    }
}
