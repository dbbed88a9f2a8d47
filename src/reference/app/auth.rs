//! Accounts and sessions: password check with lockout, random session ids and bearer tokens,
//! idle timeout, access tokens with a lifetime and their rotating refresh tokens, revocation,
//! pre-session CSRF tokens, tokens of the test-support client, and the random secrets they are
//! made of.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::Rng;

use super::config::Credential;
use super::flaws::Flaw;
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
    /// When an access token ends however much it is used; `None` for sessions that only idle.
    expires: Option<Instant>,
}

/// An access token and the refresh token that replaces it, as a sign-in or a refresh hands
/// them out.
#[derive(Clone, Debug)]
pub(crate) struct TokenPair {
    pub access: String,
    pub refresh: String,
    /// The access token's lifetime in whole seconds.
    pub expires_in: u64,
}

/// What a refresh token stands for: whose it is, the access token issued with it, and when.
struct RefreshGrant {
    user: &'static User,
    access: String,
    issued: Instant,
}

/// Why a sign-in was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LoginRefusal {
    /// Unknown username or wrong password.
    Invalid,
    /// Too many failures: the account is locked for now, whatever the password.
    Locked,
}

#[derive(Default)]
struct Failures {
    count: u32,
    locked_until: Option<Instant>,
}

/// The session and sign-in flaws the server was started with, where they bite.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct AuthFlaws {
    /// `expired-token-accepted`: ended sessions keep working.
    accept_ended: bool,
    /// `no-logout-revoke`: revoking ends nothing.
    keep_revoked: bool,
    /// `no-idle-timeout`: sessions never idle out.
    never_idle: bool,
    /// `no-lockout`: failures are not counted.
    no_lockout: bool,
}

impl AuthFlaws {
    /// The session and sign-in flaws among `flaws`.
    pub(crate) fn of(flaws: &[Flaw]) -> AuthFlaws {
        AuthFlaws {
            accept_ended: flaws.contains(&Flaw::ExpiredTokenAccepted),
            keep_revoked: flaws.contains(&Flaw::NoLogoutRevoke),
            never_idle: flaws.contains(&Flaw::NoIdleTimeout),
            no_lockout: flaws.contains(&Flaw::NoLockout),
        }
    }
}

/// Passwords, live sessions, login-form tokens and failure counters.
pub(crate) struct Auth {
    passwords: Vec<(&'static str, String)>,
    idle_timeout: Duration,
    token_lifetime: Duration,
    flaws: AuthFlaws,
    /// Sessions ended by logout, idling or their lifetime, kept only under
    /// `expired-token-accepted`, which still takes them.
    ended: Mutex<HashMap<String, Session>>,
    sessions: Mutex<HashMap<String, Session>>,
    /// Live refresh tokens; each is used once.
    refresh_grants: Mutex<HashMap<String, RefreshGrant>>,
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
    pub(crate) fn new(idle_timeout: Duration, token_lifetime: Duration, flaws: AuthFlaws) -> Self {
        Auth {
            passwords: USERS.iter().map(|u| (u.id, secret(24))).collect(),
            idle_timeout,
            token_lifetime,
            flaws,
            ended: Mutex::default(),
            sessions: Mutex::default(),
            refresh_grants: Mutex::default(),
            pre_sessions: Mutex::default(),
            failures: Mutex::default(),
            service_tokens: Mutex::default(),
        }
    }

    /// The idle timeout in whole seconds (at least 1), as `expires_in` reports it.
    pub(crate) fn idle_secs(&self) -> u64 {
        self.idle_timeout.as_secs().max(1)
    }

    /// The token lifetime in whole seconds (at least 1), as a service token's `expires_in`.
    pub(crate) fn lifetime_secs(&self) -> u64 {
        self.token_lifetime.as_secs().max(1)
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
        self.check_login(username, password).ok()
    }

    /// Checks a username and password like [`Auth::login`], and says why it refused: for a
    /// vendor that tells a locked account apart (the `graph` dialect's `LOCKED`).
    pub(crate) fn check_login(
        &self,
        username: &str,
        password: &str,
    ) -> Result<&'static User, LoginRefusal> {
        let user = users::by_username(username).ok_or(LoginRefusal::Invalid)?;
        let mut failures = lock(&self.failures);
        let entry = failures.entry(user.id).or_default();
        let now = Instant::now();
        if entry.locked_until.is_some_and(|until| now < until) {
            return Err(LoginRefusal::Locked);
        }
        if same_secret(password, self.password(user.id)) {
            *entry = Failures::default();
            return Ok(user);
        }
        if self.flaws.no_lockout {
            return Err(LoginRefusal::Invalid);
        }
        entry.count += 1;
        if entry.count >= LOCKOUT_AFTER {
            *entry = Failures {
                count: 0,
                locked_until: Some(now + LOCKOUT_FOR),
            };
        }
        Err(LoginRefusal::Invalid)
    }

    /// Opens a new session (a new random id every time) for `user`.
    pub(crate) fn open_session(&self, user: &'static User) -> Caller {
        self.open(user, None)
    }

