//! `kind: request`: a vendor that signs in through a GraphQL mutation. vvcheck sends the login
//! mutation, reads the token, refresh token and lifetime from the answer by JSONPath, sends the
//! token in the scheme's header template, refreshes it with the refresh mutation before it
//! expires (rotating the refresh token), reads a relay-style list page by page with its cursor in
//! the query's variables, and shows neither token in any output. A wrong password is an error that
//! quotes the vendor's reason.

mod common;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use common::vendor::{SuiteRun, serve};
use serde_json::{Value, json};

const PASSWORD: &str = "graph pässword 42";
const ITEMS: usize = 5;

/// What the stand-in vendor has issued and seen.
#[derive(Default)]
struct Vendor {
    /// The access tokens still valid, and the one refresh token that is.
    tokens: Vec<String>,
    refresh: Option<String>,
    issued: usize,
    logins: usize,
    refreshes: usize,
    /// The `after` variable of each list request.
    afters: Vec<Value>,
}

type Shared = Arc<Mutex<Vendor>>;

fn error(code: &str, message: &str) -> Value {
    json!({ "data": null, "errors": [{ "message": message, "extensions": { "code": code } }] })
}

/// Issues a new token pair (the old refresh token stops working).
fn issue(v: &mut Vendor, field: &str) -> Value {
    v.issued += 1;
    let token = format!("acc-{:04}-zq8Hw2", v.issued);
    let refresh = format!("ref-{:04}-Pq7Lx9", v.issued);
    v.tokens.push(token.clone());
    v.refresh = Some(refresh.clone());
    json!({ "data": { field: {
        "accessToken": token, "refreshToken": refresh, "expiresIn": 1, "user": { "id": 7001 }
    } } })
}

async fn graphql(
    State(v): State<Shared>,
    h: HeaderMap,
    body: axum::Json<Value>,
) -> axum::Json<Value> {
    let mut v = v.lock().expect("vendor state");
    let query = body["query"].as_str().unwrap_or_default();
    let vars = &body["variables"];
    let answer = if query.contains("login(") {
        v.logins += 1;
        if vars["email"] == "pat@graph.test" && vars["password"] == PASSWORD {
            issue(&mut v, "login")
        } else {
            error("UNAUTHENTICATED", "invalid email or password")
        }
    } else if query.contains("refreshSession(") {
        v.refreshes += 1;
        if vars["token"].as_str().is_some() && vars["token"].as_str() == v.refresh.as_deref() {
            issue(&mut v, "refreshSession")
        } else {
            error("UNAUTHENTICATED", "refresh token not valid")
        }
    } else {
        let bearer = h
            .get("x-graph-token")
            .and_then(|t| t.to_str().ok())
            .unwrap_or_default()
            .to_string();
        if !v.tokens.contains(&bearer) {
            error("UNAUTHENTICATED", "not signed in")
        } else {
            v.afters.push(vars["after"].clone());
            let start: usize = vars["after"]
                .as_str()
                .and_then(|c| c.strip_prefix("c"))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let edges: Vec<Value> = (start + 1..=ITEMS)
                .take(2)
                .map(|i| json!({ "cursor": format!("c{i}"), "node": { "id": 100 + i, "subject": format!("Subject {i}") } }))
                .collect();
            let end = edges
                .last()
                .map(|e| e["cursor"].clone())
                .unwrap_or(Value::Null);
            json!({ "data": { "conversations": {
                "edges": edges,
                "pageInfo": { "hasNextPage": start + 2 < ITEMS, "endCursor": end }
            } } })
        }
    };
    axum::Json(answer)
}

const SUITE: &str = r#"
- id: fun.graph.lists
  title: The patient lists their conversations, page by page
  requirements: [FUN-01]
  steps:
    - call: list_conversations
      as: patient_a
      expect:
        outputs: { "conversations[*].conversation_id": { contains: "105" } }
    - call: list_conversations
      as: patient_a
    - call: list_conversations
      as: anonymous
      expect: { outcome: denied }
"#;

