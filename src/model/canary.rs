//! Synthetic PHI an actor declares (`canaries: { name, dob, hcn }`), searched for where it must
//! never appear: a name, a date of birth and an Ontario health card number. Dates and health
//! numbers are read into their meaning at load time, so a check can look for every way a vendor
//! writes them, and a canary that could never match (`1961-13-02`, a mistyped number) is a load
//! error rather than a check that silently passes.

use serde::Deserialize;
use time::Date;
use time::macros::format_description;

use super::located::Located;
use super::yaml::Loc;

/// The canaries as written in a profile.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Canaries {
    /// The person's name as the vendor holds it (`Zoë Tremblay`).
    #[serde(default)]
    pub name: Option<Located<String>>,
    /// Date of birth, `YYYY-MM-DD`.
    #[serde(default)]
    pub dob: Option<Located<String>>,
    /// Ontario health card number: 10 digits, grouped or not, with or without the version code.
    #[serde(default)]
    pub hcn: Option<Located<String>>,
}

/// The canaries, read: what the checks search for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeclaredPhi {
    pub name: Option<String>,
    pub dob: Option<Date>,
    pub hcn: Option<HealthNumber>,
}

impl DeclaredPhi {
    /// Whether these are a synthetic patient's: a date of birth or a health number is health
    /// information about the person; a name alone (a clinician's) is not.
    pub fn is_patient(&self) -> bool {
        self.dob.is_some() || self.hcn.is_some()
    }

    /// The values as templates see them (`{{actors.patient_a.canaries.dob}}`), as written
    /// canonically: name, `YYYY-MM-DD`, the ten digits.
    pub fn as_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        if let Some(n) = &self.name {
            m.insert("name".into(), n.clone().into());
        }
        if let Some(d) = self.dob {
            m.insert("dob".into(), iso(d).into());
        }
        if let Some(h) = &self.hcn {
            m.insert("hcn".into(), h.digits().into());
        }
        serde_json::Value::Object(m)
    }
}

/// A canary that cannot be read, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CanaryError {
    pub loc: Loc,
    pub message: String,
    pub hint: &'static str,
}

impl Canaries {
    /// Reads the date of birth and health number; every problem is reported, each at its value.
    pub fn read(&self) -> Result<DeclaredPhi, Vec<CanaryError>> {
        let mut errors = Vec::new();
        let dob = self.dob.as_ref().and_then(|d| match parse_date(d) {
            Ok(date) => Some(date),
            Err(message) => {
                errors.push(CanaryError {
                    loc: d.loc,
                    message,
                    hint: "write the date of birth as YYYY-MM-DD, e.g. 1961-04-02",
                });
                None
            }
        });
        let hcn = self.hcn.as_ref().and_then(|h| match HealthNumber::parse(h) {
            Ok(n) => Some(n),
            Err(e) => {
                errors.push(CanaryError {
                    loc: h.loc,
                    message: format!("canary `hcn` `{}`: {e}", h.value),
                    hint: "an Ontario health number is 10 digits whose last is the Luhn check digit of the first nine, optionally followed by a 2-letter version code",
                });
                None
            }
        });
        let name = self.name.as_ref().and_then(|n| {
            let trimmed = n.trim();
            if trimmed.is_empty() {
                errors.push(CanaryError {
                    loc: n.loc,
                    message: "canary `name` is empty".into(),
                    hint: "give the synthetic person's name, or leave `name` out",
                });
                None
            } else {
                Some(trimmed.to_string())
            }
        });
        if errors.is_empty() {
            Ok(DeclaredPhi { name, dob, hcn })
        } else {
            Err(errors)
        }
    }
}

fn parse_date(d: &Located<String>) -> Result<Date, String> {
    Date::parse(d.value.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|e| format!("canary `dob` `{}` is not a date: {e}", d.value))
}

/// `YYYY-MM-DD`.
pub fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Why a text is not an Ontario health number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HealthNumberError {
    #[error("expected 10 digits, found {0}")]
    Length(usize),
    #[error("the version code must be 2 letters, found `{0}`")]
    Version(String),
    #[error(
        "the check digit does not match (the last digit must be the Luhn check digit of the first nine)"
    )]
    CheckDigit,
}

/// An Ontario health card number: ten digits, the last a check digit, and the 2-letter version
/// code of the card when one was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthNumber {
    digits: String,
    version: Option<String>,
}

