//! Diagnostics: one way to show an input error, pointing into the user's file.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::text;
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
        let mut d = Diagnostic::new(
            file,
            name.loc,
            format!("unknown {what} `{}`", shorten(&name.value)),
        );
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
            ..Diagnostic::new(file, e.loc, format!("invalid YAML: {}", plain(&e.message)))
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
    /// Renders like a compiler: message, position, the source line and a caret. A long line is
    /// shown as a window around the column, so a diagnostic stays short whatever the file.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(f, "{label}: {}", cut(&self.message, MAX_MESSAGE))?;
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
            let col = (self.loc.column as usize).saturating_sub(1);
            let shown = Window::new(line, col);
            writeln!(f, "{:gutter$} |", "")?;
            writeln!(f, "{line_no} | {}", shown.text)?;
            let width = (self.loc.len as usize).clamp(1, shown.after_column.max(1));
            write!(
                f,
                "{:gutter$} | {}{}",
                "",
                shown.caret_indent,
                "^".repeat(width)
            )?;
            if let Some(h) = &self.hint {
                write!(f, " {}", cut(h, MAX_MESSAGE))?;
            }
            writeln!(f)?;
        } else if let Some(h) = &self.hint {
            writeln!(f, "  = help: {}", cut(h, MAX_MESSAGE))?;
        }
        Ok(())
    }
}

/// Characters of a long source line shown on each side of the column.
const WINDOW: usize = 60;

/// A line up to this long is shown whole.
const WHOLE_LINE: usize = 4 * WINDOW;

/// The part of a source line shown under a diagnostic.
struct Window {
    /// The characters around the column, `…` where the line was cut, control characters
    /// made visible.
    text: String,
    /// What goes before the caret so that it sits under the column (tabs kept as tabs).
    caret_indent: String,
    /// Characters shown from the column to the end of the window.
    after_column: usize,
}

impl Window {
    fn new(line: &str, col: usize) -> Window {
        let whole = line.len() <= WHOLE_LINE || line.chars().count() <= WHOLE_LINE;
        let (start, end) = if whole {
            (0, usize::MAX)
        } else {
            (col.saturating_sub(WINDOW), col + WINDOW)
        };
        let mut text = String::new();
        let mut caret_indent = String::new();
        if start > 0 {
            text.push('…');
            caret_indent.push(' ');
        }
        let mut shown = 0;
        let mut cut = false;
        for (i, c) in line.chars().enumerate().skip(start) {
            if i >= end {
                cut = true;
                break;
            }
            text.push(visible(c));
            if i < col {
                caret_indent.push(if c == '\t' { '\t' } else { ' ' });
            } else {
                shown += 1;
            }
        }
        if cut {
            text.push('…');
        }
        Window {
            text,
            caret_indent,
            after_column: shown,
        }
    }
}

/// A character as printed in a source line: control characters other than a tab would move
/// the cursor or vanish, so they are shown as symbols.
fn visible(c: char) -> char {
    match c {
        '\t' => c,
        '\0' => '\u{2400}',
        c if c.is_control() => '\u{FFFD}',
        c => c,
    }
}

/// The most characters of a file's text (a template, a JSONPath) quoted in a message.
const MAX_QUOTED: usize = 100;

/// The most characters of a message or hint printed: a message that quotes a whole hostile
/// line (an unknown field name 100,000 characters long) is cut there.
const MAX_MESSAGE: usize = 1000;

/// Text as quoted in a message: past [`MAX_QUOTED`] characters it is cut, with `…`.
pub fn shorten(s: &str) -> std::borrow::Cow<'_, str> {
    cut(s, MAX_QUOTED)
}

/// `s` cut after `max` characters, with `…`.
fn cut(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => s.into(),
        Some((at, _)) => format!("{}…", &s[..at]).into(),
    }
}

