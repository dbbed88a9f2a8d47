//! `lockout` (SEC-07): repeated wrong passwords lock the account or slow its logins down. On the
//! profile's `declared.lockout_actor` only — an account no other check uses, since the probe
//! locks it — the probe signs in once with the right password (so a refusal at the end is the
//! lock, not a wrong password), then sends wrong ones, `lockout_after` + 1 of them and never
//! more than 10, stopping at the first answer that shows a lock: the profile's `locked`
//! outcome, a lockout message, or two answers running markedly slower than the first while the
//! entry page still answers at its usual pace (throttling, not a server slowed by load). Times
//! are compared with vvcheck's own stalls taken out ([`LagMonitor`]): a slow answer read late
//! by a starved client is no throttling. Then
//! the right password again: refused, the account is locked. The finding and the notes say at
//! which attempt the lock began and how the account is unlocked.

use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use regex::Regex;
use std::sync::LazyLock;

use crate::assert::outcome::{ExpectedOutcome, shows};
use crate::http::{Incoming, LoginError, Session, auth};
use crate::model::outcome::Outcome;
use crate::model::resolve::{ResolvedActor, SecretString};
use crate::outcome::{CheckError, ErrorKind, Exchange, Finding};
use crate::probes::cookies::NoParams;
use crate::probes::lag::LagMonitor;
use crate::probes::{Probe, ProbeEnv, ProbeResult};

/// Wrong passwords sent at most, whatever the declared threshold.
pub const MAX_ATTEMPTS: u32 = 10;

/// An answer at least this much slower than the first wrong one is throttling.
const THROTTLE_DELAY: Duration = Duration::from_secs(1);

/// Words a login refusal uses when it says the account is locked or the caller throttled.
static LOCKOUT_MESSAGE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(locked|lockout|too many (failed )?(attempts|tries|sign-?ins|log-?ins|requests)|temporarily (disabled|blocked|suspended)|try again (later|in))\b",
    )
    .ok()
});

/// `lockout`: wrong passwords lock the dedicated account.
pub struct Lockout;

impl Probe for Lockout {
    const NAME: &'static str = "lockout";
    const ABOUT: &'static str =
        "wrong passwords on `declared.lockout_actor` lock the account or throttle its logins";
    const PARAMS: &'static [&'static str] = &[];
    type Params = NoParams;
    fn run<'a, 'b>(_: &'a NoParams, env: &'a mut ProbeEnv<'b>) -> BoxFuture<'a, ProbeResult> {
        Box::pin(lockout(env))
    }
}

/// How many wrong passwords to send for a declared threshold.
pub fn attempts(lockout_after: Option<u32>) -> u32 {
    lockout_after.map_or(MAX_ATTEMPTS, |n| n.saturating_add(1).min(MAX_ATTEMPTS))
}

/// Whether an answer that took `took` is throttled, against the first wrong answer's `first`.
pub fn throttled(first: Duration, took: Duration) -> bool {
    took >= first + THROTTLE_DELAY && took >= first * 2
}

/// A made-up password no account has.
fn wrong_password() -> String {
    format!("vvcheck-wrong-{:016x}", rand::random::<u64>())
}

/// The last answer of a refused login, as a response the profile's outcomes can judge.
fn answer(e: &LoginError) -> Option<Incoming> {
    let last = e.exchanges.last()?;
    Some(Incoming {
        status: last.status?,
        headers: last.response_headers.clone(),
        body: bytes::Bytes::from(
            last.response_body
                .as_ref()
                .map(|b| b.text().into_owned())
                .unwrap_or_default(),
        ),
        cut: None,
        elapsed: last.elapsed,
        url: url::Url::parse(&last.url).ok()?,
        unfollowed: None,
    })
}

