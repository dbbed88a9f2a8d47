//! Runs vvcheck as a child process and reads what it cost: its wall time and its peak resident
//! memory, from the kernel's own account of the child (`wait4`), so nothing else the bench
//! holds is counted.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one child run cost.
#[derive(Debug, Clone, Copy)]
pub struct ChildRun {
    pub wall: Duration,
    /// Peak resident memory in bytes; `None` where the platform does not say.
    pub max_rss: Option<u64>,
    /// Exit code; `None` when a signal ended it.
    pub code: Option<i32>,
}

/// Runs `exe args…` with its output thrown away (its reports are files) and waits for it.
/// Blocking: call it from a blocking thread.
pub fn run<I, S>(exe: &Path, args: I) -> std::io::Result<ChildRun>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let start = Instant::now();
    let child = Command::new(exe)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let (code, max_rss) = wait(child)?;
    Ok(ChildRun {
        wall: start.elapsed(),
        max_rss,
        code,
    })
}

#[cfg(unix)]
fn wait(child: std::process::Child) -> std::io::Result<(Option<i32>, Option<u64>)> {
    let pid = libc::pid_t::try_from(child.id()).map_err(std::io::Error::other)?;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain old data that the kernel fills in; `status` and `usage` are
    // valid for writes for the call's duration; `pid` is our own unreaped child, which `child`
    // (dropped without waiting) no longer touches.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = loop {
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == -1 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        break r;
    };
    if r == -1 {
        return Err(std::io::Error::last_os_error());
    }
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    // ru_maxrss is in KiB on Linux and the BSDs, in bytes on macOS.
    let unit = if cfg!(target_os = "macos") { 1 } else { 1024 };
    let rss = u64::try_from(usage.ru_maxrss).ok().map(|n| n * unit);
    Ok((code, rss))
}

#[cfg(not(unix))]
fn wait(mut child: std::process::Child) -> std::io::Result<(Option<i32>, Option<u64>)> {
    Ok((child.wait()?.code(), None))
}
