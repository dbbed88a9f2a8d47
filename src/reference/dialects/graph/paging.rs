//! Relay-style connections: `first` (1 to 50, default 3) and the exclusive cursor `after` in,
//! `{edges: [{cursor, node}], pageInfo: {hasNextPage, endCursor}}` out. A cursor is the
//! node's id in base64, opaque to clients; one that names no node of the list is refused.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::{Value, json};

use super::errors::GraphError;
use crate::reference::app::paging::{Page, PageRequest};

/// Nodes on a page when the caller names no `first`.
const DEFAULT_FIRST: usize = 3;
/// The largest `first` accepted.
const MAX_FIRST: usize = 50;

/// The paging arguments of a connection field.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PageArgs {
    first: Option<i64>,
    after: Option<String>,
}

/// The id behind a cursor: what [`PageArgs::after_id`] gives [`PageArgs::request`].
pub(crate) struct After(Option<String>);

impl PageArgs {
    /// The id the `after` cursor names (`BAD_USER_INPUT` if it is not a cursor at all).
    pub(crate) fn after_id(&self) -> Result<After, GraphError> {
        let Some(cursor) = &self.after else {
            return Ok(After(None));
        };
        let id = STANDARD
            .decode(cursor)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(|| GraphError::input("unknown cursor"))?;
        Ok(After(Some(id)))
    }

    /// The page asked for, starting after `after`; a `first` outside 1 to 50 is refused.
    pub(crate) fn request<'a>(&self, after: &'a After) -> Result<PageRequest<'a>, GraphError> {
        let limit = self
            .first
            .map_or(Some(DEFAULT_FIRST), |n| usize::try_from(n).ok())
            .filter(|n| (1..=MAX_FIRST).contains(n))
            .ok_or_else(|| GraphError::input("first must be between 1 and 50"))?;
        Ok(PageRequest {
            after: after.0.as_deref(),
            limit,
        })
    }
}

/// The cursor of the node with id `id`.
fn cursor(id: &str) -> String {
    STANDARD.encode(id)
}

/// A page as a connection, each item made a node by `node`; `id` gives an item's id.
pub(crate) fn connection<T>(
    page: &Page<T>,
    id: impl Fn(&T) -> &str,
    node: impl Fn(&T) -> Value,
) -> Value {
    let edges: Vec<Value> = page
        .items
        .iter()
        .map(|item| json!({ "cursor": cursor(id(item)), "node": node(item) }))
        .collect();
    let end = page.items.last().map(|item| cursor(id(item)));
    json!({
        "edges": edges,
        "pageInfo": { "hasNextPage": page.has_more, "endCursor": end },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: Value) -> PageArgs {
        serde_json::from_value(v).expect("page args")
    }

    #[test]
    fn cursors_are_opaque_ids_and_first_is_bounded() {
        let page = Page {
            items: vec!["10001", "10002"],
            has_more: true,
        };
        let c = connection(&page, |s| s, |s| json!({ "id": s }));
        assert_eq!(c["edges"][1]["cursor"], "MTAwMDI=");
        assert_eq!(
            c["pageInfo"],
            json!({"hasNextPage": true, "endCursor": "MTAwMDI="})
        );
        let a = args(json!({"after": "MTAwMDI="}));
        let after = a.after_id().expect("cursor");
        let req = a.request(&after).expect("request");
        assert_eq!((req.after, req.limit), (Some("10002"), 3));
        assert!(args(json!({"after": "%%%"})).after_id().is_err());
        for first in [0, 51, -1] {
            let a = args(json!({ "first": first }));
            assert!(a.request(&After(None)).is_err(), "{first}");
        }
        let empty: Page<&str> = Page {
            items: vec![],
            has_more: false,
        };
        assert_eq!(
            connection(&empty, |s| s, |s| json!(s))["pageInfo"]["endCursor"],
            Value::Null
        );
    }
}
