//! The `graph` dialect: one GraphQL endpoint, `POST /graphql`, with its own schema and
//! errors as GraphQL errors on HTTP 200; access tokens with a lifetime and rotating refresh
//! tokens; numeric ids; attachments uploaded and downloaded through signed URLs on a storage
//! host of another origin; a test mailbox behind HTTP Basic and the audit log as CSV.
//!
//! A request goes through [`document`] (the GraphQL request and its document, parsed by
//! graphql-parser), [`schema`] (the check of its selections), then [`execute`], which asks
//! the resolvers of [`account`], [`queries`] and [`mutations`] for each root field's value
//! (built by [`json`], paged by [`paging`]) and shapes it onto the selection.

mod account;
mod ctx;
mod document;
mod endpoint;
mod errors;
mod execute;
mod json;
mod mutations;
mod paging;
mod queries;
mod schema;
mod signing;
mod storage;
mod support;

use axum::Router;

use crate::reference::app::state::AppState;

/// The dialect's routes on the main origin: GraphQL, the mailbox and the CSV export.
pub(crate) fn router() -> Router<AppState> {
    endpoint::routes().merge(support::routes())
}

/// The storage host's routes.
pub(crate) fn storage_router(state: AppState) -> Router<AppState> {
    storage::router(state)
}
