//! The `graph` dialect's values as its resolvers build them, before a selection picks from
//! them: users, conversations, messages and attachments, with every id a JSON number. Users
//! get fixed numbers at this edge (`patient_a` 1001 to `admin` 1005, in the order of the
//! shared accounts); the store's ids are already numeric. An `ID` argument is a number or a
//! string of decimal digits.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::reference::app::users::{self, USERS, User};
use crate::reference::app::views::{AttachmentMeta, ConversationView, MessageView};

/// The number of the first shared account; the others follow in order.
const FIRST_USER: u64 = 1001;

/// The number of the user with id `id`.
pub(crate) fn user_number(id: &str) -> Option<u64> {
    let index = USERS.iter().position(|u| u.id == id)?;
    u64::try_from(index).ok().map(|i| FIRST_USER + i)
}

/// The user numbered `n`.
pub(crate) fn user_by_number(n: &Id) -> Option<&'static User> {
    let index = n.0.parse::<u64>().ok()?.checked_sub(FIRST_USER)?;
    USERS.get(usize::try_from(index).ok()?)
}

/// A store id as a JSON number (every id of this dialect's store is one).
pub(crate) fn number(id: &str) -> Value {
    id.parse::<u64>().map_or_else(|_| json!(id), |n| json!(n))
}

/// The value of an `ID` argument: a non-negative number, or a string of decimal digits.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawId")]
pub(crate) struct Id(pub String);

#[derive(Deserialize)]
#[serde(untagged)]
enum RawId {
    Number(u64),
    Text(String),
}

impl TryFrom<RawId> for Id {
    type Error = String;

    fn try_from(raw: RawId) -> Result<Self, String> {
        match raw {
            RawId::Number(n) => Ok(Id(n.to_string())),
            RawId::Text(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => Ok(Id(s)),
            RawId::Text(s) => Err(format!("`{s}` is not an ID (a number)")),
        }
    }
}

/// The arguments of a field that takes one `id`.
#[derive(Deserialize)]
pub(crate) struct ById {
    pub id: Id,
}

/// A user as any field shows one.
pub(crate) fn user_json(u: &User) -> Value {
    json!({
        "id": user_number(u.id),
        "name": u.display_name,
        "role": u.role.as_str().to_ascii_uppercase(),
        "email": u.username,
    })
}

fn user_by_id_json(id: &str) -> Value {
    users::by_id(id).map_or(Value::Null, user_json)
}

/// A conversation; its `messages` are paged when selected (see the resolvers).
pub(crate) fn conversation_json(c: &ConversationView) -> Value {
    json!({
        "id": number(&c.id),
        "subject": c.subject,
        "status": if c.closed { "CLOSED" } else { "OPEN" },
        "lastActivityAt": c.last_message_at,
        "participants": c.participants.iter().map(|p| user_by_id_json(p)).collect::<Vec<_>>(),
    })
}

/// A message; `read` is whether someone other than its author has read it, `readBy` who.
/// Its `conversation` holds only the id, from which the resolvers fetch the rest when asked.
pub(crate) fn message_json(m: &MessageView) -> Value {
    json!({
        "id": number(&m.id),
        "body": m.body,
        "author": user_json(m.sender),
        "createdAt": m.sent_at,
        "read": !m.read_by.is_empty(),
        "readBy": m.read_by.iter().map(|p| user_by_id_json(p)).collect::<Vec<_>>(),
        "attachments": m.attachments.iter().map(|a| attachment_json(a, None)).collect::<Vec<_>>(),
        "conversation": { "id": number(&m.conversation_id) },
    })
}

/// An attachment; `download_url` is given only where access was checked for it.
pub(crate) fn attachment_json(a: &AttachmentMeta, download_url: Option<String>) -> Value {
    json!({
        "id": number(&a.id),
        "filename": a.filename,
        "mediaType": a.media_type,
        "size": a.size,
        "sha256": a.sha256,
        "downloadUrl": download_url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_have_fixed_numbers_and_ids_take_numbers_or_digits() {
        let numbers: Vec<Option<u64>> = USERS.iter().map(|u| user_number(u.id)).collect();
        assert_eq!(
            numbers,
            [Some(1001), Some(1002), Some(1003), Some(1004), Some(1005)]
        );
        assert_eq!(
            user_by_number(&Id("1004".into())).map(|u| u.actor),
            Some("clinician")
        );
        assert_eq!(user_by_number(&Id("1006".into())), None);
        assert_eq!(user_by_number(&Id("7".into())), None);
        let id = |v: Value| serde_json::from_value::<Id>(v).map_err(|e| e.to_string());
        assert_eq!(id(json!(10001)), Ok(Id("10001".into())));
        assert_eq!(id(json!("10001")), Ok(Id("10001".into())));
        for bad in [json!("c-1"), json!(""), json!(-1), json!(1.5), json!(null)] {
            assert!(id(bad.clone()).is_err(), "{bad}");
        }
    }
}
