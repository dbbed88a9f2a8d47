//! Paged lists read through the operation runner against a small server on 127.0.0.1: by
//! cursor, next link in the body, `Link` header and page number; the list's end; the bound on
//! pages; and the answers that make a list unreadable. Also the type check of what was read.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::engine::RunCtx;
use crate::engine::operation::{self, OpOutcome};
use crate::http::{HttpClient, HttpOptions, Session};
use crate::model::diag::SourceFile;
use crate::model::resolve::ResolvedTarget;
use crate::outcome::ErrorKind;

const POSTS: usize = 7;
const PER_PAGE: usize = 3;

fn post(i: usize) -> Value {
    let seen_by = if i % 2 == 1 {
        json!([{"user": "u-cl", "at": "2026-03-01T10:00:00Z"}])
    } else {
        json!([])
    };
    json!({"pid": format!("p{i}"), "text": format!("text {i}"), "by": "u-pa",
           "at": format!("2026-03-01T09:0{i}:00Z"), "seen_by": seen_by, "seen": "yes"})
}

/// Page `n` (1-based) of the seven posts, and whether more follow.
fn page(n: usize) -> (Vec<Value>, bool) {
    let from = (n.saturating_sub(1) * PER_PAGE).min(POSTS);
    let to = (from + PER_PAGE).min(POSTS);
    ((from + 1..=to).map(post).collect(), to < POSTS)
}