/// The parser's wording where it speaks of its own interface, put in the terms of the file.
fn plain(message: &str) -> String {
    if message.starts_with("multiple YAML documents detected") {
        "the file holds more than one YAML document (a second `---`); an input file is one document"
            .to_string()
    } else if message.starts_with("recursion limit exceeded") {
        // The parser's own guard, met before the depth limit in flow collections.
        super::yaml::too_deep()
    } else if message.starts_with("cannot deserialize scalar tagged") {
        "a value has a tag (`!name`) that is not a plain string; remove the tag".to_string()
    } else {
        message.to_string()
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
    // The similarity takes time quadratic in the length; a name this long is no typo.
    if word.len() > MAX_QUOTED {
        return None;
    }
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
    /// As many as are printed found already: those added now are only counted, so the work of
    /// a hint (a search for a near name) can be skipped.
    pub fn is_full(&self) -> bool {
        self.0.len() >= MAX_SHOWN
    }
}

/// Diagnostics printed at most: past this many, the rest are counted, so a file with thousands
/// of mistakes still prints a page, not megabytes.
pub const MAX_SHOWN: usize = 40;

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.0.iter().take(MAX_SHOWN) {
            writeln!(f, "{d}")?;
        }
        let n = self.0.len();
        if n > MAX_SHOWN {
            let more = n - MAX_SHOWN;
            writeln!(
                f,
                "… and {more} more error{}\n",
                if more == 1 { "" } else { "s" }
            )?;
        }
        write!(
            f,
            "{n} error{} in the input files",
            if n == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for Diagnostics {}

/// Why an input file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// It cannot be opened or read.
    #[error("{0}")]
    Io(String),
    /// Its bytes are not UTF-8 text, or hold a NUL: located in the file.
    #[error("{0}")]
    Text(Box<Diagnostic>),
}

/// Reads an input file as text (see [`text::decode`]); an unreadable file, one in another
/// encoding and one that holds a NUL byte are errors, the last two located.
pub fn read_source(path: &Path) -> Result<Arc<SourceFile>, ReadError> {
    let bytes = std::fs::read(path)
        .map_err(|e| ReadError::Io(format!("{}: cannot read: {e}", path.display())))?;
    match text::decode(&bytes) {
        Ok(text) => Ok(Arc::new(SourceFile {
            path: path.to_path_buf(),
            text,
        })),
        Err(e) => {
            let file = Arc::new(SourceFile {
                path: path.to_path_buf(),
                text: e.shown,
            });
            Err(ReadError::Text(Box::new(
                Diagnostic::new(&file, e.loc, e.message).hint(e.hint),
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> Arc<SourceFile> {
        Arc::new(SourceFile {
            path: PathBuf::from("f.yaml"),
            text: text.to_string(),
        })
    }

    fn at(column: u32) -> Loc {
        Loc {
            line: 1,
            column,
            len: 3,
        }
    }

    #[test]
    fn a_long_line_is_shown_as_a_window_around_the_column() {
        let f = file(&format!("k: [{}]", "abc, ".repeat(10_000)));
        let shown = Diagnostic::new(&f, at(25_000), "bad").to_string();
        let lines: Vec<&str> = shown.lines().collect();
        assert!(
            lines[3].starts_with("1 | …") && lines[3].ends_with('…'),
            "{shown}"
        );
        assert_eq!(lines[3].chars().count(), "1 | ".len() + 2 * WINDOW + 2);
        let caret = lines[4].find('^').map(|i| lines[4][..i].chars().count());
        let column = lines[3]
            .char_indices()
            .nth(4 + 1 + WINDOW)
            .map(|(i, _)| lines[3][..i].chars().count());
        assert_eq!(caret, column, "{shown}");
        let short = Diagnostic::new(&file("k: abc"), at(4), "bad").to_string();
        assert!(short.contains("1 | k: abc\n  |    ^^^"), "{short}");
    }

    #[test]
    fn at_most_forty_are_printed_and_the_rest_counted() {
        let f = file("k: v");
        let all = Diagnostics(
            (0..100)
                .map(|i| Diagnostic::new(&f, at(1), format!("e{i}")))
                .collect(),
        );
        let printed = all.to_string();
        assert_eq!(printed.matches("error: ").count(), MAX_SHOWN);
        assert!(
            printed.ends_with("… and 60 more errors\n\n100 errors in the input files"),
            "{printed}"
        );
        assert!(all.is_full());
    }
}
