//! A finding: one unmet expectation, the exchange it rests on, and the suite step that made it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where a step was written: `suites/security.yaml:24:7`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SourceLocation {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

impl FromStr for SourceLocation {
    type Err = String;
    /// Reads `file:line:col` back; the file may itself contain colons.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not file:line:column");
        let (rest, column) = s.rsplit_once(':').ok_or_else(bad)?;
        let (file, line) = rest.rsplit_once(':').ok_or_else(bad)?;
        Ok(SourceLocation {
            file: file.to_string(),
            line: line.parse().map_err(|_| bad())?,
            column: column.parse().map_err(|_| bad())?,
        })
    }
}

impl Serialize for SourceLocation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SourceLocation {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// What a check expected and what it saw instead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub expected: String,
    pub seen: String,
    /// The exchange the verdict rests on, in one line (`GET … as patient_b → 200 OK`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange: Option<String>,
    /// The suite step that produced the finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<SourceLocation>,
}

impl Finding {
    /// A finding not yet tied to an exchange or a step.
    pub fn new(expected: impl Into<String>, seen: impl Into<String>) -> Finding {
        Finding {
            expected: expected.into(),
            seen: seen.into(),
            exchange: None,
            at: None,
        }
    }
}

impl fmt::Display for Finding {
    /// `expected …, saw …`, the form used in one-line messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {}, saw {}", self.expected, self.seen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_reads_back_what_it_wrote() {
        let at = SourceLocation {
            file: "C:/suites/x.yaml".into(),
            line: 12,
            column: 7,
        };
        assert_eq!(at.to_string().parse::<SourceLocation>(), Ok(at));
        assert!("x.yaml:12".parse::<SourceLocation>().is_err());
        assert!("x.yaml:a:7".parse::<SourceLocation>().is_err());
    }
}