fn profile(base: &str) -> String {
    format!(
        r#"name: graph vendor
base_url: {base}
auth:
  api:
    kind: request
    login:
      method: POST
      path: /graphql
      json:
        query: "mutation($email: String!, $password: String!) {{ login(email: $email, password: $password) {{ accessToken refreshToken expiresIn user {{ id }} }} }}"
        variables: {{ email: "{{{{username}}}}", password: "{{{{password}}}}" }}
    token: $.data.login.accessToken
    refresh_token: $.data.login.refreshToken
    expires_in: $.data.login.expiresIn
    send: {{ X-Graph-Token: "{{{{token}}}}" }}
    refresh:
      request:
        method: POST
        path: /graphql
        json:
          query: "mutation($token: String!) {{ refreshSession(refreshToken: $token) {{ accessToken refreshToken expiresIn }} }}"
          variables: {{ token: "{{{{refresh_token}}}}" }}
      token: $.data.refreshSession.accessToken
      refresh_token: $.data.refreshSession.refreshToken
      expires_in: $.data.refreshSession.expiresIn
    capture: {{ id: $.data.login.user.id }}
actors:
  patient_a: {{ auth: api, username: pat@graph.test, password: {{ env: GRAPH_PASSWORD }} }}
outcomes:
  ok: [{{ status: 200, json: {{ path: $.errors, absent: true }} }}]
  denied: [{{ status: 200, json: {{ path: "$.errors[*].extensions.code", in: [UNAUTHENTICATED, FORBIDDEN, NOT_FOUND] }} }}]
operations:
  list_conversations:
    method: POST
    path: /graphql
    json:
      query: "query($after: String) {{ conversations(first: 2, after: $after) {{ edges {{ cursor node {{ id subject }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
      variables: {{ after: "{{{{after}}}}" }}
    paginate:
      cursor: {{ variable: after, from: $.data.conversations.pageInfo.endCursor }}
      has_more: $.data.conversations.pageInfo.hasNextPage
    outputs:
      conversations:
        items: "$.data.conversations.edges[*].node"
        item: {{ conversation_id: $.id, subject: $.subject }}
"#
    )
}

async fn run(password: &str) -> (SuiteRun, common::cli::Run, Shared) {
    let state: Shared = Arc::default();
    let app = Router::new()
        .route("/graphql", post(graphql))
        .with_state(Arc::clone(&state));
    let base = serve(app).await;
    let r = SuiteRun::new(&profile(&base), SUITE);
    let out = r
        .command(&["-v"])
        .env("GRAPH_PASSWORD", password)
        .run_async()
        .await;
    (r, out, state)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graphql_login_is_sent_refreshed_and_kept_out_of_every_output() {
    let (r, out, state) = run(PASSWORD).await;
    out.assert_code(0);
    let v = state.lock().expect("vendor state");
    assert_eq!(v.logins, 1, "one login; renewals refresh");
    assert!(v.refreshes >= 1, "a 1-second token is refreshed before use");
    assert_eq!(
        v.afters.iter().filter(|a| a.is_null()).count(),
        2,
        "each list starts with `after: null`: {:?}",
        v.afters
    );
    assert_eq!(
        v.afters.iter().filter(|a| *a == "c2").count(),
        2,
        "and asks for the next pages by cursor: {:?}",
        v.afters
    );
    let mut texts = vec![out.stdout.clone(), out.stderr.clone()];
    for f in ["junit.xml", "results.json"] {
        texts.push(std::fs::read_to_string(r.out.join(f)).expect("report written"));
    }
    for t in &texts {
        for secret in ["acc-0", "ref-0", PASSWORD] {
            assert!(!t.contains(secret), "`{secret}` leaked:\n{t}");
        }
    }
    let results = std::fs::read_to_string(r.out.join("results.json")).expect("results");
    assert!(
        results.contains("was refreshed"),
        "the renewal is in the evidence: {results}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_graphql_login_says_why_in_the_vendor_s_words() {
    let (r, out, _) = run("wrong").await;
    assert_eq!(out.code(), 1, "{out}");
    let results = std::fs::read_to_string(r.out.join("results.json")).expect("results");
    assert!(
        results.contains("the login's answer has no token")
            && results.contains("it says \\\"invalid email or password\\\""),
        "{results}"
    );
}