async fn serve(Path(mode): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    let number = |k: &str| q.get(k).and_then(|v| v.parse::<usize>().ok());
    let n = number("page").unwrap_or(1);
    match mode.as_str() {
        "cursor" => {
            // Exclusive: the page starts after the post named by `after`.
            let start = q
                .get("after")
                .and_then(|a| a.trim_start_matches('p').parse::<usize>().ok())
                .unwrap_or(0);
            let posts: Vec<Value> = (start + 1..=POSTS).take(PER_PAGE).map(post).collect();
            let more = start + PER_PAGE < POSTS;
            axum::Json(json!({"posts": posts, "has_more": more})).into_response()
        }
        "link" => {
            let (posts, more) = page(n);
            let mut links = vec![r#"</link?page=1>; rel="first""#.to_string()];
            if more {
                links.push(format!(r#"</link?page={}>; rel="next""#, n + 1));
            }
            links.push(r#"</link?page=3>; rel="last""#.to_string());
            (
                [(header::LINK, links.join(", "))],
                axum::Json(json!({"posts": posts})),
            )
                .into_response()
        }
        "body" => {
            let (posts, more) = page(n);
            let next = more.then(|| format!("body?page={}", n + 1));
            axum::Json(json!({"posts": posts, "links": {"next": next}})).into_response()
        }
        "pages" => axum::Json(json!({"posts": page(n).0})).into_response(),
        "endless" => {
            let i = number("after").unwrap_or(0) + 1;
            axum::Json(json!({"posts": [post(1)], "next": i, "has_more": true})).into_response()
        }
        "stuck" => axum::Json(json!({"posts": [post(1)], "has_more": true})).into_response(),
        "offsite" => axum::Json(
            json!({"posts": [post(1)], "links": {"next": "http://elsewhere.invalid/body?page=2"}}),
        )
        .into_response(),
        "late500" if n > 1 => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
        "late500" => axum::Json(json!({"posts": page(1).0, "more": "yes"})).into_response(),
        "denied" => (
            StatusCode::FORBIDDEN,
            axum::Json(json!({"posts": [post(1)]})),
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let app = Router::new().route("/{mode}", axum::routing::get(serve));
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

/// Runs `list_messages` mapped onto `/{path}` with this `paginate:` and `read:` mapping.
async fn list(path: &str, paginate: &str, read: &str) -> OpOutcome {
    let base = server().await;
    let yaml = format!(
        r#"name: pages
base_url: {base}
actors: {{}}
operations:
  list_messages:
    path: /{path}
    paginate: {paginate}
    outputs:
      messages:
        items: "$.posts[*]"
        item: {{ message_id: $.pid, body: $.text, author: $.by, created_at: $.at, read: {read} }}
"#
    );
    let src = Arc::new(SourceFile {
        path: "pages.yaml".into(),
        text: yaml,
    });
    let root = crate::model::load::parse(&src).expect("YAML");
    let profile = crate::model::load::target(&src, &root).expect("a profile");
    let target = ResolvedTarget::resolve(&profile, &src, false).expect("resolved");
    let rc = RunCtx {
        http: HttpClient::new(&target, &HttpOptions::default()).expect("client"),
        target,
        sessions: Default::default(),
        globals: Map::new(),
        recorded: Default::default(),
        max_wait: crate::engine::DEFAULT_MAX_WAIT,
        store: Default::default(),
        browser: false,
        interrupt: Default::default(),
    };
    let inputs = Map::new();
    operation::run(
        &rc,
        "list_messages",
        &inputs,
        &HashMap::new(),
        &Session::anonymous(),
    )
    .await
}

const RECEIPTS: &str = "{ json: $.seen_by, transform: not_empty }";

fn ids(out: &OpOutcome) -> Vec<String> {
    out.outputs["messages"]
        .as_array()
        .map(|ms| {
            ms.iter()
                .filter_map(|m| m["message_id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn all_posts() -> Vec<String> {
    (1..=POSTS).map(|i| format!("p{i}")).collect()
}

fn urls(out: &OpOutcome) -> Vec<String> {
    out.exchanges
        .iter()
        .map(|e| {
            let u = url::Url::parse(&e.url).expect("a URL");
            format!(
                "{}{}",
                u.path(),
                u.query().map_or(String::new(), |q| format!("?{q}"))
            )
        })
        .collect()
}

#[tokio::test]
async fn a_cursor_list_reads_every_page_until_has_more_is_false() {
    let out = list(
        "cursor?limit=3",
        r#"{ cursor: { param: after, from: "$.posts[-1:].pid" }, has_more: $.has_more }"#,
        RECEIPTS,
    )
    .await;
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(ids(&out), all_posts());
    assert_eq!(
        urls(&out),
        [
            "/cursor?limit=3",
            "/cursor?limit=3&after=p3",
            "/cursor?limit=3&after=p6"
        ],
        "every page is recorded, the cursor replacing the last one"
    );
    assert_eq!(out.responses.len(), 3);
    let read: Vec<&Value> = out.outputs["messages"]
        .as_array()
        .map(|ms| ms.iter().map(|m| &m["read"]).collect())
        .unwrap_or_default();
    assert_eq!(
        read,
        [true, false, true, false, true, false, true]
            .map(Value::Bool)
            .iter()
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_cursor_list_without_has_more_ends_on_an_empty_page() {
    let out = list(
        "cursor",
        r#"{ cursor: { param: after, from: "$.posts[-1:].pid" } }"#,
        RECEIPTS,
    )
    .await;
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(ids(&out), all_posts());
    assert_eq!(
        urls(&out).last().map(String::as_str),
        Some("/cursor?after=p7")
    );
    assert_eq!(out.exchanges.len(), 4);
}

#[tokio::test]
async fn a_link_header_list_follows_rel_next_until_there_is_none() {
    let out = list("link", "{ next: link_header }", RECEIPTS).await;
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(ids(&out), all_posts());
    assert_eq!(urls(&out), ["/link", "/link?page=2", "/link?page=3"]);
}

#[tokio::test]
async fn a_next_link_in_the_body_is_resolved_against_its_page() {
    let out = list("body", r#"{ next: "$.links.next" }"#, RECEIPTS).await;
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(ids(&out), all_posts());
    assert_eq!(urls(&out), ["/body", "/body?page=2", "/body?page=3"]);
}

#[tokio::test]
async fn a_numbered_list_asks_for_the_next_page_until_one_is_empty() {
    let out = list(
        "pages?per_page=3",
        "{ page: { param: page, start: 1 } }",
        RECEIPTS,
    )
    .await;
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(ids(&out), all_posts());
    assert_eq!(
        urls(&out),
        [
            "/pages?per_page=3",
            "/pages?per_page=3&page=2",
            "/pages?per_page=3&page=3",
            "/pages?per_page=3&page=4"
        ]
    );
}

#[tokio::test]
async fn more_pages_than_max_pages_is_an_error_naming_the_bound_not_a_shorter_list() {
    let out = list(
        "endless",
        "{ cursor: { param: after, from: $.next }, has_more: $.has_more, max_pages: 4 }",
        RECEIPTS,
    )
    .await;
    let e = out.error.expect("an error");
    assert_eq!(e.kind, ErrorKind::MissingOutput);
    assert!(e.message.contains("past 4 pages"), "{}", e.message);
    assert!(e.message.contains("max_pages: 4"), "{}", e.message);
    assert_eq!(out.exchanges.len(), 4, "exactly the bound was read");
    assert!(out.outputs.is_empty(), "no list cut short");
}

/// A list that cannot be read whole: its error's kind and message must be these, after this
/// many requests, and no list is given.
async fn unreadable(path: &str, paginate: &str, kind: ErrorKind, message: &str, sent: usize) {
    let out = list(path, paginate, RECEIPTS).await;
    let e = out.error.unwrap_or_else(|| panic!("{path}: an error"));
    assert_eq!(e.kind, kind, "{path}: {}", e.message);
    assert!(e.message.contains(message), "{path}: {}", e.message);
    assert_eq!(out.exchanges.len(), sent, "{path}: requests sent");
    assert!(out.outputs.is_empty(), "{path}: no list cut short");
}

#[tokio::test]
async fn lists_that_cannot_be_read_whole_are_errors() {
    let incomplete = ErrorKind::MissingOutput;
    unreadable(
        "stuck",
        "{ cursor: { param: after, from: '$.posts[-1:].pid' }, has_more: $.has_more }",
        incomplete,
        "page 3 would be `",
        2,
    )
    .await;
    unreadable(
        "stuck",
        "{ cursor: { param: after, from: $.next_cursor }, has_more: $.has_more }",
        incomplete,
        "page 1: `has_more` is true but the page gives no cursor (`$.next_cursor`)",
        1,
    )
    .await;
    unreadable(
        "offsite",
        "{ next: $.links.next }",
        incomplete,
        "page 1: the next link `http://elsewhere.invalid/body?page=2` leaves http://127.0.0.1",
        1,
    )
    .await;
    unreadable(
        "late500",
        "{ page: { param: page }, has_more: $.more }",
        incomplete,
        "page 1: `has_more: $.more` gave the text \"yes\", not true or false",
        1,
    )
    .await;
    unreadable(
        "late500",
        "{ page: { param: page } }",
        incomplete,
        "page 2 answered 500 Internal Server Error, which is not `ok`; the list is incomplete",
        2,
    )
    .await;
}

#[tokio::test]
async fn a_value_of_the_wrong_type_is_an_error_from_a_success_and_unread_otherwise() {
    let out = list("pages", "{ page: { param: page } }", "$.seen").await;
    let e = out.error.expect("a type error");
    assert_eq!(e.kind, ErrorKind::OutputType);
    assert_eq!(
        e.message,
        "output `messages[0].read` should be a boolean (true or false), found the text \"yes\""
    );
    let denied = list("denied", "{ page: { param: page } }", "$.seen").await;
    assert!(
        denied.error.is_none(),
        "a refusal is judged by the suite, not typed"
    );
    assert_eq!(
        denied.exchanges.len(),
        1,
        "a refused first page is not paged"
    );
    assert!(
        denied
            .missing
            .iter()
            .any(|(n, why)| n == "messages" && why.contains("should be a boolean"))
    );
}
