//! Accounts and sessions: password check with lockout, random session ids and bearer tokens,
//! idle timeout, revocation, pre-session CSRF tokens, tokens of the test-support client, and
//! the random secrets they are made of.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::Rng;

use super::config::Credential;
use super::users::{self, USERS, User};

/// Failed logins allowed before a username is locked.
pub(crate) const LOCKOUT_AFTER: u32 = 5;
/// How long a lock lasts.
pub(crate) const LOCKOUT_FOR: Duration = Duration::from_secs(15 * 60);
/// How long an unused login-form (pre-session) token lives.
const PRE_SESSION_TTL: Duration = Duration::from_secs(60 * 60);

/// A signed-in caller: the user, the session (or token) id and the session's CSRF token.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub user: &'static User,
    pub sid: String,
    pub csrf: String,
}

struct Session {
    user: &'static User,
    csrf: String,
    last_seen: Instant,
}

#[derive(Default)]
struct Failures {
    count: u32,
    locked_until: Option<Instant>,
}

/// Passwords, live sessions, login-form tokens and failure counters.
pub(crate) struct Auth {
    passwords: Vec<(&'static str, String)>,
    idle_timeout: Duration,
    sessions: Mutex<HashMap<String, Session>>,
    pre_sessions: Mutex<HashMap<String, (String, Instant)>>,
    failures: Mutex<HashMap<&'static str, Failures>>,
    /// Tokens of the test-support client (no user behind them), by issue time.
    service_tokens: Mutex<HashMap<String, Instant>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Auth {
    /// Fresh random passwords for every account, no sessions.
    pub(crate) fn new(idle_timeout: Duration) -> Self {
        Auth {
            passwords: USERS.iter().map(|u| (u.id, secret(24))).collect(),
            idle_timeout,
            sessions: Mutex::default(),
            pre_sessions: Mutex::default(),
            failures: Mutex::default(),
            service_tokens: Mutex::default(),
        }
    }

    /// The idle timeout in whole seconds (at least 1), as `expires_in` reports it.
    pub(crate) fn idle_secs(&self) -> u64 {
        self.idle_timeout.as_secs().max(1)
    }

    /// Every account's credentials.
    pub(crate) fn credentials(&self) -> Vec<Credential> {
        USERS
            .iter()
            .map(|u| Credential {
                actor: u.actor,
                username: u.username.to_owned(),
                password: self.password(u.id).to_owned(),
            })
            .collect()
    }

    fn password(&self, id: &str) -> &str {
        self.passwords
            .iter()
            .find(|(uid, _)| *uid == id)
            .map_or("", |(_, p)| p.as_str())
    }

    /// Checks a username and password.
    ///
    /// Lockout: after [`LOCKOUT_AFTER`] failures a username is locked for [`LOCKOUT_FOR`], and
    /// while locked even the right password fails. A locked account answers exactly like a
    /// wrong password (same status and body), so lockout reveals nothing about the account.
    pub(crate) fn login(&self, username: &str, password: &str) -> Option<&'static User> {
        let user = users::by_username(username)?;
        let mut failures = lock(&self.failures);
        let entry = failures.entry(user.id).or_default();
        let now = Instant::now();
        if entry.locked_until.is_some_and(|until| now < until) {
            return None;
        }
        if same_secret(password, self.password(user.id)) {
            *entry = Failures::default();
            return Some(user);
        }
        entry.count += 1;
        if entry.count >= LOCKOUT_AFTER {
            *entry = Failures {
                count: 0,
                locked_until: Some(now + LOCKOUT_FOR),
            };
        }
        None
    }

    /// Opens a new session (a new random id every time) for `user`.
    pub(crate) fn open_session(&self, user: &'static User) -> Caller {
        let caller = Caller {
            user,
            sid: secret(40),
            csrf: secret(32),
        };
        let mut sessions = lock(&self.sessions);
        let idle = self.idle_timeout;
        sessions.retain(|_, s| s.last_seen.elapsed() < idle);
        sessions.insert(
            caller.sid.clone(),
            Session {
                user,
                csrf: caller.csrf.clone(),
                last_seen: Instant::now(),
            },
        );
        caller
    }

    /// The live session with this id; touching it restarts its idle clock.
    pub(crate) fn session(&self, sid: &str) -> Option<Caller> {
        let mut sessions = lock(&self.sessions);
        let session = sessions.get_mut(sid)?;
        if session.last_seen.elapsed() >= self.idle_timeout {
            sessions.remove(sid);
            return None;
        }
        session.last_seen = Instant::now();
        Some(Caller {
            user: session.user,
            sid: sid.to_owned(),
            csrf: session.csrf.clone(),
        })
    }

    /// Ends a session server-side.
    pub(crate) fn revoke(&self, sid: &str) {
        lock(&self.sessions).remove(sid);
    }

    /// A new login-form token pair: (pre-session cookie value, CSRF token).
    pub(crate) fn open_pre_session(&self) -> (String, String) {
        let (id, csrf) = (secret(32), secret(32));
        let mut pre = lock(&self.pre_sessions);
        pre.retain(|_, (_, born)| born.elapsed() < PRE_SESSION_TTL);
        pre.insert(id.clone(), (csrf.clone(), Instant::now()));
        (id, csrf)
    }

    /// Whether `csrf` is the token issued with pre-session `id`.
    pub(crate) fn pre_session_matches(&self, id: &str, csrf: &str) -> bool {
        lock(&self.pre_sessions)
            .get(id)
            .is_some_and(|(token, born)| {
                born.elapsed() < PRE_SESSION_TTL && same_secret(token, csrf)
            })
    }

    /// A new token for the test-support client, valid for the idle timeout from now.
    pub(crate) fn open_service_token(&self) -> String {
        let token = secret(40);
        let mut tokens = lock(&self.service_tokens);
        let ttl = self.idle_timeout;
        tokens.retain(|_, born| born.elapsed() < ttl);
        tokens.insert(token.clone(), Instant::now());
        token
    }

    /// Whether `token` is a live test-support token.
    pub(crate) fn service_token_valid(&self, token: &str) -> bool {
        lock(&self.service_tokens)
            .get(token)
            .is_some_and(|born| born.elapsed() < self.idle_timeout)
    }
}

/// A random alphanumeric secret of `len` characters.
pub(crate) fn secret(len: usize) -> String {
    rand::rng()
        .sample_iter(&rand::distr::Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// Compares two secrets without an early exit.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
