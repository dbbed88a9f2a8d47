//! The resolvers of `Mutation`'s messaging fields: starting a conversation, sending a
//! message, marking one read, closing a conversation, and the two ends of an upload
//! (`createUpload` declares it and hands out a signed URL for its bytes; `completeUpload`
//! turns the arrived bytes into an attachment). Every one needs a signed-in caller; input
//! objects take exactly their fields.

use axum::http::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::ctx::Ctx;
use super::document::Field;
use super::errors::{Code, GraphError};
use super::json::{
    ById, Id, attachment_json, conversation_json, message_json, number, user_by_number,
};
use super::signing;
use crate::reference::app::state::rfc3339;
use crate::reference::app::uploads::Declaration;

#[derive(Deserialize)]
struct Input<T> {
    input: T,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StartInput {
    recipient_id: Id,
    subject: String,
    body: String,
    #[serde(default)]
    attachment_ids: Option<Vec<Id>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SendInput {
    conversation_id: Id,
    body: String,
    #[serde(default)]
    attachment_ids: Option<Vec<Id>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UploadInput {
    filename: String,
    media_type: String,
    size: u64,
    sha256: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ByMessageId {
    message_id: Id,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ByAttachmentId {
    attachment_id: Id,
}

fn ids(list: Option<Vec<Id>>) -> Vec<String> {
    list.unwrap_or_default()
        .into_iter()
        .map(|id| id.0)
        .collect()
}

/// The whole value of messaging field `f` of `Mutation`.
pub(crate) fn resolve(ctx: &Ctx, f: &Field) -> Result<Value, GraphError> {
    let user = ctx.caller()?.user;
    let state = ctx.state;
    match f.name.as_str() {
        "startConversation" => {
            let Input::<StartInput> { input } = f.args()?;
            // A number that is no user's names no one, which the shared rule answers 404.
            let recipient = user_by_number(&input.recipient_id).map_or("", |u| u.id);
            let c = state.start_conversation(
                user,
                recipient,
                &input.subject,
                &input.body,
                &ids(input.attachment_ids),
            )?;
            let first = c.messages.first().map_or(Value::Null, message_json);
            Ok(json!({ "conversation": conversation_json(&c), "message": first }))
        }
        "sendMessage" => {
            let Input::<SendInput> { input } = f.args()?;
            let m = state.post_message(
                user,
                &input.conversation_id.0,
                &input.body,
                &ids(input.attachment_ids),
            )?;
            Ok(json!({ "message": message_json(&m) }))
        }
        "markRead" => {
            let ByMessageId { message_id } = f.args()?;
            let cid = state.conversation_of(&message_id.0)?;
            state.mark_read(user, &cid, &message_id.0)?;
            Ok(message_json(&state.message(user, &cid, &message_id.0)?))
        }
        "closeConversation" => {
            let ById { id } = f.args()?;
            state.close(user, &id.0)?;
            Ok(conversation_json(&state.conversation_info(user, &id.0)?))
        }
        "createUpload" => {
            let Input::<UploadInput> { input } = f.args()?;
            let declared = Declaration {
                filename: &input.filename,
                media_type: &input.media_type,
                size: input.size,
                sha256: &input.sha256,
            };
            let id = state.declare_upload(user, &declared)?;
            let url = signing::sign(state, &Method::PUT, &id)
                .ok_or_else(|| GraphError::new(Code::Internal, "no storage host to upload to"))?;
            Ok(json!({
                "attachmentId": number(&id),
                "uploadUrl": url.url,
                "expiresAt": rfc3339(url.expires),
            }))
        }
        "completeUpload" => {
            let ByAttachmentId { attachment_id } = f.args()?;
            let meta = state.complete_upload(user, &attachment_id.0)?;
            Ok(attachment_json(&meta, None))
        }
        other => Err(GraphError::validation(format!(
            "Cannot query field \"{other}\" on type \"Mutation\"."
        ))),
    }
}
