//! Domain state and logic: configuration, flaws, the synthetic users, the in-memory store,
//! accounts and sessions, messaging, attachments and two-step uploads, the audit log, and the
//! few request and response facts every layer above shares (form fields, cookies, bearer and
//! basic credentials, the PHI mark).
//! Knows nothing of dialects, pages or listeners.

pub(crate) mod auth;
pub(crate) mod config;
pub(crate) mod error;
pub(crate) mod flaws;
pub(crate) mod ids;
pub(crate) mod messaging;
pub(crate) mod paging;
pub(crate) mod phi;
pub(crate) mod records;
pub(crate) mod request;
pub(crate) mod sniff;
pub(crate) mod state;
pub(crate) mod uploads;
pub(crate) mod users;
pub(crate) mod views;
