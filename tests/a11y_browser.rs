//! The rendered-browser engine against real Chromium and axe-core: the fixture corpus next to
//! the static engine, a page only the rendered DOM fails, HTTPS through a private CA, a page
//! reached only through the run's proxy, signed-in pages whose headers stay on their origin, and
//! a browser that cannot start.
//!
//! With `CI=true` a missing Chromium or axe-core fails these tests; elsewhere they say
//! "skipped: …" once and pass.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use common::connect_proxy::{ConnectProxy, Mode};
use scraper::Selector;
use url::Url;
use vvcheck::model::proxy::ResolvedProxy;
use vvcheck::probes::a11y::browser::{
    AuditRequest, Browser, BrowserError, BrowserSetup, TrustOptions,
};
use vvcheck::probes::a11y::issue::IssueKind;
use vvcheck::probes::a11y::page::{Page, Stylesheet};
use vvcheck::probes::a11y::rules::{self, RuleOutcome};
use vvcheck::reference::{Dialect, UNRESOLVABLE_NAME};

/// At most two browsers at a time: `cargo test` runs these tests side by side on a small
/// machine, and a starved renderer would miss its load deadline.
static SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// The setup, or `None` (after one "skipped" line) when this machine lacks it outside CI.
fn setup() -> Option<BrowserSetup> {
    match BrowserSetup::locate() {
        Ok(s) => Some(s),
        Err(e) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI must run the rendered-browser tests: {e}")
        }
        Err(e) => {
            println!("skipped: {e}");
            None
        }
    }
}

/// A browser, holding one of the [`SLOTS`] while it lives.
struct Slotted {
    browser: Browser,
    _slot: tokio::sync::SemaphorePermit<'static>,
}

impl std::ops::Deref for Slotted {
    type Target = Browser;
    fn deref(&self) -> &Browser {
        &self.browser
    }
}

async fn launch(setup: &BrowserSetup, trust: TrustOptions) -> Slotted {
    let slot = SLOTS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let browser = Browser::launch(setup, &trust)
        .await
        .expect("Chromium starts");
    Slotted {
        browser,
        _slot: slot,
    }
}

fn request(url: Url) -> AuditRequest {
    AuditRequest {
        url,
        same_origin_headers: Vec::new(),
    }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/a11y")
}

#[derive(Debug, serde::Deserialize)]
struct Expected {
    rule: String,
    selector: String,
}

#[derive(Debug, serde::Deserialize)]
struct Sidecar {
    #[serde(default)]
    browser_fails: Vec<Expected>,
}

/// Where a failure is: the element its selector finds in the markup (by document order), or the
/// selector itself when it finds nothing there (a script-built element, a selector of axe's that
/// the parser does not take).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Place {
    Element(usize),
    Selector(String),
}

fn place(page: &Page, selector: &str) -> Place {
    let found = Selector::parse(selector)
        .ok()
        .and_then(|sel| page.doc.select(&sel).next());
    match found {
        Some(el) => {
            let index = page
                .doc
                .root_element()
                .descendants()
                .position(|n| n.id() == el.id())
                .unwrap_or(usize::MAX);
            Place::Element(index)
        }
        None => Place::Selector(selector.to_string()),
    }
}

/// Every (rule, place, selector) that `outcomes` fail.
fn failures(page: &Page, outcomes: &[RuleOutcome]) -> BTreeSet<(String, Place, String)> {
    outcomes
        .iter()
        .flat_map(|o| {
            o.issues
                .iter()
                .filter(|i| i.kind == IssueKind::Fail)
                .map(|i| (o.rule.clone(), place(page, &i.selector), i.selector.clone()))
        })
        .collect()
}

