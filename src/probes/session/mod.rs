//! Session probes: sessions end at logout and after the declared idle timeout, a login issues
//! a session cookie of its own rather than keeping one set before it (SEC-06), repeated wrong
//! passwords lock the account or slow its logins down (SEC-07), and every session cookie the
//! run saw carries Secure, HttpOnly and SameSite (SEC-08). A session a probe ends, idles or
//! locks is its own, logged in afresh: never the shared session of its actor.

pub mod cookies;
pub mod fixation;
pub mod idle;
pub mod lockout;
pub mod logout;
mod usage;
