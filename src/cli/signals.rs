//! SIGINT and SIGTERM during a run: the first stops the run gracefully (the checks that did not
//! finish end `error: interrupted`, the reports are written, exit code 2); a second one ends the
//! process at once. Reports are never half-written either way: each is written to a temporary
//! file and renamed into place.

use std::io::Write;

use crate::engine::Interrupt;
use crate::verdict::exit;

/// Starts listening for the signals that stop `interrupt`'s run; the listener lives as long as
/// the process.
pub fn stop_on_signals(interrupt: &Interrupt) {
    let Some(mut signals) = Signals::new() else {
        return;
    };
    let interrupt = interrupt.clone();
    tokio::spawn(async move {
        let Some(first) = signals.next().await else {
            return;
        };
        let _ = writeln!(
            std::io::stderr(),
            "vvcheck: {first}: stopping; the reports are written for what finished (again to stop at once)"
        );
        interrupt.trigger(first);
        if let Some(second) = signals.next().await {
            let _ = writeln!(
                std::io::stderr(),
                "vvcheck: {second} again: stopped at once; no report was written"
            );
            std::process::exit(exit::INVALID);
        }
    });
}

/// The streams of the signals that stop a run, made once so that none is lost between waits.
#[cfg(unix)]
struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> Option<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Some(Signals {
            int: signal(SignalKind::interrupt()).ok()?,
            term: signal(SignalKind::terminate()).ok()?,
        })
    }

    /// The next SIGINT or SIGTERM, by name.
    async fn next(&mut self) -> Option<&'static str> {
        tokio::select! {
            Some(()) = self.int.recv() => Some("SIGINT"),
            Some(()) = self.term.recv() => Some("SIGTERM"),
            else => None,
        }
    }
}

/// Ctrl-C, where there are no Unix signals.
#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> Option<Signals> {
        Some(Signals)
    }

    async fn next(&mut self) -> Option<&'static str> {
        tokio::signal::ctrl_c().await.ok().map(|()| "Ctrl-C")
    }
}
