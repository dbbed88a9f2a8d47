//! The PHI flaws (`phi-in-url`, `phi-in-notification`, `other-patient-phi`,
//! `no-privacy-link`), which live in the layers and the application every dialect shares: what
//! each does, read through each dialect's own API, and that the clean server does none of it.
//! The per-dialect flaw tests call [`bites`] from their exhaustive matches.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::json;

use super::*;

/// What one dialect showed patient A and the clinician after she wrote to the clinician.
pub(super) struct Shown {
    /// The headers of her reading her conversation (an answer with PHI, to a patient).
    pub headers: HeaderMap,
    /// Her conversation as she reads it, participants included.
    pub conversation: String,
    /// The clinician's notifications, as the test outbox answers.
    pub notifications: String,
    /// The public entry page.
    pub entry: String,
}

const TEXT: &str = "Ma tension est à 150/95 depuis lundi.";
const PA_NAME: &str = "Zoë Tremblay";
const PB_NAME: &str = "Marc-André Lefebvre";

/// Patient A writes to the clinician, reads her conversation; the clinician's outbox and the
/// entry page are read, all through the dialect's own routes.
pub(super) async fn shown(server: &ReferenceServer) -> Shown {
    let c = client(server, false);
    let entry = c
        .get(url(server, "/"))
        .send()
        .await
        .expect("entry")
        .text()
        .await
        .expect("entry text");
    let (resp, notifications) = match server.dialect {
        Dialect::Rest => {
            let pa = super::rest::token(server, &c, "patient_a").await;
            let (cid, _) = super::rest::start_conversation(server, &c, &pa, TEXT).await;
            let resp = c
                .get(url(server, &format!("/api/conversations/{cid}")))
                .bearer_auth(&pa)
                .send()
                .await
                .expect("conversation");
            let outbox = c
                .get(url(server, &format!("/test/outbox?recipient={CL}")))
                .bearer_auth(&server.outbox_token)
                .send()
                .await
                .expect("outbox");
            (resp, outbox)
        }
        Dialect::Forms => {
            let s = super::forms::sign_in(server, "patient_a").await;
            let (tid, _) = super::forms::start_thread(server, &s, TEXT).await;
            let resp = s
                .client
                .get(url(server, &format!("/threads/{tid}")))
                .send()
                .await
                .expect("thread");
            let outbox = c
                .get(url(server, &format!("/_test/notifications?account={CL}")))
                .header("X-Outbox-Key", &server.outbox_token)
                .send()
                .await
                .expect("outbox");
            (resp, outbox)
        }
        Dialect::Threads => {
            let pa = super::threads::token(server, &c, "patient_a").await;
            let (tid, _) = super::threads::start_thread(server, &c, &pa, TEXT).await;
            let resp =
                super::threads::get(server, &c, &format!("/v2/threads/{tid}"), Some(&pa)).await;
            let sandbox = c
                .post(url(server, "/v2/oauth/token"))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", "vvcheck-sandbox"),
                    ("client_secret", server.outbox_token.as_str()),
                ])
                .send()
                .await
                .expect("sandbox token");
            let sandbox = expect_json(sandbox, StatusCode::OK).await;
            let tok = sandbox["access_token"].as_str().expect("token").to_owned();
            let outbox = super::threads::get(
                server,
                &c,
                &format!("/v2/sandbox/notifications?recipient={CL}"),
                Some(&tok),
            )
            .await;
            (resp, outbox)
        }
        Dialect::Graph => {
            let pa = super::graph::token(server, &c, "patient_a").await;
            let (cid, _) = super::graph::start_conversation(server, &c, &pa, TEXT).await;
            let query =
                "query($id: ID!) { conversation(id: $id) { subject participants { id name } } }";
            let resp = super::graph::post(
                server,
                &c,
                Some(&pa),
                json!({ "query": query, "variables": { "id": cid } }),
            )
            .await;
            let outbox = c
                .get(url(
                    server,
                    "/mailbox/api/messages?to=amrit.singh@clinic.reference.test",
                ))
                .basic_auth("mailbox", Some(&server.outbox_token))
                .send()
                .await
                .expect("mailbox");
            (resp, outbox)
        }
    };
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(notifications.status(), StatusCode::OK);
    let headers = resp.headers().clone();
    Shown {
        headers,
        conversation: resp.text().await.expect("conversation text"),
        notifications: notifications.text().await.expect("outbox text"),
        entry,
    }
}

