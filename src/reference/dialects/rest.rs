//! The `rest` dialect's JSON API: routes, and the conversation, message and attachment
//! resources under `/api` (bearer tokens).

use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use serde::Deserialize;
use serde_json::{Value, json};

use super::caller::Reader;
use super::flaky::flaky;
use super::rest_account;
use super::shared::{UPLOAD_BODY_LIMIT, attachment_response, read_upload};
use crate::reference::app::auth::Caller;
use crate::reference::app::error::ApiError;
use crate::reference::app::phi::phi;
use crate::reference::app::state::AppState;
use crate::reference::app::users::{self, User};
use crate::reference::app::views::{AttachmentMeta, ConversationView, MessageView};

/// The rest dialect's API routes.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    let messaging = Router::new()
        .route("/api/conversations", get(list).post(start))
        .route("/api/conversations/{cid}", get(conversation))
        .route(
            "/api/conversations/{cid}/messages",
            get(messages).post(reply),
        )
        .route("/api/conversations/{cid}/messages/{mid}", get(message))
        .route(
            "/api/conversations/{cid}/messages/{mid}/read",
            post(mark_read),
        )
        .route("/api/conversations/{cid}/close", post(close))
        .route(
            "/api/attachments",
            post(upload).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route("/api/attachments/{aid}", get(download))
        .route_layer(middleware::from_fn_with_state(state, flaky));
    rest_account::routes().merge(messaging)
}

fn user_json(u: &User) -> Value {
    json!({ "id": u.id, "display_name": u.display_name })
}

fn attachment_json(a: &AttachmentMeta) -> Value {
    json!({ "id": a.id, "filename": a.filename, "media_type": a.media_type, "size": a.size })
}

fn message_json(m: &MessageView) -> Value {
    json!({
        "id": m.id,
        "conversation_id": m.conversation_id,
        "body": m.body,
        "sender": user_json(m.sender),
        "sent_at": m.sent_at,
        "read": m.read_at.is_some(),
        "read_at": m.read_at,
        "attachments": m.attachments.iter().map(attachment_json).collect::<Vec<_>>(),
    })
}

fn conversation_json(c: &ConversationView) -> Value {
    json!({
        "id": c.id,
        "subject": c.subject,
        "participants": c.participants.iter().filter_map(|id| users::by_id(id)).map(user_json).collect::<Vec<_>>(),
        "closed": c.closed,
        "messages": c.messages.iter().map(message_json).collect::<Vec<_>>(),
    })
}

#[derive(Deserialize)]
struct StartBody {
    recipient_id: String,
    subject: String,
    body: String,
    #[serde(default)]
    attachment_ids: Vec<String>,
}

async fn start(
    State(state): State<AppState>,
    caller: Caller,
    Json(b): Json<StartBody>,
) -> Result<Response, ApiError> {
    let c = state.start_conversation(
        caller.user,
        &b.recipient_id,
        &b.subject,
        &b.body,
        &b.attachment_ids,
    )?;
    Ok(phi((StatusCode::CREATED, Json(conversation_json(&c)))))
}

async fn list(State(state): State<AppState>, caller: Caller) -> Response {
    let list: Vec<Value> = state
        .conversations(caller.user)
        .iter()
        .map(|c| json!({"id": c.id, "subject": c.subject, "closed": c.closed, "last_message_at": c.last_message_at}))
        .collect();
    phi(Json(json!({ "conversations": list })))
}

async fn conversation(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path(cid): Path<String>,
) -> Result<Response, ApiError> {
    Ok(phi(Json(conversation_json(
        &state.conversation(user, &cid)?,
    ))))
}

async fn messages(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path(cid): Path<String>,
) -> Result<Response, ApiError> {
    let c = state.conversation(user, &cid)?;
    let list: Vec<Value> = c.messages.iter().map(message_json).collect();
    Ok(phi(Json(json!({ "messages": list }))))
}

#[derive(Deserialize)]
struct ReplyBody {
    body: String,
    #[serde(default)]
    attachment_ids: Vec<String>,
}

async fn reply(
    State(state): State<AppState>,
    caller: Caller,
    Path(cid): Path<String>,
    Json(b): Json<ReplyBody>,
) -> Result<Response, ApiError> {
    let m = state.post_message(caller.user, &cid, &b.body, &b.attachment_ids)?;
    Ok(phi((StatusCode::CREATED, Json(message_json(&m)))))
}

async fn message(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path((cid, mid)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    Ok(phi(Json(message_json(&state.message(user, &cid, &mid)?))))
}

async fn mark_read(
    State(state): State<AppState>,
    caller: Caller,
    Path((cid, mid)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state.mark_read(caller.user, &cid, &mid)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn close(
    State(state): State<AppState>,
    caller: Caller,
    Path(cid): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.close(caller.user, &cid)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Multipart,
) -> Result<Response, ApiError> {
    let upload = read_upload(multipart, "file").await?;
    let file = upload
        .file
        .ok_or(ApiError::BadRequest("missing file part `file`"))?;
    let a = state.upload(caller.user, &file.filename, &file.media_type, file.bytes)?;
    let body = json!({"id": a.id, "filename": a.filename, "media_type": a.media_type, "size": a.size, "sha256": a.sha256});
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(aid): Path<String>,
) -> Result<Response, ApiError> {
    attachment_response(&state, &headers, &aid)
}
