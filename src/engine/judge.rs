//! Telling an operation's answers apart by the profile's `ok` rather than by HTTP status alone,
//! for the operation runner and the pages of a list.

use super::RunCtx;
use crate::assert::{self, outcome::ExpectedOutcome};
use crate::http::Incoming;
use crate::model::outcome::{Outcome, OutcomeRule};

/// Tells an operation's answers apart by the profile's `ok`: a vendor that answers every request
/// with HTTP 200 says by its body which ones did what was asked.
pub(super) struct Judge {
    ok: Vec<OutcomeRule>,
    /// The profile says what `ok` looks like for this operation, rather than the REST default.
    written: bool,
    login_path: Option<String>,
}

impl Judge {
    pub(super) fn of(rc: &RunCtx, op_name: &str) -> Judge {
        let ok = rc.target.outcome_rules(op_name, Outcome::Ok);
        Judge {
            written: rc.target.outcome_rules_written(op_name, Outcome::Ok),
            ok,
            login_path: rc.target.pages.get("login").map(|p| p.path.clone()),
        }
    }

    /// The answer shows `ok`.
    pub(super) fn ok(&self, resp: &Incoming) -> bool {
        let expected = ExpectedOutcome {
            outcome: Outcome::Ok,
            rules: &self.ok,
            login_path: self.login_path.as_deref(),
        };
        assert::outcome::shows(&expected, resp)
    }

    /// The answer refuses the request: it ends a sequence, and what it lacks is not an error.
    /// By the REST default a redirect is not a refusal, only a 4xx or 5xx is.
    pub(super) fn refused(&self, resp: &Incoming) -> bool {
        if self.written {
            !self.ok(resp)
        } else {
            resp.status >= 400
        }
    }
}
