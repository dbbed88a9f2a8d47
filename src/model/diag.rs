//! Diagnostics: one way to show an input error, pointing into the user's file.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::yaml::{DeError, Loc, SyntaxError};

/// A source file kept for rendering diagnostics.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or `<embedded>/name` for shipped files).
    pub path: PathBuf,
    pub text: String,
}

/// Whether a diagnostic stops the inputs from loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The inputs are invalid.
    Error,
    /// The inputs load, but something in them should be fixed.
    Warning,
}

/// One problem in one input file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub file: Arc<SourceFile>,
    pub loc: Loc,
    pub message: String,
    /// A suggestion, e.g. "did you mean `get_message`?".
    pub hint: Option<String>,
    pub severity: Severity,
}

impl Diagnostic {
    /// An error at `loc` in `file`.
    pub fn new(file: &Arc<SourceFile>, loc: Loc, message: impl Into<String>) -> Self {
        Diagnostic {
            file: Arc::clone(file),
            loc,
            message: message.into(),
            hint: None,
            severity: Severity::Error,
        }
    }

    /// A warning at `loc` in `file`: printed the same way, but the inputs still load.
    pub fn warning(file: &Arc<SourceFile>, loc: Loc, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::new(file, loc, message)
        }
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// `unknown probe `x``, with "did you mean" when a candidate is close, or the list of
    /// candidates when it is short.
    pub fn unknown<'c>(
        file: &Arc<SourceFile>,
        what: &str,
        name: &super::located::Located<String>,
        candidates: impl IntoIterator<Item = &'c str>,
    ) -> Self {
        let cands: Vec<&str> = candidates.into_iter().collect();
        let mut d = Diagnostic::new(file, name.loc, format!("unknown {what} `{}`", name.value));
        match suggest(&name.value, cands.iter().copied()) {
            Some(s) => d.hint = Some(format!("did you mean `{s}`?")),
            None if !cands.is_empty() && cands.len() <= 12 => {
                d.hint = Some(format!("expected one of: {}", cands.join(", ")))
            }
            None => {}
        }
        d
    }

    /// From a YAML syntax error.
    pub fn syntax(file: &Arc<SourceFile>, e: SyntaxError) -> Self {
        let hint = e
            .message
            .contains("duplicate")
            .then(|| "each key may appear once in a mapping".to_string());
        Diagnostic {
            hint,
            ..Diagnostic::new(file, e.loc, format!("invalid YAML: {}", e.message))
        }
    }

    /// From a deserialization error: names the key path and suggests a near field name.
    pub fn from_de(file: &Arc<SourceFile>, e: DeError) -> Self {
        let path = e.path_string();
        let mut message = e.message.clone();
        let mut hint = None;
        if let Some((unknown, expected)) = parse_unknown(&e.message) {
            hint = Some(
                match suggest(&unknown, expected.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("expected one of: {}", expected.join(", ")),
                },
            );
            message = match e.message.split_once(',') {
                Some((head, _)) => head.to_string(),
                None => e.message.clone(),
            };
        }
        if !path.is_empty() {
            message = format!("{message} (at `{path}`)");
        }
        Diagnostic {
            hint,
            ..Diagnostic::new(file, e.loc.unwrap_or_default(), message)
        }
    }

    /// `path:line:col` as printed.
    pub fn position(&self) -> String {
        format!(
            "{}:{}:{}",
            self.file.path.display(),
            self.loc.line,
            self.loc.column
        )
    }
}

impl fmt::Display for Diagnostic {
    /// Renders like a compiler: message, position, the source line and a caret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(f, "{label}: {}", self.message)?;
        writeln!(f, "  --> {}", self.position())?;
        let line_no = self.loc.line as usize;
        if let Some(line) = self
            .file
            .text
            .lines()
            .nth(line_no.saturating_sub(1))
            .filter(|_| line_no > 0)
        {
            let gutter = line_no.to_string().len();
            writeln!(f, "{:gutter$} |", "")?;
            writeln!(f, "{line_no} | {line}")?;
            let col = (self.loc.column as usize).saturating_sub(1);
            let prefix: String = line
                .chars()
                .take(col)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let width =
                (self.loc.len as usize).clamp(1, line.chars().count().saturating_sub(col).max(1));
            write!(f, "{:gutter$} | {prefix}{}", "", "^".repeat(width))?;
            if let Some(h) = &self.hint {
                write!(f, " {h}")?;
            }
            writeln!(f)?;
        } else if let Some(h) = &self.hint {
            writeln!(f, "  = help: {h}")?;
        }
        Ok(())
    }
}

/// Reads `unknown field `x`, expected one of `a`, `b`` (serde's wording) into its parts.
fn parse_unknown(msg: &str) -> Option<(String, Vec<String>)> {
    let rest = msg
        .strip_prefix("unknown field `")
        .or_else(|| msg.strip_prefix("unknown variant `"))?;
    let (name, tail) = rest.split_once('`')?;
    let expected = tail
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    Some((name.to_string(), expected))
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Every problem found in a set of inputs; loading reports them all at once.
#[derive(Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Adds one.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    /// No problem found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        let n = self.0.len();
        write!(
            f,
            "{n} error{} in the input files",
            if n == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for Diagnostics {}

/// Reads a file for diagnostics; an unreadable file is itself a diagnostic.
pub fn read_source(path: &Path) -> Result<Arc<SourceFile>, String> {
    std::fs::read_to_string(path)
        .map(|text| {
            Arc::new(SourceFile {
                path: path.to_path_buf(),
                text,
            })
        })
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))
}
