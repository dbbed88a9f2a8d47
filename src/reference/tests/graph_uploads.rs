//! Attachments in the `graph` dialect: the upload declared by `createUpload` (allow-list and
//! size limit up front), its bytes PUT to a signed URL on the storage origin (only what was
//! declared, never with an `Authorization` header), `completeUpload`, and the download by the
//! signed URL the `attachment` query gives.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use super::graph::{
    COMPLETE, create_upload, data, download_url, gql, put_bytes, refused, sha256_hex, token, upload,
};
use super::*;

/// The status and the `<Code>` of a storage answer.
async fn storage_code(resp: reqwest::Response) -> (StatusCode, String) {
    let status = resp.status();
    assert_eq!(header(&resp, "content-type"), "application/xml");
    let text = resp.text().await.expect("xml");
    let code = text
        .split("<Code>")
        .nth(1)
        .and_then(|rest| rest.split("</Code>").next())
        .unwrap_or_else(|| panic!("no code in {text}"))
        .to_owned();
    (status, code)
}

/// `url` with its query parameter `name` set to `value`.
fn with_param(url: &str, name: &str, value: &str) -> String {
    let mut u = url::Url::parse(url).expect("url");
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == name {
                value.to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    u.query_pairs_mut().clear().extend_pairs(pairs);
    u.to_string()
}

async fn create(server: &ReferenceServer, c: &Client, tok: &str, input: Value) -> String {
    refused(
        server,
        c,
        Some(tok),
        "mutation($input: CreateUploadInput!) { createUpload(input: $input) { attachmentId } }",
        json!({ "input": input }),
    )
    .await
}

#[tokio::test]
async fn reference_graph_uploads_are_declared_first() {
    let server = start(Dialect::Graph, &[]).await;
    let c = client(&server, false);
    let pa = token(&server, &c, "patient_a").await;
    let sha = sha256_hex(b"x");
    let input = |media: &str, size: Value, sha: &str| json!({ "filename": "f", "mediaType": media, "size": size, "sha256": sha });
    assert_eq!(
        create(&server, &c, &pa, input("application/zip", json!(1), &sha)).await,
        "UNSUPPORTED_MEDIA_TYPE"
    );
    assert_eq!(
        create(
            &server,
            &c,
            &pa,
            input("image/png", json!(10 * 1024 * 1024 + 1), &sha)
        )
        .await,
        "PAYLOAD_TOO_LARGE"
    );
    for (size, digest) in [(json!(-1), sha.as_str()), (json!(1), "abc")] {
        let got = create(&server, &c, &pa, input("image/png", size.clone(), digest)).await;
        assert_eq!(got, "BAD_USER_INPUT", "{size} {digest}");
    }
    let mut odd = input("image/png", json!(1), &sha);
    odd["owner"] = json!(1001);
    assert_eq!(create(&server, &c, &pa, odd).await, "BAD_USER_INPUT");
    let anon = gql(
        &server,
        &c,
        None,
        "mutation($input: CreateUploadInput!) { createUpload(input: $input) { attachmentId } }",
        json!({ "input": input("image/png", json!(1), &sha) }),
    )
    .await;
    assert_eq!(anon.1["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");

    // The ticket: an id, a PUT URL on the storage origin valid five minutes.
    let d = data(
        &server,
        &c,
        Some(&pa),
        "mutation($input: CreateUploadInput!) { createUpload(input: $input) { attachmentId uploadUrl expiresAt } }",
        json!({ "input": input("Image/PNG; x=1", json!(1), &sha.to_uppercase()) }),
    )
    .await;
    let ticket = &d["createUpload"];
    let aid = ticket["attachmentId"].as_u64().expect("id");
    let storage = server.storage_url.clone().expect("storage");
    let to = ticket["uploadUrl"].as_str().expect("url");
    assert!(
        to.starts_with(&format!("{storage}/blobs/{aid}?expires=")),
        "{to}"
    );
    let expires = ticket["expiresAt"].as_str().expect("expiresAt");
    let at = time::OffsetDateTime::parse(expires, &time::format_description::well_known::Rfc3339)
        .expect("RFC 3339");
    let left = at - time::OffsetDateTime::now_utc();
    assert!(
        left > time::Duration::seconds(280) && left <= time::Duration::seconds(300),
        "{left}"
    );
    let put = put_bytes(&c, to, b"x".to_vec(), "image/png").await;
    assert_eq!(put.status(), StatusCode::OK);
}

#[tokio::test]
async fn reference_graph_storage_takes_only_what_was_declared() {
    let server = start(Dialect::Graph, &[]).await;
    let c = client(&server, false);
    let (pa, pb) = (
        token(&server, &c, "patient_a").await,
        token(&server, &c, "patient_b").await,
    );
    let bytes = sample_bytes();
    let (aid, to) = create_upload(&server, &c, &pa, &bytes, "image/png").await;

    // Completing before the bytes arrive is bad input.
    let early = refused(&server, &c, Some(&pa), COMPLETE, json!({ "id": aid })).await;
    assert_eq!(early, "BAD_USER_INPUT");

    // The API token has no business on the storage origin.
    let leaked = c
        .put(&to)
        .bearer_auth(&pa)
        .header("content-type", "image/png")
        .body(bytes.clone())
        .send()
        .await
        .expect("storage");
    let status = leaked.status();
    let text = leaked.text().await.expect("xml");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        text.contains(
            "<Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message>"
        ),
        "{text}"
    );

    let mut short = bytes.clone();
    short.pop();
    let mut changed = bytes.clone();
    changed[0] ^= 1;
    let mut long = bytes.clone();
    long.push(0);
    for (body, media, want) in [
        (
            short,
            "image/png",
            (StatusCode::BAD_REQUEST, "IncompleteBody"),
        ),
        (
            long,
            "image/png",
            (StatusCode::BAD_REQUEST, "IncompleteBody"),
        ),
        (changed, "image/png", (StatusCode::BAD_REQUEST, "BadDigest")),
        (
            bytes.clone(),
            "image/jpeg",
            (StatusCode::BAD_REQUEST, "InvalidArgument"),
        ),
    ] {
        let got = storage_code(put_bytes(&c, &to, body, media).await).await;
        assert_eq!(got, (want.0, want.1.to_owned()), "{media}");
    }
    let oversized = put_bytes(&c, &to, vec![0; 10 * 1024 * 1024 + 1], "image/png").await;
    assert_eq!(
        storage_code(oversized).await,
        (StatusCode::PAYLOAD_TOO_LARGE, "EntityTooLarge".to_owned())
    );

    // Signatures: forged, moved to another id or method, or missing.
    let forged = with_param(&to, "sig", &"0".repeat(64));
    let later = with_param(&to, "expires", "4102444800");
    let other_id = to.replace(
        &format!("/blobs/{aid}?"),
        &format!("/blobs/{}?", aid + 1000),
    );
    let unsigned = to.split('?').next().expect("path").to_owned();
    for (target, want) in [
        (&forged, "SignatureDoesNotMatch"),
        (&later, "SignatureDoesNotMatch"),
        (&other_id, "SignatureDoesNotMatch"),
        (&unsigned, "AccessDenied"),
    ] {
        let got = storage_code(put_bytes(&c, target, bytes.clone(), "image/png").await).await;
        assert_eq!(got, (StatusCode::FORBIDDEN, want.to_owned()), "{target}");
    }
    let read_with_put_url = c.get(&to).send().await.expect("storage");
    assert_eq!(
        storage_code(read_with_put_url).await,
        (StatusCode::FORBIDDEN, "SignatureDoesNotMatch".to_owned())
    );
    let posted = c
        .post(&to)
        .body(bytes.clone())
        .send()
        .await
        .expect("storage");
    assert_eq!(
        storage_code(posted).await,
        (
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed".to_owned()
        )
    );
    let nowhere = c
        .get(format!(
            "{}/elsewhere",
            server.storage_url.as_deref().expect("storage")
        ))
        .send()
        .await
        .expect("storage");
    assert_eq!(
        storage_code(nowhere).await,
        (StatusCode::NOT_FOUND, "NoSuchKey".to_owned())
    );

    // The right bytes go in; only their uploader completes them; then they are fixed.
    let put = put_bytes(&c, &to, bytes.clone(), "image/png").await;
    assert_eq!(put.status(), StatusCode::OK);
    let theirs = refused(&server, &c, Some(&pb), COMPLETE, json!({ "id": aid })).await;
    assert_eq!(theirs, "NOT_FOUND");
    let done = data(&server, &c, Some(&pa), COMPLETE, json!({ "id": aid })).await;
    assert_eq!(
        done["completeUpload"],
        json!({"id": aid, "filename": "bp-log.png", "mediaType": "image/png",
               "size": bytes.len(), "sha256": sha256_hex(&bytes)})
    );
    let again = data(&server, &c, Some(&pa), COMPLETE, json!({ "id": aid })).await;
    assert_eq!(again, done);
    let after = put_bytes(&c, &to, bytes.clone(), "image/png").await;
    assert_eq!(
        storage_code(after).await,
        (StatusCode::FORBIDDEN, "AccessDenied".to_owned())
    );
    let unknown = refused(&server, &c, Some(&pa), COMPLETE, json!({ "id": 99_999 })).await;
    assert_eq!(unknown, "NOT_FOUND");
}

#[tokio::test]
async fn reference_graph_downloads_by_signed_url() {
    let server = start(Dialect::Graph, &[]).await;
    let c = client(&server, false);
    let (pa, pb) = (
        token(&server, &c, "patient_a").await,
        token(&server, &c, "patient_b").await,
    );
    let bytes = sample_bytes();
    let aid = upload(&server, &c, &pa, bytes.clone()).await;
    let to = download_url(&server, &c, Some(&pa), aid).await;
    let got = c.get(&to).send().await.expect("download");
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(header(&got, "content-type"), "image/png");
    assert!(header(&got, "content-disposition").starts_with("attachment; filename=\"bp-log.png\""));
    assert_eq!(header(&got, "cache-control"), "no-store");
    assert!(header(&got, "strict-transport-security").starts_with("max-age="));
    assert_eq!(got.bytes().await.expect("bytes").to_vec(), bytes);
    // The same URL with the token is refused; so is one the caller may not have.
    let with_token = c.get(&to).bearer_auth(&pa).send().await.expect("download");
    assert_eq!(
        storage_code(with_token).await,
        (StatusCode::BAD_REQUEST, "InvalidArgument".to_owned())
    );
    let denied = refused(
        &server,
        &c,
        Some(&pb),
        "query($id: ID!) { attachment(id: $id) { downloadUrl } }",
        json!({ "id": aid }),
    )
    .await;
    assert_eq!(denied, "NOT_FOUND");
    // A message's attachments carry no URL: only the attachment query signs one.
    let (cid, _) = super::graph::start_conversation(&server, &c, &pa, "see scan").await;
    super::graph::send(&server, &c, &pa, cid, "scan", &[aid]).await;
    let d = data(
        &server,
        &c,
        Some(&pa),
        "query($id: ID!) { conversation(id: $id) { messages { edges { node { attachments { id downloadUrl } } } } } }",
        json!({ "id": cid }),
    )
    .await;
    assert_eq!(
        d["conversation"]["messages"]["edges"][1]["node"]["attachments"],
        json!([{"id": aid, "downloadUrl": null}])
    );
}
