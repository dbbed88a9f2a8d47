//! The `forms` dialect's API: cookie sessions, a CSRF token on every POST (form field or
//! multipart part `authenticity_token`), form-encoded writes and JSON reads.

use std::collections::HashMap;

use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use serde::Deserialize;
use serde_json::{Value, json};

use super::caller::Reader;
use super::flaky::flaky;
use super::shared::{UPLOAD_BODY_LIMIT, attachment_response, read_upload};
use crate::reference::app::auth::{Caller, same_secret};
use crate::reference::app::error::ApiError;
use crate::reference::app::phi::phi;
use crate::reference::app::request::field;
use crate::reference::app::state::{AppState, rfc3339};
use crate::reference::app::users::{self, User};
use crate::reference::app::views::MessageView;

const CSRF_FIELD: &str = "authenticity_token";

type Fields = Form<HashMap<String, String>>;

/// The forms dialect's API routes.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    let messaging = Router::new()
        .route("/threads", get(threads).post(start))
        .route("/threads/{tid}", get(thread))
        .route("/threads/{tid}/posts", post(reply))
        .route("/threads/{tid}/posts/{pid}/seen", post(seen))
        .route("/threads/{tid}/lock", post(lock))
        .route(
            "/files",
            post(upload).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route("/files/{fid}/raw", get(raw))
        .route_layer(middleware::from_fn_with_state(state, flaky));
    Router::new()
        .route("/whoami", get(whoami))
        .route("/admin/access-log", get(access_log))
        .route("/_test/notifications", get(notifications))
        .merge(messaging)
}

/// Refuses (403) a POST whose `authenticity_token` is not the session's CSRF token.
fn check_csrf(caller: &Caller, form: &HashMap<String, String>) -> Result<(), ApiError> {
    if same_secret(field(form, CSRF_FIELD), &caller.csrf) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("invalid authenticity token"))
    }
}

/// Comma-separated file ids; empty means none.
fn file_ids(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn state_name(closed: bool) -> &'static str {
    if closed { "locked" } else { "open" }
}

fn post_json(m: &MessageView) -> Value {
    json!({
        "pid": m.id,
        "body_text": m.body,
        "author": { "uid": m.sender.id },
        "created": m.sent_at,
        "seen": m.read_at.is_some(),
        "files": m.attachments.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
    })
}

fn account_json(u: &User) -> Value {
    json!({"uid": u.id, "kind": u.role.as_str(), "full_name": u.display_name})
}

async fn whoami(caller: Caller) -> Response {
    phi(Json(json!({"account": account_json(caller.user)})))
}

async fn start(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Fields,
) -> Result<Response, ApiError> {
    check_csrf(&caller, &form)?;
    let c = state.start_conversation(
        caller.user,
        field(&form, "recipient"),
        field(&form, "topic"),
        field(&form, "text"),
        &file_ids(field(&form, "files")),
    )?;
    let pid = c
        .messages
        .first()
        .map(|m| m.id.as_str())
        .unwrap_or_default();
    let body = json!({"thread": {"tid": c.id, "topic": c.subject}, "post": {"pid": pid}});
    Ok(phi((StatusCode::CREATED, Json(body))))
}

async fn threads(State(state): State<AppState>, caller: Caller) -> Response {
    let list: Vec<Value> = state
        .conversations(caller.user)
        .iter()
        .map(|c| json!({"tid": c.id, "topic": c.subject, "state": state_name(c.closed)}))
        .collect();
    phi(Json(json!({ "threads": list })))
}

async fn thread(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path(tid): Path<String>,
) -> Result<Response, ApiError> {
    let c = state.conversation(user, &tid)?;
    let members: Vec<Value> = c
        .participants
        .iter()
        .filter_map(|id| users::by_id(id))
        .map(account_json)
        .collect();
    Ok(phi(Json(json!({
        "tid": c.id,
        "topic": c.subject,
        "state": state_name(c.closed),
        "members": members,
        "posts": c.messages.iter().map(post_json).collect::<Vec<_>>(),
    }))))
}

async fn reply(
    State(state): State<AppState>,
    caller: Caller,
    Path(tid): Path<String>,
    Form(form): Fields,
) -> Result<Response, ApiError> {
    check_csrf(&caller, &form)?;
    let files = file_ids(field(&form, "files"));
    let m = state.post_message(caller.user, &tid, field(&form, "text"), &files)?;
    Ok(phi((
        StatusCode::CREATED,
        Json(json!({"post": {"pid": m.id}})),
    )))
}

async fn seen(
    State(state): State<AppState>,
    caller: Caller,
    Path((tid, pid)): Path<(String, String)>,
    Form(form): Fields,
) -> Result<StatusCode, ApiError> {
    check_csrf(&caller, &form)?;
    state.mark_read(caller.user, &tid, &pid)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn lock(
    State(state): State<AppState>,
    caller: Caller,
    Path(tid): Path<String>,
    Form(form): Fields,
) -> Result<StatusCode, ApiError> {
    check_csrf(&caller, &form)?;
    state.close(caller.user, &tid)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Multipart,
) -> Result<Response, ApiError> {
    let upload = read_upload(multipart, "upload").await?;
    check_csrf(&caller, &upload.fields)?;
    let file = upload
        .file
        .ok_or(ApiError::BadRequest("missing file part `upload`"))?;
    let a = state.upload(caller.user, &file.filename, &file.media_type, file.bytes)?;
    let body =
        json!({"file": {"fid": a.id, "name": a.filename, "type": a.media_type, "bytes": a.size}});
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn raw(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(fid): Path<String>,
) -> Result<Response, ApiError> {
    attachment_response(&state, &headers, &fid)
}

#[derive(Deserialize)]
struct AccountQuery {
    account: String,
}

async fn access_log(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AccountQuery>,
) -> Result<Response, ApiError> {
    let entries: Vec<Value> = state
        .audit_events(caller.user, &q.account)?
        .iter()
        .map(|e| json!({"who": e.actor_id, "what": e.action, "target": e.resource, "when": rfc3339(e.at)}))
        .collect();
    Ok(Json(json!({ "entries": entries })).into_response())
}

async fn notifications(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<AccountQuery>,
) -> Result<Response, ApiError> {
    let key = headers.get("x-outbox-key").and_then(|v| v.to_str().ok());
    if !key.is_some_and(|k| same_secret(k, &state.outbox_token)) {
        return Err(ApiError::Unauthorized);
    }
    let items: Vec<Value> = state
        .notifications(&q.account)?
        .iter()
        .map(|n| json!({"via": n.channel, "address": n.to, "body": n.text}))
        .collect();
    Ok(Json(json!({ "items": items })).into_response())
}
