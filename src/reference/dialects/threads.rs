//! The `threads` dialect's JSON API under `/v2` (bearer tokens): threads and their posts, read
//! receipts, archiving, and attachments. Lists page by cursor; there is no single-post route,
//! a post is read through its thread's post list.

use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router, middleware};
use serde::Deserialize;
use serde_json::{Value, json};

use super::caller::Reader;
use super::flaky::flaky;
use super::shared::{UPLOAD_BODY_LIMIT, attachment_response, read_upload};
use super::threads_account;
use super::threads_json::{ListQuery, attachment_json, page_json, post_json, thread_json};
use crate::reference::app::auth::Caller;
use crate::reference::app::error::ApiError;
use crate::reference::app::paging::{self, Page};
use crate::reference::app::phi::phi;
use crate::reference::app::state::AppState;

/// The threads dialect's API routes.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    let messaging = Router::new()
        .route("/v2/threads", get(threads).post(start))
        .route("/v2/threads/{tid}", get(thread).patch(archive))
        .route("/v2/threads/{tid}/posts", get(posts).post(reply))
        .route("/v2/threads/{tid}/posts/{pid}/receipt", put(receipt))
        .route(
            "/v2/attachments",
            post(upload).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route("/v2/attachments/{aid}/content", get(content))
        .route_layer(middleware::from_fn_with_state(state, flaky));
    threads_account::routes().merge(messaging)
}

async fn threads(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let list = state.conversations(caller.user);
    let page = paging::page(list, q.page()?, |c| &c.id)?;
    Ok(phi(Json(page_json("items", &page, thread_json))))
}

#[derive(Deserialize)]
struct StartBody {
    to: String,
    title: String,
    text: String,
    #[serde(default)]
    attachments: Vec<String>,
}

async fn start(
    State(state): State<AppState>,
    caller: Caller,
    Json(b): Json<StartBody>,
) -> Result<Response, ApiError> {
    let c = state.start_conversation(caller.user, &b.to, &b.title, &b.text, &b.attachments)?;
    let first = c.messages.first().map(post_json).unwrap_or(Value::Null);
    let location = format!("/v2/threads/{}", c.id);
    let body = json!({ "thread": thread_json(&c), "first_post": first });
    Ok(phi((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(body),
    )))
}

async fn thread(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path(tid): Path<String>,
) -> Result<Response, ApiError> {
    Ok(phi(Json(thread_json(
        &state.conversation_info(user, &tid)?,
    ))))
}

async fn posts(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path(tid): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let (c, has_more) = state.conversation_page(user, &tid, q.page()?)?;
    let page = Page {
        items: c.messages,
        has_more,
    };
    Ok(phi(Json(page_json("posts", &page, post_json))))
}

#[derive(Deserialize)]
struct ReplyBody {
    text: String,
    #[serde(default)]
    attachments: Vec<String>,
}

async fn reply(
    State(state): State<AppState>,
    caller: Caller,
    Path(tid): Path<String>,
    Json(b): Json<ReplyBody>,
) -> Result<Response, ApiError> {
    let m = state.post_message(caller.user, &tid, &b.text, &b.attachments)?;
    Ok(phi((StatusCode::CREATED, Json(post_json(&m)))))
}

async fn receipt(
    State(state): State<AppState>,
    caller: Caller,
    Path((tid, pid)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state.mark_read(caller.user, &tid, &pid)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct ArchiveBody {
    status: String,
}

async fn archive(
    State(state): State<AppState>,
    caller: Caller,
    Path(tid): Path<String>,
    Json(b): Json<ArchiveBody>,
) -> Result<Response, ApiError> {
    if b.status != "archived" {
        return Err(ApiError::BadRequest("status can only be set to archived"));
    }
    state.close(caller.user, &tid)?;
    Ok(Json(json!({ "tid": tid, "status": "archived" })).into_response())
}

async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Multipart,
) -> Result<Response, ApiError> {
    let upload = read_upload(multipart, "blob").await?;
    let file = upload
        .file
        .ok_or(ApiError::BadRequest("missing file part `blob`"))?;
    let a = state.upload(caller.user, &file.filename, &file.media_type, file.bytes)?;
    let mut body = attachment_json(&a);
    body["sha256"] = json!(a.sha256);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn content(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(aid): Path<String>,
) -> Result<Response, ApiError> {
    attachment_response(&state, &headers, &aid)
}
