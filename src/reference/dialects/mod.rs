//! The API dialects: `rest` (JSON and bearer tokens, with its account endpoints) and `forms`
//! (cookie sessions and CSRF fields), and the request plumbing they share.

mod caller;
mod flaky;
pub(crate) mod forms;
pub(crate) mod rest;
mod rest_account;
pub(crate) mod shared;
