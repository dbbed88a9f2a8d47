//! The API dialects: `rest` (JSON and bearer tokens, with its account endpoints), `forms`
//! (cookie sessions and CSRF fields), `threads` (a `/v2` JSON API with cursor-paginated
//! lists and client-bound OAuth2 tokens) and `graph` (one GraphQL endpoint, with a storage
//! host of its own for signed URLs), and the request plumbing they share.

mod caller;
mod flaky;
mod forms;
mod graph;
mod leaky;
mod record_link;
mod rest;
mod rest_account;
mod shared;
mod threads;
mod threads_account;
mod threads_json;

use axum::Router;

pub(crate) use leaky::leaky_denial;
pub(crate) use record_link::record_link;

use crate::reference::app::config::Dialect;
use crate::reference::app::ids::IdStyle;
use crate::reference::app::state::AppState;

/// Request-body limit for JSON bodies (`rest`, `threads`).
const JSON_BODY_LIMIT: usize = 64 * 1024;
/// Request-body limit for form bodies (`forms`): percent-encoding can triple a 20 000-character
/// message, so forms get more room than JSON.
const FORM_BODY_LIMIT: usize = 256 * 1024;
/// Request-body limit for GraphQL requests (`graph`): a 20 000-character message of emoji,
/// escaped in a JSON string inside a document, needs more room than a plain JSON body.
const GRAPHQL_BODY_LIMIT: usize = 512 * 1024;

/// The API routes of the running dialect.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    match state.settings.dialect {
        Dialect::Rest => rest::router(state.clone()),
        Dialect::Forms => forms::router(state.clone()),
        Dialect::Threads => threads::router(state.clone()),
        Dialect::Graph => graph::router(),
    }
}

/// The storage host's routes, for a dialect that hands out signed URLs to one.
pub(crate) fn storage_router(state: AppState) -> Option<Router<AppState>> {
    match state.settings.dialect {
        Dialect::Graph => Some(graph::storage_router(state.clone())),
        Dialect::Rest | Dialect::Forms | Dialect::Threads => None,
    }
}

/// Whether `dialect` needs a storage host (see [`storage_router`]).
pub(crate) fn has_storage(dialect: Dialect) -> bool {
    dialect == Dialect::Graph
}

/// The request-body limit of `dialect`'s routes (upload routes set their own).
pub(crate) fn body_limit(dialect: Dialect) -> usize {
    match dialect {
        Dialect::Rest | Dialect::Threads => JSON_BODY_LIMIT,
        Dialect::Forms => FORM_BODY_LIMIT,
        Dialect::Graph => GRAPHQL_BODY_LIMIT,
    }
}

/// The shape of `dialect`'s resource ids.
pub(crate) fn id_style(dialect: Dialect) -> IdStyle {
    match dialect {
        Dialect::Rest | Dialect::Forms => IdStyle::Dashed,
        Dialect::Threads => IdStyle::Base32,
        Dialect::Graph => IdStyle::Numeric,
    }
}
