//! A vendor whose lists come in pages and whose read receipts are lists: posts are paged three at
//! a time by an exclusive `after` cursor with `has_more`, threads two at a time by a `Link:
//! rel="next"` header, and a post's `seen_by: [{user, at}]` says who read it. `vvcheck run` with
//! a profile that pages (`paginate:`) and turns `seen_by` into the contract's boolean `read`
//! (`transform: not_empty`) reads a seven-post thread whole over three pages and judges its
//! receipts; the same profile bounded to two pages ends in an error naming the bound, and one
//! that maps `read` onto the list itself ends in a type error — neither a shorter list nor a
//! false failure.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use axum::{Json, Router};
use serde_json::{Value, json};

use common::cli::vvcheck;
use common::vendor::serve;

const USERS: [(&str, &str, &str); 2] = [
    ("pa@paging.test", "u-pa", "patient-a-pw-1"),
    ("dr@paging.test", "u-cl", "clinician-pw-1"),
];

struct Post {
    pid: String,
    text: String,
    author: String,
    posted_at: String,
    seen_by: Vec<Value>,
}

struct Thread {
    tid: String,
    title: String,
    members: Vec<String>,
    posts: Vec<Post>,
}

#[derive(Default)]
struct Store {
    tokens: HashMap<String, String>,
    threads: Vec<Thread>,
    /// Makes ids and strictly increasing timestamps.
    counter: u32,
}

impl Store {
    fn tick(&mut self) -> (u32, String) {
        self.counter += 1;
        let n = self.counter;
        let at = format!(
            "2026-03-01T{:02}:{:02}:{:02}Z",
            9 + n / 3600,
            (n / 60) % 60,
            n % 60
        );
        (n, at)
    }

    fn post(&mut self, author: &str, text: &str) -> Post {
        let (n, at) = self.tick();
        Post {
            pid: format!("pst_{n:04}"),
            text: text.to_string(),
            author: author.to_string(),
            posted_at: at,
            seen_by: Vec::new(),
        }
    }

    fn thread(&mut self, members: Vec<String>, title: &str, first: Post) -> usize {
        let (n, _) = self.tick();
        self.threads.push(Thread {
            tid: format!("thr_{n:04}"),
            title: title.to_string(),
            members,
            posts: vec![first],
        });
        self.threads.len() - 1
    }
}

type Shared = Arc<Mutex<Store>>;

fn caller(store: &Store, headers: &HeaderMap) -> Option<String> {
    let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    store.tokens.get(auth.strip_prefix("Bearer ")?).cloned()
}

fn post_json(p: &Post) -> Value {
    json!({"pid": p.pid, "text": p.text, "author": {"uid": p.author}, "posted_at": p.posted_at, "seen_by": p.seen_by})
}

/// The items after `after` (exclusive), `limit` of them, and whether more follow; an unknown
/// cursor is `None`.
fn page<'a, T>(
    items: &'a [T],
    id: impl Fn(&T) -> &str,
    after: Option<&String>,
    limit: usize,
) -> Option<(&'a [T], bool)> {
    let start = match after {
        None => 0,
        Some(a) => items.iter().position(|i| id(i) == a)? + 1,
    };
    let end = (start + limit).min(items.len());
    Some((&items[start..end], end < items.len()))
}

fn limit(q: &HashMap<String, String>) -> usize {
    q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(3)
}

async fn token(State(s): State<Shared>, Form(f): Form<HashMap<String, String>>) -> Response {
    let user = USERS.iter().find(|(name, _, pw)| {
        f.get("username").map(String::as_str) == Some(*name)
            && f.get("password").map(String::as_str) == Some(*pw)
    });
    let Some((_, uid, _)) = user else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    };
    let mut store = s.lock().expect("unpoisoned");
    let t = format!("tok-{uid}-{}", store.tokens.len());
    store.tokens.insert(t.clone(), uid.to_string());
    Json(json!({"access_token": t, "token_type": "Bearer", "uid": uid})).into_response()
}