async fn lockout(env: &mut ProbeEnv<'_>) -> ProbeResult {
    let declared = &env.target.declared;
    let Some(name) = declared.lockout_actor.as_ref().map(|l| l.value.clone()) else {
        return env.undecided(
            "the profile names no `declared.lockout_actor`: the probe locks the account it tries, so it needs one of its own that no other check uses",
        );
    };
    let threshold = declared.lockout_after;
    let actor = env.target.actors.get(&name).cloned().ok_or_else(|| {
        CheckError::new(
            ErrorKind::Input,
            format!("`declared.lockout_actor` names `{name}`, who is not an actor of the profile"),
        )
    })?;
    if actor.password.is_none() || actor.username.is_none() {
        return env.undecided(format!(
            "`{name}` signs in without a username and password ({}), so wrong passwords cannot be tried",
            actor.scheme_name
        ));
    }
    let unlock = format!(
        "{name} stays locked for the vendor's lockout period: wait it out before the next run (the operation contract has no unlock operation to call)"
    );
    if let Err(e) = login(env, &actor).await {
        return Err(CheckError::new(
            ErrorKind::Login,
            format!(
                "{name} could not sign in with its right password before any wrong one ({}); if an earlier run locked it, wait out the vendor's lockout period",
                e.message
            ),
        ));
    }
    let tries = attempts(threshold);
    let mut wrong = actor.clone();
    let made_up = wrong_password();
    // Not a secret of anyone's, but a password all the same: masked like one in the evidence.
    env.http.redactor.add(&made_up);
    wrong.password = Some(SecretString::new(made_up));
    let mut first: Option<Duration> = None;
    let mut began: Option<(u32, String)> = None;
    let mut slow_since: Option<(u32, String)> = None;
    let lag = LagMonitor::start();
    for n in 1..=tries {
        let start = Instant::now();
        let result = login(env, &wrong).await;
        let took = start.elapsed();
        let stalled = lag.within(start, Instant::now());
        if first.is_some_and(|f| throttled(f, took) && !throttled(f, took.saturating_sub(stalled)))
        {
            env.notes.push(format!(
                "wrong attempt {n} took {:.1} s, {:.1} s of it while vvcheck itself was stalled (a loaded machine): not read as throttling",
                took.as_secs_f64(),
                stalled.as_secs_f64()
            ));
        }
        let took = took.saturating_sub(stalled);
        let e = match result {
            Ok(_) => {
                let mut f = Finding::new(
                    format!("a wrong password for {name} to be refused"),
                    format!("attempt {n} with a made-up password signed in"),
                );
                f.exchange = env.evidence.exchanges.last().map(Exchange::summary);
                return Ok(vec![f]);
            }
            Err(e) => e,
        };
        // An attempt the target did not answer says nothing of a lock; nor would a right
        // password refused after it, since a login not answered is not tried again.
        if let Some(why) = unanswered(&e) {
            return Err(CheckError::new(
                ErrorKind::Transport,
                format!(
                    "wrong attempt {n} for {name} got no answer ({why}): whether repeated wrong passwords lock the account cannot be told (a throttle that holds an answer past the timeout looks like this too)"
                ),
            ));
        }
        match lock_shown(env, &e, first, took) {
            Some(Shown::Lock(sign)) => {
                began = Some((n, sign));
                break;
            }
            // A slow answer is throttling only while the service answers a page at its usual
            // pace: a server slowed by load slows both.
            Some(Shown::Slow(_)) if slow_everywhere(env, took).await => {
                slow_since = None;
            }
            // One slow answer may be the network; throttling holds for the next one too.
            Some(Shown::Slow(sign)) => match slow_since.take() {
                Some((k, first_sign)) => {
                    began = Some((k, format!("{first_sign}, and again at attempt {n}: {sign}")));
                    break;
                }
                None => slow_since = Some((n, sign)),
            },
            None => slow_since = None,
        }
        first.get_or_insert(took);
    }
    let right = login(env, &actor).await;
    // Only an answered refusal is the lock: a timeout or a broken connection would pass a
    // vendor that never locks.
    if let Err(e) = &right
        && let Some(why) = unanswered(e)
    {
        return Err(CheckError::new(
            ErrorKind::Transport,
            format!(
                "the right password for {name}, after {tries} wrong ones, got no answer ({why}): whether the account is locked cannot be told"
            ),
        ));
    }
    let right_line = env
        .evidence
        .exchanges
        .last()
        .map_or_else(String::new, Exchange::summary);
    let threshold_text =
        threshold.map_or_else(|| "none declared".to_string(), |n| format!("declared {n}"));
    match (began, right.is_err()) {
        (Some((n, sign)), right_refused) => {
            env.notes.push(format!(
                "the lock began at wrong attempt {n} (threshold {threshold_text}): {sign}; the right password was then {}",
                if right_refused { "refused" } else { "accepted" }
            ));
            env.notes.push(unlock);
            Ok(Vec::new())
        }
        (None, true) => {
            env.notes.push(format!(
                "after {tries} wrong passwords (threshold {threshold_text}) the right one was refused ({right_line}): the account is locked; the wrong-password answers did not change, so the attempt at which the lock began cannot be told"
            ));
            env.notes.push(unlock);
            Ok(Vec::new())
        }
        (None, false) => {
            let mut f = Finding::new(
                format!(
                    "{name} locked out or throttled after repeated wrong passwords (threshold {threshold_text}, at most {MAX_ATTEMPTS} tried)"
                ),
                format!(
                    "{tries} wrong passwords drew no lock, no lockout message and no slower answer, and the right password then signed in at once"
                ),
            );
            f.exchange = Some(right_line);
            Ok(vec![f])
        }
    }
}

/// Why a failed login was no answer of the target's: its last request got no (whole) HTTP
/// answer, or none was sent. `None` when the target answered and refused.
fn unanswered(e: &LoginError) -> Option<String> {
    match e.exchanges.last() {
        Some(x) if x.status.is_some() && x.error.is_none() => None,
        _ => Some(e.message.clone()),
    }
}

