//! What a run tells its listeners while it goes, in the order it happens.

use std::sync::Arc;

use super::check::CheckResult;
use super::evidence::Exchange;
use super::report::RunReport;

/// One moment of a run.
#[derive(Debug, Clone)]
pub enum Event {
    /// Something in the inputs should be fixed but does not stop the run (a secrets file open
    /// to other users), rendered with its file:line:col; sent before the run starts.
    InputWarning(String),
    /// The plan is made: this many checks will report.
    RunStarted { total: usize },
    /// An actor's shared session was signed in (or could not be): the login's exchanges, and
    /// why it failed.
    SignedIn {
        actor: String,
        exchanges: Vec<Exchange>,
        error: Option<String>,
    },
    /// A check got its turn and started its steps.
    CheckStarted { id: String },
    /// A check ran to a verdict or an error.
    CheckFinished(Arc<CheckResult>),
    /// A check did not run; its result says why.
    CheckSkipped(Arc<CheckResult>),
    /// Every check reported and the requirements are rolled up.
    RunFinished(Arc<RunReport>),
}