async fn start(State(s): State<Shared>, headers: HeaderMap, Json(b): Json<Value>) -> Response {
    let mut store = s.lock().expect("unpoisoned");
    let Some(me) = caller(&store, &headers) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let to = b["to"].as_str().unwrap_or_default().to_string();
    let first = store.post(&me, b["text"].as_str().unwrap_or_default());
    let pid = first.pid.clone();
    let i = store.thread(vec![me, to], b["title"].as_str().unwrap_or_default(), first);
    let tid = store.threads[i].tid.clone();
    (
        StatusCode::CREATED,
        Json(json!({"thread": {"tid": tid}, "first_post": {"pid": pid}})),
    )
        .into_response()
}

async fn threads(
    State(s): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let store = s.lock().expect("unpoisoned");
    let Some(me) = caller(&store, &headers) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let mine: Vec<&Thread> = store
        .threads
        .iter()
        .filter(|t| t.members.contains(&me))
        .collect();
    let Some((items, more)) = page(&mine, |t| &t.tid, q.get("after"), limit(&q)) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let body: Vec<Value> = items
        .iter()
        .map(|t| json!({"tid": t.tid, "title": t.title}))
        .collect();
    let mut links = vec![format!(r#"</v2/threads?limit={}>; rel="first""#, limit(&q))];
    if let (true, Some(last)) = (more, items.last()) {
        links.push(format!(
            r#"</v2/threads?limit={}&after={}>; rel="next"; title="more, later""#,
            limit(&q),
            last.tid
        ));
    }
    (
        [(header::LINK, links.join(", "))],
        Json(json!({"items": body})),
    )
        .into_response()
}

async fn reply(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(tid): Path<String>,
    Json(b): Json<Value>,
) -> Response {
    let mut store = s.lock().expect("unpoisoned");
    let Some(me) = caller(&store, &headers) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let post = store.post(&me, b["text"].as_str().unwrap_or_default());
    let Some(t) = store
        .threads
        .iter_mut()
        .find(|t| t.tid == tid && t.members.contains(&me))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let body = post_json(&post);
    t.posts.push(post);
    (StatusCode::CREATED, Json(body)).into_response()
}

async fn posts(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(tid): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let store = s.lock().expect("unpoisoned");
    let Some(me) = caller(&store, &headers) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let Some(t) = store
        .threads
        .iter()
        .find(|t| t.tid == tid && t.members.contains(&me))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some((items, more)) = page(&t.posts, |p| &p.pid, q.get("after"), limit(&q)) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "unknown cursor"})),
        )
            .into_response();
    };
    let body: Vec<Value> = items.iter().map(post_json).collect();
    Json(json!({"posts": body, "has_more": more})).into_response()
}

