//! The resolvers of `Query`'s fields (`me`, `conversations`, `conversation`, `message`,
//! `attachment`), and of the fields below the root that are worked out only when selected: a
//! conversation's `messages` (a page, audited as reads of the messages on it) and a message's
//! `conversation`. Conversation and message reads take the reader that `unauth-message` lets
//! in; the `attachment` query lets anyone in under `unauth-attachment`.

use axum::http::Method;
use serde_json::Value;

use super::ctx::Ctx;
use super::document::Field;
use super::errors::{Code, GraphError};
use super::json::{ById, attachment_json, conversation_json, message_json, user_json};
use super::paging::{PageArgs, connection};
use super::signing;
use crate::reference::app::flaws::Flaw;
use crate::reference::app::paging;
use crate::reference::dialects::caller::api_caller;

/// The whole value of root field `f` of `Query`.
pub(crate) fn resolve(ctx: &Ctx, f: &Field) -> Result<Value, GraphError> {
    match f.name.as_str() {
        "me" => Ok(user_json(ctx.caller()?.user)),
        "conversations" => conversations(ctx, f),
        "conversation" => {
            let ById { id } = f.args()?;
            let c = ctx.state.conversation_info(ctx.reader()?, &id.0)?;
            Ok(conversation_json(&c))
        }
        "message" => {
            let ById { id } = f.args()?;
            let user = ctx.reader()?;
            let cid = ctx.state.conversation_of(&id.0)?;
            Ok(message_json(&ctx.state.message(user, &cid, &id.0)?))
        }
        "attachment" => attachment(ctx, f),
        other => Err(GraphError::validation(format!(
            "Cannot query field \"{other}\" on type \"Query\"."
        ))),
    }
}

fn conversations(ctx: &Ctx, f: &Field) -> Result<Value, GraphError> {
    let caller = ctx.caller()?;
    let args: PageArgs = f.args()?;
    let after = args.after_id()?;
    let page = paging::page(
        ctx.state.conversations(caller.user),
        args.request(&after)?,
        |c| &c.id,
    )?;
    Ok(connection(&page, |c| &c.id, conversation_json))
}

fn attachment(ctx: &Ctx, f: &Field) -> Result<Value, GraphError> {
    let ById { id } = f.args()?;
    let user = match api_caller(ctx.state, ctx.headers) {
        Some(c) => Some(c.user),
        None if ctx.state.has(Flaw::UnauthAttachment) => None,
        None => return Err(GraphError::unauthenticated()),
    };
    let meta = ctx.state.attachment_access(user, &id.0)?;
    let url = signing::sign(ctx.state, &Method::GET, &meta.id)
        .ok_or_else(|| GraphError::new(Code::Internal, "no storage host to sign a URL for"))?;
    Ok(attachment_json(&meta, Some(url.url)))
}

/// The value of field `f` of an object of type `ty` if it is worked out when selected rather
/// than read from `parent`; `None` for every other field.
pub(crate) fn nested(
    ctx: &Ctx,
    ty: &str,
    f: &Field,
    parent: &Value,
) -> Option<Result<Value, GraphError>> {
    match (ty, f.name.as_str()) {
        ("Conversation", "messages") => Some(messages(ctx, f, parent)),
        ("Message", "conversation") => Some(message_conversation(ctx, parent)),
        _ => None,
    }
}

/// The id at `parent[key]`, as the store writes it.
fn id_at(parent: &Value, key: &str) -> Result<String, GraphError> {
    match &parent[key] {
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(GraphError::new(
            Code::Internal,
            format!("no `{key}` to resolve from"),
        )),
    }
}

fn messages(ctx: &Ctx, f: &Field, conversation: &Value) -> Result<Value, GraphError> {
    let cid = id_at(conversation, "id")?;
    let args: PageArgs = f.args()?;
    let after = args.after_id()?;
    let page = ctx
        .state
        .message_page(ctx.reader()?, &cid, args.request(&after)?)?;
    Ok(connection(&page, |m| &m.id, message_json))
}

fn message_conversation(ctx: &Ctx, message: &Value) -> Result<Value, GraphError> {
    let cid = id_at(&message["conversation"], "id")?;
    let c = ctx.state.conversation_info(ctx.reader()?, &cid)?;
    Ok(conversation_json(&c))
}
