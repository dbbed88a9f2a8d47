//! `logout_revokes` (SEC-06): a session logged in for the probe alone works, is logged out
//! through the contract's `logout`, and is then refused, without content, when it is presented
//! again. A refusal is only evidence when the operation refuses a call without any session:
//! when it does not, the operation needs no session at all (SEC-04's failure), and the check is
//! no verdict. A vendor whose profile maps no `logout` leaves the check to a reviewer.

use futures_util::future::BoxFuture;
use serde_json::Map;

use super::usage::{Answer, Usage, UseParams, fresh_session, session_mattered, use_once};
use crate::outcome::{CheckError, ErrorKind, Exchange};
use crate::probes::{Probe, ProbeEnv, ProbeResult};

/// The contract operation that ends a session.
const LOGOUT: &str = "logout";

/// `logout_revokes`: a logged-out session is refused.
pub struct LogoutRevokes;

impl Probe for LogoutRevokes {
    const NAME: &'static str = "logout_revokes";
    const ABOUT: &'static str =
        "a session of its own, logged out through `logout`, is refused without content";
    const PARAMS: &'static [&'static str] = &["operation", "inputs", "content"];
    type Params = UseParams;
    fn run<'a, 'b>(p: &'a UseParams, env: &'a mut ProbeEnv<'b>) -> BoxFuture<'a, ProbeResult> {
        Box::pin(logout_revokes(p, env))
    }
}

async fn logout_revokes(p: &UseParams, env: &mut ProbeEnv<'_>) -> ProbeResult {
    let Some((actor, _)) = env.actor.clone() else {
        return Err(CheckError::new(
            ErrorKind::Input,
            "`logout_revokes` needs an actor: add `as:` to the step",
        ));
    };
    if !env.target.operations.contains_key(LOGOUT) {
        return env.undecided(
            "the profile maps no `logout` operation, so whether logging out ends the session server-side was not tried; map `logout`, or have a reviewer attest it",
        );
    }
    let usage = Usage::render(p, env)?;
    let session = fresh_session(env, &actor).await?;
    let before = use_once(env, &usage, &session).await?;
    if !matches!(before.answer, Answer::Worked) {
        return Err(CheckError::new(
            ErrorKind::Login,
            format!(
                "a fresh session of {actor} did not work before logout ({}), so a refusal after it would prove nothing",
                before.line()
            ),
        ));
    }
    let mut sample = env.calls.call(LOGOUT, &Map::new(), &session).await;
    env.evidence.exchanges.extend(sample.exchanges);
    let logout_line = env
        .evidence
        .exchanges
        .last()
        .map_or_else(String::new, Exchange::summary);
    let Some(resp) = sample.responses.pop() else {
        return Err(sample
            .error
            .unwrap_or_else(|| CheckError::new(ErrorKind::Transport, "no response"))
            .context(LOGOUT));
    };
    if !env.succeeded(LOGOUT, &resp) {
        return Err(CheckError::new(
            ErrorKind::Input,
            format!(
                "the logout was not carried out ({logout_line}), so the session's fate after it says nothing"
            ),
        ));
    }
    env.notes.push(format!(
        "a fresh session of {actor} worked ({}), then logged out ({logout_line})",
        before.line()
    ));
    let after = use_once(env, &usage, &session).await?;
    session_mattered(env, &usage, &after, "the logout").await?;
    match after.finding("the session, once logged out, to be refused") {
        Some(f) => Ok(vec![f]),
        None => {
            env.notes
                .push(format!("after logout it was refused ({})", after.line()));
            Ok(Vec::new())
        }
    }
}
