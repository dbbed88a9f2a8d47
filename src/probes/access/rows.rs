//! The rows of the matrix, run all at once: each gets its session ready — none, forged, a fresh
//! sign-in, a fresh one logged out, a fresh one left to idle out — then tries its operations in
//! order. Rows only read the probe's environment, so they can overlap; their evidence is kept
//! with them and recorded in row order afterwards.

use std::sync::Arc;
use std::time::Duration;

use super::judge::{Tried, attempt};
use super::matrix::{Expected, Row};
use super::{Caller, Op, marked, neighbours, reads, text_of};
use crate::http::Session;
use crate::outcome::{CheckError, ErrorKind, Exchange};
use crate::probes::ProbeEnv;

/// How a row's session is made before its operations run.
pub(super) enum Setup {
    /// Already at hand: none at all, or forged credentials.
    Ready(Arc<Session>),
    /// A fresh sign-in of the row's actor.
    Login,
    /// A fresh sign-in whose credentials are then forged.
    LoginForged,
    /// A fresh sign-in, then the `logout` operation.
    LoginLogout,
    /// A fresh sign-in, then this long unused.
    LoginIdle(Duration),
}

/// One row to run.
pub(super) struct RowPlan {
    pub row: Row,
    /// The actor whose credentials the row uses.
    pub actor: String,
    pub setup: Setup,
}

/// What one row produced.
pub(super) struct RowOutcome {
    pub tried: Vec<Tried>,
    /// The exchanges of its sign-in and logout.
    pub setup: Vec<Exchange>,
    /// Why its session could not be made, when it could not.
    pub error: Option<CheckError>,
}

/// Ends `session` through the profile's `logout`, which must succeed.
async fn logout(
    env: &ProbeEnv<'_>,
    session: &Session,
    exchanges: &mut Vec<Exchange>,
) -> Result<(), CheckError> {
    let sample = env.calls.call("logout", &env.vars_map(), session).await;
    exchanges.extend(sample.exchanges);
    match sample.responses.last() {
        Some(resp) if env.succeeded("logout", resp) => Ok(()),
        Some(resp) => Err(CheckError::new(
            ErrorKind::Unavailable,
            format!(
                "logout did not succeed ({} {}), so no revoked session could be tried",
                resp.status,
                crate::http::reason(resp.status)
            ),
        )),
        None => Err(sample.error.unwrap_or_else(|| {
            CheckError::new(ErrorKind::Unavailable, "logout got no answer".to_string())
        })),
    }
}

/// Readies the row's session, then tries its operations.
pub(super) async fn run(env: &ProbeEnv<'_>, ops: &[Op], plan: &RowPlan) -> RowOutcome {
    let mut setup = Vec::new();
    let session = match &plan.setup {
        Setup::Ready(s) => Ok(s.clone()),
        Setup::Login => env.login(&plan.actor, &mut setup).await.map(Arc::new),
        Setup::LoginForged => env
            .login(&plan.actor, &mut setup)
            .await
            .map(|s| Arc::new(s.malformed())),
        Setup::LoginLogout => match env.login(&plan.actor, &mut setup).await {
            Ok(s) => logout(env, &s, &mut setup).await.map(|()| Arc::new(s)),
            Err(e) => Err(e),
        },
        Setup::LoginIdle(wait) => {
            let s = env.login(&plan.actor, &mut setup).await;
            tokio::time::sleep(*wait).await;
            s.map(Arc::new)
        }
    };
    let session = match session {
        Ok(s) => s,
        Err(e) => {
            return RowOutcome {
                tried: Vec::new(),
                setup,
                error: Some(e.context(format!("the {} row", plan.row.label()))),
            };
        }
    };
    let caller = Caller {
        row: plan.row,
        actor: plan.actor.clone(),
        session,
    };
    let mut tried = Vec::new();
    match plan.row {
        Row::Owner | Row::Clinician => {
            for op in ops.iter().filter(|o| o.allowed.contains(&plan.row)) {
                let inputs = marked(op, &caller);
                tried.push(attempt(env, op, &inputs, &caller, Expected::Ok).await);
            }
        }
        Row::Neighbour => {
            for op in ops.iter().filter(|o| !o.own_list && reads(&o.name)) {
                for (key, id) in neighbours::of(&op.inputs, &op.given) {
                    let mut inputs = op.inputs.clone();
                    inputs.insert(key.clone(), id.clone());
                    let mut t = attempt(env, op, &inputs, &caller, Expected::Reported).await;
                    t.cell.note = Some(format!("{key} {}", text_of(&id)));
                    tried.push(t);
                }
            }
        }
        _ => {
            for op in ops {
                // Another patient may list their own records, only not the owner's content.
                let expected = if op.own_list && plan.row == Row::OtherPatient {
                    Expected::NoContent
                } else {
                    Expected::Denied
                };
                let inputs = marked(op, &caller);
                tried.push(attempt(env, op, &inputs, &caller, expected).await);
            }
        }
    }
    RowOutcome {
        tried,
        setup,
        error: None,
    }
}
