//! Printing at the CLI edge: diagnostics, colour choice, and broken pipes (not an error).

use std::io::{self, IsTerminal, Write};

use crate::model::inputs::LoadError;
use crate::verdict::exit;

/// Whether to colour output on stdout: a terminal, and NO_COLOR not set.
pub fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stdout().is_terminal()
}

/// Whether stderr is a terminal (for the progress line).
pub fn progress() -> bool {
    io::stderr().is_terminal() && std::env::var_os("CI").is_none()
}

/// Prints a load error to stderr; returns the exit code for invalid input.
pub fn load_error(e: &LoadError) -> i32 {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{e}");
    exit::INVALID
}

/// Writes to stdout, treating a closed pipe (`| head`) as the end, not a failure.
pub fn stdout(text: &str) {
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush())
        && e.kind() != io::ErrorKind::BrokenPipe
    {
        eprintln!("error: writing to stdout: {e}");
    }
}
