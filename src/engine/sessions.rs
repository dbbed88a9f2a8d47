//! The run's shared sessions: one per actor, logged in once when the run starts and renewed
//! before it would expire — by its token's `expires_in`, or by the declared idle timeout since
//! it was last handed out. Never renewed in reaction to a refusal: a 401 is a verdict on the
//! target, and signing in again would hide a real denial.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indexmap::IndexMap;
use tokio::sync::Mutex;

use crate::http::{HttpClient, LoginError, Session};
use crate::model::resolve::ResolvedTarget;
use crate::outcome::Exchange;

/// A session handed to a check, and the renewal it took, if one was due.
pub struct Lease {
    pub session: Arc<Session>,
    pub renewed: Option<Renewal>,
}

/// A login made because the shared session was about to expire: evidence of the check that
/// asked for it.
pub struct Renewal {
    /// Why, in one line.
    pub note: String,
    pub exchanges: Vec<Exchange>,
}

#[derive(Debug)]
struct Live {
    session: Arc<Session>,
    obtained: Instant,
    last_used: Instant,
}

/// One session per actor, shared by every check that does not need its own (none by default).
#[derive(Debug, Default)]
pub struct SharedSessions {
    entries: IndexMap<String, Mutex<Result<Live, LoginError>>>,
    /// The first login of each actor, for the attributes templates see (`actors[x].id`).
    first: IndexMap<String, Result<Arc<Session>, LoginError>>,
    idle: Option<Duration>,
}

/// How long before a deadline a session is renewed: a fifth of its lifetime, between 1 and 60
/// seconds, so a 5-second token is renewed after 4 s and a one-hour one a minute early.
fn margin(lifetime: Duration) -> Duration {
    (lifetime / 5).clamp(Duration::from_secs(1), Duration::from_secs(60))
}

/// Why a session obtained at `obtained` and last used at `last_used` must be renewed at `now`.
fn due(
    session: &Session,
    obtained: Instant,
    last_used: Instant,
    idle: Option<Duration>,
    now: Instant,
) -> Option<String> {
    if let Some(life) = session.expires_in
        && now + margin(life) >= obtained + life
    {
        return Some(format!(
            "its token was {:.1} s old of the {} s the login gave it (expires_in)",
            now.duration_since(obtained).as_secs_f64(),
            life.as_secs()
        ));
    }
    if let Some(idle) = idle
        && now + margin(idle) >= last_used + idle
    {
        return Some(format!(
            "it was unused for {:.1} s of the declared {} s idle timeout",
            now.duration_since(last_used).as_secs_f64(),
            idle.as_secs()
        ));
    }
    None
}

impl SharedSessions {
    /// Logs in every actor in `actors`, concurrently.
    pub async fn login_all(
        http: &HttpClient,
        target: &ResolvedTarget,
        actors: &BTreeSet<String>,
    ) -> SharedSessions {
        let logins = actors
            .iter()
            .filter_map(|name| target.actors.get(name))
            .map(|actor| async move {
                let s = crate::http::auth::login(http, target, actor).await;
                (actor.name.clone(), s.map(Arc::new))
            });
        let now = Instant::now();
        let mut entries = IndexMap::new();
        let mut first = IndexMap::new();
        for (name, s) in futures_util::future::join_all(logins).await {
            let live = s.clone().map(|session| Live {
                session,
                obtained: now,
                last_used: now,
            });
            entries.insert(name.clone(), Mutex::new(live));
            first.insert(name, s);
        }
        SharedSessions {
            entries,
            first,
            idle: target.declared.idle_timeout_s.map(Duration::from_secs),
        }
    }

