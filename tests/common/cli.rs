//! Running the vvcheck binary the way a user does: a builder for arguments, environment, working
//! folder and standard input, and the result as text with its exit code.
//!
//! Every run gets `NO_COLOR=1` and no `CI` variable, so output is plain and has no progress line.
//! A run that has not ended after [`Vvcheck::timeout`] (5 minutes unless set) is killed and the
//! test fails: a guard against a hang, never a measure of speed.

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The vvcheck binary built for these tests.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_vvcheck"))
}

/// The repository root (where `Cargo.toml` is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Starts a vvcheck command line: `vvcheck(["list", "flaws"]).run()`.
pub fn vvcheck<I, S>(args: I) -> Vvcheck
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Vvcheck {
        args: args.into_iter().map(|a| a.as_ref().to_owned()).collect(),
        env: vec![
            (OsString::from("NO_COLOR"), Some(OsString::from("1"))),
            (OsString::from("CI"), None),
        ],
        cwd: None,
        stdin: None,
        timeout: Duration::from_secs(300),
    }
}

/// A vvcheck command line being put together.
#[derive(Clone, Debug)]
pub struct Vvcheck {
    args: Vec<OsString>,
    env: Vec<(OsString, Option<OsString>)>,
    cwd: Option<PathBuf>,
    stdin: Option<Vec<u8>>,
    timeout: Duration,
}

/// How a run ended.
#[derive(Clone, Debug)]
pub struct Run {
    /// The command line, for messages.
    pub line: String,
    /// The exit code; `None` when a signal ended the process.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// The process's peak resident memory in bytes (Linux `VmHWM`), as last read before it
    /// ended; `None` where `/proc` does not say.
    pub peak_rss: Option<u64>,
}

/// The peak resident memory of process `pid` so far, in bytes.
fn peak_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

impl Vvcheck {
    /// Adds one argument.
    pub fn arg(mut self, a: impl AsRef<OsStr>) -> Self {
        self.args.push(a.as_ref().to_owned());
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets an environment variable.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env
            .push((key.as_ref().to_owned(), Some(value.as_ref().to_owned())));
        self
    }

    /// Removes an environment variable.
    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Self {
        self.env.push((key.as_ref().to_owned(), None));
        self
    }

    /// Runs in this folder (default: the test's own working folder).
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.cwd = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Feeds these bytes on standard input (default: none, stdin is closed).
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// Kills the run and fails the test if it has not ended after this long.
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = limit;
        self
    }

    /// The command line as text, for messages.
    pub fn line(&self) -> String {
        let mut s = String::from("vvcheck");
        for a in &self.args {
            s.push(' ');
            s.push_str(&a.to_string_lossy());
        }
        s
    }

    /// The configured process, for tests that need the child itself (see [`KillOnDrop`]).
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(bin());
        cmd.args(&self.args);
        for (k, v) in &self.env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        if let Some(dir) = &self.cwd {
            cmd.current_dir(dir);
        }
        cmd
    }

    /// Runs to the end (blocking).
    pub fn run(self) -> Run {
        let line = self.line();
        let mut cmd = self.command();
        cmd.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("`{line}` cannot start: {e}"));
        let feeder = child.stdin.take().map(|mut pipe| {
            let bytes = self.stdin.clone().unwrap_or_default();
            std::thread::spawn(move || {
                // A process that exits without reading its input is not an error here.
                let _ = pipe.write_all(&bytes);
            })
        });
        let out = reader(child.stdout.take());
        let err = reader(child.stderr.take());
        let deadline = Instant::now() + self.timeout;
        let mut peak = None;
        let status = loop {
            // The kernel keeps the high-water mark: the last reading is the peak.
            peak = peak_rss(child.id()).or(peak);
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("`{line}` did not end within {:?}", self.timeout);
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(e) => panic!("`{line}`: waiting failed: {e}"),
            }
        };
        if let Some(f) = feeder {
            let _ = f.join();
        }
        Run {
            line,
            code: status.code(),
            stdout: out.join().expect("stdout reader"),
            stderr: err.join().expect("stderr reader"),
            peak_rss: peak,
        }
    }

    /// Runs to the end off the async runtime (for tests that serve on it meanwhile).
    pub async fn run_async(self) -> Run {
        tokio::task::spawn_blocking(move || self.run())
            .await
            .expect("the run's thread ended normally")
    }
}

fn reader<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

impl Run {
    /// The exit code, -1 when a signal ended the process.
    pub fn code(&self) -> i32 {
        self.code.unwrap_or(-1)
    }

    /// Fails the test unless the run exited with `code`; the message shows both outputs.
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(code),
            "exit code of `{}`\n{self}",
            self.line
        );
        self
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        )
    }
}

/// Kills the child process when the test ends, however it ends.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