/// The page at `path` as the static engine reads it, its local stylesheets with it.
fn static_page(path: &Path) -> Page {
    let url = Url::from_file_path(path).expect("file URL");
    let bytes = std::fs::read(path).expect("fixture");
    let probe = Page::parse(url.clone(), &bytes, Vec::new());
    let sheets = Page::linked_stylesheets(&probe.doc, &url)
        .into_iter()
        .filter_map(|u| {
            let text = std::fs::read_to_string(u.to_file_path().ok()?).ok()?;
            Some(Stylesheet { url: u, text })
        })
        .collect();
    Page::parse(url, &bytes, sheets)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_corpus_rendered_fails_every_browser_fail_and_shows_where_the_engines_differ() {
    let Some(setup) = setup() else { return };
    let browser = launch(&setup, TrustOptions::default()).await;
    let mut pages: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("fixtures/a11y")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    pages.sort();
    assert!(!pages.is_empty(), "the corpus has pages");
    let mut missed = Vec::new();
    for path in &pages {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let page = static_page(path);
        let rendered = match browser.audit(&request(page.url.clone())).await {
            Ok(r) => r,
            // A page that sends itself elsewhere as it loads cannot be audited where it was:
            // an error, named, never a pass. Any other page must render.
            Err(e)
                if std::fs::read_to_string(path)
                    .is_ok_and(|t| t.to_ascii_lowercase().contains("http-equiv=\"refresh\"")) =>
            {
                println!("not rendered: {name}: {e}");
                continue;
            }
            Err(e) => panic!("{name}: {e}"),
        };
        let by_axe = failures(&page, &rendered);
        let by_rules = failures(&page, &rules::evaluate(&page));
        let key = |f: &(String, Place, String)| (f.0.clone(), f.1.clone());
        let axe_keys: BTreeSet<_> = by_axe.iter().map(key).collect();
        let rule_keys: BTreeSet<_> = by_rules.iter().map(key).collect();
        for f in by_axe.iter().filter(|f| !rule_keys.contains(&key(f))) {
            println!("differ: {name} {} {}: failed by the browser only", f.0, f.2);
        }
        for f in by_rules.iter().filter(|f| !axe_keys.contains(&key(f))) {
            println!(
                "differ: {name} {} {}: failed by the static engine only",
                f.0, f.2
            );
        }
        let sidecar = path.with_extension("yaml");
        let Ok(text) = std::fs::read_to_string(&sidecar) else {
            continue;
        };
        let sidecar: Sidecar =
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", sidecar.display()));
        for want in sidecar.browser_fails {
            let at = place(&page, &want.selector);
            let hit = by_axe
                .iter()
                .any(|(rule, p, sel)| *rule == want.rule && (*p == at || *sel == want.selector));
            if !hit {
                missed.push(format!("{name}: {} {}", want.rule, want.selector));
            }
        }
    }
    assert!(
        missed.is_empty(),
        "axe did not fail these browser_fails: {missed:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_colour_a_script_sets_fails_contrast_only_when_rendered() {
    let Some(setup) = setup() else { return };
    let browser = launch(&setup, TrustOptions::default()).await;
    let path = fixtures().join("color-contrast--script-coloured.html");
    let url = Url::from_file_path(&path).expect("file URL");
    let outcomes = browser.audit(&request(url)).await.expect("audited");
    let contrast = outcomes
        .iter()
        .find(|o| o.rule == "color-contrast")
        .expect("axe ran color-contrast");
    assert!(
        contrast.criteria.contains(&"1.4.3".to_string()),
        "{contrast:?}"
    );
    let late: Vec<_> = contrast
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::Fail && i.selector == "#late")
        .collect();
    assert_eq!(late.len(), 1, "{contrast:#?}");
    assert!(
        late[0].snippet.starts_with("<p id=\"late\""),
        "{:?}",
        late[0]
    );
    assert!(late[0].message.contains("contrast"), "{:?}", late[0]);
    assert!(
        contrast.checked >= 2,
        "the heading and the paragraph are checked"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_entry_page_renders_through_its_private_ca_and_not_without_it() {
    let Some(setup) = setup() else { return };
    let reference = common::Reference::start(Dialect::Forms, &[]).await;
    let entry = Url::parse(&format!("{}/", reference.server.base_url)).expect("url");
    let trusted = launch(
        &setup,
        TrustOptions {
            ca_pem: Some(reference.server.ca_pem.clone()),
            insecure: false,
            ..TrustOptions::default()
        },
    )
    .await;
    let outcomes = trusted
        .audit(&request(entry.clone()))
        .await
        .expect("audited");
    assert!(
        outcomes.iter().any(|o| o.checked > 0),
        "axe checked elements of the entry page"
    );
    drop(trusted);
    let untrusted = launch(&setup, TrustOptions::default()).await;
    let entry_again = entry.clone();
    match untrusted.audit(&request(entry)).await {
        Err(BrowserError::Navigation { reason, .. }) => {
            assert!(reason.contains("CERT"), "{reason}")
        }
        other => panic!("an unknown CA must stop the page: {other:?}"),
    }
    drop(untrusted);
    let insecure = launch(
        &setup,
        TrustOptions {
            ca_pem: None,
            insecure: true,
            ..TrustOptions::default()
        },
    )
    .await;
    insecure
        .audit(&request(entry_again))
        .await
        .expect("--insecure ignores the unknown CA");
}

/// Through the run's proxy: the page is named by a host no resolver knows and only the test
/// proxy maps, so it renders only if both the served-chain fetch and Chromium went through it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_reaches_a_page_only_through_the_runs_proxy() {
    let Some(setup) = setup() else { return };
    let reference = common::Reference::start(Dialect::Forms, &[]).await;
    let proxy = ConnectProxy::start(Mode::Open).await;
    let port = Url::parse(&reference.server.base_url)
        .ok()
        .and_then(|u| u.port())
        .expect("the reference server's port");
    let entry = Url::parse(&format!("https://{UNRESOLVABLE_NAME}:{port}/")).expect("url");
    let proxy_url = proxy.url.clone();
    let (plan, _) = ResolvedProxy::resolve(None, None, &|k| {
        (k == "HTTPS_PROXY").then(|| proxy_url.clone())
    })
    .expect("the proxy plan");
    let trust = TrustOptions {
        ca_pem: Some(reference.server.ca_pem.clone()),
        insecure: false,
        proxy: plan,
    }
    .with_served_chain(&entry)
    .await
    .expect("the served chain, fetched through the proxy");
    let browser = launch(&setup, trust).await;
    let outcomes = browser
        .audit(&request(entry))
        .await
        .expect("the page rendered through the proxy");
    assert!(outcomes.iter().any(|o| o.checked > 0), "axe checked it");
    let tunnels = proxy
        .log()
        .iter()
        .filter(|l| l.method == "CONNECT" && l.target == format!("{UNRESOLVABLE_NAME}:{port}"))
        .count();
    assert!(
        tunnels >= 2,
        "the served chain and Chromium each tunnelled: {:#?}",
        proxy.log()
    );
}

/// The sign-in a request carried: its `Authorization` and `Cookie` headers, if any.
fn credentials(h: &HeaderMap) -> Vec<String> {
    [header::AUTHORIZATION, header::COOKIE]
        .iter()
        .filter_map(|name| h.get(name)?.to_str().ok().map(str::to_string))
        .collect()
}

fn signed_in(h: &HeaderMap) -> bool {
    credentials(h)
        .iter()
        .any(|c| c == "Bearer t" || c.split("; ").any(|kv| kv == "sid=s"))
}

async fn serve(router: Router) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move { axum::serve(listener, router).await });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_page_renders_and_its_headers_reach_no_other_origin() {
    let Some(setup) = setup() else { return };
    // What the other origin saw, and whether each request for the page's own stylesheet was
    // signed in.
    let other_saw: Arc<Mutex<Vec<Vec<String>>>> = Arc::default();
    let own_signed: Arc<Mutex<Vec<bool>>> = Arc::default();
    let recorder = other_saw.clone();
    let other = serve(Router::new().route(
        "/other.css",
        get(move |h: HeaderMap| async move {
            recorder.lock().expect("lock").push(credentials(&h));
            (
                [(header::CONTENT_TYPE, "text/css")],
                "p { color: #111111; }",
            )
        }),
    ))
    .await;
    let own = own_signed.clone();
    let page = format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Inbox</title>
<link rel="stylesheet" href="/own.css"><link rel="stylesheet" href="http://127.0.0.1:{other}/other.css">
</head><body><main><h1>Inbox</h1><p id="note">No new messages.</p></main></body></html>"#
    );
    let site = serve(
        Router::new()
            .route(
                "/",
                get(move |h: HeaderMap| async move {
                    if signed_in(&h) {
                        Html(page).into_response()
                    } else {
                        (StatusCode::UNAUTHORIZED, "sign in").into_response()
                    }
                }),
            )
            .route(
                "/own.css",
                get(move |h: HeaderMap| async move {
                    own.lock().expect("lock").push(signed_in(&h));
                    (
                        [(header::CONTENT_TYPE, "text/css")],
                        "h1 { color: #000000; }",
                    )
                }),
            ),
    )
    .await;
    let browser = launch(&setup, TrustOptions::default()).await;
    let url = Url::parse(&format!("http://127.0.0.1:{site}/")).expect("url");
    for (name, value) in [("Authorization", "Bearer t"), ("Cookie", "sid=s")] {
        own_signed.lock().expect("lock").clear();
        other_saw.lock().expect("lock").clear();
        let outcomes = browser
            .audit(&AuditRequest {
                url: url.clone(),
                same_origin_headers: vec![(name.into(), value.into())],
            })
            .await
            .unwrap_or_else(|e| panic!("signed in by {name}: {e}"));
        let title = outcomes
            .iter()
            .find(|o| o.rule == "document-title")
            .expect("axe checked the title");
        assert_eq!((title.checked, title.issues.len()), (1, 0), "{title:?}");
        let own = own_signed.lock().expect("lock").clone();
        assert!(
            !own.is_empty() && own.iter().all(|s| *s),
            "{name} to the own origin: {own:?}"
        );
        let saw = other_saw.lock().expect("lock").clone();
        assert!(
            !saw.is_empty(),
            "the other origin's stylesheet was requested"
        );
        assert!(
            saw.iter().all(Vec::is_empty),
            "{name} reached the other origin: {saw:?}"
        );
    }

    match browser.audit(&request(url)).await {
        Err(e @ BrowserError::Status { status: 401, .. }) => {
            assert!(!e.to_string().contains("Bearer"), "{e}")
        }
        other => panic!("without the header the page is refused: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_that_cannot_start_is_an_error_not_a_hang() {
    let axe = tempfile::NamedTempFile::new().expect("temp file");
    let setup = BrowserSetup {
        chromium: PathBuf::from("/bin/false"),
        axe_js: axe.path().to_path_buf(),
        axe_version: "0".into(),
        chromium_version: "none".into(),
    };
    let launched = tokio::time::timeout(
        Duration::from_secs(30),
        Browser::launch(&setup, &TrustOptions::default()),
    )
    .await
    .expect("launch returns");
    assert!(
        matches!(launched, Err(BrowserError::Start(_))),
        "{:?}",
        launched.err()
    );
    let setup = BrowserSetup {
        chromium: PathBuf::from("/nonexistent/chromium"),
        ..setup
    };
    let launched = Browser::launch(&setup, &TrustOptions::default()).await;
    assert!(matches!(launched, Err(BrowserError::Start(_))));
}

/// An HTTPS server on 127.0.0.1 that sends its leaf without the CA that signed it (as many do):
/// the CA's PEM and the port.
async fn leaf_only_server() -> (String, u16) {
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, IsCa,
        KeyPair,
    };
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("params");
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "leaf-only test CA");
    ca_params.distinguished_name = dn;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca =
        CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("key")).expect("CA");
    let leaf_key = KeyPair::generate().expect("key");
    let leaf = CertificateParams::new(vec!["127.0.0.1".into()])
        .expect("params")
        .signed_by(&leaf_key, &ca)
        .expect("leaf");
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(vec![leaf.der().clone()], key)
    .expect("server config");
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let socket = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    socket.set_nonblocking(true).expect("nonblocking");
    let port = socket.local_addr().expect("addr").port();
    let page = r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head><body><main><h1>Sign in</h1></main></body></html>"#;
    let app = Router::new().route("/", get(move || async move { Html(page) }));
    let server = axum_server::from_tcp_rustls(
        socket,
        axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(config)),
    );
    tokio::spawn(async move { server.serve(app.into_make_service()).await });
    (ca.pem(), port)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_sends_only_its_leaf_is_trusted_through_the_leaf_it_proves() {
    let Some(setup) = setup() else { return };
    let (ca_pem, port) = leaf_only_server().await;
    let site = Url::parse(&format!("https://127.0.0.1:{port}/")).expect("url");
    let ca_only = TrustOptions {
        ca_pem: Some(ca_pem.clone()),
        ..TrustOptions::default()
    };
    let browser = launch(&setup, ca_only.clone()).await;
    match browser.audit(&request(site.clone())).await {
        Err(BrowserError::Navigation { reason, .. }) => {
            assert!(reason.contains("CERT"), "{reason}")
        }
        other => panic!("the CA's key alone is not in what this server sends: {other:?}"),
    }
    drop(browser);
    let with_leaf = ca_only
        .with_served_chain(&site)
        .await
        .expect("the leaf chains to the CA");
    let browser = launch(&setup, with_leaf).await;
    let outcomes = browser
        .audit(&request(site.clone()))
        .await
        .expect("audited");
    assert!(
        outcomes
            .iter()
            .any(|o| o.rule == "document-title" && o.checked == 1)
    );

    let stranger = TrustOptions {
        ca_pem: Some(
            rcgen::CertifiedIssuer::self_signed(
                rcgen::CertificateParams::new(Vec::<String>::new()).expect("params"),
                rcgen::KeyPair::generate().expect("key"),
            )
            .expect("another CA")
            .pem(),
        ),
        ..TrustOptions::default()
    };
    assert!(
        stranger.with_served_chain(&site).await.is_err(),
        "a leaf another CA signed is not learned"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_page_is_an_error_and_the_next_pages_an_alert_and_a_frame_are_still_audited() {
    let Some(setup) = setup() else { return };
    let page = |title: &str, body: &str| {
        format!(
            r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body><main><h1>{title}</h1>{body}</main></body></html>"#
        )
    };
    let hung = page("Hung", "<script>for (;;) {}</script>");
    let framed = page(
        "Framed",
        r#"<iframe src="/inner" title="Message"></iframe>"#,
    );
    let inner = page("Inner", r#"<img id="noalt" src="/x.png">"#);
    let alerting = page("Alert", "<script>alert('Welcome');</script>");
    let site = serve(
        Router::new()
            .route("/hung", get(move || async move { Html(hung) }))
            .route("/framed", get(move || async move { Html(framed) }))
            .route("/inner", get(move || async move { Html(inner) }))
            .route("/alert", get(move || async move { Html(alerting) }))
            .route(
                "/silent",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(120)).await;
                    "too late"
                }),
            ),
    )
    .await;
    let browser = launch(&setup, TrustOptions::default()).await;
    let at = |path: &str| Url::parse(&format!("http://127.0.0.1:{site}{path}")).expect("url");
    // A page whose script never ends and a server that never answers, side by side.
    let (hung, silent) = (request(at("/hung")), request(at("/silent")));
    let (hung, silent) = tokio::time::timeout(Duration::from_secs(90), async {
        tokio::join!(browser.audit(&hung), browser.audit(&silent))
    })
    .await
    .expect("the audits give up on their own");
    for r in [hung, silent] {
        assert!(matches!(r, Err(BrowserError::LoadTimeout { .. })), "{r:?}");
    }
    browser
        .audit(&request(at("/alert")))
        .await
        .expect("an alert at load is answered");
    let outcomes = browser
        .audit(&request(at("/framed")))
        .await
        .expect("the browser still audits");
    let alt = outcomes
        .iter()
        .find(|o| o.rule == "image-alt")
        .expect("axe ran image-alt");
    assert!(
        alt.issues
            .iter()
            .any(|i| i.kind == IssueKind::Fail && i.selector == "iframe #noalt"),
        "the image inside the frame fails: {alt:?}"
    );
}
