//! The access matrix: who tried which operation, what was expected, what came back and
//! whether content leaked. It is the probe's evidence (results.json `checks[].access`) and is
//! drawn as a table in the check's details.

use serde::{Deserialize, Serialize};

/// Who a row of the matrix acts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Row {
    /// The patient whose conversation it is.
    Owner,
    /// The clinician in the conversation.
    Clinician,
    /// No credentials at all.
    Anonymous,
    /// The owner's credentials, made unreadable.
    Malformed,
    /// Another patient, with valid credentials of their own.
    OtherPatient,
    /// A fresh session of the owner, after logging out.
    Revoked,
    /// A fresh session of the owner, after idling past the declared timeout.
    Expired,
    /// The other patient, with an id next to one of the owner's (reported, not judged).
    Neighbour,
}

impl Row {
    /// Rows that must be refused; the others must succeed (or are only reported).
    pub fn intruder(self) -> bool {
        matches!(
            self,
            Row::Anonymous | Row::Malformed | Row::OtherPatient | Row::Revoked | Row::Expired
        )
    }

    /// The row's label in the table.
    pub fn label(self) -> &'static str {
        match self {
            Row::Owner => "owner",
            Row::Clinician => "clinician",
            Row::Anonymous => "anonymous",
            Row::Malformed => "malformed credentials",
            Row::OtherPatient => "other patient",
            Row::Revoked => "revoked (after logout)",
            Row::Expired => "expired (after idling)",
            Row::Neighbour => "neighbouring id",
        }
    }
}

/// What a cell had to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expected {
    /// The profile's `ok`.
    Ok,
    /// The profile's `denied`, and none of the content.
    Denied,
    /// Anything but the content: a list of the caller's own records may answer `ok`.
    NoContent,
    /// Nothing: the cell is reported.
    Reported,
}

/// How a cell came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CellVerdict {
    Pass,
    Fail,
    /// No verdict: no answer, or a gateway error.
    Error,
    Reported,
}

/// One actor × operation attempt.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub row: Row,
    /// The profile actor whose credentials were used (`anonymous` for none).
    pub actor: String,
    pub operation: String,
    pub expected: Expected,
    /// `ok`, `denied` or `other`, by the profile's outcomes.
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The content found in the answer, and how it was written (`the message text (JSON-escaped)`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub leaked: Vec<String>,
    pub verdict: CellVerdict,
    /// Why the cell has no verdict, or what a reported cell tried.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Cell {
    /// `401`, `200 + content`, `error`: what the table shows.
    fn shown(&self) -> String {
        let status = self.status.map_or("-".to_string(), |s| s.to_string());
        let mark = match self.verdict {
            CellVerdict::Pass => "",
            CellVerdict::Fail => " FAIL",
            CellVerdict::Error => " ERROR",
            CellVerdict::Reported => " (reported)",
        };
        // Content is what the owner and the clinician came for: marked only where it leaked.
        let leak = if self.leaked.is_empty() || self.expected == Expected::Ok {
            ""
        } else {
            " +content"
        };
        format!("{} {status}{leak}{mark}", self.outcome)
    }
}

/// The table of `cells`, rows in order of first appearance, one column per operation.
pub fn table(cells: &[Cell]) -> Vec<String> {
    let mut ops: Vec<&str> = Vec::new();
    let mut rows: Vec<(Row, &str)> = Vec::new();
    for c in cells {
        if !ops.contains(&c.operation.as_str()) {
            ops.push(&c.operation);
        }
        if !rows.iter().any(|(r, a)| *r == c.row && *a == c.actor) {
            rows.push((c.row, &c.actor));
        }
    }
    let heads: Vec<String> = rows
        .iter()
        .map(|(r, a)| format!("{} ({a})", r.label()))
        .collect();
    let first = heads.iter().map(String::len).max().unwrap_or(0).max(6);
    let cell_at = |row: Row, actor: &str, op: &str| {
        cells
            .iter()
            .filter(|c| c.row == row && c.actor == actor && c.operation == op)
            .map(Cell::shown)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let widths: Vec<usize> = ops
        .iter()
        .map(|op| {
            rows.iter()
                .map(|(r, a)| cell_at(*r, a, op).chars().count())
                .chain([op.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = vec![format!(
        "access matrix: {:first$}  {}",
        "as",
        ops.iter()
            .zip(&widths)
            .map(|(o, w)| format!("{o:w$}"))
            .collect::<Vec<_>>()
            .join("  ")
    )];
    for ((row, actor), head) in rows.iter().zip(&heads) {
        let line = ops
            .iter()
            .zip(&widths)
            .map(|(op, w)| {
                let c = cell_at(*row, actor, op);
                let c = if c.is_empty() { "·".to_string() } else { c };
                format!("{c:w$}")
            })
            .collect::<Vec<_>>()
            .join("  ");
        out.push(format!("access matrix: {head:first$}  {}", line.trim_end()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(row: Row, op: &str, status: u16, verdict: CellVerdict) -> Cell {
        Cell {
            row,
            actor: if row == Row::Anonymous {
                "anonymous".into()
            } else {
                "patient_a".into()
            },
            operation: op.into(),
            expected: if row.intruder() {
                Expected::Denied
            } else {
                Expected::Ok
            },
            outcome: if status < 300 { "ok" } else { "denied" },
            status: Some(status),
            leaked: if verdict == CellVerdict::Fail || row == Row::Owner {
                vec!["the message text".into()]
            } else {
                Vec::new()
            },
            verdict,
            note: None,
        }
    }

    #[test]
    fn the_table_has_a_row_per_actor_and_a_column_per_operation() {
        let cells = [
            cell(Row::Owner, "get_message", 200, CellVerdict::Pass),
            cell(Row::Owner, "list_messages", 200, CellVerdict::Pass),
            cell(Row::Anonymous, "get_message", 401, CellVerdict::Pass),
            cell(Row::Anonymous, "list_messages", 200, CellVerdict::Fail),
        ];
        let t = table(&cells);
        assert_eq!(t.len(), 3, "{t:#?}");
        assert!(t[0].contains("get_message") && t[0].contains("list_messages"));
        assert!(t[1].contains("owner (patient_a)") && t[1].contains("ok 200"));
        assert!(!t[1].contains("+content"), "the owner's content is no leak");
        assert!(t[2].contains("denied 401"), "{}", t[2]);
        assert!(t[2].contains("ok 200 +content FAIL"), "{}", t[2]);
    }
}