/// Logs `actor` in, the exchanges kept as evidence.
async fn login(env: &mut ProbeEnv<'_>, actor: &ResolvedActor) -> Result<Session, LoginError> {
    match auth::login(env.http, env.target, actor).await {
        Ok(s) => {
            env.evidence
                .exchanges
                .extend(s.login_exchanges.iter().cloned());
            Ok(s)
        }
        Err(e) => {
            env.evidence.exchanges.extend(e.exchanges.iter().cloned());
            Err(e)
        }
    }
}

/// What a refused login's answer shows, besides a wrong password.
enum Shown {
    /// A lock: the profile's `locked`, or a lockout message.
    Lock(String),
    /// An answer markedly slower than the first wrong one.
    Slow(String),
}

/// Whether the entry page, fetched right after a login answer that took `took`, is about as
/// slow: then the service is slow for everyone and the answer is no throttling (and the notes
/// say so). A page that cannot be fetched leaves the login's time to speak for itself.
async fn slow_everywhere(env: &mut ProbeEnv<'_>, took: Duration) -> bool {
    let Ok(entry) = env.page("entry") else {
        return false;
    };
    let start = Instant::now();
    if env.get_page(&entry, "lockout control").await.is_err() {
        return false;
    }
    let control = start.elapsed();
    let slow = !throttled(control, took);
    if slow {
        env.notes.push(format!(
            "a wrong password's answer took {:.1} s, but so did the entry page ({:.1} s) right after: the service was slow, not throttling",
            took.as_secs_f64(),
            control.as_secs_f64()
        ));
    }
    slow
}

/// What in a refused login's answer shows a lock or throttling, if anything.
fn lock_shown(
    env: &ProbeEnv<'_>,
    e: &LoginError,
    first: Option<Duration>,
    took: Duration,
) -> Option<Shown> {
    let resp = answer(e)?;
    let rules = env.target.outcome_rules("login", Outcome::Locked);
    let locked = ExpectedOutcome {
        outcome: Outcome::Locked,
        rules: &rules,
        login_path: env.target.pages.get("login").map(|p| p.path.as_str()),
    };
    if shows(&locked, &resp) {
        return Some(Shown::Lock(format!(
            "the answer showed the profile's `locked` ({} {})",
            resp.status,
            crate::http::reason(resp.status)
        )));
    }
    if let Some(re) = LOCKOUT_MESSAGE.as_ref()
        && let Some(m) = re.find(&resp.text())
    {
        return Some(Shown::Lock(format!("the answer said \"{}\"", m.as_str())));
    }
    match first {
        Some(first) if throttled(first, took) => Some(Shown::Slow(format!(
            "the answer took {:.1} s against {:.1} s for the first wrong password (throttled)",
            took.as_secs_f64(),
            first.as_secs_f64()
        ))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_are_one_past_the_threshold_and_never_more_than_ten() {
        assert_eq!(attempts(Some(5)), 6);
        assert_eq!(attempts(Some(9)), 10);
        assert_eq!(attempts(Some(50)), MAX_ATTEMPTS);
        assert_eq!(attempts(Some(u32::MAX)), MAX_ATTEMPTS);
        assert_eq!(attempts(None), MAX_ATTEMPTS);
    }

    #[test]
    fn throttling_is_a_markedly_slower_answer() {
        let ms = Duration::from_millis;
        assert!(!throttled(ms(40), ms(300)), "noise, under a second");
        assert!(throttled(ms(40), ms(1100)));
        assert!(
            !throttled(ms(2500), ms(3600)),
            "slow target, not twice as slow"
        );
        assert!(throttled(ms(2500), ms(5000)));
    }

    #[test]
    fn lockout_messages_are_recognised() {
        let re = LOCKOUT_MESSAGE.as_ref().expect("the pattern compiles");
        assert!(re.is_match("Your account is locked."));
        assert!(re.is_match("Too many failed attempts; try again in 15 minutes"));
        assert!(!re.is_match("The email address or password is not correct."));
    }

    #[test]
    fn only_an_answered_refusal_is_a_refusal() {
        let x =
            |status| crate::report::fixture::exchange("locked", "POST", "https://t/login", status);
        let err = |exchanges| LoginError {
            message: "login as locked failed".into(),
            exchanges,
        };
        assert!(unanswered(&err(vec![x(Some(401))])).is_none());
        assert!(
            unanswered(&err(vec![x(Some(200)), x(None)])).is_some(),
            "timed out"
        );
        assert!(unanswered(&err(Vec::new())).is_some(), "not tried again");
        let mut cut = x(Some(200));
        cut.error = Some("body cut short".into());
        assert!(unanswered(&err(vec![cut])).is_some());
    }
}