    /// Every actor's first login, in order: its name and how it went.
    pub fn first_logins(&self) -> impl Iterator<Item = (&str, &Result<Arc<Session>, LoginError>)> {
        self.first.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The first login of `actor`, if the run logged it in.
    pub fn first(&self, actor: &str) -> Option<&Result<Arc<Session>, LoginError>> {
        self.first.get(actor)
    }

    /// The shared session of `actor`, renewed first when it would expire before long; `None`
    /// when the run did not log that actor in. A failed renewal keeps the old session for the
    /// next caller and returns the error.
    pub async fn get(
        &self,
        http: &HttpClient,
        target: &ResolvedTarget,
        actor: &str,
    ) -> Option<Result<Lease, LoginError>> {
        let mut entry = self.entries.get(actor)?.lock().await;
        let live = match &mut *entry {
            Ok(live) => live,
            Err(e) => return Some(Err(e.clone())),
        };
        let now = Instant::now();
        let why = due(&live.session, live.obtained, live.last_used, self.idle, now);
        live.last_used = now;
        let Some(why) = why else {
            return Some(Ok(Lease {
                session: Arc::clone(&live.session),
                renewed: None,
            }));
        };
        let resolved = target.actors.get(actor)?;
        let renewed = renew(http, target, resolved, &live.session).await;
        match renewed.session {
            Ok(s) => {
                let after = Instant::now();
                *live = Live {
                    session: Arc::new(s),
                    obtained: after,
                    last_used: after,
                };
                Some(Ok(Lease {
                    session: Arc::clone(&live.session),
                    renewed: Some(Renewal {
                        note: format!("the shared session of {actor} was {}: {why}", renewed.how),
                        exchanges: renewed.exchanges,
                    }),
                }))
            }
            Err(message) => Some(Err(LoginError {
                message: format!("renewing the session of {actor} ({why}): {message}"),
                exchanges: renewed.exchanges,
            })),
        }
    }
}

/// A renewal made: the new session or why there is none, how it was made, and its exchanges.
struct Renewed {
    session: Result<Session, String>,
    how: String,
    exchanges: Vec<Exchange>,
}

/// Renews `old` by its scheme's refresh request when it has one, else (or when the refresh
/// fails) by signing in again; the exchanges of both attempts are kept as evidence.
async fn renew(
    http: &HttpClient,
    target: &ResolvedTarget,
    actor: &crate::model::resolve::ResolvedActor,
    old: &Session,
) -> Renewed {
    let mut exchanges = Vec::new();
    let mut refresh_failed = None;
    match crate::http::auth::refresh(http, target, actor, old).await {
        Some(Ok(s)) => {
            return Renewed {
                exchanges: s.login_exchanges.clone(),
                session: Ok(s),
                how: "refreshed".into(),
            };
        }
        Some(Err(e)) => {
            refresh_failed = Some(e.message);
            exchanges = e.exchanges;
        }
        None => {}
    }
    let how = match &refresh_failed {
        Some(why) => format!("renewed by signing in again, its refresh having failed ({why})"),
        None => "renewed by signing in again".to_string(),
    };
    match crate::http::auth::login(http, target, actor).await {
        Ok(s) => {
            exchanges.extend(s.login_exchanges.iter().cloned());
            Renewed {
                session: Ok(s),
                how,
                exchanges,
            }
        }
        Err(e) => {
            exchanges.extend(e.exchanges);
            let message = match refresh_failed {
                Some(why) => format!("{why}; then {}", e.message),
                None => e.message,
            };
            Renewed {
                session: Err(message),
                how,
                exchanges,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(expires_in: Option<u64>) -> Session {
        Session {
            expires_in: expires_in.map(Duration::from_secs),
            ..Session::anonymous()
        }
    }

    #[test]
    fn a_session_is_renewed_a_fifth_of_its_lifetime_early() {
        let t0 = Instant::now();
        let s = session(Some(5));
        assert!(due(&s, t0, t0, None, t0).is_none());
        assert!(due(&s, t0, t0, None, t0 + Duration::from_millis(3900)).is_none());
        let why = due(&s, t0, t0, None, t0 + Duration::from_secs(4)).expect("due at 4 s");
        assert!(why.contains("of the 5 s the login gave it"), "{why}");
        let hour = session(Some(3600));
        assert!(due(&hour, t0, t0, None, t0 + Duration::from_secs(3539)).is_none());
        assert!(due(&hour, t0, t0, None, t0 + Duration::from_secs(3540)).is_some());
    }

    #[test]
    fn an_unused_session_is_renewed_before_the_idle_timeout() {
        let t0 = Instant::now();
        let s = session(None);
        let idle = Some(Duration::from_secs(10));
        let later = t0 + Duration::from_secs(100);
        assert!(
            due(&s, t0, later, idle, later + Duration::from_secs(7)).is_none(),
            "used recently"
        );
        let why = due(&s, t0, later, idle, later + Duration::from_secs(8)).expect("idle");
        assert!(why.contains("idle timeout"), "{why}");
        assert!(due(&s, t0, t0, None, later).is_none(), "no lifetime known");
    }
}