impl HealthNumber {
    /// Reads `1234 567 890 AB`, `1234-567-890`, `1234567890AB` …: spaces and dashes are ignored,
    /// trailing letters are the version code.
    pub fn parse(text: &str) -> Result<HealthNumber, HealthNumberError> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let split = compact
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(compact.len());
        let (digits, version) = compact.split_at(split);
        if digits.len() != 10 {
            return Err(HealthNumberError::Length(digits.len()));
        }
        let version = match version {
            "" => None,
            v if v.len() == 2 && v.chars().all(|c| c.is_ascii_alphabetic()) => {
                Some(v.to_ascii_uppercase())
            }
            v => return Err(HealthNumberError::Version(v.to_string())),
        };
        if !check_digit_ok(digits) {
            return Err(HealthNumberError::CheckDigit);
        }
        Ok(HealthNumber {
            digits: digits.to_string(),
            version,
        })
    }

    /// The ten digits.
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// The card's version code, when one was given.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }
}

/// Whether ten ASCII digits pass the Ontario health number check.
///
/// The Ontario Ministry of Health's health card validation specification makes the tenth digit
/// a "MOD 10" check digit over the first nine: the Luhn formula (ISO/IEC 7812-1), in which,
/// from the right, every second digit is doubled (a two-digit result counts as the sum of its
/// digits) and the whole sum must be a multiple of ten. Checked against the reference
/// accounts' numbers, which the ministry's published examples follow (e.g. 9876543217).
pub fn check_digit_ok(digits: &str) -> bool {
    if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .map(|b| u32::from(b - b'0'))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                (d * 2) / 10 + (d * 2) % 10
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_numbers_are_read_in_every_grouping_and_checked() {
        for text in [
            "9876543217",
            "9876 543 217",
            "9876-543-217",
            "9876-543-217-AB",
            "9876543217ab",
        ] {
            let n = HealthNumber::parse(text).expect(text);
            assert_eq!(n.digits(), "9876543217", "{text}");
        }
        assert_eq!(
            HealthNumber::parse("9876543217AB")
                .ok()
                .and_then(|n| n.version().map(str::to_string)),
            Some("AB".to_string())
        );
        assert_eq!(
            HealthNumber::parse("9876543218"),
            Err(HealthNumberError::CheckDigit)
        );
        assert_eq!(
            HealthNumber::parse("987654321"),
            Err(HealthNumberError::Length(9))
        );
        assert_eq!(
            HealthNumber::parse("9876543217ABC"),
            Err(HealthNumberError::Version("ABC".into()))
        );
        // The reference accounts' numbers pass, and one digit changed anywhere fails.
        for good in ["9876543217", "4512638794", "6203917452"] {
            assert!(check_digit_ok(good), "{good}");
            for i in 0..10 {
                let mut b = good.as_bytes().to_vec();
                b[i] = b'0' + (b[i] - b'0' + 1) % 10;
                let changed = String::from_utf8(b).expect("digits");
                assert!(!check_digit_ok(&changed), "{changed}");
            }
        }
    }

    #[test]
    fn canaries_are_read_or_each_problem_is_reported_at_its_value() {
        let at = |line| Loc {
            line,
            column: 1,
            len: 1,
        };
        let c = Canaries {
            name: Some(Located::new(" Zoë Tremblay ".into())),
            dob: Some(Located {
                value: "1961-04-02".into(),
                loc: at(1),
            }),
            hcn: Some(Located {
                value: "9876-543-217".into(),
                loc: at(2),
            }),
        };
        let phi = c.read().expect("valid canaries");
        assert_eq!(phi.name.as_deref(), Some("Zoë Tremblay"));
        assert_eq!(phi.as_json()["dob"], "1961-04-02");
        assert_eq!(phi.as_json()["hcn"], "9876543217");
        let bad = Canaries {
            name: None,
            dob: Some(Located {
                value: "1961-13-02".into(),
                loc: at(3),
            }),
            hcn: Some(Located {
                value: "9876543210".into(),
                loc: at(4),
            }),
        };
        let errors = bad.read().expect_err("two problems");
        assert_eq!(
            errors.iter().map(|e| e.loc.line).collect::<Vec<_>>(),
            [3, 4]
        );
    }
}
