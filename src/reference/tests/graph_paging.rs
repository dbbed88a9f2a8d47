//! Relay-style pagination in the `graph` dialect: a conversation's messages (oldest first)
//! and the caller's conversations (most recent activity first) page by `first` and the
//! exclusive cursor `after`, with `pageInfo`; a bad `first` or an unknown cursor is refused.

use reqwest::Client;
use serde_json::{Value, json};

use super::graph::{code, data, gql, refused, send, start_conversation, token};
use super::*;

const MESSAGES: &str = "query($id: ID!, $first: Int, $after: String) { conversation(id: $id) { messages(first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }";

/// The message ids of every page of conversation `cid` at `first` per page (None: the
/// default), with the number of pages.
async fn all_ids(
    server: &ReferenceServer,
    c: &Client,
    tok: &str,
    cid: u64,
    first: Option<u64>,
) -> (Vec<u64>, usize) {
    let (mut ids, mut pages, mut after) = (Vec::new(), 0, Value::Null);
    loop {
        let vars = json!({ "id": cid, "first": first, "after": after });
        let d = data(server, c, Some(tok), MESSAGES, vars).await;
        let connection = &d["conversation"]["messages"];
        pages += 1;
        let edges = connection["edges"].as_array().expect("edges");
        ids.extend(edges.iter().map(|e| e["node"]["id"].as_u64().expect("id")));
        let info = &connection["pageInfo"];
        assert_eq!(
            info["endCursor"],
            edges.last().map_or(Value::Null, |e| e["cursor"].clone())
        );
        after = info["endCursor"].clone();
        if info["hasNextPage"] != json!(true) {
            return (ids, pages);
        }
        assert!(pages < 20, "pagination does not end");
    }
}

#[tokio::test]
async fn reference_graph_connections_page_by_an_exclusive_cursor() {
    let server = start(Dialect::Graph, &[]).await;
    let c = client(&server, false);
    let (pa, cl) = (
        token(&server, &c, "patient_a").await,
        token(&server, &c, "clinician").await,
    );
    let (cid, first) = start_conversation(&server, &c, &pa, "message 1").await;
    let mut sent = vec![first];
    for n in 2..=7 {
        let who = if n % 2 == 0 { &cl } else { &pa };
        sent.push(send(&server, &c, who, cid, &format!("message {n}"), &[]).await);
    }
    // Default page size 3: 3 + 3 + 1, in order, each message once.
    assert_eq!(
        all_ids(&server, &c, &pa, cid, None).await,
        (sent.clone(), 3)
    );
    assert_eq!(
        all_ids(&server, &c, &pa, cid, Some(2)).await,
        (sent.clone(), 4)
    );
    assert_eq!(
        all_ids(&server, &c, &pa, cid, Some(50)).await,
        (sent.clone(), 1)
    );
    // The cursor is exclusive, and opaque: the id in base64.
    let third = data(
        &server,
        &c,
        Some(&pa),
        MESSAGES,
        json!({ "id": cid, "first": 3 }),
    )
    .await;
    let cursor = third["conversation"]["messages"]["pageInfo"]["endCursor"].clone();
    assert_eq!(
        cursor.as_str().map(base64_decode),
        Some(sent[2].to_string())
    );
    let next = data(
        &server,
        &c,
        Some(&pa),
        MESSAGES,
        json!({ "id": cid, "first": 1, "after": cursor }),
    )
    .await;
    let page = &next["conversation"]["messages"];
    assert_eq!(
        (
            &page["edges"][0]["node"]["id"],
            &page["pageInfo"]["hasNextPage"]
        ),
        (&json!(sent[3]), &json!(true))
    );
    for (first, after) in [
        (json!(0), Value::Null),
        (json!(51), Value::Null),
        (json!(-3), Value::Null),
        (json!("two"), Value::Null),
        (Value::Null, json!("OTk5OTk=")),
        (Value::Null, json!("***")),
    ] {
        let vars = json!({ "id": cid, "first": first, "after": after });
        let (_, body) = gql(&server, &c, Some(&pa), MESSAGES, vars).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{first} {after}: {body}");
        assert_eq!(body["data"], Value::Null);
    }

    // Conversations page the same way, most recent activity first.
    let mut cids = vec![cid];
    for n in 0..3 {
        cids.push(
            start_conversation(&server, &c, &pa, &format!("conversation {n}"))
                .await
                .0,
        );
    }
    cids.reverse();
    let list = "query($after: String) { conversations(after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }";
    let ids = |d: &Value| -> Vec<u64> {
        d["conversations"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["id"].as_u64().expect("id"))
            .collect()
    };
    let one = data(&server, &c, Some(&pa), list, json!({})).await;
    assert_eq!(
        (ids(&one), &one["conversations"]["pageInfo"]["hasNextPage"]),
        (cids[..3].to_vec(), &json!(true))
    );
    let after = one["conversations"]["pageInfo"]["endCursor"].clone();
    let two = data(&server, &c, Some(&pa), list, json!({ "after": after })).await;
    assert_eq!(
        (ids(&two), &two["conversations"]["pageInfo"]["hasNextPage"]),
        (cids[3..].to_vec(), &json!(false))
    );
    let bad = refused(&server, &c, Some(&pa), list, json!({ "after": "MQ==" })).await;
    assert_eq!(bad, "BAD_USER_INPUT");
}

fn base64_decode(s: &str) -> String {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s)
        .expect("base64");
    String::from_utf8(bytes).expect("utf-8")
}