async fn receipt(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path((tid, pid)): Path<(String, String)>,
) -> Response {
    let mut store = s.lock().expect("unpoisoned");
    let Some(me) = caller(&store, &headers) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let (_, at) = store.tick();
    let post = store
        .threads
        .iter_mut()
        .filter(|t| t.tid == tid && t.members.contains(&me))
        .flat_map(|t| t.posts.iter_mut())
        .find(|p| p.pid == pid && p.author != me);
    match post {
        Some(p) => {
            p.seen_by.push(json!({"user": me, "at": at}));
            StatusCode::NO_CONTENT.into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn vendor() -> String {
    let store: Shared = Arc::default();
    {
        // Other threads of the clinician's, so that the thread list runs to two pages.
        let mut s = store.lock().expect("unpoisoned");
        for title in ["Earlier visit", "Lab results", "Prescription"] {
            let first = s.post("u-pa", "An earlier question");
            s.thread(vec!["u-pa".into(), "u-cl".into()], title, first);
        }
    }
    let app = Router::new()
        .route("/v2/oauth/token", post(token))
        .route("/v2/threads", post(start).get(threads))
        .route("/v2/threads/{tid}/posts", post(reply).get(posts))
        .route("/v2/threads/{tid}/posts/{pid}/receipt", put(receipt))
        .with_state(store);
    serve(app).await
}

fn profile(base: &str, secrets: &std::path::Path, max_pages: u32, read: &str) -> String {
    let secrets = secrets.display();
    format!(
        r#"name: paging vendor
base_url: {base}
http_url: {base}
auth:
  api: {{ kind: oauth2_password, token_url: /v2/oauth/token, client_id: paging, capture: {{ id: $.uid }} }}
actors:
  patient_a: {{ auth: api, username: pa@paging.test, password: {{ file: {secrets}, key: PATIENT_A_PASSWORD }} }}
  clinician: {{ auth: api, username: dr@paging.test, password: {{ file: {secrets}, key: CLINICIAN_PASSWORD }} }}
operations:
  start_conversation:
    method: POST
    path: /v2/threads
    json: {{ to: "{{{{actors[to].id}}}}", title: "{{{{subject}}}}", text: "{{{{body}}}}" }}
    outputs: {{ conversation_id: $.thread.tid, message_id: $.first_post.pid }}
  send_message:
    method: POST
    path: /v2/threads/{{{{conversation_id}}}}/posts
    json: {{ text: "{{{{body}}}}" }}
    outputs: {{ message_id: $.pid }}
  list_conversations:
    path: /v2/threads
    query: {{ limit: "2" }}
    paginate: {{ next: link_header }}
    outputs:
      conversations: {{ items: "$.items[*]", item: {{ conversation_id: $.tid, subject: $.title }} }}
  list_messages:
    path: /v2/threads/{{{{conversation_id}}}}/posts
    query: {{ limit: "3" }}
    paginate: {{ cursor: {{ param: after, from: "$.posts[-1:].pid" }}, has_more: $.has_more, max_pages: {max_pages} }}
    outputs:
      messages:
        items: "$.posts[*]"
        item: {{ message_id: $.pid, body: $.text, author: $.author.uid, created_at: $.posted_at, read: {read} }}
  mark_read:
    method: PUT
    path: /v2/threads/{{{{conversation_id}}}}/posts/{{{{message_id}}}}/receipt
"#
    )
}

/// Seven posts, the first two read by their recipient, then the whole thread read back.
const SUITE: &str = r#"- id: paging.thread-read-whole
  title: A seven-post thread is read whole over its pages, with its read receipts
  requirements: [FUN-02, FUN-05]
  steps:
    - call: start_conversation
      as: patient_a
      with: { to: clinician, subject: "Paging ({{run_id}})", body: "post 1" }
      save: { first_id: message_id }
    - call: send_message
      as: clinician
      with: { conversation_id: "{{conversation_id}}", body: "post 2" }
      save: { second_id: message_id }
    - { call: send_message, as: patient_a, with: { conversation_id: "{{conversation_id}}", body: "post 3" } }
    - { call: send_message, as: clinician, with: { conversation_id: "{{conversation_id}}", body: "post 4" } }
    - { call: send_message, as: patient_a, with: { conversation_id: "{{conversation_id}}", body: "post 5" } }
    - { call: send_message, as: clinician, with: { conversation_id: "{{conversation_id}}", body: "post 6" } }
    - { call: send_message, as: patient_a, with: { conversation_id: "{{conversation_id}}", body: "post 7" } }
    - call: mark_read
      as: clinician
      with: { conversation_id: "{{conversation_id}}", message_id: "{{first_id}}" }
    - call: mark_read
      as: patient_a
      with: { conversation_id: "{{conversation_id}}", message_id: "{{second_id}}" }
    - call: list_messages
      as: patient_a
      with: { conversation_id: "{{conversation_id}}" }
      expect:
        outputs:
          messages: { count: 7 }
          messages[*].body: ["post 1", "post 2", "post 3", "post 4", "post 5", "post 6", "post 7"]
          messages[*].read: [true, true, false, false, false, false, false]
          messages[*].created_at: { sorted: true }
    - call: list_conversations
      as: clinician
      expect:
        outputs:
          conversations: { count: 4 }
          conversations[*].conversation_id: { contains: "{{conversation_id}}" }
"#;

struct Setup {
    dir: tempfile::TempDir,
    base: String,
}

impl Setup {
    /// Runs the suite against the vendor through a profile with these `max_pages` and `read:`;
    /// returns the exit code and the one check's result.
    async fn run(&self, name: &str, max_pages: u32, read: &str) -> (Option<i32>, Value) {
        let dir = self.dir.path();
        let target = dir.join(format!("{name}.yaml"));
        let text = profile(&self.base, &dir.join("secrets.env"), max_pages, read);
        std::fs::write(&target, text).expect("profile written");
        let out = dir.join(format!("out-{name}"));
        let run = vvcheck(["run", "--target"])
            .arg(&target)
            .arg("--suites")
            .arg(dir.join("suites"))
            .arg("--out")
            .arg(&out)
            .run_async()
            .await;
        let results: Value = serde_json::from_str(
            &std::fs::read_to_string(out.join("results.json")).expect("results.json written"),
        )
        .expect("results.json is JSON");
        let check = results["checks"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["id"] == "paging.thread-read-whole"))
            .cloned()
            .unwrap_or_else(|| panic!("the check ran\n{run}"));
        (run.code, check)
    }
}

fn exchanges<'a>(check: &'a Value, needle: &str) -> Vec<&'a str> {
    check["exchanges"]
        .as_array()
        .map(|xs| {
            xs.iter()
                .filter_map(Value::as_str)
                .filter(|x| x.contains(needle))
                .collect()
        })
        .unwrap_or_default()
}

