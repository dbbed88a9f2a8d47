//! The `graph` dialect's plain HTTP endpoints beside GraphQL: the test mailbox behind HTTP
//! Basic (`mailbox` and the outbox token), and the audit log exported as CSV for clinic staff.

use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::json;

use super::json::{Id, number, user_by_number, user_number};
use crate::reference::app::auth::{Caller, same_secret};
use crate::reference::app::error::{ApiError, json_error};
use crate::reference::app::request::basic;
use crate::reference::app::state::{AppState, AuditEvent, rfc3339};
use crate::reference::app::users::{self, User};

/// The mailbox's Basic username; its password is the outbox token.
const MAILBOX_USER: &str = "mailbox";

/// The mailbox and export routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/mailbox/api/messages", get(mailbox))
        .route("/exports/audit-events.csv", get(audit_csv))
}

/// The user a query names by number (`1001`) or, where `by_address`, by e-mail address too.
fn named_user(raw: &str, by_address: bool) -> Option<&'static User> {
    if raw.bytes().all(|b| b.is_ascii_digit()) {
        user_by_number(&Id(raw.to_owned()))
    } else if by_address {
        users::by_username(raw)
    } else {
        None
    }
}

#[derive(Deserialize)]
struct MailboxQuery {
    to: Option<String>,
}

async fn mailbox(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<MailboxQuery>,
) -> Result<Response, ApiError> {
    let signed_in = basic(&headers).is_some_and(|(user, pass)| {
        user == MAILBOX_USER && same_secret(&pass, &state.outbox_token)
    });
    if !signed_in {
        let mut resp = ApiError::Unauthorized.into_response();
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Basic realm=\"mailbox\""),
        );
        return Ok(resp);
    }
    let to = q.to.ok_or(ApiError::BadRequest("to is required"))?;
    let recipient = named_user(&to, true).ok_or(ApiError::NotFound)?;
    let sent = state.notifications(recipient.id)?;
    let messages: Vec<_> = sent
        .iter()
        .map(|n| json!({"id": number(&n.id), "channel": n.channel, "to": n.to, "subject": n.subject, "text": n.text}))
        .collect();
    Ok(Json(json!({ "total": messages.len(), "messages": messages })).into_response())
}

#[derive(Deserialize)]
struct SubjectQuery {
    subject: Option<String>,
}

async fn audit_csv(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<SubjectQuery>,
) -> Result<Response, ApiError> {
    let subject = q
        .subject
        .ok_or(ApiError::BadRequest("subject is required"))?;
    // An unknown number still goes to the shared rule, so a patient hears 403 for any subject.
    let subject_id = named_user(&subject, false).map_or("", |u| u.id);
    let events = state.audit_events(caller.user, subject_id)?;
    match csv_of(&events) {
        Ok(text) => Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"audit-events.csv\"",
                ),
            ],
            text,
        )
            .into_response()),
        Err(_) => Ok(json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error",
        )),
    }
}

/// The events as CSV: a header row, then one row per event; an anonymous actor (an
/// `unauth-attachment` download) has an empty `actor_id`.
fn csv_of(events: &[AuditEvent]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "event_id",
        "occurred_at",
        "actor_id",
        "action",
        "resource_id",
    ])?;
    for e in events {
        let actor = user_number(e.actor_id)
            .map(|n| n.to_string())
            .unwrap_or_default();
        w.write_record([e.id.as_str(), &rfc3339(e.at), &actor, e.action, &e.resource])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}