/// The `Link` headers of an answer, joined.
fn links(h: &HeaderMap) -> String {
    h.get_all("link")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether the entry page links to a privacy notice, and to the terms of use.
fn policy_links(entry: &str) -> (bool, bool) {
    let hrefs: Vec<&str> = entry
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    (
        hrefs.iter().any(|h| h.contains("privacy")),
        hrefs.iter().any(|h| h.contains("terms")),
    )
}

/// The harm each PHI flaw does, as read from what a dialect showed.
#[derive(Debug, Default, PartialEq, Eq)]
struct Harm {
    /// A `Link` names patient A and her health number (`phi-in-url`).
    phi_in_link: bool,
    /// The clinician's notification quotes her name and her text (`phi-in-notification`).
    phi_in_notification: bool,
    /// Her conversation names patient B (`other-patient-phi`).
    other_patient: bool,
    /// The entry page has no privacy link (`no-privacy-link`).
    no_privacy_link: bool,
}

fn harm(shown: &Shown) -> Harm {
    let link = links(&shown.headers);
    let (privacy, terms) = policy_links(&shown.entry);
    assert!(terms, "the terms of use stay linked");
    Harm {
        phi_in_link: link.contains("name=Zo%C3%AB+Tremblay") && link.contains("hcn=9876543217"),
        phi_in_notification: shown.notifications.contains(PA_NAME)
            && shown.notifications.contains("150/95"),
        other_patient: shown.conversation.contains(PB_NAME),
        no_privacy_link: !privacy,
    }
}

/// Shows that `flaw` does what it says in `shown`, and none of the other PHI flaws' harm.
pub(super) fn bites(flaw: Flaw, shown: &Shown) {
    let expected = match flaw {
        Flaw::PhiInUrl => Harm {
            phi_in_link: true,
            ..Harm::default()
        },
        Flaw::PhiInNotification => Harm {
            phi_in_notification: true,
            ..Harm::default()
        },
        Flaw::OtherPatientPhi => Harm {
            other_patient: true,
            ..Harm::default()
        },
        Flaw::NoPrivacyLink => Harm {
            no_privacy_link: true,
            ..Harm::default()
        },
        other => panic!("`{other}` is not a PHI flaw"),
    };
    assert_eq!(
        harm(shown),
        expected,
        "{flaw}: link {:?}, notifications {}",
        links(&shown.headers),
        shown.notifications
    );
}

/// The PHI flaws bite in `rest` and `forms` (whose flaw tests are one per flaw), and no dialect
/// does any of their harm when clean; `threads` and `graph` call [`bites`] from their own
/// exhaustive matches.
#[tokio::test]
async fn reference_phi_flaws_bite_and_the_clean_server_does_no_such_harm() {
    for dialect in [
        Dialect::Rest,
        Dialect::Forms,
        Dialect::Threads,
        Dialect::Graph,
    ] {
        let server = start(dialect, &[]).await;
        assert_eq!(harm(&shown(&server).await), Harm::default(), "{dialect}");
        server.shutdown().await;
    }
    for dialect in [Dialect::Rest, Dialect::Forms] {
        for flaw in [
            Flaw::PhiInUrl,
            Flaw::PhiInNotification,
            Flaw::OtherPatientPhi,
            Flaw::NoPrivacyLink,
        ] {
            let server = start(dialect, &[flaw]).await;
            bites(flaw, &shown(&server).await);
            server.shutdown().await;
        }
    }
}
