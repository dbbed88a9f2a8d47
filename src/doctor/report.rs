//! The doctor's lines: one per step, `ok`, `FAIL` or `skip`, with details under it and, on
//! failure, the fix to try; and the exit code they add up to.

use std::fmt::{self, Write};

use serde::Serialize;

use crate::verdict::exit;

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Fail,
    /// Not tried: an earlier step it depends on failed.
    Skip,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Ok => "ok",
            Status::Fail => "FAIL",
            Status::Skip => "skip",
        })
    }
}

/// One step's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub status: Status,
    /// `resolve`, `connect`, `tls`, `login`…
    pub step: &'static str,
    /// What was found, in one line.
    pub text: String,
    /// Further facts, one line each (the certificate of a handshake).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
    /// What to try, when the step failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Line {
    /// A step that succeeded.
    pub fn ok(step: &'static str, text: impl Into<String>) -> Line {
        Line {
            status: Status::Ok,
            step,
            text: text.into(),
            details: Vec::new(),
            fix: None,
        }
    }

    /// A step that failed, and what to try.
    pub fn fail(step: &'static str, text: impl Into<String>, fix: impl Into<String>) -> Line {
        Line {
            status: Status::Fail,
            step,
            text: text.into(),
            details: Vec::new(),
            fix: Some(fix.into()),
        }
    }

    /// A step not tried, and why.
    pub fn skip(step: &'static str, why: impl Into<String>) -> Line {
        Line {
            status: Status::Skip,
            step,
            text: why.into(),
            details: Vec::new(),
            fix: None,
        }
    }

    /// The line with one more detail under it.
    pub fn detail(mut self, d: impl Into<String>) -> Line {
        self.details.push(d.into());
        self
    }
}

/// Every step's line, in the order the steps ran.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub lines: Vec<Line>,
}

/// Where the text of a line starts: after the status and the step name.
const INDENT: usize = 18;

impl Report {
    /// Whether a step failed.
    pub fn failed(&self) -> bool {
        self.lines.iter().any(|l| l.status == Status::Fail)
    }

    /// 0 when every step is ok, 1 when one failed.
    pub fn exit_code(&self) -> i32 {
        if self.failed() {
            exit::NON_CONFORMANT
        } else {
            exit::OK
        }
    }

    /// The plain-text report: a line per step, its details and fix indented under it, and a
    /// closing count.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for l in &self.lines {
            let _ = writeln!(out, "{:<5} {:<11} {}", l.status.to_string(), l.step, l.text);
            for d in &l.details {
                let _ = writeln!(out, "{:INDENT$}{d}", "");
            }
            if let Some(fix) = &l.fix {
                let _ = writeln!(out, "{:INDENT$}fix: {fix}", "");
            }
        }
        let count = |s: Status| self.lines.iter().filter(|l| l.status == s).count();
        let _ = writeln!(
            out,
            "doctor: {} ok, {} failed, {} skipped",
            count(Status::Ok),
            count(Status::Fail),
            count(Status::Skip)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_line_shows_its_fix_under_it_and_makes_exit_1() {
        let report = Report {
            lines: vec![
                Line::ok("resolve", "localhost: 127.0.0.1 (IPv4)"),
                Line::fail("connect", "refused", "start the server").detail("127.0.0.1:1"),
                Line::skip("tls", "no connection"),
            ],
        };
        let text = report.render();
        assert_eq!(
            text,
            "ok    resolve     localhost: 127.0.0.1 (IPv4)\n\
             FAIL  connect     refused\n\
             \x20                 127.0.0.1:1\n\
             \x20                 fix: start the server\n\
             skip  tls         no connection\n\
             doctor: 1 ok, 1 failed, 1 skipped\n"
        );
        assert_eq!(report.exit_code(), exit::NON_CONFORMANT);
    }

    #[test]
    fn skipped_and_ok_lines_alone_make_exit_0() {
        let report = Report {
            lines: vec![Line::ok("proxy", "none"), Line::skip("login", "no actors")],
        };
        assert_eq!(report.exit_code(), exit::OK);
    }
}