const RECEIPTS: &str = "{ json: $.seen_by, transform: not_empty }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paged_thread_is_read_whole_and_its_receipts_become_read() {
    let base = vendor().await;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("secrets.env"),
        format!(
            "PATIENT_A_PASSWORD={}\nCLINICIAN_PASSWORD={}\n",
            USERS[0].2, USERS[1].2
        ),
    )
    .expect("secrets written");
    std::fs::create_dir(dir.path().join("suites")).expect("suites folder");
    std::fs::write(dir.path().join("suites/paging.yaml"), SUITE).expect("suite written");
    let setup = Setup { dir, base };

    let (code, check) = setup.run("paged", 20, RECEIPTS).await;
    assert_eq!(check["status"], "pass", "{check:#}");
    assert_eq!(code, Some(0), "{check:#}");
    let pages = exchanges(&check, "/posts?limit=3");
    assert_eq!(pages.len(), 3, "three pages, each recorded: {pages:#?}");
    assert!(!pages[0].contains("after="), "{}", pages[0]);
    for page in &pages[1..] {
        assert!(
            page.contains("&after=pst_") && page.ends_with("→ 200 OK"),
            "{page}"
        );
    }
    let thread_pages = exchanges(&check, "/v2/threads?");
    assert_eq!(
        thread_pages.len(),
        2,
        "the Link header's next page: {thread_pages:#?}"
    );

    let (code, bounded) = setup.run("bounded", 2, RECEIPTS).await;
    assert_eq!(bounded["status"], "error", "{bounded:#}");
    assert_eq!(code, Some(1));
    assert_eq!(bounded["error"]["kind"], "missing_output", "{bounded:#}");
    let message = bounded["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("list_messages as patient_a: the list goes on past 2 pages (`paginate: { max_pages: 2 }`)"),
        "{message}"
    );
    assert_eq!(exchanges(&bounded, "/posts?limit=3").len(), 2);

    let (code, typed) = setup.run("untyped", 20, "$.seen_by").await;
    assert_eq!(
        typed["status"], "error",
        "a list where a boolean belongs is no verdict: {typed:#}"
    );
    assert_eq!(code, Some(1));
    assert_eq!(typed["error"]["kind"], "output_type", "{typed:#}");
    assert_eq!(
        typed["error"]["message"],
        "list_messages as patient_a: output `messages[0].read` should be a boolean (true or false), found a list of 1; not a verdict"
    );
}
