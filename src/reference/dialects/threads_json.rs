//! The `threads` dialect's JSON shapes (threads, posts, members, read receipts, attachments)
//! and its cursor-paginated lists: `?limit=N&after=<id>` in, `{<key>: [...], has_more}` out.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::reference::app::error::ApiError;
use crate::reference::app::paging::{Page, PageRequest};
use crate::reference::app::users::{self, User};
use crate::reference::app::views::{AttachmentMeta, ConversationView, MessageView};

/// Items on a page when the caller names no `limit`: small, as this vendor's mobile clients
/// page through everything.
pub(crate) const DEFAULT_LIMIT: usize = 3;
/// The largest `limit` accepted.
pub(crate) const MAX_LIMIT: usize = 50;

/// The paging parameters of every list: `limit` and the exclusive cursor `after`.
#[derive(Deserialize)]
pub(crate) struct ListQuery {
    limit: Option<usize>,
    after: Option<String>,
}

impl ListQuery {
    /// The page asked for; a `limit` outside 1 to [`MAX_LIMIT`] is refused.
    pub(crate) fn page(&self) -> Result<PageRequest<'_>, ApiError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::BadRequest("limit must be between 1 and 50"));
        }
        Ok(PageRequest {
            after: self.after.as_deref(),
            limit,
        })
    }
}

/// A page as `{key: [...], "has_more": bool}`, each item shaped by `shape`.
pub(crate) fn page_json<T>(key: &str, page: &Page<T>, shape: impl Fn(&T) -> Value) -> Value {
    json!({ key: page.items.iter().map(shape).collect::<Vec<_>>(), "has_more": page.has_more })
}

/// A user as a thread member or post author.
pub(crate) fn member_json(u: &User) -> Value {
    json!({ "uid": u.id, "name": u.display_name, "role": u.role.as_str() })
}

fn status(closed: bool) -> &'static str {
    if closed { "archived" } else { "open" }
}

/// A thread's metadata, without its posts.
pub(crate) fn thread_json(c: &ConversationView) -> Value {
    let members: Vec<Value> = c
        .participants
        .iter()
        .filter_map(|id| users::by_id(id))
        .map(member_json)
        .collect();
    json!({
        "tid": c.id,
        "title": c.subject,
        "status": status(c.closed),
        "members": members,
        "last_activity_at": c.last_message_at,
    })
}

/// An attachment as posts and uploads show it.
pub(crate) fn attachment_json(a: &AttachmentMeta) -> Value {
    json!({ "aid": a.id, "filename": a.filename, "content_type": a.media_type, "size": a.size })
}

/// A post of a thread; read receipts are a list of who saw it and when (the one recipient,
/// once they marked it read).
pub(crate) fn post_json(m: &MessageView) -> Value {
    let seen_by: Vec<Value> = match &m.read_at {
        Some(at) => m
            .read_by
            .iter()
            .map(|p| json!({ "user": p, "at": at }))
            .collect(),
        None => Vec::new(),
    };
    json!({
        "pid": m.id,
        "text": m.body,
        "author": { "uid": m.sender.id, "name": m.sender.display_name },
        "posted_at": m.sent_at,
        "seen_by": seen_by,
        "attachments": m.attachments.iter().map(attachment_json).collect::<Vec<_>>(),
    })
}
