//! The types of contract outputs, and the check that a value read from a vendor's response has
//! its output's type: a profile that maps the wrong thing is told so, instead of a suite
//! comparing, say, the text `"yes"` with `true` and calling the target non-conforming.

use std::fmt;

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The type of a contract output (or of a field of its records).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputType {
    /// Text.
    Text,
    /// An identifier: text or an integer, kept as the vendor wrote it (so that it goes back to
    /// the vendor, in a path or a JSON body, in the vendor's own form).
    Id,
    /// `true` or `false`.
    Boolean,
    /// A JSON number.
    Number,
    /// Text in RFC 3339 date-time form, e.g. `2026-03-01T09:30:00Z`.
    Timestamp,
    /// A list of records, each with these fields.
    Records(&'static [Field]),
}

/// A named output or record field and its type.
#[derive(Debug, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub ty: OutputType,
}

/// A value that is not of its output's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// Where in the value, e.g. `[2].read` (empty for the value itself).
    pub at: String,
    pub expected: OutputType,
    /// What was there instead, described.
    pub found: String,
}

impl fmt::Display for OutputType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputType::Text => f.write_str("text"),
            OutputType::Id => f.write_str("an id (text or an integer)"),
            OutputType::Boolean => f.write_str("a boolean (true or false)"),
            OutputType::Number => f.write_str("a number"),
            OutputType::Timestamp => {
                f.write_str("a timestamp (RFC 3339, e.g. 2026-03-01T09:30:00Z)")
            }
            OutputType::Records(fields) => {
                let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
                write!(f, "a list of records ({})", names.join(", "))
            }
        }
    }
}

/// A value as a message names it: its kind, and short scalars themselves.
pub fn describe(v: &Value) -> String {
    const MAX: usize = 40;
    match v {
        Value::Null => "nothing (null)".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.chars().count() > MAX => {
            format!("the text {:?}…", s.chars().take(MAX).collect::<String>())
        }
        Value::String(s) => format!("the text {s:?}"),
        Value::Array(items) => format!("a list of {}", items.len()),
        Value::Object(_) => "a record".into(),
    }
}

impl OutputType {
    /// Checks `v` against this type; the first value that does not fit is reported.
    pub fn check(self, v: &Value) -> Result<(), Mismatch> {
        let fits = match (self, v) {
            (OutputType::Text, Value::String(_)) => true,
            (OutputType::Id, Value::String(_)) => true,
            (OutputType::Id, Value::Number(n)) => n.is_i64() || n.is_u64(),
            (OutputType::Boolean, Value::Bool(_)) => true,
            (OutputType::Number, Value::Number(_)) => true,
            (OutputType::Timestamp, Value::String(s)) => OffsetDateTime::parse(s, &Rfc3339).is_ok(),
            (OutputType::Records(fields), Value::Array(items)) => {
                return items
                    .iter()
                    .enumerate()
                    .try_for_each(|(i, item)| record(fields, item, i));
            }
            _ => false,
        };
        if fits {
            Ok(())
        } else {
            Err(Mismatch {
                at: String::new(),
                expected: self,
                found: describe(v),
            })
        }
    }
}

/// Checks item `i` of a list of records: a record, and each field of its type.
fn record(fields: &'static [Field], item: &Value, i: usize) -> Result<(), Mismatch> {
    let Value::Object(map) = item else {
        return Err(Mismatch {
            at: format!("[{i}]"),
            expected: OutputType::Records(fields),
            found: format!("{} as an item", describe(item)),
        });
    };
    for field in fields {
        let v = map.get(field.name).unwrap_or(&Value::Null);
        field.ty.check(v).map_err(|m| Mismatch {
            at: format!("[{i}].{}{}", field.name, m.at),
            ..m
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const MESSAGE: &[Field] = &[
        Field {
            name: "message_id",
            ty: OutputType::Id,
        },
        Field {
            name: "read",
            ty: OutputType::Boolean,
        },
        Field {
            name: "created_at",
            ty: OutputType::Timestamp,
        },
    ];

    #[test]
    fn scalars_fit_their_type_and_nothing_else() {
        assert!(OutputType::Text.check(&json!("hi")).is_ok());
        assert!(OutputType::Id.check(&json!("m-1")).is_ok());
        assert!(OutputType::Id.check(&json!(42)).is_ok());
        assert!(OutputType::Boolean.check(&json!(false)).is_ok());
        assert!(OutputType::Number.check(&json!(1.5)).is_ok());
        assert!(
            OutputType::Timestamp
                .check(&json!("2026-03-01T09:30:00Z"))
                .is_ok()
        );
        assert!(
            OutputType::Timestamp
                .check(&json!("2026-03-01T09:30:00.123+05:00"))
                .is_ok()
        );
        let read = OutputType::Boolean.check(&json!("yes")).unwrap_err();
        assert_eq!(read.found, "the text \"yes\"");
        assert_eq!(read.expected.to_string(), "a boolean (true or false)");
        assert!(
            OutputType::Boolean.check(&json!("true")).is_err(),
            "text is not a boolean"
        );
        assert!(OutputType::Id.check(&json!(1.5)).is_err());
        assert!(OutputType::Id.check(&json!(null)).is_err());
        assert!(OutputType::Text.check(&json!(3)).is_err());
        assert!(OutputType::Number.check(&json!("3")).is_err());
        let epoch = OutputType::Timestamp
            .check(&json!(1_700_000_000))
            .unwrap_err();
        assert_eq!(epoch.found, "the number 1700000000");
        assert!(OutputType::Timestamp.check(&json!("2026-03-01")).is_err());
        assert!(OutputType::Timestamp.check(&json!("yesterday")).is_err());
    }

    #[test]
    fn records_are_checked_field_by_field_and_the_first_misfit_is_located() {
        let list = OutputType::Records(MESSAGE);
        let good = json!([
            {"message_id": "m-1", "read": true, "created_at": "2026-03-01T09:30:00Z"},
            {"message_id": 7, "read": false, "created_at": "2026-03-01T09:31:00Z"},
        ]);
        assert!(list.check(&good).is_ok());
        assert!(list.check(&json!([])).is_ok());
        let bad = json!([
            {"message_id": "m-1", "read": true, "created_at": "2026-03-01T09:30:00Z"},
            {"message_id": "m-2", "read": [{"user": "u-1"}], "created_at": "2026-03-01T09:31:00Z"},
        ]);
        let m = list.check(&bad).unwrap_err();
        assert_eq!(m.at, "[1].read");
        assert_eq!(m.expected, OutputType::Boolean);
        assert_eq!(m.found, "a list of 1");
        let missing = list
            .check(&json!([{"message_id": "m-1", "read": true}]))
            .unwrap_err();
        assert_eq!(
            (missing.at.as_str(), missing.found.as_str()),
            ("[0].created_at", "nothing (null)")
        );
        let not_a_record = list.check(&json!(["m-1"])).unwrap_err();
        assert_eq!(not_a_record.at, "[0]");
        let not_a_list = list.check(&json!({"message_id": "m-1"})).unwrap_err();
        assert_eq!(
            (not_a_list.at.as_str(), not_a_list.found.as_str()),
            ("", "a record")
        );
        assert_eq!(
            list.to_string(),
            "a list of records (message_id, read, created_at)"
        );
    }
}