    /// Opens a session for `user` under the id the browser already holds (`session-fixation`):
    /// whoever set that cookie now holds a signed-in session.
    pub(crate) fn open_session_as(&self, user: &'static User, sid: &str) -> Caller {
        self.open_with(user, None, sid.to_owned())
    }

    fn open(&self, user: &'static User, expires: Option<Instant>) -> Caller {
        self.open_with(user, expires, secret(40))
    }

    fn open_with(&self, user: &'static User, expires: Option<Instant>, sid: String) -> Caller {
        let caller = Caller {
            user,
            sid,
            csrf: secret(32),
        };
        let mut sessions = lock(&self.sessions);
        let now = Instant::now();
        let (live, gone): (HashMap<_, _>, HashMap<_, _>) = std::mem::take(&mut *sessions)
            .into_iter()
            .partition(|(_, s)| self.alive(s, now));
        *sessions = live;
        self.ended_all(gone);
        sessions.insert(
            caller.sid.clone(),
            Session {
                user,
                csrf: caller.csrf.clone(),
                last_seen: now,
                expires,
            },
        );
        caller
    }

    /// Signs `user` in with an access token that ends after the token lifetime (or sooner,
    /// unused for the idle timeout) and a refresh token for the next pair.
    pub(crate) fn open_token_pair(&self, user: &'static User) -> TokenPair {
        let now = Instant::now();
        let access = self.open(user, Some(now + self.token_lifetime)).sid;
        let refresh = secret(48);
        let mut grants = lock(&self.refresh_grants);
        let idle = self.idle_timeout;
        grants.retain(|_, g| g.issued.elapsed() < idle);
        grants.insert(
            refresh.clone(),
            RefreshGrant {
                user,
                access: access.clone(),
                issued: now,
            },
        );
        TokenPair {
            access,
            refresh,
            expires_in: self.token_lifetime.as_secs().max(1),
        }
    }

    /// Trades a refresh token for a new pair. The token works once: used, it is gone whatever
    /// the outcome, and the access token issued with it ends too, so one sign-in has one live
    /// pair. A refresh token lives for the idle timeout, so a client that stops refreshing is
    /// signed out as an idle session would be.
    pub(crate) fn refresh(&self, refresh_token: &str) -> Option<TokenPair> {
        let grant = lock(&self.refresh_grants).remove(refresh_token)?;
        if grant.issued.elapsed() >= self.idle_timeout {
            return None;
        }
        let gone = lock(&self.sessions).remove_entry(&grant.access);
        self.ended_all(gone);
        Some(self.open_token_pair(grant.user))
    }

    /// Whether `s` is still live at `now`: within its lifetime, and used within the idle
    /// timeout (always, under `no-idle-timeout`).
    fn alive(&self, s: &Session, now: Instant) -> bool {
        let idle = !self.flaws.never_idle && now.duration_since(s.last_seen) >= self.idle_timeout;
        !idle && s.expires.is_none_or(|until| now < until)
    }

    /// Keeps ended sessions where `expired-token-accepted` still finds them.
    fn ended_all(&self, gone: impl IntoIterator<Item = (String, Session)>) {
        if self.flaws.accept_ended {
            lock(&self.ended).extend(gone);
        }
    }

    /// The live session with this id; touching it restarts its idle clock.
    pub(crate) fn session(&self, sid: &str) -> Option<Caller> {
        let mut sessions = lock(&self.sessions);
        let Some(session) = sessions.get_mut(sid) else {
            drop(sessions);
            return self.ended_session(sid);
        };
        let now = Instant::now();
        if !self.alive(session, now) {
            let gone = sessions.remove_entry(sid);
            drop(sessions);
            self.ended_all(gone);
            return self.ended_session(sid);
        }
        session.last_seen = now;
        Some(Caller {
            user: session.user,
            sid: sid.to_owned(),
            csrf: session.csrf.clone(),
        })
    }

    /// An ended session taken as live: only under `expired-token-accepted`.
    fn ended_session(&self, sid: &str) -> Option<Caller> {
        let ended = lock(&self.ended);
        let s = ended.get(sid)?;
        Some(Caller {
            user: s.user,
            sid: sid.to_owned(),
            csrf: s.csrf.clone(),
        })
    }

    /// Ends a session server-side, and the refresh token issued with it (nothing, under
    /// `no-logout-revoke`).
    pub(crate) fn revoke(&self, sid: &str) {
        if self.flaws.keep_revoked {
            return;
        }
        let gone = lock(&self.sessions).remove_entry(sid);
        self.ended_all(gone);
        lock(&self.refresh_grants).retain(|_, g| g.access != sid);
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

    /// A new token for the test-support client, valid for the token lifetime from now (not
    /// the idle timeout, which may be seconds: a paged read of the outbox outlasts that).
    pub(crate) fn open_service_token(&self) -> String {
        let token = secret(40);
        let mut tokens = lock(&self.service_tokens);
        let ttl = self.token_lifetime;
        tokens.retain(|_, born| born.elapsed() < ttl);
        tokens.insert(token.clone(), Instant::now());
        token
    }

    /// Whether `token` is a live test-support token.
    pub(crate) fn service_token_valid(&self, token: &str) -> bool {
        lock(&self.service_tokens)
            .get(token)
            .is_some_and(|born| born.elapsed() < self.token_lifetime)
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
