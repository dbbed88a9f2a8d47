//! Cursor pagination in the `threads` dialect: posts and threads page by `limit` and an
//! exclusive `after` cursor, with `has_more`; bad limits and unknown cursors are refused.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use super::threads::{get, reply, start_thread, token};
use super::*;

/// The pids of every page of thread `tid`'s posts at `limit` per page (None: the default),
/// with the number of pages.
async fn all_pids(
    server: &ReferenceServer,
    c: &Client,
    tok: &str,
    tid: &str,
    limit: Option<usize>,
) -> (Vec<String>, usize) {
    let (mut pids, mut pages, mut after) = (Vec::new(), 0, None::<String>);
    loop {
        let mut path = format!("/v2/threads/{tid}/posts?");
        if let Some(n) = limit {
            path.push_str(&format!("limit={n}&"));
        }
        if let Some(a) = &after {
            path.push_str(&format!("after={a}"));
        }
        let page = expect_json(get(server, c, &path, Some(tok)).await, StatusCode::OK).await;
        pages += 1;
        let posts = page["posts"].as_array().expect("posts");
        pids.extend(
            posts
                .iter()
                .map(|p| p["pid"].as_str().expect("pid").to_owned()),
        );
        after = pids.last().cloned();
        if page["has_more"] != json!(true) {
            return (pids, pages);
        }
        assert!(pages < 20, "pagination does not end");
    }
}

#[tokio::test]
async fn reference_threads_lists_page_by_an_exclusive_cursor() {
    let server = start(Dialect::Threads, &[]).await;
    let c = client(&server, false);
    let (pa, cl) = (
        token(&server, &c, "patient_a").await,
        token(&server, &c, "clinician").await,
    );
    let (tid, first) = start_thread(&server, &c, &pa, "post 1").await;
    let mut sent = vec![first];
    for n in 2..=7 {
        let who = if n % 2 == 0 { &cl } else { &pa };
        sent.push(reply(&server, &c, who, &tid, json!({"text": format!("post {n}")})).await);
    }
    // Default page size 3: 3 + 3 + 1, in order, each post once.
    let (pids, pages) = all_pids(&server, &c, &pa, &tid, None).await;
    assert_eq!((pids.clone(), pages), (sent.clone(), 3));
    let (pids, pages) = all_pids(&server, &c, &pa, &tid, Some(2)).await;
    assert_eq!((pids, pages), (sent.clone(), 4));
    let (pids, pages) = all_pids(&server, &c, &pa, &tid, Some(50)).await;
    assert_eq!((pids, pages), (sent.clone(), 1));
    // The cursor is exclusive: after the third post comes the fourth.
    let path = format!("/v2/threads/{tid}/posts?limit=1&after={}", sent[2]);
    let page = expect_json(get(&server, &c, &path, Some(&pa)).await, StatusCode::OK).await;
    assert_eq!(
        (&page["posts"][0]["pid"], &page["has_more"]),
        (&json!(sent[3]), &json!(true))
    );
    let path = format!("/v2/threads/{tid}/posts?after={}", sent[6]);
    let page = expect_json(get(&server, &c, &path, Some(&pa)).await, StatusCode::OK).await;
    assert_eq!(page, json!({"posts": [], "has_more": false}));
    for bad in ["limit=0", "limit=51", "limit=two", "after=pst_aaaaaaaaaaaa"] {
        let path = format!("/v2/threads/{tid}/posts?{bad}");
        let resp = get(&server, &c, &path, Some(&pa)).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{bad}");
    }

    // The thread list pages the same way, most recent activity first.
    let mut tids = vec![tid];
    for n in 0..3 {
        tids.push(
            start_thread(&server, &c, &pa, &format!("thread {n}"))
                .await
                .0,
        );
    }
    tids.reverse();
    let first = expect_json(
        get(&server, &c, "/v2/threads", Some(&pa)).await,
        StatusCode::OK,
    )
    .await;
    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|t| t["tid"].as_str().expect("tid").to_owned())
            .collect()
    };
    assert_eq!(
        (ids(&first), &first["has_more"]),
        (tids[..3].to_vec(), &json!(true))
    );
    let path = format!("/v2/threads?after={}", tids[2]);
    let second = expect_json(get(&server, &c, &path, Some(&pa)).await, StatusCode::OK).await;
    assert_eq!(
        (ids(&second), &second["has_more"]),
        (tids[3..].to_vec(), &json!(false))
    );
}
