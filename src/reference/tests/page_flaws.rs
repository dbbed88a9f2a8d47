//! The page flaws (`no-emergency-notice`, `no-response-time`, `zoom-blocked`,
//! `no-support-page`), which live in the pages every dialect shares: what each does to the
//! public entry page (in English and, where the dialect has it, French) and the support page,
//! and that the clean server does none of it. The per-dialect flaw tests call [`bites`] from
//! their exhaustive matches.

use reqwest::StatusCode;

use super::*;
use crate::reference::web::names::web;

/// The entry pages (English, then French where there is one) and the support page's status.
struct Shown {
    entries: Vec<String>,
    support: (StatusCode, String),
}

async fn shown(server: &ReferenceServer) -> Shown {
    let c = client(server, false);
    let w = web(server.dialect);
    let get = |path: &'static str| {
        let c = c.clone();
        async move {
            let resp = c.get(url(server, path)).send().await.expect("page");
            let status = resp.status();
            (status, resp.text().await.expect("page text"))
        }
    };
    let mut entries = Vec::new();
    for path in std::iter::once(w.entry).chain(w.entry_fr) {
        let (status, page) = get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        entries.push(page);
    }
    Shown {
        entries,
        support: get(w.support).await,
    }
}

/// What a page flaw did, or did not do.
#[derive(Debug, Default, PartialEq, Eq)]
struct Harm {
    notice_hidden: bool,
    no_response_time: bool,
    zoom_blocked: bool,
    no_support: bool,
}

fn harm(shown: &Shown) -> Harm {
    let every = |f: &dyn Fn(&str) -> bool| shown.entries.iter().all(|p| f(p));
    let none = |f: &dyn Fn(&str) -> bool| !shown.entries.iter().any(|p| f(p));
    Harm {
        notice_hidden: every(&|p| p.contains(r#"<div class="banner" hidden>"#))
            && none(&|p| p.contains(r#"<p class="notice">"#)),
        no_response_time: none(&|p| {
            p.contains("2 business days") || p.contains("2 jours ouvrables")
        }),
        zoom_blocked: every(&|p| p.contains("maximum-scale=1, user-scalable=no")),
        no_support: shown.support.0 == StatusCode::NOT_FOUND
            && none(&|p| p.contains("support@reference.test")),
    }
}

/// Shows that `flaw` does what it says on `server`.
pub(super) async fn bites(flaw: Flaw, server: &ReferenceServer) {
    let shown = shown(server).await;
    let expected = match flaw {
        Flaw::NoEmergencyNotice => Harm {
            notice_hidden: true,
            ..Harm::default()
        },
        Flaw::NoResponseTime => Harm {
            no_response_time: true,
            ..Harm::default()
        },
        Flaw::ZoomBlocked => Harm {
            zoom_blocked: true,
            ..Harm::default()
        },
        Flaw::NoSupportPage => Harm {
            no_support: true,
            ..Harm::default()
        },
        other => panic!("`{other}` is not a page flaw"),
    };
    assert_eq!(harm(&shown), expected, "{flaw} in {}", server.dialect);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_page_flaws_in_every_dialect_and_none_on_the_clean_server() {
    for dialect in [
        Dialect::Rest,
        Dialect::Forms,
        Dialect::Threads,
        Dialect::Graph,
    ] {
        let clean = start(dialect, &[]).await;
        let s = shown(&clean).await;
        assert_eq!(harm(&s), Harm::default(), "clean {dialect}");
        assert!(
            s.support.1.contains("1-800-555-0199"),
            "{dialect}: {}",
            s.support.1
        );
        clean.shutdown().await;
        if dialect == Dialect::Rest {
            for flaw in [
                Flaw::NoEmergencyNotice,
                Flaw::NoResponseTime,
                Flaw::ZoomBlocked,
                Flaw::NoSupportPage,
            ] {
                let server = start(dialect, &[flaw]).await;
                bites(flaw, &server).await;
                server.shutdown().await;
            }
        }
    }
}
