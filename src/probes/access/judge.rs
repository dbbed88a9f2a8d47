//! One cell of the matrix: an operation run as one caller, its answer told apart by the
//! profile's outcomes, and the content it carried found through the encodings vendors use.

use serde_json::{Map, Value};

use super::matrix::{Cell, CellVerdict, Expected};
use super::{Caller, Op, UNAVAILABLE};
use crate::http::seen;
use crate::model::outcome::Outcome;
use crate::outcome::{Exchange, Finding};
use crate::probes::ProbeEnv;

/// A cell, the one-line summary of the exchange it rests on, and the exchanges it made.
pub(super) struct Tried {
    pub cell: Cell,
    pub exchange: Option<String>,
    pub exchanges: Vec<Exchange>,
}

/// Runs `op` as `caller` and judges the answer against `expected`.
pub(super) async fn attempt(
    env: &ProbeEnv<'_>,
    op: &Op,
    inputs: &Map<String, Value>,
    caller: &Caller,
    expected: Expected,
) -> Tried {
    let sample = env.calls.call(&op.name, inputs, &caller.session).await;
    let exchange = sample.exchanges.last().map(|e| e.summary());
    let mut cell = Cell {
        row: caller.row,
        actor: caller.actor.clone(),
        operation: op.name.clone(),
        expected,
        outcome: "none",
        status: None,
        leaked: Vec::new(),
        verdict: CellVerdict::Error,
        note: None,
    };
    let Some(last) = sample.responses.last() else {
        cell.note = Some(
            sample
                .error
                .map_or_else(|| "no answer".to_string(), |e| e.message),
        );
        return Tried {
            cell,
            exchange,
            exchanges: sample.exchanges,
        };
    };
    cell.status = Some(last.status);
    cell.outcome = if env.shows(&op.name, Outcome::Denied, last) {
        "denied"
    } else if env.succeeded(&op.name, last) {
        "ok"
    } else {
        "other"
    };
    for resp in &sample.responses {
        let layers = seen::Layers::of(&resp.body);
        let mut found = |what: String, hit: seen::Hit| {
            let leak = match hit.encoding {
                seen::Encoding::AsIs => what,
                other => format!("{what} ({})", other.label()),
            };
            if !cell.leaked.contains(&leak) {
                cell.leaked.push(leak);
            }
        };
        for (what, text) in &op.content {
            if let Some(hit) = layers.hit(text) {
                found(what.clone(), hit);
            }
        }
        for phi in &op.owner_phi {
            if let Some(hit) = phi.found_in(&layers) {
                found(format!("the owner's {}", phi.what.label()), hit);
            }
        }
        if let Some(want) = &op.sha256
            && hex::encode(aws_lc_rs::digest::digest(
                &aws_lc_rs::digest::SHA256,
                &resp.body,
            )) == *want
            && !cell.leaked.iter().any(|l| l == "the attachment's bytes")
        {
            cell.leaked.push("the attachment's bytes".into());
        }
    }
    // A leak not seen in the part of a body kept may be in the part left out.
    let undecided = sample
        .responses
        .iter()
        .find_map(|r| r.undecided("whether it holds the content"));
    cell.verdict = if UNAVAILABLE.contains(&last.status) {
        cell.note = Some("the target was unavailable".into());
        CellVerdict::Error
    } else if let Some(why) = undecided.filter(|_| {
        cell.leaked.is_empty() && matches!(expected, Expected::Denied | Expected::NoContent)
    }) {
        cell.note = Some(why);
        CellVerdict::Error
    } else {
        let passed = match expected {
            Expected::Ok => cell.outcome == "ok",
            Expected::Denied => cell.outcome == "denied" && cell.leaked.is_empty(),
            Expected::NoContent => cell.leaked.is_empty(),
            Expected::Reported => true,
        };
        match (expected, passed) {
            (Expected::Reported, _) => CellVerdict::Reported,
            (_, true) => CellVerdict::Pass,
            (_, false) => CellVerdict::Fail,
        }
    };
    Tried {
        cell,
        exchange,
        exchanges: sample.exchanges,
    }
}

/// What a failed cell should have shown and what it showed.
pub(super) fn finding(cell: &Cell, exchange: Option<String>) -> Finding {
    let who = format!("{} ({})", cell.row.label(), cell.actor);
    let expected = match cell.expected {
        Expected::Ok => format!(
            "`{}` to succeed for {who}, who may use it (the control of the matrix)",
            cell.operation
        ),
        Expected::Denied => format!("`{}` refused to {who}, with no content", cell.operation),
        Expected::NoContent | Expected::Reported => {
            format!("`{}` to show {who} none of the content", cell.operation)
        }
    };
    let status = cell
        .status
        .map_or_else(String::new, |s| format!(" {s} {}", crate::http::reason(s)));
    let mut seen = format!("{}{status}", cell.outcome);
    if !cell.leaked.is_empty() {
        seen.push_str(&format!(", with {}", cell.leaked.join(", ")));
    }
    if let Some(n) = &cell.note {
        seen.push_str(&format!("; {n}"));
    }
    Finding {
        exchange,
        ..Finding::new(expected, seen)
    }
}
