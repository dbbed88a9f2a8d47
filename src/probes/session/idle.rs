//! `idle_timeout` (SEC-06): of two sessions logged in for the probe alone, one left unused for
//! the declared idle timeout and a margin is refused, without content, while the other, used
//! every third of the timeout meanwhile, still works at the end — so a target that ends every
//! session after some time, used or not, does not pass; and, as for logout, an operation that
//! answers without any session gives no verdict. The wait runs on the runtime's timer
//! beside the rest of the run; a timeout whose wait exceeds `--max-wait` (or none declared)
//! leaves the check to a reviewer.

use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::time::{Instant, sleep_until};

use super::usage::{Answer, Usage, UseParams, fresh_session, session_mattered, use_once};
use crate::http::Session;
use crate::outcome::{CheckError, ErrorKind, Finding};
use crate::probes::{Probe, ProbeEnv, ProbeResult};

/// `idle_timeout`: an idle session ends, a used one does not.
pub struct IdleTimeout;

impl Probe for IdleTimeout {
    const NAME: &'static str = "idle_timeout";
    const ABOUT: &'static str = "a session of its own left idle past the declared timeout is refused, one kept in use still works";
    const PARAMS: &'static [&'static str] = &["operation", "inputs", "content"];
    const WAITS: bool = true;
    type Params = UseParams;
    fn run<'a, 'b>(p: &'a UseParams, env: &'a mut ProbeEnv<'b>) -> BoxFuture<'a, ProbeResult> {
        Box::pin(idle_timeout(p, env))
    }
}

/// How long past the declared timeout the idle session waits: a tenth of it, between 1 and 60
/// seconds, for the target's clock granularity and the requests' own time.
pub fn margin(timeout: Duration) -> Duration {
    (timeout / 10).clamp(Duration::from_secs(1), Duration::from_secs(60))
}

/// How often the kept session is used: every third of the timeout, so no gap comes near it.
fn keep_alive_every(timeout: Duration) -> Duration {
    (timeout / 3).max(Duration::from_millis(100))
}

async fn idle_timeout(p: &UseParams, env: &mut ProbeEnv<'_>) -> ProbeResult {
    let Some((actor, _)) = env.actor.clone() else {
        return Err(CheckError::new(
            ErrorKind::Input,
            "`idle_timeout` needs an actor: add `as:` to the step",
        ));
    };
    let Some(declared) = env.target.declared.idle_timeout_s else {
        return env.undecided(
            "the profile declares no idle timeout (`declared.idle_timeout_s`), so there is none to wait for",
        );
    };
    let timeout = Duration::from_secs(declared);
    let wait = timeout + margin(timeout);
    if wait > env.max_wait {
        return env.undecided(format!(
            "the declared idle timeout of {declared} s needs a wait of {} s, more than --max-wait allows ({} s); run with --max-wait {} in a test environment, or have a reviewer attest it",
            wait.as_secs(),
            env.max_wait.as_secs(),
            wait.as_secs()
        ));
    }
    let usage = Usage::render(p, env)?;
    // Each session is used right after its login, so that a slow login of the second does not
    // idle the first out before the wait has begun.
    let idle = working_session(env, &usage, &actor, "idle").await?;
    let kept = working_session(env, &usage, &actor, "kept").await?;
    let start = Instant::now();
    let deadline = start + wait;
    let every = keep_alive_every(timeout);
    let mut next = start + every;
    let mut uses = 0;
    while next < deadline {
        sleep_until(next).await;
        let used = use_once(env, &usage, &kept).await?;
        uses += 1;
        if !matches!(used.answer, Answer::Worked) {
            return Ok(vec![kept_refused(&used, start.elapsed(), every, declared)]);
        }
        next += every;
    }
    sleep_until(deadline).await;
    // The kept session first: the idle one only idles the longer for it.
    let kept_end = use_once(env, &usage, &kept).await?;
    let after_idle = use_once(env, &usage, &idle).await?;
    session_mattered(env, &usage, &after_idle, "idling").await?;
    let mut findings: Vec<Finding> = after_idle
        .finding(&format!(
            "the session left idle for {} s, past the declared {declared} s, to be refused",
            wait.as_secs()
        ))
        .into_iter()
        .collect();
    if !matches!(kept_end.answer, Answer::Worked) {
        findings.push(kept_refused(&kept_end, start.elapsed(), every, declared));
    }
    // The planned wait, not the measured one: the notes of the same run read the same.
    env.notes.push(format!(
        "the idle session was left unused for {} s (declared {declared} s + {} s margin): {}; the kept session, used {uses} times every {:.1} s meanwhile, then {}",
        wait.as_secs(),
        margin(timeout).as_secs(),
        after_idle.line(),
        every.as_secs_f64(),
        kept_end.line()
    ));
    Ok(findings)
}

/// A fresh session of `actor` that works for `usage`: a refusal later proves nothing otherwise.
async fn working_session(
    env: &mut ProbeEnv<'_>,
    usage: &Usage,
    actor: &str,
    which: &str,
) -> Result<Session, CheckError> {
    let session = fresh_session(env, actor).await?;
    let used = use_once(env, usage, &session).await?;
    if !matches!(used.answer, Answer::Worked) {
        return Err(CheckError::new(
            ErrorKind::Login,
            format!(
                "a fresh session of {actor} (the {which} one) did not work at the start ({}), so a refusal later would prove nothing",
                used.line()
            ),
        ));
    }
    Ok(session)
}

/// The finding for a session kept in use that was refused all the same.
fn kept_refused(
    used: &super::usage::Used,
    after: Duration,
    every: Duration,
    declared: u64,
) -> Finding {
    let mut f = Finding::new(
        format!(
            "a session used every {:.1} s, within the declared {declared} s idle timeout, to keep working",
            every.as_secs_f64()
        ),
        format!(
            "it was refused after {:.1} s: the target ends sessions whether they are used or not, so the idle timeout cannot be told from that",
            after.as_secs_f64()
        ),
    );
    f.exchange.clone_from(&used.exchange);
    f
}
